/* check_async.c - the async model's event loop, alone: a job that no run
 * owns, with workloads of the test's own that sleep, take locks and GET,
 * all on one thread. (The real scenarios under async: e2e_io.sh.) */
#include "config.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_suites.h"
#include "app/app.h"
#include "core/clock.h"
#include "core/msg.h"
#include "models/model.h"
#include "rt/coro.h"
#include "rt/job.h"
#include "rt/rt.h"
#include "rt/task.h"

#define TASKS_MAX 2000

/* The order tasks reached a point of the test's workload. */
static uint32_t order[TASKS_MAX];
static int norder;

static void note(uint32_t task)
{
	order[norder++] = task; /* one thread: the loop's */
}

static const struct scenario no_scenario = { .name = "test" };
static const struct work_input no_input = { .sc = &no_scenario };

/* Two plain locks, for the workloads that take some. */
static int two_locks(const struct scenario *sc, uint8_t *reentrant)
{
	(void)sc;
	reentrant[0] = reentrant[1] = 0;
	return 2;
}

static void setup(struct job *j, struct task_result *res,
		  const struct work_ops *w, uint32_t tasks)
{
	char err[256];

	memset(j, 0, sizeof *j);
	memset(res, 0, tasks * sizeof *res);
	norder = 0;
	j->work = w;
	j->in = &no_input;
	j->results = res;
	j->tasks = tasks;
	j->workers = 1;
	j->gil_on = 1;
	j->corrupt = -1;
	ck_assert_int_eq(job_init(j, err, sizeof err), 0);
}

static struct task_result results[TASKS_MAX];

/* When each sleeper's time is up (CLOCK_MONOTONIC ns). */
static int64_t deadline[TASKS_MAX];

/* Task i sleeps (20 - i) ms: they wake latest-started first. */
static int sleep_run(struct rt *rt, const struct work_input *in, uint32_t task,
		     struct task_result *res)
{
	int64_t ns = (int64_t)(20 - task) * 1000000;

	(void)in;
	deadline[task] = clock_now_ns() + ns;
	rt_sleep_ns(rt, ns);
	note(task);
	res->ivalue = task;
	return 0;
}

static const struct work_ops sleeper = { .name = "sleeper", .run = sleep_run };

/* All tasks start at once and each wakes when its time is up: twenty
 * sleeps of 20..1 ms take about 20 ms, not their sum, and end in the
 * order of their times. */
START_TEST(test_timers_fire_in_order)
{
	struct job j;
	int64_t t0;

	setup(&j, results, &sleeper, 20);
	t0 = clock_now_ns();
	ck_assert_int_eq(model_async_run(&j), 0);
	/* Overlapped: well under the 210 ms the sleeps add up to (not under
	 * valgrind or a sanitizer: CONVIZ_TIMING_TESTS=0). */
	if (check_timing_tests())
		ck_assert_int_lt(clock_now_ns() - t0, 210 * 1000000LL * 7 / 10);
	ck_assert_int_eq(norder, 20);
	/* They wake in the order their times come up... (The loop reads the
	 * clock for a sleep a moment after the task noted its deadline: a
	 * few microseconds, but under valgrind enough to swap two deadlines
	 * that lie close together, so there they may be 5 ms out.) */
	int64_t slack = check_timing_tests() ? 0 : 5 * 1000000LL;
	for (int i = 1; i < 20; i++)
		ck_assert_int_le(deadline[order[i - 1]],
				 deadline[order[i]] + slack);
	/* ...which is the reverse of the start when starting takes well
	 * under the 1 ms between two times (not so under valgrind). */
	for (int i = 0; i < 20 && check_timing_tests(); i++)
		ck_assert_uint_eq(order[i], 19 - i);
	ck_assert_uint_eq(atomic_load(&j.done), 20);
	job_destroy(&j);
}
END_TEST

/* Each task takes lock 0, notes itself, sleeps holding it, lets go. */
static int locked_run(struct rt *rt, const struct work_input *in, uint32_t task,
		      struct task_result *res)
{
	(void)in;
	(void)res;
	ck_assert_int_eq(rt_lock(rt, 0), 0);
	note(task);
	rt_sleep_ns(rt, 200 * 1000);
	rt_unlock(rt, 0);
	return 0;
}

static const struct work_ops locked = { .name = "locked",
					.run = locked_run,
					.locks = two_locks };

/* The lock is handed over in the order the tasks asked for it (they all
 * start at once: 0 takes it, 1..N-1 queue), as asyncio.Lock does. */
START_TEST(test_lock_is_fifo)
{
	struct job j;

	setup(&j, results, &locked, 50);
	ck_assert_int_eq(model_async_run(&j), 0);
	ck_assert_int_eq(norder, 50);
	for (int i = 0; i < 50; i++)
		ck_assert_uint_eq(order[i], (uint32_t)i);
	job_destroy(&j);
}
END_TEST

/* Task 0 takes lock 1 and fails without letting it go; the others take
 * it after. */
