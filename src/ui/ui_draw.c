/* ui_draw.c - paints the TUI screen from a struct ui_view (see ui_draw.h).
 *
 * Layout, top to bottom:
 *   header (3 rows): scenario and title; model, workers, GIL, elapsed,
 *                    stalls; progress bar, tasks, wall time and speedup
 *   lanes:           one row per worker (or task), [view_t0, view_t0 +
 *                    window] left to right, two or three rows each when
 *                    few; they scroll when they outnumber the rows; with a
 *                    cursor, its column in reverse video, and its panel
 *                    beside them (each lane's state there)
 *   time axis:       a line with ticks, and their labels in seconds
 *   explore row:     paused: the cursor's time, the zoom, the keys
 *   lane's panel:    the tasks of the lane selected (Tab), or else the
 *                    race lab's panel, the results, the recent runs
 *   legend:          each state's glyph in its colour, and the markers
 *   key bar:         the last row
 * Everything is clipped to the screen, so any size at or above the
 * minimum draws without wrapping.
 */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/explain.h"
#include "app/recording.h"
#include "core/ev.h"
#include "core/ledger.h"
#include "core/msg.h"
#include "core/timeline.h"
#include "ui/ui_draw.h"
#include "ui/ui_pick.h"
#include "ui/ui_race.h"
#include "ui/ui_term.h"

#define HEADER_ROWS 3
#define AXIS_ROWS 2
#define PROGRESS_MAX 30
#define AXIS_LABEL_MIN 9 /* columns between tick labels */
#define HELP_WIDTH_MAX 68

/* What the legend and the help show, in this order. */
static const unsigned draw_legend_kinds[] = {
	EV_CPU,		EV_READY, EV_IO,      EV_LOCK_WAIT,
	EV_GIL_WAIT,	EV_STALL, EV_STARTUP, EV_ERROR,
	EV_LOST_UPDATE, EV_READ,  EV_WRITE,
};
#define LEGEND_COUNT (sizeof draw_legend_kinds / sizeof draw_legend_kinds[0])

/* The key bar, in the order it shows them; a brief name for narrow
 * screens. */
struct draw_key {
	const char *key, *name, *brief;
};

static const struct draw_key draw_run_keys[] = {
	{ "r", "Rerun", "Run" },
	{ "m", "Model", "Model" },
	{ "s", "Scenario", "Scen" },
	{ "+/-", "Workers", "Wkrs" },
	{ "g", "GIL", "GIL" },
	{ "v", "View", "View" },
	{ "x", "Kill", "Kill" },
	{ "c", "Compare", "Cmp" },
	{ "w", "Sweep", "Sweep" },
	{ "e", "Card", "Card" },
	{ "p", "Save", "Save" },
	{ "Space", "Pause", "Pause" },
	{ "\u2190\u2192", "Step", "Step" }, /* ASCII: draw_keys_of */
	{ "i/o", "Zoom", "Zoom" },
	{ "Tab", "Lane", "Lane" },
	{ "\u2191\u2193", "Scroll", "Scroll" },
	{ "?", "Help", "Help" },
	{ "q", "Quit", "Quit" },
};

/* Paused (ui_explore.h): moving in time first. */
static const struct draw_key draw_paused_keys[] = {
	{ "Space", "Live", "Live" },
	{ "\u2190\u2192", "Step", "Step" },
	{ "Home", "Start", "Start" },
	{ "End", "Live", "Live" },
	{ "[ ]", "Replay", "Replay" },
	{ "i/o", "Zoom", "Zoom" },
	{ "</>", "Pan", "Pan" },
	{ "Tab", "Lane", "Lane" },
	{ "\u2191\u2193", "Scroll", "Scroll" },
	{ "r", "Rerun", "Run" },
	{ "m", "Model", "Model" },
	{ "s", "Scenario", "Scen" },
	{ "+/-", "Workers", "Wkrs" },
	{ "g", "GIL", "GIL" },
	{ "v", "View", "View" },
	{ "c", "Compare", "Cmp" },
	{ "w", "Sweep", "Sweep" },
	{ "e", "Card", "Card" },
	{ "p", "Save", "Save" },
	{ "?", "Help", "Help" },
	{ "q", "Quit", "Quit" },
};

/* A lane selected (Tab): its panel's keys first. */
static const struct draw_key draw_lane_keys[] = {
	{ "\u2191\u2193", "Task", "Task" },
	{ "Enter", "Go to", "Go" },
	{ "Tab", "Next lane", "Lane" },
	{ "Esc", "Close", "Close" },
	{ "Space", "Pause", "Pause" },
	{ "\u2190\u2192", "Step", "Step" },
	{ "Home", "Start", "Start" },
	{ "End", "Live", "Live" },
	{ "[ ]", "Replay", "Replay" },
	{ "i/o", "Zoom", "Zoom" },
	{ "</>", "Pan", "Pan" },
	{ "r", "Rerun", "Run" },
	{ "e", "Card", "Card" },
	{ "p", "Save", "Save" },
	{ "?", "Help", "Help" },
	{ "q", "Quit", "Quit" },
};
#define KEYS_MAX (sizeof draw_paused_keys / sizeof draw_paused_keys[0])

/* While a comparison is on screen (c). */
static const struct draw_key draw_cmp_keys[] = {
	{ "r", "Run again", "Again" }, { "c", "Compare", "Cmp" },
	{ "w", "Sweep", "Sweep" },     { "Esc", "Close", "Close" },
	{ "e", "Card", "Card" },       { "p", "Save", "Save" },
	{ "?", "Help", "Help" },       { "q", "Quit", "Quit" },
};

/* The boundary between two tasks on a lane: the first cell of the new
 * task, in its state's colour. A thin bar reads as a cut in a row of
 * blocks or shades, on a monochrome screen too, and differs from every
 * state's pattern. */
static const char *draw_boundary_glyph(int utf8)
{
	return utf8 ? "\u258f" : "|"; /* ▏ */
}

/* While a list to pick from is open (ui_pick.h says what they do). */
static const struct draw_key draw_pick_keys[] = {
	{ "Up/Down", "Move", "Move" },	   { "PgUp/PgDn", "Page", "Page" },
	{ "Enter", "Run it", "Run" },	   { "Esc", "Cancel", "Back" },
	{ "a-z", "Jump to name", "Jump" },
};

/* Writes s at (y, x) in `style`, clipped to the right edge `xmax`
 * (exclusive). Returns the column after the text. */
static int draw_text(int y, int x, int xmax, enum ui_style style, const char *s)
{
	int used, bytes;

	if (x >= xmax || y < 0 || y >= LINES)
		return x;
	bytes = ui_term_fit(s, xmax - x, &used);
	ui_term_style(style);
	mvaddnstr(y, x, s, bytes);
	return x + used;
}

/* Writes s at (y, x) only if all of it fits before xmax: a remark that
 * would be cut is better left out. Returns the column after it. */
static int draw_whole(int y, int x, int xmax, enum ui_style style,
		      const char *s)
{
	int used;

	if (s[ui_term_fit(s, xmax - x, &used)])
		return x;
	return draw_text(y, x, xmax, style, s);
}

