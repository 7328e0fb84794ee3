/* ui_draw.h - what the TUI screen shows, drawn from a plain description.
 *
 * ui.c fills a struct ui_view (what is configured, and the run on screen)
 * and ui_draw_screen paints the whole screen from it: header, one lane per
 * worker, time axis, legend, key bar, and the help overlay on top. It
 * keeps no state between calls, so a resize is just another call.
 *
 * Threads: UI thread only (it calls curses); the timeline must belong to
 * that thread.
 */
#ifndef CONVIZ_UI_DRAW_H
#define CONVIZ_UI_DRAW_H

#include <stdint.h>

struct explain;
struct recording;
struct timeline;
struct ui_pick;
struct ui_race;

/* Below this size the screen shows "terminal too small" instead. */
#define UI_DRAW_MIN_COLS 40
#define UI_DRAW_MIN_LINES 10

/* Where the run on screen is in its life. */
enum ui_phase {
	UI_PHASE_NONE = 0, /* no run (it could not start) */
	UI_PHASE_RUNNING,
	UI_PHASE_STOPPING, /* cancelled; its running tasks are finishing */
	UI_PHASE_DONE,	   /* completed */
	UI_PHASE_CANCELLED,
	UI_PHASE_FAILED /* the run could not complete */
};

/* A comparison on screen (c): the runs stacked on one time axis, then
 * their table; or a sweep (w): a chart of wall time against workers.
 * ui.c fills it from compare.h's rows. */
#define UI_COMPARE_MAX 32 /* a comparison's 5 models, a sweep's counts */

enum ui_compare_state {
	UI_COMPARE_WAITING = 0, /* not run yet */
	UI_COMPARE_RUNNING,
	UI_COMPARE_DONE,
	UI_COMPARE_FAILED /* could not start or complete: why */
};

struct ui_compare_run {
	const char *label; /* "threads, no GIL" */
	enum ui_compare_state state;
	const struct timeline *tl; /* by worker; NULL before it starts */
	int lanes;
	int64_t now_ns; /* its present (its end once done) */
	const char *why;
	int workers, gil;
	double wall_s, cpu_s;
	double speedup; /* over sync; <= 0: not known */
	double ideal;
	double tutorial; /* the tutorial's speed-up; <= 0: none */
};

struct ui_compare {
	int n;
	/* A sweep (w): one model over worker counts 1..n, charted as wall
	 * time against workers; its speed-ups are over one worker. */
	int sweep;
	struct ui_compare_run run[UI_COMPARE_MAX];
	int64_t window_ns;	 /* the shared axis: [0, window_ns] */
	int over;		 /* every run has ended */
	const char *verdict;	 /* "" until over */
	const char *tutorial_by; /* the tutorial's figures' source, or NULL */
};

/* A finished run of the scenario on screen, for the table of recent
 * runs under the lanes. */
#define UI_RECENT_MAX 8

struct ui_recent {
	const char *model;
	int workers, gil;
	double wall_s;
	double speedup; /* over the scenario's last sync run; <= 0: none */
};

struct ui_view {
	/* What is configured: shown at once after a key, even while the
	 * previous run is still stopping. */
	const char *scenario; /* name */
	const char *title;
	const char *lesson; /* may be empty */
	const char *model;
	const char *model_lesson; /* may be NULL */
	/* How the model's processes start ("forkserver, chunk 500"), or
	 * NULL; shown on wide screens. */
	const char *how;
	int workers; /* after model rules (sync: 1) */
	int gil;

