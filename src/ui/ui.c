/* ui.c - the TUI: the loop, the keys, and the life of each run.
 *
 * One thread does everything here: it is the only reader of the event ring
 * and the only caller of curses. Each turn of the loop waits for a key for
 * at most one frame (33 ms), drains the ring into the timeline, looks
 * whether the run has finished, and redraws if something changed, at most
 * 30 times a second.
 *
 * A run's life: run_begin gives it a new ring and, once started, a new
 * recording (app/recording.h: every event raw, and the timeline they
 * index); while it runs the loop drains its ring into the recording
 * (producers block when the ring is full, so draining must never stop);
 * once run_finished says so, run_end joins it, drains what is left, keeps
 * each task's answer and frees the ring. The recording stays on screen
 * until the next run starts. A change of model,
 * scenario, workers or GIL cancels the current run and starts the new
 * configuration as soon as the old one is joined; the loop never waits for
 * a run while it could be drawing.
 *
 * s and m open a list to pick from (ui_pick.h); while it is open every
 * key goes to it, and the run on screen goes on behind it.
 *
 * c compares: every model runs the scenario in turn through this same
 * run life, and each run's recording is kept (ui->cmp) so they are drawn
 * stacked on one time axis; Esc brings back what ran before. e shows the
 * lesson card (app/explain.h) beside the lanes.
 *
 * v shows the lanes per worker or per task (the timeline keeps both);
 * when the lanes outnumber the rows, the arrows up and down and PgUp/PgDn
 * scroll them (the help, the lists and a lane's panel keep those keys
 * while open).
 *
 * Exploring (ui_explore.h): the lanes follow the run (live) or stand at
 * a moment with a cursor (paused; space), which the arrows left and
 * right step from event to event, Home rewinds, [ and ] replay; i and o
 * zoom, < and > pan. What the lanes show is a window of times and a
 * present chosen there, never the wall clock itself. Tab selects a lane
 * and lists its tasks; the mouse clicks lanes and the axis, and zooms.
 * Paused, the race lab's panel shows the books at the cursor, rebuilt
 * from the recording's events.
 */
#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/compare.h"
#include "app/explain.h"
#include "app/recording.h"
#include "app/report.h"
#include "app/run.h"
#include "app/scenario.h"
#include "core/clock.h"
#include "core/ev.h"
#include "core/evring.h"
#include "core/ledger.h"
#include "core/msg.h"
#include "core/timeline.h"
#include "models/model.h"
#include "models/procs.h"
#include "server/server.h"
#include "ui/ui.h"
#include "ui/ui_draw.h"
#include "ui/ui_explore.h"
#include "ui/ui_pick.h"
#include "ui/ui_race.h"
#include "ui/ui_term.h"
#include "work/work.h"

#define UI_FRAME_MS 33
#define UI_FRAME_NS (UI_FRAME_MS * 1000000LL)
/* 8 MiB of events: a race scenario's four markers per increment (read,
 * write, and a lock's take and release) come faster than a frame. */
#define UI_RING_CAPACITY 262144
/* Events moved per loop turn at most, so keys stay responsive while a
 * flood of tiny tasks fills the ring. */
#define UI_DRAIN_TURN 65536
#define UI_WINDOW_NS 1000000000LL /* the lanes start showing [0, 1 s] */
#define UI_NOTE_NS 3000000000LL	  /* how long a passing note stays */
#define UI_EXIT_WAIT_NS 2000000000LL
#define UI_BASELINES 32
#define UI_SWEEP_THREADS 16 /* w: threads from 1 to this many */

/* The wall time of the last completed sync run of a scenario at a scale:
 * what "speedup" divides. */
struct ui_baseline {
	char name[SCENARIO_NAME_MAX];
	double scale;
	double wall_s;
};

/* A finished run, for the table of recent runs. */
#define UI_RUNS 64
struct ui_finished {
	char name[SCENARIO_NAME_MAX];
	double scale;
	enum model_id model;
	int workers, gil;
	double wall_s;
};

struct ui {
	struct run_config cfg; /* what runs next; the header shows it */

	/* The run on screen. */
	struct run *run;     /* NULL once joined (or never started) */
	struct evring *ring; /* lives exactly as long as run */
	/* The run kept in full (app/recording.h) until the next run starts,
	 * and its timeline (rec->tl), what the lanes draw. */
	struct recording *rec;
	struct timeline *tl;
	struct run_config shown; /* the configuration it runs */
	enum ui_phase phase;
	int lanes;
	int64_t origin_ns; /* CLOCK_MONOTONIC time 0 of the run */
	int64_t end_ns;	   /* relative; known once joined */
	int64_t window_ns; /* lanes show [0, window_ns] */
	uint32_t done;
	uint32_t failed; /* error markers drained so far */
	uint64_t stalls, pushed, consumed;
	double stall_s, ready_s;
	uint32_t wrong;	     /* once joined: wrong answers */
	char wrong_msg[512]; /* and what the first one was */
	double wall_s;
	int restart;	   /* start cfg once the run is joined */
	char results[256]; /* once joined: the answers, why tasks failed */
	char errors[256];
	char server[SERVER_URL_MAX + 32]; /* the embedded server, if any */
	/* The race lab's books, kept from the events drained, and its
	 * panel; a deadlock's cycle once the run is joined. */
	struct ledger ledger;
	struct ui_race race;
	char var_label[16];
	char cycle[RUN_CYCLE_MAX];

	/* The screen. */
	char title[WORK_TITLE_MAX]; /* the header's: what cfg really runs */
	char how[48];		    /* how processes start (ui_view.how) */
	int help, help_top, dirty;
	int lane_top; /* the first lane shown */
	int64_t drawn_ns, drawn_tick;
	char note[256];
	int cores;	    /* online CPUs: the header shows them */
	int64_t note_until; /* 0: the note stays until replaced */

	/* The lesson card of cfg's scenario and model (app/explain.h): e
	 * shows it beside the lanes; the help has it too. */
	struct explain card;
	int card_on, card_ok;
	char card_for[SCENARIO_NAME_MAX + 64]; /* "scenario model gil scale" */
	/* cfg.scale when it changes the work from the card's (work_scaled):
	 * the card's figures are the tutorial's, not this run's. 0: not.
	 * Then the two works in a few words (work_brief). */
	double card_scale;
	char card_work[WORK_TITLE_MAX], card_tut[WORK_TITLE_MAX];
	char card_err[512];

	/* The comparison c started: each model's run in turn, its timeline
	 * kept; cfg is the running row's, `before` what comes back on
	 * Esc. */
	struct {
		int on, n, cur; /* cur: the row running, n once all ran */
		/* Which comparison this is, and which the run on screen
		 * belongs to (-1: none), so a run from before c, or from a
		 * comparison closed meanwhile, never fills a row. */
		int gen, run_gen;
		int sweep; /* w: one model over 1..n workers */
		struct compare_row rows[UI_COMPARE_MAX];
		struct recording *rec[UI_COMPARE_MAX];
		int64_t end_ns[UI_COMPARE_MAX];
		char labels[UI_COMPARE_MAX][24]; /* a sweep's "3 workers" */
		struct run_config base, before;
		char verdict[COMPARE_VERDICT_MAX];
		struct ui_compare view;
	} cmp;

	/* Exploring the run on screen (ui_explore.h): the display's clock,
	 * the cursor and the zoom; the lane selected (Tab, -1: none) and its
	 * panel's task row; the race lab's books at the cursor (rebuilt when
	 * the cursor or the events change). */
	struct ui_explore x;
	int sel, task_row;
	/* The lane selected's tasks (timeline_lane_task_list), kept while
	 * the lane, the view, the events and the moment shown stay. */
	struct {
		struct timeline_task *list;
		size_t n;
		int lane, view;
		size_t nev;
		int64_t now;
	} tasks;
	struct ledger at;
	int64_t at_t;
	size_t at_nev;
	int at_ok;

	/* --trace, --svg, --csv: the first run (or the comparison) is
	 * written once it is over (exported: it was). */
	struct report_exports exports;
	int exported;
	/* conviz replay: the runs on screen come from this file, and the
	 * keys that would run something say so instead. */
	int replaying;
	char replay_from[PATH_MAX];