static int draw_textf(int y, int x, int xmax, enum ui_style style,
		      const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int draw_textf(int y, int x, int xmax, enum ui_style style,
		      const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return draw_text(y, x, xmax, style, buf);
}

/* Line drawing: curses' ACS characters when the locale is UTF-8 (curses
 * draws them as box characters), plain ASCII otherwise, which reads the
 * same on every terminal. */
static chtype draw_line_char(chtype acs, char ascii, int utf8)
{
	return utf8 ? acs : (chtype)(unsigned char)ascii;
}

/* The style each kind is drawn in: cpu blue, io red, both waits yellow,
 * startup grey, the error and lost-update markers red bold. */
static const enum ui_style draw_kind_styles[EV_KIND_COUNT] = {
	[EV_CPU] = UI_STYLE_CPU,	  [EV_IO] = UI_STYLE_IO,
	[EV_LOCK_WAIT] = UI_STYLE_WAIT,	  [EV_GIL_WAIT] = UI_STYLE_WAIT,
	[EV_STARTUP] = UI_STYLE_STARTUP,  [EV_ERROR] = UI_STYLE_MARK,
	[EV_READY] = UI_STYLE_READY,	  [EV_STALL] = UI_STYLE_STALL,
	[EV_LOST_UPDATE] = UI_STYLE_MARK,
};

static enum ui_style draw_kind_style(unsigned kind)
{
	return kind < EV_KIND_COUNT ? draw_kind_styles[kind] : UI_STYLE_NORMAL;
}

/* The glyph of a legend entry: a state's pattern, or a marker's letter. */
static const char *draw_kind_glyph(unsigned kind, int utf8)
{
	if (kind == EV_ERROR)
		return "!";
	if (kind == EV_LOST_UPDATE)
		return "X";
	if (kind == EV_READ)
		return "R";
	if (kind == EV_WRITE)
		return "W";
	return ev_state_glyph(kind, utf8);
}

static const char *const draw_phase_names[] = {
	[UI_PHASE_NONE] = "not running",    [UI_PHASE_RUNNING] = "running",
	[UI_PHASE_STOPPING] = "stopping",   [UI_PHASE_DONE] = "done",
	[UI_PHASE_CANCELLED] = "cancelled", [UI_PHASE_FAILED] = "failed",
};

/* The right end of row 0: the run's phase, and the display's clock:
 * "LIVE  running", "PAUSED  done", "REPLAY x0.5  done". */
static const char *draw_phase(const struct ui_view *v, char *buf, size_t len)
{
	const char *phase = draw_phase_names[v->phase];

	if (v->replay)
		snprintf(buf, len, "REPLAY %s  %s", v->speed ? v->speed : "",
			 phase);
	else if (v->paused)
		snprintf(buf, len, "PAUSED  %s", phase);
	else if (v->phase == UI_PHASE_RUNNING && v->tl)
		snprintf(buf, len, "LIVE  %s", phase);
	else
		snprintf(buf, len, "%s", phase);
	return buf;
}

/* Where row 0's title goes: from *x to *xmax (exclusive), after "conviz
 * NAME - " and before the phase, which moves out of the way on a narrow
 * screen. */
static void draw_title_span(const struct ui_view *v, int cols, int *x,
			    int *xmax)
{
	char buf[64];
	int plen = (int)strlen(draw_phase(v, buf, sizeof buf));
	int used;

	*xmax = cols - plen - 2;
	if (*xmax < cols / 2)
		*xmax = cols;
	ui_term_fit(v->scenario, cols, &used);
	*x = (int)strlen("conviz ") + used + (int)strlen(" - ");
}

/* Bytes of the title that row 0 shows in `room` columns: all of it when
 * it fits; else up to the last clause boundary ("; ", ", ", " (") that
 * leaves `mark` columns for an ellipsis, so the real work, which comes
 * first, reads whole; else what fits. */
static int draw_title_cut(const char *s, int room, int mark)
{
	int used, n = ui_term_fit(s, room, &used);

	if (!s[n])
		return n;
	n = ui_term_fit(s, room - mark, &used);
	for (int i = n; i > 0; i--) {
		if ((s[i] == ';' || s[i] == ',' || s[i] == ' ') &&
		    s[i + 1] == (s[i] == ' ' ? '(' : ' '))
			return i;
	}
	return n;
}

/* What ends a title cut short: an ellipsis. */
static const char *draw_title_mark(const struct ui_view *v)
{
	return v->utf8 ? "\u2026" : "...";
}

/* Bytes of the title row 0 shows on a screen `cols` wide. */
static int draw_title_shown(const struct ui_view *v, int cols)
{
	int x, xmax, used;

	draw_title_span(v, cols, &x, &xmax);
	ui_term_fit(draw_title_mark(v), cols, &used);
	return draw_title_cut(v->title, xmax - x, used);
}

/* Row 0: what is being shown, and where the run is. */
static void draw_title(const struct ui_view *v, int cols)
{
	char buf[64];
	const char *phase = draw_phase(v, buf, sizeof buf);
	int n = draw_title_shown(v, cols);
	int x, xmax;

	draw_title_span(v, cols, &x, &xmax);
	x = draw_text(0, 0, xmax, UI_STYLE_TITLE, "conviz ");
	x = draw_text(0, x, xmax, UI_STYLE_TITLE, v->scenario);
	x = draw_text(0, x, xmax, UI_STYLE_DIM, " - ");
	x = draw_textf(0, x, xmax, UI_STYLE_NORMAL, "%.*s", n, v->title);
	if (v->title[n])
		draw_text(0, x, xmax, UI_STYLE_DIM, draw_title_mark(v));
	if (xmax < cols)
		draw_text(0, cols - (int)strlen(phase), cols,
			  v->phase == UI_PHASE_FAILED ? UI_STYLE_ALERT
						      : UI_STYLE_TITLE,
			  phase);
}

/* The ring's health after the clock, in red, only when something went
 * wrong: stalls (and their time), events dropped. A healthy run shows
 * nothing here. */
static void draw_ring(const struct ui_view *v, int x, int cols, int wide)
{
	if (v->stalls) {
		x = draw_textf(1, x, cols, UI_STYLE_ALERT, "  stalls %llu",
			       (unsigned long long)v->stalls);
		if (wide)
			x = draw_textf(1, x, cols, UI_STYLE_ALERT, " (%.2f s)",
				       v->stall_s);
	}
	if (v->dropped)
		draw_textf(1, x, cols, UI_STYLE_ALERT, "  dropped %llu",
			   (unsigned long long)v->dropped);
}

/* Row 1: the configuration, the machine's cores, the clock and the ring's
 * stalls; shorter labels when the screen is narrow, so the stalls stay in
 * sight, and how processes start only where it fits beside them. */
#define SETTINGS_HOW_MIN 100
static void draw_settings(const struct ui_view *v, int cols)
{
	int wide = cols >= 72;
	int x = 0;

	x = draw_text(1, x, cols, UI_STYLE_DIM, wide ? "model " : "");
	x = draw_textf(1, x, cols, UI_STYLE_TITLE, "%s", v->model);
	if (v->how && cols >= SETTINGS_HOW_MIN)
		x = draw_textf(1, x, cols, UI_STYLE_DIM, " (%s)", v->how);
	x = draw_text(1, x, cols, UI_STYLE_DIM, wide ? "  workers " : "  w=");
	x = draw_textf(1, x, cols, UI_STYLE_TITLE, "%d", v->workers);
	x = draw_text(1, x, cols, UI_STYLE_DIM, wide ? "  cores " : "/");
	x = draw_textf(1, x, cols, UI_STYLE_TITLE, "%d", v->cores);
	x = draw_text(1, x, cols, UI_STYLE_DIM, "  GIL ");
	x = draw_text(1, x, cols, UI_STYLE_TITLE, v->gil ? "on" : "off");
	x = draw_text(1, x, cols, UI_STYLE_DIM, wide ? "  view " : "  by ");
	x = draw_text(1, x, cols, UI_STYLE_TITLE,
		      v->task_view ? "task"
		      : wide	   ? "worker"
				   : "wkr");
	x = draw_text(1, x, cols, UI_STYLE_DIM, wide ? "  elapsed " : "  ");
	x = draw_textf(1, x, cols, UI_STYLE_NORMAL, "%.1f s", v->elapsed_s);
	draw_ring(v, x, cols, wide);
}

/* A bar `w` columns wide, [=====>    ], filled done/total. */
static int draw_progress(int y, int x, int w, uint32_t done, uint32_t total)
{
	int inner = w - 2, fill;

	if (inner < 1)
		return x;
	fill = total ? (int)((uint64_t)inner * done / total) : 0;
	if (fill > inner)
		fill = inner;
	ui_term_style(UI_STYLE_DIM);
	mvaddch(y, x, '[');
	ui_term_style(UI_STYLE_CPU);
	for (int i = 0; i < fill; i++)
		addch(i == fill - 1 && fill < inner ? '>' : '=');
	ui_term_style(UI_STYLE_DIM);
	for (int i = fill; i < inner; i++)
		addch(' ');
	addch(']');
	return x + w;
}

/* After a run: its wall time and speedup over the last sync run. With a
 * message to show (`brief`), the hints around them give it their room. */
static int draw_outcome(const struct ui_view *v, int x, int cols, int brief)
{
	char sync[64];

	if (v->phase == UI_PHASE_STOPPING)
		return draw_text(2, x, cols, UI_STYLE_DIM,
				 "stopping: running tasks finish first");
	if (v->wrong > 0) {
		x = draw_text(2, x, cols, UI_STYLE_ALERT, "WRONG ANSWER: ");
		return draw_text(2, x, cols, UI_STYLE_ALERT, v->wrong_msg);
	}
	if (v->phase != UI_PHASE_DONE)
		return x;
	x = draw_text(2, x, cols, UI_STYLE_DIM, "wall ");
	x = draw_textf(2, x, cols, UI_STYLE_TITLE, "%.2f s", v->elapsed_s);
	if (v->ready_s >= 0.01)
		x = draw_textf(2, x, cols, UI_STYLE_READY, "  ready %.1f s",
			       v->ready_s);
	if (v->baseline_s < 0)
		return brief ? x
			     : draw_whole(2, x, cols, UI_STYLE_DIM,
					  "  (run sync for a baseline)");
	x = draw_text(2, x, cols, UI_STYLE_DIM, "  speedup ");
	x = draw_textf(2, x, cols, UI_STYLE_TITLE, "%.2fx",
		       v->elapsed_s > 0 ? v->baseline_s / v->elapsed_s : 0.0);
	if (brief)
		return x;
	snprintf(sync, sizeof sync, " over sync (%.2f s)", v->baseline_s);
	return draw_whole(2, x, cols, UI_STYLE_DIM, sync);
}

/* Row 2: progress, tasks done/total, the outcome, and any message. */
/* The status row of a comparison: its runs done, the one running, or a
 * note (which takes the hint's place). */
static void draw_cmp_status(const struct ui_compare *c, const char *note, int w,
			    int cols)
{
	int done = 0, x;
	const char *now = NULL;

	for (int i = 0; i < c->n; i++) {
		done += c->run[i].state == UI_COMPARE_DONE ||
			c->run[i].state == UI_COMPARE_FAILED;
		if (c->run[i].state == UI_COMPARE_RUNNING)
			now = c->run[i].label;
	}
	x = draw_progress(2, 0, w, (uint32_t)done, (uint32_t)c->n);
	x = draw_textf(2, x, cols, UI_STYLE_NORMAL, " %s: %d/%d runs  ",
		       c->sweep ? "sweep" : "compare", done, c->n);
	if (note && note[0])
		draw_text(2, x, cols, UI_STYLE_ALERT, note);
	else if (now)
		draw_textf(2, x, cols, UI_STYLE_DIM, "running %s", now);
	else
		draw_text(2, x, cols, UI_STYLE_DIM,
			  "r runs it again, Esc goes back");
}

static void draw_status(const struct ui_view *v, int cols)
{
	int w = cols / 4 < PROGRESS_MAX ? cols / 4 : PROGRESS_MAX;
	int x;

	if (v->cmp) {
		draw_cmp_status(v->cmp, v->message, w, cols);
		return;
	}
	x = draw_progress(2, 0, w, v->done, v->total);

	x = draw_textf(2, x, cols, UI_STYLE_NORMAL, " tasks %u/%u  ",
		       (unsigned)v->done, (unsigned)v->total);
	if (v->failed > 0)
		x = draw_textf(2, x, cols, UI_STYLE_ALERT, "%u failed  ",
			       (unsigned)v->failed);
	x = draw_outcome(v, x, cols, v->message && v->message[0]);
	if (v->message && v->message[0])
		draw_text(2, x + 2, cols, UI_STYLE_ALERT, v->message);
}

/* Reads and writes of shared values, where the zoom lets them be told
 * apart (at most DRAW_ACCESS_MAX in the cell): W if the cell has a write,
 * else R, in the colour of the cell's state. 1 if drawn. */
#define DRAW_ACCESS_MAX 4

static int draw_access(const struct ui_view *v, int lane, int y, int x,
		       int64_t t0, int64_t t1, unsigned marks, enum ev_kind k)
{
	const unsigned rd = 1u << (EV_READ - EV_STATE_COUNT);
	const unsigned wr = 1u << (EV_WRITE - EV_STATE_COUNT);
	size_t n;

	if (!(marks & (rd | wr)))
		return 0;
	n = timeline_marker_list(v->tl, lane, EV_READ, t0, t1, NULL, 0) +
	    timeline_marker_list(v->tl, lane, EV_WRITE, t0, t1, NULL, 0);
	if (n > DRAW_ACCESS_MAX)
		return 0;
	ui_term_style(k == EV_IDLE || k == EV_DONE ? UI_STYLE_TITLE
						   : draw_kind_style(k));
	mvaddstr(y, x, marks & wr ? "W" : "R");
	return 1;
}

/* One cell: the state that dominates its slice of time, or a marker. */
static void draw_cell(const struct ui_view *v, int lane, int y, int x,
		      int64_t t0, int64_t t1)
{
	const unsigned lost = 1u << (EV_LOST_UPDATE - EV_STATE_COUNT);
	const unsigned error = 1u << (EV_ERROR - EV_STATE_COUNT);
	unsigned marks;
	enum ev_kind k;

	if (t0 >= v->now_ns)
		return; /* the future: blank */
	if (t1 > v->now_ns)
		t1 = v->now_ns; /* a replay shows nothing after its cursor */
	marks = timeline_markers(v->tl, lane, t0, t1);
	if (marks & (lost | error)) {
		ui_term_style(UI_STYLE_MARK);
		mvaddstr(y, x, marks & lost ? "X" : "!");
		return;
	}
	k = timeline_cell(v->tl, lane, t0, t1, v->now_ns, x + lane);
	if (draw_access(v, lane, y, x, t0, t1, marks, k))
		return;
	if (timeline_cell_boundary(v->tl, lane, t0, t1, v->now_ns, x + lane)) {
		ui_term_style(k == EV_IDLE || k == EV_DONE
				      ? UI_STYLE_DIM
				      : draw_kind_style(k));
		mvaddstr(y, x, draw_boundary_glyph(v->utf8));
		return;
	}
	if (k == EV_IDLE || k == EV_DONE)
		return;
	ui_term_style(draw_kind_style(k));
	mvaddstr(y, x, ev_state_glyph(k, v->utf8));
}

/* A worker process's lane is labelled with its process id, as htop
 * shows processes; a thread's with w0.., a task's with t0... */
static int64_t lane_pid(const struct ui_view *v, int lane)
{
	return v->task_view ? 0 : timeline_lane_pid(v->tl, lane);
}

/* The column of time t in a window of w columns from x0; -1 outside. */
static int time_col(const struct ui_view *v, int64_t t, int x0, int w)
{
	int64_t span = v->window_ns > 0 ? v->window_ns : 1;

	if (t < v->view_t0 || t > v->view_t0 + span)
		return -1;
	int i = (int)((t - v->view_t0) * w / span);
	return x0 + (i < w ? i : w - 1);
}

/* The cursor's column, drawn in reverse video over whatever is there: a
 * bar across the lanes that needs no colour. */
static void draw_cursor_cell(int y, int x)
{
	chtype c = mvinch(y, x);

	mvchgat(y, x, 1, (c & A_ATTRIBUTES & ~A_COLOR) | A_REVERSE,
		(short)PAIR_NUMBER(c), NULL);
}

/* Lane `lane` on rows [y, y + h): its label (in reverse video when it is
 * the lane selected), then a cell per column of the window. A tall lane
 * repeats its cells on each of its rows. */
static void draw_lane(const struct ui_view *v, int lane, int y, int h, int x0,
		      int w)
{
	int64_t pid = lane_pid(v, lane), span = v->window_ns;
	enum ui_style st = lane == v->sel_lane ? UI_STYLE_BAR : UI_STYLE_DIM;
	int cx = v->cursor_ns >= 0 ? time_col(v, v->cursor_ns, x0, w) : -1;

	if (pid > 0)
		draw_textf(y, 0, x0, st, "%lld", (long long)pid);
	else
		draw_textf(y, 0, x0, st, "%c%d", v->task_view ? 't' : 'w',
			   lane);
	for (int i = 0; i < w; i++) {
		int64_t t0 = v->view_t0 + span * i / w;
		int64_t t1 = v->view_t0 + span * (i + 1) / w;
		draw_cell(v, lane, y, x0 + i, t0, t1);
	}
	/* A tall lane: the same cells again, and a blank row under a lane of
	 * three, so neighbours stand apart. */
	for (int r = 1; r < (h > 2 ? h - 1 : h); r++)
		for (int i = 0; i < w; i++) {
			cchar_t cc;
			mvin_wch(y, x0 + i, &cc);
			mvadd_wch(y + r, x0 + i, &cc);
		}
	for (int r = 0; r < (h > 2 ? h - 1 : h) && cx >= 0; r++)
		draw_cursor_cell(y + r, cx);
}

static int draw_digits(int n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* The distance between ticks for a window of `w` columns: 1, 2 or 5 times
 * a power of ten nanoseconds, the smallest that keeps the labels
 * AXIS_LABEL_MIN columns apart. */
static int64_t axis_step(int64_t window, int w)
{
	static const int64_t mult[] = { 1, 2, 5 };
	int64_t ticks = w / AXIS_LABEL_MIN > 0 ? w / AXIS_LABEL_MIN : 1;

	for (int64_t p = 1000;; p *= 10) /* from 1 us */
		for (size_t i = 0; i < 3; i++)
			if (window / (mult[i] * p) <= ticks)
				return mult[i] * p;
}

/* A tick's label: in seconds when the axis reaches a second or more
 * (`upto`, where it ends), else in milliseconds, else microseconds
 * ("0.4s", "20ms", "500us"; zoomed into a long run, "1.2005s"). */
static void axis_label(int64_t t, int64_t upto, char *buf, size_t len)
{
	if (upto >= 1000000000)
		snprintf(buf, len, "%.10gs", (double)t / 1e9);
	else if (upto >= 1000000)
		snprintf(buf, len, "%.10gms", (double)t / 1e6);
	else
		snprintf(buf, len, "%.10gus", (double)t / 1e3);
}

/* The axis under the lanes: ticks at round times (1, 2 or 5 times a
 * power of ten), labelled. While a run goes on the window doubles from a
 * second; once it ends the window is the run, so the lanes use the whole
 * width, and the ticks stay round. */
static void draw_axis(const struct ui_view *v, int y, int x0, int w)
{
	int64_t window = v->window_ns > 0 ? v->window_ns : 1;
	int64_t step = axis_step(window, w), t0 = v->view_t0;
	int next = 0;

	ui_term_style(UI_STYLE_DIM);
	mvhline(y, x0, draw_line_char(ACS_HLINE, '-', v->utf8), w + 1);
	/* The ticks fall on round times: the first at or after t0. */
	for (int64_t t = (t0 + step - 1) / step * step; t <= t0 + window;
	     t += step) {
		int x = x0 + (int)((int64_t)w * (t - t0) / window);
		char label[32];
		int len;

		ui_term_style(UI_STYLE_DIM);
		mvaddch(y, x, draw_line_char(ACS_TTEE, '+', v->utf8));
		axis_label(t, t0 + window, label, sizeof label);
		len = (int)strlen(label);
		if (x + len > x0 + w + 1)
			x = x0 + w + 1 - len; /* the last ends at its tick */
		if (x < next)
			continue;
		draw_text(y + 1, x, COLS, UI_STYLE_NORMAL, label);
		next = x + len + 1;
	}
	if (v->cursor_ns >= 0 && time_col(v, v->cursor_ns, x0, w) >= 0)
		draw_text(y, time_col(v, v->cursor_ns, x0, w), COLS,
			  UI_STYLE_ALERT, v->utf8 ? "\u25b2" : "^"); /* ▲ */
}

/* How the lanes area of `rows` rows shows v's lanes: `shown` lanes from
 * `top`, and whether a row of its own says which (else, with room for one
 * lane only, the end of that row does). */
struct lanes_plan {
	int shown, top, own_row;
	int h; /* rows a lane takes: 2 or 3 when there is room */
};

#define LANE_ROWS_MAX 3
/* Rows kept under a few tall lanes for the table of recent runs. */
#define LANE_RECENT_ROWS 6

static void lanes_plan(const struct ui_view *v, int rows, struct lanes_plan *p)
{
	int room = rows - (v->nrecent > 0 ? LANE_RECENT_ROWS : 0);

	/* Few lanes on a tall screen: each lane taller, so the back of a
	 * room reads them. */
	p->h = v->lanes > 0 ? room / v->lanes : 1;
	p->h = p->h < 2 ? 1 : p->h > LANE_ROWS_MAX ? LANE_ROWS_MAX : p->h;
	p->shown = v->lanes <= rows ? v->lanes : rows - 1;
	p->own_row = p->shown >= 1 && p->shown < v->lanes;
	if (p->shown < 1)
		p->shown = 1;
	p->top = v->lane_top;
	if (p->top > v->lanes - p->shown)
		p->top = v->lanes - p->shown;
	if (p->top < 0)
		p->top = 0;
}

/* Which lanes are shown: "lanes 1-24 of 160" on a row of its own, or
 * " 1/160" at the end of the only lane's row. Returns its width there. */
static int draw_lanes_range(const struct ui_view *v, const struct lanes_plan *p,
			    int y, int x, int cols)
{
	char what[64];

	if (p->own_row && p->shown == 1) {
		snprintf(what, sizeof what, "lane %d of %d", p->top + 1,
			 v->lanes);
		draw_text(y, x, cols, UI_STYLE_DIM, what);
		return 0;
	}
	if (p->own_row) {
		snprintf(what, sizeof what, "lanes %d%s%d of %d", p->top + 1,
			 v->utf8 ? "\u2013" : "-", p->top + p->shown, v->lanes);
		draw_text(y, x, cols, UI_STYLE_DIM, what);
		return 0;
	}
	snprintf(what, sizeof what, " %d/%d", p->top + 1, v->lanes);
	draw_text(y, cols - 1 - (int)strlen(what), cols, UI_STYLE_DIM, what);
	return (int)strlen(what);
}

/* A duration as people read it: "850ns", "12.5us", "3.2ms", "1.25s". */
static void fmt_dur(int64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%lldns", (long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
}

/* The cursor's panel, beside lane `lane` on rows [y, y + h), columns
 * [x, xmax): its state at the cursor, its task, for how long, and, when
 * it waits on I/O, what it asked for (on the lane's next row when it is
 * tall, else after the rest). */
static void draw_cursor_lane(const struct ui_view *v, int lane, int y, int h,
			     int x, int xmax)
{
	struct timeline_seg sg;
	const char *what = NULL;
	char d[16];
	int x1 = x;

	if (timeline_seg_at(v->tl, lane, v->cursor_ns, v->now_ns, &sg) != 0) {
		draw_text(y, x, xmax, UI_STYLE_DIM, "not started");
		return;
	}
	/* The state's glyph in its colour, its name in plain text: a name
	 * in dark blue on black would not read from the back of a room. */
	if (sg.state != EV_IDLE && sg.state != EV_DONE)
		draw_text(y, x, xmax, draw_kind_style(sg.state),
			  draw_kind_glyph(sg.state, v->utf8));
	x = draw_textf(y, x + 2, xmax,
		       sg.state == EV_IDLE || sg.state == EV_DONE
			       ? UI_STYLE_DIM
			       : UI_STYLE_NORMAL,
		       "%-8s", ev_kind_name(sg.state));
	if (sg.task != EV_NO_TASK)
		x = draw_textf(y, x, xmax, UI_STYLE_TITLE, " t%-4u",
			       (unsigned)sg.task);
	fmt_dur(v->cursor_ns - sg.start, d, sizeof d);
	x = draw_textf(y, x, xmax, UI_STYLE_NORMAL, " %7s", d);
	if (sg.state == EV_IO && sg.task != EV_NO_TASK && v->rec)
		what = recording_what(v->rec, sg.task);
	if (what && h > 1)
		draw_text(y + 1, x1, xmax, UI_STYLE_DIM, what);
	else if (what)
		draw_textf(y, x, xmax, UI_STYLE_DIM, " %s", what);
}

/* Where the lanes go in an area of `rows` rows and `cols` columns: which
 * lanes, their cells from column x0, w wide, and the cursor's panel to
 * their right (panel columns; 0: none). */
struct lanes_geom {
	struct lanes_plan p;
	int x0, w, panel;
};

#define PANEL_MIN 24
#define PANEL_MAX 48
#define PANEL_SCREEN_MIN 60 /* narrower: no panel, the lanes need it */

static void lanes_geom(const struct ui_view *v, int rows, int cols,
		       struct lanes_geom *g)
{
	lanes_plan(v, rows, &g->p);
	g->x0 = draw_digits(v->lanes > 0 ? v->lanes - 1 : 0) + 2;
	for (int i = 0; i < g->p.shown; i++) {
		int64_t pid = lane_pid(v, g->p.top + i);
		if (pid > 0 && draw_digits((int)pid) + 1 > g->x0)
			g->x0 = draw_digits((int)pid) + 1;
	}
	g->panel = 0;
	if (v->cursor_ns >= 0 && cols >= PANEL_SCREEN_MIN) {
		g->panel = cols / 3;
		g->panel = g->panel < PANEL_MIN	  ? PANEL_MIN
			   : g->panel > PANEL_MAX ? PANEL_MAX
						  : g->panel;
	}
	g->w = cols - g->x0 - 1 - g->panel;
}

/* The lanes area: rows [top, top + rows). Shows as many lanes as fit, at
 * least one, from v->lane_top on, and says which when they do not all
 * fit; with a cursor, its panel beside them. Returns the rows used. */
static int draw_lanes(const struct ui_view *v, int top, int rows, int cols)
{
	struct lanes_geom g;
	int w, h;

	if (!v->tl || v->lanes <= 0) {
		draw_text(top, 0, cols, UI_STYLE_DIM,
			  v->phase == UI_PHASE_NONE ? "no run" : "starting...");
		return 1;
	}
	lanes_geom(v, rows, cols, &g);
	w = g.w;
	h = g.p.h;
	if (g.p.shown < v->lanes)
		w -= draw_lanes_range(v, &g.p,
				      g.p.own_row ? top + g.p.shown : top, g.x0,
				      cols - g.panel);
	for (int i = 0; i < g.p.shown; i++) {
		draw_lane(v, g.p.top + i, top + i * h, h, g.x0, w);
		if (g.panel)
			draw_cursor_lane(v, g.p.top + i, top + i * h, h,
					 g.x0 + w + 2, cols);
	}
	draw_axis(v, top + g.p.shown * h + g.p.own_row, g.x0, w);
	return g.p.shown * h + g.p.own_row;
}

/* Lays the legend out from row y, wrapping to the width: the kinds of
 * `kinds` (what the run can draw) in the help's order. Paints it when
 * `paint`. Returns the rows it takes. */
static int draw_legend(int y, int cols, const struct ui_view *v, int paint)
{
	int x = 0, row = 0;

	for (size_t i = 0; i < LEGEND_COUNT; i++) {
		unsigned kind = draw_legend_kinds[i];
		const char *name = ev_kind_name(kind);
		int len = 2 + (int)strlen(name);

		if (!(v->kinds & EV_BIT(kind)))
			continue;
		if (x > 0 && x + len > cols) {
			row++;
			x = 0;
		}
		if (paint) {
			draw_text(y + row, x, cols, draw_kind_style(kind),
				  draw_kind_glyph(kind, v->utf8));
			draw_text(y + row, x + 2, cols, UI_STYLE_NORMAL, name);
		}
		x += len + 2;
	}
	/* Last, what is not a kind: where one task gives way to the next;
	 * only where it fits, so it never costs a lane its row (the help
	 * explains it too). */
	if (paint && x + 2 + (int)strlen("new task") <= cols) {
		draw_text(y + row, x, cols, UI_STYLE_NORMAL,
			  draw_boundary_glyph(v->utf8));
		draw_text(y + row, x + 2, cols, UI_STYLE_NORMAL, "new task");
	}
	return row + 1;
}

static int key_width(const struct draw_key *k, int brief)
{
	return ui_term_width(k->key) + 1 +
	       ui_term_width(brief ? k->brief : k->name);
}

/* How the key bar is laid out: on how many rows, with brief names or
 * not, and whether a last "? more" stands for the keys left out. */
struct keybar_plan {
	int rows, brief, more;
};

/* Does the table have a q (Quit) key? */
static int keybar_has_quit(const struct draw_key *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(k[i].key, "q") == 0)
			return 1;
	return 0;
}

/* What ends a key bar that cannot show every key: "? more", and "q Quit"
 * after it when the table has q, so quitting is always in sight. Its
 * width, with the gap before it. */
static int keybar_tail(const struct draw_key *k, size_t n, int gap)
{
	return ui_term_width("? more") + gap +
	       (keybar_has_quit(k, n) ? ui_term_width("q Quit") + gap : 0);
}

/* Lays keys [0, n) out on p->rows rows from row y, each followed by a
 * gap (two columns, one when brief), keeping room at the end of the last
 * row for the tail (keybar_tail) when p->more, which stands for ? and q;
 * paints when `paint`. Returns how many fit. */
static size_t keybar_fit(const struct draw_key *k, size_t n,
			 const struct keybar_plan *p, int y, int cols,
			 int paint)
{
	int gap = p->brief ? 1 : 2, row = 0, x = 0;
	int more = p->more ? keybar_tail(k, n, gap) : 0;

	for (size_t i = 0; i < n; i++) {
		int len = key_width(&k[i], p->brief);
		if (p->more &&
		    (strcmp(k[i].key, "?") == 0 || strcmp(k[i].key, "q") == 0))
			continue; /* in the tail */
		if (x > 0 && x + len > cols - (row == p->rows - 1 ? more : 0)) {
			row++;
			x = 0;
		}
		if (row >= p->rows)
			return i;
		if (paint) {
			int at = draw_text(y + row, x, cols, UI_STYLE_BAR_KEY,
					   k[i].key);
			draw_text(y + row, at + 1, cols, UI_STYLE_BAR,
				  p->brief ? k[i].brief : k[i].name);
		}
		x += len + gap;
	}
	return n;
}

/* Full names on one row; else brief names; else two rows, full then
 * brief; else two rows of brief names ending in "? more" (the help lists
 * every key). No key is ever left out without saying so. */
static void keybar_plan(const struct draw_key *k, size_t n, int cols,
			struct keybar_plan *p)
{
	static const struct keybar_plan tries[] = {
		{ 1, 0, 0 }, { 1, 1, 0 }, { 2, 0, 0 }, { 2, 1, 0 }
	};

	for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
		*p = tries[i];
		if (keybar_fit(k, n, p, 0, cols, 0) == n)
			return;
	}
	*p = (struct keybar_plan){ 2, 1, 1 };
}

