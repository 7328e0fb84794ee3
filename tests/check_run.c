/* check_run.c - whole runs through the sync and threads models: every
 * task done once, events in order per lane, the GIL serialising CPU. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "app/report.h"
#include "app/run.h"
#include "app/scenario.h"
#include "core/evring.h"
#include "core/urllist.h"

void check_collect(struct evring *ring, struct trace *t)
{
	struct ev buf[256];
	size_t got;

	do {
		got = evring_drain(ring, buf, 256);
		if (t->n + got > t->cap) {
			t->cap = (t->n + got) * 2;
			t->ev = realloc(t->ev, t->cap * sizeof *t->ev);
			ck_assert_ptr_nonnull(t->ev);
		}
		memcpy(t->ev + t->n, buf, got * sizeof *buf);
		t->n += got;
	} while (got > 0);
}

static struct run_config config(const char *workload, long arg, long tasks,
				enum model_id model, int workers, int gil)
{
	struct run_config cfg;

	memset(&cfg, 0, sizeof cfg);
	snprintf(cfg.sc.name, sizeof cfg.sc.name, "%s", workload);
	snprintf(cfg.sc.workload, sizeof cfg.sc.workload, "%s", workload);
	cfg.sc.arg = arg;
	cfg.sc.tasks = tasks;
	cfg.sc.scale = 1;
	cfg.model = model;
	cfg.workers = workers;
	cfg.gil = gil;
	cfg.scale = 1;
	return cfg;
}

/* Runs cfg to the end, as the UI would: the caller drains the ring. */
static struct trace run_all(const struct run_config *cfg, size_t ring_cap,
			    struct run_stats *st)
{
	struct trace t = { 0 };
	char err[256];
	struct evring *ring = evring_new(ring_cap);
	struct run *r = run_start(cfg, ring, err, sizeof err);

	ck_assert_msg(r != NULL, "%s", err);
	while (!run_finished(r)) {
		evring_wait(ring, 20);
		check_collect(ring, &t);
	}
	check_collect(ring, &t);
	ck_assert_int_eq(run_wait(r, st), 0);
	ck_assert_uint_eq(st->events, t.n);
	run_free(r);
	evring_free(ring);
	return t;
}

START_TEST(test_sync_in_order)
{
	struct run_config cfg = config("fib", 18, 10, MODEL_SYNC, 8, 1);
	struct run_stats st;
	struct trace t = run_all(&cfg, 1024, &st);
	uint32_t next = 0;

	ck_assert_uint_eq(st.ok, 10);
	ck_assert_uint_eq(st.failed + st.wrong, 0);
	for (size_t i = 0; i < t.n; i++) {
		ck_assert_uint_eq(t.ev[i].lane, 0);
		ck_assert_uint_ne(t.ev[i].kind, EV_GIL_WAIT);
		if (t.ev[i].kind == EV_CPU && t.ev[i].task != EV_NO_TASK &&
		    (i == 0 || t.ev[i - 1].task != t.ev[i].task))
			ck_assert_uint_eq(t.ev[i].task, next++);
	}
	ck_assert_uint_eq(next, 10);
	ck_assert_uint_eq(t.ev[t.n - 1].kind, EV_DONE);
	ck_assert(st.wall_s > 0);
	free(t.ev);
}
END_TEST

/* Threads without a GIL: every task starts exactly once, each lane is
 * startup ... done in time order; a tiny ring stalls but loses nothing. */
START_TEST(test_threads_every_task_once)
{
	struct run_config cfg =
		config("primes", 1000, 3000, MODEL_THREADS, 4, 0);
	struct run_stats st;
	struct trace t = run_all(&cfg, 16, &st);
	unsigned char *seen = calloc(3000, 1);
	int64_t last[4] = { 0 };
	uint32_t task[4] = { EV_NO_TASK, EV_NO_TASK, EV_NO_TASK, EV_NO_TASK };

	ck_assert_uint_eq(st.ok, 3000);
	ck_assert_uint_eq(st.wrong, 0);
	ck_assert_uint_gt(st.stalls, 0);
	for (size_t i = 0; i < t.n; i++) {
		const struct ev *e = &t.ev[i];
		ck_assert_uint_lt(e->lane, 4);
		ck_assert_int_ge(e->ts_ns, last[e->lane]);
		if (last[e->lane] == 0)
			ck_assert_uint_eq(e->kind, EV_STARTUP);
		last[e->lane] = e->ts_ns;
		/* A task's first cpu event starts it; more cpu events of the
		 * same task on the same lane follow a stall or ready time. */
		if (e->kind == EV_CPU && e->task < 3000 &&
		    e->task != task[e->lane])
			ck_assert_int_eq(seen[e->task]++, 0);
		task[e->lane] = e->task;
	}
	for (int i = 0; i < 3000; i++)
		ck_assert_int_eq(seen[i], 1);
	free(seen);
	free(t.ev);
}
END_TEST

