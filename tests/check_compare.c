/* check_compare.c - compare's plan and verdict, from figures made up
 * here, so every branch of the words is pinned (issue 14). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check_suites.h"
#include "app/compare.h"
#include "app/run.h"
#include "app/scenario.h"

static void load(const char *name, struct run_config *cfg)
{
	char err[512];

	memset(cfg, 0, sizeof *cfg);
	ck_assert_msg(scenario_load(name, &cfg->sc, err, sizeof err) == 0, "%s",
		      err);
	cfg->scale = 1;
	cfg->gil = 1;
}

/* Does v start with prefix? Says what it is when not. */
static void starts(const char *v, const char *prefix)
{
	ck_assert_msg(strncmp(v, prefix, strlen(prefix)) == 0,
		      "'%s' does not start with '%s'", v, prefix);
}

/* Row i as if it ran for wall_s and completed. */
static void ran(struct compare_row *r, double wall_s, int workers, double ideal)
{
	r->ran = r->completed = 1;
	r->st.wall_s = wall_s;
	r->workers = workers;
	r->ideal = ideal;
}

START_TEST(test_plan)
{
	static struct compare_row rows[COMPARE_MODELS_MAX];
	struct run_config cfg;

	load("sites", &cfg);
	ck_assert_int_eq(compare_plan(&cfg.sc, rows), 4);
	ck_assert_int_eq(rows[0].model, MODEL_SYNC);
	ck_assert_int_eq(rows[3].model, MODEL_PROCS);
	load("fib", &cfg);
	ck_assert_int_eq(compare_plan(&cfg.sc, rows), 5);
	ck_assert_int_eq(rows[4].model, MODEL_THREADS);
	ck_assert_int_eq(rows[4].gil, 0);
	/* Shared values and locks: no row without the GIL. */
	load("bank-unsafe", &cfg);
	ck_assert_int_eq(compare_plan(&cfg.sc, rows), 4);
	load("counter-unsafe", &cfg);
	ck_assert_int_eq(compare_plan(&cfg.sc, rows), 4);
}
END_TEST

/* I/O: the fastest right model wins, with the waits each kept going. */
START_TEST(test_verdict_io)
{
	static struct compare_row rows[COMPARE_MODELS_MAX];
	struct run_config cfg;
	char v[COMPARE_VERDICT_MAX];

	load("sites", &cfg);
	compare_plan(&cfg.sc, rows);
	ran(&rows[0], 14.4, 1, 1);
	ran(&rows[1], 2.9, 5, 5);
	ran(&rows[2], 0.2, 1, 100);
	ran(&rows[3], 7.2, 2, 2);
	compare_verdict(&cfg, rows, 4, v, sizeof v);
	starts(v, "async won, 72.0x faster than sync: the "
		  "tasks mostly wait");
	ck_assert_ptr_nonnull(strstr(v, "async kept up to 100 at once"));
	ck_assert_ptr_nonnull(strstr(v, "threads 5, one per thread"));
	/* async failed: threads wins, and nothing about async's waits. */
	rows[2].completed = 0;
	compare_verdict(&cfg, rows, 4, v, sizeof v);
	starts(v, "threads won, 5.0x");
	ck_assert_ptr_null(strstr(v, "async kept"));
	/* sync failed: no baseline, no verdict. */
	rows[0].completed = 0;
	compare_verdict(&cfg, rows, 4, v, sizeof v);
	ck_assert_str_eq(v, "none: sync, the baseline, did not complete "
			    "right.");
}
END_TEST

/* CPU: threads under the GIL and async measured, the cores named. */
START_TEST(test_verdict_cpu)
{
	static struct compare_row rows[COMPARE_MODELS_MAX];
	struct run_config cfg;
	char v[COMPARE_VERDICT_MAX];

	load("fib", &cfg);
	compare_plan(&cfg.sc, rows);
	ran(&rows[0], 4.0, 1, 1);
	ran(&rows[1], 4.2, 5, 1);
	ran(&rows[2], 4.0, 1, 1);
	ran(&rows[3], 2.1, 2, 2);
	ran(&rows[4], 2.0, 5, 2);
	compare_verdict(&cfg, rows, 5, v, sizeof v);
	starts(v, "threads without the GIL won, 2.0x faster "
		  "than sync: the tasks compute");
	ck_assert_ptr_nonnull(strstr(v, "threads measured 1.0x, async 1.0x"));
	/* Nothing much faster than sync. */
	rows[3].completed = rows[4].completed = 0;
	compare_verdict(&cfg, rows, 5, v, sizeof v);
	starts(v, "no model that got it right beat sync by "
		  "much (the best: sync, 1.0x)");
}
END_TEST

