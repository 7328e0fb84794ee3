/* check_timeline.c - the timeline store: segments, shares, dominance at
 * every zoom, markers, clamping, the queries that explore a run (segment
 * at a time, next and previous event, a lane's tasks), the prefix index
 * against a plain walk, and query cost on long lanes. */
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

/* Shares of 2^58 ns: the mixed-cell test does not overflow (it did past
 * 2^56 ns), and still tells mixed cells from one state's. */
START_TEST(test_cell_mixed_huge)
{
	struct timeline *tl = timeline_new(ORIGIN);
	const int64_t h = INT64_C(1) << 58;

	add(tl, 0, 0, EV_CPU, 0);
	add(tl, 0, h, EV_IO, 0);
	ck_assert_int_ne(timeline_cell(tl, 0, 0, 2 * h, 2 * h, 0),
			 timeline_cell(tl, 0, 0, 2 * h, 2 * h, 1));
	ck_assert_int_eq(timeline_cell(tl, 0, 0, h + h / 10, 2 * h, 1), EV_CPU);
	ck_assert_int_eq(timeline_cell(tl, 0, 0, h + h / 10, 2 * h, 0), EV_CPU);
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

/* Adds a marker of `kind` at `t` on a lane. */
static void add_marker(struct timeline *tl, int lane, int64_t t,
		       enum ev_kind kind, uint32_t task, int64_t arg)
{
	struct ev e = { .ts_ns = ORIGIN + t,
			.arg = arg,
			.task = task,
			.lane = (uint16_t)lane,
			.kind = (uint16_t)kind };
	ck_assert_int_eq(timeline_add(tl, &e), 0);
}

/* A lane holds what covers any instant: the segment, the idle stretch
 * before the first event, the open last segment until `now`. */
START_TEST(test_seg_at)
{
	struct timeline *tl = two_tasks();
	struct timeline_seg sg;

	ck_assert_int_eq(timeline_seg_at(tl, 0, 0, 100, &sg), 0);
	ck_assert_int_eq(sg.start, 0);
	ck_assert_int_eq(sg.end, 10);
	ck_assert_int_eq(sg.state, EV_STARTUP);
	ck_assert_uint_eq(sg.task, EV_NO_TASK);
	/* At a segment's start and at its last ns. */
	for (int64_t t = 10; t < 30; t += 19) {
		ck_assert_int_eq(timeline_seg_at(tl, 0, t, 100, &sg), 0);
		ck_assert_int_eq(sg.start, 10);
		ck_assert_int_eq(sg.end, 30);
		ck_assert_int_eq(sg.state, EV_CPU);
		ck_assert_uint_eq(sg.task, 0);
	}
	ck_assert_int_eq(timeline_seg_at(tl, 0, 30, 100, &sg), 0);
	ck_assert_int_eq(sg.state, EV_IO);
	ck_assert_int_eq(sg.end, 50);
	/* Same state, another task: another segment. */
	ck_assert_int_eq(timeline_seg_at(tl, 0, 85, 100, &sg), 0);
	ck_assert_int_eq(sg.start, 70);
	ck_assert_int_eq(sg.end, 100);
	ck_assert_uint_eq(sg.task, 1);
	/* The open last segment ends at `now`, and is there past it. */
	ck_assert_int_eq(timeline_seg_at(tl, 0, 120, 150, &sg), 0);
	ck_assert_int_eq(sg.start, 100);
	ck_assert_int_eq(sg.end, 150);
	ck_assert_int_eq(sg.state, EV_IDLE);
	ck_assert_int_eq(timeline_seg_at(tl, 0, 900, 150, &sg), 0);
	ck_assert_int_eq(sg.start, 100);
	ck_assert_int_eq(sg.end, 150);
	ck_assert_int_eq(timeline_seg_at(tl, 0, 100, 100, &sg), 0);
	ck_assert_int_eq(sg.end, 100);
	ck_assert_int_eq(timeline_seg_at(tl, 0, 100, 90, &sg), 0);
	ck_assert_int_eq(sg.end, 100); /* never before its start */
	/* Unknown lanes: idle from 0 to `now`. */
	for (int lane = -1; lane <= 7; lane += 8) {
		sg.state = EV_CPU;
		ck_assert_int_eq(timeline_seg_at(tl, lane, 40, 100, &sg), -1);
		ck_assert_int_eq(sg.start, 0);
		ck_assert_int_eq(sg.end, 100);
		ck_assert_int_eq(sg.state, EV_IDLE);
		ck_assert_uint_eq(sg.task, EV_NO_TASK);
	}
	/* Before the first event: idle until it. */
	add(tl, 2, 40, EV_CPU, 3);
	ck_assert_int_eq(timeline_seg_at(tl, 2, 39, 100, &sg), -1);
	ck_assert_int_eq(sg.start, 0);
	ck_assert_int_eq(sg.end, 40);
	ck_assert_int_eq(sg.state, EV_IDLE);
	ck_assert_uint_eq(sg.task, EV_NO_TASK);
	ck_assert_int_eq(timeline_seg_at(tl, 2, -5, 100, &sg), -1);
	ck_assert_int_eq(sg.end, 40);
	ck_assert_int_eq(timeline_seg_at(tl, 2, 40, 100, &sg), 0);
	ck_assert_uint_eq(sg.task, 3);
	/* An empty lane between two that exist, and one of markers only. */
	ck_assert_int_eq(timeline_seg_at(tl, 1, 40, 60, &sg), -1);
	ck_assert_int_eq(sg.end, 60);
	add_marker(tl, 3, 20, EV_ERROR, 3, 1);
	ck_assert_int_eq(timeline_seg_at(tl, 3, 40, 60, &sg), -1);
	ck_assert_int_eq(sg.start, 0);
	ck_assert_int_eq(sg.end, 60);
	ck_assert_int_eq(sg.state, EV_IDLE);
	/* The task view: task 1's lane, without the worker's idle. */
	timeline_set_view(tl, TIMELINE_BY_TASK);
	ck_assert_int_eq(timeline_seg_at(tl, 1, 120, 150, &sg), 0);
	ck_assert_int_eq(sg.start, 70);
	ck_assert_int_eq(sg.end, 150);
	ck_assert_int_eq(sg.state, EV_CPU);
	ck_assert_int_eq(timeline_seg_at(tl, 1, 60, 150, &sg), -1);
	ck_assert_int_eq(sg.end, 70);
	timeline_free(tl);
}
END_TEST

/* Stepping through a run: segment starts and markers of every lane, in
 * the lanes of the current view only. */
START_TEST(test_next_prev_event)
{
	struct timeline *tl = timeline_new(ORIGIN);

	ck_assert_int_eq(timeline_next_event(tl, 0), -1);
	ck_assert_int_eq(timeline_prev_event(tl, 100), -1);
	add(tl, 0, 5, EV_STARTUP, EV_NO_TASK);
	add(tl, 0, 10, EV_CPU, 0);
	add(tl, 0, 30, EV_IO, 0);
	add(tl, 0, 50, EV_DONE, EV_NO_TASK);
	add(tl, 1, 20, EV_CPU, 1);
	add_marker(tl, 1, 25, EV_ERROR, 1, 404);
	add(tl, 1, 40, EV_IDLE, 1);
	add_marker(tl, 2, 35, EV_READ, 2, 0);
	add_marker(tl, 2, 35, EV_WRITE, 2, 0); /* two at one time */

	static const int64_t worker[] = { 5, 10, 20, 25, 30, 35, 40, 50 };
	static const int64_t task[] = { 10, 20, 25, 30, 35, 40 };
	const struct {
		enum timeline_view view;
		const int64_t *at;
		size_t n;
	} views[] = {
		{ TIMELINE_BY_WORKER, worker, sizeof worker / sizeof *worker },
		{ TIMELINE_BY_TASK, task, sizeof task / sizeof *task },
	};
	for (size_t v = 0; v < 2; v++) {
		const int64_t *at = views[v].at;
		size_t n = views[v].n;
		timeline_set_view(tl, views[v].view);
		ck_assert_int_eq(timeline_next_event(tl, -1), at[0]);
		ck_assert_int_eq(timeline_next_event(tl, 0), at[0]);
		for (size_t i = 0; i + 1 < n; i++) {
			/* Strictly after: from an event, and from between. */
			ck_assert_int_eq(timeline_next_event(tl, at[i]),
					 at[i + 1]);
			ck_assert_int_eq(timeline_next_event(tl, at[i + 1] - 1),
					 at[i + 1]);
			ck_assert_int_eq(timeline_prev_event(tl, at[i + 1]),
					 at[i]);
			ck_assert_int_eq(timeline_prev_event(tl, at[i] + 1),
					 at[i]);
		}
		ck_assert_int_eq(timeline_next_event(tl, at[n - 1]), -1);
		ck_assert_int_eq(timeline_prev_event(tl, at[0]), -1);
		ck_assert_int_eq(timeline_prev_event(tl, 1000), at[n - 1]);
		ck_assert_int_eq(timeline_prev_event(tl, 0), -1);
	}
	timeline_free(tl);
}
END_TEST

/* A worker as job_exec_task leaves it: each task ended by its own idle,
 * one replaced at once by the next task's cpu; errors carry their task. */
START_TEST(test_task_list_worker)
{
	struct timeline *tl = timeline_new(ORIGIN);
	struct timeline_task out[5];

	add(tl, 0, 0, EV_STARTUP, EV_NO_TASK);
	add(tl, 0, 10, EV_CPU, 0);
	add(tl, 0, 30, EV_IO, 0);
	add(tl, 0, 50, EV_IDLE, 0);
	add(tl, 0, 52, EV_CPU, 1);
	add_marker(tl, 0, 60, EV_ERROR, 1, 500);
	add(tl, 0, 80, EV_IDLE, 1);
	add(tl, 0, 80, EV_CPU, 2); /* the idle lasted no time */
	add_marker(tl, 0, 85, EV_ERROR, 2, 1);
	add_marker(tl, 0, 86, EV_ERROR, 2, 2);
	add(tl, 0, 90, EV_IDLE, 2);
	add_marker(tl, 0, 95, EV_ERROR, EV_NO_TASK, 3);
	add_marker(tl, 0, 96, EV_READ, 2, 0); /* not an error */

	memset(out, 0xff, sizeof out);
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 100, out, 5), 3);
	ck_assert_uint_eq(out[0].task, 0);
	ck_assert_int_eq(out[0].start, 10);
	ck_assert_int_eq(out[0].end, 50);
	ck_assert_int_eq(out[0].in[EV_CPU], 20);
	ck_assert_int_eq(out[0].in[EV_IO], 20);
	ck_assert_int_eq(out[0].in[EV_IDLE], 0);
	ck_assert_int_eq(out[0].in[EV_STARTUP], 0);
	ck_assert_uint_eq(out[0].errors, 0);
	ck_assert_uint_eq(out[1].task, 1);
	ck_assert_int_eq(out[1].start, 52);
	ck_assert_int_eq(out[1].end, 80);
	ck_assert_int_eq(out[1].in[EV_CPU], 28);
	ck_assert_uint_eq(out[1].errors, 1);
	/* Task 2's idle is the open last segment: not its time. */
	ck_assert_uint_eq(out[2].task, 2);
	ck_assert_int_eq(out[2].start, 80);
	ck_assert_int_eq(out[2].end, 90);
	ck_assert_int_eq(out[2].in[EV_CPU], 10);
	ck_assert_int_eq(out[2].in[EV_IDLE], 0);
	ck_assert_uint_eq(out[2].errors, 2);
	ck_assert_uint_eq(out[3].task, UINT32_MAX); /* untouched */

	/* Fewer than there are: the first ones, and the whole count. */
	memset(out, 0xff, sizeof out);
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 100, out, 1), 3);
	ck_assert_uint_eq(out[0].task, 0);
	ck_assert_uint_eq(out[1].task, UINT32_MAX);
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 100, NULL, 0), 3);
	timeline_free(tl);
}
END_TEST