	struct ui_pick *pick; /* the list s or m opened, or NULL */
	int pick_models;      /* it lists models (else scenarios) */
	struct ui_baseline base[UI_BASELINES];
	size_t nbase;
	struct ui_finished runs[UI_RUNS]; /* a ring: the latest UI_RUNS */
	size_t nruns;
};

/* Shows a line in the header: for a few seconds, or until replaced when
 * not `passing`. */
static void ui_note(struct ui *ui, const char *text, int passing)
{
	msg_fmt(ui->note, sizeof ui->note, "%s", text);
	ui->note_until = passing ? clock_now_ns() + UI_NOTE_NS : 0;
	ui->dirty = 1;
}

static struct ui_baseline *ui_baseline_find(struct ui *ui,
					    const struct run_config *c)
{
	size_t n = ui->nbase < UI_BASELINES ? ui->nbase : UI_BASELINES;

	for (size_t i = 0; i < n; i++)
		if (strcmp(ui->base[i].name, c->sc.name) == 0 &&
		    fabs(ui->base[i].scale - c->scale) < 1e-9)
			return &ui->base[i];
	return NULL;
}

/* Remembers the last sync wall time of a scenario; when the table is
 * full the oldest entry goes. */
static void ui_baseline_set(struct ui *ui, const struct run_config *c,
			    double wall_s)
{
	struct ui_baseline *b = ui_baseline_find(ui, c);

	if (!b)
		b = &ui->base[ui->nbase++ % UI_BASELINES];
	msg_fmt(b->name, sizeof b->name, "%s", c->sc.name);
	b->scale = c->scale;
	b->wall_s = wall_s;
}

/* Remembers a completed run for the table of recent runs. */
static void ui_finished_add(struct ui *ui, const struct run_config *c,
			    double wall_s)
{
	struct ui_finished *f = &ui->runs[ui->nruns++ % UI_RUNS];

	msg_fmt(f->name, sizeof f->name, "%s", c->sc.name);
	f->scale = c->scale;
	f->model = c->model;
	f->workers = model_get(c->model)->pooled ? c->workers : 1;
	f->gil = c->gil;
	f->wall_s = wall_s;
}

/* The recent runs of the scenario on screen, newest first, each with its
 * speed-up over the scenario's last sync run. */
static void ui_recent_fill(struct ui *ui, struct ui_view *v)
{
	const struct run_config *c = ui->tl ? &ui->shown : &ui->cfg;
	struct ui_baseline *b = ui_baseline_find(ui, c);
	size_t n = ui->nruns < UI_RUNS ? ui->nruns : UI_RUNS;

	v->nrecent = 0;
	for (size_t k = 0; k < n && v->nrecent < UI_RECENT_MAX; k++) {
		const struct ui_finished *f =
			&ui->runs[(ui->nruns - 1 - k) % UI_RUNS];
		struct ui_recent *r = &v->recent[v->nrecent];
		if (strcmp(f->name, c->sc.name) != 0 ||
		    fabs(f->scale - c->scale) > 1e-9)
			continue;
		r->model = model_get(f->model)->name;
		r->workers = f->workers;
		r->gil = f->gil;
		r->wall_s = f->wall_s;
		r->speedup = b && f->wall_s > 0 ? b->wall_s / f->wall_s : 0;
		v->nrecent++;
	}
}

/* Moves what the ring holds into the timeline, at most UI_DRAIN_TURN
 * events. Returns how many. */
static void ui_ledger_add(void *ctx, const struct ev *e)
{
	ledger_add(ctx, e);
}

static size_t ui_drain(struct ui *ui)
{
	size_t n = recording_drain(ui->rec, ui->ring, UI_DRAIN_TURN,
				   ui_ledger_add, &ui->ledger);

	ui->consumed += n;
	ui->failed = (uint32_t)timeline_marker_count(ui->tl, EV_ERROR);
	return n;
}

/* The ring's counters, while it lives: stalls, their time, and what
 * producers pushed that the timeline has not got (dropped, once the run
 * is joined and drained). */
static void ui_ring_counts(struct ui *ui)
{
	ui->stalls = evring_stalls(ui->ring);
	ui->stall_s = (double)evring_stall_ns(ui->ring) / 1e9;
	ui->pushed = evring_pushed(ui->ring);
}

/* --- the comparison (c) ------------------------------------------------
 * c runs the scenario under every model in turn (compare_plan's rows),
 * one run after the other through the usual run life, keeping each run's
 * timeline for the stacked view; Esc gives the screen back. */

static void ui_restart(struct ui *ui);
static int64_t ui_run_now(const struct ui *ui, int64_t now);

static void ui_cmp_free(struct ui *ui)
{
	for (int i = 0; i < UI_COMPARE_MAX; i++) {
		recording_free(ui->cmp.rec[i]);
		ui->cmp.rec[i] = NULL;
	}
}

/* The configuration of row i: the scenario compared, the row's model and
 * GIL with its default workers, one lane per worker. */
static void ui_cmp_row_cfg(struct ui *ui, int i)
{
	const struct compare_row *row = &ui->cmp.rows[i];

	compare_row_config(&ui->cmp.base, row, ui->cmp.sweep ? row->workers : 0,
			   &ui->cfg);
	ui->cfg.view = TIMELINE_BY_WORKER;
}

/* The row that just ended (or could not start) is done: the next one
 * starts as soon as the loop can, or, after the last, the verdict. */
static void ui_cmp_next(struct ui *ui)
{
	if (++ui->cmp.cur < ui->cmp.n) {
		ui_cmp_row_cfg(ui, ui->cmp.cur);
		ui->restart = 1;
		return;
	}
	if (ui->cmp.sweep)
		compare_sweep_verdict(ui->cmp.rows, ui->cmp.n, ui->cmp.verdict,
				      sizeof ui->cmp.verdict);
	else
		compare_verdict(&ui->cmp.base, ui->cmp.rows, ui->cmp.n,
				ui->cmp.verdict, sizeof ui->cmp.verdict);
	ui->cfg = ui->cmp.before;
}

static int ui_cmp_running(const struct ui *ui)
{
	return ui->cmp.on && ui->cmp.cur < ui->cmp.n;
}

/* The row's run could not start: its row says why. */
static void ui_cmp_failed(struct ui *ui, const char *why)
{
	if (!ui_cmp_running(ui))
		return;
	msg_fmt(ui->cmp.rows[ui->cmp.cur].why,
		sizeof ui->cmp.rows[ui->cmp.cur].why, "%s", why);
	ui_cmp_next(ui);
}

/* The row's run was joined: its figures, and its timeline kept. */
static void ui_cmp_ended(struct ui *ui, const struct run_stats *st, int rc)
{
	if (!ui_cmp_running(ui) || ui->cmp.run_gen != ui->cmp.gen)
		return;
	compare_row_ended(&ui->cmp.rows[ui->cmp.cur], &ui->shown, st, rc);
	ui->cmp.rec[ui->cmp.cur] = ui->rec;
	ui->cmp.end_ns[ui->cmp.cur] = ui->end_ns;
	ui->rec = NULL;
	ui->tl = NULL;
	ui_cmp_next(ui);
}

_Static_assert(UI_COMPARE_MAX >= APP_TUI_SWEEP_MAX,
	       "a sweep's counts fit the rows");

/* The rows of a sweep of base's model over from..to workers. */
static void ui_sweep_rows(struct ui *ui, int from, int to)
{
	int n = to - from + 1 < UI_COMPARE_MAX ? to - from + 1 : UI_COMPARE_MAX;

	for (int i = 0; i < n; i++) {
		msg_fmt(ui->cmp.labels[i], sizeof ui->cmp.labels[i],
			"%d worker%s", from + i, from + i > 1 ? "s" : "");
		ui->cmp.rows[i] = (struct compare_row){
			.model = ui->cmp.base.model,
			.gil = ui->cmp.base.gil,
			.label = ui->cmp.labels[i],
			.workers = from + i,
		};
	}
	ui->cmp.n = n;
}

/* Starts a comparison (to 0) or a sweep of the model's workers over
 * from..to: the rows, then the first run. */
