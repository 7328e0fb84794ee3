/* check_shared.c - shared values with versions: loads and stores, a lost
 * update found exactly and marked on both lanes, real threads racing on
 * `x = x + 1` (every lost increment accounted for), atomic adds that
 * never lose one. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "core/evring.h"
#include "rt/job.h"
#include "rt/rt.h"
#include "rt/shared.h"

static struct job *job_new(int n, const int64_t *initial, struct evring *ring)
{
	struct job *j = calloc(1, sizeof *j);
	char err[128];

	ck_assert_ptr_nonnull(j);
	j->ring = ring;
	ck_assert_int_eq(job_init(j, err, sizeof err), 0);
	ck_assert_int_eq(rt_vars_init(j->vars, n, initial), 0);
	return j;
}

static void job_gone(struct job *j)
{
	job_destroy(j);
	free(j);
}

/* The markers of `kind` on lane L in what the ring holds: how many, and
 * the arg of the last. */
static size_t markers(const struct ev *ev, size_t n, unsigned lane,
		      enum ev_kind kind, int64_t *arg)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (ev[i].lane == lane && ev[i].kind == kind) {
			k++;
			*arg = ev[i].arg;
		}
	return k;
}

START_TEST(test_init_bounds)
{
	struct rt_vars *v = calloc(1, sizeof *v);
	int64_t big[2] = { 1, (int64_t)RT_VAR_MAX + 1 };

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(rt_vars_init(v, RT_VARS_MAX + 1, NULL), -1);
	ck_assert_int_eq(rt_vars_init(v, -1, NULL), -1);
	ck_assert_int_eq(rt_vars_init(v, 2, big), -1);
	big[1] = RT_VAR_MIN;
	ck_assert_int_eq(rt_vars_init(v, 2, big), 0);
	ck_assert_int_eq(rt_vars_get(v, 1), RT_VAR_MIN);
	ck_assert_int_eq(rt_vars_get(v, 2), 0); /* not set up */
	ck_assert_int_eq(rt_vars_sum(v), 1 + (int64_t)RT_VAR_MIN);
	free(v);
}
END_TEST

/* Task 3 (lane 0) and task 7 (lane 1) both load bank 2 (1000); 7
 * deposits 42 and stores first; 3 withdraws 30 and stores over it: 42
 * lost, on both lanes, and the sum tells the same. */
START_TEST(test_lost_update_on_both_lanes)
{
	static const int64_t banks[5] = { 1000, 1000, 1000, 1000, 1000 };
	struct evring *ring = evring_new(256);
	struct job *j = job_new(5, banks, ring);
	struct rt a, b;
	struct rt_seen sa, sb;
	struct ev ev[256];
	int64_t arg = 0;
	size_t n;

	job_rt_init(j, &a, 0);
	job_rt_init(j, &b, 1);
	a.task = 3;
	b.task = 7;
	ck_assert_int_eq(rt_load(&a, 2, &sa), 1000);
	ck_assert_int_eq(rt_load(&b, 2, &sb), 1000);
	ck_assert_uint_eq(sa.version, sb.version);
	ck_assert_int_eq(rt_store(&b, 2, sb.value + 42, &sb), 0);
	ck_assert_int_eq(rt_store(&a, 2, sa.value - 30, &sa), 42);
	ck_assert_int_eq(rt_vars_get(j->vars, 2), 970);
	ck_assert_uint_eq(atomic_load(&j->vars->lost_updates), 1);
	ck_assert_int_eq(atomic_load(&j->vars->lost_amount), 42);
	/* Deposits of +42 and -30 should give 5012; 42 went missing. */
	ck_assert_int_eq(rt_vars_sum(j->vars), 5000 + 42 - 30 - 42);
	n = evring_drain(ring, ev, 256);
	ck_assert_uint_eq(markers(ev, n, 0, EV_READ, &arg), 1);
	ck_assert_int_eq(ev_access_value(arg), 1000);
	ck_assert_uint_eq(ev_access_var(arg), 2);
	ck_assert_uint_eq(ev_access_version(arg), sa.version);
	ck_assert_uint_eq(markers(ev, n, 1, EV_WRITE, &arg), 1);
	ck_assert_int_eq(ev_access_value(arg), 1042);
	ck_assert_uint_eq(ev_access_version(arg), sa.version + 1);
	ck_assert(ev_newer(ev_access_version(arg), sa.version));
	ck_assert(!ev_newer(sa.version, ev_access_version(arg)));
	/* Task 3 overwrote task 7's deposit to bank 2: 42 lost. */
	ck_assert_uint_eq(markers(ev, n, 0, EV_LOST_UPDATE, &arg), 1);
	ck_assert_int_eq(ev_access_value(arg), 42);
	ck_assert_uint_eq(ev_access_var(arg), 2);
	ck_assert_uint_eq(ev_lost_other(arg), 7);
	ck_assert_int_eq(ev_lost_victim(arg), 0);
	ck_assert_uint_eq(markers(ev, n, 1, EV_LOST_UPDATE, &arg), 1);
	ck_assert_int_eq(ev_access_value(arg), 42);
	ck_assert_uint_eq(ev_lost_other(arg), 3);
	ck_assert_int_eq(ev_lost_victim(arg), 1);
	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == EV_LOST_UPDATE && ev[i].lane == 1)
			ck_assert_uint_eq(ev[i].task, 7);
	/* A load after the store sees it: no loss. */
	ck_assert_int_eq(rt_load(&b, 2, &sb), 970);
	ck_assert_int_eq(rt_store(&b, 2, 971, &sb), 0);
	ck_assert_int_eq(rt_add(&a, 2, -1), 970);
	ck_assert_uint_eq(atomic_load(&j->vars->lost_updates), 1);
	job_gone(j);
	evring_free(ring);
}
END_TEST

