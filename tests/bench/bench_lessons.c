/* bench_lessons.c - the CPU lesson in figures: fib at its default scale
 * under sync, threads -w 2 with the GIL, and threads -w 2 without it.
 * Untraced, best of several alternating rounds, so one noisy moment on a
 * shared machine does not decide the figure. Prints:
 *   lesson_fib_sync_s=  lesson_fib_threads_gil_s=  lesson_fib_threads_nogil_s=
 *   lesson_fib_nogil_speedup=  sync / threads without GIL (goal >= 1.8 on 2 cores)
 *   lesson_fib_gil_ratio=      sync / threads with GIL (goal 0.9 .. 1.02) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "scenario.h"

static double once(const struct run_config *cfg)
{
	char err[256];
	struct run_stats st;
	struct run *r = run_start(cfg, NULL, err, sizeof err);

	if (!r) {
		fprintf(stderr, "bench_lessons: %s\n", err);
		exit(1);
	}
	run_wait(r, &st);
	run_free(r);
	if (st.ok != st.tasks || st.wrong) {
		fprintf(stderr, "bench_lessons: wrong results\n");
		exit(1);
	}
	return st.wall_s;
}

int main(void)
{
	static const struct {
		enum model_id model;
		int gil;
		const char *name;
	} runs[] = { { MODEL_SYNC, 1, "sync" },
		     { MODEL_THREADS, 1, "threads_gil" },
		     { MODEL_THREADS, 0, "threads_nogil" } };
	double best[3] = { 1e9, 1e9, 1e9 };
	struct run_config cfg;
	char err[512];

	memset(&cfg, 0, sizeof cfg);
	if (scenario_load("fib", &cfg.sc, err, sizeof err) < 0) {
		fprintf(stderr, "bench_lessons: %s\n", err);
		return 1;
	}
	cfg.workers = 2;
	cfg.scale = cfg.sc.scale; /* the default run the lesson shows */
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 3; i++) {
			cfg.model = runs[i].model;
			cfg.gil = runs[i].gil;
			double s = once(&cfg);
			if (s < best[i])
				best[i] = s;
		}
	}
	for (int i = 0; i < 3; i++)
		printf("lesson_fib_%s_s=%.3f\n", runs[i].name, best[i]);
	printf("lesson_fib_nogil_speedup=%.2f\n", best[0] / best[2]);
	printf("lesson_fib_gil_ratio=%.3f\n", best[0] / best[1]);
	return 0;
}
