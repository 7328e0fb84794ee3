/* procs.h - the process pool (-m procs): what the program sets up before
 * any thread exists, the three ways a worker process starts, and the
 * worker's side of the pool.
 *
 * A worker process cannot use the parent's pointers (under spawn it is a
 * new program): it rebuilds what its tasks read from a payload, bytes the
 * run packs (job.payload) and that the parent puts in the pool's shared
 * control block. The program supplies the function that unpacks it
 * (procs_child_fn, in app/run.c): it rebuilds the workload and its input,
 * then calls procs_child_run, which runs tasks until the parent has none
 * left. Models know no workload; this keeps it so.
 *
 * Start methods (--start), as Python's multiprocessing:
 *   forkserver  (the default) a small single-threaded helper, forked by
 *               procs_init before any other thread exists, forks each
 *               worker on request;
 *   fork        the run's thread forks the worker directly (procs_start.c
 *               says what makes that safe in a program with threads);
 *   spawn       fork, then execute conviz again at once with the hidden
 *               PROCS_WORKER_ARG entry (procs_spawned_main).
 */
#ifndef CONVIZ_PROCS_H
#define CONVIZ_PROCS_H

#include <stddef.h>
#include <sys/types.h>

#include "rt/task.h"

struct procs_child;

enum procs_start {
	PROCS_FORKSERVER = 0,
	PROCS_FORK,
	PROCS_SPAWN,
	PROCS_START_COUNT
};

/* The hidden first argument of a spawned worker: conviz --procs-worker
 * CTL RING SOCK LANE (file descriptors it inherits, and its lane). */
#define PROCS_WORKER_ARG "--procs-worker"

/* Worker processes at most, whatever the machine allows. */
#define PROCS_WORKERS_MAX 256

/* What a worker process runs once its shared memory is mapped: unpack
 * `payload` (job.payload, `len` bytes), rebuild the work, and return
 * procs_child_run's status. In the worker process only. */
typedef int (*procs_child_fn)(struct procs_child *pc, const void *payload,
			      size_t len);

/* The name of a start method ("forkserver"), and the method called
 * `name` (-1: none). */
const char *procs_start_name(int start);
int procs_start_find(const char *name);

/* Once, early in main, while the process has one thread: remembers fn
 * and the program's own path (for spawn), and starts the forkserver. 0,
 * or -1 with "what: what to do" in err (then --start forkserver cannot
 * run; the others still can). */
int procs_init(procs_child_fn fn, char *err, size_t errlen);

/* The whole life of a spawned worker: argv are the arguments after
 * PROCS_WORKER_ARG. Returns the process's exit status. */
int procs_spawned_main(int argc, char **argv, procs_child_fn fn);

/* The worker's side: runs the tasks the parent hands this process (a
 * chunk at a time), with `work` reading `in`, on its own lane, with its
 * own GIL and program locks; results go to the shared block, events to
 * the shared ring. Returns the exit status (0: every chunk done). */
int procs_child_run(struct procs_child *pc, const struct work_ops *work,
		    struct work_input *in);

/* The most worker processes this user may start now (the process limit,
 * PROCS_WORKERS_MAX at most). */
int procs_workers_allowed(void);

/* What the TUI's kill key does: sends SIGKILL to one worker of the procs
 * run of `j`, preferring one that runs a task. 0 with its lane and pid,
 * or -1 if none runs. Any thread. */
struct job;
int procs_kill_one(struct job *j, int *lane, pid_t *pid);

#endif