/* The keys of the screen as it is: the list's while one is open, the
 * comparison's while it is on screen. */
#define KEYS_OF(t) (*n = sizeof t / sizeof t[0], t)

/* The keys of the screen as it is: the list's while one is open, the
 * comparison's while it is on screen, a lane's while one is selected,
 * the explore keys first while paused. */
static const struct draw_key *draw_keys_utf8(const struct ui_view *v, size_t *n)
{
	if (v->pick)
		return KEYS_OF(draw_pick_keys);
	if (v->cmp)
		return KEYS_OF(draw_cmp_keys);
	if (v->sel_lane >= 0 && v->tl)
		return KEYS_OF(draw_lane_keys);
	if (v->paused)
		return KEYS_OF(draw_paused_keys);
	return KEYS_OF(draw_run_keys);
}

/* The same, the arrows spelled out on a terminal that cannot draw them. */
static const struct draw_key *draw_keys_of(const struct ui_view *v, size_t *n)
{
	static struct draw_key ascii[KEYS_MAX]; /* UI thread only */
	const struct draw_key *k = draw_keys_utf8(v, n);

	if (v->utf8 || *n > KEYS_MAX)
		return k;
	for (size_t i = 0; i < *n; i++) {
		ascii[i] = k[i];
		if (strcmp(k[i].key, "\u2191\u2193") == 0)
			ascii[i].key = "Up/Dn";
		else if (strcmp(k[i].key, "\u2190\u2192") == 0)
			ascii[i].key = "Lt/Rt";
	}
	return ascii;
}

