/* check_gil.c - the simulated GIL: exclusion, drop requests, hand-over,
 * and what waiting for it costs. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "check_suites.h"
#include "core/clock.h"
#include "rt/gil.h"

START_TEST(test_try_and_release)
{
	struct gil g;

	ck_assert_int_eq(gil_init(&g, GIL_INTERVAL_NS), 0);
	ck_assert_int_eq(gil_try_acquire(&g), 1);
	ck_assert_int_eq(gil_try_acquire(&g), 0);
	gil_release(&g);
	ck_assert_int_eq(gil_try_acquire(&g), 1);
	/* Release with nobody waiting must not wait. */
	gil_release(&g);
	ck_assert_uint_eq(gil_switches(&g), 2);
	gil_destroy(&g);
}
END_TEST

struct spinner {
	struct gil *g;
	atomic_int *inside;
	atomic_int *stop;
	long rounds;
	atomic_long handovers; /* read by the test while the thread runs */
	int overlap;
};

/* A CPU-bound "Python thread": holds the GIL, checks the drop request like
 * rt_tick does, and hands over when asked. */
static void *spin(void *p)
{
	struct spinner *s = p;

	gil_acquire(s->g);
	while (!atomic_load(s->stop)) {
		if (atomic_fetch_add(s->inside, 1) != 0)
			s->overlap = 1;
		s->rounds++;
		atomic_fetch_sub(s->inside, 1);
		if (gil_drop_requested(s->g)) {
			gil_release(s->g);
			atomic_fetch_add(&s->handovers, 1);
			gil_acquire(s->g);
		}
	}
	gil_release(s->g);
	return NULL;
}

START_TEST(test_exclusion_and_switching)
{
	struct gil g;
	atomic_int inside = 0, stop = 0;
	struct spinner s[3];
	pthread_t th[3];

	ck_assert_int_eq(gil_init(&g, 2 * 1000 * 1000), 0);
	for (int i = 0; i < 3; i++) {
		s[i] = (struct spinner){ .g = &g,
					 .inside = &inside,
					 .stop = &stop };
		atomic_init(&s[i].handovers, 0);
		pthread_create(&th[i], NULL, spin, &s[i]);
	}
	/* Until every thread has handed the GIL over 5 times (~30 ms at a
	 * 2 ms interval, round-robin), or a limit generous enough for
	 * valgrind, which runs one thread at a time. */
	int64_t until = clock_now_ns() + 20 * 1000000000LL;
	while (clock_now_ns() < until && (atomic_load(&s[0].handovers) < 5 ||
					  atomic_load(&s[1].handovers) < 5 ||
					  atomic_load(&s[2].handovers) < 5))
		sched_yield();
	atomic_store(&stop, 1);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(s[i].overlap, 0);
		/* Every thread got the GIL for real work, again and again:
		 * hand-over is round-robin, nobody starves. */
		ck_assert_int_gt(s[i].rounds, 0);
		ck_assert_int_ge(atomic_load(&s[i].handovers), 5);
	}
	gil_destroy(&g);
}
END_TEST

struct waiter {
	struct gil *g;
	atomic_int got;
};

static void *wait_for_gil(void *p)
{
	struct waiter *w = p;

	gil_acquire(w->g);
	atomic_store(&w->got, 1);
	gil_release(w->g);
	return NULL;
}

/* A waiter raises drop_request only after a whole switch interval. */
START_TEST(test_drop_request_after_interval)
{
	struct gil g;
	struct waiter w = { .g = &g };
	pthread_t th;

	ck_assert_int_eq(gil_init(&g, 20 * 1000 * 1000), 0);
	ck_assert_int_eq(gil_try_acquire(&g), 1);
	ck_assert_int_eq(gil_drop_requested(&g), 0);
	int64_t t0 = clock_now_ns();
	pthread_create(&th, NULL, wait_for_gil, &w);
	while (!gil_drop_requested(&g))
		sched_yield();
	int64_t waited = clock_now_ns() - t0;
	ck_assert_int_ge(waited, 20 * 1000 * 1000);
	ck_assert_int_eq(atomic_load(&w.got), 0);
	gil_release(&g);
	/* Hand-over is direct: the waiter holds it when release returns. */
	ck_assert_uint_eq(gil_switches(&g), 2);
	pthread_join(th, NULL);
	ck_assert_int_eq(atomic_load(&w.got), 1);
	ck_assert_int_eq(gil_drop_requested(&g), 0);
	gil_destroy(&g);
}
END_TEST

struct queued {
	struct gil *g;
	int id;
	int *order;
	atomic_int *n;
};

static void *take_in_turn(void *p)
{
	struct queued *q = p;

	gil_acquire(q->g);
	q->order[atomic_fetch_add(q->n, 1)] = q->id;
	gil_release(q->g);
	return NULL;
}

