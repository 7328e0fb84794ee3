/* check_work.c - every workload computes the seeds' answers for real. */
#include "config.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "app/scenario.h"
#include "core/clock.h"
#include "rt/gil.h"
#include "rt/rt.h"
#include "work/work.h"

/* A worker with no ring and no GIL: the workload alone. */
static struct rt bare_rt(void)
{
	struct rt rt = { .ops = &rt_blocking_ops, .task = EV_NO_TASK };
	return rt;
}

static struct scenario make(const char *workload, long arg, long tasks)
{
	struct scenario sc;

	memset(&sc, 0, sizeof sc);
	snprintf(sc.name, sizeof sc.name, "t");
	snprintf(sc.workload, sizeof sc.workload, "%s", workload);
	sc.arg = arg;
	sc.tasks = tasks;
	sc.scale = 1;
	return sc;
}

static void run_task(const char *workload, const struct scenario *sc,
		     double scale, uint32_t task, struct task_result *res)
{
	struct rt rt = bare_rt();
	const struct work_ops *w = work_find(workload);

	ck_assert_ptr_nonnull(w);
	memset(res, 0, sizeof *res);
	struct work_input in = { .sc = sc, .scale = scale };

	ck_assert_int_eq(w->run(&rt, &in, task, res), 0);
}

/* The workload's independent answer for a task. */
static int expect_task(const char *workload, const struct scenario *sc,
		       double scale, uint32_t task, struct task_result *want)
{
	struct work_input in = { .sc = sc, .scale = scale };

	return work_find(workload)->expect(&in, task, want);
}

static void format(const char *workload, const struct task_result *res,
		   char *buf, size_t len)
{
	work_find(workload)->format(res, buf, len);
}

START_TEST(test_fib)
{
	struct scenario sc = make("fib", 35, 20);
	struct task_result res, want;
	char buf[64];

	run_task("fib", &sc, 1.0, 0, &res);
	ck_assert_int_eq(res.ivalue, 9227465);
	format("fib", &res, buf, sizeof buf);
	ck_assert_str_eq(buf, "9227465");
	ck_assert_int_eq(expect_task("fib", &sc, 1.0, 0, &want), 0);
	ck_assert_int_eq(want.ivalue, 9227465);
	/* A scale below 1 computes a smaller fib, and says which. */
	run_task("fib", &sc, 0.1, 3, &res);
	expect_task("fib", &sc, 0.1, 3, &want);
	ck_assert_int_eq(res.ivalue, want.ivalue);
	ck_assert_int_lt(res.ivalue, 9227465);
}
END_TEST

START_TEST(test_sumsq)
{
	struct scenario sc = make("sumsq", 5000000, 20);
	struct task_result res, want;
	char buf[64];

	run_task("sumsq", &sc, 1.0, 0, &res);
	format("sumsq", &res, buf, sizeof buf);
	/* sum(i*i for i in range(5_000_000)) in Python: beyond 64 bits. */
	ck_assert_str_eq(buf, "41666654166667500000");
	for (uint32_t t = 0; t < 20; t += 19) {
		run_task("sumsq", &sc, 1.0, t, &res);
		expect_task("sumsq", &sc, 1.0, t, &want);
		ck_assert_int_eq(res.ivalue, want.ivalue);
		ck_assert_int_eq(res.ihigh, want.ihigh);
	}
}
END_TEST

START_TEST(test_primes)
{
	struct scenario sc = make("primes", 1000, 15000);
	struct task_result res, want;
	static const struct {
		uint32_t task;
		long count;
	} known[] = { { 0, 168 }, { 7500, 1059 }, { 14999, 1862 } };

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		run_task("primes", &sc, 1.0, known[i].task, &res);
		ck_assert_int_eq(res.ivalue, known[i].count);
		expect_task("primes", &sc, 1.0, known[i].task, &want);
		ck_assert_int_eq(want.ivalue, known[i].count);
	}
	/* Repeating the sieve does not change the answer. */
	run_task("primes", &sc, 3.0, 0, &res);
	ck_assert_int_eq(res.ivalue, 168);
}
END_TEST

