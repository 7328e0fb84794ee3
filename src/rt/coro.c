/* coro.c - coroutines: pooled guarded stacks, a switch without system
 * calls, and the sanitizers told about every switch. */
#include "config.h"

/* glibc's fortified longjmp (__longjmp_chk) refuses a jump to a lower
 * stack address unless it comes from a signal stack: a jump from the
 * loop's stack into a coroutine's mmap'ed stack is exactly that. */
#undef _FORTIFY_SOURCE

#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "core/msg.h"
#include "rt/coro.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define CORO_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(CORO_ASAN)
#define CORO_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(CORO_TSAN)
#define CORO_TSAN 1
#endif

#ifdef CORO_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef CORO_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#ifndef MAP_STACK
#define MAP_STACK 0
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif

/* A task's stack: room for libcurl and a blocking GET's resolver (the
 * pages a task never touches cost no memory). CORO_OVERFLOW_LINE says
 * it. */
#define CORO_STACK_DEFAULT (256 * 1024)
/* The loop thread's signal stack, where the crash handler runs when a
 * coroutine's stack is full. */
#define CORO_ALTSTACK (64 * 1024)

enum coro_state {
	CORO_NEW,	/* fn has not started: the first resume enters it */
	CORO_RUNNING,	/* between coro_resume and the yield or return */
	CORO_SUSPENDED, /* in coro_yield */
	CORO_DONE,	/* fn returned */
};

/* A coroutine and its stack: the two live and are reused together (the
 * pool's free list holds coroutines whose stack waits for a new fn). */
struct coro {
	jmp_buf env;  /* where the coroutine stopped, in coro_yield */
	jmp_buf back; /* where its resumer waits, in coro_resume */
	coro_fn fn;
	void *arg;
	enum coro_state state;
	struct coro_pool *pool;
	char *stack; /* lowest usable byte, just above the guard page */
	struct coro *next_free;
	int guard_slot; /* in the guard registry, or -1 */
	unsigned vg_id; /* valgrind's id of the stack */
#ifdef CORO_TSAN
	void *fiber;	  /* TSan's view of this coroutine */
	void *back_fiber; /* and of its resumer */
#endif
#ifdef CORO_ASAN
	const void *back_bottom; /* the resumer's stack, for switching back */
	size_t back_size;
#endif
};

struct coro_pool {
	size_t stack_size; /* usable bytes per stack, whole pages */
	size_t page;
	struct coro *free; /* stacks ready for a new coroutine */
	size_t stacks;	   /* stacks mapped, in use or free */
	size_t live;	   /* coroutines not yet freed */
	void *alt;	   /* the signal stack it set up, or NULL */
	stack_t old_alt;   /* what its thread had before */
};

/* The coroutine running on this thread; NULL in the loop. */
static _Thread_local struct coro *current;

/* --- the guard registry ------------------------------------------------
 * The start of every mapped guard page, for coro_guard_hit in a signal
 * handler: a fixed array of lock-free words (0 = free slot), so reading
 * it takes no lock and allocates nothing. Slots are taken with a CAS from
 * a rotating hint, so registering stays O(1) in the common case;
 * guards_high bounds the scan. */
static atomic_uintptr_t guards[CORO_GUARDS_MAX];
static atomic_size_t guards_high;
static atomic_size_t guards_hint;
static atomic_size_t guards_page;

static int guard_add(const void *page_start)
{
	size_t hint = atomic_load_explicit(&guards_hint, memory_order_relaxed);

	for (size_t n = 0; n < CORO_GUARDS_MAX; n++) {
		size_t i = (hint + n) % CORO_GUARDS_MAX;
		uintptr_t empty = 0;

		if (atomic_load_explicit(&guards[i], memory_order_relaxed) != 0)
			continue;
		if (!atomic_compare_exchange_strong(&guards[i], &empty,
						    (uintptr_t)page_start))
			continue;
		size_t high = atomic_load(&guards_high);
		while (high < i + 1 && !atomic_compare_exchange_weak(
					       &guards_high, &high, i + 1))
			;
		atomic_store_explicit(&guards_hint, i + 1,
				      memory_order_relaxed);
		return (int)i;
	}
	return -1;
}

static void guard_remove(int slot)
{
	if (slot >= 0)
		atomic_store(&guards[slot], 0);
}

const char *coro_crash_line(int sig, const void *addr)
{
	if ((sig == SIGSEGV || sig == SIGBUS) && coro_guard_hit(addr))
		return CORO_OVERFLOW_LINE;
	return NULL;
}

int coro_guard_hit(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	size_t page = atomic_load(&guards_page);
	size_t high = atomic_load(&guards_high);

	for (size_t i = 0; i < high && page != 0; i++) {
		uintptr_t g = atomic_load(&guards[i]);

		if (g != 0 && a >= g && a - g < page)
			return 1;
	}
	return 0;
}