	/* The run on screen. */
	enum ui_phase phase;
	const struct timeline *tl; /* NULL: nothing to draw yet */
	int lanes;
	int task_view;	 /* lanes are tasks (t0..), not workers (w0..): tl's
			* view (timeline_set_view) */
	int lane_top;	 /* the first lane shown, when they do not all fit */
	int64_t now_ns;	 /* the run's present, relative to its origin */
	int64_t view_t0; /* lanes show [view_t0, view_t0 + window_ns] */
	int64_t window_ns;
	/* The moment the cursor marks (explore: paused or replaying), drawn
	 * as a column across the lanes; < 0: none (live). */
	int64_t cursor_ns;
	int paused, replay; /* the display's clock (ui_explore.h) */
	const char *speed;  /* a replay's: "x0.5" */
	double zoom;	    /* how many times the window magnifies: 1 whole */
	/* The run kept in full: what each task asked for and answered
	 * (the cursor's panel, the lane's); NULL: none. */
	const struct recording *rec;
	int sel_lane; /* the lane selected (Tab): its tasks' panel; -1 none */
	int task_row; /* the task picked in that panel */
	/* That lane's tasks in the order they started there, and how many
	 * (ui.c keeps the list while the lane and the run stand still). */
	const struct timeline_task *sel_list;
	int sel_tasks;
	double elapsed_s;     /* running: so far; done: the wall time */
	uint32_t done, total; /* tasks */
	uint32_t failed;      /* tasks failed so far (error markers seen) */
	/* The row under the axis: why tasks failed (when some did), else the
	 * answers of a completed run, else where the embedded server is.
	 * NULL or "": no row. */
	const char *errors;
	const char *results;
	const char *server;
	uint64_t stalls;       /* pushes that waited for room in the ring */
	double stall_s;	       /* how long they waited, in all */
	uint64_t dropped;      /* events pushed that never reached the screen */
	double ready_s;	       /* once done: lanes ready, waiting for a core */
	int cores;	       /* online CPUs */
	uint32_t wrong;	       /* once done: wrong answers (conviz is broken) */
	const char *wrong_msg; /* what the first one was */
	double baseline_s;     /* last sync wall time of this scenario; < 0
				* when there is none yet */

	unsigned kinds; /* what the run can draw (EV_BIT()s): the legend */

	const char *message; /* shown in the header, or NULL */
	int help;	     /* draw the help overlay */
	int help_top;	     /* its first line shown (scrolled) */
	int utf8;	     /* block glyphs (1) or ASCII (0) */
	/* The list s or m opened (ui_pick.h), drawn over the lanes; NULL:
	 * none. */
	const struct ui_pick *pick;
	/* The race lab's panel under the lanes (ui_race.h); NULL: the run
	 * shares no values and takes no locks. */
	const struct ui_race *race;
	/* The lesson card of the scenario and model configured
	 * (app/explain.h), or NULL when there is none; in the help, and
	 * beside the lanes when card_shown (e). */
	const struct explain *card;
	int card_shown;
	/* The run's --scale when it changes the work from the tutorial's
	 * (work_scaled), said above the card, whose figures are the
	 * tutorial's, with the two works in a few words ("fib(32) x20",
	 * "fib(35) x20"); 0: the card's work is the run's. */
	double card_scale;
	const char *card_work, *card_tut;
	/* The scenario's finished runs, newest first, shown in the rows
	 * the lanes leave empty. */
	struct ui_recent recent[UI_RECENT_MAX];
	int nrecent;
	/* The comparison on screen instead of the lanes, or NULL; its
	 * verdict, once over, heads the card. */
	const struct ui_compare *cmp;
};

/* Paints the screen from v and refreshes it. A screen smaller than
 * UI_DRAW_MIN_COLS x UI_DRAW_MIN_LINES gets a "terminal too small" message
 * instead. */
void ui_draw_screen(const struct ui_view *v);

/* How many lanes of v the screen shows as it is now (at least 1): what
 * a page of lanes is. */
int ui_draw_lanes_shown(const struct ui_view *v);

/* How many tasks the panel of the lane selected shows at once (at least
 * 1): what a page of them is. */
int ui_draw_tasks_shown(const struct ui_view *v);

/* Where a click at row y, column x falls: 1 on lane *lane (and *t, the
 * time of its column), 2 on the time axis (*t), 0 elsewhere. */
int ui_draw_hit(const struct ui_view *v, int y, int x, int *lane, int64_t *t);

/* How far the help overlay of v can scroll on the screen as it is now:
 * the largest help_top that still fills the box (0: it all fits). */
int ui_draw_help_scroll_max(const struct ui_view *v);

#endif