/* Under the GIL, no two lanes are ever in the cpu state at once, and the
 * lanes take turns (gil-wait appears). The check walks the ring's order:
 * a holder pushes gil-wait before letting go and the next one pushes cpu
 * after taking it, so ring order is hand-over order. */
START_TEST(test_gil_serialises_cpu)
{
	struct run_config cfg = config("fib", 27, 8, MODEL_THREADS, 3, 1);
	struct run_stats st;
	struct trace t = run_all(&cfg, 4096, &st);
	int state[3] = { EV_IDLE, EV_IDLE, EV_IDLE };
	size_t gil_waits = 0;

	ck_assert_uint_eq(st.ok, 8);
	for (size_t i = 0; i < t.n; i++) {
		const struct ev *e = &t.ev[i];
		if (!ev_is_state(e->kind))
			continue;
		state[e->lane] = e->kind;
		gil_waits += e->kind == EV_GIL_WAIT;
		int computing = 0;
		for (int l = 0; l < 3; l++)
			computing += state[l] == EV_CPU;
		ck_assert_int_le(computing, 1);
	}
	ck_assert_uint_gt(gil_waits, 0);
	ck_assert_uint_gt(st.gil_switches, 2);
	free(t.ev);
}
END_TEST

START_TEST(test_cancel)
{
	struct run_config cfg =
		config("primes", 1000, 15000, MODEL_THREADS, 2, 0);
	struct run_stats st;
	char err[256];
	struct evring *ring = evring_new(1 << 16);
	struct trace t = { 0 };

	cfg.scale = 5;
	struct run *r = run_start(&cfg, ring, err, sizeof err);
	ck_assert_ptr_nonnull(r);
	run_cancel(r);
	while (!run_finished(r)) {
		evring_wait(ring, 20);
		check_collect(ring, &t);
	}
	ck_assert_int_eq(run_wait(r, &st), 0);
	ck_assert_int_eq(st.cancelled, 1);
	ck_assert_uint_lt(st.ok, 15000);
	/* The answers are checked until the cancel stops the check too:
	 * every task done is counted ok only when the check went through. */
	ck_assert_uint_le(st.ok, run_tasks_done(r));
	if (st.checked)
		ck_assert_uint_eq(run_tasks_done(r), st.ok);
	run_free(r);
	evring_free(ring);
	free(t.ev);
}
END_TEST

START_TEST(test_untraced_run)
{
	struct run_config cfg = config("sumsq", 100000, 6, MODEL_THREADS, 2, 1);
	struct run_stats st;
	char err[256];
	struct run *r = run_start(&cfg, NULL, err, sizeof err);

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(run_wait(r, &st), 0);
	ck_assert_uint_eq(st.ok, 6);
	ck_assert_uint_eq(st.wrong, 0);
	ck_assert_uint_eq(st.events, 0);
	ck_assert_ptr_nonnull(run_result(r, 5));
	ck_assert_ptr_null(run_result(r, 6));
	run_free(r);
}
END_TEST

START_TEST(test_refused)
{
	struct run_config cfg = config("nosuch", 10, 2, MODEL_THREADS, 1, 1);
	char err[256];
	struct evring *ring = evring_new(64);

	ck_assert_ptr_null(run_start(&cfg, NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "cannot run"));
	/* Worker processes cannot push into a ring for threads. */
	cfg = config("fib", 10, 2, MODEL_PROCS, 1, 1);
	ck_assert_ptr_null(run_start(&cfg, ring, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "evring_new_shared"));
	evring_free(ring);
	cfg = config("fib", 10, 2, MODEL_THREADS, 0, 1);
	ck_assert_ptr_null(run_start(&cfg, NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "bad number of workers"));
}
END_TEST

