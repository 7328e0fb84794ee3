/* gil.h - a simulated global interpreter lock, shaped like CPython's.
 *
 * One thread holds it while computing. A thread that wants it waits up to
 * the switch interval (5 ms in CPython); if the holder has not let go by
 * then, the first waiter raises drop_request. The holder looks at
 * drop_request in rt_tick (a relaxed load: the cheap check CPython's eval
 * loop makes) and, when it is set, hands the GIL over. I/O and lock waits
 * release it.
 *
 * Hand-over is direct and in arrival order: the GIL goes straight from the
 * holder to the longest waiter and is never free while someone waits. So
 * the holder cannot take it straight back (CPython's "forced switching")
 * and every lane gets its turn, round-robin. CPython wakes waiters in
 * whatever order the OS picks; on a teaching picture a starved lane would
 * be noise, not a lesson.
 *
 * Cost: like CPython's, every waiter wakes once per switch interval, takes
 * the mutex, looks and sleeps again, whether or not it is first in line:
 * with N CPU-bound threads that is N wake-ups per 5 ms, real overhead
 * that grows with N (1024 threads keep both cores of a 2-core machine
 * busy, in CPython 3.11 too). Nothing more: the head waiter spins only
 * once per request it raises (gil.c, GIL_SPIN_NS).
 *
 * Threads: any thread; the mutex inside is never held while an event is
 * pushed or while anyone computes.
 */
#ifndef CONVIZ_GIL_H
#define CONVIZ_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define GIL_INTERVAL_NS (5 * 1000 * 1000) /* sys.getswitchinterval() */

struct gil_waiter;

struct gil {
	pthread_mutex_t mu;
	struct gil_waiter *head, *tail; /* waiters, in arrival order */
	int locked;
	uint64_t switches; /* times the GIL was taken or handed over */
	int64_t interval_ns;
	atomic_int drop_request;    /* the first waiter asks the holder to go */
	pthread_condattr_t cv_attr; /* waiters' conditions: monotonic clock */
};

/* Sets up an unlocked GIL with the given switch interval. 0, or -1 if a
 * pthread object could not be set up (nothing to destroy then). */
int gil_init(struct gil *g, int64_t interval_ns);
void gil_destroy(struct gil *g);

/* Takes the GIL if nobody holds it or waits for it; 1 if taken, else 0.
 * Never waits. */
int gil_try_acquire(struct gil *g);

/* Takes the GIL, waiting in line as long as needed; at the head of the
 * line, asks the holder to let go once a whole switch interval passes
 * without a switch. Aborts (msg_fatal) only if the system cannot set up a
 * condition variable for the wait. */
void gil_acquire(struct gil *g);

/* Lets go of the GIL (held by the caller): it passes to the longest
 * waiter, if any, at once. */
void gil_release(struct gil *g);

/* The rt_tick fast path: is the holder asked to let go? */
static inline int gil_drop_requested(struct gil *g)
{
	return atomic_load_explicit(&g->drop_request, memory_order_relaxed);
}

/* The waiter in line after w (for tests that look at the line, holding
 * g->mu). */
struct gil_waiter *gil_waiter_next(struct gil_waiter *w);

/* Times the GIL was taken or handed over. Any thread. */
uint64_t gil_switches(struct gil *g);

#endif
