/* task.h - what a task is, for every layer from the runtime up.
 *
 * The interface types between the layers, each in the lowest layer that
 * uses it: a workload's numbers (struct scenario, plain data), what a task
 * reads besides its number (struct work_input), what it gives back
 * (struct task_result), and what a workload supplies (struct work_ops).
 * The worker's side of a run (rt/job.h) executes tasks through these without
 * knowing any workload; work/ implements struct work_ops; app/ fills
 * struct scenario from a file (app/scenario.h) and struct work_input for
 * a run (app/run.c). Types only: no code lives here.
 */
#ifndef CONVIZ_TASK_H
#define CONVIZ_TASK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct rt;
struct urllist;
struct www;

/* A scenario: a workload and its numbers, as a scenario file gives them
 * (the file format and its limits: app/scenario.h). Plain data, copied
 * freely. */
#define SCENARIO_NAME_MAX 32
#define SCENARIO_TEXT_MAX 256
#define SCENARIO_MODELS 4      /* sync, threads, async, procs */
#define SCENARIO_LINE_MAX 1024 /* also the longest line of a file */

struct scenario {
	char name[SCENARIO_NAME_MAX];
	char title[SCENARIO_TEXT_MAX];
	char workload[SCENARIO_NAME_MAX];
	char lesson[SCENARIO_TEXT_MAX];
	char urls[SCENARIO_LINE_MAX]; /* I/O workloads: the `urls` value */
	long tasks;
	long arg;
	int workers; /* 0: Python's default pool size, min(32, cores + 4) */
	/* I/O workloads: GET with the blocking call whatever the model
	 * (requests.get inside a coroutine: the whole loop waits). */
	int blocking;
	double scale; /* default --scale */
	/* `hog = WORKLOAD ARG at TASK`: task hog_task runs hog_workload (a
	 * CPU workload) with hog_arg instead of this scenario's work, as one
	 * greedy task amid others. hog_workload "" : no hog. */
	char hog_workload[SCENARIO_NAME_MAX];
	long hog_arg;
	long hog_task;
	/* Race workloads: steps of busy work between a load of a shared
	 * value and the store that follows it (the race window). */
	long gap;
	/* What the tutorial reported for this program (`reported`, with
	 * `reported_by` naming the source): seconds per model, in enum
	 * model_id's order (sync, threads, async, procs); 0: none. */
	double reported_s[SCENARIO_MODELS];
	char reported_by[SCENARIO_TEXT_MAX];
};

enum task_status { TASK_PENDING = 0, TASK_OK, TASK_FAILED };

/* Failure codes of the workloads themselves (others are HTTP statuses
 * >= 400 and minus libcurl's codes, see rt_http_get). */
#define WORK_ERR_URL (-1001)   /* the URL made from a template is too long */
#define WORK_ERR_PARSE (-1002) /* the answer is not what the task reads */
#define WORK_ERR_DIED (-1003)  /* procs: the worker process running it died */
#define WORK_ERR_DEADLOCK (-1004) /* it waited for a lock in a deadlock */

/* What `expect` returns when the run was cancelled before it knew. */
#define WORK_STOPPED (-2)

#define WORK_TEXT_MAX 32

/* What a task gives back, written by work_ops.run. */
struct task_result {
	int64_t ivalue; /* integer results (fib, primes; low 64 bits of sumsq;
			   bytes of an HTTP answer) */
	int64_t ihigh;	/* high 64 bits of a 128-bit result (sumsq); the
			   HTTP status */
	double dvalue;	/* floating results (math) */
	/* A word of text: a pokemon's name; for a failed task, why it
	 * failed ("connection refused", "HTTP 404"). Always NUL-ended. */
	char text[WORK_TEXT_MAX];
	uint8_t status; /* enum task_status */
};

