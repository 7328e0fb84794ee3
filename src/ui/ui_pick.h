/* ui_pick.h - a list to pick a scenario or a model from, like htop's
 * setup menus.
 *
 * `s` and `m` open it instead of cycling: a framed box over the lanes,
 * one row per item (its name and a short title), the current item marked
 * and selected. The run on screen goes on behind it.
 *
 * Call order: ui_pick_scenarios or ui_pick_models opens a list; each key
 * goes to ui_pick_key while it is open; ui_draw_screen draws it
 * (ui_pick_draw) when the view's `pick` is set; ui_pick_free closes it.
 * The struct is the module's own; callers only hold the pointer.
 *
 * Keys the picker understands while it is open (all others do nothing;
 * q does not quit then):
 *   Up/Down, k/j     move the selection by one
 *   PgUp/PgDn        by a page
 *   Home/End         to the first / last item
 *   a letter/digit   to the next item whose name starts with it
 *   Enter            choose the selected item (starts the run, even when
 *                    it is the current one, as r does)
 *   Esc, q           close, changing nothing
 *
 * Threads: UI thread only (it calls curses).
 */
#ifndef CONVIZ_UI_PICK_H
#define CONVIZ_UI_PICK_H

#include <stddef.h>

#include "models/model.h"

struct ui_pick;

/* What a key did to the list. */
enum ui_pick_result {
	UI_PICK_OPEN = 0, /* moved, or nothing: the list stays open */
	UI_PICK_CLOSED,	  /* Esc or q: close it, change nothing */
	UI_PICK_CHOSEN,	  /* Enter on an item that can be chosen */
	UI_PICK_REFUSED	  /* Enter on a dimmed item: the list stays open */
};

/* The scenarios of the data directory (scenario_names), each titled by
 * work_title at its own scale; one that fails to load shows its error as
 * its title (choosing it loads it again). `current` (a scenario name) is
 * marked and selected. Returns NULL with "what went wrong" in err when
 * the data directory has no scenario. */
struct ui_pick *ui_pick_scenarios(const char *current, char *err,
				  size_t errlen);

/* Every model, in enum model_id order; one not written yet (no ->run) is
 * dimmed and cannot be chosen. `current` is marked and selected. */
struct ui_pick *ui_pick_models(enum model_id current);

void ui_pick_free(struct ui_pick *p);

/* Handles one key (a curses key code). Never calls ui_term_size: a frame
 * must still see a resize first. */
enum ui_pick_result ui_pick_key(struct ui_pick *p, int ch);

/* Shows a line of text under the items, clipped to the box, until the
 * next key: why Enter did not choose. */
void ui_pick_note(struct ui_pick *p, const char *text);

/* The selected item: its index (for models, its enum model_id) and its
 * name (for scenarios, what scenario_load takes). */
size_t ui_pick_selected(const struct ui_pick *p);
const char *ui_pick_name(const struct ui_pick *p);

/* Draws the box on a screen cols x lines (at least UI_DRAW_MIN_COLS x
 * UI_DRAW_MIN_LINES), from under the header to above the key bar, showing
 * as many items as fit with the selection in view and saying how many
 * more are above and below. `utf8`: box lines, ● and … (else +-|, * and
 * ...). Keeps no state: a resize is just another call. */
void ui_pick_draw(const struct ui_pick *p, int cols, int lines, int utf8);

#endif
