/* ui_draw.c - paints the TUI screen from a struct ui_view (see ui_draw.h).
 *
 * Layout, top to bottom:
 *   header (3 rows): scenario and title; model, workers, GIL, elapsed,
 *                    stalls; progress bar, tasks, wall time and speedup
 *   lanes:           one row per worker, [0, window] left to right
 *   time axis:       a line with ticks, and their labels in seconds
 *   legend:          each state's glyph in its colour, and the markers
 *   key bar:         the last row
 * Everything is clipped to the screen, so any size at or above the
 * minimum draws without wrapping.
 */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/ev.h"
#include "core/timeline.h"
#include "ui/ui_draw.h"
#include "ui/ui_pick.h"
#include "ui/ui_term.h"

#define HEADER_ROWS 3
#define AXIS_ROWS 2
#define PROGRESS_MAX 30
#define AXIS_LABEL_MIN 9 /* columns between tick labels */
#define HELP_WIDTH_MAX 68

/* What the legend and the help show, in this order. */
static const unsigned draw_legend_kinds[] = {
	EV_CPU,	  EV_READY,   EV_IO,	EV_LOCK_WAIT,	EV_GIL_WAIT,
	EV_STALL, EV_STARTUP, EV_ERROR, EV_LOST_UPDATE,
};
#define LEGEND_COUNT (sizeof draw_legend_kinds / sizeof draw_legend_kinds[0])

/* The key bar; help and quit last: they stay when space runs out. */
static const struct {
	const char *key, *name;
} draw_keys[] = {
	{ "r", "Run again" }, { "m", "Model" }, { "s", "Scenario" },
	{ "+/-", "Workers" }, { "g", "GIL" },	{ "?", "Help" },
	{ "q", "Quit" },
};

/* Bytes of s that fit in `cols` columns, one column per code point: the
 * glyphs and texts conviz draws are all one column wide. *ncols gets the
 * columns used. */
static int draw_fit(const char *s, int cols, int *ncols)
{
	int bytes = 0, used = 0;

	while (s[bytes] && used < cols) {
		bytes++;
		while (((unsigned char)s[bytes] & 0xC0) == 0x80)
			bytes++;
		used++;
	}
	*ncols = used;
	return bytes;
}

/* Writes s at (y, x) in `style`, clipped to the right edge `xmax`
 * (exclusive). Returns the column after the text. */
static int draw_text(int y, int x, int xmax, enum ui_style style, const char *s)
{
	int used, bytes;

	if (x >= xmax || y < 0 || y >= LINES)
		return x;
	bytes = draw_fit(s, xmax - x, &used);
	ui_term_style(style);
	mvaddnstr(y, x, s, bytes);
	return x + used;
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
	return ev_state_glyph(kind, utf8);
}

static const char *const draw_phase_names[] = {
	[UI_PHASE_NONE] = "not running",    [UI_PHASE_RUNNING] = "running",
	[UI_PHASE_STOPPING] = "stopping",   [UI_PHASE_DONE] = "done",
	[UI_PHASE_CANCELLED] = "cancelled", [UI_PHASE_FAILED] = "failed",
};

/* Where row 0's title goes: from *x to *xmax (exclusive), after "conviz
 * NAME - " and before the phase, which moves out of the way on a narrow
 * screen. */
static void draw_title_span(const struct ui_view *v, int cols, int *x,
			    int *xmax)
{
	int plen = (int)strlen(draw_phase_names[v->phase]);
	int used;

	*xmax = cols - plen - 2;
	if (*xmax < cols / 2)
		*xmax = cols;
	draw_fit(v->scenario, cols, &used);
	*x = (int)strlen("conviz ") + used + (int)strlen(" - ");
}

/* Bytes of the title that row 0 shows in `room` columns: all of it when
 * it fits; else up to the last clause boundary ("; ", ", ", " (") that
 * leaves `mark` columns for an ellipsis, so the real work, which comes
 * first, reads whole; else what fits. */
