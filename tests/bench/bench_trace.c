/* bench_trace.c - what tracing costs: the same run with and without
 * events (threads model, 2 workers), as the headless collector
 * consumes them (timeline_drain). Prints name=value figures:
 *   trace_overhead_pct_primes=   15,000 tasks of ~10 us: the worst case
 *   trace_ns_per_event_primes=   the CPU time tracing adds per event,
 *                                which does not depend on how long the
 *                                tasks are, nor on the scheduler
 *   trace_overhead_pct_fib=      20 tasks of fib(35)
 * On this shared 2-core machine one run against another drifts by several
 * per cent from minute to minute, more than tracing costs. So runs come in
 * pairs, untraced and traced back to back (in alternating order, so
 * neither always goes first), each pair gives one overhead, and the figure
 * is the median of many pairs, with their spread (the middle half, p25 to
 * p75) printed beside it: a change smaller than the spread is noise. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/run.h"
#include "app/scenario.h"
#include "core/evring.h"
#include "core/timeline.h"

struct cost {
	double wall_s, cpu_s;
};

static struct cost once(const struct run_config *cfg, int traced,
			uint64_t *events)
{
	char err[256];
	struct evring *ring = traced ? evring_new(1 << 16) : NULL;
	struct run *r = run_start(cfg, ring, err, sizeof err);
	struct run_stats st;

	if (!r) {
		fprintf(stderr, "bench_trace: %s\n", err);
		exit(1);
	}
	struct timeline *tl = timeline_new(run_origin_ns(r));
	while (ring && !run_finished(r)) {
		evring_wait(ring, 50);
		timeline_drain(tl, ring, SIZE_MAX);
	}
	run_wait(r, &st);
	if (ring)
		timeline_drain(tl, ring, SIZE_MAX);
	if (events)
		*events = st.events;
	if (st.ok != st.tasks || st.wrong) {
		fprintf(stderr, "bench_trace: wrong results\n");
		exit(1);
	}
	timeline_free(tl);
	run_free(r);
	evring_free(ring);
	return (struct cost){ st.wall_s, st.cpu_s };
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of v[0..n), sorted in place. */
static double quantile(double *v, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)pos;

	qsort(v, (size_t)n, sizeof *v, cmp_double);
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (v[i + 1] - v[i]) * (pos - i);
}

#define ROUNDS_MAX 64

static void measure(const char *scenario, double scale, int rounds, int gil,
		    const char *label)
{
	struct run_config cfg;
	char err[512];
	double pct[ROUNDS_MAX], ns_ev[ROUNDS_MAX], plain[ROUNDS_MAX];
	uint64_t events = 0;

	memset(&cfg, 0, sizeof cfg);
	if (scenario_load(scenario, &cfg.sc, err, sizeof err) < 0) {
		fprintf(stderr, "bench_trace: %s\n", err);
		exit(1);
	}
	cfg.model = MODEL_THREADS;
	cfg.workers = 2;
	cfg.gil = gil;
	cfg.scale = scale;
	if (rounds > ROUNDS_MAX)
		rounds = ROUNDS_MAX;
	once(&cfg, 1, NULL); /* warm up: the page cache, the allocator */
	for (int i = 0; i < rounds; i++) {
		struct cost c[2];
		for (int k = 0; k < 2; k++) {
			int traced = (i + k) % 2;
			c[traced] = once(&cfg, traced, traced ? &events : NULL);
		}
		plain[i] = c[0].wall_s;
		pct[i] = (c[1].wall_s - c[0].wall_s) / c[0].wall_s * 100.0;
		/* Per event, the CPU time tracing adds (producers' pushes and
		 * the collector's drain): CPU time, unlike wall time, does not
		 * depend on who else the scheduler let run meanwhile. */
		ns_ev[i] = events ? (c[1].cpu_s - c[0].cpu_s) * 1e9 /
					    (double)events
				  : 0;
	}
	printf("trace_untraced_s_%s=%.4f\n", label,
	       quantile(plain, rounds, 0.5));
	printf("trace_events_%s=%llu\n", label, (unsigned long long)events);
	printf("trace_pairs_%s=%d\n", label, rounds);
	printf("trace_overhead_pct_%s=%.2f\n", label,
	       quantile(pct, rounds, 0.5));
	printf("trace_overhead_pct_%s_p25=%.2f\n", label,
	       quantile(pct, rounds, 0.25));
	printf("trace_overhead_pct_%s_p75=%.2f\n", label,
	       quantile(pct, rounds, 0.75));
	printf("trace_ns_per_event_%s=%.0f\n", label,
	       quantile(ns_ev, rounds, 0.5));
	printf("trace_ns_per_event_%s_p25=%.0f\n", label,
	       quantile(ns_ev, rounds, 0.25));
	printf("trace_ns_per_event_%s_p75=%.0f\n", label,
	       quantile(ns_ev, rounds, 0.75));
	fflush(stdout);
}

int main(void)
{
	/* primes at scale 4: runs of ~0.6 s, long enough for the scheduler's
	 * noise to average out within a run. */
	measure("primes", 4.0, 31, 0, "primes");
	measure("fib", 1.0, 7, 0, "fib");
	measure("primes", 4.0, 15, 1, "primes_gil");
	return 0;
}
