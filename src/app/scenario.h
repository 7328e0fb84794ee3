/* scenario.h - scenario files: small "key = value" text files in data/.
 *
 * A scenario names a workload (fib, sumsq, primes, math, ...) and its
 * numbers. Parsing is strict: an unknown or duplicate key, a bad number, a
 * missing required key, a NUL byte or an over-long line is an error that
 * says file:line and what is wrong. Adding a scenario needs no C change.
 *
 * Format (one per line; '#' starts a comment; blank lines are fine):
 *   name = fib                  required, [a-z0-9_-], at most 31 chars
 *   title = fib(35) x20 ...     required, one line of text
 *   workload = fib              required, a workload known to conviz
 *   tasks = 20                  required, 1..1000000
 *   arg = 35                    the workload's number: required for CPU
 *                               workloads; for I/O ones the first {n}
 *                               of the URLs (default 1)
 *   urls = /a /b http://c/{n}   I/O workloads only, and required there:
 *                               space-separated URL templates (urllist.h);
 *                               task i GETs number i % count; a path
 *                               ("/...") is on the embedded server
 *   workers = 5 | default       optional; default = min(32, cores + 4)
 *   scale = 3                   CPU workloads only, optional,
 *                               0 < scale <= 1000, default 1
 *   lesson = ...                optional, one line shown beside the run
 *   blocking = yes | no         I/O workloads only, optional: every GET
 *                               the blocking call whatever the model
 *   hog = fib 42 at 20          optional: task 20 (without `at N`, the
 *                               last) computes fib(42) instead of its
 *                               own work; a CPU workload, its arg in
 *                               range, the task < tasks (work/hog.c)
 *   gap = 200                   race workloads only, optional: steps of
 *                               busy work between a task's load and its
 *                               store of a shared value (0..1000000,
 *                               default 0): a wider race window
 *   reported = sync 14.29, threads 3.19, async 0.49, procs 3.43
 *                               optional: the tutorial's own figures
 *                               (seconds; a model at most once, one at
 *                               least), shown beside compare's; needs
 *   reported_by = Real Python ...   the source, one line of text
 */
#ifndef CONVIZ_SCENARIO_H
#define CONVIZ_SCENARIO_H

#include <stddef.h>

#include "rt/task.h"

#define SCENARIO_FILE_MAX (64 * 1024)
#define SCENARIO_TASKS_MAX 1000000L
#define SCENARIO_SCALE_MAX 1000.0
#define SCENARIO_GAP_MAX 1000000L

/* Parses `len` bytes of `text` (need not be NUL-terminated). `file` is
 * used in messages only. On error returns -1 and writes
 * "FILE:LINE: what is wrong" to err. Any thread; no allocation. */
int scenario_parse(const char *text, size_t len, const char *file,
		   struct scenario *out, char *err, size_t errlen);

/* Loads a scenario by name (from the data directory, datadir.h) or by path
 * (anything containing '/'). Returns 0, or -1 with a message in err shaped
 * "what went wrong: what to do": among others, no data directory at all
 * (datadir_check), a name that looks like a file ("to run a file, write
 * ./NAME"), binary data. Any thread but one at a time (datadir_path). */
int scenario_load(const char *name_or_path, struct scenario *out, char *err,
		  size_t errlen);

/* Names of the scenarios in the data directory, sorted; *count set.
 * Returns a NULL-terminated array to free with scenario_names_free. */
char **scenario_names(size_t *count);
void scenario_names_free(char **names);

/* Python's default pool size on this machine: min(32, cores + 4). */
int scenario_default_workers(void);

#endif
