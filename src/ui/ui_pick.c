/* ui_pick.c - the list to pick a scenario or a model from (ui_pick.h).
 *
 * The box covers the lanes, never the header (its third row shows the
 * notes a choice may cause) nor the key bar:
 *
 *   +- Scenario -------------------------------------+
 *   | * fib      fib(35) x60 (3 per task), naive re...|
 *   |   httpbin  100 GETs of /ip (I/O-bound)          |
 *   +--------------------------------- 5 more below -+
 *
 * The selected row is in reverse video, dimmed items in the dim style;
 * the current item's mark is a character, so it reads without colour.
 * Scrolling keeps `top` (the first item shown) where it was as long as
 * the selection stays in view, as htop's lists do; drawing adjusts it to
 * the screen of the moment without storing anything.
 */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "app/scenario.h"
#include "core/datadir.h"
#include "core/msg.h"
#include "models/model.h"
#include "rt/task.h"
#include "ui/ui_pick.h"
#include "ui/ui_term.h"
#include "work/work.h"

#define PICK_KEY_ESC 27
#define PICK_HEADER_ROWS 3 /* the header stays visible above the box */
#define PICK_WIDTH_MIN 32  /* room for the heading and "N more below" */
#define PICK_WIDTH_MAX 100
#define PICK_NAME_X 3 /* " * " before the name */
#define PICK_GAP 2    /* between the name column and the title */

struct ui_pick_item {
	char *name;
	char *about; /* the short title beside the name */
	int off;     /* dimmed: cannot be chosen */
};

struct ui_pick {
	const char *heading;
	struct ui_pick_item *items;
	size_t count;
	size_t cur;	/* the current item, marked; count: none */
	size_t sel;	/* the selection */
	size_t top;	/* the first item shown */
	int namew;	/* columns of the longest name */
	int aboutw;	/* and of the longest title */
	char note[256]; /* under the items until the next key; "": none */
};

/* Where the box is on a screen, and how many items it shows. */
struct pick_box {
	int top, left, h, w, rows;
};

/* What each model is, in a few words (the list's titles). */
static const char *const pick_model_about[MODEL_COUNT] = {
	[MODEL_SYNC] = "one worker, one task after another",
	[MODEL_THREADS] = "a pool of threads (the GIL on or off)",
	[MODEL_ASYNC] = "an event loop, one thread",
	[MODEL_PROCS] = "a pool of processes",
};

static struct ui_pick *pick_new(const char *heading, size_t count)
{
	struct ui_pick *p = xcalloc(1, sizeof *p);

	p->heading = heading;
	p->items = xcalloc(count, sizeof *p->items);
	p->count = count;
	p->cur = count;
	return p;
}

static void pick_set(struct ui_pick *p, size_t i, const char *name,
		     const char *about, int off)
{
	struct ui_pick_item *it = &p->items[i];
	int w;

	it->name = xstrdup(name);
	it->about = xstrdup(about);
	it->off = off;
	w = ui_term_width(name);
	if (w > p->namew)
		p->namew = w;
	w = ui_term_width(about);
	if (w > p->aboutw)
		p->aboutw = w;
}

/* Marks item i as the current one, and starts the selection there. */
static void pick_current(struct ui_pick *p, size_t i)
{
	p->cur = i;
	p->sel = i;
}

/* A scenario's row: its title at its own scale, or why it cannot load. */
static void pick_scenario_item(struct ui_pick *p, size_t i, const char *name)
{
	char about[WORK_TITLE_MAX];
	struct scenario sc;

	if (scenario_load(name, &sc, about, sizeof about) == 0)
		work_title(&sc, sc.scale > 0 ? sc.scale : 1.0, about,
			   sizeof about);
	pick_set(p, i, name, about, 0);
}

struct ui_pick *ui_pick_scenarios(const char *current, char *err, size_t errlen)
{
	size_t n = 0;
	char **names = scenario_names(&n);
	struct ui_pick *p;

	if (!names || n == 0) {
		scenario_names_free(names);
		msg_fmt(err, errlen, "no scenarios in %s", datadir_path());
		return NULL;
	}
	p = pick_new("Scenario", n);
	for (size_t i = 0; i < n; i++) {
		pick_scenario_item(p, i, names[i]);
		if (strcmp(names[i], current) == 0)
			pick_current(p, i);
	}
	scenario_names_free(names);
	return p;
}

struct ui_pick *ui_pick_models(enum model_id current)
{
	struct ui_pick *p = pick_new("Model", MODEL_COUNT);

	for (int i = 0; i < MODEL_COUNT; i++) {
		const struct model_ops *m = model_get((enum model_id)i);
		char about[128];

		/* A model without run is declared but not written yet. */
		msg_fmt(about, sizeof about, "%s%s", pick_model_about[i],
			m->run ? "" : " (not in this version yet)");
		pick_set(p, (size_t)i, m->name, about, !m->run);
	}
	pick_current(p, (size_t)current);
	return p;
}