static void ui_cmp_start(struct ui *ui, int from, int to)
{
	if (ui_cmp_running(ui)) {
		ui_note(ui, "a comparison is running: Esc stops it", 1);
		return;
	}
	if (!ui->cmp.on)
		ui->cmp.before = ui->cfg;
	ui_cmp_free(ui);
	ui->cmp.base = ui->cmp.before;
	ui->cmp.sweep = to > 0;
	if (to > 0)
		ui_sweep_rows(ui, from, to);
	else
		ui->cmp.n = compare_plan(&ui->cmp.base.sc, ui->cmp.rows);
	ui->cmp.cur = 0;
	ui->cmp.verdict[0] = '\0';
	ui->cmp.on = 1;
	ui->cmp.gen++;
	ui->lane_top = 0;
	ui_cmp_row_cfg(ui, 0);
	ui_restart(ui);
}

/* c: compares every model on the current scenario. */
static void ui_key_compare(struct ui *ui)
{
	ui_cmp_start(ui, 0, 0);
}

/* w: the current model (threads or procs) over 1..UI_SWEEP_THREADS
 * workers (procs: twice the cores, 4 at least, as many as allowed). */
static void ui_key_sweep(struct ui *ui)
{
	const struct run_config *c = ui->cmp.on ? &ui->cmp.before : &ui->cfg;
	int n = UI_SWEEP_THREADS;

	if (!model_get(c->model)->pooled) {
		ui_note(ui,
			"w sweeps the workers of a pool: press m for threads "
			"or procs first",
			1);
		return;
	}
	if (model_get(c->model)->processes) {
		n = 2 * (ui->cores > 1 ? ui->cores : 1);
		n = n < 4 ? 4 : n;
		if (n > run_workers_max(c->model))
			n = run_workers_max(c->model);
	}
	ui_cmp_start(ui, 1, n);
}

/* Esc: the comparison goes; the configuration before it runs again. */
static void ui_cmp_close(struct ui *ui)
{
	ui->cmp.on = 0;
	ui->cmp.cur = ui->cmp.n;
	ui_cmp_free(ui);
	ui->cfg = ui->cmp.before;
	ui_restart(ui);
}

/* A key while the comparison is on screen: c and r run it again, Esc
 * closes it, e ? and q as ever; the keys that change a run wait. */
static int ui_cmp_key(struct ui *ui, int ch)
{
	if (ch == 27) {
		ui_cmp_close(ui);
		return 1;
	}
	if (ch == 'r') {
		ui_cmp_start(ui, ui->cmp.rows[0].workers,
			     ui->cmp.sweep ? ui->cmp.rows[ui->cmp.n - 1].workers
					   : 0);
		return 1;
	}
	if (ch == 'c') {
		ui_key_compare(ui);
		return 1;
	}
	if (ch == 'w') {
		ui_key_sweep(ui);
		return 1;
	}
	if (ch == 'e' || ch == 'p' || ch == '?' || ch == 'h' || ch == KEY_F(1))
		return 0;
	ui_note(ui, "Esc closes the comparison, r runs it again", 1);
	return 1;
}

/* What the stacked view shows of row i. */
static void ui_cmp_fill_run(struct ui *ui, int i, int64_t now,
			    struct ui_compare_run *r)
{
	const struct compare_row *row = &ui->cmp.rows[i];
	const struct compare_row *sync = &ui->cmp.rows[0];
	/* The row running: the run on screen, once it is the row's (until
	 * then ui->tl may still be the run from before c). */
	struct recording *rec = i != ui->cmp.cur ? ui->cmp.rec[i]
				: ui->cmp.run_gen == ui->cmp.gen ? ui->rec
								 : NULL;
	struct timeline *tl = rec ? rec->tl : NULL;

	memset(r, 0, sizeof *r);
	r->label = row->label;
	r->state = i > ui->cmp.cur    ? UI_COMPARE_WAITING
		   : i == ui->cmp.cur ? UI_COMPARE_RUNNING
		   : row->completed   ? UI_COMPARE_DONE
				      : UI_COMPARE_FAILED;
	r->why = row->why;
	if (tl) {
		timeline_set_view(tl, TIMELINE_BY_WORKER);
		r->tl = tl;
		r->lanes = timeline_lanes(tl);
	}
	r->now_ns = i == ui->cmp.cur ? ui_run_now(ui, now) : ui->cmp.end_ns[i];
	r->workers = row->workers;
	r->gil = row->gil;
	r->wall_s = row->st.wall_s;
	r->cpu_s = row->st.cpu_s;
	r->ideal = row->ideal;
	if (sync->completed && row->completed && row->st.wall_s > 0)
		r->speedup = sync->st.wall_s / row->st.wall_s;
	if (!ui->cmp.sweep)
		r->tutorial = compare_tutorial_x(&ui->cmp.base.sc, row);
}

/* The view of the comparison: its runs on one axis as long as the
 * longest (while one runs, a window that doubles as it grows). */
static void ui_cmp_fill(struct ui *ui, struct ui_view *v, int64_t now)
{
	struct ui_compare *c = &ui->cmp.view;
	int64_t longest = 0;

	c->n = ui->cmp.n;
	c->sweep = ui->cmp.sweep;
	for (int i = 0; i < c->n; i++) {
		ui_cmp_fill_run(ui, i, now, &c->run[i]);
		if (c->run[i].tl && c->run[i].now_ns > longest)
			longest = c->run[i].now_ns;
	}
	c->over = !ui_cmp_running(ui);
	c->window_ns = longest > 0 ? longest : 1;
	if (!c->over) {
		c->window_ns = UI_WINDOW_NS;
		while (c->window_ns < longest)
			c->window_ns *= 2;
	}
	c->verdict = ui->cmp.verdict;
	c->tutorial_by = ui->cmp.base.sc.reported_by[0] && !ui->cmp.sweep
				 ? ui->cmp.base.sc.reported_by
				 : NULL;
	v->cmp = c;
	v->race = NULL;
	v->results = v->errors = v->server = NULL;
}

/* ---- writing runs out (app/export.h) ---------------------------------- */

/* Writes recs[0..n) to x's files; the header says where, or why not.
 * 0, or -1. */
static int ui_export(struct ui *ui, const struct recording *const *recs, int n,
		     const struct report_exports *x)
{
	char err[PATH_MAX + 256], note[PATH_MAX * 3 + 64] = "wrote";
	const char *path[] = { x->trace, x->svg, x->csv };

	if (report_exports_to(recs, n, x, err, sizeof err) < 0) {
		ui_note(ui, err, 0);
		return -1;
	}
	for (int i = 0; i < 3; i++)
		if (path[i])
			msg_fmt(note + strlen(note), sizeof note - strlen(note),
				"%s %s", strcmp(note, "wrote") ? "," : "",
				path[i]);
	ui_note(ui, note, 0);
	return 0;
}

/* The comparison's runs, in its rows' order, for an export. Returns how
 * many. */
static int ui_cmp_recordings(struct ui *ui, const struct recording **recs)
{
	int n = 0;

	for (int i = 0; i < ui->cmp.n; i++)
		if (ui->cmp.rec[i])
			recs[n++] = ui->cmp.rec[i];
	return n;
}

/* --trace, --svg, --csv: once the first run, or the comparison the TUI
 * opened with, is over. */
static void ui_export_first(struct ui *ui)
{
	const struct recording *recs[UI_COMPARE_MAX];
	int n;

	if (ui->exported ||
	    !(ui->exports.trace || ui->exports.svg || ui->exports.csv))
		return;
	if (ui->cmp.on) {
		if (ui_cmp_running(ui))
			return;
		n = ui_cmp_recordings(ui, recs);
	} else {
		if (!ui->rec || !ui->rec->ended)
			return;
		recs[0] = ui->rec;
		n = 1;
	}
	ui->exported = 1;
	if (n > 0)
		(void)ui_export(ui, recs, n, &ui->exports);
}

/* A file name for p: conviz-SCENARIO-MODEL-YYYYMMDD-HHMMSS.EXT ("compare"
 * for a comparison), in the current directory; what is not a letter, a
 * digit or a dash in the name becomes a dash. */
static void ui_export_name(const char *scenario, const char *model,
			   const char *ext, char *buf, size_t len)
{
	char stamp[32] = "now";
	time_t now = time(NULL);
	struct tm tm;
	size_t at;

	if (localtime_r(&now, &tm))
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	msg_fmt(buf, len, "conviz-%s-%s-%s.%s", scenario, model, stamp, ext);
	at = strlen("conviz-");
	for (size_t i = at; buf[i] && buf[i] != '.'; i++)
		if (!isalnum((unsigned char)buf[i]) && buf[i] != '-')
			buf[i] = '-';
}

