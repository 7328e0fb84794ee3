/* bench_race.c - the race lab in figures (issue 13).
 *
 * The bank (LESSONS.md: sequential about 2.1 s; threads and async at
 * least 5x faster; the lock costs some of it). Untraced; one sync run
 * (waits, not CPU), the best of three of the others:
 *   race_bank_sync_s=  race_bank_threads_s=  race_bank_threads_speedup=
 *     (the default pool, 6 workers here: 20 transfers in 4 rounds of
 *     0.1 s, so 5 at best; the tutorial measured 5.0)
 *   race_bank_async_s=  race_bank_async_speedup=  (goal >= 5; the
 *     tutorial's asyncio here: 19)
 *   race_bank_safe_async_s=  race_bank_safe_async_cost=  (safe / unsafe:
 *     the lock's price; the tutorial's here: 1.8)
 *   race_bank_safe_async_lock_wait_s=
 *   race_bank_threads_broken_of_10=  seeds 1..10 whose sum ends wrong
 *     (goal >= 9)
 * Deadlocks: how long after the cycle could first close the run has
 * stopped (deadlock's tasks work 50 ms holding their first lock, so
 * wall - 50 ms), the worst of 10 runs under threads and async:
 *   race_deadlock_found_ms=  (goal < 1000)
 *   race_philosophers_deadlocks_of_20=  threads, seeds 1..20 (some, not
 *     all)
 * Every figure comes from the run's own summary; a run that gives a
 * wrong answer, or a bank-safe run whose sum is off, fails the bench. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/run.h"
#include "app/scenario.h"

static void load(const char *name, struct run_config *cfg)
{
	char err[512];

	memset(cfg, 0, sizeof *cfg);
	if (scenario_load(name, &cfg->sc, err, sizeof err) < 0) {
		fprintf(stderr, "bench_race: %s\n", err);
		exit(1);
	}
	cfg->scale = 1;
	cfg->gil = 1;
	cfg->seed = 1;
	cfg->view = -1;
}

static void once(struct run_config *cfg, enum model_id model,
		 struct run_stats *st)
{
	char err[256];
	struct run *r;

	cfg->model = model;
	cfg->workers = run_default_workers(&cfg->sc, model);
	r = run_start(cfg, NULL, err, sizeof err);
	if (!r) {
		fprintf(stderr, "bench_race: %s\n", err);
		exit(1);
	}
	memset(st, 0, sizeof *st);
	run_wait(r, st);
	run_free(r);
	if (st->wrong || st->status != 0) {
		fprintf(stderr, "bench_race: %s under model %d went wrong\n",
			cfg->sc.name, (int)model);
		exit(1);
	}
}

static double best_of_3(struct run_config *cfg, enum model_id model,
			struct run_stats *best)
{
	struct run_stats st;
	double b = 1e9;

	for (int i = 0; i < 3; i++) {
		once(cfg, model, &st);
		if (st.wall_s < b) {
			b = st.wall_s;
			*best = st;
		}
	}
	return b;
}

static void bench_bank(void)
{
	struct run_config unsafe, safe;
	struct run_stats st, sst;
	double sync_s, threads_s, async_s, safe_s;
	int broken = 0;

	load("bank-unsafe", &unsafe);
	load("bank-safe", &safe);
	once(&unsafe, MODEL_SYNC, &st);
	sync_s = st.wall_s;
	threads_s = best_of_3(&unsafe, MODEL_THREADS, &st);
	async_s = best_of_3(&unsafe, MODEL_ASYNC, &st);
	safe_s = best_of_3(&safe, MODEL_ASYNC, &sst);
	if (sst.final_sum != sst.expected_sum || sst.lost_updates) {
		fprintf(stderr, "bench_race: bank-safe lost money\n");
		exit(1);
	}
	for (uint64_t seed = 1; seed <= 10; seed++) {
		unsafe.seed = seed;
		once(&unsafe, MODEL_THREADS, &st);
		broken += st.final_sum != st.expected_sum;
	}
	printf("race_bank_sync_s=%.3f\n", sync_s);
	printf("race_bank_threads_s=%.3f\n", threads_s);
	printf("race_bank_threads_speedup=%.2f\n", sync_s / threads_s);
	printf("race_bank_async_s=%.3f\n", async_s);
	printf("race_bank_async_speedup=%.2f\n", sync_s / async_s);
	printf("race_bank_safe_async_s=%.3f\n", safe_s);
	printf("race_bank_safe_async_cost=%.2f\n", safe_s / async_s);
	printf("race_bank_safe_async_lock_wait_s=%.3f\n", sst.lock_wait_s);
	printf("race_bank_threads_broken_of_10=%d\n", broken);
}

static void bench_deadlock(void)
{
	struct run_config cfg;
	struct run_stats st;
	double worst = 0;
	int dead = 0;

	load("deadlock", &cfg);
	for (int i = 0; i < 20; i++) {
		once(&cfg, i % 2 ? MODEL_ASYNC : MODEL_THREADS, &st);
		if (!st.deadlock) {
			fprintf(stderr, "bench_race: deadlock not found\n");
			exit(1);
		}
		double ms = st.wall_s * 1e3 - (double)cfg.sc.arg;
		if (ms > worst)
			worst = ms;
	}
	load("philosophers", &cfg);
	for (uint64_t seed = 1; seed <= 20; seed++) {
		cfg.seed = seed;
		once(&cfg, MODEL_THREADS, &st);
		dead += st.deadlock;
	}
	printf("race_deadlock_found_ms=%.2f\n", worst);
	printf("race_philosophers_deadlocks_of_20=%d\n", dead);
}

int main(void)
{
	bench_bank();
	bench_deadlock();
	return 0;
}
