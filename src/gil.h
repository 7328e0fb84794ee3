/* gil.h - a simulated global interpreter lock, shaped like CPython's.
 *
 * One thread holds it while computing. A thread that wants it waits up to
 * the switch interval (5 ms in CPython); if the holder has not let go by
 * then, the waiter raises drop_request. The holder looks at drop_request in
 * rt_tick (a relaxed load: the cheap check CPython's eval loop makes) and,
 * when it is set, hands the GIL over and waits until another thread has
 * really taken it ("forced switching"), so a CPU-bound thread cannot
 * take it straight back. I/O and lock waits release it.
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

struct gil {
	pthread_mutex_t mu;
	pthread_cond_t cv;       /* signalled when the GIL is released */
	pthread_cond_t switched; /* signalled when a new holder took it */
	atomic_int locked;       /* written under mu; read lock-free by spinners */
	int waiters;
	uint64_t switches;       /* times the GIL changed hands */
	int64_t interval_ns;
	atomic_int drop_request; /* a waiter asks the holder to let go */
};

/* Sets up an unlocked GIL with the given switch interval. 0 or -1. */
int gil_init(struct gil *g, int64_t interval_ns);
void gil_destroy(struct gil *g);

/* Takes the GIL if nobody holds it; 1 if taken, 0 if not. Never waits. */
int gil_try_acquire(struct gil *g);

/* Takes the GIL, waiting as long as needed; while waiting, asks the holder
 * to drop it every switch interval. */
void gil_acquire(struct gil *g);

/* Lets go of the GIL (held by the caller). With `force`, waits until some
 * waiting thread has taken it, if any waits. */
void gil_release(struct gil *g, int force);

/* The rt_tick fast path: is the holder asked to let go? */
static inline int gil_drop_requested(struct gil *g)
{
	return atomic_load_explicit(&g->drop_request, memory_order_relaxed);
}

/* Times the GIL changed hands. Any thread. */
uint64_t gil_switches(struct gil *g);

#endif
