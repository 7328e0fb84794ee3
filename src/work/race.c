/* race.c - the race lab's counter: each task does `x = x + 1`, arg times,
 * on one shared value (rt/shared.h).
 *
 *   counter         a load, the add, a store: two atomic steps, and the
 *                   sequence between them is not one (Python's bytecodes);
 *   counter-locked  the same inside program lock 0 (`with lock:`);
 *   counter-atomic  one atomic add (itertools.count, or a C atomic).
 *
 * The scenario's `gap` puts that many steps of busy work between the load
 * and the store: a wider window for another worker to store meanwhile.
 * rt_tick is called at the loop's back-edge and inside the gap, where
 * CPython 3.10+ may switch threads: under the GIL the race then needs a
 * hand-over inside the gap (never with gap 0), without it the cores race
 * freely. Each task's result is the increments it made; the run checks
 * the final value against tasks x increments (expected_sum).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rt/rt.h"
#include "rt/shared.h"
#include "rt/task.h"

enum counter_kind { COUNTER_UNSAFE, COUNTER_LOCKED, COUNTER_ATOMIC };

/* Increments per task: arg at scale 1, at least 1. */
static long counter_times(const struct scenario *sc, double scale)
{
	double n = (double)sc->arg * scale + 0.5;

	return n < 1 ? 1 : (long)n;
}

/* A step of busy work the compiler cannot drop. */
static void gap_work(struct rt *rt, long steps)
{
	static volatile unsigned sink;

	for (long i = 0; i < steps; i++) {
		sink = sink * 31u + (unsigned)i;
		if ((i & 63) == 63)
			rt_tick(rt);
	}
}

static void increment(struct rt *rt, enum counter_kind kind, long gap)
{
	struct rt_seen seen;

	if (kind == COUNTER_ATOMIC) {
		rt_add(rt, 0, 1);
		return;
	}
	if (kind == COUNTER_LOCKED)
		rt_lock(rt, 0);
	rt_load(rt, 0, &seen);
	gap_work(rt, gap);
	rt_store(rt, 0, seen.value + 1, &seen);
	if (kind == COUNTER_LOCKED)
		rt_unlock(rt, 0);
}

static int counter_run_kind(struct rt *rt, const struct work_input *in,
			    struct task_result *res, enum counter_kind kind)
{
	long times = counter_times(in->sc, in->scale);

	for (long i = 0; i < times; i++) {
		increment(rt, kind, in->sc->gap);
		rt_tick(rt); /* the loop's back-edge */
	}
	res->ivalue = times;
	return 0;
}

static int counter_run(struct rt *rt, const struct work_input *in,
		       uint32_t task, struct task_result *res)
{
	(void)task;
	return counter_run_kind(rt, in, res, COUNTER_UNSAFE);
}

static int locked_run(struct rt *rt, const struct work_input *in, uint32_t task,
		      struct task_result *res)
{
	(void)task;
	return counter_run_kind(rt, in, res, COUNTER_LOCKED);
}

static int atomic_run(struct rt *rt, const struct work_input *in, uint32_t task,
		      struct task_result *res)
{
	(void)task;
	return counter_run_kind(rt, in, res, COUNTER_ATOMIC);
}

static int counter_expect(const struct work_input *in, uint32_t task,
			  struct task_result *want)
{
	(void)task;
	*want = (struct task_result){ .ivalue = counter_times(in->sc,
							      in->scale) };
	return 0;
}

static void counter_format(const struct task_result *res, char *buf, size_t len)
{
	snprintf(buf, len, "%lld increments", (long long)res->ivalue);
}

static void counter_describe(const struct scenario *sc, double scale, int brief,
			     char *buf, size_t len)
{
	const char *how = strcmp(sc->workload, "counter-locked") == 0
				  ? " inside a lock"
			  : strcmp(sc->workload, "counter-atomic") == 0
				  ? " as one atomic add"
				  : " (load, add, store)";
	long times = counter_times(sc, scale);

	if (brief)
		snprintf(buf, len, "x = x + 1 x%ld x%ld", times, sc->tasks);
	else
		snprintf(buf, len,
			 "x = x + 1%s, %ld times in each of %ld tasks", how,
			 times, sc->tasks);
}

static int counter_shared(const struct scenario *sc, int64_t *initial)
{
	(void)sc;
	initial[0] = 0;
	return 1;
}

static int64_t counter_expected(const struct scenario *sc, double scale)
{
	return (int64_t)counter_times(sc, scale) * sc->tasks;
}

#define COUNTER_OPS(NAME, RUN, KINDS)                                        \
	{                                                                    \
		.name = NAME, .arg_min = 1, .arg_max = 10000000, .run = RUN, \
		.expect = counter_expect, .format = counter_format,          \
		.describe = counter_describe, .shared = counter_shared,      \
		.expected_sum = counter_expected, .kinds = KINDS             \
	}

const struct work_ops work_counter = COUNTER_OPS(
	"counter", counter_run,
	EV_BIT(EV_READ) | EV_BIT(EV_WRITE) | EV_BIT(EV_LOST_UPDATE));
const struct work_ops work_counter_locked =
	COUNTER_OPS("counter-locked", locked_run,
		    EV_BIT(EV_READ) | EV_BIT(EV_WRITE) | EV_BIT(EV_LOCK_WAIT));
const struct work_ops work_counter_atomic =
	COUNTER_OPS("counter-atomic", atomic_run, EV_BIT(EV_WRITE));
