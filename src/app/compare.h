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

#include <stdio.h>

struct run_config;

#define COMPARE_MODELS_MAX 5

/* Runs base's scenario (its seed and scale; its model, workers and GIL
 * are each row's) under every model and writes the report to out. 0 if
 * every run completed with right answers, else 1. */
int compare_headless(const struct run_config *base, FILE *out);

/* --sweep: runs base's model (and GIL) with from, from + 1, ... to
 * workers, one run after the other, and writes the sweep's table and
 * chart (wall time against workers; speed-up over one worker, a run of
 * its own when from > 1), then one `sweep: workers=N wall_s=...
 * speedup=...` line per completed point. 0 if every point completed with
 * right answers, else 1 (a point that failed says why in its row). */
int compare_sweep(const struct run_config *base, int from, int to, FILE *out);

#endif
