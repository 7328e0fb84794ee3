/* check_locks.c - the program's locks and their wait-for graph: takes,
 * waits and gives; reentrant and plain locks taken again; cycles of one,
 * two and five tasks found exactly when they close (and none where a
 * chain of waits ends in a task that runs); what the report says; real
 * threads deadlocking on the blocking runtime, stopped rather than hung. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "rt/job.h"
#include "rt/locks.h"
#include "rt/rt.h"

struct table {
	struct rt_locks t;
	struct rt_lock_report rep;
	atomic_int cancel;
};

static struct table *table_new(int n, const uint8_t *reentrant)
{
	struct table *tb = calloc(1, sizeof *tb);

	ck_assert_ptr_nonnull(tb);
	ck_assert_int_eq(
		rt_locks_init(&tb->t, n, reentrant, &tb->rep, &tb->cancel), 0);
	return tb;
}

static void table_free(struct table *tb)
{
	rt_locks_destroy(&tb->t);
	free(tb);
}

/* Calls with the table's mutex held, as the models make them. */
static enum rt_take take(struct table *tb, uint32_t task, int id, int64_t now)
{
	enum rt_take r;

	rt_locks_enter(&tb->t);
	r = rt_locks_take(&tb->t, task, (uint16_t)(task % 7), id, now);
	rt_locks_leave(&tb->t);
	return r;
}

static enum rt_take retry(struct table *tb, uint32_t task, int id, int64_t now)
{
	enum rt_take r;

	rt_locks_enter(&tb->t);
	r = rt_locks_retry(&tb->t, task, id, now);
	rt_locks_leave(&tb->t);
	return r;
}

static int give(struct table *tb, uint32_t task, int id, int64_t now)
{
	int wake;

	rt_locks_enter(&tb->t);
	wake = rt_locks_give(&tb->t, task, id, now);
	rt_locks_leave(&tb->t);
	return wake;
}

START_TEST(test_init_bounds)
{
	struct rt_locks t = { 0 };
	struct rt_lock_report rep = { 0 };

	ck_assert_int_eq(rt_locks_init(&t, -1, NULL, &rep, NULL), -1);
	ck_assert_int_eq(rt_locks_init(&t, RT_LOCKS_MAX + 1, NULL, &rep, NULL),
			 -1);
	ck_assert_int_eq(rt_locks_init(&t, RT_LOCKS_MAX, NULL, &rep, NULL), 0);
	rt_locks_destroy(&t);
	rt_locks_destroy(&t); /* twice is fine */
}
END_TEST

/* One holder at a time; a waiter gets the lock when it is let go, and
 * the wait and hold times are counted. */
START_TEST(test_take_wait_give)
{
	struct table *tb = table_new(2, NULL);

	ck_assert_int_eq(take(tb, 1, 0, 100), RT_TAKEN);
	ck_assert_int_eq(take(tb, 2, 1, 100), RT_TAKEN); /* another lock */
	ck_assert_int_eq(take(tb, 3, 0, 150), RT_BUSY);
	ck_assert_int_eq(retry(tb, 3, 0, 160), RT_BUSY);
	/* A newcomer does not jump the line of a free lock. */
	ck_assert_int_eq(give(tb, 1, 0, 200), 1); /* task 3 waits */
	ck_assert_int_eq(take(tb, 4, 0, 210), RT_BUSY);
	ck_assert_int_eq(retry(tb, 3, 0, 220), RT_TAKEN);
	ck_assert_int_eq(give(tb, 3, 0, 300), 1); /* task 4 waits */
	ck_assert_int_eq(retry(tb, 4, 0, 300), RT_TAKEN);
	ck_assert_int_eq(give(tb, 4, 0, 310), 0);
	ck_assert_int_eq(give(tb, 2, 1, 400), 0);
	/* Waits: task 3 from 150 to 220, task 4 from 210 to 300. Holds:
	 * 100..200, 220..300, 300..310 of lock 0, 100..400 of lock 1. */
	ck_assert_int_eq(atomic_load(&tb->rep.wait_ns), 70 + 90);
	ck_assert_int_eq(atomic_load(&tb->rep.hold_ns), 100 + 80 + 10 + 300);
	ck_assert_uint_eq(atomic_load(&tb->rep.waits), 2);
	ck_assert_int_eq(atomic_load(&tb->rep.deadlock), 0);
	ck_assert_int_eq(atomic_load(&tb->cancel), 0);
	table_free(tb);
}
END_TEST

