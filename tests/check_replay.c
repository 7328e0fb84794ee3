/* check_replay.c - a saved trace read back (app/replay.h): real runs
 * recorded as the TUI records them, and runs made up event by event
 * (recording_new_cfg), exported with export_trace and read back must be
 * the same recordings: configuration, every event, every timeline query
 * the screens ask, the summary line, each task's answer, the race lab's
 * books at any moment. Then files replay must refuse, each with a
 * message naming what is wrong: no file, a directory, nothing, JSON that
 * is not a conviz trace, another version, a file cut short, and every
 * field of a real trace broken in turn (jansson edits it here). */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_suites.h"
#include "app/export.h"
#include "app/recording.h"
#include "app/replay.h"
#include "app/report.h"
#include "app/run.h"
#include "app/scenario.h"
#include "core/ev.h"
#include "core/ledger.h"
#include "core/timeline.h"
#include "core/urllist.h"
#include "models/model.h"
#include "models/procs.h"

/* ---- Files ------------------------------------------------------------ */

static void make_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/conviz-replay.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Removes the files tests leave in dir (their names), then dir. */
static void remove_dir(const char *dir)
{
	static const char *const names[] = { "a.json", "b.json", "cut.json",
					     "big.json", "empty.json" };
	char path[512];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	ck_assert_int_eq(rmdir(dir), 0);
}

static void spill(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Exports recs[0..n) to dir/name and reads them back: the recordings.
 * Written out again (dir/b.json), they make the very same file. */
static struct recording **round_trip(const struct recording *const *recs, int n,
				     const char *dir, const char *name)
{
	struct recording **back;
	char path[512], again[512], err[512], *a, *b;
	size_t alen, blen;
	int got;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_msg(export_trace(recs, n, path, err, sizeof err) == 0, "%s",
		      err);
	ck_assert_msg(replay_load(path, &back, &got, err, sizeof err) == 0,
		      "%s", err);
	ck_assert_int_eq(got, n);
	snprintf(again, sizeof again, "%s/b.json", dir);
	ck_assert_msg(export_trace((const struct recording *const *)back, n,
				   again, err, sizeof err) == 0,
		      "%s", err);
	a = check_slurp(path, &alen);
	b = check_slurp(again, &blen);
	ck_assert_uint_eq(alen, blen);
	ck_assert_msg(memcmp(a, b, alen) == 0, "the trace written again "
					       "differs");
	free(a);
	free(b);
	return back;
}

/* ---- The same recording ----------------------------------------------- */

static void same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		ck_assert_ptr_eq(a, b);
	else
		ck_assert_str_eq(a, b);
}

static void same_config(const struct recording *a, const struct recording *b)
{
	const struct run_config *x = &a->cfg, *y = &b->cfg;

	ck_assert_str_eq(x->sc.name, y->sc.name);
	ck_assert_str_eq(x->sc.title, y->sc.title);
	ck_assert_str_eq(x->sc.workload, y->sc.workload);
	ck_assert_int_eq(x->sc.tasks, y->sc.tasks);
	ck_assert_int_eq(x->sc.arg, y->sc.arg);
	ck_assert_int_eq(x->model, y->model);
	ck_assert_int_eq(x->workers, y->workers);
	ck_assert_int_eq(x->gil, y->gil);
	ck_assert(x->seed == y->seed);
	ck_assert(x->scale == y->scale);
	ck_assert_int_eq(x->limit, y->limit);
	ck_assert_int_eq(x->chunk, y->chunk);
	ck_assert_int_eq(x->start, y->start);
	ck_assert_int_eq(run_config_view(x), run_config_view(y));
	ck_assert_ptr_null(y->urls);
	same_text(x->urls_from, y->urls_from);
	ck_assert_uint_eq(x->urls ? x->urls->count : x->urls_count,
			  y->urls_count);
	ck_assert_int_eq(a->origin_ns, b->origin_ns);
	ck_assert_uint_eq(a->ntasks, b->ntasks);
}

static void same_events(const struct recording *a, const struct recording *b)
{
	ck_assert_uint_eq(a->nev, b->nev);
	for (size_t i = 0; i < a->nev; i++) {
		const struct ev *x = &a->ev[i], *y = &b->ev[i];
		ck_assert_int_eq(x->ts_ns, y->ts_ns);
		ck_assert_int_eq(x->arg, y->arg);
		ck_assert_uint_eq(x->task, y->task);
		ck_assert_uint_eq(x->lane, y->lane);
		ck_assert_uint_eq(x->kind, y->kind);
	}
}

/* Lane L's markers of `kind` over the whole run, one list against the
 * other. */
static void same_markers(const struct recording *a, const struct recording *b,
			 int lane, enum ev_kind kind)
{
	int64_t end = recording_now(a) + 1;
	size_t n = timeline_marker_list(a->tl, lane, kind, 0, end, NULL, 0);
	struct timeline_marker *x = calloc(n + 1, sizeof *x),
			       *y = calloc(n + 1, sizeof *y);

	ck_assert_uint_eq(
		timeline_marker_list(b->tl, lane, kind, 0, end, NULL, 0), n);
	timeline_marker_list(a->tl, lane, kind, 0, end, x, n);
	timeline_marker_list(b->tl, lane, kind, 0, end, y, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(x[i].t, y[i].t);
		ck_assert_int_eq(x[i].arg, y[i].arg);
		ck_assert_uint_eq(x[i].task, y[i].task);
	}
	free(x);
	free(y);
}

/* Lane L of the current view: segment by segment, its shares over the
 * run and over a slice, its markers, its tasks. */
