/* compare.c - `conviz compare`: one scenario under every model in turn
 * (compare.h). */
#include "config.h"

#include "app/compare.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/recording.h"
#include "app/report.h"
#include "app/run.h"
#include "core/msg.h"
#include "models/model.h"
#include "models/procs.h"
#include "work/work.h"

#define COMPARE_BAR 20 /* columns of the longest run's bar */
#define SWEEP_BAR 40   /* the same in a sweep's chart */

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
static double compare_ideal(const struct run_config *c, int workers)
{
	int cpu = compare_cpu_bound(&c->sc);
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

void compare_row_config(const struct run_config *base,
			const struct compare_row *row, int workers,
			struct run_config *out)
{
	*out = *base;
	out->model = row->model;
	out->gil = row->gil;
	out->workers =
		workers ? workers : run_default_workers(&out->sc, row->model);
	out->limit = 0;
	out->chunk = 0;
	out->start = PROCS_FORKSERVER;
}

void compare_row_ended(struct compare_row *row, const struct run_config *shown,
		       const struct run_stats *st, int rc)
{
	row->ran = 1;
	row->st = *st;
	row->workers = model_get(shown->model)->pooled ? shown->workers : 1;
	row->ideal = compare_ideal(shown, row->workers);
	row->completed = rc == 0 && st->status == 0 && st->wrong == 0;
	if (st->wrong > 0)
		report_wrong(row->why, sizeof row->why, shown, st);
	else if (!row->completed)
		msg_fmt(row->why, sizeof row->why, "%s",
			"the run could not complete");
}

double compare_tutorial_x(const struct scenario *sc,
			  const struct compare_row *row)
{
	const double *rep = sc->reported_s;

	return row->gil && rep[row->model] > 0 && rep[MODEL_SYNC] > 0
		       ? rep[MODEL_SYNC] / rep[row->model]
		       : 0;
}

/* Runs the row's model (with `workers`, or its default when 0) and keeps
 * what happened in the row. */
static void compare_one(const struct run_config *base, struct compare_row *row,
			int workers)
{
	struct run_config cfg;
	struct report_run rr;

	compare_row_config(base, row, workers, &cfg);
	cfg.view = -1;
	if (report_run(&cfg, &rr, row->why, sizeof row->why) == 0) {
		compare_row_ended(row, &rr.shown, &rr.st, rr.rc);
		recording_free(row->rec);
		row->rec = rr.rec; /* kept for the exports */
		rr.rec = NULL;
		rr.tl = NULL;
	}
	report_run_free(&rr);
}

void compare_rows_free(struct compare_row *rows, int n)
{
	for (int i = 0; i < n; i++) {
		recording_free(rows[i].rec);
		rows[i].rec = NULL;
	}
}

/* Writes the rows that ran to x's files, in the rows' order. 0, or -1
 * when one could not be written (said on stderr). */
static int compare_export(const struct compare_row *rows, int n,
			  const struct report_exports *x)
{
	const struct recording **recs = xcalloc((size_t)n + 1, sizeof *recs);
	int k = 0, rc = 0;

	for (int i = 0; i < n; i++)
		if (rows[i].rec)
			recs[k++] = rows[i].rec;
	if (x && (x->trace || x->svg || x->csv)) {
		if (k == 0) {
			msg_error("no run of the comparison started, so none "
				  "was written",
				  "see why each failed above");
			rc = -1;
		} else {
			rc = report_exports_write(recs, k, x);
		}
	}
	free(recs);
	return rc;
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
			  const struct compare_row *rows, int n)
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
		const struct compare_row *r = &rows[i];
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
			     const struct compare_row *rows, int n)
{
	const double *rep = base->sc.reported_s;
	double sync_s = rows[0].completed ? rows[0].st.wall_s : 0;

	if (!base->sc.reported_by[0])
		return;
	fprintf(out, "the tutorial's own figures: %s\n", base->sc.reported_by);
	fprintf(out, "%-17s %10s %9s %9s\n", "model", "tutorial_s", "tutorial",
		"conviz");
	for (int i = 0; i < n; i++) {
		const struct compare_row *r = &rows[i];
		double t = r->gil ? rep[r->model] : 0;
		double x = compare_tutorial_x(&base->sc, r);
		if (t <= 0)
			continue;
		fprintf(out, "%-17s %10.2f ", r->label, t);
		if (x > 0)
			fprintf(out, "%8.2fx ", x);
		else
			fprintf(out, "%9s ", "-");
		if (sync_s > 0 && r->completed)
			fprintf(out, "%8.2fx\n", sync_s / r->st.wall_s);
		else
			fprintf(out, "%9s\n", "-");
	}
}