/* A reentrant lock counts its holder's takes; a plain one taken again by
 * its holder is a cycle of one task. */
START_TEST(test_reentrant_and_plain)
{
	const uint8_t kinds[2] = { 1, 0 };
	struct table *tb = table_new(2, kinds);
	char text[256];

	ck_assert_int_eq(take(tb, 5, 0, 0), RT_TAKEN);
	ck_assert_int_eq(take(tb, 5, 0, 0), RT_TAKEN);
	ck_assert_int_eq(take(tb, 6, 0, 0), RT_BUSY);
	ck_assert_int_eq(give(tb, 5, 0, 0), 0); /* still held once */
	ck_assert_int_eq(retry(tb, 6, 0, 0), RT_BUSY);
	ck_assert_int_eq(give(tb, 5, 0, 0), 1);
	ck_assert_int_eq(retry(tb, 6, 0, 0), RT_TAKEN);
	ck_assert_int_eq(give(tb, 6, 0, 0), 0);
	ck_assert_int_eq(atomic_load(&tb->rep.deadlock), 0);

	ck_assert_int_eq(take(tb, 7, 1, 0), RT_TAKEN);
	ck_assert_int_eq(take(tb, 7, 1, 0), RT_CYCLE);
	ck_assert_int_eq(atomic_load(&tb->rep.deadlock), 1);
	ck_assert_int_eq(atomic_load(&tb->cancel), 1);
	ck_assert_int_eq(atomic_load(&tb->rep.ncycle), 1);
	rt_cycle_format(&tb->rep, text, sizeof text);
	ck_assert_str_eq(text, "task 7 holds L1 and waits for it again");
	table_free(tb);
}
END_TEST

/* Two tasks, two locks, opposite orders: the second wait closes the
 * cycle, at once; from then on nobody gets a lock. */
START_TEST(test_cycle_of_two)
{
	struct table *tb = table_new(2, NULL);
	char text[256];

	ck_assert_int_eq(take(tb, 0, 0, 0), RT_TAKEN);
	ck_assert_int_eq(take(tb, 1, 1, 0), RT_TAKEN);
	ck_assert_int_eq(take(tb, 0, 1, 10), RT_BUSY);
	ck_assert_int_eq(atomic_load(&tb->rep.deadlock), 0);
	ck_assert_int_eq(take(tb, 1, 0, 20), RT_CYCLE);
	ck_assert_int_eq(atomic_load(&tb->rep.deadlock), 1);
	ck_assert_int_eq(atomic_load(&tb->cancel), 1);
	ck_assert_int_eq(atomic_load(&tb->rep.ncycle), 2);
	ck_assert_uint_eq(tb->rep.cycle[0].task, 1);
	ck_assert_uint_eq(tb->rep.cycle[0].lane, 1);
	ck_assert_uint_eq(tb->rep.cycle[0].holds, 1);
	ck_assert_uint_eq(tb->rep.cycle[0].wants, 0);
	ck_assert_uint_eq(tb->rep.cycle[1].task, 0);
	ck_assert_uint_eq(tb->rep.cycle[1].holds, 0);
	ck_assert_uint_eq(tb->rep.cycle[1].wants, 1);
	rt_cycle_format(&tb->rep, text, sizeof text);
	ck_assert_str_eq(text, "task 1 holds L1 and waits for L0; "
			       "task 0 holds L0 and waits for L1");
	/* The waiter gives up; so does anyone who asks later, even for a
	 * lock nobody holds. */
	ck_assert_int_eq(retry(tb, 0, 1, 30), RT_DEADLOCK);
	rt_locks_enter(&tb->t);
	ck_assert_int_eq(rt_locks_drop_task(&tb->t, 0, 40), 0);
	ck_assert_int_eq(rt_locks_drop_task(&tb->t, 1, 40), 0);
	rt_locks_leave(&tb->t);
	ck_assert_int_eq(take(tb, 2, 0, 50), RT_DEADLOCK);
	ck_assert_int_eq(atomic_load(&tb->rep.wait_ns), 20); /* 10..30 */
	table_free(tb);
}
END_TEST