/* p: the run on screen (or the comparison) written as a trace, an SVG
 * and a CSV in the current directory. */
static void ui_key_export(struct ui *ui)
{
	static char names[3][SCENARIO_NAME_MAX + 64];
	static const char *const ext[] = { "json", "svg", "csv" };
	const struct recording *recs[UI_COMPARE_MAX];
	const char *model = "compare";
	char dir[PATH_MAX] = ".", note[sizeof names[0] + PATH_MAX + 32];
	int n;

	if (ui->cmp.on) {
		n = ui_cmp_recordings(ui, recs);
	} else {
		n = ui->rec ? 1 : 0;
		recs[0] = ui->rec;
		model = model_get(ui->shown.model)->name;
	}
	if (n == 0) {
		ui_note(ui, "no run to write yet: press r, then p", 1);
		return;
	}
	for (int i = 0; i < 3; i++)
		ui_export_name(recs[0]->cfg.sc.name, model, ext[i], names[i],
			       sizeof names[i]);
	if (ui_export(ui, recs, n,
		      &(struct report_exports){ names[0], names[1],
						names[2] }) < 0)
		return;
	if (!getcwd(dir, sizeof dir))
		msg_fmt(dir, sizeof dir, "the current directory");
	/* "conviz-fib-threads-20261206-120000.{json,svg,csv} in /home/x" */
	msg_fmt(note, sizeof note, "wrote %.*s{json,svg,csv} in %s",
		(int)(strlen(names[0]) - strlen("json")), names[0], dir);
	ui_note(ui, note, 0);
}

/* Starts ui->cfg with a new ring and timeline. If it cannot start, the
 * reason stays in the header and the UI waits for the next key. */
static void ui_run_begin(struct ui *ui)
{
	char err[256];
	sigset_t old;
	struct run *r;

	recording_free(ui->rec);
	ui->rec = NULL;
	ui->tl = NULL;
	ui->ring = run_ring_new(&ui->cfg, UI_RING_CAPACITY);
	if (!ui->ring)
		msg_fatal("out of memory for the event ring",
			  "close other programs and try again");
	/* The run's threads inherit this mask: Ctrl-C, SIGTERM, Ctrl-Z and
	 * resizes then always land on this thread. */
	ui_term_block(&old);
	r = run_start(&ui->cfg, ui->ring, err, sizeof err);
	ui_term_unblock(&old);
	ui->phase = UI_PHASE_NONE;
	ui->done = 0;
	ui->failed = 0;
	ui->stalls = ui->pushed = ui->consumed = 0;
	ui->stall_s = ui->ready_s = 0.0;
	ui->wrong = 0;
	ui->wrong_msg[0] = '\0';
	ui->results[0] = ui->errors[0] = ui->server[0] = '\0';
	ui->dirty = 1;
	if (!r) {
		evring_free(ui->ring);
		ui->ring = NULL;
		ui_note(ui, err, 0);
		ui_cmp_failed(ui, err);
		return;
	}
	ui->cmp.run_gen = ui_cmp_running(ui) ? ui->cmp.gen : -1;
	ui->rec = recording_new(r);
	ui->tl = ui->rec->tl;
	ui_explore_reset(&ui->x);
	ui->sel = -1;
	free(ui->tasks.list);
	ui->tasks.list = NULL;
	ui->task_row = 0;
	ui->at_ok = 0;
	ui->run = r;
	ui->cycle[0] = '\0';
	ledger_free(&ui->ledger);
	run_ledger_init(r, &ui->ledger);
	if (model_get(run_config(r)->model)->processes)
		ledger_own_copies(&ui->ledger);
	msg_fmt(ui->var_label, sizeof ui->var_label, "%s", run_var_label(r));
	ui->shown = *run_config(r);
	ui->lanes = run_workers(r);
	ui->origin_ns = run_origin_ns(r);
	ui->end_ns = 0;
	ui->window_ns = UI_WINDOW_NS;
	ui->phase = UI_PHASE_RUNNING;
	if (run_server_url(r))
		msg_fmt(ui->server, sizeof ui->server, "%s (embedded, offline)",
			run_server_url(r));
	if (!ui->note_until)
		ui->note[0] = '\0'; /* a sticky error is over */
}

/* Joins a finished run, takes what is left in its ring, frees run and
 * ring, and records a sync run's wall time as the baseline. */
static void ui_run_end(struct ui *ui)
{
	struct run_stats st;
	int rc;

	memset(&st, 0, sizeof st);
	rc = run_wait(ui->run, &st);
	while (ui_drain(ui) > 0)
		;
	ui->done = run_tasks_done(ui->run);
	ui_ring_counts(ui);
	ui->ready_s = st.ready_s;
	msg_fmt(ui->cycle, sizeof ui->cycle, "%s", st.deadlock ? st.cycle : "");
	run_ledger_cycle(&ui->ledger, &st);
	ui->wrong = st.wrong;
	if (st.wrong > 0)
		report_wrong(ui->wrong_msg, sizeof ui->wrong_msg, &ui->shown,
			     &st);
	ui->wall_s = st.wall_s;
	ui->end_ns = st.end_ns > ui->origin_ns ? st.end_ns - ui->origin_ns
					       : timeline_end(ui->tl);
	/* Over, the run fills the width (the ticks stay round). */
	if (ui->end_ns > 0)
		ui->window_ns = ui->end_ns;
	recording_end(ui->rec, ui->run, &st);
	report_results(ui->results, sizeof ui->results, ui->run, 0);
	report_results(ui->errors, sizeof ui->errors, ui->run, 1);
	run_free(ui->run);
	ui->run = NULL;
	evring_free(ui->ring);
	ui->ring = NULL;
	ui->dirty = 1;
	if (st.wrong > 0) {
		ui->phase = UI_PHASE_FAILED;
	} else if (rc != 0 || st.status != 0) {
		ui->phase = UI_PHASE_FAILED;
		ui_note(ui, "the run could not complete", 0);
	} else if (st.cancelled) {
		ui->phase = UI_PHASE_CANCELLED;
	} else {
		ui->phase = UI_PHASE_DONE;
		if (ui->shown.model == MODEL_SYNC)
			ui_baseline_set(ui, &ui->shown, st.wall_s);
		ui_finished_add(ui, &ui->shown, st.wall_s);
	}
	ui_cmp_ended(ui, &st, rc);
	ui_export_first(ui);
}

/* The run's present, relative to its origin. */
static int64_t ui_run_now(const struct ui *ui, int64_t now)
{
	return ui->run ? now - ui->origin_ns : ui->end_ns;
}

/* Applies ui->cfg: at once when nothing runs, else after cancelling the
 * current run (the loop starts cfg once it is joined). */
static void ui_restart(struct ui *ui)
{
	ui->dirty = 1;
	if (ui->run) {
		run_cancel(ui->run);
		ui->restart = 1;
		ui->phase = UI_PHASE_STOPPING;
		return;
	}
	ui_run_begin(ui);
}

/* ---- exploring the run on screen (ui_explore.h) ------------------------ */

static int ui_view_of(const struct ui *ui);
static void ui_view_fill(struct ui *ui, struct ui_view *v, int64_t now);

/* The window that shows the whole run: its length once it is over; while
 * it goes on 1, 2, 4... s, doubling as the run (or, paused, the moment
 * shown) outgrows it. */
static int64_t ui_fit(const struct ui *ui, int64_t now)
{
	int64_t upto = ui->x.paused ? ui->x.shown : now, w = UI_WINDOW_NS;

	if (!ui->run)
		return ui->window_ns;
	while (w < upto)
		w *= 2;
	return w;
}

/* What the explore keys and the replay need to know of the run on screen
 * at clock `wall`; its timeline reads the lanes shown. */
static void ui_xrun(struct ui *ui, int64_t wall, struct ui_explore_run *r)
{
	if (ui->tl)
		timeline_set_view(ui->tl, (enum timeline_view)ui_view_of(ui));
	r->tl = ui->tl;
	r->now = ui_run_now(ui, wall);
	r->fit = ui_fit(ui, r->now);
	r->wall = wall;
	r->cols = COLS;
}

/* The race lab's books at the cursor, rebuilt from the recording when
 * the cursor or the events have changed; at the run's end they get its
 * deadlock's cycle, as the live books do. */