/* --- telling the sanitizers --------------------------------------------
 * Every switch is bracketed: switch_out on the side that leaves, just
 * before the jump; switch_in on the side that arrives, first thing.
 * ASan must know which stack is live (else it reports the other stack's
 * frames as overflows and cannot clean up after a longjmp); TSan keeps a
 * shadow call stack per fiber, and a fiber switch with synchronisation
 * (flags 0) says the loop and its coroutines are one thread of execution,
 * never racing. The helpers are always inlined: under TSan a function
 * that switches fibers and then returns would pop its frame off the
 * other fiber's shadow stack. */
#define CORO_INLINE static inline __attribute__((always_inline))

/* The loop leaves for coroutine c. */
CORO_INLINE void switch_to_coro(struct coro *c, void **fake)
{
#ifdef CORO_ASAN
	__sanitizer_start_switch_fiber(fake, c->stack, c->pool->stack_size);
#else
	(void)fake;
#endif
#ifdef CORO_TSAN
	c->back_fiber = __tsan_get_current_fiber();
	__tsan_switch_to_fiber(c->fiber, 0);
#endif
}

/* Coroutine c leaves for its resumer; fake is NULL when c has finished
 * (ASan then frees c's fake stack). */
CORO_INLINE void switch_to_loop(struct coro *c, void **fake)
{
#ifdef CORO_ASAN
	__sanitizer_start_switch_fiber(fake, c->back_bottom, c->back_size);
#else
	(void)fake;
#endif
#ifdef CORO_TSAN
	__tsan_switch_to_fiber(c->back_fiber, 0);
#else
	(void)c;
#endif
}

/* Arrived in coroutine c (from the loop). */
CORO_INLINE void switched_in_coro(struct coro *c, void *fake)
{
#ifdef CORO_ASAN
	__sanitizer_finish_switch_fiber(fake, &c->back_bottom, &c->back_size);
#else
	(void)c;
	(void)fake;
#endif
}

/* Arrived back in the loop. */
CORO_INLINE void switched_in_loop(void *fake)
{
#ifdef CORO_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
	(void)fake;
#endif
}

/* --- stacks --------------------------------------------------------------*/

size_t coro_stack_default(void)
{
	return CORO_STACK_DEFAULT;
}

/* Gives the calling thread (the pool's) a signal stack, so the crash
 * handler can run when a coroutine has filled its own. Without one the
 * kernel cannot deliver that SIGSEGV and kills the process, the terminal
 * left in curses' state. Best effort: a thread that cannot have one
 * still runs coroutines. */
static void altstack_on(struct coro_pool *p)
{
	stack_t ss = { .ss_size = CORO_ALTSTACK };

	ss.ss_sp = mmap(NULL, CORO_ALTSTACK, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (ss.ss_sp == MAP_FAILED)
		return;
	if (sigaltstack(&ss, &p->old_alt) != 0) {
		munmap(ss.ss_sp, CORO_ALTSTACK);
		return;
	}
	p->alt = ss.ss_sp;
}

/* Puts the thread's signal stack back as it was. */
static void altstack_off(struct coro_pool *p)
{
	if (p->alt == NULL)
		return;
	if (p->old_alt.ss_flags & SS_DISABLE)
		p->old_alt = (stack_t){ .ss_flags = SS_DISABLE };
	if (sigaltstack(&p->old_alt, NULL) == 0)
		munmap(p->alt, CORO_ALTSTACK);
	p->alt = NULL;
}

struct coro_pool *coro_pool_new(size_t stack_size)
{
	long page = sysconf(_SC_PAGESIZE);
	struct coro_pool *p;

	if (page <= 0)
		page = 4096;
	if (stack_size == 0 || stack_size > SIZE_MAX / 2)
		return NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->page = (size_t)page;
	p->stack_size = (stack_size + p->page - 1) / p->page * p->page;
	atomic_store(&guards_page, p->page);
	altstack_on(p);
	return p;
}

/* A new coroutine with a freshly mapped stack: [guard page][stack]. */
static struct coro *stack_map(struct coro_pool *p)
{
	size_t len = p->page + p->stack_size;
	struct coro *c = calloc(1, sizeof *c);
	char *base;

	if (c == NULL)
		return NULL;
	base = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1,
		    0);
	if (base == MAP_FAILED) {
		free(c);
		return NULL;
	}
	if (mprotect(base, p->page, PROT_NONE) != 0) {
		munmap(base, len);
		free(c);
		return NULL;
	}
	c->pool = p;
	c->stack = base + p->page;
	c->guard_slot = guard_add(base);
#ifdef HAVE_VALGRIND_VALGRIND_H
	c->vg_id = VALGRIND_STACK_REGISTER(c->stack, c->stack + p->stack_size);
#endif
	p->stacks++;
	return c;
}

