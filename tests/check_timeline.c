/* check_timeline.c - the timeline store: segments, shares, dominance at
 * every zoom, markers, clamping, and query cost on long lanes. */
#include "config.h"

#include <stdint.h>
#include <time.h>

#include "check_suites.h"
#include "core/timeline.h"

#define ORIGIN 1000000000LL /* any CLOCK_MONOTONIC time will do */

/* Adds one event at `t` ns after ORIGIN. */
static void add(struct timeline *tl, int lane, int64_t t, enum ev_kind kind,
		uint32_t task)
{
	struct ev e = { .ts_ns = ORIGIN + t,
			.arg = 0,
			.task = task,
			.lane = (uint16_t)lane,
			.kind = (uint16_t)kind };
	ck_assert_int_eq(timeline_add(tl, &e), 0);
}

static int64_t sum_shares(const int64_t shares[EV_STATE_COUNT])
{
	int64_t sum = 0;
	for (int k = 0; k < EV_STATE_COUNT; k++)
		sum += shares[k];
	return sum;
}

/* Lane 0 of the fixture, a worker running two tasks:
 *   0 startup | 10 cpu t0 | 30 io t0 | 50 cpu t0 | 70 cpu t1 | 100 idle */
static struct timeline *two_tasks(void)
{
	struct timeline *tl = timeline_new(ORIGIN);
	ck_assert_ptr_nonnull(tl);
	add(tl, 0, 0, EV_STARTUP, EV_NO_TASK);
	add(tl, 0, 10, EV_CPU, 0);
	add(tl, 0, 30, EV_IO, 0);
	add(tl, 0, 50, EV_CPU, 0);
	add(tl, 0, 70, EV_CPU, 1); /* same state, new task: new segment */
	add(tl, 0, 80, EV_CPU, 1); /* nothing changes: no segment */
	add(tl, 0, 100, EV_IDLE, EV_NO_TASK);
	return tl;
}

START_TEST(test_empty)
{
	struct timeline *tl = timeline_new(ORIGIN);
	ck_assert_ptr_nonnull(tl);
	ck_assert_int_eq(timeline_lanes(tl), 0);
	ck_assert_int_eq(timeline_end(tl), 0);
	ck_assert_uint_eq(timeline_events(tl), 0);
	ck_assert_uint_eq(timeline_segments(tl, 0), 0);
	ck_assert_int_eq(timeline_dominant(tl, 0, 0, 100, 100), EV_IDLE);
	timeline_free(tl);
	timeline_free(NULL);
}
END_TEST

START_TEST(test_segments)
{
	struct timeline *tl = two_tasks();
	ck_assert_int_eq(timeline_lanes(tl), 1);
	ck_assert_uint_eq(timeline_segments(tl, 0), 6);
	ck_assert_uint_eq(timeline_events(tl), 7);
	ck_assert_int_eq(timeline_end(tl), 100);
	ck_assert_int_eq(timeline_state_at(tl, 0, 0), EV_STARTUP);
	ck_assert_int_eq(timeline_state_at(tl, 0, 9), EV_STARTUP);
	ck_assert_int_eq(timeline_state_at(tl, 0, 10), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 0, 29), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 0, 30), EV_IO);
	ck_assert_int_eq(timeline_state_at(tl, 0, 75), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 0, 100), EV_IDLE);
	ck_assert_int_eq(timeline_state_at(tl, 0, 5000), EV_IDLE);
	ck_assert_uint_eq(timeline_lane_tasks(tl, 0), 2);
	timeline_free(tl);
}
END_TEST

START_TEST(test_shares)
{
	struct timeline *tl = two_tasks();
	int64_t sh[EV_STATE_COUNT];

	timeline_shares(tl, 0, 0, 100, 100, sh);
	ck_assert_int_eq(sh[EV_STARTUP], 10);
	ck_assert_int_eq(sh[EV_CPU], 20 + 50);
	ck_assert_int_eq(sh[EV_IO], 20);
	ck_assert_int_eq(sum_shares(sh), 100);

	/* A window cutting segments on both sides. */
	timeline_shares(tl, 0, 5, 45, 100, sh);
	ck_assert_int_eq(sh[EV_STARTUP], 5);
	ck_assert_int_eq(sh[EV_CPU], 20);
	ck_assert_int_eq(sh[EV_IO], 15);
	ck_assert_int_eq(sum_shares(sh), 40);

	/* Every one-ns window holds exactly one state. */
	for (int64_t t = 0; t < 100; t++) {
		timeline_shares(tl, 0, t, t + 1, 100, sh);
		ck_assert_int_eq(sum_shares(sh), 1);
		ck_assert_int_eq(sh[timeline_state_at(tl, 0, t)], 1);
	}

	/* Empty and reversed windows hold nothing. */
	timeline_shares(tl, 0, 50, 50, 100, sh);
	ck_assert_int_eq(sum_shares(sh), 0);
	timeline_shares(tl, 0, 60, 40, 100, sh);
	ck_assert_int_eq(sum_shares(sh), 0);
	timeline_free(tl);
}
END_TEST

