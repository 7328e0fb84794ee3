/* threads.c - a pool of W pthreads pulling tasks from one queue,
 * like Python's ThreadPoolExecutor. Under the simulated GIL only one of
 * them computes at a time; without it they run in parallel. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/msg.h"
#include "models/model.h"
#include "rt/job.h"
#include "rt/rt.h"

struct worker {
	struct job *job;
	struct rt rt;
	pthread_t thread;
	int started;
};

static void *worker_main(void *p)
{
	struct worker *w = p;

	job_worker(w->job, &w->rt);
	return NULL;
}

int model_threads_run(struct job *j)
{
	int n = j->workers;
	int started = 0;
	struct worker *ws = xcalloc((size_t)n, sizeof *ws);

	for (int i = 0; i < n; i++) {
		ws[i].job = j;
		job_rt_init(j, &ws[i].rt, i);
		/* Emitted here, before the thread exists, so startup is the
		 * lane's first state; pthread_create orders it before
		 * everything the worker itself emits. */
		rt_emit(&ws[i].rt, EV_STARTUP, 0);
		ws[i].started = pthread_create(&ws[i].thread, NULL, worker_main,
					       &ws[i]) == 0;
		if (!ws[i].started)
			rt_emit(&ws[i].rt, EV_DONE, 0);
		started += ws[i].started;
	}
	for (int i = 0; i < n; i++) {
		if (ws[i].started)
			pthread_join(ws[i].thread, NULL);
	}
	free(ws);
	return started > 0 ? 0 : -1;
}