/* A task still running counts until `now`; lanes without tasks list
 * none; the fixture's worker. */
START_TEST(test_task_list_running)
{
	struct timeline *tl = timeline_new(ORIGIN);
	struct timeline_task out[5];

	add(tl, 0, 10, EV_CPU, 0);
	add(tl, 0, 50, EV_IDLE, 0);
	add(tl, 0, 100, EV_CPU, 3);
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 130, out, 5), 2);
	ck_assert_uint_eq(out[1].task, 3);
	ck_assert_int_eq(out[1].start, 100);
	ck_assert_int_eq(out[1].end, 130);
	ck_assert_int_eq(out[1].in[EV_CPU], 30);
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 100, out, 5), 2);
	ck_assert_int_eq(out[1].end, 100);
	ck_assert_int_eq(out[1].in[EV_CPU], 0);
	/* A `now` behind the open segment's start gives it no time. */
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 90, out, 5), 2);
	ck_assert_int_eq(out[1].end, 100);
	ck_assert_int_eq(out[1].in[EV_CPU], 0);
	/* Unknown and task-less lanes have none. */
	ck_assert_uint_eq(timeline_lane_task_list(tl, 7, 100, out, 5), 0);
	ck_assert_uint_eq(timeline_lane_task_list(tl, -1, 100, out, 5), 0);
	add(tl, 1, 0, EV_STARTUP, EV_NO_TASK);
	ck_assert_uint_eq(timeline_lane_task_list(tl, 1, 100, out, 5), 0);
	timeline_free(tl);

	tl = two_tasks();
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 100, out, 5), 2);
	ck_assert_int_eq(out[0].start, 10);
	ck_assert_int_eq(out[0].end, 70);
	ck_assert_int_eq(out[0].in[EV_CPU], 40);
	ck_assert_int_eq(out[0].in[EV_IO], 20);
	ck_assert_int_eq(out[1].start, 70);
	ck_assert_int_eq(out[1].end, 100);
	ck_assert_int_eq(out[1].in[EV_CPU], 30);
	timeline_free(tl);
}
END_TEST