/* Five philosophers, each holding its left fork: the fifth to reach for
 * its right one closes a cycle of five. Before that, four waits in a
 * chain that ends in a task not waiting are no deadlock. */
START_TEST(test_cycle_of_five)
{
	struct table *tb = table_new(5, NULL);
	char text[512];

	for (uint32_t p = 0; p < 5; p++)
		ck_assert_int_eq(take(tb, p, (int)p, 0), RT_TAKEN);
	for (uint32_t p = 0; p < 4; p++)
		ck_assert_int_eq(take(tb, p, (int)(p + 1), 1), RT_BUSY);
	ck_assert_int_eq(atomic_load(&tb->rep.deadlock), 0);
	ck_assert_int_eq(take(tb, 4, 0, 2), RT_CYCLE);
	ck_assert_int_eq(atomic_load(&tb->rep.ncycle), 5);
	rt_cycle_format(&tb->rep, text, sizeof text);
	ck_assert_str_eq(text, "task 4 holds L4 and waits for L0; "
			       "task 0 holds L0 and waits for L1; "
			       "task 1 holds L1 and waits for L2; "
			       "task 2 holds L2 and waits for L3; "
			       "task 3 holds L3 and waits for L4");
	table_free(tb);
}
END_TEST

/* A task that ends holding locks lets them go, and says whether anyone
 * waits for one. */
START_TEST(test_drop_task)
{
	struct table *tb = table_new(3, NULL);

	ck_assert_int_eq(take(tb, 1, 0, 0), RT_TAKEN);
	ck_assert_int_eq(take(tb, 1, 2, 0), RT_TAKEN);
	ck_assert_int_eq(take(tb, 2, 2, 0), RT_BUSY);
	rt_locks_enter(&tb->t);
	ck_assert_int_eq(rt_locks_drop_task(&tb->t, 1, 10), 1);
	rt_locks_leave(&tb->t);
	ck_assert_int_eq(retry(tb, 2, 2, 10), RT_TAKEN);
	ck_assert_int_eq(take(tb, 3, 0, 10), RT_TAKEN);
	ck_assert_int_eq(atomic_load(&tb->rep.hold_ns), 20);
	table_free(tb);
}
END_TEST

/* Worker processes' figures are added; the first deadlock is kept. */
START_TEST(test_report_add)
{
	struct rt_lock_report to = { 0 }, from = { 0 };

	atomic_store(&to.wait_ns, 5);
	atomic_store(&from.wait_ns, 7);
	atomic_store(&from.hold_ns, 11);
	atomic_store(&from.waits, 2);
	rt_lock_report_add(&to, &from);
	ck_assert_int_eq(atomic_load(&to.wait_ns), 12);
	ck_assert_int_eq(atomic_load(&to.hold_ns), 11);
	ck_assert_uint_eq(atomic_load(&to.waits), 2);
	ck_assert_int_eq(atomic_load(&to.deadlock), 0);
	from.cycle[0] =
		(struct rt_cycle_step){ .task = 9, .holds = 3, .wants = 3 };
	atomic_store(&from.ncycle, 1);
	atomic_store(&from.deadlock, 1);
	rt_lock_report_add(&to, &from);
	ck_assert_int_eq(atomic_load(&to.deadlock), 1);
	ck_assert_int_eq(atomic_load(&to.ncycle), 1);
	ck_assert_uint_eq(to.cycle[0].task, 9);
}
END_TEST