static const struct ledger *ui_books_at_cursor(struct ui *ui)
{
	const struct recording *rec = ui->rec;

	if (ui->at_ok && ui->at_t == ui->x.cursor && ui->at_nev < rec->nev) {
		/* Paused while the run goes on: events keep coming, but only
		 * one stamped at or before the cursor changes the books. */
		int64_t until = rec->origin_ns + ui->x.cursor;
		size_t i = ui->at_nev;
		while (i < rec->nev && rec->ev[i].ts_ns > until)
			i++;
		if (i == rec->nev)
			ui->at_nev = rec->nev;
	}
	if (ui->at_ok && ui->at_t == ui->x.cursor && ui->at_nev == rec->nev)
		return &ui->at;
	ui->at_ok = recording_ledger_at(rec, ui->x.cursor, &ui->at) == 0;
	ui->at_t = ui->x.cursor;
	ui->at_nev = rec->nev;
	if (ui->at_ok && rec->ended && ui->x.cursor >= rec->end_ns)
		run_ledger_cycle(&ui->at, &rec->st);
	return ui->at_ok ? &ui->at : &ui->ledger;
}

/* Keeps the lane selected in sight. */
static void ui_sel_show(struct ui *ui, int page)
{
	if (ui->sel < ui->lane_top)
		ui->lane_top = ui->sel;
	if (ui->sel >= ui->lane_top + page)
		ui->lane_top = ui->sel - page + 1;
}

/* Enter: the cursor goes to the start of the task picked in the lane's
 * panel (v's list). */
static void ui_sel_enter(struct ui *ui, const struct ui_view *v,
			 struct ui_explore_run *r)
{
	if (v->sel_list && ui->task_row < v->sel_tasks)
		ui_explore_goto(&ui->x, v->sel_list[ui->task_row].start, r);
}

/* How far a key moves the task picked in a lane's panel of `page` rows:
 * the arrows one, PgUp/PgDn a page; 0 for any other key. */
static int ui_task_step(int ch, int page)
{
	switch (ch) {
	case KEY_DOWN:
		return 1;
	case KEY_UP:
		return -1;
	case KEY_NPAGE:
		return page;
	case KEY_PPAGE:
		return -page;
	default:
		return 0;
	}
}

/* Tab and Shift-Tab: the next or previous lane (the first shown, or the
 * last, when none is selected yet), kept in sight. */
static void ui_sel_tab(struct ui *ui, int d, const struct ui_view *v)
{
	int n = v->lanes > 0 ? v->lanes : 1;

	ui->sel = ui->sel < 0 ? (d > 0 ? ui->lane_top : n - 1)
			      : (ui->sel + d + n) % n;
	ui->task_row = 0;
	ui_sel_show(ui, ui_draw_lanes_shown(v));
}

/* The keys of a lane selected: Tab and Shift-Tab move to the next or
 * previous lane, the arrows up and down and PgUp/PgDn move in its panel
 * of tasks, Enter goes to the task's start, Esc lets go. Returns 1 if
 * the key was one of them. */
static int ui_sel_key(struct ui *ui, int ch, const struct ui_view *v,
		      struct ui_explore_run *r)
{
	int page = ui_draw_tasks_shown(v);

	if (ch == '\t' || ch == KEY_BTAB) {
		ui_sel_tab(ui, ch == '\t' ? 1 : -1, v);
		return 1;
	}
	if (ui->sel < 0)
		return 0;
	if (ch == 27)
		ui->sel = -1;
	else if (ui_task_step(ch, page))
		ui->task_row += ui_task_step(ch, page);
	else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		ui_sel_enter(ui, v, r);
	else
		return 0;
	if (ui->task_row < 0)
		ui->task_row = 0;
	return 1;
}

/* One turn's work on the run: drain, follow its progress, join it when it
 * has finished and start what is waiting. Never blocks. */
static void ui_pump(struct ui *ui)
{
	int64_t now;

	if (ui->run) {
		if (ui_drain(ui) > 0)
			ui->dirty = 1;
		ui->done = run_tasks_done(ui->run);
		ui_ring_counts(ui);
		if (run_finished(ui->run))
			ui_run_end(ui);
	}
	if (!ui->run && ui->restart) {
		ui->restart = 0;
		ui_run_begin(ui);
	}
	/* The picture grows left to right on a window of 1, 2, 4... s:
	 * when the run outgrows it, it doubles and everything drawn so far
	 * shrinks to half. */
	now = ui_run_now(ui, clock_now_ns());
	while (now > ui->window_ns)
		ui->window_ns *= 2;
	if (ui->tl) {
		struct ui_explore_run r;
		ui_xrun(ui, clock_now_ns(), &r);
		if (ui_explore_tick(&ui->x, &r))
			ui->dirty = 1;
	}
}

static void ui_help_key(struct ui *ui, int ch);

/* The wheel on the help scrolls it, three lines a notch. */
static void ui_help_wheel(struct ui *ui, mmask_t b)
{
	int ch = b & BUTTON4_PRESSED   ? KEY_UP
		 : b & BUTTON5_PRESSED ? KEY_DOWN
				       : 0;

	for (int i = 0; ch && i < 3; i++)
		ui_help_key(ui, ch);
}

/* A click or the wheel (ui_term_mouse): a click on a lane selects it, on
 * the time axis puts the cursor there; the wheel zooms in (up) or out
 * around the time under the pointer. On the help, the wheel scrolls it
 * three lines a notch, and a click does nothing. */
static void ui_mouse(struct ui *ui)
{
	struct ui_explore_run r;
	struct ui_view v;
	MEVENT me;
	int64_t wall = clock_now_ns(), t = -1;
	int lane = -1, hit;

	if (getmouse(&me) != OK)
		return;
	if (ui->help) {
		ui_help_wheel(ui, me.bstate);
		return;
	}
	if (!ui->tl || ui->cmp.on || ui->pick)
		return;
	ui_view_fill(ui, &v, wall);
	ui_xrun(ui, wall, &r);
	hit = ui_draw_hit(&v, me.y, me.x, &lane, &t);
	if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		if (hit == 0 || t < 0)
			t = ui->x.paused ? ui->x.cursor : r.now;
		ui_explore_zoom_at(&ui->x, me.bstate & BUTTON4_PRESSED ? 1 : -1,
				   t, &r);
	} else if (!(me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))) {
		return;
	} else if (hit == 1) {
		ui->sel = lane;
		ui->task_row = 0;
	} else if (hit == 2) {
		ui_explore_goto(&ui->x, t, &r);
	}
}

/* The explore keys (ui_explore.h) and those of a lane selected, on the
 * run on screen. Returns 1 if the key was one of them. */
static int ui_explore_keys(struct ui *ui, int ch)
{
	struct ui_explore_run r;
	struct ui_view v;
	int64_t wall = clock_now_ns();

	if (!ui->tl)
		return 0;
	ui_view_fill(ui, &v, wall);
	ui_xrun(ui, wall, &r);
	if (ui_sel_key(ui, ch, &v, &r))
		return 1;
	return ui_explore_key(&ui->x, ch, &r);
}

static void ui_change_workers(struct ui *ui, int delta)
{
	int n = ui->cfg.workers + delta;

	if (!model_get(ui->cfg.model)->pooled) {
		ui_note(ui, "sync has one worker: press m for another model",
			1);
		return;
	}
	if (n < 1 || n > run_workers_max(ui->cfg.model))
		return;
	ui->cfg.workers = n;
	ui_restart(ui);
}

/* Switches to a loaded scenario: its own workers and scale. */
static void ui_use_scenario(struct ui *ui, const struct scenario *sc)
{
	ui->cfg.sc = *sc;
	ui->cfg.workers = run_default_workers(sc, ui->cfg.model);
	ui->cfg.scale = sc->scale > 0 ? sc->scale : 1.0;
	ui_restart(ui);
}

/* s: the list of scenarios (ui_pick.h); the run goes on behind it. */
static void ui_key_scenario(struct ui *ui)
{
	char err[256];

	ui->pick = ui_pick_scenarios(ui->cfg.sc.name, err, sizeof err);
	ui->pick_models = 0;
	if (!ui->pick)
		ui_note(ui, err, 1);
}

/* m: the list of models. */
static void ui_key_model(struct ui *ui)
{
	ui->pick = ui_pick_models(ui->cfg.model);
	ui->pick_models = 1;
}

