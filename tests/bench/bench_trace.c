/* bench_trace.c - what tracing costs: the same run with and without
 * events (threads model, 2 workers, scale 1), as the headless collector
 * consumes them (drain + timeline). Prints name=value figures:
 *   trace_overhead_pct_primes=  15,000 tasks of ~10 us: the worst case
 *   trace_overhead_pct_fib=     20 tasks of fib(35)
 * Each figure is the best traced run against the best untraced run,
 * alternating, so a noisy neighbour hurts both alike. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evring.h"
#include "run.h"
#include "scenario.h"
#include "timeline.h"

static double once(const struct run_config *cfg, int traced, uint64_t *events)
{
	char err[256];
	struct ev buf[1024];
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
		size_t n = evring_drain(ring, buf, 1024);
		for (size_t i = 0; i < n; i++)
			timeline_add(tl, &buf[i]);
	}
	run_wait(r, &st);
	for (size_t n = 1; ring && n > 0;) {
		n = evring_drain(ring, buf, 1024);
		for (size_t i = 0; i < n; i++)
			timeline_add(tl, &buf[i]);
	}
	if (events)
		*events = st.events;
	if (st.ok != st.tasks || st.wrong) {
		fprintf(stderr, "bench_trace: wrong results\n");
		exit(1);
	}
	timeline_free(tl);
	run_free(r);
	evring_free(ring);
	return st.wall_s;
}

static void measure(const char *scenario, int rounds, int gil,
		    const char *label)
{
	struct run_config cfg;
	char err[512];
	double best[2] = { 1e9, 1e9 };
	uint64_t events = 0;

	memset(&cfg, 0, sizeof cfg);
	if (scenario_load(scenario, &cfg.sc, err, sizeof err) < 0) {
		fprintf(stderr, "bench_trace: %s\n", err);
		exit(1);
	}
	cfg.model = MODEL_THREADS;
	cfg.workers = 2;
	cfg.gil = gil;
	cfg.scale = 1.0;
	for (int i = 0; i < rounds; i++) {
		for (int traced = 0; traced < 2; traced++) {
			double s = once(&cfg, traced, traced ? &events : NULL);
			if (s < best[traced])
				best[traced] = s;
		}
	}
	printf("trace_untraced_s_%s=%.4f\n", label, best[0]);
	printf("trace_traced_s_%s=%.4f\n", label, best[1]);
	printf("trace_events_%s=%llu\n", label, (unsigned long long)events);
	printf("trace_overhead_pct_%s=%.2f\n", label,
	       (best[1] - best[0]) / best[0] * 100.0);
	fflush(stdout);
}

int main(void)
{
	measure("primes", 15, 0, "primes");
	measure("fib", 3, 0, "fib");
	measure("primes", 9, 1, "primes_gil");
	return 0;
}
