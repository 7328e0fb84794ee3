/* run.h - one run: a scenario executed by a model, on a thread of its own.
 *
 * run_start starts a thread that hands the run to its model and returns at
 * once; the caller (UI thread or headless collector) drains the ring while
 * the run goes on, polls run_finished, and calls run_wait for the stats.
 *
 * The orchestration only: the run sets up what its tasks read (their URLs,
 * the embedded server), hands its job (rt/job.h, the worker's side: task
 * queue, execution, locks, GIL) to the model, then checks the answers and
 * counts. Models see the job, never the run.
 */
#ifndef CONVIZ_RUN_H
#define CONVIZ_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "models/model.h"
#include "rt/job.h"
#include "rt/locks.h"
#include "rt/task.h"

struct evring;
struct ledger;
struct urllist;

#define RUN_WORKERS_MAX 1024
#define RUN_LIMIT_MAX 10000		    /* --limit */
#define RUN_LIMIT_DEFAULT JOB_LIMIT_DEFAULT /* aiohttp's connector's */
#define RUN_CHUNK_MAX 100000		    /* --chunk */
#define RUN_CYCLE_MAX 512		    /* a deadlock's cycle, as text */

struct run_config {
	struct scenario sc; /* copied: the run owns its scenario */
	enum model_id model;
	int workers; /* 1..RUN_WORKERS_MAX (sync: forced to 1) */
	int limit;   /* async: connections open at once; 0: 100 */
	int chunk;   /* procs: tasks handed out at a time; 0: 1 */
	int start;   /* procs: enum procs_start (forkserver by default) */
	int gil;     /* 1: simulated GIL on */
	uint64_t seed;
	double scale; /* work multiplier, > 0 */
	/* I/O workloads: URLs that replace the scenario's (--url-file),
	 * borrowed: they must outlive every run started with them. NULL:
	 * the scenario's own `urls`. Ignored by CPU workloads. */
	const struct urllist *urls;
	const char *urls_from; /* the file they came from (for titles) */
	/* How many URLs there were, when urls is not kept (a replay): the
	 * title counts them. 0 otherwise. */
	size_t urls_count;
	/* How the run is shown (the run itself ignores it): -1 as its
	 * model prefers (model_ops.task_view), else an enum timeline_view. */
	int view;
};

struct run_stats {
	/* ok: tasks whose answer is right (or has no independent check);
	 * failed: tasks that failed (an error, counted, the run goes on);
	 * wrong: tasks that returned a wrong answer - conviz itself is
	 * broken then, and the run did not complete (status -1). */
	uint32_t tasks, ok, failed, wrong;
	int64_t first_wrong; /* the first wrong task, or -1 */
	char wrong_got[WORK_TEXT_MAX + 16], wrong_want[WORK_TEXT_MAX + 16];
	int64_t start_ns, end_ns; /* CLOCK_MONOTONIC */
	double wall_s, cpu_s;	  /* cpu: user+sys of the process and
				     of its worker processes */
	double ready_s;		  /* lanes ready, waiting for a core */
	double stall_s;		  /* producers waiting for room in the ring */
	uint64_t events, stalls, gil_switches; /* events: pushed */
	uint64_t dropped; /* pushed but never consumed: the consumer fills it */
	int status;	  /* 0 completed, -1 could not complete */
	int cancelled;
	int checked; /* 1: every answer was checked (not cut short) */
	/* Race scenarios (race = 1): what the shared values should sum to,
	 * what they sum to in this process, the stores that overwrote
	 * others' updates and what those were worth. */
	int race;
	int64_t expected_sum, final_sum;
	uint64_t lost_updates;
	int64_t lost_amount;
	/* Scenarios with program locks (locks > 0): time tasks waited for a
	 * lock and time locks were held, in all; takes that had to wait;
	 * whether a deadlock was found, and its cycle as people read it. */
	int locks;
	double lock_wait_s, lock_hold_s;
	uint64_t lock_waits;
	int deadlock;
	char cycle[RUN_CYCLE_MAX];
	int ncycle; /* and its steps, as the runtime found them */
	struct rt_cycle_step cycle_step[RT_LOCKS_MAX];
};