/* Rows the key bar takes on a screen `cols` wide: 1 or 2. */
static int keybar_rows(const struct ui_view *v, int cols)
{
	struct keybar_plan p;
	size_t n;
	const struct draw_key *k = draw_keys_of(v, &n);

	keybar_plan(k, n, cols, &p);
	return p.rows;
}

/* The last row or two: every key that does something. */
static void draw_keybar(const struct ui_view *v, int y, int cols)
{
	struct keybar_plan p;
	size_t n;
	const struct draw_key *k = draw_keys_of(v, &n);

	keybar_plan(k, n, cols, &p);
	ui_term_style(UI_STYLE_BAR);
	for (int r = 0; r < p.rows; r++)
		mvhline(y + r, 0, ' ', cols);
	if (keybar_fit(k, n, &p, y, cols, 1) < n || p.more) {
		int x = cols - keybar_tail(k, n, 1) + 1;
		x = draw_text(y + p.rows - 1, x, cols, UI_STYLE_BAR_KEY, "?");
		x = draw_text(y + p.rows - 1, x, cols, UI_STYLE_BAR, " more");
		if (keybar_has_quit(k, n)) {
			x = draw_text(y + p.rows - 1, x + 1, cols,
				      UI_STYLE_BAR_KEY, "q");
			draw_text(y + p.rows - 1, x, cols, UI_STYLE_BAR,
				  " Quit");
		}
	}
}

static void draw_too_small(int cols, int lines)
{
	char size[64], need[64];
	int y = lines / 2 - 1;

	snprintf(size, sizeof size, "terminal too small: %dx%d", cols, lines);
	snprintf(need, sizeof need, "need at least %dx%d", UI_DRAW_MIN_COLS,
		 UI_DRAW_MIN_LINES);
	if ((int)(strlen(size) + 2 + strlen(need)) <= cols) {
		draw_textf(y < 0 ? 0 : y, 0, cols, UI_STYLE_ALERT, "%s, %s",
			   size, need);
		return;
	}
	/* Narrow: two short rows, which fit down to 16 columns. */
	if ((int)strlen(size) > cols)
		snprintf(size, sizeof size, "too small: %dx%d", cols, lines);
	if ((int)strlen(need) > cols)
		snprintf(need, sizeof need, "need %dx%d", UI_DRAW_MIN_COLS,
			 UI_DRAW_MIN_LINES);
	draw_text(y < 0 ? 0 : y, 0, cols, UI_STYLE_ALERT, size);
	draw_text(y < 0 ? 1 : y + 1, 0, cols, UI_STYLE_NORMAL, need);
}

/* The next line of p wrapped at spaces to w columns: returns its length
 * in bytes and sets *next to where the line after it starts. */
static int draw_wrap(const char *p, int w, const char **next)
{
	int used, n = ui_term_fit(p, w, &used);

	if (p[n]) { /* break at the last space that fits */
		int cut = n;
		while (cut > 0 && p[cut] != ' ')
			cut--;
		if (cut > 0)
			n = cut;
	}
	if (n == 0)
		n = (int)strlen(p); /* w < 1: one line, clipped when drawn */
	*next = p + n;
	while (**next == ' ')
		(*next)++;
	return n;
}

/* A framed box over the middle of the screen, cleared inside. */
static void draw_frame(int top, int left, int h, int w, int utf8)
{
	chtype hl = draw_line_char(ACS_HLINE, '-', utf8);
	chtype vl = draw_line_char(ACS_VLINE, '|', utf8);

	ui_term_style(UI_STYLE_NORMAL);
	for (int y = top + 1; y < top + h - 1; y++)
		mvhline(y, left + 1, ' ', w - 2);
	mvhline(top, left + 1, hl, w - 2);
	mvhline(top + h - 1, left + 1, hl, w - 2);
	mvvline(top + 1, left, vl, h - 2);
	mvvline(top + 1, left + w - 1, vl, h - 2);
	mvaddch(top, left, draw_line_char(ACS_ULCORNER, '+', utf8));
	mvaddch(top, left + w - 1, draw_line_char(ACS_URCORNER, '+', utf8));
	mvaddch(top + h - 1, left, draw_line_char(ACS_LLCORNER, '+', utf8));
	mvaddch(top + h - 1, left + w - 1,
		draw_line_char(ACS_LRCORNER, '+', utf8));
}

/* The help overlay is laid out as a list of lines first, then the part
 * that fits the box is drawn: a line is a heading, a blank, or a piece of
 * wrapped text at column x of the box, led on its first line by a key or
 * by a state's glyph and name. Nothing is cut mid-word; what does not fit
 * scrolls. */
#define HELP_LINES_MAX 600  /* the lesson card at 40 columns takes ~80 */
#define HELP_KEY_COLS 7	    /* "+  -   " */
#define HELP_KIND_COLS 14   /* "X lost-update " */
#define HELP_NARROW_COLS 40 /* below: descriptions go under the name */

struct help_line {
	enum ui_style style;
	const char *lead; /* a key, drawn first in bold, or NULL */
	int kind;	  /* >= 0: led by this kind's glyph and name */
	const char *text; /* len bytes of it */
	int len, x;
};

struct help_doc {
	struct help_line l[HELP_LINES_MAX];
	int n, w, utf8;
	char model_head[48]; /* "The model: async" */
};

static struct help_line *help_add(struct help_doc *d, enum ui_style style,
				  const char *text, int len, int x)
{
	struct help_line *l;

	if (d->n >= HELP_LINES_MAX)
		return NULL;
	l = &d->l[d->n++];
	*l = (struct help_line){ style, NULL, -1, text, len, x };
	return l;
}

/* text wrapped at spaces into the box from column x; the first line is
 * returned so the caller can lead it. */
static struct help_line *help_wrap(struct help_doc *d, enum ui_style style,
				   const char *text, int x)
{
	struct help_line *first = NULL;
	const char *next;

	do {
		int n = draw_wrap(text, d->w - x, &next);
		struct help_line *l = help_add(d, style, text, n, x);
		if (!first)
			first = l;
		text = next;
	} while (*text);
	return first;
}