/* The async loop's one lane: tasks interleave, each is one entry with its
 * stretches summed, listed by first start (not by number). */
START_TEST(test_task_list_interleaved)
{
	struct timeline *tl = timeline_new(ORIGIN);
	struct timeline_task out[4];

	/* Tasks 5, 3, 5, 9, 3, 5, 5 ns of cpu each, idle between. */
	static const uint32_t order[] = { 5, 3, 5, 9, 3, 5 };
	for (int i = 0; i < 6; i++) {
		add(tl, 0, 10 * i, EV_CPU, order[i]);
		add(tl, 0, 10 * i + 5, EV_IDLE, EV_NO_TASK);
	}
	add_marker(tl, 0, 41, EV_ERROR, 3, 7);
	add_marker(tl, 0, 42, EV_ERROR, 3, 8);
	add_marker(tl, 0, 51, EV_ERROR, 5, 9);
	add_marker(tl, 0, 52, EV_ERROR, 4, 9); /* no such task here */
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 60, out, 4), 3);
	ck_assert_uint_eq(out[0].task, 5);
	ck_assert_int_eq(out[0].start, 0);
	ck_assert_int_eq(out[0].end, 55);
	ck_assert_int_eq(out[0].in[EV_CPU], 15);
	ck_assert_uint_eq(out[0].errors, 1);
	ck_assert_uint_eq(out[1].task, 3);
	ck_assert_int_eq(out[1].start, 10);
	ck_assert_int_eq(out[1].end, 45);
	ck_assert_int_eq(out[1].in[EV_CPU], 10);
	ck_assert_uint_eq(out[1].errors, 2);
	ck_assert_uint_eq(out[2].task, 9);
	ck_assert_int_eq(out[2].start, 30);
	ck_assert_int_eq(out[2].end, 35);
	ck_assert_int_eq(out[2].in[EV_CPU], 5);
	ck_assert_uint_eq(out[2].errors, 0);
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 60, out, 2), 3);
	ck_assert_uint_eq(out[1].task, 3);
	timeline_free(tl);

	/* The fixture: io and cpu of task 5 around task 6's cpu. */
	tl = interleaved();
	ck_assert_uint_eq(timeline_lane_task_list(tl, 0, 50, out, 4), 2);
	ck_assert_uint_eq(out[0].task, 5);
	ck_assert_int_eq(out[0].start, 0);
	ck_assert_int_eq(out[0].end, 30);
	ck_assert_int_eq(out[0].in[EV_IO], 10);
	ck_assert_int_eq(out[0].in[EV_CPU], 10);
	ck_assert_uint_eq(out[0].errors, 1);
	ck_assert_uint_eq(out[1].task, 6);
	ck_assert_int_eq(out[1].start, 10);
	ck_assert_int_eq(out[1].end, 20);
	ck_assert_int_eq(out[1].in[EV_CPU], 10);
	ck_assert_int_eq(out[1].in[EV_IDLE], 0);
	/* A task's own lane lists the task alone, its idle end not time. */
	timeline_set_view(tl, TIMELINE_BY_TASK);
	ck_assert_uint_eq(timeline_lane_task_list(tl, 5, 50, out, 4), 1);
	ck_assert_uint_eq(out[0].task, 5);
	ck_assert_int_eq(out[0].end, 30);
	ck_assert_int_eq(out[0].in[EV_IO], 20); /* io until its cpu at 20 */
	ck_assert_int_eq(out[0].in[EV_CPU], 10);
	ck_assert_uint_eq(out[0].errors, 1);
	ck_assert_uint_eq(timeline_lane_task_list(tl, 4, 50, out, 4), 0);
	timeline_free(tl);
}
END_TEST