/* Waits (bounded) until `count` threads stand in line for the GIL. */
static void wait_in_line(struct gil *g, int count)
{
	for (int tries = 0; tries < 20000; tries++) {
		int n = 0;
		pthread_mutex_lock(&g->mu);
		for (struct gil_waiter *w = g->head; w; w = gil_waiter_next(w))
			n++;
		pthread_mutex_unlock(&g->mu);
		if (n >= count)
			return;
		sched_yield();
	}
	ck_abort_msg("threads never queued for the GIL");
}

/* Waiters get the GIL in the order they asked for it. */
START_TEST(test_fifo_hand_over)
{
	struct gil g;
	pthread_t th[4];
	struct queued q[4];
	int order[4];
	atomic_int n = 0;

	ck_assert_int_eq(gil_init(&g, 50 * 1000 * 1000), 0);
	ck_assert_int_eq(gil_try_acquire(&g), 1);
	for (int i = 0; i < 4; i++) {
		q[i] = (struct queued){
			.g = &g, .id = i, .order = order, .n = &n
		};
		pthread_create(&th[i], NULL, take_in_turn, &q[i]);
		wait_in_line(&g, i + 1);
	}
	/* Nobody may jump the queue, not even a newcomer trying its luck. */
	ck_assert_int_eq(gil_try_acquire(&g), 0);
	gil_release(&g);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(order[i], i);
	ck_assert_uint_eq(gil_switches(&g), 5);
	ck_assert_int_eq(gil_try_acquire(&g), 1);
	gil_release(&g);
	gil_destroy(&g);
}
END_TEST

/* CPU time of the calling thread, in ns. */
static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What waiting CPython threads spend: each does a timed wait of one
 * switch interval on the GIL's condition, all of them on the same
 * condition and the same mutex, over and over (take_gil's loop while the
 * holder does not let go). Waking together, they queue for that mutex as
 * the GIL's waiters queue for g->mu, so the reference pays the same
 * contention the waiters it is compared with pay. */
struct cpython_gil {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t interval_ns;
	atomic_int stop;
};

struct cpython_waiter {
	struct cpython_gil *gil;
	int64_t cpu_ns;
	long wakeups;
};

static void *wait_like_cpython(void *p)
{
	struct cpython_waiter *c = p;
	struct cpython_gil *gil = c->gil;
	int64_t cpu0 = thread_cpu_ns();

	pthread_mutex_lock(&gil->mu);
	while (!atomic_load(&gil->stop)) {
		struct timespec dl = clock_deadline(gil->interval_ns);
		if (pthread_cond_timedwait(&gil->cv, &gil->mu, &dl) ==
		    ETIMEDOUT)
			c->wakeups++;
	}
	pthread_mutex_unlock(&gil->mu);
	c->cpu_ns = thread_cpu_ns() - cpu0;
	return NULL;
}