static int draw_title_cut(const char *s, int room, int mark)
{
	int used, n = draw_fit(s, room, &used);

	if (!s[n])
		return n;
	n = draw_fit(s, room - mark, &used);
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
	draw_fit(draw_title_mark(v), cols, &used);
	return draw_title_cut(v->title, xmax - x, used);
}

/* Row 0: what is being shown, and where the run is. */
static void draw_title(const struct ui_view *v, int cols)
{
	const char *phase = draw_phase_names[v->phase];
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

/* The ring's health after the clock: stalls (and their time) and, if
 * any, dropped events, in red when they are not zero. */
static void draw_ring(const struct ui_view *v, int x, int cols, int wide)
{
	x = draw_text(1, x, cols, UI_STYLE_DIM, "  stalls ");
	/* Events are never dropped: a full ring makes producers wait, and
	 * this counts those waits. */
	x = draw_textf(1, x, cols, v->stalls ? UI_STYLE_ALERT : UI_STYLE_NORMAL,
		       "%llu", (unsigned long long)v->stalls);
	if (v->stalls && wide)
		x = draw_textf(1, x, cols, UI_STYLE_ALERT, " (%.2f s)",
			       v->stall_s);
	if (v->dropped)
		draw_textf(1, x, cols, UI_STYLE_ALERT, "  dropped %llu",
			   (unsigned long long)v->dropped);
}

/* Row 1: the configuration, the machine's cores, the clock and the ring's
 * stalls; shorter labels when the screen is narrow, so the stalls stay in
 * sight. */
static void draw_settings(const struct ui_view *v, int cols)
{
	int wide = cols >= 72;
	int x = 0;

	x = draw_text(1, x, cols, UI_STYLE_DIM, wide ? "model " : "");
	x = draw_textf(1, x, cols, UI_STYLE_TITLE, "%s", v->model);
	x = draw_text(1, x, cols, UI_STYLE_DIM, wide ? "  workers " : "  w=");
	x = draw_textf(1, x, cols, UI_STYLE_TITLE, "%d", v->workers);
	x = draw_text(1, x, cols, UI_STYLE_DIM, wide ? "  cores " : "/");
	x = draw_textf(1, x, cols, UI_STYLE_TITLE, "%d", v->cores);
	x = draw_text(1, x, cols, UI_STYLE_DIM, "  GIL ");
	x = draw_text(1, x, cols, UI_STYLE_TITLE, v->gil ? "on" : "off");
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

/* After a run: its wall time and speedup over the last sync run. */
static int draw_outcome(const struct ui_view *v, int x, int cols)
{
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
		return draw_text(2, x, cols, UI_STYLE_DIM,
				 "  (run sync for a baseline)");
	x = draw_text(2, x, cols, UI_STYLE_DIM, "  speedup ");
	x = draw_textf(2, x, cols, UI_STYLE_TITLE, "%.2fx",
		       v->elapsed_s > 0 ? v->baseline_s / v->elapsed_s : 0.0);
	return draw_textf(2, x, cols, UI_STYLE_DIM, " over sync (%.2f s)",
			  v->baseline_s);
}

/* Row 2: progress, tasks done/total, the outcome, and any message. */
static void draw_status(const struct ui_view *v, int cols)
{
	int w = cols / 4 < PROGRESS_MAX ? cols / 4 : PROGRESS_MAX;
	int x = draw_progress(2, 0, w, v->done, v->total);

	x = draw_textf(2, x, cols, UI_STYLE_NORMAL, " tasks %u/%u  ",
		       (unsigned)v->done, (unsigned)v->total);
	if (v->failed > 0)
		x = draw_textf(2, x, cols, UI_STYLE_ALERT, "%u failed  ",
			       (unsigned)v->failed);
	x = draw_outcome(v, x, cols);
	if (v->message && v->message[0])
		draw_text(2, x + 2, cols, UI_STYLE_ALERT, v->message);
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
	marks = timeline_markers(v->tl, lane, t0, t1);
	if (marks & (lost | error)) {
		ui_term_style(UI_STYLE_MARK);
		mvaddstr(y, x, marks & lost ? "X" : "!");
		return;
	}
	k = timeline_cell(v->tl, lane, t0, t1, v->now_ns, x + lane);
	if (k == EV_IDLE || k == EV_DONE)
		return;
	ui_term_style(draw_kind_style(k));
	mvaddstr(y, x, ev_state_glyph(k, v->utf8));
}

static void draw_lane(const struct ui_view *v, int lane, int y, int x0, int w)
{
	draw_textf(y, 0, x0, UI_STYLE_DIM, "w%d", lane);
	for (int i = 0; i < w; i++) {
		int64_t t0 = v->window_ns * i / w;
		int64_t t1 = v->window_ns * (i + 1) / w;
		draw_cell(v, lane, y, x0 + i, t0, t1);
	}
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

/* The axis under the lanes: ticks at 1/n of the window, labelled in
 * seconds. The window is a power of two seconds, so labels stay short. */
static void draw_axis(const struct ui_view *v, int y, int x0, int w)
{
	int n = 8, next = 0;

	while (n > 1 && w / n < AXIS_LABEL_MIN)
		n /= 2;
	ui_term_style(UI_STYLE_DIM);
	mvhline(y, x0, draw_line_char(ACS_HLINE, '-', v->utf8), w + 1);
	for (int k = 0; k <= n; k++) {
		int x = x0 + w * k / n;
		char label[32];
		int len;

		ui_term_style(UI_STYLE_DIM);
		mvaddch(y, x, draw_line_char(ACS_TTEE, '+', v->utf8));
		snprintf(label, sizeof label, "%gs",
			 (double)v->window_ns * k / n / 1e9);
		len = (int)strlen(label);
		if (k == n)
			x = x - len + 1; /* the last ends at its tick */
		if (x < next)
			continue;
		draw_text(y + 1, x, COLS, UI_STYLE_NORMAL, label);
		next = x + len + 1;
	}
}

/* The lanes area: rows [top, top + rows). Shows as many lanes as fit and
 * says how many more there are. Returns the rows used. */
static int draw_lanes(const struct ui_view *v, int top, int rows, int cols)
{
	int x0, w, shown;

	if (!v->tl || v->lanes <= 0) {
		draw_text(top, 0, cols, UI_STYLE_DIM,
			  v->phase == UI_PHASE_NONE ? "no run" : "starting...");
		return 1;
	}
	x0 = draw_digits(v->lanes - 1) + 2;
	w = cols - x0 - 1;
	shown = v->lanes <= rows ? v->lanes : rows - 1;
	for (int lane = 0; lane < shown; lane++)
		draw_lane(v, lane, top + lane, x0, w);
	if (shown < v->lanes)
		draw_textf(top + shown, x0, cols, UI_STYLE_DIM,
			   "+%d more lanes", v->lanes - shown);
	draw_axis(v, top + (shown < v->lanes ? rows : shown), x0, w);
	return shown < v->lanes ? rows : shown;
}

/* Lays the legend out from row y, wrapping to the width; paints it when
 * `paint`. Returns the rows it takes. */
static int draw_legend(int y, int cols, int utf8, int paint)
{
	int x = 0, row = 0;

	for (size_t i = 0; i < LEGEND_COUNT; i++) {
		unsigned kind = draw_legend_kinds[i];
		const char *name = ev_kind_name(kind);
		int len = 2 + (int)strlen(name);

		if (x > 0 && x + len > cols) {
			row++;
			x = 0;
		}
		if (paint) {
			draw_text(y + row, x, cols, draw_kind_style(kind),
				  draw_kind_glyph(kind, utf8));
			draw_text(y + row, x + 2, cols, UI_STYLE_NORMAL, name);
		}
		x += len + 2;
	}
	return row + 1;
}

/* Draws key bar items [from, to) from column x while they fit before
 * xmax. Returns the column after the last one. */
static int draw_keys_span(int y, int x, int xmax, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		int len = (int)(strlen(draw_keys[i].key) + 1 +
				strlen(draw_keys[i].name));
		if (x + len > xmax)
			break;
		x = draw_text(y, x, xmax, UI_STYLE_BAR_KEY, draw_keys[i].key);
		x = draw_text(y, x, xmax, UI_STYLE_BAR, " ");
		x = draw_text(y, x, xmax, UI_STYLE_BAR, draw_keys[i].name);
		x += 2;
	}
	return x;
}

/* The last row: every key that does something. When they do not all
 * fit, help and quit keep their place at the right end. */
static void draw_keybar(int y, int cols)
{
	const size_t n = sizeof draw_keys / sizeof draw_keys[0];
	int right = 0;

	ui_term_style(UI_STYLE_BAR);
	mvhline(y, 0, ' ', cols);
	for (size_t i = 0; i < n; i++)
		right += (int)(strlen(draw_keys[i].key) + 3 +
			       strlen(draw_keys[i].name));
	if (right - 2 <= cols) {
		draw_keys_span(y, 0, cols, 0, n);
		return;
	}
	right = (int)(strlen("? Help  q Quit"));
	draw_keys_span(y, cols - right, cols, n - 2, n);
	draw_keys_span(y, 0, cols - right - 1, 0, n - 2);
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

/* The help overlay writes line by line into a box; `row` runs from top to
 * `end` and lines past the end are dropped. */
struct draw_box {
	int row, end, x, w;
};

static void draw_box_line(struct draw_box *b, enum ui_style style,
			  const char *s)
{
	if (b->row >= b->end)
		return;
	draw_text(b->row++, b->x, b->x + b->w, style, s);
}

static void draw_help_keys(struct draw_box *b)
{
	static const char *const lines[] = {
		"r      run the same configuration again",
		"m      pick a model from a list",
		"s      pick a scenario from a list",
		"+  -   more or fewer workers (sync has one)",
		"g      simulated GIL on or off",
		"?      this help",
		"q      quit (Ctrl-C works too)",
	};

	draw_box_line(b, UI_STYLE_TITLE, "Keys");
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		draw_box_line(b, UI_STYLE_NORMAL, lines[i]);
}

static void draw_help_colours(struct draw_box *b, int utf8)
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
	};

	draw_box_line(b, UI_STYLE_TITLE, "Colours");
	for (size_t i = 0; i < LEGEND_COUNT && b->row < b->end; i++) {
		unsigned kind = draw_legend_kinds[i];
		int x = draw_text(b->row, b->x, b->x + b->w,
				  draw_kind_style(kind),
				  draw_kind_glyph(kind, utf8));
		x = draw_textf(b->row, x + 2, b->x + b->w, UI_STYLE_TITLE,
			       "%-12s", ev_kind_name(kind));
		draw_text(b->row++, x, b->x + b->w, UI_STYLE_NORMAL,
			  meaning[i]);
	}
}

/* The next line of p wrapped at spaces to w columns: returns its length
 * in bytes and sets *next to where the line after it starts. */
static int draw_wrap(const char *p, int w, const char **next)
{
	int used, n = draw_fit(p, w, &used);

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

/* Rows a paragraph of the help takes: a heading and the text's wrapped
 * lines, or nothing when there is no text. */
static int draw_para_rows(const char *text, int w)
{
	int rows = 0;

	if (!text || !text[0])
		return 0;
	while (*text) {
		draw_wrap(text, w, &text);
		rows++;
	}
	return rows + 1;
}

/* A heading and the text wrapped to the box, if there is a text. */
static void draw_help_para(struct draw_box *b, const char *heading,
			   const char *text)
{
	char line[4 * HELP_WIDTH_MAX + 1]; /* UTF-8: up to 4 bytes a column */
	const char *p = text;

	if (!text || !text[0])
		return;
	draw_box_line(b, UI_STYLE_TITLE, heading);
	while (*p && b->row < b->end) {
		const char *start = p;
		int n = draw_wrap(start, b->w, &p);
		if (n > (int)sizeof line - 1)
			n = (int)sizeof line - 1;
		memcpy(line, start, (size_t)n);
		line[n] = '\0';
		draw_box_line(b, UI_STYLE_NORMAL, line);
	}
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

/* The help overlay: what runs (when row 0 cannot show it all), keys,
 * colours and the scenario's lesson, in a box sized to its text (or to
 * the screen, dropping what does not fit). */
static void draw_help(const struct ui_view *v, int cols, int lines)
{
	int w = cols - 2 < HELP_WIDTH_MAX + 4 ? cols - 2 : HELP_WIDTH_MAX + 4;
	const char *work = v->title[draw_title_shown(v, cols)] ? v->title : "";
	int runs = draw_para_rows(work, w - 4);
	int lesson = draw_para_rows(v->lesson, w - 4);
	/* frame 2, [what runs + blank], keys 8, blank, colours 10, blank,
	 * [lesson + blank], close */
	int h = 2 + (runs ? runs + 1 : 0) + 8 + 1 + (int)LEGEND_COUNT + 1 + 1 +
		(lesson ? lesson + 1 : 0) + 1;
	int top, left;
	struct draw_box b;

	if (h > lines - 2)
		h = lines - 2;
	top = (lines - h) / 2;
	left = (cols - w) / 2;
	b = (struct draw_box){ top + 1, top + h - 2, left + 2, w - 4 };
	draw_frame(top, left, h, w, v->utf8);
	draw_text(top, left + 2, left + w - 2, UI_STYLE_TITLE, " conviz help ");
	if (runs) {
		draw_help_para(&b, "What runs", work);
		draw_box_line(&b, UI_STYLE_NORMAL, "");
	}
	draw_help_keys(&b);
	draw_box_line(&b, UI_STYLE_NORMAL, "");
	draw_help_colours(&b, v->utf8);
	draw_box_line(&b, UI_STYLE_NORMAL, "");
	draw_help_para(&b, "Lesson", v->lesson);
	draw_text(top + h - 2, b.x, b.x + b.w, UI_STYLE_DIM,
		  "press any key to close this help");
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

/* Rows the results take: 0 (nothing to say), 1, or 2 when the text does
 * not fit one row and the screen is tall enough to give it a second. */
static int results_rows(const struct ui_view *v, int cols, int lines)
{
	const char *label, *next;
	enum ui_style style;
	const char *text = results_text(v, &label, &style);

	if (!text)
		return 0;
	draw_wrap(text, cols - (int)strlen(label), &next);
	return *next && lines >= 24 ? 2 : 1;
}

/* Draws the results from row y on `rows` rows, wrapped at spaces; the
 * last row is cut at the screen's edge. */
static void draw_results(const struct ui_view *v, int y, int rows, int cols)
{
	const char *label, *next;
	enum ui_style style;
	const char *text = results_text(v, &label, &style);
	int x = draw_text(y, 0, cols, UI_STYLE_DIM, label);

	for (int r = 0; r < rows && text && *text; r++) {
		int n = r + 1 < rows ? draw_wrap(text, cols - x, &next)
				     : (int)strlen(text);
		char line[512];

		snprintf(line, sizeof line, "%.*s", n, text);
		draw_text(y + r, x, cols, style, line);
		text = r + 1 < rows ? next : NULL;
	}
}

void ui_draw_screen(const struct ui_view *v)
{
	int cols, lines, legend, top, rows, used, extra;

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
	legend = draw_legend(0, cols, v->utf8, 0);
	top = HEADER_ROWS + (lines >= 16); /* a blank row when there is room */
	extra = results_rows(v, cols, lines);
	rows = lines - 1 - legend - AXIS_ROWS - top - extra;
	used = draw_lanes(v, top, rows, cols);
	if (extra)
		draw_results(v, top + used + AXIS_ROWS, extra, cols);
	draw_legend(lines - 1 - legend, cols, v->utf8, 1);
	draw_keybar(lines - 1, cols);
	if (v->pick)
		ui_pick_draw(v->pick, cols, lines, v->utf8);
	if (v->help)
		draw_help(v, cols, lines);
	ui_term_style(UI_STYLE_NORMAL);
	refresh();
}