static void compare_summaries(FILE *out, const struct run_config *base,
			      const struct compare_row *rows, int n)
{
	double sync_s = rows[0].completed ? rows[0].st.wall_s : 0;

	for (int i = 0; i < n; i++) {
		struct run_config shown = *base;
		char line[1024];
		size_t len;
		const struct compare_row *r = &rows[i];
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

int compare_plan(const struct scenario *sc,
		 struct compare_row rows[COMPARE_MODELS_MAX])
{
	static const struct {
		enum model_id model;
		int gil;
		const char *label;
	} plan[COMPARE_MODELS_MAX] = {
		{ MODEL_SYNC, 1, "sync" },
		{ MODEL_THREADS, 1, "threads" },
		{ MODEL_ASYNC, 1, "async" },
		{ MODEL_PROCS, 1, "procs" },
		{ MODEL_THREADS, 0, "threads, no GIL" },
	};
	int n = compare_cpu_bound(sc) ? 5 : 4;

	for (int i = 0; i < n; i++)
		rows[i] = (struct compare_row){ .model = plan[i].model,
						.gil = plan[i].gil,
						.label = plan[i].label };
	return n;
}

int compare_headless(const struct run_config *base, FILE *out,
		     const struct report_exports *x)
{
	static struct compare_row rows[COMPARE_MODELS_MAX];
	char verdict[COMPARE_VERDICT_MAX];
	int n = compare_plan(&base->sc, rows), failed = 0;

	for (int i = 0; i < n; i++) {
		compare_one(base, &rows[i], 0);
		failed += !rows[i].completed;
	}
	failed += compare_export(rows, n, x) < 0;
	compare_rows_free(rows, n);
	compare_table(out, base, rows, n);
	compare_tutorial(out, base, rows, n);
	compare_verdict(base, rows, n, verdict, sizeof verdict);
	fprintf(out, "verdict: %s\n", verdict);
	compare_summaries(out, base, rows, n);
	if (report_flushed(out) < 0)
		return 1;
	return failed ? 1 : 0;
}

/* The sweep's table and chart: a row per worker count, its wall time as
 * a bar (the longest SWEEP_BAR wide), so the chart reads top to bottom
 * as the curve of wall time against workers. */
static void sweep_table(FILE *out, const struct run_config *base,
			const struct compare_row *rows, int n, double one_s)
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
		const struct compare_row *r = &rows[i];
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
static void sweep_points(FILE *out, const struct compare_row *rows, int n,
			 double one_s)
{
	for (int i = 0; i < n; i++) {
		const struct compare_row *r = &rows[i];
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

/* The verdict's words, appended to one buffer. */
struct verdict {
	char *buf;
	size_t len, at;
};

static void verdict_add(struct verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void verdict_add(struct verdict *v, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (v->at >= v->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(v->buf + v->at, v->len - v->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		v->at += (size_t)n;
}

/* A sweep's words: the fastest count, and the fewest workers that came
 * within 5% of it (where adding more stopped paying). */
void compare_sweep_verdict(const struct compare_row *r, int n, char *buf,
			   size_t len)
{
	struct verdict v = { buf, len, 0 };
	char first[32]; /* "one worker", "3 workers": the fewest swept */
	int best = -1, near = -1;

	for (int i = 0; i < n; i++)
		if (r[i].completed &&
		    (best < 0 || r[i].st.wall_s < r[best].st.wall_s))
			best = i;
	if (r[0].workers == 1)
		msg_fmt(first, sizeof first, "%s", "one worker");
	else
		msg_fmt(first, sizeof first, "%d workers", r[0].workers);
	if (best < 0 || !r[0].completed || r[best].st.wall_s <= 0) {
		msg_fmt(buf, len, "none: the run with %s did not complete.",
			first);
		return;
	}
	if (best == 0) {
		msg_fmt(buf, len,
			"%s was the fastest: more workers did not help here.",
			first);
		return;
	}
	for (int i = 0; i < best && near < 0; i++)
		if (r[i].completed &&
		    r[i].st.wall_s <= r[best].st.wall_s * 1.05)
			near = i;
	verdict_add(&v, "fastest with %d workers, %.1fx the speed of %s; ",
		    r[best].workers, r[0].st.wall_s / r[best].st.wall_s, first);
	if (near >= 0)
		verdict_add(&v,
			    "%d already came within 5%% of that: more workers "
			    "than that did not pay.",
			    r[near].workers);
	else
		verdict_add(&v, "every count below it was more than 5%% "
				"slower.");
}

int compare_sweep(const struct run_config *base, int from, int to, FILE *out,
		  const struct report_exports *x)
{
	int n = to - from + 1, failed = 0;
	/* rows[n]: the baseline, one worker, when the range does not start
	 * with it. */
	struct compare_row *rows = xcalloc((size_t)n + 1, sizeof *rows);
	const struct compare_row *one = &rows[from > 1 ? n : 0];
	char verdict[COMPARE_VERDICT_MAX];
	double one_s;

	for (int i = 0; i <= n; i++)
		rows[i] =
			(struct compare_row){ .model = base->model,
					      .gil = base->gil,
					      .workers = i < n ? from + i : 1 };
	if (from > 1)
		compare_one(base, &rows[n], 1);
	for (int i = 0; i < n; i++) {
		compare_one(base, &rows[i], from + i);
		failed += !rows[i].completed;
	}
	failed += compare_export(rows, n, x) < 0;
	compare_rows_free(rows, n + 1);
	one_s = one->completed ? one->st.wall_s : 0;
	sweep_table(out, base, rows, n, one_s);
	if (from == 1) {
		compare_sweep_verdict(rows, n, verdict, sizeof verdict);
		fprintf(out, "verdict: %s\n", verdict);
	}
	sweep_points(out, rows, n, one_s);
	free(rows);
	if (report_flushed(out) < 0)
		return 1;
	return failed ? 1 : 0;
}

/* The completed row of `model` (with `gil`), or NULL. */
static const struct compare_row *verdict_row(const struct compare_row *rows,
					     int n, enum model_id model,
					     int gil)
{
	for (int i = 0; i < n; i++)
		if (rows[i].model == model && rows[i].gil == gil &&
		    rows[i].completed)
			return &rows[i];
	return NULL;
}

static double verdict_x(const struct compare_row *r, double sync_s)
{
	return r && r->st.wall_s > 0 ? sync_s / r->st.wall_s : 0;
}

/* Why, when the work is waiting: how many waits each model kept going. */
static void verdict_waiting(struct verdict *v, const struct compare_row *rows,
			    int n)
{
	const struct compare_row *t = verdict_row(rows, n, MODEL_THREADS, 1);
	const struct compare_row *a = verdict_row(rows, n, MODEL_ASYNC, 1);
	const struct compare_row *p = verdict_row(rows, n, MODEL_PROCS, 1);

	verdict_add(v, "the tasks mostly wait, so a model wins by keeping "
		       "many waits going at once, not by computing faster");
	if (a)
		verdict_add(v, "; async kept up to %.0f at once on one thread",
			    a->ideal);
	if (t)
		verdict_add(v, "; threads %d, one per thread", t->workers);
	if (p)
		verdict_add(v,
			    "; procs %d, one per process, each started "
			    "first",
			    p->workers);
	verdict_add(v, ".");
}

/* Why, when the work is computing: only cores at once help. */
static void verdict_computing(struct verdict *v, const struct compare_row *rows,
			      int n, double sync_s)
{
	const struct compare_row *t = verdict_row(rows, n, MODEL_THREADS, 1);
	const struct compare_row *a = verdict_row(rows, n, MODEL_ASYNC, 1);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	verdict_add(v,
		    "the tasks compute, so only workers on different cores at "
		    "the same moment help, and this machine has %ld",
		    cores > 0 ? cores : 1);
	if (t || a)
		verdict_add(v, "; under the GIL or on async's one loop a "
			       "single thread computes at a time:");
	if (t)
		verdict_add(v, " threads measured %.1fx", verdict_x(t, sync_s));
	if (t && a)
		verdict_add(v, ",");
	if (a)
		verdict_add(v, " async %.1fx", verdict_x(a, sync_s));
	verdict_add(v, ".");
}

/* How the verdict names a row: "threads without the GIL". */
static const char *verdict_name(const struct compare_row *r)
{
	return r->model == MODEL_THREADS && !r->gil ? "threads without the GIL"
						    : r->label;
}

/* Did the row's run do the scenario's work right? A deadlock gave up;
 * a race that broke the invariant is wrong; under procs each process
 * changed its own copies, which is no answer here. */
static int verdict_right(const struct compare_row *r)
{
	const struct run_stats *st = &r->st;

	if (!r->completed || st->deadlock)
		return 0;
	return !st->race ||
	       (r->model != MODEL_PROCS && st->final_sum == st->expected_sum);
}

/* A race scenario: were the fast runs right? A lock's deadlock? */
static void verdict_race(struct verdict *v, const struct compare_row *rows,
			 int n)
{
	int wrong = 0;

	for (int i = 0; i < n; i++) {
		const struct run_stats *st = &rows[i].st;
		if (!rows[i].ran || !st->race || rows[i].model == MODEL_PROCS ||
		    st->final_sum == st->expected_sum)
			continue;
		verdict_add(v,
			    "%s %s ended at %" PRId64 " (%" PRIu64 " updates "
			    "lost)",
			    wrong ? "," : " But", verdict_name(&rows[i]),
			    st->final_sum, st->lost_updates);
		wrong++;
	}
	if (wrong)
		verdict_add(v,
			    ", not %" PRId64 ": fast and wrong; a lock fixes "
			    "that at a price.",
			    rows[0].st.expected_sum);
	for (int i = 0; i < n; i++) {
		if (rows[i].ran && rows[i].st.deadlock)
			verdict_add(v, " %s deadlocked (found and stopped).",
				    verdict_name(&rows[i]));
		else if (rows[i].ran && rows[i].st.race &&
			 rows[i].model == MODEL_PROCS)
			verdict_add(v, " procs changed copies of its own: the "
				       "values here never moved.");
	}
}

void compare_verdict(const struct run_config *base,
		     const struct compare_row *rows, int n, char *buf,
		     size_t len)
{
	struct verdict v = { buf, len, 0 };
	const struct work_ops *w = work_find(base->sc.workload);
	double sync_s = verdict_right(&rows[0]) ? rows[0].st.wall_s : 0;
	int best = 0;

	buf[0] = '\0';
	if (sync_s <= 0) {
		verdict_add(&v, "none: sync, the baseline, did not complete "
				"right.");
		return;
	}
	for (int i = 1; i < n; i++)
		if (verdict_right(&rows[i]) &&
		    rows[i].st.wall_s < rows[best].st.wall_s)
			best = i;
	if (best == 0 || verdict_x(&rows[best], sync_s) < 1.15)
		verdict_add(&v,
			    "no model that got it right beat sync by much "
			    "(the best: %s, %.1fx): ",
			    verdict_name(&rows[best]),
			    verdict_x(&rows[best], sync_s));
	else
		verdict_add(&v, "%s won, %.1fx faster than sync: ",
			    verdict_name(&rows[best]),
			    verdict_x(&rows[best], sync_s));
	if (w && (w->io || !w->describe))
		verdict_waiting(&v, rows, n);
	else
		verdict_computing(&v, rows, n, sync_s);
	verdict_race(&v, rows, n);
}