static void same_lane(const struct recording *a, const struct recording *b,
		      int lane)
{
	int64_t now = recording_now(a), sa[EV_STATE_COUNT], sb[EV_STATE_COUNT];
	struct timeline_seg x, y;
	size_t i;

	ck_assert_uint_eq(timeline_segments(a->tl, lane),
			  timeline_segments(b->tl, lane));
	for (i = 0; timeline_seg_nth(a->tl, lane, i, now, &x) == 0; i++) {
		ck_assert_int_eq(timeline_seg_nth(b->tl, lane, i, now, &y), 0);
		ck_assert_int_eq(x.start, y.start);
		ck_assert_int_eq(x.end, y.end);
		ck_assert_uint_eq(x.task, y.task);
		ck_assert_int_eq(x.state, y.state);
	}
	ck_assert_int_eq(timeline_seg_nth(b->tl, lane, i, now, &y), -1);
	timeline_shares(a->tl, lane, 0, now, now, sa);
	timeline_shares(b->tl, lane, 0, now, now, sb);
	ck_assert_mem_eq(sa, sb, sizeof sa);
	timeline_shares(a->tl, lane, now / 3, now / 2, now, sa);
	timeline_shares(b->tl, lane, now / 3, now / 2, now, sb);
	ck_assert_mem_eq(sa, sb, sizeof sa);
	ck_assert_uint_eq(timeline_markers(a->tl, lane, 0, now + 1),
			  timeline_markers(b->tl, lane, 0, now + 1));
	for (unsigned k = EV_STATE_COUNT; k < EV_KIND_COUNT; k++)
		same_markers(a, b, lane, (enum ev_kind)k);
	ck_assert_uint_eq(timeline_lane_tasks(a->tl, lane),
			  timeline_lane_tasks(b->tl, lane));
	ck_assert_uint_eq(timeline_lane_task_list(a->tl, lane, now, NULL, 0),
			  timeline_lane_task_list(b->tl, lane, now, NULL, 0));
}

/* Every timeline query, in both views (each left as it was found). */
static void same_timeline(const struct recording *a, const struct recording *b)
{
	enum timeline_view va = timeline_get_view(a->tl),
			   vb = timeline_get_view(b->tl);

	ck_assert_int_eq(recording_now(a), recording_now(b));
	ck_assert_int_eq(timeline_end(a->tl), timeline_end(b->tl));
	ck_assert_uint_eq(timeline_events(a->tl), timeline_events(b->tl));
	for (unsigned k = EV_STATE_COUNT; k < EV_KIND_COUNT; k++)
		ck_assert_uint_eq(timeline_marker_count(a->tl, k),
				  timeline_marker_count(b->tl, k));
	for (int v = 0; v < TIMELINE_VIEW_COUNT; v++) {
		timeline_set_view(a->tl, (enum timeline_view)v);
		timeline_set_view(b->tl, (enum timeline_view)v);
		ck_assert_int_eq(timeline_lanes(a->tl), timeline_lanes(b->tl));
		for (int l = 0; l < timeline_lanes(a->tl); l++) {
			if (v == TIMELINE_BY_WORKER)
				ck_assert_int_eq(timeline_lane_pid(a->tl, l),
						 timeline_lane_pid(b->tl, l));
			same_lane(a, b, l);
		}
	}
	timeline_set_view(a->tl, va);
	timeline_set_view(b->tl, vb);
}

/* What the summary, the invariant and a wrong answer say, and the rest
 * of the stats a screen reads. */
static void same_stats(const struct recording *a, const struct recording *b)
{
	char x[1024], y[1024];

	ck_assert_int_eq(a->ended, b->ended);
	report_summary(x, sizeof x, &a->cfg, &a->st);
	report_summary(y, sizeof y, &b->cfg, &b->st);
	ck_assert_str_eq(x, y);
	report_invariant(x, sizeof x, &a->cfg, &a->st);
	report_invariant(y, sizeof y, &b->cfg, &b->st);
	ck_assert_str_eq(x, y);
	report_wrong(x, sizeof x, &a->cfg, &a->st);
	report_wrong(y, sizeof y, &b->cfg, &b->st);
	ck_assert_str_eq(x, y);
	ck_assert_uint_eq(a->st.tasks, b->st.tasks);
	ck_assert_int_eq(a->st.start_ns, b->st.start_ns);
	ck_assert_int_eq(a->st.end_ns, b->st.end_ns);
	ck_assert_int_eq(a->st.status, b->st.status);
	ck_assert_int_eq(a->st.cancelled, b->st.cancelled);
	ck_assert_int_eq(a->st.checked, b->st.checked);
	ck_assert_uint_eq(a->st.gil_switches, b->st.gil_switches);
	ck_assert_str_eq(a->st.cycle, b->st.cycle);
	ck_assert_int_eq(a->st.ncycle, b->st.ncycle);
	for (int i = 0; i < a->st.ncycle; i++) {
		const struct rt_cycle_step *sa = &a->st.cycle_step[i],
					   *sb = &b->st.cycle_step[i];
		ck_assert_uint_eq(sa->task, sb->task);
		ck_assert_uint_eq(sa->lane, sb->lane);
		ck_assert_uint_eq(sa->holds, sb->holds);
		ck_assert_uint_eq(sa->wants, sb->wants);
	}
}

static void same_books(const struct ledger *x, const struct ledger *y)
{
	ck_assert_int_eq(x->origin, y->origin);
	ck_assert_int_eq(x->nvars, y->nvars);
	ck_assert_int_eq(x->copies, y->copies);
	ck_assert_int_eq(x->counting, y->counting);
	ck_assert_int_eq(x->initial, y->initial);
	ck_assert_int_eq(x->expected, y->expected);
	ck_assert_mem_eq(x->value, y->value, sizeof x->value);
	ck_assert_mem_eq(x->version, y->version, sizeof x->version);
	ck_assert_int_eq(x->sum, y->sum);
	ck_assert_uint_eq(x->writes, y->writes);
	ck_assert_int_eq(x->broken, y->broken);
	ck_assert_int_eq(x->broken_ns, y->broken_ns);
	ck_assert_uint_eq(x->breaks, y->breaks);
	ck_assert_uint_eq(x->lost, y->lost);
	ck_assert_int_eq(x->lost_amount, y->lost_amount);
	ck_assert_int_eq(x->nlocks, y->nlocks);
	for (int i = 0; i < x->nlocks; i++) {
		ck_assert_uint_eq(x->lock[i].holder, y->lock[i].holder);
		ck_assert_uint_eq(x->lock[i].depth, y->lock[i].depth);
	}
	ck_assert_uint_eq(x->nwaiter, y->nwaiter);
	ck_assert_int_eq(x->deadlock, y->deadlock);
}

