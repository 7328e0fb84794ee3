/* bench_procs.c - the procs model (worker processes) in figures.
 *
 * Start-up: how long a worker process takes from the parent's request to
 * being ready, per start method, in microseconds. On each lane the parent
 * emits EV_STARTUP (arg 0) when it asks for the worker; the worker emits
 * EV_STARTUP (arg = its pid) when it begins and EV_IDLE when it is ready.
 * Start-up is that first EV_IDLE's time minus the first EV_STARTUP (arg 0)
 * of the lane. A run: fib(15) x4 on 4 workers, traced into a shared ring;
 * its figure is the mean over its 4 lanes. Ten runs per method, the three
 * methods interleaved (fork, forkserver, spawn, fork, ...) so the
 * machine's drift touches them alike; the figure is the median of the
 * per-run means.
 *   procs_start_us_fork=  procs_start_us_forkserver=  procs_start_us_spawn=
 * Chunks: primes at scale 1 (15,000 tasks of one sieve each, ~10 us, as
 * the tutorial's) on 2 workers, handed out one task at
 * a time against 500 at a time; untraced, best of 3 each, interleaved.
 *   procs_primes_chunk1_s=  procs_primes_chunk500_s=
 *   procs_primes_chunk_speedup=  chunk1 / chunk500
 * Speed-ups over sync: fib (CPU: each process has its own GIL, so 2 of
 * them compute at once) and sites (I/O: 160 GETs from the embedded
 * server), sync against procs -w 2 with the GIL on; untraced, best of 3
 * (fib) or 2 (sites, ~15 s a sync run) each, interleaved.
 *   procs_fib_speedup=  procs_sites_speedup=  sync / procs
 * Every run must complete with every answer right, or the bench fails. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/run.h"
#include "app/scenario.h"
#include "core/ev.h"
#include "core/evring.h"
#include "models/procs.h"

#define START_WORKERS 4
#define START_ROUNDS 10
#define DRAIN_MAX 1024

static void fail(const char *what)
{
	fprintf(stderr, "bench_procs: %s\n", what);
	exit(1);
}

/* cfg for scenario `name` as the other benches run it: seed 1, the
 * scenario's scale, the GIL on, its model's view. */
static void config_load(struct run_config *cfg, const char *name,
			enum model_id model, int workers)
{
	char err[512];

	memset(cfg, 0, sizeof *cfg);
	if (scenario_load(name, &cfg->sc, err, sizeof err) < 0)
		fail(err);
	cfg->model = model;
	cfg->workers = workers;
	cfg->gil = 1;
	cfg->seed = 1;
	cfg->scale = cfg->sc.scale;
	cfg->view = -1;
}

/* Joins r and fails the bench unless every task completed right. */
static void finish(struct run *r, struct run_stats *st)
{
	memset(st, 0, sizeof *st);
	if (run_wait(r, st) != 0 || st->ok != st->tasks || st->wrong) {
		fprintf(stderr,
			"bench_procs: run failed: %u of %u tasks ok, "
			"%u wrong\n",
			(unsigned)st->ok, (unsigned)st->tasks,
			(unsigned)st->wrong);
		exit(1);
	}
	run_free(r);
}

/* Wall time of one untraced run of cfg. */
static double once(const struct run_config *cfg)
{
	char err[256];
	struct run_stats st;
	struct run *r = run_start(cfg, NULL, err, sizeof err);

	if (!r)
		fail(err);
	finish(r, &st);
	return st.wall_s;
}

/* --- start-up ----------------------------------------------------------- */

struct lane_start {
	int64_t asked_ns, ready_ns; /* -1: not seen yet */
};

static void lanes_note(struct lane_start *lanes, const struct ev *e)
{
	struct lane_start *l;

	if (e->lane >= START_WORKERS)
		return;
	l = &lanes[e->lane];
	if (e->kind == EV_STARTUP && e->arg == 0 && l->asked_ns < 0)
		l->asked_ns = e->ts_ns;
	else if (e->kind == EV_IDLE && l->asked_ns >= 0 && l->ready_ns < 0)
		l->ready_ns = e->ts_ns;
}

