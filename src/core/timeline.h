/* timeline.h - events turned into per-lane segments, queried at any zoom.
 *
 * Plain C, no curses: the UI and the headless report both draw from it.
 * A lane is a list of segments; segment i has a state (an enum ev_kind
 * below EV_STATE_COUNT), the task it belongs to and a start time, and lasts
 * until segment i+1 starts (the last one until "now"). Markers (read,
 * write, lost-update, error) are kept per lane as instants.
 *
 * Every event is kept twice over: on its worker's lane (the event's lane)
 * and, when it belongs to a task, on that task's lane, so the same run can
 * be shown by worker or by task (async runs many tasks on one thread: its
 * overlap only shows per task). A task's lane is in the state of the
 * task's last event; the task's EV_IDLE ends it. Queries read the lanes of
 * the current view (timeline_set_view), by worker unless told otherwise.
 *
 * Times are nanoseconds relative to the origin given to timeline_new.
 * Threads: a timeline belongs to one thread (the ring's consumer).
 */
#ifndef CONVIZ_TIMELINE_H
#define CONVIZ_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ev.h"

struct timeline;
struct evring;

/* Which lanes the queries read: one per worker (lane n: the events whose
 * lane is n) or one per task (lane n: the events of task n). */
enum timeline_view {
	TIMELINE_BY_WORKER = 0,
	TIMELINE_BY_TASK,
	TIMELINE_VIEW_COUNT
};

/* An empty timeline whose time 0 is `origin_ns` (a CLOCK_MONOTONIC time).
 * Returns NULL when out of memory. */
struct timeline *timeline_new(int64_t origin_ns);
void timeline_free(struct timeline *tl);

/* Adds one event. Lanes appear as events name them. An event older than
 * the lane's last one is clamped to it (each producer keeps its order, so
 * this only absorbs clock ties); one stamped before the origin counts from
 * 0; a kind >= EV_KIND_COUNT is ignored (returns 0). Returns 0, or -1 when
 * out of memory. */
int timeline_add(struct timeline *tl, const struct ev *e);

/* The ring's consumer: moves what `ring` holds into the timeline, oldest
 * first, at most `max` events (SIZE_MAX: until the ring is empty), and
 * returns how many it took. Summed over a run and subtracted from
 * evring_pushed, that is what the run dropped. Never blocks. Out of memory
 * is fatal (msg_fatal). The consumer thread only. */
size_t timeline_drain(struct timeline *tl, struct evring *ring, size_t max);

/* The same, and each event is also handed to also(ctx, ev) (the race
 * lab's books, core/ledger.h), in the same order. */
size_t timeline_drain_also(struct timeline *tl, struct evring *ring, size_t max,
			   void (*also)(void *ctx, const struct ev *ev),
			   void *ctx);

/* Chooses the lanes every query below reads (lane numbers are workers or
 * tasks). Adding events is the same in both views. An unknown view is
 * ignored. */
void timeline_set_view(struct timeline *tl, enum timeline_view view);
enum timeline_view timeline_get_view(const struct timeline *tl);

/* Number of lanes of the current view: highest lane (worker) or task seen
 * + 1. */
int timeline_lanes(const struct timeline *tl);

/* The process id of the worker last started on worker lane `lane` (an
 * EV_STARTUP event's arg, which worker processes give), or 0: a thread,
 * or no such lane. */
int64_t timeline_lane_pid(const struct timeline *tl, int lane);

/* Time of the latest event seen, relative to the origin (0 if none). */
int64_t timeline_end(const struct timeline *tl);

/* Number of segments of lane L (0 for an unknown lane). A segment that
 * lasted no time is replaced by the next one, so only segments that take
 * time are counted. */
size_t timeline_segments(const struct timeline *tl, int lane);

/* State of lane L at time t (EV_IDLE before its first event). */
enum ev_kind timeline_state_at(const struct timeline *tl, int lane, int64_t t);

/* How much of [t0, t1) lane L spent in each state: shares[k] for every
 * k < EV_STATE_COUNT, in nanoseconds. The open last segment counts up to
 * `now` (pass timeline_end() for a finished run). Time before the lane's
 * first event counts as idle; an unknown or empty lane gives all zeros. */
void timeline_shares(const struct timeline *tl, int lane, int64_t t0,
		     int64_t t1, int64_t now, int64_t shares[EV_STATE_COUNT]);

/* The state that dominates [t0, t1) of lane L, by time (ties go to the
 * state that teaches most: lock-wait, gil-wait, io, cpu, startup, idle,
 * done). EV_IDLE when the lane has nothing there. */
enum ev_kind timeline_dominant(const struct timeline *tl, int lane, int64_t t0,
			       int64_t t1, int64_t now);

/* A mixed cell: the second state fills at least this share (percent) of
 * the time the cell's two main states fill. */
#define TIMELINE_MIXED_PCT 30

/* The state to draw for one cell of lane L covering [t0, t1): the dominant
 * state, unless the lane switched between two states within the cell (say
 * cpu and gil-wait, 5 ms turns in a 25 ms cell), in which case cells show
 * the two alternately by `phase` (pass column + lane): even phases the
 * lower of the two kinds, odd ones the higher. Neighbouring lanes then
 * alternate out of step, which is what taking turns looks like. */
