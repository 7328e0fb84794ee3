/* coro.h - coroutines for the async model: stacks from a pool, each with a
 * guard page, and a switch that makes no system call.
 *
 * What: a coroutine runs fn(arg) on a stack of its own and hands control
 * back to whoever resumed it at every coro_yield: an `await`, in C. The
 * async model's event loop resumes one ready coroutine at a time; a task
 * awaiting I/O, a timer or a lock yields and the loop resumes it when that
 * is done.
 *
 * Threads: a pool, and every coroutine of it, belong to one thread (the
 * loop's); coroutines never move between threads. coro_current is per
 * thread. coro_guard_hit alone may be called from any thread and from a
 * signal handler.
 *
 * The switch: the first resume enters the coroutine through a
 * makecontext'ed context (one setcontext, whose signal-mask system call is
 * paid once per coroutine); every later switch, either way, is a
 * _setjmp/_longjmp pair, which saves a few registers and makes no system
 * call. swapcontext would save and restore the signal mask with a system
 * call on every switch.
 *
 * Costs measured here (make bench, bench_coro; 2-core x86_64 shared with
 * others, glibc 2.36, gcc 12 -O2): one await round trip (coro_resume
 * + coro_yield) 48-54 ns; the same round trip with swapcontext 640-650 ns
 * (two sigprocmask system calls); coro_new + first entry + coro_free
 * with a pooled stack about 550 ns (the getcontext/setcontext pair). A
 * stack costs address space (stack_size + one page) and only the pages a
 * task touches: 10,000 coroutines of coro_stack_default() suspended in
 * their first yield peak at 45 MiB RSS for the whole process.
 *
 * Stack overflow: below each stack is a PROT_NONE guard page, so a task
 * that recurses too deep faults (SIGSEGV) at once instead of corrupting
 * its neighbour; the crash handler asks coro_guard_hit(si_addr) to tell
 * that from any other crash (it must run on a sigaltstack: the faulting
 * stack is full). Each stack is two mappings (stack and guard), so the
 * kernel's vm.max_map_count (65530 by default) caps a process at some
 * 30,000 stacks; past that coro_new returns NULL. A single frame larger
 * than a page could step over the guard unless the compiler probes the
 * stack (-fstack-clash-protection).
 *
 * Sanitizers: switches are announced to AddressSanitizer
 * (__sanitizer_start/finish_switch_fiber) and ThreadSanitizer (one fiber
 * per coroutine), and each stack is registered with valgrind
 * (VALGRIND_STACK_REGISTER) when configure found <valgrind/valgrind.h>.
 * Under TSan a coroutine costs some six mappings (stack, guard, their
 * shadow, the fiber's shadow stack), so vm.max_map_count allows about
 * 10,000 at once there.
 */
#ifndef CONVIZ_CORO_H
#define CONVIZ_CORO_H

#include <stddef.h>

struct coro;
struct coro_pool;
typedef void (*coro_fn)(void *arg);

/* The stack size the async model uses: 256 KiB. */
size_t coro_stack_default(void);

/* A pool of coroutine stacks of stack_size bytes each (rounded up to
 * pages), each with a guard page below it (PROT_NONE); stacks are mmap'ed
 * on first need and reused after coro_free. NULL when out of memory. One
 * thread uses a pool (the loop's), and makes it: the pool gives that
 * thread a signal stack (sigaltstack) for the crash handler, which
 * coro_pool_free takes away again. */
struct coro_pool *coro_pool_new(size_t stack_size);

/* Unmaps every stack of p and frees it. Every coroutine of p must have
 * been freed first (else this aborts: their stacks would vanish under
 * them). The pool's thread. */
void coro_pool_free(struct coro_pool *p);

/* Stacks p has mapped so far (in use or free for reuse): it never exceeds
 * the most coroutines of p that were alive at once. */
size_t coro_pool_stacks(const struct coro_pool *p);

/* The usable size of each stack of p, in bytes (stack_size rounded up to
 * pages). */
size_t coro_pool_stack_size(const struct coro_pool *p);

/* A coroutine that will run fn(arg) on a stack of p when first resumed.
 * NULL when no stack can be had (mmap failed / out of memory). The pool's
 * thread. */
struct coro *coro_new(struct coro_pool *p, coro_fn fn, void *arg);

/* Runs c (from the loop, not from a coroutine: that aborts) until it
 * yields or fn returns: returns 0 if it yielded, 1 if it has finished
 * (then only coro_free is allowed). The pool's thread. */
int coro_resume(struct coro *c);

/* From inside a coroutine: back to whoever resumed it; returns when it is
 * resumed again. Called outside a coroutine, it aborts. */
void coro_yield(void);

/* The coroutine running on this thread, or NULL in the loop itself. */
struct coro *coro_current(void);

/* Frees c (finished, or never started / suspended - then its stack is
 * just reclaimed: nothing on it runs again, so fn must hold nothing that
 * needs releasing there); its stack goes back to the pool. The pool's
 * thread, from the loop. */
void coro_free(struct coro *c);

/* Is addr inside the guard page of any live pool's stack? For the crash
 * handler: a SIGSEGV there is a task that overflowed its coroutine stack.
 * Any thread; async-signal-safe (no locks, no malloc: a lock-free registry
 * of guard pages, CORO_GUARDS_MAX of them; a stack mapped when it is full
 * works but is not recognised here). */
int coro_guard_hit(const void *addr);

#define CORO_GUARDS_MAX 65536

/* What a crash handler says when signal `sig` hit address addr: for a
 * SIGSEGV or SIGBUS in a guard page, CORO_OVERFLOW_LINE; else NULL (some
 * other crash). Async-signal-safe. */
const char *coro_crash_line(int sig, const void *addr);

#define CORO_OVERFLOW_LINE                                                   \
	"conviz: a task overflowed its 256 KiB coroutine stack (-m async): " \
	"it recurses too deep to run as a coroutine; run it with -m sync "   \
	"or -m threads, or make its recursion shallower\n"

#endif
