/* model.h - concurrency models: how the tasks of a run get executed.
 *
 * Folder models/, on rt/ (this is its main header): one file per model
 * (sync.c, threads.c, async.c, procs.c with procs_start.c) and their
 * table (model.c).
 * May include: models/, rt/, server/, core/; not work/ (a sibling), and
 * never app/: a model gets a struct job, not the run that owns it.
 *
 * A model runs every task of a job (rt/job.h), the worker's side of a run:
 * one struct rt per worker (lane) from job_rt_init, then job_worker (or
 * job_next_task to get work and job_exec_task to do it). Models never
 * touch the screen and never see the run that owns the job; they only
 * emit events through the runtime. Adding a model is one file and one
 * entry in the table of model.c.
 */
#ifndef CONVIZ_MODEL_H
#define CONVIZ_MODEL_H

struct job;

enum model_id {
	MODEL_SYNC = 0,
	MODEL_THREADS,
	MODEL_ASYNC,
	MODEL_PROCS,
	MODEL_COUNT
};

struct model_ops {
	const char *name;
	const char *about; /* one line for `conviz list` */
	/* How it runs tasks and what that teaches, in a few sentences: the
	 * help overlay shows it after the scenario's lesson. */
	const char *lesson;
	/* Runs all tasks of j, with j->workers workers, and returns when
	 * every worker has finished: 0, or -1 if the run could not complete
	 * (e.g. no thread could be started). NULL: the model is not
	 * available yet. Called on the run's own thread. */
	int (*run)(struct job *j);
	/* Does this model use more than one worker? (sync: no) */
	int pooled;
	/* What it emits itself, whatever the workload (EV_BIT()s):
	 * startup, and GIL waits when the GIL is on and workers share it. */
	unsigned kinds;
	/* The lanes it is shown with when --view does not say: 0 one per
	 * worker, 1 one per task (async: one thread, its overlap is between
	 * tasks). */
	int task_view;
	/* Its workers are processes: the run's ring must be one that other
	 * processes can push into (evring_new_shared), lanes are labelled
	 * with their process ids, and a worker can be killed. */
	int processes;
};

/* The model `id` (never NULL for id < MODEL_COUNT). */
const struct model_ops *model_get(enum model_id id);

/* The id of the model called `name`, or -1. */
int model_find(const char *name);

int model_sync_run(struct job *j);
int model_threads_run(struct job *j);
int model_async_run(struct job *j);
int model_procs_run(struct job *j);

#endif