START_TEST(test_before_first_event_is_idle)
{
	struct timeline *tl = timeline_new(ORIGIN);
	int64_t sh[EV_STATE_COUNT];

	add(tl, 0, 40, EV_CPU, 3);
	timeline_shares(tl, 0, 0, 100, 100, sh);
	ck_assert_int_eq(sh[EV_IDLE], 40);
	ck_assert_int_eq(sh[EV_CPU], 60);
	ck_assert_int_eq(timeline_state_at(tl, 0, 39), EV_IDLE);
	ck_assert_int_eq(timeline_dominant(tl, 0, 0, 30, 100), EV_IDLE);
	timeline_free(tl);
}
END_TEST

START_TEST(test_dominant_zoom)
{
	struct timeline *tl = timeline_new(ORIGIN);

	/* 1000 cycles of 3 ns cpu then 1 ns io, then a long lock wait. */
	for (int i = 0; i < 1000; i++) {
		add(tl, 0, 4 * i, EV_CPU, (uint32_t)i);
		add(tl, 0, 4 * i + 3, EV_IO, (uint32_t)i);
	}
	add(tl, 0, 4000, EV_LOCK_WAIT, 999);
	add(tl, 0, 5000, EV_DONE, EV_NO_TASK);
	ck_assert_uint_eq(timeline_segments(tl, 0), 2002);

	/* Zoomed out: columns covering many small segments. */
	ck_assert_int_eq(timeline_dominant(tl, 0, 0, 4000, 5000), EV_CPU);
	ck_assert_int_eq(timeline_dominant(tl, 0, 400, 800, 5000), EV_CPU);
	/* The whole run: 3000 cpu, 1000 io, 1000 lock-wait. */
	ck_assert_int_eq(timeline_dominant(tl, 0, 0, 5000, 5000), EV_CPU);
	ck_assert_int_eq(timeline_dominant(tl, 0, 3000, 5000, 5000),
			 EV_LOCK_WAIT);
	/* Zoomed in: windows inside one segment. */
	ck_assert_int_eq(timeline_dominant(tl, 0, 403, 404, 5000), EV_IO);
	ck_assert_int_eq(timeline_dominant(tl, 0, 401, 402, 5000), EV_CPU);
	ck_assert_int_eq(timeline_dominant(tl, 0, 4100, 4200, 5000),
			 EV_LOCK_WAIT);
	ck_assert_int_eq(timeline_dominant(tl, 0, 5100, 5200, 6000), EV_DONE);
	/* 1 ns of io then 1 ns of cpu: a tie, which io wins. */
	ck_assert_int_eq(timeline_dominant(tl, 0, 3, 5, 5000), EV_IO);
	timeline_free(tl);
}
END_TEST

START_TEST(test_dominant_ties)
{
	struct timeline *tl = timeline_new(ORIGIN);

	/* Lane 0: 10 cpu, 10 lock-wait. Lane 1: 10 io, 10 gil-wait.
	 * Lane 2: 10 startup, 10 cpu. Lane 3: 10 idle, 10 startup.
	 * Lane 4: 10 io, 10 cpu. */
	static const enum ev_kind pairs[][2] = {
		{ EV_CPU, EV_LOCK_WAIT }, { EV_IO, EV_GIL_WAIT },
		{ EV_STARTUP, EV_CPU },	  { EV_IDLE, EV_STARTUP },
		{ EV_IO, EV_CPU },
	};
	static const enum ev_kind winner[] = { EV_LOCK_WAIT, EV_GIL_WAIT,
					       EV_CPU, EV_STARTUP, EV_IO };
	for (int l = 0; l < 5; l++) {
		add(tl, l, 0, pairs[l][0], 1);
		add(tl, l, 10, pairs[l][1], 1);
		add(tl, l, 20, EV_DONE, EV_NO_TASK);
	}
	for (int l = 0; l < 5; l++) {
		ck_assert_int_eq(timeline_dominant(tl, l, 0, 20, 20),
				 winner[l]);
		/* A window straddling the change: 5 ns of each. */
		ck_assert_int_eq(timeline_dominant(tl, l, 5, 15, 20),
				 winner[l]);
	}
	timeline_free(tl);
}
END_TEST

