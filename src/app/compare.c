/* compare.c - `conviz compare`: one scenario under every model in turn
 * (compare.h). */
#include "config.h"

#include "app/compare.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/report.h"
#include "app/run.h"
#include "core/msg.h"
#include "models/model.h"
#include "models/procs.h"
#include "work/work.h"

#define COMPARE_BAR 20 /* columns of the longest run's bar */

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

static void compare_one(const struct run_config *base, struct row *row, int cpu)
{
	struct run_config cfg = *base;
	struct report_run rr;

	cfg.model = row->model;
	cfg.gil = row->gil;
	cfg.workers = run_default_workers(&cfg.sc, row->model);
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

/* The row's wall time as a bar, the longest run's COMPARE_BAR wide. */
static void compare_bar(FILE *out, double wall, double longest)
{
	int n = longest > 0 ? (int)(wall / longest * COMPARE_BAR + 0.5) : 0;

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
		compare_bar(out, r->st.wall_s, longest);
		fputc('\n', out);
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
		compare_one(base, &rows[i], cpu);
		failed += !rows[i].completed;
	}
	compare_table(out, base, rows, n);
	compare_summaries(out, base, rows, n);
	if (report_flushed(out) < 0)
		return 1;
	return failed ? 1 : 0;
}
