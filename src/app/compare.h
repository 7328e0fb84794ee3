/* compare.h - `conviz compare`: one scenario under every model in turn,
 * side by side (DESIGN.md's contract).
 *
 * Each model runs the scenario with its own defaults (the scenario's pool
 * for threads, one process per core for procs, the GIL on), one after
 * the other so they never share the machine; a CPU-bound scenario adds
 * threads without the GIL (free-threaded Python), the lesson's punch line.
 * The report: a table (workers, GIL, wall and CPU time, the speed-up over
 * sync, the best speed-up the model could have here, a bar), then one
 * `summary:` line per model in the order sync, threads, async, procs
 * (then threads without the GIL), each as `conviz run` prints it plus
 * `speedup=`. A model that cannot run or complete says why in its row;
 * the others still show.
 */
#ifndef CONVIZ_COMPARE_H
#define CONVIZ_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "app/report.h"
#include "app/run.h"

struct recording;
struct run_config;
struct scenario;

#define COMPARE_MODELS_MAX 5
#define COMPARE_VERDICT_MAX 1024

/* One model of a comparison, and what happened when it ran. */
struct compare_row {
	enum model_id model;
	int gil;
	const char *label; /* "threads, no GIL" */
	int ran;	   /* it started (st is valid) */
	int completed;	   /* and completed with right answers */
	struct run_stats st;
	int workers;
	double ideal;  /* the best speed-up it could have here */
	char why[256]; /* it could not start or complete: why */
	/* Its run kept in full (headless: for --trace, --svg, --csv), or
	 * NULL; compare_rows_free frees it. */
	struct recording *rec;
};

/* Frees the recordings rows[0..n) kept. */
void compare_rows_free(struct compare_row *rows, int n);

/* The models a comparison of sc runs, in DESIGN.md's order (sync,
 * threads, async, procs; then threads without the GIL when sc computes):
 * fills rows (nothing run yet) and returns how many. */
int compare_plan(const struct scenario *sc,
		 struct compare_row rows[COMPARE_MODELS_MAX]);

/* The configuration that runs row: base's scenario, seed, scale and URLs,
 * the row's model and GIL, `workers` (0: the model's default) and the
 * model's own defaults for the rest (async's 100 connections, procs'
 * forkserver and chunks of 1). The view is left as base has it. */
void compare_row_config(const struct run_config *base,
			const struct compare_row *row, int workers,
			struct run_config *out);

/* Keeps in row what its run did: `shown` as it ran, its stats and
 * run_wait's status. Sets the workers, the ideal (the best speed-up the
 * model could have on this machine: 1 for CPU work under the GIL or on
 * async's one thread, the cores for other CPU work, the waits kept going
 * at once for I/O), whether it completed right, and if not why. The TUI
 * and the headless report both record their rows so. */
void compare_row_ended(struct compare_row *row, const struct run_config *shown,
		       const struct run_stats *st, int rc);

/* The tutorial's speed-up over its sequential run for row's model (its
 * scenario's `reported`), or 0 when it reported none. */
double compare_tutorial_x(const struct scenario *sc,
			  const struct compare_row *row);

/* Which model won and why, in words made from the rows' figures (never
 * canned text that could contradict the table): the fastest against
 * sync, what kind of work it is, what held the others back, and for a
 * race scenario whether the fast runs were right. rows[0] is sync. */
void compare_verdict(const struct run_config *base,
		     const struct compare_row *rows, int n, char *buf,
		     size_t len);

/* Runs base's scenario (its seed and scale; its model, workers and GIL
 * are each row's) under every model and writes the report to out, and
 * the files x names (NULL: none). 0 if every run completed with right
 * answers (and every file was written), else 1. */
int compare_headless(const struct run_config *base, FILE *out,
		     const struct report_exports *x);

/* A sweep's verdict: rows[0..n) ran with 1, 2, ... n workers; which
 * count was fastest, and the fewest workers that came within 5% of it
 * (where adding more stopped paying). */
void compare_sweep_verdict(const struct compare_row *rows, int n, char *buf,
			   size_t len);

/* --sweep: runs base's model (and GIL) with from, from + 1, ... to
 * workers, one run after the other, and writes the sweep's table and
 * chart (wall time against workers; speed-up over one worker, a run of
 * its own when from > 1), then one `sweep: workers=N wall_s=...
 * speedup=...` line per completed point. 0 if every point completed with
 * right answers, else 1 (a point that failed says why in its row). */
int compare_sweep(const struct run_config *base, int from, int to, FILE *out,
		  const struct report_exports *x);

#endif