START_TEST(test_open_last_segment)
{
	struct timeline *tl = timeline_new(ORIGIN);
	int64_t sh[EV_STATE_COUNT];

	add(tl, 0, 0, EV_STARTUP, EV_NO_TASK);
	add(tl, 0, 100, EV_CPU, 0);
	ck_assert_int_eq(timeline_end(tl), 100);

	/* The running cpu segment lasts until the `now` asked about. */
	timeline_shares(tl, 0, 0, 1000, 500, sh);
	ck_assert_int_eq(sh[EV_STARTUP], 100);
	ck_assert_int_eq(sh[EV_CPU], 400);
	ck_assert_int_eq(sum_shares(sh), 500);
	timeline_shares(tl, 0, 0, 1000, 1000, sh);
	ck_assert_int_eq(sh[EV_CPU], 900);
	ck_assert_int_eq(sum_shares(sh), 1000);

	ck_assert_int_eq(timeline_dominant(tl, 0, 600, 700, 1000), EV_CPU);
	/* Past `now` nothing has happened yet. */
	ck_assert_int_eq(timeline_dominant(tl, 0, 600, 700, 500), EV_IDLE);
	ck_assert_int_eq(timeline_state_at(tl, 0, 600), EV_CPU);
	timeline_free(tl);
}
END_TEST

START_TEST(test_clamping)
{
	struct timeline *tl = timeline_new(ORIGIN);
	int64_t sh[EV_STATE_COUNT];

	/* An event older than the lane's last is clamped to it: io at 50
	 * lands at 100, replacing the zero-length cpu there. */
	add(tl, 0, 0, EV_STARTUP, EV_NO_TASK);
	add(tl, 0, 100, EV_CPU, 0);
	add(tl, 0, 50, EV_IO, 0);
	ck_assert_uint_eq(timeline_segments(tl, 0), 2);
	ck_assert_int_eq(timeline_state_at(tl, 0, 99), EV_STARTUP);
	ck_assert_int_eq(timeline_state_at(tl, 0, 100), EV_IO);
	ck_assert_int_eq(timeline_end(tl), 100);

	add(tl, 0, 200, EV_CPU, 0);
	add(tl, 0, 300, EV_IO, 0);
	add(tl, 0, 250, EV_CPU, 0); /* back to cpu at 300: io lasted 0 */
	ck_assert_int_eq(timeline_state_at(tl, 0, 300), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 0, 250), EV_CPU);
	timeline_shares(tl, 0, 0, 400, 400, sh);
	ck_assert_int_eq(sh[EV_STARTUP], 100);
	ck_assert_int_eq(sh[EV_IO], 100);
	ck_assert_int_eq(sh[EV_CPU], 200);
	ck_assert_int_eq(sum_shares(sh), 400);

	/* Markers are clamped too. */
	add(tl, 0, 10, EV_ERROR, 0);
	ck_assert_uint_eq(timeline_markers(tl, 0, 0, 300), 0);
	ck_assert_uint_eq(timeline_markers(tl, 0, 300, 301),
			  1u << (EV_ERROR - EV_STATE_COUNT));

	/* Clamping is per lane: another lane keeps its own times. */
	add(tl, 1, 5, EV_CPU, 7);
	ck_assert_int_eq(timeline_state_at(tl, 1, 5), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 1, 4), EV_IDLE);

	/* An event stamped before the origin counts from 0. */
	struct ev early = {
		.ts_ns = ORIGIN - 50, .task = 1, .lane = 2, .kind = EV_STARTUP
	};
	ck_assert_int_eq(timeline_add(tl, &early), 0);
	ck_assert_int_eq(timeline_state_at(tl, 2, 0), EV_STARTUP);
	timeline_free(tl);
}
END_TEST

