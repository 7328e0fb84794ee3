/* check_procs.c - the process pool: every task once by each start method,
 * chunks, results coming home, a worker killed at a random moment (twenty
 * times: no hang, the task failed, every other event there, no process or
 * shared memory left), cancel, and the spawned entry's bad arguments. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "app/run.h"
#include "app/scenario.h"
#include "check_suites.h"
#include "core/evring.h"
#include "models/procs.h"

static struct run_config fib(long arg, long tasks, int workers, int start,
			     int chunk)
{
	struct run_config cfg;

	memset(&cfg, 0, sizeof cfg);
	snprintf(cfg.sc.name, sizeof cfg.sc.name, "fib");
	snprintf(cfg.sc.workload, sizeof cfg.sc.workload, "fib");
	cfg.sc.arg = arg;
	cfg.sc.tasks = tasks;
	cfg.sc.scale = 1;
	cfg.model = MODEL_PROCS;
	cfg.workers = workers;
	cfg.gil = 1;
	cfg.scale = 1;
	cfg.start = start;
	cfg.chunk = chunk;
	cfg.view = -1;
	return cfg;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Runs cfg to its end, draining as the UI does. kill_ms >= 0: after that
 * many ms, kills one worker (*killed says whether one was running). */
static struct trace run_traced(const struct run_config *cfg, long kill_ms,
			       int *killed, struct run_stats *st)
{
	struct trace t = { 0 };
	char err[256];
	struct evring *ring = run_ring_new(cfg, 4096);
	struct run *r = run_start(cfg, ring, err, sizeof err);
	int lane;
	long pid;

	ck_assert_msg(r != NULL, "%s", err);
	if (kill_ms >= 0) {
		sleep_ms(kill_ms);
		check_collect(ring, &t);
		*killed = run_kill_worker(r, &lane, &pid, err, sizeof err) == 0;
	}
	while (!run_finished(r)) {
		evring_wait(ring, 20);
		check_collect(ring, &t);
	}
	check_collect(ring, &t);
	ck_assert_int_eq(run_wait(r, st), 0);
	/* Nothing pushed went missing, the dead worker's pushes included. */
	ck_assert_uint_eq(st->events, t.n);
	run_free(r);
	evring_free(ring);
	return t;
}

/* How many events of `kind` name task `task`. */
static size_t count_task(const struct trace *t, enum ev_kind kind,
			 uint32_t task)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += t->ev[i].kind == kind && t->ev[i].task == task;
	return n;
}

/* Each lane's worker said its pid: not ours, and no two alike. */
static void check_pids(const struct trace *t, int workers)
{
	long pid[8] = { 0 };

	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].kind == EV_STARTUP && t->ev[i].arg > 0 &&
		    t->ev[i].lane < 8 && pid[t->ev[i].lane] == 0)
			pid[t->ev[i].lane] = (long)t->ev[i].arg;
	for (int i = 0; i < workers; i++) {
		ck_assert_int_gt(pid[i], 0);
		ck_assert_int_ne(pid[i], (long)getpid());
		for (int k = 0; k < i; k++)
			ck_assert_int_ne(pid[i], pid[k]);
	}
}

START_TEST(test_every_task_once)
{
	static const int chunk[PROCS_START_COUNT] = { 1, 4, 1 };
	int start = _i;
	struct run_config cfg = fib(20, 12, 3, start, chunk[start]);
	struct run_stats st;
	struct trace t = run_traced(&cfg, -1, NULL, &st);

	ck_assert_uint_eq(st.ok, 12);
	ck_assert_uint_eq(st.failed + st.wrong, 0);
	for (uint32_t i = 0; i < 12; i++)
		ck_assert_uint_eq(count_task(&t, EV_IDLE, i), 1);
	check_pids(&t, 3);
	ck_assert(st.cpu_s > 0);
	free(t.ev);
}
END_TEST

/* With --chunk 10 a worker's tasks come in runs of ten, each starting
 * at a multiple of ten. */