/* ---- The prefix index against a plain walk ---------------------------- */

#define MODEL_SEGS 512
#define MODEL_WORKERS 2
#define MODEL_TASKS 12

/* A lane as the timeline should keep it, built the plain way: segments
 * (clamped, replaced when they lasted no time, merged when equal). */
struct model_lane {
	int64_t start[MODEL_SEGS];
	uint32_t task[MODEL_SEGS];
	enum ev_kind state[MODEL_SEGS];
	size_t n;
	int64_t last;
};

/* How often the randomized test made the timeline replace or merge. */
struct model_counts {
	unsigned replaced, merged;
};

static void model_add(struct model_lane *m, int64_t t, enum ev_kind kind,
		      uint32_t task, struct model_counts *mc)
{
	size_t n = m->n;

	if (t < m->last)
		t = m->last;
	m->last = t;
	if (!ev_is_state(kind) ||
	    (n > 0 && m->state[n - 1] == kind && m->task[n - 1] == task))
		return;
	if (n > 0 && m->start[n - 1] == t) {
		mc->replaced++;
		m->state[n - 1] = kind;
		m->task[n - 1] = task;
		if (n > 1 && m->state[n - 2] == kind &&
		    m->task[n - 2] == task) {
			m->n--;
			mc->merged++;
		}
		return;
	}
	if (n == MODEL_SEGS)
		ck_abort_msg("a model lane of more than %d segments",
			     MODEL_SEGS);
	m->start[n] = t;
	m->state[n] = kind;
	m->task[n] = task;
	m->n = n + 1;
}