enum ev_kind timeline_cell(const struct timeline *tl, int lane, int64_t t0,
			   int64_t t1, int64_t now, int phase);

/* Bit mask (1u << (kind - EV_STATE_COUNT)) of the markers of lane L in
 * [t0, t1). */
unsigned timeline_markers(const struct timeline *tl, int lane, int64_t t0,
			  int64_t t1);

/* One marker as the lane keeps it: when (from the origin), its task and
 * its arg (an error's code; for the race lab, the value read or
 * written, the amount a lost update lost). */
struct timeline_marker {
	int64_t t;
	int64_t arg;
	uint32_t task;
};

/* The markers of `kind` on lane L in [t0, t1), oldest first: the first
 * `max` of them into out[]. Returns how many there are in all (more than
 * max: out holds the first max). 0 for a state kind or an unknown lane. */
size_t timeline_marker_list(const struct timeline *tl, int lane,
			    enum ev_kind kind, int64_t t0, int64_t t1,
			    struct timeline_marker *out, size_t max);

/* Does a task start on lane L within [t0, t1), right after another task
 * on the same lane? (1 or 0.) Where one task ends and the next begins:
 * the first task of a lane (after startup, say) is no boundary. A lane of
 * the task view holds one task, so it has none. */
int timeline_task_starts(const struct timeline *tl, int lane, int64_t t0,
			 int64_t t1);

/* Is the cell [t0, t1) of lane L drawn as a task boundary? When a task
 * starts in it after another (timeline_task_starts) and the cell is not
 * a mixed one: a mixed cell shows two states by turns (timeline_cell),
 * which says more than "a new task", and must not lose a turn to it. Nor
 * is a cell where the lane mostly idles: tiny tasks handed out one by one
 * (procs, --chunk 1) leave the worker waiting between them, and the
 * blank says so where a boundary would hide it. */
int timeline_cell_boundary(const struct timeline *tl, int lane, int64_t t0,
			   int64_t t1, int64_t now, int phase);

/* Counts over the whole timeline: events added, and markers of a kind. */
uint64_t timeline_events(const struct timeline *tl);
uint64_t timeline_marker_count(const struct timeline *tl, enum ev_kind kind);

/* Distinct tasks that reached a state on lane L (a task counted once per
 * lane; 1 on a lane of the task view that has any). */
uint64_t timeline_lane_tasks(const struct timeline *tl, int lane);

/* ---- Exploring a run: what the cursor and the lane panel ask ---------- */

/* One stretch of a lane as the queries give it: [start, end) in one state
 * for one task (EV_NO_TASK: none). */
struct timeline_seg {
	int64_t start, end;
	uint32_t task;
	enum ev_kind state;
};

/* The segment of lane L (current view) that covers t: start <= t < end.
 * The open last one ends at `now` (at its start if `now` is not past it)
 * and is found for any t from its start on, past `now` too: a finished
 * lane stays in its last state. Returns 0. Before the lane's first event,
 * or for an unknown or empty lane, returns -1 and *out is the idle
 * stretch from 0 to the first event (to `now` for an empty lane), task
 * EV_NO_TASK. */
int timeline_seg_at(const struct timeline *tl, int lane, int64_t t, int64_t now,
		    struct timeline_seg *out);

/* Segment i of lane L of the current view, oldest first (i below
 * timeline_segments): 0 and *out, as timeline_seg_at gives it (the open
 * last one ends at `now`, at its start if `now` is not past it). -1 and
 * *out untouched when there is no such segment. A walk of a lane from 0
 * up costs one step a segment: what an exporter writing every segment
 * needs, where timeline_seg_at would search for each. */
int timeline_seg_nth(const struct timeline *tl, int lane, size_t i, int64_t now,
		     struct timeline_seg *out);

/* The next moment strictly after t (prev: strictly before t) at which
 * anything happens on any lane of the current view: a segment starts or
 * a marker falls. -1 when there is none. Cost: a binary search per lane
 * (a keypress's worth, not a frame's). */
int64_t timeline_next_event(const struct timeline *tl, int64_t t);
int64_t timeline_prev_event(const struct timeline *tl, int64_t t);

/* A task's time on one lane: from its first segment's start to the end of
 * its last segment that is neither idle nor done (its start if it has
 * none), the time it spent in each state there (in[EV_IDLE] and
 * in[EV_DONE] stay 0: the task is over), and the EV_ERROR markers of the
 * lane that carry its number. A task that ran on the lane in several
 * stretches (async's one loop lane interleaves tasks) is one entry, its
 * stretches summed. */
struct timeline_task {
	uint32_t task;
	int64_t start, end;
	int64_t in[EV_STATE_COUNT];
	uint32_t errors;
};

/* The tasks of lane L in the order they first started there: the first
 * `max` into out[] (out may be NULL when max is 0). Returns how many
 * there are in all: the tasks that still have a segment on the lane (one
 * whose only segment lasted no time, replaced at once, has none). The
 * open last segment counts up to `now`. Costs a walk of the lane's
 * segments: for a panel, not for every cell. Out of memory is fatal
 * (msg_fatal). */
size_t timeline_lane_task_list(const struct timeline *tl, int lane, int64_t now,
			       struct timeline_task *out, size_t max);

#endif
