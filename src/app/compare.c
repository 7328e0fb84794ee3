/* compare.c - `conviz compare`: one scenario under every model in turn
 * (compare.h). */
#include "config.h"

#include "app/compare.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/report.h"
#include "app/run.h"
#include "core/msg.h"
#include "models/model.h"
#include "models/procs.h"
#include "work/work.h"

#define COMPARE_BAR 20 /* columns of the longest run's bar */
#define SWEEP_BAR 40   /* the same in a sweep's chart */

struct row {
	enum model_id model;
	int gil;
	const char *label;
	/* What happened. */
	int ran;       /* it started (stats are valid) */
	int completed; /* and completed with right answers */
	struct run_stats st;
	int workers;
	double ideal;
	char why[256]; /* it could not start or complete: why */
};

/* Is the scenario's work computing (fib, sumsq, primes, math)? Then the
 * lesson's punch line is threads without the GIL. */
static int compare_cpu_bound(const struct scenario *sc)
{
	const struct work_ops *w = work_find(sc->workload);

	return w && !w->io && w->describe && !w->shared && !w->locks;
}

/* How many times faster than sync the model could be here at best: one
 * at a time for CPU work under the GIL (threads) or on one thread
 * (async), as many as cores and workers allow for CPU work otherwise; for
 * waiting, as many waits at once as the model keeps going. */
static double compare_ideal(const struct run_config *c, int workers, int cpu)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	long tasks = c->sc.tasks;
	long n;

	if (cores < 1)
		cores = 1;
	if (c->model == MODEL_SYNC)
		return 1.0;
	if (cpu) {
		if (c->model == MODEL_ASYNC ||
		    (c->model == MODEL_THREADS && c->gil))
			return 1.0;
		n = workers < cores ? workers : cores;
	} else if (c->model == MODEL_ASYNC) {
		n = c->limit > 0 ? c->limit : RUN_LIMIT_DEFAULT;
	} else {
		n = workers;
	}
	return (double)(n < tasks ? n : tasks);
}

/* Runs the row's model (with `workers`, or its default when 0) and keeps
 * what happened in the row. */
static void compare_one(const struct run_config *base, struct row *row, int cpu,
			int workers)
{
	struct run_config cfg = *base;
	struct report_run rr;

	cfg.model = row->model;
	cfg.gil = row->gil;
	cfg.workers =
		workers ? workers : run_default_workers(&cfg.sc, row->model);
	cfg.limit = 0;
	cfg.chunk = 0;
	cfg.start = PROCS_FORKSERVER;
	cfg.view = -1;
	if (report_run(&cfg, &rr, row->why, sizeof row->why) < 0) {
		report_run_free(&rr);
		return;
	}
	row->ran = 1;
	row->st = rr.st;
	row->workers = rr.shown.workers;
	row->ideal = compare_ideal(&cfg, row->workers, cpu);
	row->completed = rr.rc == 0 && rr.st.status == 0;
	if (rr.st.wrong > 0)
		report_wrong(row->why, sizeof row->why, &rr.shown, &rr.st);
	else if (!row->completed)
		msg_fmt(row->why, sizeof row->why, "%s",
			"the run could not complete");
	report_run_free(&rr);
}

/* The row's wall time as a bar, the longest run's `width` wide. */
static void compare_bar(FILE *out, double wall, double longest, int width)
{
	int n = longest > 0 ? (int)(wall / longest * width + 0.5) : 0;

	if (n < 1)
		n = 1;
	for (int i = 0; i < n; i++)
		fputc('#', out);
}

static void compare_table(FILE *out, const struct run_config *base,
			  const struct row *rows, int n)
{
	char title[WORK_TITLE_MAX];
	double sync_s = rows[0].completed ? rows[0].st.wall_s : 0;
	double longest = 0;

	report_title(base, title, sizeof title);
	fprintf(out, "conviz compare: %s | %s\n", base->sc.name, title);
	for (int i = 0; i < n; i++)
		if (rows[i].ran && rows[i].st.wall_s > longest)
			longest = rows[i].st.wall_s;
	fprintf(out, "%-17s %7s %3s %8s %8s %8s %6s\n", "model", "workers",
		"gil", "wall_s", "cpu_s", "speedup", "ideal");
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		if (!r->ran || !r->completed) {
			fprintf(out, "%-17s failed: %s\n", r->label, r->why);
			continue;
		}
		fprintf(out, "%-17s %7d %3s %8.3f %8.3f ", r->label, r->workers,
			r->gil ? "on" : "off", r->st.wall_s, r->st.cpu_s);
		if (sync_s > 0)
			fprintf(out, "%7.2fx", sync_s / r->st.wall_s);
		else
			fprintf(out, "%8s", "-");
		fprintf(out, " %5.0fx  ", r->ideal);
		compare_bar(out, r->st.wall_s, longest, COMPARE_BAR);
		fputc('\n', out);
	}
}

/* The tutorial's own figures beside ours, when the scenario has them:
 * seconds from another machine and another language, so the speed-ups
 * are what to compare. */
