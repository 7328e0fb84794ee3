/* ui_explore.c - time travel over the run on screen (see ui_explore.h). */
#include "config.h"

#include <curses.h>
#include <stddef.h>

#include "core/timeline.h"
#include "ui/ui_explore.h"

/* The replay speeds, in tenths, and as people read them. */
static const int speeds[UI_EXPLORE_SPEEDS] = { 1, 2, 5, 10, 20, 50, 100 };
static const char *const speed_names[UI_EXPLORE_SPEEDS] = {
	"x0.1", "x0.2", "x0.5", "x1", "x2", "x5", "x10"
};

/* The narrowest window: a tenth of a microsecond a column. Below that a
 * column would show less than the clock can tell apart. */
#define SPAN_NS_PER_COL 100

void ui_explore_reset(struct ui_explore *x)
{
	int speed = x->speed;

	*x = (struct ui_explore){ .speed = speed };
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* The window the lanes show, whole run or zoomed: [*t0, *t0 + *span]. */
static void window_of(const struct ui_explore *x,
		      const struct ui_explore_run *r, int64_t *t0,
		      int64_t *span)
{
	*t0 = x->span > 0 ? x->t0 : 0;
	*span = x->span > 0 ? x->span : max64(r->fit, 1);
}

/* Keeps a zoomed window on the run: not before 0, not past its end. */
static void clamp_window(struct ui_explore *x, const struct ui_explore_run *r)
{
	int64_t limit = max64(r->fit, x->shown);

	if (x->span <= 0)
		return;
	if (x->t0 > limit - x->span)
		x->t0 = limit - x->span;
	if (x->t0 < 0)
		x->t0 = 0;
}

/* A zoomed window follows the cursor when it leaves it. */
static void follow(struct ui_explore *x, const struct ui_explore_run *r)
{
	if (x->span <= 0 ||
	    (x->cursor >= x->t0 && x->cursor <= x->t0 + x->span))
		return;
	x->t0 = x->cursor - x->span / 2;
	clamp_window(x, r);
}

/* From live to paused: the lanes stop where the run is now, and so does
 * the cursor. A replay stops too. */
static void pause_at_now(struct ui_explore *x, const struct ui_explore_run *r)
{
	x->replay = 0;
	if (x->paused)
		return;
	x->paused = 1;
	x->shown = r->now;
	x->cursor = r->now;
}

static void set_cursor(struct ui_explore *x, int64_t t,
		       const struct ui_explore_run *r)
{
	if (t > r->now)
		t = r->now;
	if (t < 0)
		t = 0;
	x->cursor = t;
	x->shown = max64(x->shown, t);
	follow(x, r);
}

void ui_explore_goto(struct ui_explore *x, int64_t t,
		     const struct ui_explore_run *r)
{
	pause_at_now(x, r);
	set_cursor(x, t, r);
}

/* The arrows: to the previous or next event on any lane shown. */
static void step(struct ui_explore *x, int dir, const struct ui_explore_run *r)
{
	int64_t t;

	pause_at_now(x, r);
	if (!r->tl)
		return;
	t = dir > 0 ? timeline_next_event(r->tl, x->cursor)
		    : timeline_prev_event(r->tl, x->cursor);
	if (t >= 0 && t <= r->now)
		set_cursor(x, t, r);
}

void ui_explore_zoom_at(struct ui_explore *x, int dir, int64_t t,
			const struct ui_explore_run *r)
{
	int64_t t0, span, nspan,
		floor = (r->cols > 0 ? r->cols : 1) * (int64_t)SPAN_NS_PER_COL;
	double frac;

	pause_at_now(x, r);
	window_of(x, r, &t0, &span);
	if (t < t0 || t > t0 + span)
		t = t0 + span / 2;
	frac = (double)(t - t0) / (double)span;
	nspan = dir > 0 ? span / 2 : span * 2;
	if (nspan < floor)
		nspan = floor;
	if (nspan >= max64(r->fit, x->shown)) {
		x->span = 0; /* the whole run again */
		return;
	}
	x->span = nspan;
	x->t0 = t - (int64_t)(frac * (double)nspan);
	clamp_window(x, r);
}

/* < and >: half a window earlier or later, when zoomed. */
static void pan(struct ui_explore *x, int dir, const struct ui_explore_run *r)
{
	pause_at_now(x, r);
	if (x->span <= 0)
		return;
	x->t0 += dir * (x->span / 2);
	clamp_window(x, r);
}

/* [ and ]: a replay from the cursor (from the start when the cursor is
 * at the end), slower or faster than the one going on. */
static void replay(struct ui_explore *x, int dir,
		   const struct ui_explore_run *r)
{
	int speed = x->replay ? x->speed + dir : UI_EXPLORE_SPEED_1X + dir;

	if (speed < 0)
		speed = 0;
	if (speed >= UI_EXPLORE_SPEEDS)
		speed = UI_EXPLORE_SPEEDS - 1;
	if (!x->replay) {
		pause_at_now(x, r);
		if (x->cursor >= r->now)
			x->cursor = 0;
		x->shown = x->cursor;
		x->replay = 1;
		x->replay_wall = r->wall;
		follow(x, r);
	}
	x->speed = speed;
}

/* A play lasts at least this long: a shorter run is slowed down. */
#define PLAY_MIN_NS 3000000000LL

void ui_explore_play(struct ui_explore *x, const struct ui_explore_run *r)
{
	ui_explore_goto(x, 0, r);
	x->shown = 0;
	/* x1, or the fastest slower speed at which a short run lasts
	 * PLAY_MIN_NS (bank's 0.4 s plays at x0.1 for 4 s), down to x0.1. */
	x->speed = UI_EXPLORE_SPEED_1X;
	while (x->speed > 0 && r->now / speeds[x->speed] * 10 < PLAY_MIN_NS)
		x->speed--;
	x->replay = 1;
	x->replay_wall = r->wall;
}

/* Space: live to paused, a replay stopped, paused back to live. */
static void space(struct ui_explore *x, int dir, const struct ui_explore_run *r)
{
	(void)dir;
	if (x->replay)
		x->replay = 0;
	else if (x->paused)
		ui_explore_reset(x);
	else
		pause_at_now(x, r);
}

static void home(struct ui_explore *x, int dir, const struct ui_explore_run *r)
{
	(void)dir;
	ui_explore_goto(x, 0, r);
}

static void end(struct ui_explore *x, int dir, const struct ui_explore_run *r)
{
	(void)dir;
	(void)r;
	ui_explore_reset(x);
}

/* i and o: around the cursor (live: the present). */
static void zoom(struct ui_explore *x, int dir, const struct ui_explore_run *r)
{
	ui_explore_zoom_at(x, dir, x->paused ? x->cursor : r->now, r);
}

/* The explore keys: what each does, and which way. */
static const struct {
	int ch;
	void (*fn)(struct ui_explore *x, int dir,
		   const struct ui_explore_run *r);
	int dir;
} explore_keys[] = {
	{ ' ', space, 0 },     { KEY_LEFT, step, -1 }, { KEY_RIGHT, step, 1 },
	{ KEY_HOME, home, 0 }, { KEY_END, end, 0 },    { '[', replay, -1 },
	{ ']', replay, 1 },    { 'i', zoom, 1 },       { 'o', zoom, -1 },
	{ '<', pan, -1 },      { ',', pan, -1 },       { '>', pan, 1 },
	{ '.', pan, 1 },
};

int ui_explore_key(struct ui_explore *x, int ch, const struct ui_explore_run *r)
{
	for (size_t i = 0; i < sizeof explore_keys / sizeof explore_keys[0];
	     i++) {
		if (explore_keys[i].ch == ch) {
			explore_keys[i].fn(x, explore_keys[i].dir, r);
			return 1;
		}
	}
	return 0;
}

int ui_explore_tick(struct ui_explore *x, const struct ui_explore_run *r)
{
	int64_t dt;

	if (!x->replay)
		return 0;
	dt = r->wall - x->replay_wall;
	if (dt <= 0)
		return 0;
	x->replay_wall = r->wall;
	x->cursor += dt * speeds[x->speed] / 10;
	if (x->cursor >= r->now) {
		x->cursor = r->now;
		x->replay = 0;
	}
	x->shown = x->cursor;
	follow(x, r);
	return 1;
}

void ui_explore_window(const struct ui_explore *x,
		       const struct ui_explore_run *r, int64_t *t0,
		       int64_t *span, int64_t *now, int64_t *cursor)
{
	window_of(x, r, t0, span);
	*now = x->paused ? x->shown : r->now;
	*cursor = x->paused ? x->cursor : -1;
}

const char *ui_explore_speed_name(int speed)
{
	if (speed < 0 || speed >= UI_EXPLORE_SPEEDS)
		return "?";
	return speed_names[speed];
}

double ui_explore_zoom(const struct ui_explore *x,
		       const struct ui_explore_run *r)
{
	int64_t t0, span;

	window_of(x, r, &t0, &span);
	return (double)max64(r->fit, 1) / (double)span;
}
