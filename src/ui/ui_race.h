/* ui_race.h - the race lab's panel under the lanes, as lines of text.
 *
 * What the books (core/ledger.h) hold, worded for a class: each value and
 * the invariant, red while broken; the updates lost ("task 7 overwrote
 * task 3's deposit to bank 2: 42 lost") or the moments the sum was off
 * between a transfer's two updates (the invalid state); a line per
 * program lock (who holds it, who waits); a deadlock's cycle once found;
 * under worker processes, why the values here never move. ui_draw.c
 * draws the lines; nothing here calls curses.
 */
#ifndef CONVIZ_UI_RACE_H
#define CONVIZ_UI_RACE_H

#include <stdint.h>

#include "ui/ui_term.h"

struct ledger;

#define UI_RACE_LINES 12
#define UI_RACE_TEXT 320

struct ui_race_line {
	enum ui_style style;
	int wrap; /* a sentence: wrapped over rows when it is too long */
	char text[UI_RACE_TEXT];
};

/* What the panel shows. */
struct ui_race {
	const struct ledger *lg;
	const char *label; /* the values' name: "x", "bank" */
	const char *cycle; /* a deadlock's cycle (run_stats.cycle), or "" */
	int processes;	   /* worker processes: these values never move */
	int over;	   /* the run has ended */
	int task_view;	   /* lanes are tasks (t0..): say "w1" for lanes */
};

/* Writes the panel's lines into out (at most max), in the order they are
 * drawn, and returns how many. The locks get a line each when
 * `lock_rows` is at least their number, else one line for all. */
int ui_race_lines(const struct ui_race *r, int lock_rows,
		  struct ui_race_line *out, int max);

#endif