static void ui_list_close(struct ui *ui)
{
	ui_pick_free(ui->pick);
	ui->pick = NULL;
}

/* Enter in the list: starts the chosen configuration, even the current
 * one (as r). A scenario that fails to load says why and the list stays
 * open. */
static void ui_list_chosen(struct ui *ui)
{
	char err[256];
	struct scenario sc;

	if (ui->pick_models) {
		enum model_id m = (enum model_id)ui_pick_selected(ui->pick);
		/* Processes and threads have their own pools: one process per
		 * core, or the scenario's threads. */
		if (model_get(m)->processes !=
		    model_get(ui->cfg.model)->processes)
			ui->cfg.workers = run_default_workers(&ui->cfg.sc, m);
		ui->cfg.model = m;
		ui_list_close(ui);
		ui_restart(ui);
		return;
	}
	if (scenario_load(ui_pick_name(ui->pick), &sc, err, sizeof err) != 0) {
		ui_note(ui, err, 0);
		ui_pick_note(ui->pick, err);
		return;
	}
	ui_list_close(ui);
	ui_use_scenario(ui, &sc);
}

/* A key while the list is open: the list's own keys only. */
static void ui_list_key(struct ui *ui, int ch)
{
	char note[128];

	switch (ui_pick_key(ui->pick, ch)) {
	case UI_PICK_CLOSED:
		ui_list_close(ui);
		break;
	case UI_PICK_CHOSEN:
		ui_list_chosen(ui);
		break;
	case UI_PICK_REFUSED:
		msg_fmt(note, sizeof note,
			"%s is not in this version yet: pick another model",
			ui_pick_name(ui->pick));
		ui_note(ui, note, 1);
		ui_pick_note(ui->pick, note);
		break;
	default:
		break;
	}
}

static void ui_key_restart(struct ui *ui)
{
	ui_restart(ui);
}

static void ui_key_more(struct ui *ui)
{
	ui_change_workers(ui, 1);
}

static void ui_key_fewer(struct ui *ui)
{
	ui_change_workers(ui, -1);
}

/* x: one worker process of a procs run dies by SIGKILL, as if the class
 * had typed kill -9; the pool notices, fails its task, starts another. */
static void ui_key_kill(struct ui *ui)
{
	char msg[160];
	long pid;
	int lane;

	if (!ui->run) {
		ui_note(ui, "no run is going on: press r, then x while it runs",
			1);
		return;
	}
	if (run_kill_worker(ui->run, &lane, &pid, msg, sizeof msg) == 0)
		msg_fmt(msg, sizeof msg, "killed worker %d (pid %ld)", lane,
			pid);
	ui_note(ui, msg, 1);
}

static void ui_key_gil(struct ui *ui)
{
	ui->cfg.gil = !ui->cfg.gil;
	ui_restart(ui);
}

/* The lanes shown (enum timeline_view): as v or --view said, else as the
 * model of the run on screen prefers. */
static int ui_view_of(const struct ui *ui)
{
	const struct run_config *c = ui->tl ? &ui->shown : &ui->cfg;

	if (ui->cfg.view >= 0)
		return ui->cfg.view;
	return model_get(c->model)->task_view;
}

/* v: lanes per worker or per task, for this run and the next ones. */
static void ui_key_view(struct ui *ui)
{
	ui->cfg.view = ui_view_of(ui) == TIMELINE_BY_TASK ? TIMELINE_BY_WORKER
							  : TIMELINE_BY_TASK;
	ui->lane_top = 0;
	ui->sel = -1;
}

/* Loads the card of the configuration when it has changed: it follows
 * the scenario, the model and the GIL as soon as a key changes them. */
static void ui_card_update(struct ui *ui)
{
	char key[sizeof ui->card_for];
	const char *model = model_get(ui->cfg.model)->name;

	msg_fmt(key, sizeof key, "%s %s %d %.17g", ui->cfg.sc.name, model,
		ui->cfg.gil, ui->cfg.scale);
	if (strcmp(key, ui->card_for) == 0)
		return;
	msg_fmt(ui->card_for, sizeof ui->card_for, "%s", key);
	ui->card_scale =
		work_scaled(&ui->cfg.sc, ui->cfg.scale) ? ui->cfg.scale : 0;
	work_brief(&ui->cfg.sc, ui->cfg.scale, ui->card_work,
		   sizeof ui->card_work);
	work_brief(&ui->cfg.sc, 1.0, ui->card_tut, sizeof ui->card_tut);
	ui->card_ok =
		explain_load(ui->cfg.sc.name, model, ui->cfg.gil, &ui->card,
			     ui->card_err, sizeof ui->card_err) == 0;
	if (!ui->card_ok && ui->card_on)
		ui_note(ui, ui->card_err, 1);
}

/* e: the lesson card beside the lanes, or not. */
static void ui_key_card(struct ui *ui)
{
	ui->card_on = !ui->card_on;
	ui_card_update(ui);
	if (ui->card_on && !ui->card_ok)
		ui_note(ui, ui->card_err, 1);
}

static void ui_key_help(struct ui *ui)
{
	ui->help = 1;
	ui->help_top = 0;
}

/* What each key does (the key bar and the help list them). */
static const struct {
	int key;
	void (*fn)(struct ui *ui);
} ui_keys[] = {
	{ 'r', ui_key_restart },   { 'm', ui_key_model },
	{ 's', ui_key_scenario },  { '+', ui_key_more },
	{ '=', ui_key_more },	   { '-', ui_key_fewer },
	{ '_', ui_key_fewer },	   { 'g', ui_key_gil },
	{ 'v', ui_key_view },	   { 'x', ui_key_kill },
	{ 'e', ui_key_card },	   { 'c', ui_key_compare },
	{ 'w', ui_key_sweep },	   { 'p', ui_key_export },
	{ '?', ui_key_help },	   { 'h', ui_key_help },
	{ KEY_F(1), ui_key_help },
};

/* A key while the help is open: the arrows, PgUp/PgDn, Home/End and the
 * space bar scroll it, any other key closes it. */
static void ui_help_key(struct ui *ui, int ch)
{
	struct ui_view v;
	int page, max;

	ui_view_fill(ui, &v, clock_now_ns());
	max = ui_draw_help_scroll_max(&v);
	page = LINES / 2 > 1 ? LINES / 2 : 1;
	if (ch == KEY_DOWN || ch == 'j')
		ui->help_top++;
	else if (ch == KEY_UP || ch == 'k')
		ui->help_top--;
	else if (ch == KEY_NPAGE || ch == ' ')
		ui->help_top += page;
	else if (ch == KEY_PPAGE)
		ui->help_top -= page;
	else if (ch == KEY_HOME)
		ui->help_top = 0;
	else if (ch == KEY_END)
		ui->help_top = max;
	else
		ui->help = 0;
	if (ui->help_top > max)
		ui->help_top = max;
	if (ui->help_top < 0)
		ui->help_top = 0;
}

static int ui_is_scroll_key(int ch)
{
	return ch == KEY_UP || ch == KEY_DOWN || ch == KEY_PPAGE ||
	       ch == KEY_NPAGE || ch == KEY_HOME || ch == KEY_END;
}

/* Where a scroll key takes the first lane shown, from `top`. */
static int ui_scroll_target(int ch, int top, int page, int max)
{
	switch (ch) {
	case KEY_DOWN:
		return top + 1;
	case KEY_UP:
		return top - 1;
	case KEY_NPAGE:
		return top + page;
	case KEY_PPAGE:
		return top - page;
	case KEY_HOME:
		return 0;
	default:
		return max;
	}
}

/* The arrows, PgUp/PgDn, Home and End scroll the lanes (a page: the
 * lanes the screen shows). Returns 0 for any other key. */
static int ui_scroll_key(struct ui *ui, int ch)
{
	struct ui_view v;
	int page, max, top;

	if (!ui_is_scroll_key(ch))
		return 0;
	ui_view_fill(ui, &v, clock_now_ns());
	page = ui_draw_lanes_shown(&v);
	max = v.lanes - page > 0 ? v.lanes - page : 0;
	top = ui->lane_top < max ? ui->lane_top : max;
	top = ui_scroll_target(ch, top, page, max);
	ui->lane_top = top < 0 ? 0 : top > max ? max : top;
	return 1;
}

/* ---- conviz replay: saved runs, nothing running ---------------------- */