static void lanes_drain(struct lane_start *lanes, struct evring *ring)
{
	static struct ev buf[DRAIN_MAX];
	size_t n;

	do {
		n = evring_drain(ring, buf, DRAIN_MAX);
		for (size_t i = 0; i < n; i++)
			lanes_note(lanes, &buf[i]);
	} while (n == DRAIN_MAX);
}

/* One traced run of cfg: the mean start-up of its workers, in us. */
static double start_once(const struct run_config *cfg)
{
	struct lane_start lanes[START_WORKERS];
	struct evring *ring = run_ring_new(cfg, 1 << 14);
	struct run_stats st;
	struct run *r;
	char err[256];
	double sum = 0;

	if (!ring)
		fail("out of memory");
	for (int i = 0; i < START_WORKERS; i++)
		lanes[i] = (struct lane_start){ -1, -1 };
	r = run_start(cfg, ring, err, sizeof err);
	if (!r)
		fail(err);
	while (!run_finished(r)) {
		evring_wait(ring, 50);
		lanes_drain(lanes, ring);
	}
	finish(r, &st);
	lanes_drain(lanes, ring);
	evring_free(ring);
	for (int i = 0; i < START_WORKERS; i++) {
		if (lanes[i].ready_ns < 0)
			fail("a worker never said it was ready");
		sum += (double)(lanes[i].ready_ns - lanes[i].asked_ns) / 1e3;
	}
	return sum / START_WORKERS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void bench_start(void)
{
	static const int methods[] = { PROCS_FORK, PROCS_FORKSERVER,
				       PROCS_SPAWN };
	double us[3][START_ROUNDS];
	struct run_config cfg;

	/* Tiny tasks, one per worker: the run is mostly start-up. */
	config_load(&cfg, "fib", MODEL_PROCS, START_WORKERS);
	cfg.sc.tasks = START_WORKERS;
	cfg.sc.arg = 15;
	cfg.scale = 1;
	for (int round = 0; round < START_ROUNDS; round++)
		for (int m = 0; m < 3; m++) {
			cfg.start = methods[m];
			us[m][round] = start_once(&cfg);
		}
	for (int m = 0; m < 3; m++)
		printf("procs_start_us_%s=%.0f\n", procs_start_name(methods[m]),
		       median(us[m], START_ROUNDS));
	fflush(stdout);
}

/* --- wall times --------------------------------------------------------- */

/* The best wall time of a and of b over `rounds` interleaved runs. */
static void best_of(const struct run_config *a, const struct run_config *b,
		    int rounds, double best[2])
{
	best[0] = best[1] = 1e9;
	for (int round = 0; round < rounds; round++) {
		double s = once(a);
		if (s < best[0])
			best[0] = s;
		s = once(b);
		if (s < best[1])
			best[1] = s;
	}
}

static void bench_chunk(void)
{
	struct run_config one, many;
	double best[2];

	config_load(&one, "primes", MODEL_PROCS, 2);
	one.scale = 1; /* the tutorial's own task: one sieve per n */
	one.chunk = 1;
	many = one;
	many.chunk = 500;
	best_of(&one, &many, 3, best);
	printf("procs_primes_chunk1_s=%.3f\n", best[0]);
	printf("procs_primes_chunk500_s=%.3f\n", best[1]);
	printf("procs_primes_chunk_speedup=%.2f\n", best[0] / best[1]);
	fflush(stdout);
}

/* sync against procs -w 2 on scenario `name`. */
static void bench_speedup(const char *name, int rounds)
{
	struct run_config sync, procs;
	double best[2];

	config_load(&sync, name, MODEL_SYNC, 1);
	config_load(&procs, name, MODEL_PROCS, 2);
	best_of(&sync, &procs, rounds, best);
	printf("procs_%s_speedup=%.2f\n", name, best[0] / best[1]);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char err[256];

	/* A worker process of a run with --start spawn runs this program
	 * again, as conviz's main does. */
	if (argc >= 2 && strcmp(argv[1], PROCS_WORKER_ARG) == 0)
		return procs_spawned_main(argc - 2, argv + 2, run_procs_child);
	/* The forkserver, while this process has one thread. */
	if (procs_init(run_procs_child, err, sizeof err) < 0)
		fail(err);
	bench_start();
	bench_chunk();
	bench_speedup("fib", 3);
	bench_speedup("sites", 2);
	return 0;
}