START_TEST(test_markers)
{
	struct timeline *tl = timeline_new(ORIGIN);
	const unsigned rd = 1u << (EV_READ - EV_STATE_COUNT);
	const unsigned wr = 1u << (EV_WRITE - EV_STATE_COUNT);
	const unsigned lost = 1u << (EV_LOST_UPDATE - EV_STATE_COUNT);
	const unsigned err = 1u << (EV_ERROR - EV_STATE_COUNT);

	add(tl, 1, 0, EV_CPU, 0);
	for (int i = 0; i < 1000; i++) {
		add(tl, 1, 10 + 2 * i, EV_READ, 0);
		add(tl, 1, 11 + 2 * i, EV_WRITE, 0);
	}
	add(tl, 1, 3000, EV_ERROR, 0);
	add(tl, 1, 4000, EV_LOST_UPDATE, 0);

	ck_assert_uint_eq(timeline_markers(tl, 1, 0, 10), 0);
	ck_assert_uint_eq(timeline_markers(tl, 1, 0, 11), rd);
	ck_assert_uint_eq(timeline_markers(tl, 1, 11, 12), wr);
	ck_assert_uint_eq(timeline_markers(tl, 1, 0, 5000),
			  rd | wr | lost | err);
	/* Half-open: the error at 3000 is not in [2500, 3000). */
	ck_assert_uint_eq(timeline_markers(tl, 1, 2500, 3000), 0);
	ck_assert_uint_eq(timeline_markers(tl, 1, 3000, 4000), err);
	ck_assert_uint_eq(timeline_markers(tl, 1, 3001, 4001), lost);
	/* Other lanes see none of them. */
	ck_assert_uint_eq(timeline_markers(tl, 0, 0, 5000), 0);

	ck_assert_uint_eq(timeline_marker_count(tl, EV_READ), 1000);
	ck_assert_uint_eq(timeline_marker_count(tl, EV_WRITE), 1000);
	ck_assert_uint_eq(timeline_marker_count(tl, EV_ERROR), 1);
	ck_assert_uint_eq(timeline_marker_count(tl, EV_LOST_UPDATE), 1);
	ck_assert_uint_eq(timeline_marker_count(tl, EV_CPU), 0);
	ck_assert_uint_eq(timeline_events(tl), 2003);
	/* Markers are instants, not states. */
	ck_assert_uint_eq(timeline_segments(tl, 1), 1);
	ck_assert_int_eq(timeline_state_at(tl, 1, 3500), EV_CPU);
	timeline_free(tl);
}
END_TEST

START_TEST(test_lane_tasks)
{
	struct timeline *tl = timeline_new(ORIGIN);

	/* An event loop interleaving tasks 5, 3, 5, 9, 3 on one lane. */
	static const uint32_t order[] = { 5, 3, 5, 9, 3, 5 };
	for (int i = 0; i < 6; i++) {
		add(tl, 0, 10 * i, EV_CPU, order[i]);
		add(tl, 0, 10 * i + 5, EV_IDLE, EV_NO_TASK);
	}
	ck_assert_uint_eq(timeline_lane_tasks(tl, 0), 3);
	/* One task over several states counts once. */
	add(tl, 1, 0, EV_CPU, 4);
	add(tl, 1, 1, EV_IO, 4);
	add(tl, 1, 2, EV_GIL_WAIT, 4);
	add(tl, 1, 3, EV_CPU, 4);
	ck_assert_uint_eq(timeline_lane_tasks(tl, 1), 1);
	timeline_free(tl);
}
END_TEST

START_TEST(test_many_lanes)
{
	struct timeline *tl = timeline_new(ORIGIN);

	for (int l = 0; l < 1024; l++) {
		add(tl, l, l, EV_CPU, (uint32_t)l);
		add(tl, l, l + 10, (l % 2) ? EV_IO : EV_LOCK_WAIT, (uint32_t)l);
	}
	ck_assert_int_eq(timeline_lanes(tl), 1024);
	for (int l = 0; l < 1024; l++) {
		ck_assert_int_eq(timeline_state_at(tl, l, l), EV_CPU);
		ck_assert_int_eq(timeline_state_at(tl, l, l + 10),
				 (l % 2) ? EV_IO : EV_LOCK_WAIT);
		ck_assert_uint_eq(timeline_lane_tasks(tl, l), 1);
	}
	/* The highest lane number an event can carry. */
	add(tl, 65535, 0, EV_GIL_WAIT, 1);
	ck_assert_int_eq(timeline_lanes(tl), 65536);
	ck_assert_int_eq(timeline_state_at(tl, 65535, 1), EV_GIL_WAIT);
	/* Lanes between stay empty. */
	ck_assert_uint_eq(timeline_segments(tl, 30000), 0);
	ck_assert_int_eq(timeline_dominant(tl, 30000, 0, 100, 100), EV_IDLE);
	timeline_free(tl);
}
END_TEST

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_long_lane_fast)
{
	enum { SEGS = 100000, QUERIES = 20000 };
	struct timeline *tl = timeline_new(ORIGIN);

	/* 100,000 segments of 10 ns: cpu on even ones, io on odd ones, a new
	 * task every two. */
	for (int i = 0; i < SEGS; i++)
		add(tl, 0, 10 * (int64_t)i, (i % 2) ? EV_IO : EV_CPU,
		    (uint32_t)(i / 2));
	ck_assert_uint_eq(timeline_segments(tl, 0), SEGS);
	ck_assert_uint_eq(timeline_lane_tasks(tl, 0), SEGS / 2);
	const int64_t end = 10 * (int64_t)SEGS;

	int64_t sh[EV_STATE_COUNT];
	timeline_shares(tl, 0, 0, end, end, sh);
	ck_assert_int_eq(sh[EV_CPU], end / 2);
	ck_assert_int_eq(sh[EV_IO], end / 2);
	ck_assert_int_eq(sum_shares(sh), end);

	/* Narrow windows at the far end of the lane, as a zoomed-in UI asks
	 * them: a scan from the start would visit 100,000 segments for each
	 * and take seconds; binary search takes a few microseconds. */
	double t = seconds_now();
	for (int q = 0; q < QUERIES; q++) {
		int64_t seg = SEGS - 1 - (q % 1000);
		int64_t t0 = 10 * seg + 2;
		enum ev_kind want = (seg % 2) ? EV_IO : EV_CPU;
		ck_assert_int_eq(timeline_dominant(tl, 0, t0, t0 + 5, end + 10),
				 want);
	}
	double took = seconds_now() - t;
	ck_assert_msg(took < 1.0, "%d queries took %.3f s", QUERIES, took);
	timeline_free(tl);
}
END_TEST