static void compare_tutorial(FILE *out, const struct run_config *base,
			     const struct row *rows, int n)
{
	const double *rep = base->sc.reported_s;
	double sync_s = rows[0].completed ? rows[0].st.wall_s : 0;

	if (!base->sc.reported_by[0])
		return;
	fprintf(out, "the tutorial's own figures: %s\n", base->sc.reported_by);
	fprintf(out, "%-17s %10s %9s %9s\n", "model", "tutorial_s", "tutorial",
		"conviz");
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		double t = r->gil ? rep[r->model] : 0;
		if (t <= 0)
			continue;
		fprintf(out, "%-17s %10.2f ", r->label, t);
		if (rep[MODEL_SYNC] > 0)
			fprintf(out, "%8.2fx ", rep[MODEL_SYNC] / t);
		else
			fprintf(out, "%9s ", "-");
		if (sync_s > 0 && r->completed)
			fprintf(out, "%8.2fx\n", sync_s / r->st.wall_s);
		else
			fprintf(out, "%9s\n", "-");
	}
}

static void compare_summaries(FILE *out, const struct run_config *base,
			      const struct row *rows, int n)
{
	double sync_s = rows[0].completed ? rows[0].st.wall_s : 0;

	for (int i = 0; i < n; i++) {
		struct run_config shown = *base;
		char line[1024];
		size_t len;
		const struct row *r = &rows[i];
		if (!r->ran)
			continue;
		shown.model = r->model;
		shown.gil = r->gil;
		shown.workers = r->workers;
		report_summary(line, sizeof line, &shown, &r->st);
		len = strlen(line);
		if (sync_s > 0 && r->st.wall_s > 0)
			snprintf(line + len, sizeof line - len, " speedup=%.3f",
				 sync_s / r->st.wall_s);
		fprintf(out, "%s\n", line);
	}
}

int compare_headless(const struct run_config *base, FILE *out)
{
	struct row rows[COMPARE_MODELS_MAX] = {
		{ .model = MODEL_SYNC, .gil = 1, .label = "sync" },
		{ .model = MODEL_THREADS, .gil = 1, .label = "threads" },
		{ .model = MODEL_ASYNC, .gil = 1, .label = "async" },
		{ .model = MODEL_PROCS, .gil = 1, .label = "procs" },
		{ .model = MODEL_THREADS,
		  .gil = 0,
		  .label = "threads, no GIL" },
	};
	int cpu = compare_cpu_bound(&base->sc);
	int n = cpu ? 5 : 4, failed = 0;

	for (int i = 0; i < n; i++) {
		compare_one(base, &rows[i], cpu, 0);
		failed += !rows[i].completed;
	}
	compare_table(out, base, rows, n);
	compare_tutorial(out, base, rows, n);
	compare_summaries(out, base, rows, n);
	if (report_flushed(out) < 0)
		return 1;
	return failed ? 1 : 0;
}

/* The sweep's table and chart: a row per worker count, its wall time as
 * a bar (the longest SWEEP_BAR wide), so the chart reads top to bottom
 * as the curve of wall time against workers. */
static void sweep_table(FILE *out, const struct run_config *base,
			const struct row *rows, int n, double one_s)
{
	char title[WORK_TITLE_MAX];
	double longest = 0;

	report_title(base, title, sizeof title);
	fprintf(out, "conviz compare: %s | %s\n", base->sc.name, title);
	fprintf(out,
		"sweep: %s, GIL %s, workers %d..%d; speed-up over 1 "
		"worker\n",
		model_get(base->model)->name, base->gil ? "on" : "off",
		rows[0].workers, rows[n - 1].workers);
	for (int i = 0; i < n; i++)
		if (rows[i].completed && rows[i].st.wall_s > longest)
			longest = rows[i].st.wall_s;
	fprintf(out, "%7s %8s %8s %8s  %s\n", "workers", "wall_s", "cpu_s",
		"speedup", "wall time");
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		if (!r->completed) {
			fprintf(out, "%7d failed: %s\n", r->workers, r->why);
			continue;
		}
		fprintf(out, "%7d %8.3f %8.3f ", r->workers, r->st.wall_s,
			r->st.cpu_s);
		if (one_s > 0)
			fprintf(out, "%7.2fx  ", one_s / r->st.wall_s);
		else
			fprintf(out, "%8s  ", "-");
		compare_bar(out, r->st.wall_s, longest, SWEEP_BAR);
		fputc('\n', out);
	}
}

/* One `sweep:` line per completed point. */
static void sweep_points(FILE *out, const struct row *rows, int n, double one_s)
{
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		if (!r->completed)
			continue;
		fprintf(out,
			"sweep: workers=%d wall_s=%.3f cpu_s=%.3f speedup=%.3f "
			"ok=%" PRIu32 " failed=%" PRIu32 "\n",
			r->workers, r->st.wall_s, r->st.cpu_s,
			one_s > 0 ? one_s / r->st.wall_s : 0.0, r->st.ok,
			r->st.failed);
	}
}

int compare_sweep(const struct run_config *base, int from, int to, FILE *out)
{
	int n = to - from + 1, failed = 0;
	struct row *rows = xcalloc((size_t)n, sizeof *rows);
	struct row one = { .model = base->model, .gil = base->gil };
	double one_s;

	/* The baseline: one worker, the first point or a run of its own. */
	if (from > 1)
		compare_one(base, &one, 0, 1);
	for (int i = 0; i < n; i++) {
		rows[i] = (struct row){ .model = base->model,
					.gil = base->gil,
					.workers = from + i };
		compare_one(base, &rows[i], 0, from + i);
		rows[i].workers = from + i;
		failed += !rows[i].completed;
	}
	if (from == 1)
		one = rows[0];
	one_s = one.completed ? one.st.wall_s : 0;
	sweep_table(out, base, rows, n, one_s);
	sweep_points(out, rows, n, one_s);
	free(rows);
	if (report_flushed(out) < 0)
		return 1;
	return failed ? 1 : 0;
}
