/* ui.h - the terminal user interface (ncurses).
 *
 * Folder ui/, on app/ (this is its main header): everything that calls
 * curses - the loop and the keys (ui.c), the screen (ui_draw), the
 * lists s and m open (ui_pick), the terminal's one owner (ui_term).
 * May include: every folder but src/ itself (main.c, the only thing
 * above); only ui/ includes curses.
 *
 * Only the files of ui/ include curses. The UI thread is the only reader
 * of the event ring and the only caller of curses; it owns the terminal
 * and restores it on every exit path (q, Ctrl-C, SIGTERM, a crash).
 */
#ifndef CONVIZ_UI_H
#define CONVIZ_UI_H

struct app_tui_start;
struct run_config;

/* Runs the TUI, starting with cfg (and running it at once; with `start`
 * a comparison or a sweep of it instead, app/app.h). Returns the exit
 * status: 0 on q, 1 if the terminal could not be used, 128 + the signal
 * number after SIGINT (130), SIGTERM (143) or SIGHUP (129), with the
 * terminal restored first. Called on the main thread. */
int ui_main(const struct run_config *cfg, const struct app_tui_start *start);

#endif