/* Two lanes taking 5-unit turns (as under the GIL): a wide cell is mixed,
 * drawn alternately, and the two lanes alternate out of step; a cell
 * where one state clearly leads shows that state. */
START_TEST(test_cell_mixed)
{
	struct timeline *tl = timeline_new(ORIGIN);

	for (int t = 0; t < 100; t += 10) {
		add(tl, 0, t, EV_CPU, 0);
		add(tl, 0, t + 5, EV_GIL_WAIT, 0);
		add(tl, 1, t, EV_GIL_WAIT, 1);
		add(tl, 1, t + 5, EV_CPU, 1);
	}
	add(tl, 0, 100, EV_CPU, 0);
	add(tl, 0, 200, EV_IO, 0);
	ck_assert_int_eq(timeline_cell(tl, 0, 0, 20, 300, 0), EV_CPU);
	ck_assert_int_eq(timeline_cell(tl, 0, 0, 20, 300, 1), EV_GIL_WAIT);
	/* Phase = column + lane: lane 1 draws the other state. */
	ck_assert_int_ne(timeline_cell(tl, 0, 20, 40, 300, 2 + 0),
			 timeline_cell(tl, 1, 20, 40, 300, 2 + 1));
	/* Inside one turn there is nothing to mix. */
	ck_assert_int_eq(timeline_cell(tl, 0, 0, 5, 300, 1), EV_CPU);
	ck_assert_int_eq(timeline_cell(tl, 1, 0, 5, 300, 0), EV_GIL_WAIT);
	/* 90 cpu + 10 io: the second is under TIMELINE_MIXED_PCT. */
	ck_assert_int_eq(timeline_cell(tl, 0, 110, 210, 300, 1), EV_CPU);
	/* Idle before the first event mixes like any state. */
	ck_assert_int_eq(timeline_cell(tl, 0, 150, 250, 300, 0), EV_CPU);
	ck_assert_int_eq(timeline_cell(tl, 0, 150, 250, 300, 1), EV_IO);
	ck_assert_int_eq(timeline_cell(tl, 5, 0, 100, 300, 1), EV_IDLE);
	timeline_free(tl);
}
END_TEST

START_TEST(test_unknown_lane)
{
	struct timeline *tl = two_tasks();
	int64_t sh[EV_STATE_COUNT];

	for (int lane = -1; lane <= 7; lane += 8) {
		ck_assert_uint_eq(timeline_segments(tl, lane), 0);
		ck_assert_int_eq(timeline_state_at(tl, lane, 50), EV_IDLE);
		timeline_shares(tl, lane, 0, 100, 100, sh);
		ck_assert_int_eq(sum_shares(sh), 0);
		ck_assert_int_eq(timeline_dominant(tl, lane, 0, 100, 100),
				 EV_IDLE);
		ck_assert_uint_eq(timeline_markers(tl, lane, 0, 100), 0);
		ck_assert_uint_eq(timeline_lane_tasks(tl, lane), 0);
	}
	ck_assert_uint_eq(timeline_segments(tl, 70000), 0);
	timeline_free(tl);
}
END_TEST

START_TEST(test_unknown_kind_ignored)
{
	struct timeline *tl = timeline_new(ORIGIN);
	struct ev e = { .ts_ns = ORIGIN + 5,
			.task = 0,
			.lane = 0,
			.kind = EV_KIND_COUNT + 3 };
	ck_assert_int_eq(timeline_add(tl, &e), 0);
	ck_assert_uint_eq(timeline_events(tl), 0);
	ck_assert_uint_eq(timeline_segments(tl, 0), 0);
	timeline_free(tl);
}
END_TEST

