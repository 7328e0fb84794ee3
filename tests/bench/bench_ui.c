/* bench_ui.c - what a frame of the TUI costs: ui_draw_screen painting a
 * finished `primes` run (15,000 tiny tasks, threads model, 2 workers, the
 * GIL on), recorded as the TUI records it (a ring drained into a
 * timeline). Curses really runs, on a virtual 160x48 screen of an
 * xterm-256color that writes to /dev/null (ui_term_virtual_init), so
 * erase and refresh count too. Prints name=value figures, each the
 * median of many frames, in milliseconds:
 *   ui_frame_ms_primes_out=        by worker, the whole run on screen
 *   ui_frame_ms_primes_in=         by worker, 200 us from the middle
 *                                  of the run: about a column a
 *                                  microsecond
 *   ui_frame_ms_primes=            the worse of those two (goal: 2 ms)
 *   ui_frame_ms_primes_pan=        zoomed in, the window moved by half
 *                                  its width every frame: what scrolling
 *                                  in time costs, every lane cell new
 *   ui_frame_ms_primes_task_view=  by task: 15,000 lanes, a screenful
 *                                  from the middle shown, whole run
 * The same frame drawn again is what a finished run costs at rest:
 * refresh then sends only what changed, which is little; the pan figure
 * sends every lane cell. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/run.h"
#include "app/scenario.h"
#include "core/ev.h"
#include "core/evring.h"
#include "core/timeline.h"
#include "models/model.h"
#include "ui/ui_draw.h"
#include "ui/ui_term.h"

#define BENCH_COLS 160
#define BENCH_LINES 48
#define BENCH_FRAMES 200
#define BENCH_WARMUP 10
#define BENCH_ZOOM_NS 200000 /* 200 us: ~1 us a column at 160 columns */

/* A finished run as the TUI keeps it. */
struct recorded {
	struct run_config cfg;
	struct timeline *tl;
	double wall_s;
	uint32_t tasks;
	uint64_t events;
};

static void bench_die(const char *what)
{
	fprintf(stderr, "bench_ui: %s\n", what);
	exit(1);
}

/* Runs `scenario` (threads, 2 workers, GIL on) and drains its ring into
 * a timeline while it goes, as the TUI's loop does. */
static void record(const char *scenario, struct recorded *rec)
{
	char err[512];
	struct evring *ring = evring_new(1 << 16);
	struct run_stats st;
	struct run *r;

	memset(rec, 0, sizeof *rec);
	if (scenario_load(scenario, &rec->cfg.sc, err, sizeof err) < 0)
		bench_die(err);
	rec->cfg.model = MODEL_THREADS;
	rec->cfg.workers = 2;
	rec->cfg.gil = 1;
	rec->cfg.scale = 1.0;
	rec->cfg.view = -1;
	if (!ring)
		bench_die("out of memory");
	r = run_start(&rec->cfg, ring, err, sizeof err);
	if (!r)
		bench_die(err);
	rec->tl = timeline_new(run_origin_ns(r));
	if (!rec->tl)
		bench_die("out of memory");
	while (!run_finished(r)) {
		evring_wait(ring, 50);
		timeline_drain(rec->tl, ring, SIZE_MAX);
	}
	run_wait(r, &st);
	timeline_drain(rec->tl, ring, SIZE_MAX);
	if (st.ok != st.tasks || st.wrong)
		bench_die("wrong results");
	rec->wall_s = st.wall_s;
	rec->tasks = st.tasks;
	rec->events = timeline_events(rec->tl);
	run_free(r);
	evring_free(ring);
}

/* The screen of a finished run, all of it in the window, no cursor, as
 * ui.c fills it (no card, no help, no list open). */
