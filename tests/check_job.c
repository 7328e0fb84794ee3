/* check_job.c - the worker's side of a run, alone: a model runs a job
 * that no run owns, with a workload of the test's own. (Whole runs, with
 * the real workloads: check_run.c.) */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include "check_suites.h"
#include "models/model.h"
#include "rt/job.h"
#include "rt/rt.h"
#include "rt/task.h"

#define TASKS 64
#define FAILING_TASK 7

/* How many times each task ran (zeroed by setup). */
static atomic_int ran[TASKS];

/* Task i answers 2i, after a tick; task FAILING_TASK fails with 404. */
static int twice_run(struct rt *rt, const struct work_input *in, uint32_t task,
		     struct task_result *res)
{
	(void)in;
	rt_tick(rt);
	atomic_fetch_add(&ran[task], 1);
	res->ivalue = 2 * (int64_t)task;
	return task == FAILING_TASK ? 404 : 0;
}

static const struct work_ops twice = { .name = "twice", .run = twice_run };
static const struct work_input no_input;

static void setup(struct job *j, struct task_result *res, int workers)
{
	char err[256];

	memset(j, 0, sizeof *j);
	memset(res, 0, TASKS * sizeof *res);
	for (int i = 0; i < TASKS; i++)
		atomic_store(&ran[i], 0);
	j->work = &twice;
	j->in = &no_input;
	j->results = res;
	j->tasks = TASKS;
	j->workers = workers;
	j->gil_on = 1;
	j->corrupt = -1;
	ck_assert_int_eq(job_init(j, err, sizeof err), 0);
}

/* Every task ran once, its answer recorded, the failure counted. */
static void assert_all_done(struct job *j, struct task_result *res)
{
	ck_assert_uint_eq(atomic_load(&j->done), TASKS);
	for (int i = 0; i < TASKS; i++) {
		ck_assert_int_eq(atomic_load(&ran[i]), 1);
		ck_assert_int_eq(res[i].ivalue, 2 * i);
		ck_assert_uint_eq(res[i].status,
				  i == FAILING_TASK ? TASK_FAILED : TASK_OK);
	}
}

START_TEST(test_queue)
{
	struct task_result res[TASKS];
	struct job j;
	uint32_t t;

	setup(&j, res, 1);
	for (uint32_t i = 0; i < TASKS; i++) {
		ck_assert_int_eq(job_next_task(&j, &t), 0);
		ck_assert_uint_eq(t, i);
	}
	ck_assert_int_eq(job_next_task(&j, &t), -1);
	ck_assert_int_eq(job_next_task(&j, &t), -1);
	job_destroy(&j);
	job_destroy(&j); /* twice is fine */
}
END_TEST

START_TEST(test_models_run_a_job)
{
	struct task_result res[TASKS];
	struct job j;

	for (int m = MODEL_SYNC; m <= MODEL_THREADS; m++) {
		setup(&j, res, m == MODEL_SYNC ? 1 : 4);
		ck_assert_int_eq(model_get((enum model_id)m)->run(&j), 0);
		assert_all_done(&j, res);
		ck_assert_int_ge(atomic_load(&j.ready_ns), 0);
		job_destroy(&j);
	}
}
END_TEST

START_TEST(test_cancelled)
{
	struct task_result res[TASKS];
	struct job j;
	uint32_t t;

	setup(&j, res, 4);
	atomic_store(&j.cancel, 1);
	ck_assert_int_eq(job_next_task(&j, &t), -1);
	ck_assert_int_eq(model_get(MODEL_THREADS)->run(&j), 0);
	ck_assert_uint_eq(atomic_load(&j.done), 0);
	for (int i = 0; i < TASKS; i++)
		ck_assert_int_eq(atomic_load(&ran[i]), 0);
	job_destroy(&j);
}
END_TEST

Suite *suite_job(void)
{
	Suite *s = suite_create("job");
	TCase *tc = tcase_create("job");

	tcase_add_test(tc, test_queue);
	tcase_add_test(tc, test_models_run_a_job);
	tcase_add_test(tc, test_cancelled);
	suite_add_tcase(s, tc);
	return s;
}
