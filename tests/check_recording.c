/* check_recording.c - a real run recorded in full (app/recording.h), and
 * the timeline queries the TUI's explore keys stand on, asked of it: the
 * state of every lane at any instant, stepping from event to event both
 * ways, each lane's tasks, the race lab's books at any moment, what each
 * task asked for and answered. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "app/recording.h"
#include "app/run.h"
#include "app/scenario.h"
#include "core/evring.h"
#include "core/timeline.h"

struct recording *check_record(const char *name, int model, int workers)
{
	struct run_config cfg;
	struct run_stats st;
	char err[512];
	struct evring *ring;
	struct recording *rec;
	struct run *r;

	memset(&cfg, 0, sizeof cfg);
	ck_assert_msg(scenario_load(name, &cfg.sc, err, sizeof err) == 0, "%s",
		      err);
	cfg.scale = 1;
	cfg.gil = 1;
	cfg.model = (enum model_id)model;
	cfg.workers = workers;
	cfg.view = -1; /* as the model prefers: async by task */
	ring = run_ring_new(&cfg, 1 << 16);
	ck_assert_ptr_nonnull(ring);
	r = run_start(&cfg, ring, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	rec = recording_new(r);
	while (!run_finished(r)) {
		evring_wait(ring, 20);
		recording_drain(rec, ring, SIZE_MAX, NULL, NULL);
	}
	ck_assert_int_eq(run_wait(r, &st), 0);
	recording_drain(rec, ring, SIZE_MAX, NULL, NULL);
	ck_assert_uint_eq(st.events, rec->nev); /* every event kept */
	recording_end(rec, r, &st);
	run_free(r);
	evring_free(ring);
	return rec;
}

/* Walks every event of the current view from the start with next, then
 * back with prev: the same moments, strictly in order, none after the
 * timeline's end. Returns how many. */
static size_t walk(const struct timeline *tl)
{
	size_t n = 0, cap = 1024, back = 0;
	int64_t *at = malloc(cap * sizeof *at), t = -1, p;

	ck_assert_ptr_nonnull(at);
	while ((t = timeline_next_event(tl, t)) >= 0) {
		ck_assert(n == 0 || t > at[n - 1]);
		if (n == cap) {
			int64_t *more = realloc(at, 2 * cap * sizeof *at);
			ck_assert_ptr_nonnull(more);
			at = more;
			cap *= 2;
		}
		at[n++] = t;
	}
	ck_assert_uint_gt(n, 0);
	/* The last event that changed something: a lane's last event may
	 * only repeat its state, and make no step. */
	ck_assert_int_le(at[n - 1], timeline_end(tl));
	for (p = timeline_end(tl) + 1; (p = timeline_prev_event(tl, p)) >= 0;
	     back++) {
		ck_assert_uint_lt(back, n);
		ck_assert_int_eq(p, at[n - 1 - back]);
	}
	ck_assert_uint_eq(back, n);
	free(at);
	return n;
}

/* At moments across the run, every lane's segment covers the moment and
 * agrees with timeline_state_at. */
static void states_agree(const struct timeline *tl, int64_t end)
{
	for (int i = 0; i <= 200; i++) {
		int64_t t = end * i / 200;
		for (int l = 0; l < timeline_lanes(tl); l++) {
			struct timeline_seg sg;
			int rc = timeline_seg_at(tl, l, t, end, &sg);
			ck_assert_int_eq(sg.state, timeline_state_at(tl, l, t));
			if (rc == 0) {
				ck_assert_int_le(sg.start, t);
				ck_assert(t < sg.end || sg.end == end);
			}
		}
	}
}

START_TEST(test_recorded_bank)
{
	struct recording *rec = check_record("bank-unsafe", MODEL_THREADS, 4);
	struct timeline *tl = rec->tl;
	struct ledger lg = { 0 };
	uint32_t tasks = 0;

	ck_assert(rec->ended);
	ck_assert_uint_eq(timeline_events(tl), rec->nev);
	timeline_set_view(tl, TIMELINE_BY_WORKER);
	ck_assert_int_eq(timeline_lanes(tl), 4);
	walk(tl);
	states_agree(tl, timeline_end(tl));
	/* Every task ran on exactly one worker, and answered. */
	for (int l = 0; l < 4; l++) {
		size_t n = timeline_lane_task_list(tl, l, rec->end_ns, NULL, 0);
		struct timeline_task *t = calloc(n + 1, sizeof *t);
		ck_assert_uint_eq(
			timeline_lane_task_list(tl, l, rec->end_ns, t, n), n);
		for (size_t i = 0; i < n; i++) {
			ck_assert_int_le(t[i].start, t[i].end);
			ck_assert_int_gt(t[i].in[EV_CPU], 0);
			ck_assert_ptr_nonnull(recording_result(rec, t[i].task));
		}
		tasks += (uint32_t)n;
		free(t);
	}
	ck_assert_uint_eq(tasks, rec->ntasks);
	/* The books: as they began at 0, as the run left them at its end. */
	ck_assert_int_eq(recording_ledger_at(rec, 0, &lg), 0);
	ck_assert_uint_eq(lg.writes, 0);
	ck_assert_int_eq(lg.sum, lg.initial);
	ck_assert_int_eq(recording_ledger_at(rec, rec->end_ns, &lg), 0);
	ck_assert_uint_gt(lg.writes, 0);
	ck_assert_int_eq(lg.sum, rec->st.final_sum);
	ck_assert_uint_eq(lg.lost, rec->st.lost_updates);
	/* Halfway: some writes, not all. */
	ck_assert_int_eq(recording_ledger_at(rec, rec->end_ns / 2, &lg), 0);
	ck_assert_uint_le(lg.writes, rec->st.tasks * 2u);
	ledger_free(&lg);
	/* By task: one lane a task, each walked the same way. */
	timeline_set_view(tl, TIMELINE_BY_TASK);
	ck_assert_int_eq(timeline_lanes(tl), (int)rec->ntasks);
	walk(tl);
	states_agree(tl, timeline_end(tl));
	recording_free(rec);
}
END_TEST

START_TEST(test_recorded_io)
{
	struct recording *rec = check_record("httpbin", MODEL_ASYNC, 1);
	const char *what = recording_what(rec, 0);
	int io = 0;

	ck_assert_msg(what && strncmp(what, "GET http://127.0.0.1:", 21) == 0,
		      "task 0 asked for '%s'", what ? what : "(null)");
	ck_assert_ptr_nonnull(strstr(what, "/ip"));
	ck_assert_ptr_nonnull(recording_result(rec, rec->ntasks - 1));
	ck_assert_ptr_null(recording_what(rec, rec->ntasks));
	ck_assert_int_eq(recording_ledger_at(rec, 0, &(struct ledger){ 0 }),
			 -1); /* nothing shared: no books */
	/* By task, some task waits on I/O at the middle of the run. */
	timeline_set_view(rec->tl, TIMELINE_BY_TASK);
	for (int l = 0; l < timeline_lanes(rec->tl); l++)
		io += timeline_state_at(rec->tl, l, rec->end_ns / 2) == EV_IO;
	ck_assert_int_gt(io, 0);
	walk(rec->tl);
	recording_free(rec);
}
END_TEST

Suite *suite_recording(void)
{
	Suite *s = suite_create("recording");
	TCase *tc = tcase_create("recorded");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_recorded_bank);
	tcase_add_test(tc, test_recorded_io);
	suite_add_tcase(s, tc);
	return s;
}