/* The books as the run began, and as they stood at moments of it (a
 * deadlock's cycle drawn at the end, as the TUI does). */
static void same_ledger(const struct recording *a, const struct recording *b)
{
	int64_t now = recording_now(a);
	struct ledger x = { 0 }, y = { 0 };

	ck_assert_int_eq(a->has_ledger, b->has_ledger);
	if (!a->has_ledger)
		return;
	same_books(&a->ledger0, &b->ledger0);
	for (int i = 0; i <= 4; i++) {
		ck_assert_int_eq(recording_ledger_at(a, now * i / 4, &x), 0);
		ck_assert_int_eq(recording_ledger_at(b, now * i / 4, &y), 0);
		if (i == 4) {
			run_ledger_cycle(&x, &a->st);
			run_ledger_cycle(&y, &b->st);
		}
		same_books(&x, &y);
	}
	ledger_free(&x);
	ledger_free(&y);
}

/* b is a read back as it was recorded. */
static void same_recording(const struct recording *a, const struct recording *b)
{
	same_config(a, b);
	same_events(a, b);
	same_timeline(a, b);
	same_stats(a, b);
	for (uint32_t i = 0; i < a->ntasks; i++) {
		same_text(recording_result(a, i), recording_result(b, i));
		same_text(recording_what(a, i), recording_what(b, i));
		ck_assert_int_eq(recording_status(a, i),
				 recording_status(b, i));
	}
	ck_assert_int_eq(recording_status(b, a->ntasks), TASK_PENDING);
	same_ledger(a, b);
}

/* ---- Real runs, read back --------------------------------------------- */

/* Records a run, exports it, reads it back, compares. */
static void check_run(const char *scenario, int model, int workers)
{
	struct recording *rec = check_record(scenario, model, workers);
	const struct recording *recs[] = { rec };
	struct recording **back;
	char dir[64];

	make_dir(dir, sizeof dir);
	back = round_trip(recs, 1, dir, "a.json");
	same_recording(rec, back[0]);
	replay_free(back, 1);
	remove_dir(dir);
	recording_free(rec);
}

START_TEST(test_bank_unsafe)
{
	check_run("bank-unsafe", MODEL_THREADS, 4);
}
END_TEST

START_TEST(test_bank_safe)
{
	check_run("bank-safe", MODEL_THREADS, 4);
}
END_TEST

/* Async: by task, and each task's request. */
START_TEST(test_async)
{
	check_run("httpbin", MODEL_ASYNC, 1);
}
END_TEST

/* A --url-file run: the title counts the file's URLs in a replay too;
 * a trace without "urls_count" reads, with the scenario's own title. */
