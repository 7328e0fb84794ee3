/* app.h - what `conviz` does with a parsed command line.
 *
 * Folder app/, on models/ and work/ (this is its main header): what sits
 * above the models and the workloads - scenario files (the parser knows
 * the table of workloads), a run's orchestration (run.h: its thread, the
 * in-process server, checking the answers, the stats), the command line
 * (cli), the headless report, and app.c.
 * May include: app/, models/, work/, rt/, server/, core/; never ui/.
 *
 * main.c only calls app_main. app_config turns a command line into a run
 * configuration (scenario loaded, defaults applied, model rules checked) so
 * the TUI and the headless report start from the same place.
 */
#ifndef CONVIZ_APP_H
#define CONVIZ_APP_H

#include <stddef.h>

#include "app/report.h"

struct cli;
struct recording;
struct run_config;

#define APP_DEFAULT_SCENARIO "fib"
#define APP_DEFAULT_MODEL MODEL_THREADS

/* Exit statuses (DESIGN.md). */
enum { APP_OK = 0, APP_FAILED = 1, APP_USAGE = 2 };

/* Fills *cfg from the command line. 0, or -1 with "what: what to do". */
int app_config(const struct cli *cli, struct run_config *cfg, char *err,
	       size_t errlen);

/* Makes a task that overflows its coroutine stack (-m async) end the
 * program with one line that says so (CORO_OVERFLOW_LINE, rt/coro.h)
 * instead of a bare "Segmentation fault"; the status stays that of the
 * signal. Other crashes keep their default action. The TUI puts its own
 * crash handler in front while it runs (ui_term.h). 0, or -1 after
 * saying why. app_main calls it first. */
int app_catch_overflow(void);

/* What the TUI starts with: a run of its configuration (NULL, or all
 * zero), or, for `conviz compare` on a terminal, a comparison of its
 * scenario, or a sweep of its model over sweep_from..sweep_to workers;
 * or, for `conviz replay`, the saved runs (the TUI takes them over). */
#define APP_TUI_SWEEP_MAX 32 /* the TUI charts at most this many counts */

struct app_tui_start {
	int compare;
	int sweep_from, sweep_to; /* 0, 0: every model */
	int no_mouse;		  /* --no-mouse */
	/* --trace, --svg, --csv: where the first run (or the comparison)
	 * is written once it is over; NULL: not written. */
	struct report_exports exports;
	/* conviz replay: the runs of a saved trace (n of them), played and
	 * never run; NULL: a live TUI. */
	struct recording **replay;
	int nreplay;
	const char *replay_from; /* the trace's file name */
};

/* The terminal UI's entry point (ui_main in the program; the library
 * does not link curses). Returns the exit status. */
typedef int (*app_tui_fn)(const struct run_config *cfg,
			  const struct app_tui_start *start);

/* The whole program; returns the exit status. */
int app_main(int argc, char **argv, app_tui_fn tui);

#endif