void ui_pick_free(struct ui_pick *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->count; i++) {
		free(p->items[i].name);
		free(p->items[i].about);
	}
	free(p->items);
	free(p);
}

/* The box: under the header (and the blank row the lanes leave on a
 * screen of 16 rows or more), down to the row above the key bar at most,
 * centred, as wide as its longest row. */
static void pick_box(const struct ui_pick *p, int cols, int lines,
		     struct pick_box *b)
{
	int want = 2 + PICK_NAME_X + p->namew + PICK_GAP + p->aboutw + 1;
	int notes = p->note[0] != '\0'; /* the note's row */

	if (want < PICK_WIDTH_MIN)
		want = PICK_WIDTH_MIN;
	if (want > PICK_WIDTH_MAX)
		want = PICK_WIDTH_MAX;
	b->w = want < cols - 2 ? want : cols - 2;
	b->left = (cols - b->w) / 2;
	b->top = PICK_HEADER_ROWS + (lines >= 16);
	b->h = lines - 1 - b->top;
	if (b->h > (int)p->count + 2 + notes)
		b->h = (int)p->count + 2 + notes;
	b->rows = b->h - 2 - notes > 1 ? b->h - 2 - notes : 1;
}

/* The first item shown in `rows` rows: `top` moved as little as keeps
 * the selection in view and the box full. */
static size_t pick_first(const struct ui_pick *p, int rows)
{
	size_t t = p->top, r = (size_t)rows;

	if (p->sel < t)
		t = p->sel;
	if (p->sel >= t + r)
		t = p->sel + 1 - r;
	if (t + r > p->count)
		t = p->count > r ? p->count - r : 0;
	return t;
}

/* How far a movement key moves the selection (0: not one). */
static long pick_delta(const struct ui_pick *p, int ch, int rows)
{
	switch (ch) {
	case KEY_UP:
	case 'k':
		return -1;
	case KEY_DOWN:
	case 'j':
		return 1;
	case KEY_PPAGE:
		return -rows;
	case KEY_NPAGE:
		return rows;
	case KEY_HOME:
		return -(long)p->count;
	case KEY_END:
		return (long)p->count;
	default:
		return 0;
	}
}

static void pick_move(struct ui_pick *p, long delta)
{
	long to = (long)p->sel + delta;

	if (to < 0)
		to = 0;
	if (to >= (long)p->count)
		to = (long)p->count - 1;
	p->sel = (size_t)to;
}

/* To the next item after the selection whose name starts with ch,
 * round to the first again. */
static void pick_jump(struct ui_pick *p, int ch)
{
	for (size_t k = 1; k <= p->count; k++) {
		size_t i = (p->sel + k) % p->count;
		int c = (unsigned char)p->items[i].name[0];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == ch) {
			p->sel = i;
			return;
		}
	}
}