/* A saved run on screen as if it had just ended here: its recording, its
 * figures, its books as it left them; then it plays from the start. */
static void ui_replay_one(struct ui *ui, struct recording *rec)
{
	const struct run_stats *st = &rec->st;
	struct ui_explore_run r;

	const struct work_ops *w = work_find(rec->cfg.sc.workload);

	ui->rec = rec;
	ui->tl = rec->tl;
	ui->cfg = ui->shown = rec->cfg;
	msg_fmt(ui->var_label, sizeof ui->var_label, "%s",
		w && w->var_label ? w->var_label : "value");
	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
	ui->lanes = timeline_lanes(rec->tl);
	ui->origin_ns = rec->origin_ns;
	ui->end_ns = recording_now(rec);
	ui->window_ns = ui->end_ns > 0 ? ui->end_ns : 1;
	ui->wall_s = st->wall_s;
	ui->done = st->ok + st->failed + st->wrong;
	ui->failed = (uint32_t)timeline_marker_count(rec->tl, EV_ERROR);
	ui->stalls = st->stalls;
	ui->stall_s = st->stall_s;
	ui->ready_s = st->ready_s;
	ui->wrong = st->wrong;
	if (st->wrong > 0)
		report_wrong(ui->wrong_msg, sizeof ui->wrong_msg, &ui->shown,
			     st);
	ui->phase = st->wrong > 0 || st->status != 0 ? UI_PHASE_FAILED
		    : st->cancelled		     ? UI_PHASE_CANCELLED
						     : UI_PHASE_DONE;
	msg_fmt(ui->cycle, sizeof ui->cycle, "%s",
		st->deadlock ? st->cycle : "");
	if (recording_ledger_at(rec, ui->end_ns, &ui->ledger) == 0)
		run_ledger_cycle(&ui->ledger, st);
	report_results_rec(ui->results, sizeof ui->results, rec, 0);
	report_results_rec(ui->errors, sizeof ui->errors, rec, 1);
	ui->sel = -1;
	ui_explore_reset(&ui->x);
	ui_xrun(ui, clock_now_ns(), &r);
	ui_explore_play(&ui->x, &r);
}

/* A saved comparison: its runs stacked, as c leaves them once over. */
static void ui_replay_compare(struct ui *ui, struct recording **recs, int nall)
{
	int n = nall < UI_COMPARE_MAX ? nall : UI_COMPARE_MAX;

	ui->cmp.on = 1;
	ui->cmp.n = ui->cmp.cur = n;
	ui->cmp.run_gen = -1;
	ui->cmp.base = ui->cmp.before = ui->cfg = recs[0]->cfg;
	for (int i = 0; i < n; i++) {
		struct compare_row *row = &ui->cmp.rows[i];
		const struct run_config *c = &recs[i]->cfg;
		msg_fmt(ui->cmp.labels[i], sizeof ui->cmp.labels[i], "%s%s",
			model_get(c->model)->name,
			c->gil || !model_get(c->model)->pooled ? ""
							       : ", no GIL");
		*row = (struct compare_row){ .model = c->model,
					     .gil = c->gil,
					     .label = ui->cmp.labels[i] };
		compare_row_ended(row, c, &recs[i]->st,
				  recs[i]->st.status == 0 ? 0 : -1);
		ui->cmp.rec[i] = recs[i];
		ui->cmp.end_ns[i] = recording_now(recs[i]);
	}
	compare_verdict(&ui->cmp.base, ui->cmp.rows, n, ui->cmp.verdict,
			sizeof ui->cmp.verdict);
	for (int i = n; i < nall; i++)
		recording_free(recs[i]); /* beyond what the view stacks */
}

/* conviz replay: the TUI takes the saved runs over. */
static void ui_replay_start(struct ui *ui, const struct app_tui_start *s)
{
	char note[PATH_MAX + 96];

	ui->replaying = 1;
	msg_fmt(ui->replay_from, sizeof ui->replay_from, "%s",
		s->replay_from ? s->replay_from : "a trace");
	if (s->nreplay > 1)
		ui_replay_compare(ui, s->replay, s->nreplay);
	else
		ui_replay_one(ui, s->replay[0]);
	msg_fmt(note, sizeof note, "replay of %s: nothing runs",
		ui->replay_from);
	ui_note(ui, note, 0);
	ui_export_first(ui); /* --trace, --svg, --csv: it is over */
}

/* The keys that would run something, while replaying: they say why not.
 * Returns 1 for one of them. */
static int ui_replay_refuses(struct ui *ui, int ch)
{
	static const char runs[] = "rmsg+=-_xcw";
	char note[PATH_MAX + 128];

	if (!ui->replaying ||
	    (ch != 27 && (ch <= 0 || ch > 127 || !strchr(runs, ch))))
		return 0;
	if (ch == 27 && !ui->cmp.on)
		return 0;
	msg_fmt(note, sizeof note,
		"a replay of %s runs nothing: conviz run -s %s runs it here",
		ui->replay_from, ui->cfg.sc.name);
	ui_note(ui, note, 1);
	return 1;
}

/* Handles one key. Returns 1 when it is time to quit. */
static int ui_key(struct ui *ui, int ch)
{
	ui->dirty = 1;
	if (ch == KEY_RESIZE)
		return 0;      /* curses has resized stdscr; just redraw */
	if (ch == KEY_MOUSE) { /* the lanes, or the wheel on the help */
		ui_mouse(ui);
		return 0;
	}
	if (ui->help) {
		ui_help_key(ui, ch);
		return 0;
	}
	if (ui->pick) {
		ui_list_key(ui, ch);
		return 0;
	}
	if (ch >= 'A' && ch <= 'Z')
		ch += 'a' - 'A'; /* caps lock on a classroom keyboard */
	if (ch == 'q')
		return 1;
	if (ui_replay_refuses(ui, ch))
		return 0;
	if (ui->cmp.on && ui_cmp_key(ui, ch))
		return 0;
	if (ui_explore_keys(ui, ch))
		return 0;
	if (ui_scroll_key(ui, ch))
		return 0;
	for (size_t i = 0; i < sizeof ui_keys / sizeof ui_keys[0]; i++)
		if (ui_keys[i].key == ch)
			ui_keys[i].fn(ui);
	return 0;
}

/* What the run on screen can draw, for the legend: computing and ready
 * always, what its workload and model emit, and what has happened
 * (stalls, failed tasks, lost updates) even if nothing predicted it. */
static unsigned ui_kinds(const struct ui *ui)
{
	const struct run_config *c = ui->tl ? &ui->shown : &ui->cfg;
	const struct model_ops *m = model_get(c->model);
	const struct work_ops *w = work_find(c->sc.workload);
	unsigned k = EV_BIT(EV_CPU) | EV_BIT(EV_READY) | m->kinds;

	if (w)
		k |= w->kinds;
	if (!c->gil || !m->pooled || c->workers < 2)
		k &= ~EV_BIT(EV_GIL_WAIT); /* nobody to wait for */
	if (ui->stalls)
		k |= EV_BIT(EV_STALL);
	if (ui->failed)
		k |= EV_BIT(EV_ERROR);
	if (ui->tl && timeline_marker_count(ui->tl, EV_LOST_UPDATE))
		k |= EV_BIT(EV_LOST_UPDATE);
	return k;
}

/* The race lab's panel, for a run that shares values or takes locks. */
static void ui_race_fill(struct ui *ui, struct ui_view *v)
{
	if (!ui->tl || (ui->ledger.nvars == 0 && ui->ledger.nlocks == 0))
		return;
	ui->race = (struct ui_race){
		.lg = ui->x.paused ? ui_books_at_cursor(ui) : &ui->ledger,
		.label = ui->var_label,
		.cycle = ui->cycle,
		.processes = model_get(ui->shown.model)->processes,
		.over = !ui->run &&
			(!ui->x.paused || ui->x.cursor >= ui->end_ns),
		.task_view = v->task_view,
	};
	v->race = &ui->race;
}

/* The tasks of the lane selected up to `now` (the moment shown), listed
 * again only when something they depend on has changed. Returns how
 * many. */
