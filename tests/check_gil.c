/* check_gil.c - the simulated GIL: exclusion, drop requests, hand-over. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

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

Suite *suite_gil(void)
{
	Suite *s = suite_create("gil");
	TCase *tc = tcase_create("gil");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_try_and_release);
	tcase_add_test(tc, test_exclusion_and_switching);
	tcase_add_test(tc, test_drop_request_after_interval);
	tcase_add_test(tc, test_fifo_hand_over);
	suite_add_tcase(s, tc);
	return s;
}
