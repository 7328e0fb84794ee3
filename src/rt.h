/* rt.h - the runtime API that workloads call, and that models implement.
 *
 * Workloads call rt_tick, rt_sleep_ns, rt_lock/rt_unlock and rt_mark and
 * never know which model runs them: sync and threads (and later procs)
 * block, async (later) yields to its event loop, exactly as Python swaps
 * `requests` for `aiohttp`. The runtime emits the state changes itself
 * (cpu, io, lock-wait, gil-wait), so task bodies carry no instrumentation.
 *
 * One struct rt per worker (or per coroutine); only its own thread uses it.
 */
#ifndef CONVIZ_RT_H
#define CONVIZ_RT_H

#include <stdint.h>

#include "ev.h"
#include "gil.h"

struct rt;
struct evring;
struct run;

#define RT_LOCKS 8 /* program locks a workload may use: ids 0..RT_LOCKS-1 */

/* What a model supplies. Every op is called by the worker that owns rt.
 * tick:     called by rt_tick only when the GIL holder is asked to let go.
 * sleep_ns: waits `ns` (state io; the GIL is released meanwhile).
 * lock:     takes program lock `id` (state lock-wait while it waits; the
 *           GIL is released while waiting). unlock: lets it go.
 * mark:     puts a marker (EV_READ, EV_WRITE, ...) on the lane. */
struct rt_ops {
	void (*tick)(struct rt *rt);
	void (*sleep_ns)(struct rt *rt, int64_t ns);
	void (*lock)(struct rt *rt, int id);
	void (*unlock)(struct rt *rt, int id);
	void (*mark)(struct rt *rt, enum ev_kind kind, int64_t arg);
};

struct rt {
	const struct rt_ops *ops;
	struct run *run;     /* the run this worker belongs to */
	struct evring *ring; /* where events go; NULL: tracing off */
	struct gil *gil;     /* NULL: no GIL */
	uint32_t task;	     /* the task being run, or EV_NO_TASK */
	uint16_t lane;
};

/* A long CPU loop calls this every ~50 us: under a GIL it is where the
 * thread hands the GIL over when another waits (CPython's eval-loop check).
 * Costs one relaxed load when nobody waits. */
static inline void rt_tick(struct rt *rt)
{
	if (rt->gil && gil_drop_requested(rt->gil))
		rt->ops->tick(rt);
}

static inline void rt_sleep_ns(struct rt *rt, int64_t ns)
{
	rt->ops->sleep_ns(rt, ns);
}

static inline void rt_lock(struct rt *rt, int id)
{
	rt->ops->lock(rt, id);
}

static inline void rt_unlock(struct rt *rt, int id)
{
	rt->ops->unlock(rt, id);
}

static inline void rt_mark(struct rt *rt, enum ev_kind kind, int64_t arg)
{
	rt->ops->mark(rt, kind, arg);
}

/* Emits an event for rt's lane and task, if tracing is on. Worker thread. */
void rt_emit(struct rt *rt, enum ev_kind kind, int64_t arg);

/* Takes the GIL for rt's thread (if there is one), showing gil-wait on
 * the lane if it has to wait. The caller emits the state that follows. */
void rt_gil_enter(struct rt *rt);

/* Lowers the calling thread's timer slack to 1 ns, so a 0.1 ms sleep lasts
 * 0.1 ms and not ~0.15 ms (Linux's default slack is 50 us). Per thread. */
void rt_thread_setup(void);

/* The blocking implementation, shared by sync and threads: real sleeps
 * (with 1 ns timer slack), pthread mutexes, the GIL handed over in tick. */
extern const struct rt_ops rt_blocking_ops;

#endif