/* Letting go a lock one does not hold is a broken workload: the program
 * ends saying so. */
START_TEST(test_give_unheld)
{
	struct table *tb = table_new(1, NULL);

	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr)); /* quiet */
	ck_assert_int_eq(take(tb, 1, 0, 0), RT_TAKEN);
	give(tb, 2, 0, 0);
	ck_abort_msg("task 2 let go task 1's lock");
}
END_TEST

/* ---- real threads on the blocking runtime ---------------------------- */

static int two_locks(const struct scenario *sc, uint8_t *reentrant)
{
	(void)sc;
	reentrant[0] = reentrant[1] = 0;
	return 2;
}

static const struct scenario two_sc = { .name = "two" };
static const struct work_input two_in = { .sc = &two_sc };
static const struct work_ops two_work = { .name = "two", .locks = two_locks };

struct opposite {
	struct job *j;
	int lane;
	int got; /* rt_lock's answer for the second lock */
	pthread_barrier_t *both;
};

/* Takes lock `lane`, waits until the other thread holds its own, then
 * asks for the other's: a real deadlock of two threads. */
static void *opposite_main(void *arg)
{
	struct opposite *o = arg;
	struct rt rt;

	job_rt_init(o->j, &rt, o->lane);
	rt.task = (uint32_t)o->lane;
	ck_assert_int_eq(rt_lock(&rt, o->lane), 0);
	pthread_barrier_wait(o->both);
	o->got = rt_lock(&rt, 1 - o->lane);
	if (o->got == 0)
		rt_unlock(&rt, 1 - o->lane);
	rt_unlock(&rt, o->lane);
	return NULL;
}

/* Both threads come back (-1 for both: the one that closed the cycle at
 * once, the waiter when woken), the cycle is recorded, the job
 * cancelled. Twenty times. */
START_TEST(test_threads_deadlock_found)
{
	for (int round = 0; round < 20; round++) {
		struct job j = { .work = &two_work, .in = &two_in };
		struct opposite o[2];
		pthread_t th[2];
		pthread_barrier_t both;
		char err[128];

		ck_assert_int_eq(job_init(&j, err, sizeof err), 0);
		pthread_barrier_init(&both, NULL, 2);
		for (int i = 0; i < 2; i++) {
			o[i] = (struct opposite){ .j = &j,
						  .lane = i,
						  .both = &both };
			ck_assert_int_eq(pthread_create(&th[i], NULL,
							opposite_main, &o[i]),
					 0);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		ck_assert_int_eq(o[0].got, -1);
		ck_assert_int_eq(o[1].got, -1);
		ck_assert_int_eq(atomic_load(&j.lockrep.deadlock), 1);
		ck_assert_int_eq(atomic_load(&j.lockrep.ncycle), 2);
		ck_assert_int_eq(atomic_load(&j.cancel), 1);
		pthread_barrier_destroy(&both);
		job_destroy(&j);
	}
}
END_TEST

Suite *suite_locks(void)
{
	Suite *s = suite_create("locks");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_init_bounds);
	tcase_add_test(tc, test_take_wait_give);
	tcase_add_test(tc, test_reentrant_and_plain);
	tcase_add_test(tc, test_cycle_of_two);
	tcase_add_test(tc, test_cycle_of_five);
	tcase_add_test(tc, test_drop_task);
	tcase_add_test(tc, test_report_add);
	tcase_add_test_raise_signal(tc, test_give_unheld, SIGABRT);
	tcase_add_test(tc, test_threads_deadlock_found);
	suite_add_tcase(s, tc);
	return s;
}
