/* rt.h - the runtime API that workloads call, and that models implement.
 *
 * Folder rt/, on core/ (this is its main header): the runtime API that
 * workloads call (this file), its blocking implementation (rt.c,
 * rt_http.c, rt_ready.c), the GIL (gil.h), what a task is (task.h), and
 * the worker's side of a run (job.h: taking the next task, executing it,
 * a worker's rt and loop, the locks): all a model needs from a run.
 * May include: rt/ and core/; not server/ (a sibling), nothing above.
 *
 * Workloads call rt_tick, rt_sleep_ns, rt_http_get, rt_lock/rt_unlock and
 * rt_load/rt_store (rt/shared.h) and never know which model runs them:
 * sync, threads and procs block, async yields to its event loop, exactly
 * as Python swaps `requests` for `aiohttp`. The runtime emits the state
 * changes and markers itself (cpu, io, lock-wait, gil-wait; reads,
 * writes, lost updates, locks taken and let go), so task bodies carry no
 * instrumentation.
 *
 * One struct rt per worker (or per coroutine); only its own thread uses it.
 */
#ifndef CONVIZ_RT_H
#define CONVIZ_RT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/ev.h"
#include "rt/gil.h"
#include "rt/locks.h"

struct rt;
struct evring;
struct rt_vars;
struct rt_locks;

/* Waits for an HTTP answer: connecting at most RT_HTTP_CONNECT_MS, the
 * whole exchange at most RT_HTTP_TOTAL_MS (then it failed: timed out). */
#define RT_HTTP_CONNECT_MS 5000
#define RT_HTTP_TOTAL_MS 15000
#define RT_HTTP_ERROR_MAX 48

/* One HTTP GET: what the caller gives, and what comes back. */
struct rt_http {
	/* In: where to keep the start of the body (NULL/0: keep none; the
	 * bytes are counted all the same). */
	char *body;
	size_t cap;
	/* In: the whole exchange's limit in ms; 0: RT_HTTP_TOTAL_MS. */
	long timeout_ms;
	/* Out. */
	size_t kept;  /* bytes stored in body (<= cap, not NUL-ended) */
	size_t bytes; /* bytes of body received (decoded) */
	long status;  /* the HTTP status; 0 if no answer came */
	/* "" on success; else why, short, for people: "connection refused",
	 * "timed out", "HTTP 404 Not Found", ... */
	char error[RT_HTTP_ERROR_MAX];
};

/* What a model supplies. Every op is called by the worker that owns rt.
 * tick:     called by rt_tick only when the GIL holder is asked to let go.
 * sleep_ns: waits `ns` (state io; the GIL is released meanwhile).
 * lock:     takes program lock `id` (state lock-wait while it waits; the
 *           GIL is released while waiting): 0, or -1 if the task cannot
 *           have it because a deadlock was found (rt/locks.h): the task
 *           then gives up and fails. unlock: lets it go.
 * (Markers - reads, writes, lost updates, locks taken and let go - are
 * emitted by the runtime itself: rt/shared.h, rt/locks.h.) */
struct rt_ops {
	void (*tick)(struct rt *rt);
	void (*sleep_ns)(struct rt *rt, int64_t ns);
	int (*lock)(struct rt *rt, int id);
	void (*unlock)(struct rt *rt, int id);
	/* http_get: GETs url (state io while it waits; the GIL is released
	 * meanwhile), following redirects. 0 if an answer with a status
	 * below 400 came; else the status (>= 400), or minus libcurl's error
	 * code when no answer came; reply->error says why. */
	int (*http_get)(struct rt *rt, const char *url, struct rt_http *reply);
};

struct rt {
	const struct rt_ops *ops;
	struct rt_locks *locks;	  /* the program locks (rt/locks.h),
				     shared by the run's workers */
	struct evring *ring;	  /* where events go; NULL: tracing off */
	struct rt_vars *vars;	  /* the shared values (rt/shared.h) */
	struct gil *gil;	  /* NULL: no GIL */
	const atomic_int *cancel; /* set when the run is cancelled, or NULL */
	uint32_t task;		  /* the task being run, or EV_NO_TASK */
	uint16_t lane;
	/* The worker's HTTP session (a libcurl handle), made on its first
	 * GET and reused, as the seeds keep one requests.Session per thread:
	 * connections stay open between requests. Freed by rt_cleanup. */
	void *http;
	/* Ready time (rt_ready.c): while the lane says cpu, the thread's own
	 * CPU time is compared with the wall time now and then; the shortfall
	 * is time it was runnable but had no core, drawn as EV_READY. */
	uint32_t tick_budget; /* rt_tick calls left before the next sample */
	uint32_t tick_every;  /* calls between samples, adapted to ~1 ms */
	int64_t sample_ns;    /* when the budget was last refilled */
	int64_t win_ns;	      /* start of the cpu stretch measured; 0: none */
	int64_t win_cpu_ns;   /* the thread's CPU time at win_ns */
	int64_t last_ev_ns;   /* time of this lane's last event */
	uint32_t last_task;   /* and its task */
	int64_t ready_ns;     /* ready time drawn on this lane, in all */
};