/* A race: fast and wrong does not win; procs' copies; a deadlock. */
START_TEST(test_verdict_race)
{
	static struct compare_row rows[COMPARE_MODELS_MAX];
	struct run_config cfg;
	char v[COMPARE_VERDICT_MAX];

	load("bank-unsafe", &cfg);
	compare_plan(&cfg.sc, rows);
	ran(&rows[0], 2.0, 1, 1);
	ran(&rows[1], 0.4, 6, 6);
	ran(&rows[2], 0.1, 1, 20);
	ran(&rows[3], 1.0, 2, 2);
	for (int i = 0; i < 4; i++) {
		rows[i].st.race = 1;
		rows[i].st.expected_sum = rows[i].st.final_sum = 5000;
	}
	rows[1].st.final_sum = 5046;
	rows[1].st.lost_updates = 3;
	compare_verdict(&cfg, rows, 4, v, sizeof v);
	starts(v, "async won, 20.0x");
	ck_assert_ptr_nonnull(strstr(v, " But threads ended at 5046 (3 updates "
					"lost), not 5000: fast and wrong"));
	ck_assert_ptr_nonnull(strstr(v, "procs changed copies of its own"));
	rows[2].st.final_sum = 4957;
	rows[2].st.lost_updates = 30;
	compare_verdict(&cfg, rows, 4, v, sizeof v);
	starts(v, "no model that got it right beat sync");
	ck_assert_ptr_nonnull(strstr(v, "threads ended at 5046 (3 updates "
					"lost), async ended at 4957 (30 "
					"updates lost), not 5000"));
	load("deadlock", &cfg);
	memset(rows, 0, sizeof rows);
	compare_plan(&cfg.sc, rows);
	ran(&rows[0], 0.1, 1, 1);
	ran(&rows[1], 0.05, 2, 2);
	ran(&rows[3], 0.06, 2, 2);
	rows[1].st.deadlock = 1;
	compare_verdict(&cfg, rows, 4, v, sizeof v);
	starts(v, "procs won");
	ck_assert_ptr_nonnull(strstr(v, "threads deadlocked (found and "
					"stopped)."));
}
END_TEST

/* A sweep's verdict: the fastest count, and the fewest workers within
 * 5% of it. */
START_TEST(test_sweep_verdict)
{
	static struct compare_row rows[6];
	static const double wall[6] = { 4.0, 2.0, 1.35, 1.02, 1.0, 1.01 };
	char v[COMPARE_VERDICT_MAX];

	for (int i = 0; i < 6; i++) {
		ran(&rows[i], wall[i], i + 1, i + 1);
	}
	compare_sweep_verdict(rows, 6, v, sizeof v);
	ck_assert_str_eq(v, "fastest with 5 workers, 4.0x the speed of one "
			    "worker; 4 already came within 5% of that: more "
			    "workers than that did not pay.");
	rows[3].st.wall_s = 1.2;
	compare_sweep_verdict(rows, 6, v, sizeof v);
	ck_assert_str_eq(v, "fastest with 5 workers, 4.0x the speed of one "
			    "worker; every count below it was more than 5% "
			    "slower.");
	rows[0].st.wall_s = 0.9; /* the GIL: one worker is as good */
	compare_sweep_verdict(rows, 6, v, sizeof v);
	ck_assert_str_eq(v, "one worker was the fastest: more workers did "
			    "not help here.");
	rows[0].workers = 3; /* a sweep from 3 */
	compare_sweep_verdict(rows, 6, v, sizeof v);
	ck_assert_str_eq(v, "3 workers was the fastest: more workers did "
			    "not help here.");
	rows[0].completed = 0;
	compare_sweep_verdict(rows, 6, v, sizeof v);
	ck_assert_str_eq(v, "none: the run with 3 workers did not "
			    "complete.");
}
END_TEST

/* A model that fails mid-comparison: its row says why, the others still
 * show, the verdict is made without it, and the status is 1. A real
 * comparison of a small fib; the async run gives a wrong answer (the
 * test hook), as a broken model would. */
START_TEST(test_model_fails)
{
	struct run_config cfg;
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	load("fib", &cfg);
	cfg.sc.tasks = 4;
	cfg.sc.arg = 20;
	cfg.scale = 1;
	cfg.seed = 1;
	cfg.view = -1;
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	run_test_corrupt_model(2, MODEL_ASYNC);
	rc = compare_headless(&cfg, f, NULL);
	run_test_corrupt_task(-1);
	fclose(f);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(out, "\nasync             failed: task 2 of "
				  "'fib' gave 6766") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "\nsync  ") && strstr(out, "\nthreads  ") &&
			      strstr(out, "\nprocs  ") &&
			      strstr(out, "\nthreads, no GIL  "),
		      "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\nverdict: "));
	ck_assert_ptr_null(strstr(out, "async kept"));
	ck_assert_ptr_nonnull(
		strstr(out, "summary: scenario=fib model=threads"));
	free(out);
}
END_TEST

Suite *suite_compare(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("compare");

	tcase_add_test(tc, test_plan);
	tcase_add_test(tc, test_verdict_io);
	tcase_add_test(tc, test_verdict_cpu);
	tcase_add_test(tc, test_verdict_race);
	tcase_add_test(tc, test_model_fails);
	tcase_add_test(tc, test_sweep_verdict);
	suite_add_tcase(s, tc);
	return s;
}