/* Shares by visiting every segment, as the timeline once did. */
static void model_shares(const struct model_lane *m, int64_t t0, int64_t t1,
			 int64_t now, int64_t sh[EV_STATE_COUNT])
{
	memset(sh, 0, EV_STATE_COUNT * sizeof sh[0]);
	if (m->n == 0 || t1 <= t0)
		return;
	if (m->start[0] > t0)
		sh[EV_IDLE] += (m->start[0] < t1 ? m->start[0] : t1) - t0;
	for (size_t i = 0; i < m->n; i++) {
		int64_t s = m->start[i] > t0 ? m->start[i] : t0;
		int64_t e = i + 1 < m->n ? m->start[i + 1] : now;
		if (e > t1)
			e = t1;
		if (e > s)
			sh[m->state[i]] += e - s;
	}
}

static int model_task_starts(const struct model_lane *m, int64_t t0, int64_t t1)
{
	for (size_t i = 1; i < m->n; i++)
		if (m->start[i] >= t0 && m->start[i] < t1 &&
		    m->task[i] != EV_NO_TASK && m->task[i - 1] != EV_NO_TASK &&
		    m->task[i] != m->task[i - 1])
			return 1;
	return 0;
}

static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A random number in [lo, hi]. */
static int64_t rnd_in(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd_next(s) % (uint64_t)(hi - lo + 1));
}

/* The next event of a random run: times that often tie or go back (to be
 * clamped), few states and tasks so that equal ones follow each other. */