static void help_heading(struct help_doc *d, const char *s)
{
	if (d->n > 0)
		help_add(d, UI_STYLE_NORMAL, "", 0, 0);
	help_add(d, UI_STYLE_TITLE, s, (int)strlen(s), 0);
}

static void help_keys(struct help_doc *d)
{
	static const struct {
		const char *key, *what;
	} keys[] = {
		{ "r", "run the same configuration again" },
		{ "m", "pick a model from a list" },
		{ "s", "pick a scenario from a list (its workers and scale)" },
		{ "+ -", "more or fewer workers (sync has one)" },
		{ "g", "simulated GIL on or off" },
		{ "v", "lanes per worker or per task (the header says which)" },
		{ "x", "kill one worker process with SIGKILL (procs): its "
		       "task fails, a new process takes its lane" },
		{ "c", "compare: the scenario under every model in turn, "
		       "stacked on one time axis, then a table and a verdict; "
		       "r runs it again, Esc closes it" },
		{ "w", "sweep: the model (threads or procs) with 1, 2, ... "
		       "16 workers (procs: up to twice the cores), a chart "
		       "of wall time against workers; Esc closes it" },
		{ "e", "the lesson card beside the lanes, or not: what "
		       "happens, what to look for, why; it follows the "
		       "scenario, the model and the GIL" },
		{ "Up Dn", "scroll the lanes; PgUp PgDn a page" },
		{ "Space", "pause the display (PAUSED; the run goes on) and "
			   "put a cursor on the moment; Space again: live" },
		{ "Lt Rt", "step the cursor to the previous or next event on "
			   "any lane shown (pauses first); the panel beside "
			   "the lanes gives each lane's state, task, for how "
			   "long, and the request an I/O wait is for; the "
			   "race lab's panel shows the values at the cursor" },
		{ "Home", "the cursor to the start of the run" },
		{ "End", "back to live: the whole run, following it" },
		{ "[ ]", "replay from the cursor, slower or faster (x0.1 to "
			 "x10; from the start when the cursor is at the "
			 "end); press again to change speed, Space stops" },
		{ "i o", "zoom in and out around the cursor (the mouse "
			 "wheel too); a cell shows the state that filled "
			 "most of its time" },
		{ "< >", "pan half a window earlier or later when zoomed "
			 "(, and . too)" },
		{ "Tab", "select a lane (Shift-Tab: the one before; a click "
			 "on the lane too): a panel lists its tasks with "
			 "start, end, time in each state and result; Up Dn "
			 "pick one, Enter puts the cursor at its start, Esc "
			 "closes" },
		{ "p", "save the run on screen (the comparison, while one "
		       "is on screen) as files in the current directory: "
		       "conviz-SCENARIO-MODEL-DATE-TIME.json (a trace for "
		       "Perfetto and conviz replay), .svg (a timing diagram "
		       "for slides), .csv; the header says where" },
		{ "mouse", "click a lane to select it, click the time axis "
			   "to put the cursor there, the wheel zooms (here "
			   "it scrolls; --no-mouse leaves the mouse to the "
			   "terminal)" },
		{ "?", "this help (F1 and h too)" },
		{ "q", "quit (Ctrl-C works too)" },
	};
	int x = d->w < HELP_NARROW_COLS ? 4 : HELP_KEY_COLS;

	help_heading(d, "Keys");
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		struct help_line *l =
			help_wrap(d, UI_STYLE_NORMAL, keys[i].what, x);
		if (l)
			l->lead = keys[i].key;
	}
}

/* The mark of a task boundary, after the states: it is not a kind. */
static void help_boundary(struct help_doc *d, int x)
{
	struct help_line *l =
		help_wrap(d, UI_STYLE_NORMAL,
			  "new task: a task starts on this lane right after "
			  "another ended (in its state's colour)",
			  x);

	if (l)
		l->lead = draw_boundary_glyph(d->utf8);
}

static void help_colours(struct help_doc *d)
{
	static const char *const meaning[LEGEND_COUNT] = {
		"computing, on a CPU",
		"ready to compute, but no core was free",
		"waiting on I/O (or a sleep)",
		"waiting for a lock of the program",
		"waiting for the GIL (one thread computes at a time)",
		"held up by the display (the event ring was full)",
		"a worker starting up",
		"a task failed",
		"a write overwrote another's update (a race)",
		"a read of a shared value (where a cell holds few)",
		"a write of a shared value (where a cell holds few)",
	};
	int x = d->w < HELP_NARROW_COLS + HELP_KIND_COLS ? 2 : HELP_KIND_COLS;

	help_heading(d, "Colours");
	for (size_t i = 0; i < LEGEND_COUNT; i++) {
		struct help_line *l;
		if (x < HELP_KIND_COLS) { /* narrow: name, then meaning */
			l = help_add(d, UI_STYLE_NORMAL, "", 0, 0);
			if (l)
				l->kind = (int)draw_legend_kinds[i];
		}
		l = help_wrap(d, UI_STYLE_NORMAL, meaning[i], x);
		if (l && x == HELP_KIND_COLS)
			l->kind = (int)draw_legend_kinds[i];
	}
	help_boundary(d, x);
}

/* The whole help, for a box whose text is w columns wide: the lesson
 * first (what the screen is meant to show), how the model runs tasks,
 * what runs when the header cannot show it all, the keys, the colours. */
/* The race lab's panel, for a run that has one. */
static void help_race(struct help_doc *d)
{
	help_heading(d, "Under the lanes");
	help_wrap(d, UI_STYLE_NORMAL,
		  "Each shared value and their sum, against what it must be: "
		  "red while it is not. INVALID STATE: a transfer is between "
		  "its two updates, and the sum is off for that moment. "
		  "BROKEN: an update was lost, and it stays off.",
		  0);
	help_wrap(d, UI_STYLE_NORMAL,
		  "X, on both tasks' lanes: a store that overwrote another "
		  "task's update, read before it; the panel says whose, to "
		  "what, and how much was lost.",
		  0);
	help_wrap(d, UI_STYLE_NORMAL,
		  "A row per lock: the task that holds it and the tasks that "
		  "wait (yellow on their lanes). A deadlock - tasks each "
		  "holding what the next waits for - is found the moment its "
		  "cycle closes: the cycle is printed, the locks stay as they "
		  "were, and the run is stopped.",
		  0);
	help_wrap(d, UI_STYLE_NORMAL,
		  "Under procs each worker process changes its own copy: the "
		  "values here never move (processes share no memory).",
		  0);
}

/* Under a --scale that changes the work, the card's figures (the
 * tutorial's) are not the run's: a part that says so, above the card.
 * NULL when there is nothing to say. */
static const struct explain_part *card_scale_part(const struct ui_view *v)
{
	static struct explain_part p; /* UI thread only */

	if (!v->card || v->card_scale <= 0)
		return NULL;
	msg_fmt(p.heading, sizeof p.heading, "Scaled run (--scale %g)",
		v->card_scale);
	msg_fmt(p.body, sizeof p.body,
		"This run: %s. The card's figures are for the tutorial's %s, "
		"so this run's times differ from them.",
		v->card_work, v->card_tut);
	p.npar = 1;
	return &p;
}

/* A lesson card in the help: its heading, its paragraphs. */
static void help_card_part(struct help_doc *d, const struct explain_part *p)
{
	if (!p->heading[0])
		return;
	help_heading(d, p->heading);
	for (int i = 0; i < p->npar; i++)
		help_wrap(d, UI_STYLE_NORMAL, explain_par(p, i), 0);
}

static void help_layout(const struct ui_view *v, int cols, int w,
			struct help_doc *d)
{
	d->n = 0;
	d->w = w;
	d->utf8 = v->utf8;
	if (v->lesson && v->lesson[0]) {
		help_heading(d, "Lesson");
		help_wrap(d, UI_STYLE_NORMAL, v->lesson, 0);
	}
	if (v->model_lesson) {
		msg_fmt(d->model_head, sizeof d->model_head, "The model: %s",
			v->model);
		help_heading(d, d->model_head);
		help_wrap(d, UI_STYLE_NORMAL, v->model_lesson, 0);
	}
	if (v->title[draw_title_shown(v, cols)]) {
		help_heading(d, "What runs");
		help_wrap(d, UI_STYLE_NORMAL, v->title, 0);
	}
	if (v->card) {
		const struct explain_part *note = card_scale_part(v);
		if (note)
			help_card_part(d, note);
		help_card_part(d, &v->card->scenario);
		help_card_part(d, &v->card->model);
	}
	help_keys(d);
	help_colours(d);
	if (v->race)
		help_race(d);
}

static void help_draw_line(const struct help_doc *d, const struct help_line *l,
			   int y, int x0)
{
	int xmax = x0 + d->w;

	if (l->kind >= 0) {
		unsigned k = (unsigned)l->kind;
		int x = draw_text(y, x0, xmax, draw_kind_style(k),
				  draw_kind_glyph(k, d->utf8));
		draw_text(y, x + 1, xmax, UI_STYLE_TITLE, ev_kind_name(k));
	}
	if (l->lead)
		draw_text(y, x0, xmax, UI_STYLE_TITLE, l->lead);
	draw_textf(y, x0 + l->x, xmax, l->style, "%.*s", l->len, l->text);
}

/* The box of the help overlay on a cols x lines screen, for a help of n
 * lines: frame, the lines, a blank and the footer. */
struct help_box {
	int top, left, h, w, rows;
};

static int help_width(int cols)
{
	return cols - 2 < HELP_WIDTH_MAX + 4 ? cols - 2 : HELP_WIDTH_MAX + 4;
}

static void help_box(int cols, int lines, int n, struct help_box *b)
{
	b->w = help_width(cols);
	b->h = n + 4;
	if (b->h > lines - 2)
		b->h = lines - 2;
	b->rows = b->h - 4;
	b->top = (lines - b->h) / 2;
	b->left = (cols - b->w) / 2;
}

int ui_draw_help_scroll_max(const struct ui_view *v)
{
	static struct help_doc d;
	struct help_box b;
	int cols, lines;

	ui_term_size(&cols, &lines);
	help_layout(v, cols, help_width(cols) - 4, &d);
	help_box(cols, lines, d.n, &b);
	return d.n > b.rows ? d.n - b.rows : 0;
}

/* The footer of a help that scrolls, for a box w columns wide inside;
 * the shortest fits the smallest box (34 columns). */
static const char *help_scroll_hint(int utf8, int w)
{
	const char *full = utf8 ? "\u2191\u2193 PgUp PgDn Home End scroll, "
				  "other keys close"
				: "Up Down PgUp PgDn Home End scroll, other "
				  "keys close";
	int used;

	ui_term_fit(full, w + 1, &used);
	if (used <= w)
		return full;
	return utf8 ? "\u2191\u2193 scroll, other keys close"
		    : "Up/Down scroll, other keys close";
}

/* The help overlay, from line v->help_top of the help on: a framed box
 * sized to the text, or to the screen with marks where there is more. */
static void draw_help(const struct ui_view *v, int cols, int lines)
{
	static struct help_doc d; /* UI thread only */
	struct help_box b;
	int first, more_below;

	help_layout(v, cols, help_width(cols) - 4, &d);
	help_box(cols, lines, d.n, &b);
	first = v->help_top;
	if (first > d.n - b.rows)
		first = d.n - b.rows;
	if (first < 0)
		first = 0;
	more_below = first + b.rows < d.n;
	draw_frame(b.top, b.left, b.h, b.w, v->utf8);
	draw_text(b.top, b.left + 2, b.left + b.w - 2, UI_STYLE_TITLE,
		  " conviz help ");
	if (first > 0)
		draw_text(b.top, b.left + b.w - 10, b.left + b.w - 2,
			  UI_STYLE_TITLE,
			  v->utf8 ? " \u25b2 more " : " ^ more ");
	if (more_below)
		draw_text(b.top + b.h - 1, b.left + b.w - 10, b.left + b.w - 2,
			  UI_STYLE_TITLE,
			  v->utf8 ? " \u25bc more " : " v more ");
	for (int i = 0; i < b.rows && first + i < d.n; i++)
		help_draw_line(&d, &d.l[first + i], b.top + 1 + i, b.left + 2);
	draw_text(b.top + b.h - 2, b.left + 2, b.left + b.w - 2, UI_STYLE_DIM,
		  first > 0 || more_below ? help_scroll_hint(v->utf8, b.w - 4)
					  : "press any key to close this help");
}