struct run;

/* A ring for runs of cfg: one that worker processes can push into when
 * its model has them (evring_new_shared), else evring_new's. NULL when
 * out of memory. */
struct evring *run_ring_new(const struct run_config *cfg, size_t capacity);

/* Starts cfg on a new thread, events into `ring` (NULL: no tracing; a
 * model with worker processes needs a ring of evring_new_shared).
 * An I/O scenario with paths for the embedded server first starts that
 * server, in this process, on an ephemeral loopback port (seeded with
 * cfg->seed); it serves until run_free. Returns NULL with "what: what to
 * do" in err if it cannot start. */
struct run *run_start(const struct run_config *cfg, struct evring *ring,
		      char *err, size_t errlen);

/* Has the model returned? Any thread. */
int run_finished(struct run *r);

/* Asks the run to stop handing out tasks; the running ones finish (an
 * HTTP request in flight is abandoned at once), and checking the answers
 * stops. */
void run_cancel(struct run *r);

/* Test hook: runs started after this call return a wrong answer for task
 * `task` (-1: none, the default), so tests can show a wrong answer fails
 * the run. Never used by conviz. */
void run_test_corrupt_task(int64_t task);

/* The same for runs of one model only (enum model_id), so a test can show
 * one model failing amid a comparison. */
void run_test_corrupt_model(int64_t task, int model);

/* Joins the run's thread and fills *st. Call once. 0 or -1 (-1 = the run
 * could not complete, or gave a wrong answer). Never long: the answers
 * were checked on the run's thread before run_finished said so. */
int run_wait(struct run *r, struct run_stats *st);

/* Frees a joined run. NULL is fine. */
void run_free(struct run *r);

/* Kills one worker process of a running procs run with SIGKILL (the
 * TUI's x): 0 with its lane and pid, or -1 (with why in err) if the model
 * has no processes or none runs. Any thread. */
int run_kill_worker(struct run *r, int *lane, long *pid, char *err,
		    size_t errlen);

/* What a worker process of the procs model runs (procs_child_fn): it
 * rebuilds the run's scenario, scale and URLs from the payload the run
 * packed, then runs its tasks. In the worker process only. */
struct procs_child;
int run_procs_child(struct procs_child *pc, const void *payload, size_t len);

/* Read-only views, any thread. */
const struct run_config *run_config(const struct run *r);
int64_t run_origin_ns(const struct run *r); /* when the run started */
uint32_t run_tasks_done(struct run *r);
/* The embedded server's URL ("http://127.0.0.1:PORT"), or NULL if this
 * run started none. */
const char *run_server_url(const struct run *r);
const struct task_result *run_result(const struct run *r, uint32_t task);
/* What task `task` asks for ("GET http://..."), as the workload words it
 * (work_ops.what): 0, or -1 (buf "") when it says nothing. */
int run_task_what(const struct run *r, uint32_t task, char *buf, size_t len);

/* The pool a model gets when -w does not say: one process per core for
 * procs (ProcessPoolExecutor's default), else the scenario's `workers`,
 * else Python's thread pool default (scenario_default_workers). */
int run_default_workers(const struct scenario *sc, enum model_id model);

/* The most workers a run of `model` may have here (procs: what the
 * process limit allows, procs_workers_allowed). */
int run_workers_max(enum model_id model);

/* The run's worker count after model rules (sync: 1). */
/* Sets up the race lab's books (core/ledger.h) for r: its shared values
 * as they start and must end, its program locks. The ring's consumer. */
void run_ledger_init(const struct run *r, struct ledger *lg);

/* A run that found a deadlock: its books show the cycle exactly as the
 * runtime found it (ledger_cycle). Nothing for another run. */
void run_ledger_cycle(struct ledger *lg, const struct run_stats *st);

/* What people call r's shared values: "x", "bank" (then numbered). */
const char *run_var_label(const struct run *r);

int run_workers(const struct run *r);

/* The lanes c is shown with (an enum timeline_view): --view's, else its
 * model's default. Any thread. */
int run_config_view(const struct run_config *c);

#endif