START_TEST(test_chunks)
{
	struct run_config cfg = fib(18, 40, 2, PROCS_FORKSERVER, 10);
	struct run_stats st;
	struct trace t = run_traced(&cfg, -1, NULL, &st);
	uint32_t last[2] = { EV_NO_TASK, EV_NO_TASK };
	int runs = 0;

	ck_assert_uint_eq(st.ok, 40);
	for (size_t i = 0; i < t.n; i++) {
		const struct ev *e = &t.ev[i];
		if (e->kind != EV_CPU || e->task == EV_NO_TASK || e->lane > 1 ||
		    e->task == last[e->lane])
			continue;
		if (e->task % 10 == 0)
			runs++;
		else
			ck_assert_uint_eq(e->task, last[e->lane] + 1);
		last[e->lane] = e->task;
	}
	ck_assert_int_eq(runs, 4);
	free(t.ev);
}
END_TEST

/* Children of `pid` (from /proc), and how many of them are zombies. */
static int children_of(pid_t pid, int *zombies)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	*zombies = 0;
	while ((de = readdir(d)) != NULL) {
		char path[300], buf[512], state;
		int ppid;
		FILE *f;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		/* pid (comm) state ppid: comm may hold blanks, so from ')'. */
		if (fgets(buf, sizeof buf, f) && strrchr(buf, ')') &&
		    sscanf(strrchr(buf, ')') + 1, " %c %d", &state, &ppid) ==
			    2 &&
		    ppid == pid) {
			n++;
			*zombies += state == 'Z';
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Processes below this one, not counting the forkserver itself (a child
 * of this process or of the test runner): its children, and ours but
 * one. */
static int leftovers(void)
{
	int z, n = children_of(getpid(), &z);

	ck_assert_int_eq(z, 0);
	return n;
}

static int shm_entries(void)
{
	DIR *d = opendir("/dev/shm");
	int n = 0;

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* One run with a worker killed after kill_ms: the run completes, the
 * task it ran failed (with the reason), every other task ran to its end
 * and its events are all there. 1 if a running worker was killed. */
static int killed_run(int start, int chunk, long kill_ms, int before)
{
	struct run_config cfg = fib(30, 60, 2, start, chunk);
	struct run_stats st;
	int killed = 0;
	struct trace t = run_traced(&cfg, kill_ms, &killed, &st);
	size_t errors = 0;

	ck_assert_uint_eq(st.wrong, 0);
	ck_assert_uint_eq(st.ok + st.failed, 60);
	ck_assert_uint_le(st.failed, 1);
	for (uint32_t i = 0; i < 60; i++) {
		size_t ends = count_task(&t, EV_IDLE, i);
		size_t died = count_task(&t, EV_ERROR, i);
		errors += died;
		/* A task that ran to its end says so once; the killed one has
		 * the error marker (and its end, if it was killed between
		 * drawing it and reporting the task done). No task ran
		 * twice. */
		ck_assert_uint_le(died, 1);
		ck_assert_uint_eq(ends, 1 - died + (died && ends));
		if (!died)
			ck_assert_uint_ge(count_task(&t, EV_CPU, i), 1);
	}
	ck_assert_uint_eq(errors, st.failed);
	ck_assert_int_le(leftovers(), before);
	free(t.ev);
	return killed && st.failed == 1;
}

START_TEST(test_kill_a_worker)
{
	int before = leftovers(), shm = shm_entries();
	unsigned seed = 12;
	int lost = 0, runs = 0;

	/* Twenty kills, the three start methods in turn, chunks of 1 and 3,
	 * at a random moment of the first 50 ms of a run that lasts ~80 ms
	 * here and longer on a slower machine. */
	for (int i = 0; runs < 20 && i < 60; i++) {
		long ms = 5 + rand_r(&seed) % 45;
		int got = killed_run(i % PROCS_START_COUNT, i % 2 ? 3 : 1, ms,
				     before);
		runs += got;
		lost += got;
	}
	ck_assert_int_eq(runs, 20);
	ck_assert_int_eq(lost, 20);
	ck_assert_int_eq(shm_entries(), shm);
}
END_TEST

START_TEST(test_cancel)
{
	struct run_config cfg = fib(27, 100000, 2, PROCS_FORK, 1);
	struct evring *ring = run_ring_new(&cfg, 1 << 14);
	char err[256];
	struct run *r = run_start(&cfg, ring, err, sizeof err);
	struct run_stats st;
	struct trace t = { 0 };
	int before = leftovers();

	ck_assert_ptr_nonnull(r);
	sleep_ms(50);
	run_cancel(r);
	while (!run_finished(r)) {
		evring_wait(ring, 20);
		check_collect(ring, &t);
	}
	ck_assert_int_eq(run_wait(r, &st), 0);
	ck_assert(st.cancelled);
	ck_assert_uint_lt(st.ok, 100000);
	ck_assert_uint_eq(st.failed, 0);
	run_free(r);
	evring_free(ring);
	free(t.ev);
	ck_assert_int_le(leftovers(), before);
}
END_TEST

/* Results come home: the twenty names, checked against the pages. */
START_TEST(test_pokemon_names)
{
	struct run_config cfg;
	struct run_stats st;
	char err[512];
	struct trace t;

	memset(&cfg, 0, sizeof cfg);
	ck_assert_msg(scenario_load("pokemon", &cfg.sc, err, sizeof err) == 0,
		      "%s", err);
	cfg.model = MODEL_PROCS;
	cfg.workers = 2;
	cfg.gil = 1;
	cfg.seed = 1;
	cfg.scale = 1;
	cfg.view = -1;
	cfg.start = PROCS_SPAWN;
	t = run_traced(&cfg, -1, NULL, &st);
	ck_assert_uint_eq(st.ok, 20);
	ck_assert(st.checked);
	free(t.ev);
}
END_TEST

/* The results that come home are checked like any model's: a wrong
 * answer made in a worker process fails the run. And a pool too big for
 * this machine is refused. */
START_TEST(test_wrong_answer_and_too_many)
{
	struct run_config cfg = fib(15, 8, 2, PROCS_FORKSERVER, 1);
	struct run_stats st;
	struct trace t = { 0 };
	char err[256];
	struct evring *ring = run_ring_new(&cfg, 4096);
	struct run *r;

	run_test_corrupt_task(3);
	r = run_start(&cfg, ring, err, sizeof err);
	run_test_corrupt_task(-1);
	ck_assert_ptr_nonnull(r);
	while (!run_finished(r)) {
		evring_wait(ring, 20);
		check_collect(ring, &t);
	}
	ck_assert_int_eq(run_wait(r, &st), -1);
	ck_assert_uint_eq(st.wrong, 1);
	ck_assert_int_eq(st.first_wrong, 3);
	ck_assert_uint_eq(st.ok, 7);
	run_free(r);
	cfg.workers = procs_workers_allowed() + 1;
	ck_assert_ptr_null(run_start(&cfg, ring, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "bad number of workers"));
	evring_free(ring);
	free(t.ev);
}
END_TEST

START_TEST(test_spawned_bad_args)
{
	char *few[] = { "3", "4", "5" };
	char *bad[] = { "3", "x", "5", "0" };

	ck_assert_int_eq(procs_spawned_main(3, few, run_procs_child), 2);
	ck_assert_int_eq(procs_spawned_main(4, bad, run_procs_child), 2);
	ck_assert_int_eq(procs_start_find("fork"), PROCS_FORK);
	ck_assert_int_eq(procs_start_find("vfork"), -1);
	ck_assert_str_eq(procs_start_name(PROCS_SPAWN), "spawn");
}
END_TEST

Suite *suite_procs(void)
{
	Suite *s = suite_create("procs");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_every_task_once, 0, PROCS_START_COUNT);
	tcase_add_test(tc, test_chunks);
	tcase_add_test(tc, test_kill_a_worker);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_pokemon_names);
	tcase_add_test(tc, test_wrong_answer_and_too_many);
	tcase_add_test(tc, test_spawned_bad_args);
	suite_add_tcase(s, tc);
	return s;
}
