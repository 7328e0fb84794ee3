/* job.h - the worker's side of a run: what a model needs to execute the
 * tasks, and nothing of how the run was set up or what comes after.
 *
 * A run (app/run.c) owns a struct job: it fills in the inputs, calls
 * job_init, hands the job to its model (model_ops.run), and reads the
 * counters once the model has returned. A model only calls the functions
 * below: job_rt_init for each worker's rt, then job_worker for a worker's
 * whole life (or job_next_task and job_exec_task, one task at a time).
 * Workers share the job: the queue and the counters are atomics, the
 * rest is read-only while the model runs.
 */
#ifndef CONVIZ_JOB_H
#define CONVIZ_JOB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "rt/gil.h"
#include "rt/locks.h"
#include "rt/rt.h"
#include "rt/task.h"

struct evring;

/* Connections open at once under async when the job does not say: 100,
 * as aiohttp's default connector. */
#define JOB_LIMIT_DEFAULT 100

struct job {
	/* In: set by the owner before job_init, read-only afterwards. */
	const struct work_ops *work;
	const struct work_input *in; /* what the tasks read */
	struct task_result *results; /* `tasks` of them, zeroed */
	uint32_t tasks;
	int workers;	     /* lanes the model runs (sync: 1) */
	struct evring *ring; /* where events go; NULL: tracing off */
	int gil_on;	     /* 1: the workers share the simulated GIL */
	int limit;	     /* async: connections open at once (0: the
				default, JOB_LIMIT_DEFAULT) */
	int64_t corrupt;     /* test hook: this task's answer is made wrong
				(-1: none; see run_test_corrupt_task) */
	/* procs: tasks handed to a worker process at a time (0: 1), how it
	 * starts (enum procs_start), and what a worker process rebuilds its
	 * input from (packed by the owner; models/procs.h). */
	int chunk;
	int start;
	const void *payload;
	size_t payload_len;
	/* Set up by job_init, freed by job_destroy. */
	struct gil gil; /* set up whether gil_on or not */
	/* The program locks (rt_lock): as many as work->locks gives for
	 * in->sc (none without it), and what they did. */
	struct rt_locks locks;
	struct rt_lock_report lockrep;
	struct rt_vars *vars; /* the shared values (rt/shared.h): none until
				 the owner sets some up (rt_vars_init) */
	int gil_ok;	      /* the GIL is set up */
	/* Shared by the workers; the owner reads them. */
	atomic_uint next;      /* the task queue: the next task index */
	atomic_uint done;      /* tasks finished */
	atomic_int cancel;     /* set (by the owner): hand out no more tasks */
	atomic_llong ready_ns; /* the workers' ready time, summed as they end */
	/* procs: CPU time of the worker processes, as each is reaped (the
	 * owner's own getrusage never counts it). */
	atomic_llong child_cpu_ns;
	/* procs: the pool while it runs (for procs_kill_one), else NULL;
	 * guarded by the pool's own lock. */
	void *pool;
};

/* Sets up the GIL and the program locks of a job whose counters are zero
 * (a zeroed struct, inputs filled in: the locks follow from work and
 * in->sc). 0, or -1 with "what: what to do"
 * in err; job_destroy then frees what was set up. The owner's thread,
 * before the model runs. */
int job_init(struct job *j, char *err, size_t errlen);

/* Sets up the shared values the workload's tasks use (work->shared; none
 * if it has none), in this process: each worker process has its own. 0,
 * or -1 if the workload asks for more than RT_VARS_MAX. After job_init. */
int job_share(struct job *j, const struct work_ops *work,
	      const struct scenario *sc);

/* Frees what job_init set up, even a part of it; a zeroed job is fine.
 * Not the inputs (they are the owner's). After the model returned. */
void job_destroy(struct job *j);

/* Gives the next task to run: 0 and *task, or -1 when none is left or the
 * job was cancelled. Any worker thread; lock-free. */
int job_next_task(struct job *j, uint32_t *task);

/* Sets up the rt of worker `lane` (the blocking ops, the ring, the GIL,
 * the locks, the cancel flag). Any thread, before the worker uses rt. */
void job_rt_init(struct job *j, struct rt *rt, int lane);

/* Runs one task on rt's worker: emits cpu for it, calls the workload,
 * records the result (and an error marker if it failed). rt's thread. */
void job_exec_task(struct job *j, struct rt *rt, uint32_t task);

/* The whole life of one worker on its own thread: takes the GIL, runs
 * tasks until none is left, marks the lane done, adds its ready time to
 * the job's, lets the GIL go. */
void job_worker(struct job *j, struct rt *rt);

#endif