static size_t ui_sel_tasks(struct ui *ui, int64_t now)
{
	size_t n;
	int view = ui_view_of(ui);

	if (ui->tasks.list && ui->tasks.lane == ui->sel &&
	    ui->tasks.view == view && ui->tasks.nev == ui->rec->nev &&
	    ui->tasks.now == now)
		return ui->tasks.n;
	n = timeline_lane_task_list(ui->tl, ui->sel, now, NULL, 0);
	free(ui->tasks.list);
	ui->tasks.list = xcalloc(n ? n : 1, sizeof *ui->tasks.list);
	ui->tasks.n = timeline_lane_task_list(ui->tl, ui->sel, now,
					      ui->tasks.list, n);
	ui->tasks.lane = ui->sel;
	ui->tasks.view = view;
	ui->tasks.nev = ui->rec->nev;
	ui->tasks.now = now;
	return ui->tasks.n;
}

/* What the lanes show (live, paused or replayed; whole or zoomed), and
 * the lane selected with its panel's row. */
static void ui_explore_fill(struct ui *ui, struct ui_view *v, int64_t wall)
{
	struct ui_explore_run r;

	ui_xrun(ui, wall, &r);
	ui_explore_window(&ui->x, &r, &v->view_t0, &v->window_ns, &v->now_ns,
			  &v->cursor_ns);
	v->paused = ui->x.paused;
	v->replay = ui->x.replay;
	v->speed = ui_explore_speed_name(ui->x.speed);
	v->zoom = ui_explore_zoom(&ui->x, &r);
	v->rec = ui->rec;
	if (ui->sel >= v->lanes)
		ui->sel = -1;
	v->sel_lane = ui->sel;
	if (ui->sel >= 0 && ui->tl) {
		size_t n = ui_sel_tasks(ui, v->now_ns);
		if ((size_t)ui->task_row >= n)
			ui->task_row = n > 0 ? (int)n - 1 : 0;
		v->sel_list = ui->tasks.list;
		v->sel_tasks = n > INT32_MAX ? INT32_MAX : (int)n;
	}
	v->task_row = ui->task_row;
}

static void ui_view_fill(struct ui *ui, struct ui_view *v, int64_t now)
{
	const struct model_ops *m = model_get(ui->cfg.model);
	struct ui_baseline *b = ui_baseline_find(ui, &ui->shown);
	int view = ui_view_of(ui);
	int tl_lanes = 0, lanes = ui->lanes;

	if (ui->tl) {
		timeline_set_view(ui->tl, (enum timeline_view)view);
		tl_lanes = timeline_lanes(ui->tl);
	}
	/* By task, every task of the run has a lane from the start, so the
	 * count ("lanes 1-24 of 160") does not creep up as tasks begin. */
	if (view == TIMELINE_BY_TASK)
		lanes = ui->tl ? (int)ui->shown.sc.tasks : 0;
	memset(v, 0, sizeof *v);
	v->scenario = ui->cfg.sc.name;
	report_title(&ui->cfg, ui->title, sizeof ui->title);
	v->title = ui->title;
	v->lesson = ui->cfg.sc.lesson;
	v->model = m->name;
	v->model_lesson = m->lesson;
	if (m->processes) {
		msg_fmt(ui->how, sizeof ui->how, "%s",
			procs_start_name(ui->cfg.start));
		if (ui->cfg.chunk > 1)
			msg_fmt(ui->how + strlen(ui->how),
				sizeof ui->how - strlen(ui->how), ", chunk %d",
				ui->cfg.chunk);
		v->how = ui->how;
	}
	v->workers = m->pooled ? ui->cfg.workers : 1;
	v->gil = ui->cfg.gil;
	v->phase = ui->phase;
	v->tl = ui->tl;
	v->lanes = tl_lanes > lanes ? tl_lanes : lanes;
	v->task_view = view == TIMELINE_BY_TASK;
	v->lane_top = ui->lane_top;
	v->elapsed_s = ui->run ? (double)ui_run_now(ui, now) / 1e9 : ui->wall_s;
	ui_explore_fill(ui, v, now);
	v->done = ui->done;
	v->failed = ui->failed;
	v->errors = ui->errors;
	v->results = ui->results;
	v->server = ui->run ? ui->server : NULL;
	v->total = ui->tl ? (uint32_t)ui->shown.sc.tasks : 0;
	v->stalls = ui->stalls;
	v->stall_s = ui->stall_s;
	/* Known only once every event is in: before, the ring still holds
	 * some on their way. */
	v->dropped = ui->run ? 0 : ui->pushed - ui->consumed;
	v->ready_s = ui->ready_s;
	v->cores = ui->cores;
	v->wrong = ui->wrong;
	v->wrong_msg = ui->wrong_msg;
	v->baseline_s = b ? b->wall_s : -1.0;
	v->message = ui->note;
	v->help = ui->help;
	v->help_top = ui->help_top;
	v->kinds = ui_kinds(ui);
	v->pick = ui->pick;
	v->utf8 = ui_term_utf8();
	ui_card_update(ui);
	v->card = ui->card_ok ? &ui->card : NULL;
	v->card_scale = ui->card_scale;
	v->card_work = ui->card_work;
	v->card_tut = ui->card_tut;
	v->card_shown = ui->card_on;
	ui_race_fill(ui, v);
	ui_recent_fill(ui, v);
	if (ui->cmp.on)
		ui_cmp_fill(ui, v, now);
}

/* Redraws when something changed, at most once a frame. While a run goes
 * on its clock alone is a change: the lanes grow with it. */
static void ui_frame(struct ui *ui)
{
	int64_t now = clock_now_ns();
	int64_t tick = ui->run ? (now - ui->origin_ns) / UI_FRAME_NS : -1;
	struct ui_view v;

	if (ui->note_until && now >= ui->note_until) {
		ui->note[0] = '\0';
		ui->note_until = 0;
		ui->dirty = 1;
	}
	if (tick != ui->drawn_tick)
		ui->dirty = 1;
	if (!ui->dirty || now - ui->drawn_ns < UI_FRAME_NS)
		return;
	ui_view_fill(ui, &v, now);
	ui_draw_screen(&v);
	ui->dirty = 0;
	ui->drawn_ns = now;
	ui->drawn_tick = tick;
}

/* The loop. Returns the exit status: 0 on q, 128 + signal on SIGINT,
 * SIGTERM or SIGHUP. */
static int ui_loop(struct ui *ui)
{
	for (;;) {
		int sig = ui_term_signal();
		int ch;

		if (sig)
			return 128 + sig;
		if (ui_term_suspend_pending())
			ui->dirty = 1;
		ch = getch(); /* waits at most a frame (timeout) */
		if (ch != ERR && ui_key(ui, ch))
			return 0;
		ui_pump(ui);
		ui_frame(ui);
	}
}

/* After the terminal is restored: stops the run, still draining so its
 * producers never block on a full ring, and frees everything. A run whose
 * tasks take longer than UI_EXIT_WAIT_NS to finish is left behind (the
 * process is exiting) rather than keeping the person waiting. */
static void ui_shutdown(struct ui *ui)
{
	int64_t deadline = clock_now_ns() + UI_EXIT_WAIT_NS;

	if (ui->run) {
		run_cancel(ui->run);
		while (!run_finished(ui->run) && clock_now_ns() < deadline) {
			evring_wait(ui->ring, 20);
			ui_drain(ui);
		}
		if (run_finished(ui->run))
			ui_run_end(ui);
	}
	recording_free(ui->rec);
	ui_cmp_free(ui);
	ledger_free(&ui->ledger);
	ledger_free(&ui->at);
	free(ui->tasks.list);
	ui_pick_free(ui->pick);
	free(ui);
}

int ui_main(const struct run_config *cfg, const struct app_tui_start *start)
{
	struct ui *ui;
	int status;

	if (ui_term_init(UI_FRAME_MS) != 0)
		return 1;
	ui_term_mouse(!start || !start->no_mouse);
	ui = xcalloc(1, sizeof *ui);
	if (start)
		ui->exports = start->exports;
	ui->cfg = *cfg;
	ui->drawn_tick = -2;
	ui->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
	ui->window_ns = UI_WINDOW_NS;
	if (start && start->replay && start->nreplay > 0)
		ui_replay_start(ui, start);
	else if (start && start->compare) /* conviz compare on a terminal */
		ui_cmp_start(ui, start->sweep_from, start->sweep_to);
	else
		ui_run_begin(ui); /* the run starts as the TUI opens */
	status = ui_loop(ui);
	ui_term_end();
	ui_shutdown(ui);
	return status;
}