static void stack_unmap(struct coro_pool *p, struct coro *c)
{
#ifdef HAVE_VALGRIND_VALGRIND_H
	VALGRIND_STACK_DEREGISTER(c->vg_id);
#endif
	guard_remove(c->guard_slot);
	munmap(c->stack - p->page, p->page + p->stack_size);
	p->stacks--;
	free(c);
}

void coro_pool_free(struct coro_pool *p)
{
	if (p == NULL)
		return;
	if (p->live != 0)
		msg_fatal("coro_pool_free: coroutines of the pool are alive",
			  "free them first (a bug in conviz: report it)");
	while (p->free != NULL) {
		struct coro *c = p->free;

		p->free = c->next_free;
		stack_unmap(p, c);
	}
	altstack_off(p);
	free(p);
}

size_t coro_pool_stacks(const struct coro_pool *p)
{
	return p->stacks;
}

size_t coro_pool_stack_size(const struct coro_pool *p)
{
	return p->stack_size;
}

/* --- coroutines ----------------------------------------------------------*/

struct coro *coro_new(struct coro_pool *p, coro_fn fn, void *arg)
{
	struct coro *c = p->free;

	if (c != NULL)
		p->free = c->next_free;
	else
		c = stack_map(p);
	if (c == NULL)
		return NULL;
	c->next_free = NULL;
	c->fn = fn;
	c->arg = arg;
	c->state = CORO_NEW;
#ifdef CORO_TSAN
	c->fiber = __tsan_create_fiber(0);
#endif
	p->live++;
	return c;
}

/* The first code on a coroutine's stack. It never returns (there is
 * nothing to return to): when fn is done it jumps back to the resumer
 * for good. The coroutine is `current`: makecontext can pass only ints. */
static void coro_trampoline(void)
{
	struct coro *c = current;

	switched_in_coro(c, NULL);
	c->fn(c->arg);
	c->state = CORO_DONE;
	switch_to_loop(c, NULL);
	_longjmp(c->back, 1);
}

/* First resume: build a context on c's stack that starts in the
 * trampoline and go there. setcontext restores the signal mask (a system
 * call), but only this once per coroutine. The context is not a local:
 * this frame is never returned to, and under ASan a local's redzones
 * would stay poisoned on the loop's stack for ever after. */
static _Thread_local ucontext_t enter_uc;

static void coro_enter(struct coro *c) __attribute__((noreturn));
static void coro_enter(struct coro *c)
{
	if (getcontext(&enter_uc) != 0)
		msg_fatal("cannot start a coroutine (getcontext failed)",
			  "report this bug");
	enter_uc.uc_stack.ss_sp = c->stack;
	enter_uc.uc_stack.ss_size = c->pool->stack_size;
	enter_uc.uc_link = NULL;
	makecontext(&enter_uc, coro_trampoline, 0);
	setcontext(&enter_uc);
	msg_fatal("cannot start a coroutine (setcontext failed)",
		  "report this bug");
}

int coro_resume(struct coro *c)
{
	void *fake = NULL;

	if (current != NULL || c->state == CORO_RUNNING ||
	    c->state == CORO_DONE)
		msg_fatal("coro_resume: not from the loop, or of a coroutine "
			  "that runs or has finished",
			  "report this bug");
	current = c;
	if (_setjmp(c->back) == 0) {
		int fresh = c->state == CORO_NEW;

		c->state = CORO_RUNNING;
		switch_to_coro(c, &fake);
		if (fresh)
			coro_enter(c);
		_longjmp(c->env, 1);
	}
	switched_in_loop(fake);
	current = NULL;
	return c->state == CORO_DONE;
}

void coro_yield(void)
{
	struct coro *c = current;
	void *fake = NULL;

	if (c == NULL)
		msg_fatal("coro_yield: not inside a coroutine",
			  "report this bug");
	c->state = CORO_SUSPENDED;
	if (_setjmp(c->env) == 0) {
		switch_to_loop(c, &fake);
		_longjmp(c->back, 1);
	}
	switched_in_coro(c, fake);
}

struct coro *coro_current(void)
{
	return current;
}

void coro_free(struct coro *c)
{
	struct coro_pool *p;

	if (c == NULL)
		return;
	if (c == current || c->state == CORO_RUNNING)
		msg_fatal("coro_free: of a running coroutine",
			  "report this bug");
	p = c->pool;
#ifdef CORO_TSAN
	__tsan_destroy_fiber(c->fiber);
	c->fiber = NULL;
#endif
#ifdef CORO_ASAN
	/* Frames left on the stack (a suspended coroutine, or the
	 * trampoline's) keep their redzones poisoned: clear them, or the
	 * stack's next coroutine would trip over them. */
	if (c->state != CORO_NEW)
		__asan_unpoison_memory_region(c->stack, p->stack_size);
#endif
	c->next_free = p->free;
	p->free = c;
	p->live--;
}
