/* bench_export.c - what taking a run out of conviz costs: the 15,000-task
 * `primes` run (threads, 2 workers, its own scale), recorded as the TUI
 * records it, then written as a Chrome trace, an SVG and a CSV
 * (app/export.h). Prints name=value figures:
 *   export_trace_s_primes=    seconds to write the trace (goal < 0.5)
 *   export_trace_mib_primes=  its size in MiB (goal < 5)
 *   export_svg_s_primes=      seconds to write the SVG
 *   export_svg_kib_primes=    its size in KiB
 *   export_csv_s_primes=      seconds to write the CSV
 *   export_events_primes=     the events the run sent
 *   export_trace_s_primes_async=, export_trace_mib_primes_async=
 *                             the same trace of primes under async, whose
 *                             15,000 tasks each have a track too (goals
 *                             < 0.5 s and < 5 MiB as well)
 * Each time is the median of BENCH_TIMES writes into a fresh temporary
 * directory (the page cache takes them: the figure is conviz's work, not
 * the disk's). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/export.h"
#include "app/recording.h"
#include "app/run.h"
#include "app/scenario.h"
#include "core/evring.h"

#define BENCH_TIMES 7

typedef int (*export_fn)(const struct recording *const *, int, const char *,
			 char *, size_t);

static void bench_die(const char *what)
{
	fprintf(stderr, "bench_export: %s\n", what);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* primes under `model` (2 workers where it has a pool), recorded while
 * it runs. */
static struct recording *record_primes(enum model_id model)
{
	struct run_config cfg;
	struct run_stats st;
	char err[512];
	struct evring *ring;
	struct recording *rec;
	struct run *r;

	memset(&cfg, 0, sizeof cfg);
	if (scenario_load("primes", &cfg.sc, err, sizeof err) < 0)
		bench_die(err);
	cfg.model = model;
	cfg.workers = model == MODEL_ASYNC ? 1 : 2;
	cfg.gil = 1;
	cfg.scale = cfg.sc.scale > 0 ? cfg.sc.scale : 1.0;
	cfg.view = -1;
	ring = run_ring_new(&cfg, 1 << 16);
	if (!ring)
		bench_die("out of memory");
	r = run_start(&cfg, ring, err, sizeof err);
	if (!r)
		bench_die(err);
	rec = recording_new(r);
	while (!run_finished(r)) {
		evring_wait(ring, 20);
		recording_drain(rec, ring, SIZE_MAX, NULL, NULL);
	}
	if (run_wait(r, &st) != 0 || st.ok != st.tasks)
		bench_die("the run did not complete");
	recording_drain(rec, ring, SIZE_MAX, NULL, NULL);
	recording_end(rec, r, &st);
	run_free(r);
	evring_free(ring);
	return rec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median time of BENCH_TIMES writes of rec by fn to path; *bytes
 * gets the file's size. */
static double measure(export_fn fn, const struct recording *rec,
		      const char *path, long long *bytes)
{
	double t[BENCH_TIMES];
	char err[1024];
	struct stat st;

	for (int i = 0; i < BENCH_TIMES; i++) {
		double t0 = now_s();
		if (fn(&rec, 1, path, err, sizeof err) < 0)
			bench_die(err);
		t[i] = now_s() - t0;
	}
	if (stat(path, &st) != 0)
		bench_die("the file written is gone");
	*bytes = (long long)st.st_size;
	qsort(t, BENCH_TIMES, sizeof t[0], cmp_double);
	return t[BENCH_TIMES / 2];
}

int main(void)
{
	char dir[] = "/tmp/conviz-bench-export.XXXXXX", path[3][64];
	static const char *const names[] = { "t.json", "t.svg", "t.csv" };
	const export_fn fn[] = { export_trace, export_svg, export_csv };
	struct recording *rec;
	double s[3];
	long long bytes[3];

	if (!mkdtemp(dir))
		bench_die("cannot make a temporary directory");
	rec = record_primes(MODEL_THREADS);
	for (int i = 0; i < 3; i++) {
		snprintf(path[i], sizeof path[i], "%s/%s", dir, names[i]);
		s[i] = measure(fn[i], rec, path[i], &bytes[i]);
	}
	printf("export_events_primes=%zu\n", rec->nev);
	printf("export_trace_s_primes=%.4f\n", s[0]);
	printf("export_trace_mib_primes=%.2f\n", (double)bytes[0] / 1048576.0);
	printf("export_svg_s_primes=%.4f\n", s[1]);
	printf("export_svg_kib_primes=%.1f\n", (double)bytes[1] / 1024.0);
	printf("export_csv_s_primes=%.4f\n", s[2]);
	recording_free(rec);
	rec = record_primes(MODEL_ASYNC);
	s[0] = measure(export_trace, rec, path[0], &bytes[0]);
	printf("export_trace_s_primes_async=%.4f\n", s[0]);
	printf("export_trace_mib_primes_async=%.2f\n",
	       (double)bytes[0] / 1048576.0);
	for (int i = 0; i < 3; i++)
		unlink(path[i]);
	rmdir(dir);
	recording_free(rec);
	return 0;
}