START_TEST(test_url_file_title)
{
	struct recording *rec = check_record("httpbin", MODEL_ASYNC, 1);
	const struct recording *recs[] = { rec };
	struct recording **back;
	char dir[64], path[128], want[256], got[256], err[512], *text;
	json_error_t je;
	json_t *root, *run;
	int n;

	rec->cfg.urls_count = 2;
	recording_set_urls_from(rec, "my urls.txt");
	report_title(&rec->cfg, want, sizeof want);
	ck_assert_msg(strstr(want, " GETs of the 2 URLs in my urls.txt "
				   "(I/O-bound)") != NULL,
		      "%s", want);
	make_dir(dir, sizeof dir);
	back = round_trip(recs, 1, dir, "a.json");
	report_title(&back[0]->cfg, got, sizeof got);
	ck_assert_str_eq(got, want);
	replay_free(back, 1);
	/* Without the count: the scenario's title. */
	snprintf(path, sizeof path, "%s/a.json", dir);
	root = json_load_file(path, 0, &je);
	ck_assert_ptr_nonnull(root);
	run = json_array_get(
		json_object_get(json_object_get(root, "conviz"), "runs"), 0);
	ck_assert_int_eq(json_object_del(run, "urls_count"), 0);
	text = json_dumps(root, JSON_COMPACT);
	ck_assert_int_eq(replay_parse(text, strlen(text), "t.json", &back, &n,
				      err, sizeof err),
			 0);
	ck_assert_uint_eq(back[0]->cfg.urls_count, 0);
	report_title(&back[0]->cfg, got, sizeof got);
	rec->cfg.urls_count = 0;
	report_title(&rec->cfg, want, sizeof want);
	ck_assert_str_eq(got, want);
	ck_assert_ptr_null(strstr(got, "my urls.txt"));
	replay_free(back, n);
	free(text);
	json_decref(root);
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

/* Worker processes: their pids on the lanes, their own copies of the
 * values in the books. */
START_TEST(test_procs)
{
	check_run("bank-unsafe", MODEL_PROCS, 2);
}
END_TEST

/* A deadlock: its cycle, and the tasks that gave up, failed. */
START_TEST(test_deadlock)
{
	struct recording *rec = check_record("deadlock", MODEL_THREADS, 2);
	const struct recording *recs[] = { rec };
	struct recording **back;
	char dir[64];

	ck_assert_int_eq(rec->st.deadlock, 1);
	ck_assert_int_gt(rec->st.ncycle, 0);
	make_dir(dir, sizeof dir);
	back = round_trip(recs, 1, dir, "a.json");
	same_recording(rec, back[0]);
	ck_assert_int_eq(recording_status(back[0], 0), TASK_FAILED);
	ck_assert_str_eq(recording_result(back[0], 0), "deadlock: gave up");
	replay_free(back, 1);
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

/* A comparison: two runs in one file, each itself. */
START_TEST(test_compare)
{
	struct recording *a = check_record("bank-unsafe", MODEL_THREADS, 4);
	struct recording *b = check_record("bank-unsafe", MODEL_SYNC, 1);
	const struct recording *recs[] = { a, b };
	struct recording **back;
	char dir[64];

	make_dir(dir, sizeof dir);
	back = round_trip(recs, 2, dir, "a.json");
	same_recording(a, back[0]);
	same_recording(b, back[1]);
	ck_assert_int_eq(back[1]->cfg.model, MODEL_SYNC);
	replay_free(back, 2);
	remove_dir(dir);
	recording_free(a);
	recording_free(b);
}
END_TEST

/* ---- Runs made up event by event ---------------------------------------- */

#define ORIGIN INT64_C(5000000000)

static struct recording *made_up(int ended)
{
	static const int64_t initial[] = { 10, -20, 30 };
	struct run_config cfg;
	struct recording *rec;
	struct ledger lg;
	char err[512];

	memset(&cfg, 0, sizeof cfg);
	ck_assert_msg(scenario_load("bank-safe", &cfg.sc, err, sizeof err) == 0,
		      "%s", err);
	cfg.sc.tasks = 3;
	cfg.model = MODEL_PROCS;
	cfg.workers = 3;
	cfg.seed = UINT64_MAX; /* a string in the file */
	cfg.scale = 2.5;
	cfg.limit = 7;
	cfg.chunk = 3;
	cfg.start = PROCS_SPAWN;
	cfg.view = TIMELINE_BY_TASK;
	cfg.urls_count = 2;
	rec = recording_new_cfg(&cfg, ORIGIN);
	ck_assert_uint_eq(rec->ntasks, 3);
	ck_assert_int_eq(rec->has_ledger, 0);
	recording_set_urls_from(rec, "urls \xc3\xa9t\xc3\xa9.txt");
	ck_assert_str_eq(rec->cfg.urls_from, "urls \xc3\xa9t\xc3\xa9.txt");
	ledger_init(&lg, ORIGIN, 3, initial, 20, 2);
	recording_set_ledger(rec, &lg);
	ck_assert_int_eq(rec->has_ledger, 1);
	recording_set_result(rec, 0, TASK_OK, "a \"quoted\"\nanswer");
	recording_set_result(rec, 1, TASK_FAILED, "");
	recording_set_result(rec, 2, TASK_FAILED, "deadlock: gave up");
	ck_assert_int_eq(recording_status(rec, 1), TASK_FAILED);
	ck_assert_ptr_null(recording_result(rec, 1));
	recording_set_what(rec, 2, "GET /x");
	recording_set_what(rec, 7, "ignored");
	if (ended) {
		struct run_stats st = { .tasks = 3, .ok = 2, .wrong = 1 };
		st.first_wrong = 2;
		snprintf(st.wrong_got, sizeof st.wrong_got, "41");
		snprintf(st.wrong_want, sizeof st.wrong_want, "42");
		st.status = -1;
		st.wall_s = 1.0 / 3;
		st.start_ns = ORIGIN + 10;
		st.end_ns = ORIGIN + 9000000;
		st.race = 1;
		st.expected_sum = 20;
		st.final_sum = 21;
		st.locks = 2;
		st.deadlock = 1;
		snprintf(st.cycle, sizeof st.cycle, "t0 holds L0, wants L1");
		st.ncycle = 2;
		st.cycle_step[0] = (struct rt_cycle_step){ 0, 1, 0, 1 };
		st.cycle_step[1] = (struct rt_cycle_step){ 1, 2, 1, 0 };
		recording_set_end(rec, &st, 9000000);
	}
	return rec;
}

static void add(struct recording *rec, int64_t t, int lane, uint32_t task,
		enum ev_kind kind, int64_t arg)
{
	struct ev e = { .ts_ns = ORIGIN + t,
			.arg = arg,
			.task = task,
			.lane = (uint16_t)lane,
			.kind = (uint16_t)kind };

	recording_add(rec, &e);
}

/* Events of every kind: one stamped before the origin, lanes out of
 * order with each other, a lane far off, a pid, the books' markers. */
static void made_up_events(struct recording *rec)
{
	add(rec, -5, 0, EV_NO_TASK, EV_STARTUP, 4242);
	add(rec, 100, 0, 0, EV_CPU, 0);
	add(rec, 50, 1, 1, EV_IO, 0);
	add(rec, 200, 0, 0, EV_READ, ev_access(1, 0, -20));
	add(rec, 300, 0, 0, EV_WRITE, ev_access(1, 1, -15));
	add(rec, 320, 1, 1, EV_WRITE, ev_access(1, 1, -10));
	add(rec, 330, 1, 1, EV_LOST_UPDATE, ev_lost(1, 5, 0, 0));
	add(rec, 400, 1, 1, EV_ACQUIRE, 1);
	add(rec, 410, 0, 0, EV_LOCK_WAIT, 1);
	add(rec, 420, 2, 2, EV_GIL_WAIT, 0);
	add(rec, 430, 2, 2, EV_ERROR, -1003);
	add(rec, 500, 1, 1, EV_RELEASE, 1 | EV_RELEASE_ALL);
	add(rec, 510, 0, 0, EV_ACQUIRE, 1);
	add(rec, 520, 0, 0, EV_DEADLOCK, 0);
	add(rec, 600, 2, 2, EV_READY, 0);
	add(rec, 650, 2, 2, EV_STALL, 0);
	add(rec, 700, 1, 1, EV_IDLE, 0);
	add(rec, 800, 65535, EV_NO_TASK, EV_DONE, INT64_MIN);
	add(rec, 900, 2, 2, EV_DONE, INT64_MAX);
}

/* Every field, every kind, a seed past INT64_MAX, a --url-file, a
 * deadlock's cycle, a wrong answer: written and read back the same. */
START_TEST(test_made_up)
{
	for (int ended = 0; ended <= 1; ended++) {
		struct recording *rec = made_up(ended);
		const struct recording *recs[] = { rec };
		struct recording **back;
		char dir[64], path[128], *text;
		size_t len;

		made_up_events(rec);
		make_dir(dir, sizeof dir);
		back = round_trip(recs, 1, dir, "a.json");
		snprintf(path, sizeof path, "%s/a.json", dir);
		same_recording(rec, back[0]);
		ck_assert(back[0]->cfg.seed == UINT64_MAX);
		ck_assert_int_eq(timeline_lane_pid(back[0]->tl, 0), 4242);
		ck_assert_int_eq(back[0]->ledger0.value[1], -20);
		ck_assert_int_eq(back[0]->ended, ended);
		text = check_slurp(path, &len);
		ck_assert_ptr_nonnull(
			strstr(text, ",\"seed\":\"18446744073709551615\","));
		ck_assert_ptr_nonnull(strstr(
			text,
			",\"ledger\":{\"nvars\":3,\"initial\":[10,-20,30],"
			"\"expected\":20,\"nlocks\":2,\"copies\":false,"
			"\"counting\":false},"));
		if (ended)
			ck_assert_ptr_nonnull(strstr(
				text,
				",\"cycle_steps\":[[0,1,0,1],[1,2,1,0]],"));
		free(text);
		replay_free(back, 1);
		remove_dir(dir);
		recording_free(rec);
	}
}
END_TEST

/* Times as far from the origin as a trace may put them: read, and drawn
 * (a cell of the whole run weighs 100 times a share: fuzz_trace found
 * that times past 2^56 ns overflow it). */
START_TEST(test_far_times)
{
	struct recording *rec = made_up(1);
	const struct recording *recs[] = { rec };
	struct recording **back;
	char dir[64];

	add(rec, -REPLAY_T_MAX, 0, 0, EV_CPU, 0);
	add(rec, REPLAY_T_MAX / 2, 1, 1, EV_IO, 0);
	add(rec, REPLAY_T_MAX, 0, 0, EV_GIL_WAIT, 0);
	make_dir(dir, sizeof dir);
	back = round_trip(recs, 1, dir, "a.json");
	same_recording(rec, back[0]);
	ck_assert_int_eq(recording_now(back[0]), REPLAY_T_MAX);
	ck_assert_int_eq(
		timeline_cell(back[0]->tl, 0, 0, REPLAY_T_MAX, REPLAY_T_MAX, 0),
		EV_CPU);
	replay_free(back, 1);
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

/* ---- Edited traces: jansson changes one field, replay names it -------- */

/* A small real trace (bank-unsafe, threads, 2 workers), parsed. */
static json_t *base_trace(void)
{
	struct recording *rec = check_record("bank-unsafe", MODEL_THREADS, 2);
	const struct recording *recs[] = { rec };
	char dir[64], path[128], err[512];
	json_error_t je;
	json_t *root;

	make_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/a.json", dir);
	ck_assert_msg(export_trace(recs, 1, path, err, sizeof err) == 0, "%s",
		      err);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	ck_assert_msg(root != NULL, "%s", je.text);
	remove_dir(dir);
	recording_free(rec);
	return root;
}

/* Sets the member at path ("runs/0/events/3/1", from the "conviz"
 * section; array indices as numbers) to the JSON text `value`, or
 * removes it (value NULL). */
static void edit(json_t *root, const char *path, const char *value)
{
	json_t *at = json_object_get(root, "conviz"), *v = NULL;
	char buf[128], *part, *next;
	json_error_t je;

	snprintf(buf, sizeof buf, "%s", path);
	if (value != NULL) {
		v = json_loads(value, JSON_DECODE_ANY, &je);
		ck_assert_msg(v != NULL, "%s: %s", value, je.text);
	}
	for (part = buf; (next = strchr(part, '/')) != NULL; part = next + 1) {
		*next = '\0';
		at = json_is_array(at)
			     ? json_array_get(at, strtoul(part, 0, 10))
			     : json_object_get(at, part);
		ck_assert_msg(at != NULL, "no %s in %s", part, path);
	}
	if (json_is_array(at) && v != NULL)
		ck_assert_int_eq(
			json_array_set_new(at, strtoul(part, 0, 10), v), 0);
	else if (json_is_array(at))
		ck_assert_int_eq(json_array_remove(at, strtoul(part, 0, 10)),
				 0);
	else if (v != NULL)
		ck_assert_int_eq(json_object_set_new(at, part, v), 0);
	else
		ck_assert_int_eq(json_object_del(at, part), 0);
}

/* Reads `text` (len bytes) as "t.json": 0 and the runs freed, or -1 and
 * the message in err, checked to be one clean line. */
static int parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct recording **recs = (struct recording **)1;
	int n = -1, rc;

	rc = replay_parse(text, len, "t.json", &recs, &n, err, errlen);
	if (rc == 0) {
		ck_assert_int_ge(n, 1);
		replay_free(recs, n);
		return 0;
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(recs);
	ck_assert_int_eq(n, 0);
	ck_assert_msg(strncmp(err, "t.json", 6) == 0, "%s", err);
	for (const char *p = err; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 && *p != 0x7f, "%s",
			      err);
	return -1;
}

/* Up to two edits, and what the message must say. */
struct bad_edit {
	const char *path, *value, *path2, *value2;
	const char *want;
};

static const struct bad_edit bad_edits[] = {
	{ "version", "\"1\"", 0, 0, "\"version\" must be an integer" },
	{ "kinds", "\"cpu\"", 0, 0, "\"kinds\" must be an array" },
	{ "kinds/3", "\"cpu\"", 0, 0, "\"kinds\" names \"cpu\" twice" },
	{ "kinds/3", "7", 0, 0,
	  "t.json: kind 3 of \"kinds\" must be a name (a string), not 7" },
	{ "runs", "[]", 0, 0, "\"runs\" must be an array of 1 to 1024 runs" },
	{ "runs", NULL, 0, 0, "\"runs\" is missing" },
	{ "runs/0", "[]", 0, 0,
	  "run 1: a run must be an object, not an empty array" },
	{ "runs/0/scenario", "\"../etc\"", 0, 0, "\"scenario\" must be" },
	{ "runs/0/scenario", "\"a-very-long-name-of-32-bytes-xyz\"", 0, 0,
	  "\"scenario\" must be a string of at most 31 bytes" },
	{ "runs/0/title", "\"a\\u001bb\"", 0, 0,
	  "\"title\" must be a string of at most 255 bytes without control "
	  "characters, not \"a?b\"" },
	{ "runs/0/workload", "\"nope\"", 0, 0,
	  "\"workload\" must be one of \"fib\"" },
	{ "runs/0/model", "\"fibers\"", 0, 0,
	  "run 1: \"model\" must be one of \"sync\", \"threads\", \"async\", "
	  "\"procs\", not \"fibers\": replay reads traces written by conviz "
	  "--trace" },
	{ "runs/0/model", NULL, 0, 0, "run 1: \"model\" is missing (one of" },
	{ "runs/0/workers", "\"4\"", 0, 0,
	  "\"workers\" must be an integer from 1 to 1024, not \"4\"" },
	{ "runs/0/workers", "0", 0, 0, "\"workers\" must be an integer" },
	{ "runs/0/gil", "1", 0, 0, "\"gil\" must be true or false, not 1" },
	{ "runs/0/seed", "-1", 0, 0, "\"seed\" must be a whole number" },
	{ "runs/0/seed", "\"12x\"", 0, 0, "\"seed\" must be a whole number" },
	{ "runs/0/seed", "\"18446744073709551616\"", 0, 0, "\"seed\" must be" },
	{ "runs/0/scale", "0", 0, 0, "\"scale\" must be a number above 0" },
	{ "runs/0/scale", "1e300", 0, 0, "\"scale\" must be a number" },
	{ "runs/0/tasks", "-1", 0, 0,
	  "\"tasks\" must be an integer from 1 to 1000000, not -1" },
	{ "runs/0/tasks", "20000000", 0, 0,
	  "\"tasks\" must be an integer from 1 to 1000000" },
	{ "runs/0/tasks", "21", 0, 0,
	  "\"results\" must be an array of 21 strings or nulls (one a task), "
	  "not an array of 20 items" },
	{ "runs/0/arg", "65", 0, 0,
	  "\"arg\" must be an integer from 2 to 64, not 65" },
	{ "runs/0/limit", "-1", 0, 0, "\"limit\" must be an integer" },
	{ "runs/0/chunk", "1.5", 0, 0, "\"chunk\" must be an integer" },
	{ "runs/0/start", "\"vfork\"", 0, 0,
	  "\"start\" must be one of \"forkserver\", \"fork\", \"spawn\"" },
	{ "runs/0/view", "2", 0, 0, "\"view\" must be an integer from 0 to 1" },
	{ "runs/0/urls_from", "3", 0, 0,
	  "\"urls_from\" must be a file name (a string) or null, not 3" },
	{ "runs/0/urls_count", "-1", 0, 0,
	  "\"urls_count\" must be an integer from 0 to 10000, not -1" },
	{ "runs/0/urls_count", "\"2\"", 0, 0,
	  "\"urls_count\" must be an integer from 0 to 10000, not \"2\"" },
	{ "runs/0/origin_ns", "-5", 0, 0, "\"origin_ns\" must be an integer" },
	{ "runs/0/ended", "null", 0, 0, "\"ended\" must be true or false" },
	{ "runs/0/end_ns", "-1", 0, 0, "\"end_ns\" must be an integer" },
	{ "runs/0/run_end_ns", "9223372036854775807", 0, 0,
	  "\"run_end_ns\" must be 0 or within 2^52 ns (52 days) of origin_ns, "
	  "not 9223372036854775807" },
	{ "runs/0/run_start_ns", "-1", 0, 0,
	  "\"run_start_ns\" must be an integer from 0 up, not -1" },
	{ "runs/0/final_sum", "-4611686018427387904", 0, 0,
	  "\"final_sum\" must be an integer from -2305843009213693952 to "
	  "2305843009213693952" },
	{ "runs/0/ok", "-1", 0, 0,
	  "\"ok\" must be an integer from 0 to 4294967295, not -1" },
	{ "runs/0/first_wrong", "-2", 0, 0, "\"first_wrong\" must be" },
	{ "runs/0/wall_s", "\"fast\"", 0, 0,
	  "\"wall_s\" must be a number of seconds from 0 to 9e9, not "
	  "\"fast\"" },
	{ "runs/0/cpu_s", "-0.5", 0, 0, "\"cpu_s\" must be a number" },
	{ "runs/0/events_pushed", "-3", 0, 0,
	  "\"events_pushed\" must be an integer from 0 up, not -3" },
	{ "runs/0/locks", "65", 0, 0, "\"locks\" must be an integer" },
	{ "runs/0/deadlock", "0", 0, 0, "\"deadlock\" must be true or false" },
	{ "runs/0/cycle", "null", 0, 0, "\"cycle\" must be a string" },
	{ "runs/0/cycle_steps", "{}", 0, 0,
	  "\"cycle_steps\" must be an array" },
	{ "runs/0/cycle_steps", "[[0,0,0]]", 0, 0,
	  "\"cycle_steps\" step 1 must be [TASK,LANE,HOLDS,WANTS]" },
	{ "runs/0/cycle_steps", "[[20,0,0,0]]", 0, 0,
	  "\"cycle_steps\" step 1 must be" },
	{ "runs/0/ledger", "5", 0, 0, "\"ledger\" must be an object or null" },
	{ "runs/0/ledger/nvars", "65", 0, 0,
	  "run 1, in \"ledger\": \"nvars\" must be an integer from 0 to 64, "
	  "not 65" },
	{ "runs/0/ledger/initial/0", NULL, 0, 0,
	  "run 1, in \"ledger\": \"initial\" must be an array of 5 "
	  "integers" },
	{ "runs/0/ledger/initial/0", "1099511627776", 0, 0,
	  "\"initial\" must be an array of 5 integers (one a value, 32-bit)" },
	{ "runs/0/ledger/expected", "9223372036854775807", 0, 0,
	  "\"expected\" must be an integer" },
	{ "runs/0/ledger/nlocks", "-1", 0, 0, "\"nlocks\" must be" },
	{ "runs/0/ledger/copies", "1", 0, 0,
	  "\"copies\" must be true or false, not 1" },
	{ "runs/0/ledger/counting", NULL, 0, 0, "\"counting\" is missing" },
	{ "runs/0/results", "{}", 0, 0, "\"results\" must be an array of 20" },
	{ "runs/0/results/3", "5", 0, 0,
	  "run 1: \"results\" of task 3 must be a string or null, not 5" },
	{ "runs/0/outcomes", NULL, 0, 0,
	  "run 1: \"outcomes\" is missing (an array of 20 \"ok\", \"failed\" "
	  "or nulls (one a task))" },
	{ "runs/0/outcomes/19", NULL, 0, 0,
	  "\"outcomes\" must be an array of 20 \"ok\", \"failed\" or nulls "
	  "(one a task), not an array of 19 items" },
	{ "runs/0/outcomes/4", "\"OK\"", 0, 0,
	  "run 1: \"outcomes\" of task 4 must be \"ok\", \"failed\" or null, "
	  "not \"OK\"" },
	{ "runs/0/outcomes/4", "false", 0, 0,
	  "\"outcomes\" of task 4 must be \"ok\"" },
	{ "runs/0/what/0", NULL, 0, 0, "\"what\" must be an array of 20" },
	{ "runs/0/what/19", "[]", 0, 0,
	  "\"what\" of task 19 must be a string or null, not an empty array" },
	{ "runs/0/events", "{}", 0, 0, "\"events\" must be an array of" },
	{ "runs/0/events", NULL, 0, 0, "\"events\" is missing" },
	{ "runs/0/events/2", "5", 0, 0,
	  "run 1, event 3: an event must be [T,LANE,TASK,KIND,ARG], not 5" },
	{ "runs/0/events/2/4", NULL, 0, 0,
	  "event 3: an event must be [T,LANE,TASK,KIND,ARG], not an array of 4 "
	  "items" },
	{ "runs/0/events/2/4", "\"x\"", 0, 0,
	  "event 3: its arg must be an integer, not \"x\"" },
	{ "runs/0/events/2/0", "4611686018427387904", 0, 0,
	  "event 3: its time 4611686018427387904 ns is out of range" },
	{ "runs/0/events/2/1", "65536", 0, 0,
	  "event 3: its lane 65536 is out of range (0..65535)" },
	{ "runs/0/events/2/1", "-1", 0, 0, "its lane -1 is out of range" },
	{ "runs/0/events/2/2", "20", 0, 0,
	  "event 3: its task 20 is out of range (-1 for none, or a task "
	  "0..19)" },
	{ "runs/0/events/2/2", "4294967296", 0, 0,
	  "its task 4294967296 is out of range" },
	{ "runs/0/events/2/2", "-2", 0, 0, "its task -2 is out of range" },
	{ "runs/0/events/2/3", "99", 0, 0,
	  "event 3: its kind 99 is not in \"kinds\"" },
	{ "runs/0/events/2/3", "-1", 0, 0, "its kind -1 is not in \"kinds\"" },
	{ "kinds/3", "\"warp\"", "runs/0/events/2/3", "3",
	  "its kind 3 (\"warp\") is not a kind this conviz knows" },
	{ "runs/1", "{}", 0, 0, "run 2: \"scenario\" is missing" },
};

START_TEST(test_bad_fields)
{
	json_t *base = base_trace();
	char err[1024];
	char *text;

	/* As it is: read. */
	text = json_dumps(base, JSON_COMPACT);
	ck_assert_int_eq(parse(text, strlen(text), err, sizeof err), 0);
	free(text);
	for (size_t i = 0; i < sizeof bad_edits / sizeof bad_edits[0]; i++) {
		const struct bad_edit *b = &bad_edits[i];
		json_t *root = json_deep_copy(base);
		if (strcmp(b->path, "runs/1") == 0)
			json_array_append_new(
				json_object_get(json_object_get(root, "conviz"),
						"runs"),
				json_object());
		else
			edit(root, b->path, b->value);
		if (b->path2 != NULL)
			edit(root, b->path2, b->value2);
		text = json_dumps(root, JSON_COMPACT);
		ck_assert_msg(parse(text, strlen(text), err, sizeof err) == -1,
			      "%s=%s read", b->path, b->value);
		ck_assert_msg(strstr(err, b->want) != NULL,
			      "%s=%s: \"%s\" does not say \"%s\"", b->path,
			      b->value, err, b->want);
		ck_assert_msg(strstr(err, ": replay reads traces written by "
					  "conviz --trace") != NULL,
			      "%s", err);
		free(text);
		json_decref(root);
	}
	json_decref(base);
}
END_TEST

/* "kinds" names the file's numbers: a file that numbers them otherwise
 * reads the same. And keys replay does not know are no error. */
START_TEST(test_kinds_by_name)
{
	json_t *base = base_trace(), *kinds, *events, *e;
	struct recording **a, **b;
	char err[512], *text;
	size_t i;
	int n;

	text = json_dumps(base, JSON_COMPACT);
	ck_assert_int_eq(
		replay_parse(text, strlen(text), "a", &a, &n, err, sizeof err),
		0);
	free(text);
	/* cpu (2) and io (3) swap numbers, in the table and the events. */
	kinds = json_object_get(json_object_get(base, "conviz"), "kinds");
	json_array_set_new(kinds, 2, json_string("io"));
	json_array_set_new(kinds, 3, json_string("cpu"));
	json_array_append_new(kinds, json_string("from-the-future"));
	events = json_object_get(
		json_array_get(json_object_get(json_object_get(base, "conviz"),
					       "runs"),
			       0),
		"events");
	json_array_foreach(events, i, e)
	{
		json_int_t k = json_integer_value(json_array_get(e, 3));
		if (k == 2 || k == 3)
			json_array_set_new(e, 3, json_integer(5 - k));
	}
	json_object_set_new(json_object_get(base, "conviz"), "later",
			    json_true());
	text = json_dumps(base, JSON_COMPACT);
	ck_assert_msg(replay_parse(text, strlen(text), "b", &b, &n, err,
				   sizeof err) == 0,
		      "%s", err);
	same_recording(a[0], b[0]);
	ck_assert_uint_gt(timeline_marker_count(b[0]->tl, EV_WRITE), 0);
	free(text);
	replay_free(a, 1);
	replay_free(b, 1);
	json_decref(base);
}
END_TEST

/* ---- Files that are no conviz trace ------------------------------------ */

static void says(const char *err, const char *want)
{
	ck_assert_msg(strstr(err, want) != NULL, "\"%s\" does not say \"%s\"",
		      err, want);
}

static void refused(const char *text, const char *want)
{
	char err[1024];

	ck_assert_int_eq(parse(text, strlen(text), err, sizeof err), -1);
	says(err, want);
}

START_TEST(test_not_traces)
{
	refused("{}", "t.json is not a conviz trace (no \"conviz\" section): "
		      "replay reads traces written by conviz --trace");
	refused("[]", "t.json is not a conviz trace (its JSON is an array, "
		      "not an object)");
	refused("{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,"
		"\"tid\":1,\"ts\":0,\"dur\":1}],\"displayTimeUnit\":\"ms\"}",
		"t.json is not a conviz trace (no \"conviz\" section)");
	refused("[{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":0}]",
		"is not a conviz trace");
	refused("{\"conviz\":[]}",
		"t.json: \"conviz\" must be an object, not an empty array");
	refused("{\"conviz\":{\"version\":2,\"kinds\":[],\"runs\":[]}}",
		"t.json is a conviz trace of version 2, and this conviz "
		"reads version 1: replay it with the conviz that wrote it");
	refused("{\"conviz\":{}}", "t.json: \"version\" is missing");
	/* Not JSON: jansson's line and column. */
	refused("{\"a\":1,}", "t.json is not valid JSON (line 1, column 8: ");
	refused("{\n\"conviz\":{},\n\"conviz\":{}}",
		"t.json is not valid JSON (line 3, column ");
	refused("{\"a\":\"\\u0000\"}", "is not valid JSON");
	refused("{\"a\":\"\xff\"}", "is not valid JSON");
	refused("{\"a\":[1,2", "t.json ends too soon, as if cut short");
	refused(" ", "t.json ends too soon");
	refused("{} {}", "is not valid JSON");
	refused("{\"seed\":18446744073709551615}", "is not valid JSON");
}
END_TEST

START_TEST(test_bad_files)
{
	struct recording *rec = check_record("bank-unsafe", MODEL_SYNC, 1);
	const struct recording *recs[] = { rec };
	struct recording **back = NULL;
	char dir[64], path[128], err[1024], *text;
	size_t len;
	int n = 0, fd;

	make_dir(dir, sizeof dir);
	/* No such file; a directory; nothing. */
	snprintf(path, sizeof path, "%s/none.json", dir);
	ck_assert_int_eq(replay_load(path, &back, &n, err, sizeof err), -1);
	says(err, "cannot read ");
	says(err, "/none.json: No such file or directory: check the name");
	ck_assert_int_eq(replay_load(dir, &back, &n, err, sizeof err), -1);
	says(err, " is a directory: give a trace's file");
	snprintf(path, sizeof path, "%s/empty.json", dir);
	spill(path, "", 0);
	ck_assert_int_eq(replay_load(path, &back, &n, err, sizeof err), -1);
	says(err, "/empty.json is empty: replay reads traces written by "
		  "conviz --trace");
	ck_assert_int_eq(replay_load("/dev/null", &back, &n, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "/dev/null is empty: replay reads traces "
			      "written by conviz --trace");
	/* A real trace, cut in the middle. */
	snprintf(path, sizeof path, "%s/a.json", dir);
	ck_assert_int_eq(export_trace(recs, 1, path, err, sizeof err), 0);
	text = check_slurp(path, &len);
	snprintf(path, sizeof path, "%s/cut.json", dir);
	spill(path, text, len / 2);
	ck_assert_int_eq(replay_load(path, &back, &n, err, sizeof err), -1);
	says(err, "/cut.json ends too soon, as if cut short (line 1, column ");
	/* Too big (a sparse file: no disk used). */
	snprintf(path, sizeof path, "%s/big.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)REPLAY_FILE_MAX + 1), 0);
	close(fd);
	ck_assert_int_eq(replay_load(path, &back, &n, err, sizeof err), -1);
	says(err, "/big.json is too big for a trace (over 256 MiB)");
	ck_assert_ptr_null(back);
	ck_assert_int_eq(n, 0);
	/* Cut anywhere before its closing "}\n": said so. */
	ck_assert_str_eq(text + len - 2, "}\n");
	for (size_t cut = 1; cut < len - 1; cut += cut + 200 < len ? 97 : 1) {
		ck_assert_int_eq(parse(text, cut, err, sizeof err), -1);
		ck_assert_msg(strncmp(err,
				      "t.json ends too soon, as if cut "
				      "short (line ",
				      40) == 0,
			      "cut at %zu of %zu: %s", cut, len, err);
	}
	/* A message cut to a short buffer stays terminated. */
	memset(err, 'x', sizeof err);
	ck_assert_int_eq(replay_parse(text, len / 2, "t", &back, &n, err, 8),
			 -1);
	ck_assert_str_eq(err, "t ends ");
	/* The file whole reads. */
	ck_assert_int_eq(
		replay_parse(text, len, "t", &back, &n, err, sizeof err), 0);
	same_recording(rec, back[0]);
	replay_free(back, n);
	free(text);
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

Suite *suite_replay(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("replay");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bank_unsafe);
	tcase_add_test(tc, test_bank_safe);
	tcase_add_test(tc, test_async);
	tcase_add_test(tc, test_url_file_title);
	tcase_add_test(tc, test_procs);
	tcase_add_test(tc, test_deadlock);
	tcase_add_test(tc, test_compare);
	tcase_add_test(tc, test_made_up);
	tcase_add_test(tc, test_far_times);
	tcase_add_test(tc, test_bad_fields);
	tcase_add_test(tc, test_kinds_by_name);
	tcase_add_test(tc, test_not_traces);
	tcase_add_test(tc, test_bad_files);
	suite_add_tcase(s, tc);
	return s;
}
