/* ui_explore.h - time travel over the run on screen: the display's
 * clock, a cursor, zoom and pan.
 *
 * The lanes either follow the run (live) or show it up to a moment the
 * person chose (paused), with a cursor marking a moment in it: space
 * pauses, the arrows step from one event to the next, Home rewinds, End
 * returns to live, [ and ] replay from the cursor slower or faster (the
 * lanes fill in again as the cursor moves, x0.1 to x10), i and o zoom in
 * and out around the cursor, < and > pan. Everything here is a time
 * relative to the run's origin, so a resize changes nothing.
 *
 * Plain state and arithmetic: ui.c feeds it keys and the run's present,
 * and reads back the window the lanes show; ui_draw.c draws it. No curses
 * calls (key codes only). Threads: the UI thread.
 */
#ifndef CONVIZ_UI_EXPLORE_H
#define CONVIZ_UI_EXPLORE_H

#include <stdint.h>

struct timeline;

/* Replay speeds, in tenths: x0.1 ... x10. */
#define UI_EXPLORE_SPEEDS 7
#define UI_EXPLORE_SPEED_1X 3 /* the index of x1 */

struct ui_explore {
	int paused;    /* 0: live, the lanes follow the run */
	int replay;    /* paused, and the cursor moves by itself */
	int64_t shown; /* paused: the lanes show the run up to here */
	int64_t cursor;
	int speed;	     /* an index into the speeds */
	int64_t replay_wall; /* the clock when the cursor last moved */
	/* Zoom: span 0 shows the whole run; else [t0, t0 + span]. */
	int64_t t0, span;
};

/* What the run on screen is, for a key or a turn of the loop. */
struct ui_explore_run {
	const struct timeline *tl; /* NULL: no run yet */
	int64_t now;		   /* the run's present (its end once over) */
	int64_t fit;		   /* the window that shows it all */
	int64_t wall;		   /* the clock (CLOCK_MONOTONIC) */
	int cols;		   /* the lanes' width, for the zoom's floor */
};

/* Live, whole run, x1: what a new run starts with. */
void ui_explore_reset(struct ui_explore *x);

/* Handles one key of the explore set (space, arrows left and right,
 * Home, End, [ ], i, o, <, >, and , . as < >). Returns 1 if it was one. */
int ui_explore_key(struct ui_explore *x, int ch,
		   const struct ui_explore_run *r);

/* Moves a replaying cursor on by the time since the last turn at its
 * speed; stops at what has been recorded. Returns 1 if it moved. */
int ui_explore_tick(struct ui_explore *x, const struct ui_explore_run *r);

/* Pauses (if live) and puts the cursor at t, zoom following it; for a
 * click on the axis or a task picked in the lane panel. */
void ui_explore_goto(struct ui_explore *x, int64_t t,
		     const struct ui_explore_run *r);

/* Replays from the start at x1, or slower for a run shorter than 3 s so
 * that the play lasts 3 s (down to x0.1): what conviz replay opens with. */
void ui_explore_play(struct ui_explore *x, const struct ui_explore_run *r);

/* Zooms in (dir 1) or out (-1) around t, pausing first if live: for the
 * mouse wheel. */
void ui_explore_zoom_at(struct ui_explore *x, int dir, int64_t t,
			const struct ui_explore_run *r);

/* What the lanes show: [*t0, *t0 + *span], the run up to *now, and the
 * cursor (-1 when live). */
void ui_explore_window(const struct ui_explore *x,
		       const struct ui_explore_run *r, int64_t *t0,
		       int64_t *span, int64_t *now, int64_t *cursor);

/* The replay speed as people read it: "x0.5", "x10". */
const char *ui_explore_speed_name(int speed);

/* How many times the zoom magnifies the whole run (1: not zoomed). */
double ui_explore_zoom(const struct ui_explore *x,
		       const struct ui_explore_run *r);

#endif
