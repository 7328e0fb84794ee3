#ifndef CONVIZ_CORO_H
#define CONVIZ_CORO_H
#include <stddef.h>
struct coro;
struct coro_pool;
typedef void (*coro_fn)(void *arg);
struct coro_pool *coro_pool_new(size_t stack_size);
void coro_pool_free(struct coro_pool *p);
struct coro *coro_new(struct coro_pool *p, coro_fn fn, void *arg);
int coro_resume(struct coro *c);
void coro_yield(void);
struct coro *coro_current(void);
void coro_free(struct coro *c);
int coro_guard_hit(const void *addr);
#endif