/* What the row(s) under the axis say: errors first (they need
 * attention), then the answers, then the embedded server's address. NULL
 * when there is nothing to say. */
static const char *results_text(const struct ui_view *v, const char **label,
				enum ui_style *style)
{
	*style = UI_STYLE_NORMAL;
	if (v->errors && v->errors[0]) {
		*label = "errors: ";
		*style = UI_STYLE_ALERT;
		return v->errors;
	}
	if (v->results && v->results[0]) {
		*label = "results: ";
		return v->results;
	}
	*label = "server: ";
	return v->server && v->server[0] ? v->server : NULL;
}

/* Rows s takes wrapped at spaces to w columns. */
static int wrap_rows(const char *s, int w)
{
	int rows = 0;

	while (*s) {
		draw_wrap(s, w, &s);
		rows++;
	}
	return rows;
}

/* How many answers a results text already leaves out: K of its tail
 * ", ... (K more)"; *base_len gets the length before that tail. */
static unsigned long results_tail(const char *text, size_t *base_len)
{
	const char *tail = strstr(text, ", ... (");
	unsigned long k = 0;

	*base_len = strlen(text);
	if (tail && sscanf(tail, ", ... (%lu more)", &k) == 1)
		*base_len = (size_t)(tail - text);
	return k;
}

/* The results list "a, b, c" as shown in `rows` rows of `w` columns:
 * whole when it fits, else cut after the last answer that fits, ending
 * with ", ... (N more)" as the headless report does, never mid-answer. */
static void results_fit(const char *text, int w, int rows, int utf8, char *out,
			size_t len)
{
	size_t base;
	unsigned long more = results_tail(text, &base), cut = 0;
	const char *dots = utf8 ? "\u2026" : "...";

	snprintf(out, len, "%s", text);
	if (wrap_rows(out, w) <= rows)
		return;
	/* Leave answers out from the end, one a turn, until the rest fits
	 * with the count of those left out. */
	for (size_t end = base; end-- > 0;) {
		if (strncmp(text + end, ", ", 2) != 0)
			continue;
		cut++;
		snprintf(out, len, "%.*s, %s (%lu more)", (int)end, text, dots,
			 more + cut);
		if (wrap_rows(out, w) <= rows)
			return;
	}
	snprintf(out, len, "%s (%lu more)", dots, more + cut + 1);
}

/* Rows the results take: 0 (nothing to say), 1, or 2 when the text does
 * not fit one row and the screen is tall enough to give it a second. */
static int results_rows(const struct ui_view *v, int cols, int lines)
{
	const char *label;
	enum ui_style style;
	const char *text = results_text(v, &label, &style);

	if (!text)
		return 0;
	return wrap_rows(text, cols - (int)strlen(label)) > 1 && lines >= 24
		       ? 2
		       : 1;
}

/* Draws the results from row y on `rows` rows, wrapped at spaces and cut
 * between two answers when they do not all fit. */
static void draw_results(const struct ui_view *v, int y, int rows, int cols)
{
	const char *label;
	enum ui_style style;
	const char *text = results_text(v, &label, &style);
	int x = draw_text(y, 0, cols, UI_STYLE_DIM, label);
	char fit[512];
	const char *p = fit;

	results_fit(text, cols - x, rows, v->utf8, fit, sizeof fit);
	for (int r = 0; r < rows && *p; r++) {
		const char *start = p;
		int n = draw_wrap(start, cols - x, &p);
		draw_textf(y + r, x, cols, style, "%.*s", n, start);
	}
}

/* The race lab's panel: its lines, each on a row (a deadlock's cycle
 * wrapped over as many as it needs), at most `cap` rows. */
struct race_plan {
	struct ui_race_line line[UI_RACE_LINES];
	int n, rows;
};

static int race_line_rows(const struct ui_race_line *x, int cols)
{
	return x->wrap ? wrap_rows(x->text, cols) : 1;
}

static void race_plan(const struct ui_view *v, int cols, int lines,
		      struct race_plan *p)
{
	int cap = lines >= 30 ? UI_RACE_LINES : lines >= 24 ? 4 : 2;
	int others = 0;

	p->n = p->rows = 0;
	if (!v->race)
		return;
	others = (v->race->cycle && v->race->cycle[0]) +
		 (v->race->lg->nvars > 0 ? 2 : 0);
	p->n = ui_race_lines(v->race, cap - others, p->line, UI_RACE_LINES);
	for (int i = 0; i < p->n; i++) {
		int r = race_line_rows(&p->line[i], cols);
		if (p->rows + r > cap) {
			p->n = i;
			break;
		}
		p->rows += r;
	}
}

static void draw_race(const struct race_plan *p, int y, int rows, int cols)
{
	for (int i = 0; i < p->n && rows > 0; i++) {
		const char *s = p->line[i].text, *next;
		int r = race_line_rows(&p->line[i], cols);
		for (int k = 0; k < r && rows > 0; k++, rows--, y++) {
			int n = r > 1 ? draw_wrap(s, cols, &next)
				      : (int)strlen(s);
			draw_textf(y, 0, cols, p->line[i].style, "%.*s", n, s);
			if (r > 1)
				s = next;
		}
	}
}

/* The lesson card's column: beside the lanes from CARD_BESIDE_COLS on (two
 * fifths of the screen, CARD_MIN_COLS to CARD_MAX_COLS), or over the
 * whole middle of a narrower screen (e brings the lanes back). */
#define CARD_BESIDE_COLS 80
#define CARD_MIN_COLS 30
#define CARD_MAX_COLS 64

struct card_plan {
	int shown, full; /* full: it takes the lanes' place */
	int x, w;	 /* its columns, the separator not included */
};

static void card_plan(const struct ui_view *v, int cols, struct card_plan *c)
{
	int w = cols * 2 / 5;

	memset(c, 0, sizeof *c);
	if (!v->card_shown || (!v->card && !(v->cmp && v->cmp->over)))
		return;
	c->shown = 1;
	if (cols < CARD_BESIDE_COLS) {
		c->full = 1;
		c->w = cols;
		return;
	}
	c->w = w < CARD_MIN_COLS   ? CARD_MIN_COLS
	       : w > CARD_MAX_COLS ? CARD_MAX_COLS
				   : w;
	c->x = cols - c->w;
}

/* The columns left to the lanes, the race panel and the results. */
static int card_main_cols(const struct card_plan *c, int cols)
{
	return c->shown && !c->full ? c->x - 1 : cols;
}

/* How long a paragraph's leading label is ("Look for:"), 0 if it has
 * none: a few words ending in ':' before any '.'. */
static int card_label(const char *s)
{
	for (int i = 0; i < 16 && s[i]; i++) {
		if (s[i] == '.')
			return 0;
		if (s[i] == ':')
			return i + 1;
	}
	return 0;
}

/* One paragraph wrapped into [x, x + w) from row *y, its label bold.
 * Returns 0 when the rows ran out (at ymax) before its end. */
static int card_par(const char *s, enum ui_style style, int *y, int ymax, int x,
		    int w)
{
	int label = card_label(s);
	const char *next;

	while (*s) {
		int n, at = x;
		if (*y >= ymax)
			return 0;
		n = draw_wrap(s, w, &next);
		if (label > 0) {
			int k = label < n ? label : n;
			at = draw_textf(*y, x, x + w, UI_STYLE_TITLE, "%.*s", k,
					s);
			s += k;
			n -= k;
			label = 0;
		}
		draw_textf(*y, at, x + w, style, "%.*s", n, s);
		(*y)++;
		s = next;
	}
	return 1;
}

/* The rows a card part takes at width w. */
static int card_part_rows(const struct explain_part *p, int w)
{
	int rows = 0;

	if (!p->heading[0])
		return 0;
	rows = wrap_rows(p->heading, w);
	for (int i = 0; i < p->npar; i++)
		rows += wrap_rows(explain_par(p, i), w);
	return rows;
}

/* A card part in rows [y, ymax); what does not fit ends in a row saying
 * where the rest is (the help holds the whole card). */
static void card_part(const struct explain_part *p, int y, int ymax, int x,
		      int w)
{
	int all;

	if (!p->heading[0])
		return;
	all = card_par(p->heading, UI_STYLE_TITLE, &y, ymax, x, w);

	for (int i = 0; all && i < p->npar; i++)
		all = card_par(explain_par(p, i), UI_STYLE_NORMAL, &y, ymax, x,
			       w);
	if (!all && ymax > 0) {
		mvhline(ymax - 1, x, ' ', w);
		draw_text(ymax - 1, x, x + w, UI_STYLE_DIM,
			  "... the rest: ? (help)");
	}
}

/* After a comparison the card starts with its verdict (compare.h: words
 * made from the measured figures). Returns the row after it. */
static int card_verdict(const struct ui_view *v, int top, int ymax, int x,
			int w)
{
	static struct explain_part p; /* UI thread only */

	if (!v->cmp || !v->cmp->over || !v->cmp->verdict[0])
		return top;
	msg_fmt(p.heading, sizeof p.heading, "%s", "After the comparison");
	msg_fmt(p.body, sizeof p.body, "Verdict: %s", v->cmp->verdict);
	p.npar = 1;
	card_part(&p, top, ymax, x, w);
	return top + card_part_rows(&p, w) + 1;
}

/* The scenario's card in rows [top, ymax), then after a blank row the
 * model's, which is what changes with m and g, so it keeps its rows and
 * the scenario's gives way (2 rows at least) when both do not fit. */
static void card_parts(const struct explain *e, int top, int ymax, int x, int w)
{
	const struct explain_part *m = &e->model;
	int mrows = m->heading[0] ? card_part_rows(m, w) + 1 : 0;
	int split = ymax - mrows;

	if (top + 2 > ymax)
		return; /* the verdict took the rows: the help has the rest */
	if (split - top < 2)
		split = top + 2 < ymax ? top + 2 : ymax;
	if (!mrows)
		split = ymax;
	else if (card_part_rows(&e->scenario, w) < split - top)
		split = top + card_part_rows(&e->scenario, w);
	card_part(&e->scenario, top, split, x, w);
	if (mrows && split + 1 < ymax)
		card_part(m, split + 1, ymax, x, w);
}

/* The card in rows [top, bottom): after a comparison its verdict, then
 * the scenario's and the model's cards. */
static void draw_card(const struct ui_view *v, const struct card_plan *c,
		      int top, int bottom)
{
	static const struct explain none; /* no card: the verdict alone */
	const struct explain_part *note = card_scale_part(v);
	int x = c->full ? 0 : c->x + 1, w = c->full ? c->w : c->w - 1;
	int ymax = c->full ? bottom - 1 : bottom;

	if (bottom <= top)
		return;
	if (!c->full) {
		ui_term_style(UI_STYLE_DIM);
		mvvline(top, c->x - 1, draw_line_char(ACS_VLINE, '|', v->utf8),
			bottom - top);
	}
	top = card_verdict(v, top, ymax, x, w);
	if (note && top + 2 < ymax) {
		card_part(note, top, ymax, x, w);
		top += card_part_rows(note, w) + 1;
	}
	card_parts(v->card ? v->card : &none, top, ymax, x, w);
	if (c->full)
		draw_text(bottom - 1, x, x + w, UI_STYLE_DIM,
			  "e: back to the lanes (a wider screen shows both)");
}