/* Samples the thread's CPU time (see struct rt); called by rt_tick every
 * tick_every calls. Worker thread. */
void rt_ready_sample(struct rt *rt);

/* A long CPU loop calls this every ~50 us: under a GIL it is where the
 * thread hands the GIL over when another waits (CPython's eval-loop check),
 * and about once a millisecond it measures whether the thread really had a
 * core (ready time). Costs one relaxed load and a decrement when nobody
 * waits. */
static inline void rt_tick(struct rt *rt)
{
	if (rt->gil && gil_drop_requested(rt->gil))
		rt->ops->tick(rt);
	if (--rt->tick_budget == 0)
		rt_ready_sample(rt);
}

static inline void rt_sleep_ns(struct rt *rt, int64_t ns)
{
	rt->ops->sleep_ns(rt, ns);
}

/* 0: the task holds lock `id`; -1: a deadlock was found and the run is
 * stopping: the task must give up (fail), holding what it holds. */
static inline int rt_lock(struct rt *rt, int id)
{
	return rt->ops->lock(rt, id);
}

static inline void rt_unlock(struct rt *rt, int id)
{
	rt->ops->unlock(rt, id);
}

/* rt_lock's first step, the same under every model: task `task` on `lane`
 * asks for lock `id` (rt_locks_take on rt's table, under its mutex), and its
 * lane is told what came of it: acquire for RT_TAKEN; lock-wait for
 * RT_BUSY (the model then waits its own way, asking again with
 * rt_locks_retry, then calls rt_lock_waited); lock-wait and deadlock for
 * RT_CYCLE (this take closed a cycle); nothing for RT_DEADLOCK (one was
 * found before: the run is stopping). Mutex not held. */
enum rt_take rt_lock_ask(struct rt *rt, uint32_t task, uint16_t lane, int id);

/* rt_lock's last step, after a wait that ended in r: acquire if the task
 * took the lock, then cpu (it runs again). Returns what rt_lock returns:
 * 0 taken, -1 not (a deadlock). */
int rt_lock_waited(struct rt *rt, enum rt_take r, int id);

static inline int rt_http_get(struct rt *rt, const char *url,
			      struct rt_http *reply)
{
	return rt->ops->http_get(rt, url, reply);
}

/* Emits an event for rt's lane and task, if tracing is on. Worker thread
 * (or the thread that starts the worker, before it exists). Before the
 * event, the cpu stretch it ends is checked for ready time. */
void rt_emit(struct rt *rt, enum ev_kind kind, int64_t arg);

/* Sets up rt's ready-time sampling (tracing off: none). Before first use. */
void rt_ready_init(struct rt *rt);

/* Takes the GIL for rt's thread (if there is one), showing gil-wait on
 * the lane if it has to wait. The caller emits the state that follows. */
void rt_gil_enter(struct rt *rt);

/* Lowers the calling thread's timer slack to 1 ns, so a 0.1 ms sleep lasts
 * 0.1 ms and not ~0.15 ms (Linux's default slack is 50 us). Per thread. */
void rt_thread_setup(void);

/* Frees what the worker's rt holds (its HTTP session). The worker's
 * thread, when it has no task left. */
void rt_cleanup(struct rt *rt);

/* Once per process, before the first run that may use HTTP: sets up
 * libcurl. Any thread; safe to call again. */
void rt_http_init(void);

/* The blocking implementation, shared by sync and threads: real sleeps
 * (with 1 ns timer slack), locks that block the thread on the lock
 * table's condition (rt/locks.h), the GIL handed over in tick,
 * HTTP through one reused libcurl easy handle per worker (rt_http.c). */
extern const struct rt_ops rt_blocking_ops;

/* The blocking GET (rt_http.c), for rt_blocking_ops and for models that
 * block too; and for a workload that must block whatever the model (a
 * scenario with `blocking = yes`: `requests.get` called inside asyncio,
 * which stops the whole event loop until the answer comes). */
int rt_http_get_blocking(struct rt *rt, const char *url, struct rt_http *reply);
/* Makes the worker's blocking HTTP session now rather than on its first
 * GET (a process pool's initializer does it before the first task). 0, or
 * -1 when out of memory. */
int rt_http_open(struct rt *rt);
void rt_http_cleanup(struct rt *rt);

#endif
