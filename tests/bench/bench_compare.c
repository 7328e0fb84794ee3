/* bench_compare.c - `conviz compare` in figures (issue 14).
 *
 * compare's speed-ups must be the ones single runs give (the models run
 * one after the other, never sharing the machine). For sites (160 GETs,
 * 89 ms each on the embedded server), compare runs every model and its
 * summary: lines give
 *   compare_sites_threads_speedup=  compare_sites_async_speedup=
 *   compare_sites_procs_speedup=
 * then a single run of each model (sync first) gives the same figures
 * alone, and
 *   compare_sites_threads_vs_single=  compare_sites_async_vs_single=
 *   compare_sites_procs_vs_single=
 * are compare's over the single run's (goal: 0.85 to 1.15).
 * The tutorial's code measured here: threads 4.94x, asyncio 83x,
 * processes 2.00x (LESSONS.md). A run that fails fails the bench. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/compare.h"
#include "app/run.h"
#include "app/scenario.h"
#include "models/model.h"
#include "models/procs.h"

static void fail(const char *why)
{
	fprintf(stderr, "bench_compare: %s\n", why);
	exit(1);
}

static void load(const char *name, struct run_config *cfg)
{
	char err[512];

	memset(cfg, 0, sizeof *cfg);
	if (scenario_load(name, &cfg->sc, err, sizeof err) < 0)
		fail(err);
	cfg->scale = 1;
	cfg->gil = 1;
	cfg->seed = 1;
	cfg->view = -1;
	cfg->model = MODEL_SYNC;
	cfg->workers = 1;
}

/* A single run's wall time under `model` with its default workers. */
static double single(struct run_config *cfg, enum model_id model)
{
	char err[256];
	struct run_stats st;
	struct run *r;

	cfg->model = model;
	cfg->workers = run_default_workers(&cfg->sc, model);
	r = run_start(cfg, NULL, err, sizeof err);
	if (!r)
		fail(err);
	memset(&st, 0, sizeof st);
	run_wait(r, &st);
	run_free(r);
	if (st.wrong || st.status != 0 || st.failed)
		fail("a single run went wrong");
	return st.wall_s;
}

/* The speedup= of compare's summary: line for `model` (GIL on). */
static double compare_speedup(const char *report, const char *model)
{
	char key[64];
	const char *line, *s;

	snprintf(key, sizeof key, " model=%s ", model);
	for (line = report; line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, "summary: ", 9) != 0)
			continue;
		s = strstr(line, key);
		if (!s || s > strchr(line, '\n') || !strstr(s, " gil=on "))
			continue;
		s = strstr(line, " speedup=");
		if (s)
			return strtod(s + 9, NULL);
	}
	fail("compare printed no speedup for a model");
	return 0;
}

int main(int argc, char **argv)
{
	static const enum model_id models[] = { MODEL_THREADS, MODEL_ASYNC,
						MODEL_PROCS };
	struct run_config cfg;
	char err[256], *report = NULL;
	size_t len = 0;
	double sync_s, got[3];
	FILE *out;

	if (argc >= 2 && strcmp(argv[1], PROCS_WORKER_ARG) == 0)
		return procs_spawned_main(argc - 2, argv + 2, run_procs_child);
	if (procs_init(run_procs_child, err, sizeof err) < 0)
		fail(err);
	load("sites", &cfg);
	out = open_memstream(&report, &len);
	if (!out)
		fail("out of memory");
	if (compare_headless(&cfg, out, NULL) != 0)
		fail("compare did not complete");
	fclose(out);
	for (int i = 0; i < 3; i++) {
		const char *name = model_get(models[i])->name;
		got[i] = compare_speedup(report, name);
		printf("compare_sites_%s_speedup=%.2f\n", name, got[i]);
		fflush(stdout);
	}
	free(report);
	sync_s = single(&cfg, MODEL_SYNC);
	for (int i = 0; i < 3; i++) {
		double alone = sync_s / single(&cfg, models[i]);
		printf("compare_sites_%s_vs_single=%.3f\n",
		       model_get(models[i])->name, got[i] / alone);
		fflush(stdout);
	}
	return 0;
}
