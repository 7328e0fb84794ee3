#include "config.h"
#include "rt/coro.h"
#include <stdlib.h>
#include <ucontext.h>
struct coro_pool { size_t size; };
struct coro { ucontext_t ctx, back; coro_fn fn; void *arg; int done; char *stack; };
static __thread struct coro *cur;
struct coro_pool *coro_pool_new(size_t s) { struct coro_pool *p = malloc(sizeof *p); p->size = s; return p; }
void coro_pool_free(struct coro_pool *p) { free(p); }
static void tramp(void) { struct coro *c = cur; c->fn(c->arg); c->done = 1; }
struct coro *coro_new(struct coro_pool *p, coro_fn fn, void *arg) {
	struct coro *c = calloc(1, sizeof *c); c->fn = fn; c->arg = arg; c->stack = malloc(p->size);
	getcontext(&c->ctx); c->ctx.uc_stack.ss_sp = c->stack; c->ctx.uc_stack.ss_size = p->size; c->ctx.uc_link = &c->back;
	makecontext(&c->ctx, tramp, 0); return c; }
int coro_resume(struct coro *c) { struct coro *prev = cur; cur = c; swapcontext(&c->back, &c->ctx); cur = prev; return c->done; }
void coro_yield(void) { struct coro *c = cur; swapcontext(&c->ctx, &c->back); }
struct coro *coro_current(void) { return cur; }
void coro_free(struct coro *c) { free(c->stack); free(c); }
int coro_guard_hit(const void *a) { (void)a; return 0; }