/* Lane 0 runs tasks 5 and 6 interleaved, as the async loop's one thread
 * does: 0 io t5 | 10 cpu t6 | 20 cpu t5 (error at 22) | 30 idle t5 (its
 * end) | 40 idle t6. */
static struct timeline *interleaved(void)
{
	struct timeline *tl = timeline_new(ORIGIN);
	ck_assert_ptr_nonnull(tl);
	add(tl, 0, 0, EV_IO, 5);
	add(tl, 0, 10, EV_CPU, 6);
	add(tl, 0, 20, EV_CPU, 5);
	add(tl, 0, 22, EV_ERROR, 5);
	add(tl, 0, 30, EV_IDLE, 5);
	add(tl, 0, 40, EV_IDLE, 6);
	add(tl, 0, 50, EV_DONE, EV_NO_TASK);
	return tl;
}

START_TEST(test_task_lanes)
{
	struct timeline *tl = interleaved();

	timeline_set_view(tl, TIMELINE_BY_TASK);
	ck_assert_int_eq(timeline_get_view(tl), TIMELINE_BY_TASK);
	ck_assert_int_eq(timeline_lanes(tl), 7); /* highest task + 1 */
	/* Task 5: io, then cpu, then ended; task 6 did not end it. */
	ck_assert_int_eq(timeline_state_at(tl, 5, 5), EV_IO);
	ck_assert_int_eq(timeline_state_at(tl, 5, 15), EV_IO);
	ck_assert_int_eq(timeline_state_at(tl, 5, 25), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 5, 35), EV_IDLE);
	ck_assert_int_eq(timeline_state_at(tl, 5, 45), EV_IDLE);
	ck_assert_uint_eq(timeline_segments(tl, 5), 3);
	ck_assert_int_eq(timeline_state_at(tl, 6, 5), EV_IDLE);
	ck_assert_int_eq(timeline_state_at(tl, 6, 25), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 6, 45), EV_IDLE);
	/* Tasks never seen have empty lanes; the event without a task (the
	 * worker's done) is on no task's lane. */
	ck_assert_uint_eq(timeline_segments(tl, 0), 0);
	ck_assert_uint_eq(timeline_segments(tl, 4), 0);
	ck_assert_uint_eq(timeline_segments(tl, 7), 0);
	ck_assert_int_eq(timeline_dominant(tl, 3, 0, 50, 50), EV_IDLE);
	/* The marker of task 5 is on its lane, not on task 6's. */
	ck_assert_uint_eq(timeline_markers(tl, 5, 20, 25),
			  1u << (EV_ERROR - EV_STATE_COUNT));
	ck_assert_uint_eq(timeline_markers(tl, 6, 0, 50), 0);
	ck_assert_uint_eq(timeline_lane_tasks(tl, 5), 1);
	/* Counted once, whatever the views. */
	ck_assert_uint_eq(timeline_events(tl), 7);
	ck_assert_uint_eq(timeline_marker_count(tl, EV_ERROR), 1);
	timeline_free(tl);
}
END_TEST

START_TEST(test_worker_view_unchanged)
{
	struct timeline *tl = interleaved();

	/* By worker unless told otherwise, and back again. */
	ck_assert_int_eq(timeline_get_view(tl), TIMELINE_BY_WORKER);
	timeline_set_view(tl, TIMELINE_BY_TASK);
	timeline_set_view(tl, TIMELINE_BY_WORKER);
	timeline_set_view(tl, (enum timeline_view)7); /* ignored */
	ck_assert_int_eq(timeline_get_view(tl), TIMELINE_BY_WORKER);
	ck_assert_int_eq(timeline_lanes(tl), 1);
	ck_assert_int_eq(timeline_state_at(tl, 0, 5), EV_IO);
	ck_assert_int_eq(timeline_state_at(tl, 0, 15), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 0, 35), EV_IDLE);
	ck_assert_int_eq(timeline_state_at(tl, 0, 55), EV_DONE);
	/* io t5, cpu t6, cpu t5, idle t5, idle t6, done */
	ck_assert_uint_eq(timeline_segments(tl, 0), 6);
	ck_assert_uint_eq(timeline_lane_tasks(tl, 0), 2);
	ck_assert_uint_eq(timeline_markers(tl, 0, 20, 25),
			  1u << (EV_ERROR - EV_STATE_COUNT));
	timeline_free(tl);
}
END_TEST

/* Markers keep their task and arg (an error's code, a value written),
 * listed oldest first in a window, each kind apart, the count whole even
 * when out[] is short. */