static int failing_holder_run(struct rt *rt, const struct work_input *in,
			      uint32_t task, struct task_result *res)
{
	(void)in;
	(void)res;
	ck_assert_int_eq(rt_lock(rt, 1), 0);
	note(task);
	if (task == 0) {
		rt_sleep_ns(rt, 1000 * 1000);
		return 500; /* an error, the lock still held */
	}
	rt_unlock(rt, 1);
	return 0;
}

static const struct work_ops failing_holder = { .name = "failing",
						.run = failing_holder_run,
						.locks = two_locks };

/* A task that ends holding a lock (it failed) lets it go: the tasks
 * waiting for it still run, in order. */
START_TEST(test_failed_task_releases_its_lock)
{
	struct job j;

	setup(&j, results, &failing_holder, 5);
	ck_assert_int_eq(model_async_run(&j), 0);
	ck_assert_int_eq(norder, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(order[i], (uint32_t)i);
	ck_assert_uint_eq(results[0].status, TASK_FAILED);
	for (int i = 1; i < 5; i++)
		ck_assert_uint_eq(results[i].status, TASK_OK);
	job_destroy(&j);
}
END_TEST

/* Many short sleeps, some of zero, woken in bursts: every one wakes. */
static int burst_run(struct rt *rt, const struct work_input *in, uint32_t task,
		     struct task_result *res)
{
	(void)in;
	for (int k = 0; k < 3; k++)
		rt_sleep_ns(rt, (int64_t)((task * 7 + (uint32_t)k) % 5) * 100 *
					1000);
	res->ivalue = task;
	return 0;
}

static const struct work_ops burst = { .name = "burst", .run = burst_run };

START_TEST(test_no_lost_wakeup)
{
	struct job j;

	setup(&j, results, &burst, TASKS_MAX);
	ck_assert_int_eq(model_async_run(&j), 0);
	ck_assert_uint_eq(atomic_load(&j.done), TASKS_MAX);
	for (int i = 0; i < TASKS_MAX; i++) {
		ck_assert_uint_eq(results[i].status, TASK_OK);
		ck_assert_int_eq(results[i].ivalue, i);
	}
	job_destroy(&j);
}
END_TEST

/* Task 3 GETs a port nobody listens on; the others sleep. */
static int get_run(struct rt *rt, const struct work_input *in, uint32_t task,
		   struct task_result *res)
{
	struct rt_http reply = { 0 };

	(void)in;
	if (task != 3) {
		rt_sleep_ns(rt, 2 * 1000 * 1000);
		return 0;
	}
	int rc = rt_http_get(rt, "http://127.0.0.1:1/", &reply);
	msg_fmt(res->text, sizeof res->text, "%s", reply.error);
	return rc;
}

static const struct work_ops getter = { .name = "getter", .run = get_run };

/* A GET that fails fails its own task only, and says why. */
START_TEST(test_failed_get_fails_its_task_only)
{
	struct job j;

	setup(&j, results, &getter, 8);
	ck_assert_int_eq(model_async_run(&j), 0);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(results[i].status,
				  i == 3 ? TASK_FAILED : TASK_OK);
	ck_assert_str_eq(results[3].text, "connection refused");
	job_destroy(&j);
}
END_TEST

/* --- a task that overflows its stack ----------------------------------- */

static int deep_run(struct rt *rt, const struct work_input *in, uint32_t task,
		    struct task_result *res)
{
	(void)in;
	if (task == 2)
		res->ivalue = check_recurse(0);
	else
		rt_sleep_ns(rt, 1000 * 1000);
	return 0;
}

static const struct work_ops deep = { .name = "deep", .run = deep_run };

/* In the child: the program's own handler (app_main sets it up), stderr
 * into `fd`, and a loop whose task 2 recurses for ever. */
static void overflow_child(int fd)
{
	struct job j;

	if (dup2(fd, STDERR_FILENO) < 0 || app_catch_overflow() != 0)
		_exit(2);
	setup(&j, results, &deep, 4);
	model_async_run(&j);
	_exit(3); /* the recursion ended: no overflow */
}

/* A task that fills its coroutine stack is reported in one line that
 * says so, and the program ends by the signal (the TUI's handler gives
 * the same line: coro_crash_line), instead of a silent corruption or a
 * bare "Segmentation fault". */
START_TEST(test_overflow_reported)
{
	int fds[2], status = 0;
	char out[1024];
	ssize_t n, got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		overflow_child(fds[1]);
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof out - 1 &&
	       (n = read(fds[0], out + got, sizeof out - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		      "child: status %#x, said '%s'", status, out);
	ck_assert_msg(strstr(out, CORO_OVERFLOW_LINE) != NULL, "said '%s'",
		      out);
}
END_TEST

Suite *suite_async(void)
{
	Suite *s = suite_create("async");
	TCase *tc = tcase_create("loop");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_timers_fire_in_order);
	tcase_add_test(tc, test_lock_is_fifo);
	tcase_add_test(tc, test_failed_task_releases_its_lock);
	tcase_add_test(tc, test_no_lost_wakeup);
	tcase_add_test(tc, test_failed_get_fails_its_task_only);
	tcase_add_test(tc, test_overflow_reported);
	suite_add_tcase(s, tc);
	return s;
}