static void cpython_gil_init(struct cpython_gil *gil, int64_t interval_ns)
{
	pthread_condattr_t ca;

	ck_assert_int_eq(pthread_mutex_init(&gil->mu, NULL), 0);
	ck_assert_int_eq(pthread_condattr_init(&ca), 0);
	ck_assert_int_eq(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
	ck_assert_int_eq(pthread_cond_init(&gil->cv, &ca), 0);
	pthread_condattr_destroy(&ca);
	gil->interval_ns = interval_ns;
	atomic_init(&gil->stop, 0);
}

struct gil_waiter_cost {
	struct gil *g;
	int64_t cpu_ns, wall_ns; /* spent in gil_acquire */
};

static void *wait_for_gil_costed(void *p)
{
	struct gil_waiter_cost *w = p;
	int64_t cpu0 = thread_cpu_ns(), t0 = clock_now_ns();

	gil_acquire(w->g);
	w->cpu_ns = thread_cpu_ns() - cpu0;
	w->wall_ns = clock_now_ns() - t0;
	gil_release(w->g);
	return NULL;
}

/* A GIL waiter may spend 3 times what a CPython waiter spends per
 * interval it waited, plus ten CPython wake-ups and a tenth of an
 * interval for the one-off costs (joining the line, the one spin after
 * raising the request, the hand-over). Returns its cost over that budget:
 * at most 1 passes. */
static double over_budget(const struct gil_waiter_cost *w, double per_wakeup,
			  int64_t interval)
{
	double intervals = (double)w->wall_ns / (double)interval;
	double budget = 3.0 * per_wakeup * intervals + 10.0 * per_wakeup +
			(double)interval / 10.0;

	return (double)w->cpu_ns / budget;
}

/* What one attempt measured: the costliest GIL waiter against its budget,
 * and the figures to show if no attempt stays within it. */
struct cost_attempt {
	double worst;
	double intervals, cpu_us, per_wakeup_us;
};

enum { COST_WAITERS = 3, COST_INTERVALS = 100, COST_ATTEMPTS = 3 };

/* Three threads wait for a GIL whose holder never answers, and beside
 * them three threads wait the way CPython's waiters do; a, what the
 * costliest GIL waiter spent against its budget. */
static void measure_waiting(struct cost_attempt *a)
{
	const int64_t interval = 2 * 1000 * 1000;
	struct gil g;
	struct cpython_gil ref_gil;
	struct cpython_waiter ref[COST_WAITERS];
	struct gil_waiter_cost w[COST_WAITERS];
	pthread_t ref_th[COST_WAITERS], th[COST_WAITERS];
	struct timespec hold = { .tv_sec = 0,
				 .tv_nsec = COST_INTERVALS * interval };

	cpython_gil_init(&ref_gil, interval);
	ck_assert_int_eq(gil_init(&g, interval), 0);
	ck_assert_int_eq(gil_try_acquire(&g), 1);
	for (int i = 0; i < COST_WAITERS; i++) {
		ref[i] = (struct cpython_waiter){ .gil = &ref_gil };
		pthread_create(&ref_th[i], NULL, wait_like_cpython, &ref[i]);
		w[i] = (struct gil_waiter_cost){ .g = &g };
		pthread_create(&th[i], NULL, wait_for_gil_costed, &w[i]);
	}
	while (nanosleep(&hold, &hold) != 0 && errno == EINTR)
		continue;
	ck_assert_int_eq(gil_drop_requested(&g), 1);
	atomic_store(&ref_gil.stop, 1);
	int64_t ref_cpu = 0;
	long ref_wakeups = 0;
	for (int i = 0; i < COST_WAITERS; i++) {
		pthread_join(ref_th[i], NULL);
		ref_cpu += ref[i].cpu_ns;
		ref_wakeups += ref[i].wakeups;
	}
	gil_release(&g);
	for (int i = 0; i < COST_WAITERS; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_gt(ref_wakeups, 0);
	double per_wakeup = (double)ref_cpu / (double)ref_wakeups;
	a->worst = 0;
	for (int i = 0; i < COST_WAITERS; i++) {
		double over = over_budget(&w[i], per_wakeup, interval);
		if (over <= a->worst)
			continue;
		a->worst = over;
		a->intervals = (double)w[i].wall_ns / (double)interval;
		a->cpu_us = (double)w[i].cpu_ns / 1e3;
		a->per_wakeup_us = per_wakeup / 1e3;
	}
	pthread_cond_destroy(&ref_gil.cv);
	pthread_mutex_destroy(&ref_gil.mu);
	gil_destroy(&g);
}

/* Waiting costs what CPython's waiting costs: one wake-up per switch
 * interval, nothing more. The holder never answers (a long C call in
 * CPython); each GIL waiter's CPU time is compared with the CPython
 * waiters' cost per wake-up, measured at the same moment, as a ratio
 * (valgrind or a loaded machine slow both alike; measured here: 0.8 to
 * 1.4 times). A waiter that spins or polls at every interval spends far
 * more: the code before this test, whose first waiter spun 200 us after
 * each interval, spent about 8 times (19.5 ms against 2.5 ms): 2.6 to
 * 3.2 times its budget, in every attempt. When other programs keep every
 * core busy, that spin yields the CPU away and costs little, so the test
 * may pass it then.
 *
 * The reference once was a single thread on a mutex of its own: it paid
 * no contention while the GIL's three waiters did, and on a CI machine
 * the waiters then cost 3.4 times as much. It now waits as CPython's
 * waiters do, three on one mutex, and the best of three attempts is
 * judged: a neighbour's burst can spoil one attempt, while a waiter that
 * really spins spoils every one. */
START_TEST(test_waiting_costs_one_wakeup_per_interval)
{
	struct cost_attempt best = { .worst = 1e9 };

	for (int i = 0; i < COST_ATTEMPTS && best.worst > 1.0; i++) {
		struct cost_attempt a;
		measure_waiting(&a);
		if (a.worst < best.worst)
			best = a;
	}
	ck_assert_msg(best.worst <= 1.0,
		      "waiting %.0f intervals for the GIL cost %.0f us of CPU "
		      "(%.1f times the budget, best of %d attempts); a CPython "
		      "waiter's wake-up costs %.1f us",
		      best.intervals, best.cpu_us, best.worst, COST_ATTEMPTS,
		      best.per_wakeup_us);
}
END_TEST

Suite *suite_gil(void)
{
	Suite *s = suite_create("gil");
	TCase *tc = tcase_create("gil");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_try_and_release);
	tcase_add_test(tc, test_exclusion_and_switching);
	tcase_add_test(tc, test_drop_request_after_interval);
	tcase_add_test(tc, test_fifo_hand_over);
	tcase_add_test(tc, test_waiting_costs_one_wakeup_per_interval);
	suite_add_tcase(s, tc);
	return s;
}