static int pick_is_name_key(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

enum ui_pick_result ui_pick_key(struct ui_pick *p, int ch)
{
	struct pick_box b;
	long delta;

	/* COLS and LINES, not ui_term_size: that one belongs to the frame,
	 * which must see a change of size itself. */
	p->note[0] = '\0';
	pick_box(p, COLS, LINES, &b);
	if (ch >= 'A' && ch <= 'Z')
		ch += 'a' - 'A'; /* caps lock, as for the other keys */
	if (ch == PICK_KEY_ESC || ch == 'q')
		return UI_PICK_CLOSED;
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		return p->items[p->sel].off ? UI_PICK_REFUSED : UI_PICK_CHOSEN;
	delta = pick_delta(p, ch, b.rows);
	if (delta)
		pick_move(p, delta);
	else if (pick_is_name_key(ch))
		pick_jump(p, ch);
	p->top = pick_first(p, b.rows);
	return UI_PICK_OPEN;
}

void ui_pick_note(struct ui_pick *p, const char *text)
{
	msg_fmt(p->note, sizeof p->note, "%s", text);
}

size_t ui_pick_selected(const struct ui_pick *p)
{
	return p->sel;
}

const char *ui_pick_name(const struct ui_pick *p)
{
	return p->items[p->sel].name;
}

/* Line drawing: curses' ACS characters in UTF-8, plain ASCII otherwise
 * (as the help overlay's frame). */
static chtype pick_line_char(chtype acs, char ascii, int utf8)
{
	return utf8 ? acs : (chtype)(unsigned char)ascii;
}

/* The frame, cleared inside. */
static void pick_frame(const struct pick_box *b, int utf8)
{
	chtype hl = pick_line_char(ACS_HLINE, '-', utf8);
	chtype vl = pick_line_char(ACS_VLINE, '|', utf8);
	int right = b->left + b->w - 1, bottom = b->top + b->h - 1;

	ui_term_style(UI_STYLE_NORMAL);
	for (int y = b->top + 1; y < bottom; y++)
		mvhline(y, b->left + 1, ' ', b->w - 2);
	mvhline(b->top, b->left + 1, hl, b->w - 2);
	mvhline(bottom, b->left + 1, hl, b->w - 2);
	mvvline(b->top + 1, b->left, vl, b->h - 2);
	mvvline(b->top + 1, right, vl, b->h - 2);
	mvaddch(b->top, b->left, pick_line_char(ACS_ULCORNER, '+', utf8));
	mvaddch(b->top, right, pick_line_char(ACS_URCORNER, '+', utf8));
	mvaddch(bottom, b->left, pick_line_char(ACS_LLCORNER, '+', utf8));
	mvaddch(bottom, right, pick_line_char(ACS_LRCORNER, '+', utf8));
}

/* Sets the style of what is drawn next, in reverse video on the
 * selected row. */
static void pick_style(enum ui_style style, int reverse)
{
	ui_term_style(style);
	if (reverse)
		attron(A_REVERSE);
}

/* Writes s at (y, x), clipped before xmax; returns the column after it. */
static int pick_text(int y, int x, int xmax, const char *s)
{
	int used, bytes;

	if (x >= xmax)
		return x;
	bytes = ui_term_fit(s, xmax - x, &used);
	mvaddnstr(y, x, s, bytes);
	return x + used;
}

/* Writes s at (y, x) before xmax, ending it with an ellipsis when it
 * does not fit. */
static void pick_clipped(int y, int x, int xmax, const char *s, int utf8)
{
	const char *mark = utf8 ? "\u2026" : "...";
	int mw = utf8 ? 1 : 3, used, bytes;

	if (x >= xmax)
		return;
	bytes = ui_term_fit(s, xmax - x, &used);
	if (!s[bytes] || xmax - x <= mw) {
		mvaddnstr(y, x, s, bytes);
		return;
	}
	bytes = ui_term_fit(s, xmax - x - mw, &used);
	mvaddnstr(y, x, s, bytes);
	mvaddstr(y, x + used, mark);
}

/* One item's row: mark, name, title; reverse video when selected. */
static void pick_row(const struct ui_pick *p, size_t i, int y,
		     const struct pick_box *b, int utf8)
{
	const struct ui_pick_item *it = &p->items[i];
	enum ui_style style = it->off ? UI_STYLE_DIM : UI_STYLE_NORMAL;
	int sel = i == p->sel;
	int x0 = b->left + 1, xmax = b->left + b->w - 2;

	pick_style(style, sel);
	mvhline(y, x0, ' ', b->w - 2);
	if (i == p->cur) {
		pick_style(it->off ? style : UI_STYLE_TITLE, sel);
		pick_text(y, x0 + 1, xmax, utf8 ? "\u25cf" : "*");
	}
	pick_style(it->off ? style : UI_STYLE_TITLE, sel);
	pick_text(y, x0 + PICK_NAME_X, xmax, it->name);
	pick_style(style, sel);
	pick_clipped(y, x0 + PICK_NAME_X + p->namew + PICK_GAP, xmax, it->about,
		     utf8);
}

/* "N more above" on the top border, "N more below" on the bottom one. */
static void pick_more(const struct pick_box *b, size_t above, size_t below)
{
	char s[48];
	int right = b->left + b->w - 2;

	ui_term_style(UI_STYLE_DIM);
	if (above) {
		msg_fmt(s, sizeof s, " %zu more above ", above);
		pick_text(b->top, right - (int)strlen(s), right, s);
	}
	if (below) {
		msg_fmt(s, sizeof s, " %zu more below ", below);
		pick_text(b->top + b->h - 1, right - (int)strlen(s), right, s);
	}
}

void ui_pick_draw(const struct ui_pick *p, int cols, int lines, int utf8)
{
	struct pick_box b;
	size_t first, shown = 0;
	char heading[48];

	pick_box(p, cols, lines, &b);
	first = pick_first(p, b.rows);
	pick_frame(&b, utf8);
	ui_term_style(UI_STYLE_TITLE);
	msg_fmt(heading, sizeof heading, " %s ", p->heading);
	pick_text(b.top, b.left + 2, b.left + b.w - 2, heading);
	for (int r = 0; r < b.rows && first + (size_t)r < p->count; r++) {
		pick_row(p, first + (size_t)r, b.top + 1 + r, &b, utf8);
		shown++;
	}
	pick_more(&b, first, p->count - first - shown);
	if (p->note[0]) {
		ui_term_style(UI_STYLE_ALERT);
		pick_clipped(b.top + b.h - 2, b.left + 2, b.left + b.w - 2,
			     p->note, utf8);
	}
	ui_term_style(UI_STYLE_NORMAL);
}