/* What a task needs to know besides its number. Read-only during a run. */
struct work_input {
	const struct scenario *sc;
	double scale; /* the work multiplier (CPU workloads) */
	/* I/O workloads: URL templates; task i fetches number i % count,
	 * "{n}" replaced by sc->arg + i (see urllist_expand). NULL for CPU
	 * workloads. */
	const struct urllist *urls;
	const char *base;      /* the embedded server's URL, or NULL */
	const struct www *www; /* its pages, for `expect`; or NULL */
	/* Set when the run is cancelled: a long `expect` (a table to build)
	 * looks at it and gives up. NULL: never. */
	const atomic_int *stop;
	uint64_t seed; /* --seed: what random choices a task makes follow
			  from it and the task's number (bank transfers) */
};

/* A workload: one family of task bodies (work/), written against the
 * rt_* API (rt.h), never knowing which model runs them. */
struct work_ops {
	const char *name;
	long arg_min, arg_max; /* the scenario's `arg` must lie in here */
	long last_arg_max;     /* if > 0: arg + tasks - 1 must not pass it */
	long tasks_min, tasks_max; /* if > 0: the scenario's tasks must lie
				      in here (the philosophers: 2..64) */
	/* Runs task `task` of in->sc, writing the result. Calls rt_tick often
	 * enough (every ~50 us) for the GIL to switch. Returns 0, or a
	 * nonzero code if the task failed (an HTTP status >= 400, or minus a
	 * libcurl error), with why in res->text. */
	int (*run)(struct rt *rt, const struct work_input *in, uint32_t task,
		   struct task_result *res);
	/* Writes the right result of that task, computed independently (a
	 * closed form, a table, a slower method, the embedded server's own
	 * pages). Returns 0, -1 if there is no independent answer (a real
	 * URL of the internet), or WORK_STOPPED if in->stop was set first.
	 * Called on the run's own thread once the tasks are done, never on
	 * the UI thread. */
	int (*expect)(const struct work_input *in, uint32_t task,
		      struct task_result *want);
	/* Writes the result as people read it ("9227465", "2000001.0"). */
	void (*format)(const struct task_result *res, char *buf, size_t len);
	/* Writes what the tasks of sc really compute at `scale`, with the
	 * numbers the task bodies use, worded as the scenario titles are:
	 * brief == 0, the whole work ("fib(30) x20, naive recursion
	 * (CPU-bound)"); brief == 1, only what the scale changes ("fib(30)
	 * x20"). Any thread. NULL: the work does not scale (I/O workloads),
	 * and sc->title says it. */
	void (*describe)(const struct scenario *sc, double scale, int brief,
			 char *buf, size_t len);
	/* Race workloads: the shared values their tasks load and store
	 * (rt/shared.h): sets initial[0..n-1] (n <= RT_VARS_MAX) and returns
	 * n. NULL: the workload shares nothing. */
	int (*shared)(const struct scenario *sc, int64_t *initial);
	/* And what the values must sum to once every task has run at
	 * `scale` (the invariant a lost update breaks). */
	int64_t (*expected_sum)(const struct scenario *sc, double scale);
	/* What people call a value: "x" when there is one, else the word
	 * before its number ("bank" 0, 1, ...). */
	const char *var_label;
	/* The program locks its tasks use (rt_lock ids 0..n-1): returns n
	 * (<= RT_LOCKS_MAX, rt/locks.h) and sets reentrant[i] for each
	 * (1: an RLock, which its holder may take again). NULL: none. */
	int (*locks)(const struct scenario *sc, uint8_t *reentrant);
	int io; /* 1: I/O-bound; the scenario needs `urls` */
	/* Writes what task `task` asks for, briefly, for the TUI's cursor
	 * panel: "GET http://127.0.0.1:8080/page/7". NULL: nothing to say
	 * beyond the title. Any thread, while in lives. */
	void (*what)(const struct work_input *in, uint32_t task, char *buf,
		     size_t len);
	/* What its tasks may emit besides cpu and ready (EV_BIT()s): the
	 * TUI's legend shows only what a run can draw. */
	unsigned kinds;
};

#endif