START_TEST(test_marker_list)
{
	struct timeline *tl = timeline_new(ORIGIN);
	struct timeline_marker out[4];
	struct ev e = { .lane = 0 };
	static const struct {
		int64_t t, arg;
		uint32_t task;
		enum ev_kind kind;
	} ms[] = {
		{ 10, -1003, 4, EV_ERROR },	  { 20, 42, 5, EV_WRITE },
		{ 30, 404, 6, EV_ERROR },	  { 40, 7, 6, EV_READ },
		{ 50, 12, EV_NO_TASK, EV_ERROR },
	};

	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
		e.ts_ns = ORIGIN + ms[i].t;
		e.arg = ms[i].arg;
		e.task = ms[i].task;
		e.kind = (uint16_t)ms[i].kind;
		ck_assert_int_eq(timeline_add(tl, &e), 0);
	}
	ck_assert_uint_eq(timeline_marker_list(tl, 0, EV_ERROR, 0, 100, out, 4),
			  3);
	ck_assert_int_eq(out[0].t, 10);
	ck_assert_int_eq(out[0].arg, -1003);
	ck_assert_uint_eq(out[0].task, 4);
	ck_assert_int_eq(out[1].arg, 404);
	ck_assert_uint_eq(out[2].task, EV_NO_TASK);
	ck_assert_uint_eq(timeline_marker_list(tl, 0, EV_ERROR, 15, 50, out, 4),
			  1);
	ck_assert_int_eq(out[0].t, 30);
	ck_assert_uint_eq(timeline_marker_list(tl, 0, EV_ERROR, 0, 100, out, 1),
			  3);
	ck_assert_int_eq(out[0].t, 10);
	ck_assert_uint_eq(timeline_marker_list(tl, 0, EV_WRITE, 0, 100, out, 4),
			  1);
	ck_assert_int_eq(out[0].arg, 42);
	ck_assert_uint_eq(out[0].task, 5);
	ck_assert_uint_eq(timeline_marker_list(tl, 0, EV_CPU, 0, 100, out, 4),
			  0);
	ck_assert_uint_eq(timeline_marker_list(tl, 3, EV_ERROR, 0, 100, out, 4),
			  0);
	ck_assert_uint_eq(timeline_marker_list(tl, 0, EV_ERROR, 60, 60, out, 4),
			  0);
	timeline_free(tl);
}
END_TEST

/* A worker process's lane learns its pid from EV_STARTUP's arg; a new
 * process on the lane (a replacement) gives the lane its own. */
START_TEST(test_lane_pid)
{
	struct timeline *tl = timeline_new(ORIGIN);
	struct ev e = { .ts_ns = ORIGIN,
			.task = EV_NO_TASK,
			.kind = EV_STARTUP };

	add(tl, 0, 0, EV_STARTUP, EV_NO_TASK); /* asked for: no pid yet */
	ck_assert_int_eq(timeline_lane_pid(tl, 0), 0);
	e.arg = 4711;
	ck_assert_int_eq(timeline_add(tl, &e), 0);
	add(tl, 1, 5, EV_CPU, 0); /* a thread's lane */
	ck_assert_int_eq(timeline_lane_pid(tl, 0), 4711);
	ck_assert_int_eq(timeline_lane_pid(tl, 1), 0);
	ck_assert_int_eq(timeline_lane_pid(tl, 7), 0);
	ck_assert_int_eq(timeline_lane_pid(tl, -1), 0);
	e.arg = 4802;
	e.ts_ns = ORIGIN + 10;
	ck_assert_int_eq(timeline_add(tl, &e), 0);
	ck_assert_int_eq(timeline_lane_pid(tl, 0), 4802);
	timeline_free(tl);
}
END_TEST

/* A worker's lane as job_exec_task leaves it: startup, then task 0 and
 * task 1, each ended by its idle; task 1 starts 2 ns after task 0 ends,
 * task 2 at the same instant as task 1 ends. */