/* --- the comparison (c): runs stacked on one time axis, then a table - */
#define CMP_LABEL_COLS 17 /* "threads, no GIL" and a blank */
#define CMP_TABLE_COLS 66 /* below, the table keeps wall time and speed-up */

/* How many lanes each run shows in `rows`: all when they fit, else an
 * equal share, one at least. */
static int cmp_lanes_each(const struct ui_compare *c, int rows)
{
	int total = 0, each;

	for (int i = 0; i < c->n; i++)
		total += c->run[i].lanes > 1 ? c->run[i].lanes : 1;
	if (total <= rows)
		return 1 << 20;
	each = rows / (c->n > 0 ? c->n : 1);
	return each < 1 ? 1 : each;
}

/* What a run without lanes to draw shows in their place. */
static const char *cmp_no_lanes(enum ui_compare_state st)
{
	switch (st) {
	case UI_COMPARE_FAILED:
		return "failed: see the table";
	case UI_COMPARE_WAITING:
		return "waits its turn";
	default:
		return "starting...";
	}
}

/* One run's lanes from row y, labelled; returns the rows used. */
static int draw_cmp_run(const struct ui_view *v, const struct ui_compare_run *r,
			int y, int w, int each)
{
	struct ui_view rv = *v;
	int shown = r->lanes < each ? r->lanes : each;
	int x = draw_text(y, 0, CMP_LABEL_COLS, UI_STYLE_TITLE, r->label);

	if (!r->tl || shown < 1) {
		draw_text(y, CMP_LABEL_COLS, CMP_LABEL_COLS + w,
			  r->state == UI_COMPARE_FAILED ? UI_STYLE_ALERT
							: UI_STYLE_DIM,
			  cmp_no_lanes(r->state));
		return 1;
	}
	if (shown < r->lanes)
		draw_textf(y, x + 1, CMP_LABEL_COLS - 1, UI_STYLE_DIM, "+%d",
			   r->lanes - shown);
	rv.tl = r->tl;
	rv.now_ns = r->now_ns;
	rv.task_view = 0;
	for (int lane = 0; lane < shown; lane++)
		for (int i = 0; i < w; i++)
			draw_cell(&rv, lane, y + lane, CMP_LABEL_COLS + i,
				  rv.window_ns * i / w,
				  rv.window_ns * (i + 1) / w);
	return shown;
}

/* A table row of a run that has not completed: why, or what it waits
 * for. */
static void draw_cmp_pending(const struct ui_compare_run *r, int y, int cols)
{
	int x = draw_textf(y, 0, cols, UI_STYLE_NORMAL, "%-16s ", r->label);

	if (r->state == UI_COMPARE_FAILED)
		draw_textf(y, x, cols, UI_STYLE_ALERT, "failed: %s", r->why);
	else
		draw_text(y, x, cols, UI_STYLE_DIM,
			  r->state == UI_COMPARE_RUNNING ? "running..."
							 : "waits its turn");
}

/* A completed run's row of the table, its bar as long as its wall time
 * (the longest run's fills what the row leaves). */
static void draw_cmp_row(const struct ui_compare_run *r, int y, int cols,
			 int tut, double longest, int utf8)
{
	char sp[16] = "-", tx[16] = "";
	int x, bar;

	if (r->speedup > 0)
		snprintf(sp, sizeof sp, "%.2fx", r->speedup);
	if (tut && r->tutorial > 0)
		snprintf(tx, sizeof tx, "%8.2fx", r->tutorial);
	else if (tut)
		snprintf(tx, sizeof tx, "%9s", "-");
	if (cols < CMP_TABLE_COLS)
		x = draw_textf(y, 0, cols, UI_STYLE_NORMAL,
			       "%-16s %3d %3s %7.3f %7s  ", r->label,
			       r->workers, r->gil ? "on" : "off", r->wall_s,
			       sp);
	else
		x = draw_textf(y, 0, cols, UI_STYLE_NORMAL,
			       "%-16s %7d %3s %8.3f %8.3f %8s %5.0fx%s  ",
			       r->label, r->workers, r->gil ? "on" : "off",
			       r->wall_s, r->cpu_s, sp, r->ideal, tx);
	bar = longest > 0 ? (int)((cols - x - 1) * r->wall_s / longest + 0.5)
			  : 0;
	ui_term_style(UI_STYLE_NORMAL); /* time, not a state: no colour */
	for (int k = 0; k < (bar < 1 ? 1 : bar) && x + k < cols; k++)
		mvaddstr(y, x + k, ev_state_glyph(EV_CPU, utf8));
}

static void draw_cmp_table(const struct ui_compare *c, int y, int cols,
			   int utf8)
{
	int tut = c->tutorial_by && cols >= 80;
	double longest = 0;

	for (int i = 0; i < c->n; i++)
		if (c->run[i].state == UI_COMPARE_DONE &&
		    c->run[i].wall_s > longest)
			longest = c->run[i].wall_s;
	if (cols < CMP_TABLE_COLS)
		draw_textf(y, 0, cols, UI_STYLE_TITLE, "%-16s %3s %3s %7s %7s",
			   "model", "w", "gil", "wall_s", "speedup");
	else
		draw_textf(y, 0, cols, UI_STYLE_TITLE,
			   "%-16s %7s %3s %8s %8s %8s %6s%s", "model",
			   "workers", "gil", "wall_s", "cpu_s", "speedup",
			   "ideal", tut ? " tutorial" : "");
	for (int i = 0; i < c->n; i++) {
		if (c->run[i].state == UI_COMPARE_DONE)
			draw_cmp_row(&c->run[i], y + 1 + i, cols, tut, longest,
				     utf8);
		else
			draw_cmp_pending(&c->run[i], y + 1 + i, cols);
	}
}

/* Under the table, rows allowing: where the tutorial's figures come
 * from, and the verdict (when the card does not show it). */
static void draw_cmp_words(const struct ui_view *v, int y, int bottom, int cols)
{
	const struct ui_compare *c = v->cmp;
	const char *s, *next;

	if (c->tutorial_by && cols >= 80 && y < bottom)
		draw_textf(y++, 0, cols, UI_STYLE_DIM, "tutorial: %s",
			   c->tutorial_by);
	if (!c->over || !c->verdict[0] || v->card_shown)
		return;
	s = c->verdict;
	for (int first = 1; *s && y < bottom; first = 0, y++) {
		int x = first ? draw_text(y, 0, cols, UI_STYLE_TITLE,
					  "Verdict: ")
			      : 0;
		int n = draw_wrap(s, cols - x, &next);
		draw_textf(y, x, cols, UI_STYLE_NORMAL, "%.*s", n, s);
		s = next;
	}
}

/* A sweep's row: its workers, its wall time as a bar (the longest run's
 * fills `bw` columns; the run going on grows live), its figures. */
static void draw_sweep_row(const struct ui_compare_run *r, int y, int bw,
			   double longest, int cols, int utf8)
{
	double wall = r->state == UI_COMPARE_RUNNING ? (double)r->now_ns / 1e9
						     : r->wall_s;
	int x = draw_textf(y, 0, cols, UI_STYLE_NORMAL, "%7d  ", r->workers);
	int n = longest > 0 ? (int)(bw * wall / longest + 0.5) : 0;
	char sp[16] = "-";

	if (r->state == UI_COMPARE_WAITING || r->state == UI_COMPARE_FAILED) {
		draw_textf(y, x, cols,
			   r->state == UI_COMPARE_FAILED ? UI_STYLE_ALERT
							 : UI_STYLE_DIM,
			   "%s%s",
			   r->state == UI_COMPARE_FAILED ? "failed: " : "",
			   r->state == UI_COMPARE_FAILED ? r->why
							 : "waits its turn");
		return;
	}
	ui_term_style(r->state == UI_COMPARE_DONE ? UI_STYLE_NORMAL
						  : UI_STYLE_DIM);
	for (int k = 0; k < (n < 1 ? 1 : n) && x + k < cols; k++)
		mvaddstr(y, x + k, ev_state_glyph(EV_CPU, utf8));
	if (r->state != UI_COMPARE_DONE)
		return;
	if (r->speedup > 0)
		snprintf(sp, sizeof sp, "%.2fx", r->speedup);
	draw_textf(y, x + bw + 1, cols, UI_STYLE_NORMAL, "%8.3f %8s", r->wall_s,
		   sp);
}

/* The sweep (w): a row per worker count, top to bottom, so the bars draw
 * the curve of wall time against workers; then its verdict. */
static void draw_sweep(const struct ui_view *v, int top, int bottom, int cols)
{
	const struct ui_compare *c = v->cmp;
	int bw = cols - 9 - 19, y = top;
	double longest = 0;

	for (int i = 0; i < c->n; i++) {
		const struct ui_compare_run *r = &c->run[i];
		double wall = r->state == UI_COMPARE_RUNNING
				      ? (double)r->now_ns / 1e9
				      : r->wall_s;
		if (r->state != UI_COMPARE_WAITING && wall > longest)
			longest = wall;
	}
	if (bw < 8 || bottom - top < 3) {
		draw_text(top, 0, cols, UI_STYLE_DIM,
			  "the sweep needs a larger terminal");
		return;
	}
	draw_textf(y++, 0, cols, UI_STYLE_TITLE, "%7s  %-*s %8s %8s", "workers",
		   bw, "wall time", "wall_s", "speedup");
	for (int i = 0; i < c->n && y < bottom; i++)
		draw_sweep_row(&c->run[i], y++, bw, longest, cols, v->utf8);
	draw_cmp_words(v, y, bottom, cols);
}

/* The comparison in rows [top, bottom) and `cols` columns: the runs, the
 * shared axis, the table, the words. */
static void draw_compare(const struct ui_view *v, int top, int bottom, int cols)
{
	const struct ui_compare *c = v->cmp;
	int table = 1 + c->n, w = cols - CMP_LABEL_COLS - 1;
	int lanes = bottom - top - table - AXIS_ROWS;
	int each = cmp_lanes_each(c, lanes), y = top;
	struct ui_view av = *v;

	if (c->sweep) {
		draw_sweep(v, top, bottom, cols);
		return;
	}
	if (lanes < c->n || w < 8) {
		draw_text(top, 0, cols, UI_STYLE_DIM,
			  "the comparison needs a larger terminal");
		return;
	}
	av.window_ns = c->window_ns > 0 ? c->window_ns : 1;
	av.view_t0 = 0;
	av.cursor_ns = -1;
	for (int i = 0; i < c->n && y < top + lanes; i++)
		y += draw_cmp_run(&av, &c->run[i], y, w, each);
	draw_axis(&av, y, CMP_LABEL_COLS, w);
	y += AXIS_ROWS;
	draw_cmp_table(c, y, cols, v->utf8);
	draw_cmp_words(v, y + table, bottom, cols);
}

/* Rows of the screen, top to bottom: header, lanes and axis, the race
 * lab's panel, results, legend, key bar. The lanes get what the rest
 * leaves, and at least one row: the results give way first, then the
 * panel. The legend and the key bar span the screen's `cols`; the rest
 * `mcols`, what the lesson card leaves. */
struct draw_layout {
	int top, rows, race, extra, legend, keys;
	int explore; /* the explore row under the axis (paused) */
	int tasks;   /* the panel of the lane selected */
};

#define TASKS_ROWS_MIN 4 /* a heading, the columns, two tasks */
#define TASKS_ROWS_MAX 16