static size_t count_kind(const struct trace *t, enum ev_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += t->ev[i].kind == kind;
	return n;
}

/* An I/O scenario starts the embedded server itself and gets the
 * pokedex names right, waiting (io) once per task. */
START_TEST(test_io_embedded)
{
	struct run_config cfg = config("pokemon", 1, 6, MODEL_THREADS, 3, 1);
	struct run_stats st;
	struct trace t = { 0 };
	char err[256], text[256];
	struct evring *ring = evring_new(1024);
	struct run *r;

	snprintf(cfg.sc.urls, sizeof cfg.sc.urls, "/pokedex/{n}");
	r = run_start(&cfg, ring, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_ptr_nonnull(run_server_url(r));
	ck_assert_int_eq(strncmp(run_server_url(r), "http://127.0.0.1:", 17),
			 0);
	while (!run_finished(r)) {
		evring_wait(ring, 20);
		check_collect(ring, &t);
	}
	ck_assert_int_eq(run_wait(r, &st), 0);
	check_collect(ring, &t);
	ck_assert_uint_eq(st.ok, 6);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(st.wrong, 0);
	ck_assert_uint_eq(count_kind(&t, EV_IO), 6);
	ck_assert_uint_eq(report_results(text, sizeof text, r, 0), 6);
	ck_assert_str_eq(text, "Bulbasaur, Ivysaur, Venusaur, Charmander, "
			       "Charmeleon, Charizard");
	ck_assert_uint_eq(report_results(text, sizeof text, r, 1), 0);
	ck_assert_str_eq(text, "");
	run_free(r);
	evring_free(ring);
	free(t.ev);
}
END_TEST

/* URLs nobody answers: every task fails with an error marker, the run
 * completes, and no server was started for absolute URLs. */
START_TEST(test_io_refused)
{
	struct run_config cfg = config("http", 1, 10, MODEL_THREADS, 2, 1);
	struct urllist urls;
	struct run_stats st;
	struct trace t = { 0 };
	char err[256], text[256];
	struct evring *ring = evring_new(1024);
	struct run *r;

	ck_assert_int_eq(
		urllist_words("http://127.0.0.1:1/a", &urls, err, sizeof err),
		0);
	cfg.urls = &urls;
	r = run_start(&cfg, ring, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_ptr_null(run_server_url(r));
	while (!run_finished(r)) {
		evring_wait(ring, 20);
		check_collect(ring, &t);
	}
	ck_assert_int_eq(run_wait(r, &st), 0);
	check_collect(ring, &t);
	ck_assert_uint_eq(st.ok, 0);
	ck_assert_uint_eq(st.failed, 10);
	ck_assert_uint_eq(count_kind(&t, EV_ERROR), 10);
	ck_assert_uint_eq(report_results(text, sizeof text, r, 1), 10);
	ck_assert_str_eq(text, "10 x connection refused");
	run_free(r);
	evring_free(ring);
	urllist_free(&urls);
	free(t.ev);
}
END_TEST

START_TEST(test_io_bad_urls)
{
	struct run_config cfg = config("http", 1, 2, MODEL_SYNC, 1, 1);
	char err[256];

	snprintf(cfg.sc.urls, sizeof cfg.sc.urls, "ftp://x");
	ck_assert_ptr_null(run_start(&cfg, NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "has bad urls"));
}
END_TEST

/* The text of report_results for a whole untraced run of cfg. */
static void results_of(struct run_config cfg, size_t covers, const char *want)
{
	struct run_stats st;
	char err[256], text[64];
	struct run *r = run_start(&cfg, NULL, err, sizeof err);

	ck_assert_msg(r != NULL, "%s", err);
	run_wait(r, &st);
	ck_assert_uint_eq(report_results(text, sizeof text, r, 0), covers);
	ck_assert_str_eq(text, want);
	run_free(r);
}

/* Few distinct answers are grouped; many are listed in task order, cut
 * to the buffer. */
START_TEST(test_results_text)
{
	results_of(config("fib", 10, 7, MODEL_SYNC, 1, 0), 7, "7 x 55");
	results_of(config("fib", 10, 30, MODEL_SYNC, 1, 0), 30, "30 x 55");
	results_of(config("sumsq", 1, 30, MODEL_SYNC, 1, 0), 30,
		   "0, 1, 5, 14, 30, 55, 91, 140, 204, 285, ... (20 more)");
}
END_TEST

/* How the other tasks' I/O waits lie against a span of time: ended
 * inside it, or begun before it and ended after it (held up across it). */
struct io_count {
	size_t inside, across;
};

/* The first and the last event of task `task`. */
static void task_span(const struct trace *t, uint32_t task, int64_t *from,
		      int64_t *to)
{
	*from = INT64_MAX;
	*to = INT64_MIN;
	for (size_t i = 0; i < t->n; i++) {
		if (t->ev[i].task != task)
			continue;
		if (t->ev[i].ts_ns < *from)
			*from = t->ev[i].ts_ns;
		if (t->ev[i].ts_ns > *to)
			*to = t->ev[i].ts_ns;
	}
}

/* An I/O wait ends at its task's next event (the answer is read). */
static struct io_count io_ends(const struct trace *t, uint32_t tasks,
			       uint32_t hog, int64_t from, int64_t to)
{
	struct io_count c = { 0, 0 };
	int64_t *since = calloc(tasks, sizeof *since); /* 0: not in I/O */

	ck_assert_ptr_nonnull(since);
	for (size_t i = 0; i < t->n; i++) {
		const struct ev *e = &t->ev[i];
		if (e->task >= tasks || e->task == hog)
			continue;
		if (since[e->task] && e->kind != EV_IO) {
			c.inside += e->ts_ns > from && e->ts_ns < to;
			c.across += since[e->task] < from && e->ts_ns > to;
			since[e->task] = 0;
		} else if (e->kind == EV_IO && !since[e->task]) {
			since[e->task] = e->ts_ns;
		}
	}
	free(since);
	return c;
}

/* The `starve` scenario (its file), its hog made shorter; runs it with
 * `model` and counts the others' I/O waits against the hog's span. */
static struct io_count starve(enum model_id model, int64_t *span)
{
	struct run_config cfg = config("http", 1, 1, model, 5, 1);
	struct run_stats st;
	struct trace t;
	struct io_count c;
	int64_t from, to;
	char err[512];

	ck_assert_msg(scenario_load("starve", &cfg.sc, err, sizeof err) == 0,
		      "%s", err);
	ck_assert_str_eq(cfg.sc.hog_workload, "fib");
	cfg.sc.hog_arg = 40; /* a quarter second or more: > the latency */
	t = run_all(&cfg, 1 << 16, &st);
	ck_assert_uint_eq(st.ok, (uint64_t)cfg.sc.tasks);
	ck_assert_uint_eq(st.wrong, 0);
	task_span(&t, (uint32_t)cfg.sc.hog_task, &from, &to);
	c = io_ends(&t, (uint32_t)cfg.sc.tasks, (uint32_t)cfg.sc.hog_task, from,
		    to);
	*span = to - from;
	free(t.ev);
	return c;
}

/* Under async the hog never awaits: while it computes no other task's
 * answer is read, though the tasks before it had sent their GETs. */
START_TEST(test_starve_async)
{
	int64_t span;
	struct io_count c = starve(MODEL_ASYNC, &span);

	ck_assert_uint_eq(c.inside, 0);
	ck_assert_uint_ge(c.across, 10);
	ck_assert_int_gt(span, 150 * 1000000LL); /* longer than a GET */
}
END_TEST

/* Threads are preempted: the others' answers are read while it computes
 * (a timing test: it needs the GIL's switch interval to be kept). */
START_TEST(test_starve_threads)
{
	int64_t span;
	struct io_count c;

	if (!check_timing_tests())
		return;
	c = starve(MODEL_THREADS, &span);
	ck_assert_uint_ge(c.inside, 1);
}
END_TEST

Suite *suite_run(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("models");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sync_in_order);
	tcase_add_test(tc, test_threads_every_task_once);
	tcase_add_test(tc, test_gil_serialises_cpu);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_untraced_run);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_io_embedded);
	tcase_add_test(tc, test_io_refused);
	tcase_add_test(tc, test_io_bad_urls);
	tcase_add_test(tc, test_results_text);
	tcase_add_test(tc, test_starve_async);
	tcase_add_test(tc, test_starve_threads);
	suite_add_tcase(s, tc);
	return s;
}