static void random_event(uint64_t *s, int64_t *clock, struct ev *e)
{
	static const enum ev_kind states[] = { EV_CPU, EV_IO, EV_IDLE,
					       EV_LOCK_WAIT, EV_DONE };
	static const enum ev_kind marks[] = { EV_ERROR, EV_READ };
	int64_t r = rnd_in(s, 0, 99), t = *clock;
	uint32_t task = e->task;

	if (r >= 40 && r < 80)
		t += rnd_in(s, 1, 5);
	else if (r >= 80 && r < 90)
		t += rnd_in(s, 10, 50);
	*clock = t;
	if (r >= 90)
		t -= rnd_in(s, 1, 5); /* older than the lane's last */
	r = rnd_in(s, 0, 99);
	if (r < 30)
		task = EV_NO_TASK;
	else if (r < 50 || task == EV_NO_TASK)
		task = (uint32_t)rnd_in(s, 0, MODEL_TASKS - 1);
	e->ts_ns = ORIGIN + t;
	e->task = task;
	e->lane = (uint16_t)rnd_in(s, 0, MODEL_WORKERS - 1);
	e->kind = (uint16_t)(rnd_in(s, 0, 99) < 85 ? states[rnd_in(s, 0, 4)]
						   : marks[rnd_in(s, 0, 1)]);
}

/* Does lane `lane` of the current view answer for [t0, t1) and at t0 as
 * its model does? (Asserting each value would time Check's bookkeeping
 * for most of the test: the caller asserts the outcome.) */
static int model_window_ok(const struct timeline *tl, int lane,
			   const struct model_lane *m, int64_t t0, int64_t t1,
			   int64_t now)
{
	int64_t sh[EV_STATE_COUNT], want[EV_STATE_COUNT];
	struct timeline_seg sg;
	size_t i = 0;

	timeline_shares(tl, lane, t0, t1, now, sh);
	model_shares(m, t0, t1, now, want);
	if (memcmp(sh, want, sizeof sh) != 0 ||
	    timeline_task_starts(tl, lane, t0, t1) !=
		    model_task_starts(m, t0, t1))
		return 0;
	while (i < m->n && m->start[i] <= t0)
		i++;
	if (timeline_seg_at(tl, lane, t0, now, &sg) != (i > 0 ? 0 : -1))
		return 0;
	return i == 0 ||
	       (sg.start == m->start[i - 1] && sg.state == m->state[i - 1] &&
		sg.task == m->task[i - 1]);
}

/* Lane `lane` of the current view against its model, in random windows
 * (empty and reversed ones too) and at random instants, with `now`
 * before, at and after the end. */
static void model_check(const struct timeline *tl, int lane,
			const struct model_lane *m, uint64_t *s)
{
	int64_t end = timeline_end(tl);

	ck_assert_uint_eq(timeline_segments(tl, lane), m->n);
	for (int w = 0; w < 40; w++) {
		int64_t t0 = rnd_in(s, -3, end + 5);
		int64_t t1 = t0 + rnd_in(s, -1, end + 5);
		int64_t now = end + rnd_in(s, -4, 10);
		if (!model_window_ok(tl, lane, m, t0, t1, now))
			ck_abort_msg("lane %d of %zu segments, [%lld, %lld) "
				     "now %lld: not as a plain walk has it",
				     lane, m->n, (long long)t0, (long long)t1,
				     (long long)now);
	}
}

/* Many random lanes, short ones (summed on the spot) and long ones
 * (indexed), full of ties, clamped events, replaced and merged segments:
 * the indexed shares and task starts are those of a plain walk. */
START_TEST(test_index_matches_walk)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct model_counts mc = { 0, 0 };
	struct model_lane *m =
		malloc((MODEL_WORKERS + MODEL_TASKS) * sizeof *m);
	struct model_lane *tasks = m + MODEL_WORKERS;
	size_t longest = 0;

	ck_assert_ptr_nonnull(m);
	for (int trial = 0; trial < 300; trial++) {
		struct timeline *tl = timeline_new(ORIGIN);
		struct ev e = { .task = EV_NO_TASK };
		int64_t clock = rnd_in(&seed, 0, 4);
		int nev = (int)rnd_in(&seed, 1, 160);

		memset(m, 0, (MODEL_WORKERS + MODEL_TASKS) * sizeof *m);
		for (int i = 0; i < nev; i++) {
			random_event(&seed, &clock, &e);
			ck_assert_int_eq(timeline_add(tl, &e), 0);
			int64_t t = e.ts_ns - ORIGIN > 0 ? e.ts_ns - ORIGIN : 0;
			model_add(&m[e.lane], t, e.kind, e.task, &mc);
			if (e.task != EV_NO_TASK)
				model_add(&tasks[e.task], t, e.kind, e.task,
					  &mc);
		}
		for (int l = 0; l < MODEL_WORKERS; l++) {
			model_check(tl, l, &m[l], &seed);
			if (m[l].n > longest)
				longest = m[l].n;
		}
		timeline_set_view(tl, TIMELINE_BY_TASK);
		for (int l = 0; l < MODEL_TASKS; l++)
			model_check(tl, l, &tasks[l], &seed);
		timeline_free(tl);
	}
	/* The runs did what they were meant to. */
	ck_assert_uint_gt(mc.replaced, 100);
	ck_assert_uint_gt(mc.merged, 20);
	ck_assert_uint_gt(longest, 40);
	free(m);
}
END_TEST