START_TEST(test_task_boundaries)
{
	struct timeline *tl = timeline_new(ORIGIN);

	add(tl, 0, 0, EV_STARTUP, EV_NO_TASK);
	add(tl, 0, 10, EV_CPU, 0);
	add(tl, 0, 30, EV_IO, 0);
	add(tl, 0, 50, EV_IDLE, 0);
	add(tl, 0, 52, EV_CPU, 1);
	add(tl, 0, 80, EV_IDLE, 1);
	add(tl, 0, 80, EV_CPU, 2); /* a tie: the idle lasted no time */
	add(tl, 0, 90, EV_IDLE, 2);
	ck_assert_uint_eq(timeline_events(tl), 8);
	/* The tied idle is folded away; the 2 ns one stays (it is real). */
	ck_assert_uint_eq(timeline_segments(tl, 0), 7);
	/* The first task after startup is no boundary. */
	ck_assert_int_eq(timeline_task_starts(tl, 0, 0, 50), 0);
	ck_assert_int_eq(timeline_task_starts(tl, 0, 50, 52), 0);
	ck_assert_int_eq(timeline_task_starts(tl, 0, 50, 53), 1);
	ck_assert_int_eq(timeline_task_starts(tl, 0, 53, 80), 0);
	ck_assert_int_eq(timeline_task_starts(tl, 0, 80, 81), 1);
	ck_assert_int_eq(timeline_task_starts(tl, 0, 81, 200), 0);
	ck_assert_int_eq(timeline_task_starts(tl, 0, 60, 60), 0);
	ck_assert_int_eq(timeline_task_starts(tl, 3, 0, 200), 0);
	/* A cell of cpu with a boundary is drawn as one; a cell that mixes
	 * io and cpu about evenly keeps showing both. */
	ck_assert_int_eq(timeline_cell_boundary(tl, 0, 75, 85, 90, 0), 1);
	ck_assert_int_eq(timeline_cell_boundary(tl, 0, 40, 60, 90, 0), 0);
	ck_assert_int_eq(timeline_cell_boundary(tl, 0, 60, 70, 90, 0), 0);
	/* Tiny tasks with long waits between them (a worker process asking
	 * for each): the cell is mostly idle, drawn blank, no boundary. */
	add(tl, 0, 100, EV_CPU, 3);
	add(tl, 0, 102, EV_IDLE, 3);
	add(tl, 0, 110, EV_CPU, 4);
	add(tl, 0, 112, EV_IDLE, 4);
	ck_assert_int_eq(timeline_task_starts(tl, 0, 95, 120), 1);
	ck_assert_int_eq(timeline_cell(tl, 0, 95, 120, 120, 0), EV_IDLE);
	ck_assert_int_eq(timeline_cell_boundary(tl, 0, 95, 120, 120, 0), 0);
	/* A task's own lane holds one task: no boundary on it. */
	timeline_set_view(tl, TIMELINE_BY_TASK);
	ck_assert_int_eq(timeline_lanes(tl), 5);
	ck_assert_int_eq(timeline_task_starts(tl, 1, 0, 200), 0);
	ck_assert_int_eq(timeline_state_at(tl, 1, 60), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 1, 85), EV_IDLE);
	timeline_free(tl);
}
END_TEST

/* 15,000 tiny tasks on two workers (the primes scenario): a lane each in
 * the task view, made as they come. */
START_TEST(test_many_task_lanes)
{
	struct timeline *tl = timeline_new(ORIGIN);

	for (uint32_t t = 0; t < 15000; t++) {
		add(tl, (int)(t % 2), 10 * t, EV_CPU, t);
		add(tl, (int)(t % 2), 10 * t + 9, EV_IDLE, t);
	}
	ck_assert_int_eq(timeline_lanes(tl), 2);
	timeline_set_view(tl, TIMELINE_BY_TASK);
	ck_assert_int_eq(timeline_lanes(tl), 15000);
	ck_assert_uint_eq(timeline_segments(tl, 14999), 2);
	ck_assert_int_eq(timeline_state_at(tl, 14999, 149990), EV_CPU);
	ck_assert_int_eq(timeline_state_at(tl, 14999, 149999), EV_IDLE);
	ck_assert_int_eq(timeline_state_at(tl, 7, 75), EV_CPU);
	ck_assert_uint_eq(timeline_events(tl), 30000);
	timeline_free(tl);
}
END_TEST

Suite *suite_timeline(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("segments");
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_segments);
	tcase_add_test(tc, test_shares);
	tcase_add_test(tc, test_before_first_event_is_idle);
	tcase_add_test(tc, test_open_last_segment);
	tcase_add_test(tc, test_clamping);
	tcase_add_test(tc, test_lane_tasks);
	tcase_add_test(tc, test_unknown_lane);
	tcase_add_test(tc, test_unknown_kind_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("views");
	tcase_add_test(tc, test_task_lanes);
	tcase_add_test(tc, test_worker_view_unchanged);
	tcase_add_test(tc, test_task_boundaries);
	tcase_add_test(tc, test_lane_pid);
	tcase_add_test(tc, test_marker_list);
	tcase_add_test(tc, test_many_task_lanes);
	suite_add_tcase(s, tc);

	tc = tcase_create("zoom");
	tcase_add_test(tc, test_dominant_zoom);
	tcase_add_test(tc, test_dominant_ties);
	tcase_add_test(tc, test_markers);
	tcase_add_test(tc, test_cell_mixed);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_many_lanes);
	tcase_add_test(tc, test_long_lane_fast);
	suite_add_tcase(s, tc);
	return s;
}