START_TEST(test_math)
{
	struct scenario sc = make("math", 2000000, 20);
	struct task_result res, want;
	char buf[64];

	/* The seed's loop; results 2000001.0 ... 2000020.0 */
	run_task("math", &sc, 1.0, 0, &res);
	format("math", &res, buf, sizeof buf);
	ck_assert_str_eq(buf, "2000001.0");
	run_task("math", &sc, 1.0, 19, &res);
	ck_assert_double_eq(res.dvalue, 2000020.0);
	expect_task("math", &sc, 1.0, 19, &want);
	ck_assert_double_eq(want.dvalue, 2000020.0);
	run_task("math", &sc, 0.01, 4, &res);
	ck_assert_double_eq(res.dvalue, 5.0 + 20000.0);
}
END_TEST

START_TEST(test_table)
{
	const char *const *names = work_names();
	int n = 0;

	for (; names[n]; n++) {
		const struct work_ops *w = work_find(names[n]);
		ck_assert_ptr_nonnull(w);
		ck_assert_str_eq(w->name, names[n]);
		ck_assert_int_le(w->arg_min, w->arg_max);
		/* I/O workloads GET, CPU ones compute: one or the other. */
		ck_assert_int_eq(w->io,
				 strcmp(w->name, "http") == 0 ||
					 strcmp(w->name, "pokemon") == 0);
	}
	ck_assert_int_eq(n, 16);
	ck_assert_ptr_null(work_find("bogosort"));
	/* The race workloads share values, and say what they must sum to;
	 * the workloads that take locks say how many. */
	for (int i = 0; i < n; i++) {
		const struct work_ops *w = work_find(names[i]);
		int counter = strncmp(w->name, "counter", 7) == 0;
		int bank = strncmp(w->name, "bank", 4) == 0;
		ck_assert_int_eq(w->shared != NULL, counter || bank);
		ck_assert_int_eq(w->shared != NULL, w->expected_sum != NULL);
		ck_assert_int_eq(w->locks != NULL,
				 strstr(w->name, "lock") != NULL ||
					 strncmp(w->name, "philo", 5) == 0);
	}
}
END_TEST

/* What work_title says for `workload` (arg, tasks) at `scale`. */
static void title_eq(const char *workload, long arg, long tasks, double scale,
		     const char *want)
{
	struct scenario sc = make(workload, arg, tasks);
	char buf[WORK_TITLE_MAX];

	work_title(&sc, scale, buf, sizeof buf);
	ck_assert_str_eq(buf, want);
}

/* --- the GIL's switch interval: no workload holds it for long ----------- */

/* A GIL that always asks its holder to let go makes rt_tick call the
 * model's tick on every check: this one records the longest stretch of
 * the thread's own CPU time between two of them (CPU time, not wall time,
 * so a preemption on a busy machine does not count as a long stretch). */
static int64_t gap_last, gap_max;

static void gap_tick(struct rt *rt)
{
	int64_t now = clock_thread_cpu_ns();

	(void)rt;
	if (now - gap_last > gap_max)
		gap_max = now - gap_last;
	gap_last = now;
}

static int64_t longest_gap(const char *workload, long arg)
{
	static struct rt_ops ops;
	struct gil g;
	struct scenario sc = make(workload, arg, 1);
	struct task_result res;
	struct work_input in = { .sc = &sc, .scale = 1 };
	int64_t best = INT64_MAX;

	ops = rt_blocking_ops;
	ops.tick = gap_tick;
	ck_assert_int_eq(gil_init(&g, GIL_INTERVAL_NS), 0);
	atomic_store(&g.drop_request, 1);
	/* Best of three: a page fault storm or a migration on one try is
	 * not the workload's doing. */
	for (int i = 0; i < 3; i++) {
		struct rt rt = { .ops = &ops, .gil = &g, .task = 0 };
		gap_max = 0;
		gap_last = clock_thread_cpu_ns();
		ck_assert_int_eq(work_find(workload)->run(&rt, &in, 0, &res),
				 0);
		gap_tick(&rt);
		if (gap_max < best)
			best = gap_max;
	}
	gil_destroy(&g);
	return best;
}

/* sieve_count used to mark, clear and count up to n without a tick: at
 * n = 10,000,000 a task held the GIL for tens of ms, past CPython's 5 ms
 * switch interval. Every workload at its largest argument checks in at
 * least once a millisecond of CPU time. */