#define RACERS 2
#define INCREMENTS 200000

struct racer {
	struct job *job;
	struct rt rt;
	int atomic;
	pthread_barrier_t *start;
};

/* x = x + 1, INCREMENTS times: a load and a store (or one atomic add). */
static void *race(void *p)
{
	struct racer *r = p;
	struct rt_seen seen;

	pthread_barrier_wait(r->start);
	for (int i = 0; i < INCREMENTS; i++) {
		if (r->atomic) {
			rt_add(&r->rt, 0, 1);
			continue;
		}
		rt_load(&r->rt, 0, &seen);
		rt_store(&r->rt, 0, seen.value + 1, &seen);
	}
	return NULL;
}

/* Two real threads, no GIL, untraced. Unsafe: increments are lost, and
 * the count of what was lost is exact (final + lost = expected). Atomic:
 * none is. */
START_TEST(test_threads_race)
{
	for (int atomic = 0; atomic <= 1; atomic++) {
		struct job *j = job_new(1, NULL, NULL);
		struct racer r[RACERS];
		pthread_t t[RACERS];
		pthread_barrier_t start;
		int64_t final, lost;

		pthread_barrier_init(&start, NULL, RACERS);
		for (int i = 0; i < RACERS; i++) {
			r[i] = (struct racer){ .job = j,
					       .atomic = atomic,
					       .start = &start };
			job_rt_init(j, &r[i].rt, i);
			r[i].rt.task = (uint32_t)i;
			ck_assert_int_eq(
				pthread_create(&t[i], NULL, race, &r[i]), 0);
		}
		for (int i = 0; i < RACERS; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&start);
		final = rt_vars_get(j->vars, 0);
		lost = atomic_load(&j->vars->lost_amount);
		ck_assert_int_eq(final + lost, (int64_t)RACERS * INCREMENTS);
		/* (An amount can even be negative: a store over one that
		 * had itself lost this task's update puts some back.) */
		if (atomic) {
			ck_assert_int_eq(lost, 0);
			ck_assert_uint_eq(atomic_load(&j->vars->lost_updates),
					  0);
		}
		job_gone(j);
	}
}
END_TEST

/* Three plain locks, for test_lock_out_of_range. */
static int three_locks(const struct scenario *sc, uint8_t *reentrant)
{
	(void)sc;
	reentrant[0] = reentrant[1] = reentrant[2] = 0;
	return 3;
}

/* A program lock its scenario does not have is a broken workload: the
 * program ends saying so (headless: msg_fatal aborts), rather than
 * quietly handing out another lock. */
START_TEST(test_lock_out_of_range)
{
	static const struct scenario sc = { .name = "three" };
	static const struct work_input in = { .sc = &sc };
	static const struct work_ops w = { .name = "three",
					   .locks = three_locks };
	struct job *j = calloc(1, sizeof *j);
	struct rt rt;
	char err[128];

	ck_assert_ptr_nonnull(j);
	j->work = &w;
	j->in = &in;
	ck_assert_int_eq(job_init(j, err, sizeof err), 0);
	ck_assert_int_eq(j->locks.n, 3);
	job_rt_init(j, &rt, 0);
	rt.task = 0;
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr)); /* quiet */
	ck_assert_int_eq(rt_lock(&rt, 2), 0); /* the last one exists */
	rt_unlock(&rt, 2);
	(void)rt_lock(&rt, 3);
	ck_abort_msg("lock 3 was handed out");
}
END_TEST

Suite *suite_shared(void)
{
	Suite *s = suite_create("shared");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_init_bounds);
	tcase_add_test(tc, test_lost_update_on_both_lanes);
	tcase_add_test(tc, test_threads_race);
	tcase_add_test_raise_signal(tc, test_lock_out_of_range, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
