/* gil.c - the simulated GIL (see gil.h for how it mirrors CPython). */
#include "config.h"

#include "gil.h"

#include <errno.h>
#include <sched.h>

#include "clock.h"

int gil_init(struct gil *g, int64_t interval_ns)
{
	pthread_condattr_t ca;

	atomic_init(&g->locked, 0);
	g->waiters = 0;
	g->switches = 0;
	g->interval_ns = interval_ns;
	atomic_init(&g->drop_request, 0);
	if (pthread_mutex_init(&g->mu, NULL) != 0)
		return -1;
	/* Timed waits measure the switch interval on the monotonic clock, so
	 * a change of the wall clock cannot stretch or shrink it. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&g->cv, &ca);
	if (rc == 0)
		rc = pthread_cond_init(&g->switched, &ca);
	pthread_condattr_destroy(&ca);
	return rc == 0 ? 0 : -1;
}

void gil_destroy(struct gil *g)
{
	pthread_cond_destroy(&g->switched);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

/* Takes the free GIL; g->mu held. */
static void take(struct gil *g)
{
	g->locked = 1;
	g->switches++;
	atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
	pthread_cond_broadcast(&g->switched);
}

int gil_try_acquire(struct gil *g)
{
	int got = 0;

	pthread_mutex_lock(&g->mu);
	if (!g->locked) {
		take(g);
		got = 1;
	}
	pthread_mutex_unlock(&g->mu);
	return got;
}

/* How long a waiter that has just asked for the GIL spins for it before
 * sleeping again. The holder checks the request at its next rt_tick (tens
 * of microseconds away), so the hand-over usually lands inside the spin.
 * Without it, every hand-over would pay a sleeping thread's wake-up, which
 * on a virtual machine can take a few hundred microseconds: dead time a
 * real CPython on real cores does not have, and which would make threads
 * look slower under the GIL than they are. */
#define GIL_SPIN_NS (200 * 1000)

/* Spins (the mutex not held) until the GIL looks free or the spin is up. */
static void spin_for_release(struct gil *g)
{
	int64_t until = clock_now_ns() + GIL_SPIN_NS;

	while (atomic_load_explicit(&g->locked, memory_order_relaxed)) {
		if (clock_now_ns() > until)
			return;
		sched_yield();
	}
}

void gil_acquire(struct gil *g)
{
	pthread_mutex_lock(&g->mu);
	g->waiters++;
	while (g->locked) {
		uint64_t seen = g->switches;
		struct timespec dl = clock_deadline(g->interval_ns);
		int rc = pthread_cond_timedwait(&g->cv, &g->mu, &dl);
		/* A whole interval passed and the same holder still runs:
		 * ask it to let go, as CPython's take_gil does. */
		if (rc == ETIMEDOUT && g->locked && g->switches == seen) {
			atomic_store_explicit(&g->drop_request, 1,
					      memory_order_relaxed);
			pthread_mutex_unlock(&g->mu);
			spin_for_release(g);
			pthread_mutex_lock(&g->mu);
		}
	}
	g->waiters--;
	take(g);
	pthread_mutex_unlock(&g->mu);
}

void gil_release(struct gil *g, int force)
{
	pthread_mutex_lock(&g->mu);
	g->locked = 0;
	pthread_cond_signal(&g->cv);
	if (force && g->waiters > 0) {
		/* Forced switching: do not race the waiter for the lock we
		 * just let go; wait until it really has it. */
		uint64_t seen = g->switches;
		while (g->switches == seen && g->waiters > 0)
			pthread_cond_wait(&g->switched, &g->mu);
	}
	pthread_mutex_unlock(&g->mu);
}

uint64_t gil_switches(struct gil *g)
{
	pthread_mutex_lock(&g->mu);
	uint64_t n = g->switches;
	pthread_mutex_unlock(&g->mu);
	return n;
}
