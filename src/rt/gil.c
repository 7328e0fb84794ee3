/* gil.c - the simulated GIL (see gil.h for how it mirrors CPython). */
#include "config.h"

#include "rt/gil.h"

#include <errno.h>
#include <sched.h>

#include "core/clock.h"
#include "core/msg.h"

/* One thread waiting in line, on its own stack. */
struct gil_waiter {
	pthread_cond_t cv;
	struct gil_waiter *next;
	atomic_int granted; /* set (under mu) when the GIL is handed to it */
};

/* How long the head waiter spins for the GIL right after asking for it,
 * before sleeping again. The holder checks the request at its next rt_tick
 * (tens of microseconds away), so the hand-over usually lands inside the
 * spin. Without it every hand-over would pay a sleeping thread's wake-up,
 * which on a virtual machine can take a few hundred microseconds: dead
 * time a CPython on real cores does not have, and which would make threads
 * look slower under the GIL than they are. Measured on this 2-vCPU VM, two
 * threads handing over every 5 ms: asleep, the new holder runs 34-38 us
 * after the release (median; p99 0.1-0.3 ms), 0.8-1.0% of the run lost;
 * spinning, 1.5-2 us, 0.1-0.3% lost. It spins once per request: a holder
 * that does not answer (outside rt_tick, or not scheduled) is not asked
 * again, and the head sleeps until the hand-over wakes it. The code before
 * spun again after every interval: 200 us of CPU per 5 ms, four times
 * what a waiting CPython thread spends (tests/check_gil.c). */
#define GIL_SPIN_NS (200 * 1000)

int gil_init(struct gil *g, int64_t interval_ns)
{
	g->head = g->tail = NULL;
	g->locked = 0;
	g->switches = 0;
	g->interval_ns = interval_ns;
	atomic_init(&g->drop_request, 0);
	/* Timed waits measure the switch interval on the monotonic clock,
	 * so a change of the wall clock cannot stretch or shrink it. */
	if (pthread_condattr_init(&g->cv_attr) != 0)
		return -1;
	if (pthread_condattr_setclock(&g->cv_attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_mutex_init(&g->mu, NULL) != 0) {
		pthread_condattr_destroy(&g->cv_attr);
		return -1;
	}
	return 0;
}

void gil_destroy(struct gil *g)
{
	pthread_mutex_destroy(&g->mu);
	pthread_condattr_destroy(&g->cv_attr);
}

/* Marks the GIL taken by a new holder; g->mu held. */
static void take(struct gil *g)
{
	g->locked = 1;
	g->switches++;
	atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
}

int gil_try_acquire(struct gil *g)
{
	int got = 0;

	pthread_mutex_lock(&g->mu);
	if (!g->locked && !g->head) {
		take(g);
		got = 1;
	}
	pthread_mutex_unlock(&g->mu);
	return got;
}

/* Spins (mu not held) until the GIL is handed to w or the spin is up. */
static void spin_for_grant(struct gil_waiter *w)
{
	int64_t until = clock_now_ns() + GIL_SPIN_NS;

	while (!atomic_load_explicit(&w->granted, memory_order_acquire)) {
		if (clock_now_ns() > until)
			return;
		sched_yield();
	}
}

/* Joins the line; g->mu held. -1 if w's condition cannot be set up. */
static int enqueue(struct gil *g, struct gil_waiter *w)
{
	if (pthread_cond_init(&w->cv, &g->cv_attr) != 0)
		return -1;
	w->next = NULL;
	atomic_init(&w->granted, 0);
	if (g->tail)
		g->tail->next = w;
	else
		g->head = w;
	g->tail = w;
	return 0;
}

/* w woke after a whole interval (g->mu held): should it ask the holder to
 * let go? Only the head of the line asks, only if the same holder still
 * runs, and only once: a request already up is not raised again. */
static int should_ask(struct gil *g, struct gil_waiter *w, uint64_t seen)
{
	return g->head == w && g->switches == seen &&
	       !atomic_load_explicit(&w->granted, memory_order_relaxed) &&
	       !gil_drop_requested(g);
}

/* Every waiter wakes once per interval, on its own condition tied to
 * g->mu, as each of CPython's waiters wakes from its timed wait on the
 * GIL's condition and takes the GIL's mutex again (with many waiters they
 * queue for it, in CPython too). Waiters sleeping on private semaphores
 * and waking without the lock were tried: at most 8% cheaper per wake-up
 * while the machine has room, but with 1024 threads nothing throttles the
 * wake-ups any more, they crowd out the holder, and primes -w 1024 ran
 * 2-4 times longer (and more erratically) than with this queue. */
void gil_acquire(struct gil *g)
{
	struct gil_waiter w;

	pthread_mutex_lock(&g->mu);
	if (!g->locked && !g->head) {
		take(g);
		pthread_mutex_unlock(&g->mu);
		return;
	}
	if (enqueue(g, &w) != 0) {
		pthread_mutex_unlock(&g->mu);
		msg_fatal("cannot wait for the simulated GIL",
			  "close other programs or use fewer workers");
	}
	while (!atomic_load_explicit(&w.granted, memory_order_relaxed)) {
		uint64_t seen = g->switches;
		struct timespec dl = clock_deadline(g->interval_ns);
		int rc = pthread_cond_timedwait(&w.cv, &g->mu, &dl);
		/* First in line, a whole interval passed and the same holder
		 * still runs: ask it to let go, as CPython's take_gil does. */
		if (rc == ETIMEDOUT && should_ask(g, &w, seen)) {
			atomic_store_explicit(&g->drop_request, 1,
					      memory_order_relaxed);
			pthread_mutex_unlock(&g->mu);
			spin_for_grant(&w);
			pthread_mutex_lock(&g->mu);
		}
	}
	pthread_mutex_unlock(&g->mu);
	pthread_cond_destroy(&w.cv);
}

void gil_release(struct gil *g)
{
	pthread_mutex_lock(&g->mu);
	struct gil_waiter *w = g->head;
	if (!w) {
		g->locked = 0;
		pthread_mutex_unlock(&g->mu);
		return;
	}
	/* Hand it over: it stays locked, now on the waiter's behalf. */
	g->head = w->next;
	if (!g->head)
		g->tail = NULL;
	take(g);
	atomic_store_explicit(&w->granted, 1, memory_order_release);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&g->mu);
}

struct gil_waiter *gil_waiter_next(struct gil_waiter *w)
{
	return w->next;
}

uint64_t gil_switches(struct gil *g)
{
	pthread_mutex_lock(&g->mu);
	uint64_t n = g->switches;
	pthread_mutex_unlock(&g->mu);
	return n;
}