/* Seconds for `frames` frames of 200 columns over the whole of lane
 * `lane` (cell and boundary, as the UI draws each cell); the best of 5
 * tries, as a busy machine only ever slows a try down. Counts the cells
 * not drawn as expected into *wrong (asserting inside the loop would time
 * Check, not the timeline). */
static double frames_time(const struct timeline *tl, int lane, int64_t end,
			  int frames, int *wrong)
{
	enum { COLS = 200 };
	double best = 1e9;

	for (int rep = 0; rep < 5; rep++) {
		double t = seconds_now();
		for (int f = 0; f < frames; f++) {
			for (int c = 0; c < COLS; c++) {
				int64_t t0 = end * c / COLS;
				int64_t t1 = end * (c + 1) / COLS;
				/* As many segments of cpu as of io: mixed,
				 * so drawn by turns, and no boundary. */
				enum ev_kind want = (c % 2) ? EV_IO : EV_CPU;
				*wrong += timeline_cell(tl, lane, t0, t1, end,
							c) != want;
				*wrong += timeline_cell_boundary(tl, lane, t0,
								 t1, end, c);
			}
		}
		double took = seconds_now() - t;
		if (took < best)
			best = took;
	}
	return best;
}

/* A whole-run view of a long lane: every column spans 500 segments. With
 * the prefix index a column costs what it costs on a lane of 1,000 (a few
 * more binary search steps); walking the segments would cost 100 times
 * as much. */
START_TEST(test_zoomed_out_fast)
{
	enum { BIG = 100000, SMALL = 1000, FRAMES = 20 };
	struct timeline *tl = timeline_new(ORIGIN);

	/* Segments of 10 ns: cpu on even ones, io on odd ones, a new task
	 * every two; lane 0 long, lane 1 short. */
	for (int i = 0; i < BIG; i++) {
		add(tl, 0, 10 * (int64_t)i, (i % 2) ? EV_IO : EV_CPU,
		    (uint32_t)(i / 2));
		if (i < SMALL)
			add(tl, 1, 10 * (int64_t)i, (i % 2) ? EV_IO : EV_CPU,
			    (uint32_t)(i / 2));
	}
	ck_assert_uint_eq(timeline_segments(tl, 0), BIG);
	int wrong = 0;
	double big = frames_time(tl, 0, 10 * (int64_t)BIG, FRAMES, &wrong);
	double small = frames_time(tl, 1, 10 * (int64_t)SMALL, FRAMES, &wrong);
	ck_assert_int_eq(wrong, 0);
	if (check_timing_tests())
		ck_assert_msg(big < 10 * small,
			      "a column of 500 segments took %.1f times one "
			      "of 5 (%.3f ms against %.3f ms a try)",
			      big / small, big * 1e3, small * 1e3);
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

	tc = tcase_create("explore");
	tcase_add_test(tc, test_seg_at);
	tcase_add_test(tc, test_next_prev_event);
	tcase_add_test(tc, test_task_list_worker);
	tcase_add_test(tc, test_task_list_running);
	tcase_add_test(tc, test_task_list_interleaved);
	suite_add_tcase(s, tc);

	tc = tcase_create("zoom");
	tcase_add_test(tc, test_dominant_zoom);
	tcase_add_test(tc, test_dominant_ties);
	tcase_add_test(tc, test_markers);
	tcase_add_test(tc, test_cell_mixed);
	tcase_add_test(tc, test_cell_mixed_huge);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_many_lanes);
	tcase_add_test(tc, test_long_lane_fast);
	tcase_add_test(tc, test_index_matches_walk);
	tcase_add_test(tc, test_zoomed_out_fast);
	suite_add_tcase(s, tc);
	return s;
}