START_TEST(test_ticks_within_a_millisecond)
{
	int64_t gap;

	if (!check_timing_tests())
		return; /* sanitizers and valgrind stretch every gap */
	gap = longest_gap("primes", work_find("primes")->last_arg_max);
	ck_assert_msg(gap <= 1000000, "primes: %lld ns between ticks",
		      (long long)gap);
	gap = longest_gap("fib", 32);
	ck_assert_msg(gap <= 1000000, "fib: %lld ns", (long long)gap);
	gap = longest_gap("sumsq", 20000000);
	ck_assert_msg(gap <= 1000000, "sumsq: %lld ns", (long long)gap);
	gap = longest_gap("math", 200000);
	ck_assert_msg(gap <= 1000000, "math: %lld ns", (long long)gap);
}
END_TEST

START_TEST(test_title_fib)
{
	struct scenario sc = make("fib", 35, 20);
	struct task_result res;

	title_eq("fib", 35, 20, 1.0,
		 "fib(35) x20, naive recursion (CPU-bound)");
	title_eq("fib", 35, 20, 3.0,
		 "fib(35) x60 (3 per task), naive recursion (CPU-bound); "
		 "tutorial: fib(35) x20, scale 3");
	title_eq("fib", 35, 20, 0.1,
		 "fib(30) x20, naive recursion (CPU-bound); "
		 "tutorial: fib(35) x20, scale 0.1");
	/* What the title says is what the task computes: fib(30). */
	run_task("fib", &sc, 0.1, 0, &res);
	ck_assert_int_eq(res.ivalue, 832040);
	/* 1.4 rounds to one fib a task: the tutorial's work, and why. */
	title_eq("fib", 35, 20, 1.4,
		 "fib(35) x20, naive recursion (CPU-bound); "
		 "the tutorial's work: scale 1.4 rounds to 1");
	/* Counts of five digits and more are grouped, as in the titles. */
	title_eq("fib", 32, 1000, 1.0,
		 "fib(32) x1000, naive recursion (CPU-bound)");
	title_eq("fib", 20, 10000, 1.0,
		 "fib(20) x10,000, naive recursion (CPU-bound)");
}
END_TEST

START_TEST(test_title_sumsq)
{
	struct scenario sc = make("sumsq", 5000000, 20);
	struct task_result res;
	char buf[64];

	title_eq("sumsq", 5000000, 20, 1.0,
		 "sum of i*i for i < 5,000,000+x, 20 tasks (CPU-bound)");
	title_eq("sumsq", 5000000, 20, 30.0,
		 "sum of i*i for i < 150,000,000+30x, 20 tasks (CPU-bound); "
		 "tutorial: i < 5,000,000+x, scale 30");
	/* Every task rounds to the same bound: one number. */
	title_eq("sumsq", 5000000, 20, 0.02,
		 "sum of i*i for i < 100,000, 20 tasks (CPU-bound); "
		 "tutorial: i < 5,000,000+x, scale 0.02");
	run_task("sumsq", &sc, 0.02, 19, &res);
	format("sumsq", &res, buf, sizeof buf);
	ck_assert_str_eq(buf, "333328333350000"); /* sum of i*i, i < 100000 */
	/* Uneven steps after rounding: first..last. */
	title_eq("sumsq", 5000000, 20, 0.5,
		 "sum of i*i for i < 2,500,000..2,500,010, 20 tasks "
		 "(CPU-bound); tutorial: i < 5,000,000+x, scale 0.5");
	title_eq("sumsq", 7, 1, 1.0,
		 "sum of i*i for i < 7, 1 task (CPU-bound)");
}
END_TEST

START_TEST(test_title_primes)
{
	title_eq("primes", 1000, 15000, 1.0,
		 "sieve up to n for n = 1000..15999 (15,000 tiny tasks)");
	title_eq("primes", 1000, 15000, 20.0,
		 "20 sieves up to n for n = 1000..15999 (15,000 tiny tasks); "
		 "tutorial: 1 sieve per n, scale 20");
	/* A sieve cannot run less than once. */
	title_eq("primes", 1000, 15000, 0.1,
		 "sieve up to n for n = 1000..15999 (15,000 tiny tasks); "
		 "the tutorial's work: scale 0.1 rounds to 1");
}
END_TEST