static void view_fill(struct ui_view *v, const struct recorded *rec, int utf8)
{
	int64_t end = timeline_end(rec->tl);

	memset(v, 0, sizeof *v);
	v->scenario = rec->cfg.sc.name;
	v->title = rec->cfg.sc.title;
	v->lesson = rec->cfg.sc.lesson;
	v->model = model_get(rec->cfg.model)->name;
	v->model_lesson = model_get(rec->cfg.model)->lesson;
	v->workers = rec->cfg.workers;
	v->gil = rec->cfg.gil;
	v->phase = UI_PHASE_DONE;
	v->tl = rec->tl;
	v->lanes = timeline_lanes(rec->tl);
	v->now_ns = end;
	v->view_t0 = 0;
	v->window_ns = end;
	v->cursor_ns = -1; /* none: 0 would mark time 0 */
	v->zoom = 1.0;
	v->sel_lane = -1; /* none: 0 would select lane 0 */
	v->elapsed_s = rec->wall_s;
	v->done = v->total = rec->tasks;
	v->cores = 2;
	v->baseline_s = -1.0;
	v->kinds = EV_BIT(EV_CPU) | EV_BIT(EV_READY) | EV_BIT(EV_GIL_WAIT);
	v->utf8 = utf8;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median time of a frame of v, in ms. pan_ns: each frame moves the
 * window by that much and back (0: the same frame every time). */
static double frame_ms(const struct ui_view *v, int64_t pan_ns)
{
	static double ms[BENCH_FRAMES];
	struct ui_view f = *v;

	for (int i = 0; i < BENCH_WARMUP; i++)
		ui_draw_screen(&f);
	for (int i = 0; i < BENCH_FRAMES; i++) {
		f.view_t0 = v->view_t0 + (i % 2) * pan_ns;
		double t0 = now_ms();
		ui_draw_screen(&f);
		ms[i] = now_ms() - t0;
	}
	qsort(ms, BENCH_FRAMES, sizeof ms[0], cmp_double);
	return (ms[BENCH_FRAMES / 2 - 1] + ms[BENCH_FRAMES / 2]) / 2;
}

/* The frames by worker: the whole run, then zoomed in on its middle. */
static void measure_workers(const struct recorded *rec, int utf8)
{
	struct ui_view v;
	double out, in, pan;

	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
	view_fill(&v, rec, utf8);
	out = frame_ms(&v, 0);
	v.view_t0 = v.now_ns / 2;
	v.window_ns = BENCH_ZOOM_NS;
	v.zoom = (double)v.now_ns / BENCH_ZOOM_NS;
	in = frame_ms(&v, 0);
	pan = frame_ms(&v, BENCH_ZOOM_NS / 2);
	printf("ui_frame_ms_primes_out=%.3f\n", out);
	printf("ui_frame_ms_primes_in=%.3f\n", in);
	printf("ui_frame_ms_primes=%.3f\n", out > in ? out : in);
	printf("ui_frame_ms_primes_pan=%.3f\n", pan);
}

/* The frames of exploring, by worker over the whole run: paused with the
 * cursor in the middle (its panel beside the lanes: each lane's state
 * there), then with lane 0 selected (its panel lists the lane's ~7,500
 * tasks, listed once as the TUI keeps them, a page of them drawn). */
static void measure_explore(const struct recorded *rec, int utf8)
{
	struct timeline_task *list;
	struct ui_view v;
	double cursor, lane;

	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
	view_fill(&v, rec, utf8);
	v.paused = 1;
	v.cursor_ns = v.now_ns / 2;
	cursor = frame_ms(&v, 0);
	v.sel_lane = 0;
	v.sel_tasks =
		(int)timeline_lane_task_list(rec->tl, 0, v.now_ns, NULL, 0);
	list = calloc((size_t)v.sel_tasks + 1, sizeof *list);
	if (!list)
		bench_die("out of memory");
	timeline_lane_task_list(rec->tl, 0, v.now_ns, list,
				(size_t)v.sel_tasks);
	v.sel_list = list;
	v.task_row = v.sel_tasks / 2;
	lane = frame_ms(&v, 0);
	printf("ui_frame_ms_primes_cursor=%.3f\n", cursor);
	printf("ui_frame_ms_primes_lane=%.3f\n", lane);
	printf("ui_frame_tasks_primes_lane=%d\n", v.sel_tasks);
	free(list);
}

/* The frames by task: a lane a task, a screenful of them from the
 * middle of the run, all of the run in the window. */
static void measure_tasks(const struct recorded *rec, int utf8)
{
	struct ui_view v;

	timeline_set_view(rec->tl, TIMELINE_BY_TASK);
	view_fill(&v, rec, utf8);
	v.task_view = 1;
	v.lane_top = v.lanes / 2;
	printf("ui_frame_ms_primes_task_view=%.3f\n", frame_ms(&v, 0));
	printf("ui_frame_lanes_primes_task_view=%d\n", v.lanes);
	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
}

int main(void)
{
	struct recorded rec;
	int utf8;

	/* Block glyphs, as on a person's terminal: curses draws them only
	 * in a UTF-8 locale, and ui_term takes the locale from here. */
	setenv("LC_ALL", "C.UTF-8", 1);
	record("primes", &rec);
	printf("ui_frame_events_primes=%llu\n", (unsigned long long)rec.events);
	fflush(stdout);
	if (ui_term_virtual_init("xterm-256color", BENCH_COLS, BENCH_LINES) !=
	    0)
		bench_die("cannot start curses on xterm-256color: is its "
			  "terminfo entry installed (ncurses-base)?");
	utf8 = ui_term_utf8();
	if (!utf8)
		fprintf(stderr, "bench_ui: no UTF-8 locale (C.UTF-8): the "
				"frames are drawn in ASCII\n");
	measure_workers(&rec, utf8);
	measure_tasks(&rec, utf8);
	measure_explore(&rec, utf8);
	ui_term_virtual_end();
	fflush(stdout);
	timeline_free(rec.tl);
	return 0;
}