static void draw_layout(const struct ui_view *v, int cols, int mcols, int lines,
			const struct race_plan *rp, struct draw_layout *l)
{
	l->legend = draw_legend(0, cols, v, 0);
	l->keys = keybar_rows(v, cols);
	l->top = HEADER_ROWS + (lines >= 16); /* a blank row if there is room */
	l->extra = results_rows(v, mcols, lines);
	l->race = rp->rows;
	l->explore = v->paused && v->tl && !v->cmp;
	l->tasks = 0;
	if (v->sel_lane >= 0 && v->tl && !v->cmp) {
		/* The lane's tasks take the place of the panels under the
		 * lanes, and half the room left. */
		int room = lines - l->keys - l->legend - AXIS_ROWS - l->top -
			   l->explore;
		l->tasks = room / 2;
		l->tasks =
			l->tasks > TASKS_ROWS_MAX ? TASKS_ROWS_MAX : l->tasks;
		l->tasks = l->tasks < TASKS_ROWS_MIN ? 0 : l->tasks;
		if (l->tasks > v->sel_tasks + 3) /* no more than it has */
			l->tasks = v->sel_tasks + 3;
		if (l->tasks)
			l->extra = l->race = 0;
	}
	l->rows = lines - l->keys - l->legend - AXIS_ROWS - l->top - l->extra -
		  l->race - l->explore - l->tasks;
	if (l->rows < 1 && l->extra) {
		l->rows += l->extra;
		l->extra = 0;
	}
	if (l->rows < 1 && l->race) {
		int give = 1 - l->rows < l->race ? 1 - l->rows : l->race;
		l->rows += give;
		l->race -= give;
	}
}

/* The layout of v on the screen as it is now, and the middle's width. */
static void draw_layout_now(const struct ui_view *v, struct draw_layout *l,
			    int *mcols)
{
	struct race_plan rp;
	struct card_plan c;
	int cols, lines;

	ui_term_size(&cols, &lines);
	card_plan(v, cols, &c);
	*mcols = card_main_cols(&c, cols);
	race_plan(v, *mcols, lines, &rp);
	draw_layout(v, cols, *mcols, lines, &rp, l);
}

int ui_draw_lanes_shown(const struct ui_view *v)
{
	struct draw_layout l;
	struct lanes_plan p;
	int mcols;

	draw_layout_now(v, &l, &mcols);
	lanes_plan(v, l.rows, &p);
	return p.shown;
}

int ui_draw_tasks_shown(const struct ui_view *v)
{
	struct draw_layout l;
	int mcols;

	draw_layout_now(v, &l, &mcols);
	return l.tasks > 2 ? l.tasks - 2 : 1;
}

int ui_draw_hit(const struct ui_view *v, int y, int x, int *lane, int64_t *t)
{
	struct draw_layout l;
	struct lanes_geom g;
	int mcols, axis;

	if (!v->tl || v->cmp || v->lanes <= 0)
		return 0;
	draw_layout_now(v, &l, &mcols);
	lanes_geom(v, l.rows, mcols, &g);
	if (x < g.x0 || x >= g.x0 + g.w || g.w < 1) {
		if (y >= l.top && y < l.top + g.p.shown * g.p.h && x < g.x0) {
			*lane = g.p.top + (y - l.top) / g.p.h;
			*t = -1;
			return 1; /* on a lane's label */
		}
		return 0;
	}
	*t = v->view_t0 +
	     (int64_t)((double)v->window_ns * (x - g.x0 + 0.5) / g.w);
	axis = l.top + g.p.shown * g.p.h + g.p.own_row;
	if (y >= l.top && y < l.top + g.p.shown * g.p.h) {
		*lane = g.p.top + (y - l.top) / g.p.h;
		return 1;
	}
	return y == axis || y == axis + 1 ? 2 : 0;
}

/* The scenario's finished runs, newest first, in rows [y, bottom) when
 * a blank, the heading and one run fit: the figures of the last few runs
 * side by side without pressing anything. */
static void draw_recent(const struct ui_view *v, int y, int bottom, int cols)
{
	if (v->nrecent < 1 || bottom - y < 3)
		return;
	draw_textf(++y, 0, cols, UI_STYLE_TITLE, "%-16s %7s %3s %8s %8s",
		   "recent runs", "workers", "gil", "wall_s", "speedup");
	for (int i = 0; i < v->nrecent && ++y < bottom; i++) {
		const struct ui_recent *r = &v->recent[i];
		char sp[16] = "-";
		if (r->speedup > 0)
			snprintf(sp, sizeof sp, "%.2fx", r->speedup);
		draw_textf(y, 0, cols, i ? UI_STYLE_DIM : UI_STYLE_NORMAL,
			   "%-16s %7d %3s %8.3f %8s", r->model, r->workers,
			   r->gil ? "on" : "off", r->wall_s, sp);
	}
}

/* A moment, to the microsecond: "1.234567 s", "12.345 ms". */
static void fmt_at(int64_t t, char *buf, size_t len)
{
	if (t >= 1000000000)
		snprintf(buf, len, "%.6f s", (double)t / 1e9);
	else
		snprintf(buf, len, "%.3f ms", (double)t / 1e6);
}

/* The row under the axis while paused: where the cursor is, the zoom's
 * window, and the keys that move in time. */
static void draw_explore(const struct ui_view *v, int y, int cols)
{
	char at[32], from[32], to[32];
	int x;

	fmt_at(v->cursor_ns, at, sizeof at);
	x = draw_text(y, 0, cols, UI_STYLE_BAR,
		      v->replay ? " REPLAY " : " PAUSED ");
	if (v->replay)
		x = draw_textf(y, x, cols, UI_STYLE_TITLE, " %s", v->speed);
	x = draw_text(y, x, cols, UI_STYLE_DIM, "  cursor at ");
	x = draw_textf(y, x, cols, UI_STYLE_TITLE, "%s", at);
	if (v->zoom > 1.001) {
		fmt_at(v->view_t0, from, sizeof from);
		fmt_at(v->view_t0 + v->window_ns, to, sizeof to);
		x = draw_textf(y, x, cols, UI_STYLE_DIM, "  zoom x%.0f ",
			       v->zoom);
		x = draw_textf(y, x, cols, UI_STYLE_NORMAL, "%s%s%s", from,
			       v->utf8 ? "\u2013" : "-", to);
	}
	draw_whole(y, x, cols, UI_STYLE_DIM,
		   v->replay ? "  [ ] slower/faster  Space stops  End live"
			     : "  \u2190\u2192 step  [ ] replay  End live");
}

/* A task's time in a state for the lane's panel: "-" when none. */
static void fmt_in(int64_t ns, char *buf, size_t len)
{
	if (ns <= 0)
		snprintf(buf, len, "-");
	else
		fmt_dur(ns, buf, len);
}

/* One task's row of the lane's panel. */
static void draw_task_row(const struct ui_view *v,
			  const struct timeline_task *t, int y, int cols,
			  int picked)
{
	char s0[32], s1[32], cpu[16], io[16], wait[16], rdy[16];
	const char *res = v->rec ? recording_result(v->rec, t->task) : NULL;
	enum ui_style st = picked ? UI_STYLE_BAR : UI_STYLE_NORMAL;
	int x;

	fmt_dur(t->start, s0, sizeof s0);
	fmt_dur(t->end, s1, sizeof s1);
	fmt_in(t->in[EV_CPU], cpu, sizeof cpu);
	fmt_in(t->in[EV_IO], io, sizeof io);
	fmt_in(t->in[EV_LOCK_WAIT] + t->in[EV_GIL_WAIT], wait, sizeof wait);
	fmt_in(t->in[EV_READY], rdy, sizeof rdy);
	if (picked) {
		ui_term_style(st);
		mvhline(y, 0, ' ', cols);
	}
	x = draw_textf(y, 0, cols, st, "%c t%-6u %8s %8s %8s %8s %8s %8s  ",
		       picked ? '>' : ' ', (unsigned)t->task, s0, s1, cpu, io,
		       wait, rdy);
	if (t->errors)
		x = draw_textf(y, x, cols, picked ? st : UI_STYLE_ALERT,
			       "failed ");
	draw_text(y, x, cols, st, res ? res : t->end > 0 ? "" : "...");
}

/* The panel of the lane selected, rows [y, y + rows): its tasks in the
 * order they started there, the one picked in reverse video; a page of
 * them around it. */
static void draw_tasks(const struct ui_view *v, int y, int rows, int cols)
{
	size_t n = v->sel_list ? (size_t)v->sel_tasks : 0;
	int shown = rows - 2, top;
	const struct timeline_task *t = v->sel_list;

	draw_textf(y, 0, cols, UI_STYLE_TITLE, "%c%d: %zu task%s",
		   v->task_view ? 't' : 'w', v->sel_lane, n, n == 1 ? "" : "s");
	draw_whole(y, cols / 2, cols, UI_STYLE_DIM,
		   "\u2191\u2193 pick  Enter: cursor to its start  Esc close");
	draw_textf(y + 1, 0, cols, UI_STYLE_DIM,
		   "  %-7s %8s %8s %8s %8s %8s %8s  %s", "task", "start", "end",
		   "cpu", "io", "waits", "ready", "result");
	if (n == 0 || shown < 1)
		return;
	top = v->task_row - shown / 2;
	top = top > (int)n - shown ? (int)n - shown : top;
	top = top < 0 ? 0 : top;
	for (int i = 0; i < shown && top + i < (int)n; i++)
		draw_task_row(v, &t[top + i], y + 2 + i, cols,
			      top + i == v->task_row);
}

/* The middle of the screen: lanes and axis, the race lab's panel, the
 * results, the recent runs, in the `mcols` the card leaves, down to
 * `bottom`. */
static void draw_middle(const struct ui_view *v, const struct draw_layout *l,
			const struct race_plan *rp, int mcols, int bottom)
{
	int used = draw_lanes(v, l->top, l->rows, mcols);
	int y = l->top + used + AXIS_ROWS;

	if (l->explore)
		draw_explore(v, y++, mcols);
	if (l->tasks) {
		draw_tasks(v, y, l->tasks, mcols);
		return;
	}
	if (l->race)
		draw_race(rp, y, l->race, mcols);
	if (l->extra)
		draw_results(v, y + l->race, l->extra, mcols);
	draw_recent(v, y + l->race + l->extra, bottom, mcols);
}

void ui_draw_screen(const struct ui_view *v)
{
	struct draw_layout l;
	struct race_plan rp;
	struct card_plan c;
	int cols, lines, mcols;

	ui_term_size(&cols, &lines);
	ui_term_style(UI_STYLE_NORMAL);
	erase();
	if (cols < UI_DRAW_MIN_COLS || lines < UI_DRAW_MIN_LINES) {
		draw_too_small(cols, lines);
		refresh();
		return;
	}
	draw_title(v, cols);
	draw_settings(v, cols);
	draw_status(v, cols);
	card_plan(v, cols, &c);
	mcols = card_main_cols(&c, cols);
	race_plan(v, mcols, lines, &rp);
	draw_layout(v, cols, mcols, lines, &rp, &l);
	if (!c.full && v->cmp)
		draw_compare(v, l.top, lines - l.keys - l.legend, mcols);
	else if (!c.full)
		draw_middle(v, &l, &rp, mcols, lines - l.keys - l.legend);
	if (c.shown)
		draw_card(v, &c, l.top, lines - l.keys - l.legend);
	draw_legend(lines - l.keys - l.legend, cols, v, 1);
	draw_keybar(v, lines - l.keys, cols);
	if (v->pick) /* down to the key bar, which may take two rows */
		ui_pick_draw(v->pick, cols, lines - l.keys + 1, v->utf8);
	if (v->help)
		draw_help(v, cols, lines);
	ui_term_style(UI_STYLE_NORMAL);
	refresh();
}