START_TEST(test_title_math)
{
	title_eq("math", 2000000, 20, 1.0,
		 "2,000,000 rounds of powers, 20 tasks (CPU-bound)");
	title_eq("math", 2000000, 20, 2.0,
		 "4,000,000 rounds of powers, 20 tasks (CPU-bound); "
		 "tutorial: 2,000,000 rounds, scale 2");
	/* test_math's run at 0.01 adds 20,000 to x: the title's count. */
	title_eq("math", 2000000, 20, 0.01,
		 "20,000 rounds of powers, 20 tasks (CPU-bound); "
		 "tutorial: 2,000,000 rounds, scale 0.01");
}
END_TEST

/* work_scaled: whether a scale changes the work (the lesson cards' figures
 * are the tutorial's), as the titles above say it. */
START_TEST(test_scaled)
{
	struct scenario fib = make("fib", 35, 20);
	struct scenario primes = make("primes", 1000, 15000);
	struct scenario http = make("http", 1, 100);
	char buf[WORK_TITLE_MAX];

	ck_assert_int_eq(work_scaled(&fib, 1.0), 0);
	ck_assert_int_eq(work_scaled(&fib, 0.3), 1);
	ck_assert_int_eq(work_scaled(&primes, 20.0), 1);
	/* A sieve cannot run less than once: 0.1 is the tutorial's work. */
	ck_assert_int_eq(work_scaled(&primes, 0.1), 0);
	/* I/O does not scale. */
	ck_assert_int_eq(work_scaled(&http, 3.0), 0);
	/* The works in a few words, for the card's note. */
	work_brief(&fib, 0.3, buf, sizeof buf);
	ck_assert_str_eq(buf, "fib(32) x20");
	work_brief(&fib, 1.0, buf, sizeof buf);
	ck_assert_str_eq(buf, "fib(35) x20");
	snprintf(http.title, sizeof http.title, "100 GETs");
	work_brief(&http, 3.0, buf, sizeof buf);
	ck_assert_str_eq(buf, "100 GETs");
}
END_TEST

START_TEST(test_title_io)
{
	struct scenario sc = make("http", 1, 100);
	char buf[WORK_TITLE_MAX];

	/* I/O work does not scale: the scenario's title says it. */
	snprintf(sc.title, sizeof sc.title, "100 GETs of /ip (I/O-bound)");
	work_title(&sc, 1.0, buf, sizeof buf);
	ck_assert_str_eq(buf, "100 GETs of /ip (I/O-bound)");
	work_title(&sc, 3.0, buf, sizeof buf);
	ck_assert_str_eq(buf, "100 GETs of /ip (I/O-bound)");
	sc.title[0] = '\0';
	work_title(&sc, 1.0, buf, sizeof buf);
	ck_assert_str_eq(buf, "t");
	/* A short buffer gets a cut, terminated line. */
	work_title(&sc, 1.0, buf, 1);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* The shipped scenarios' titles are the tutorials' work, and at scale 1
 * that is exactly what conviz says it runs. */
START_TEST(test_title_shipped)
{
	size_t n;
	char **names = scenario_names(&n);
	char err[512], buf[WORK_TITLE_MAX];

	ck_assert_uint_ge(n, 7);
	for (size_t i = 0; i < n; i++) {
		struct scenario sc;
		ck_assert_int_eq(scenario_load(names[i], &sc, err, sizeof err),
				 0);
		work_title(&sc, 1.0, buf, sizeof buf);
		ck_assert_msg(strcmp(buf, sc.title) == 0,
			      "%s: title '%s', work at scale 1 '%s'", sc.name,
			      sc.title, buf);
	}
	scenario_names_free(names);
}
END_TEST

Suite *suite_work(void)
{
	Suite *s = suite_create("work");
	TCase *tc = tcase_create("cpu");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fib);
	tcase_add_test(tc, test_sumsq);
	tcase_add_test(tc, test_primes);
	tcase_add_test(tc, test_math);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_title_fib);
	tcase_add_test(tc, test_title_sumsq);
	tcase_add_test(tc, test_title_primes);
	tcase_add_test(tc, test_title_math);
	tcase_add_test(tc, test_scaled);
	tcase_add_test(tc, test_title_io);
	tcase_add_test(tc, test_title_shipped);
	tcase_add_test(tc, test_ticks_within_a_millisecond);
	suite_add_tcase(s, tc);
	return s;
}
