/* deadlock.c - the race lab's locks: tasks that can wait for each other
 * for ever, and the runtime's wait-for graph (rt/locks.h) that finds it.
 *
 *   deadlock              two tasks take two locks in opposite orders:
 *                         each holds one, works arg ms, and asks for the
 *                         other;
 *   relock                a recursive function arg levels deep takes a
 *                         plain lock at each level: at the second level
 *                         its task waits for itself (threading.Lock);
 *   relock-reentrant      the same with a reentrant lock (RLock): its
 *                         holder may take it again, and it completes;
 *   philosophers          tasks philosophers round a table with a fork
 *                         between each two; each eats arg meals: it
 *                         thinks, takes its left fork, reaches for the
 *                         right. If all hold their left fork at once,
 *                         nobody eats again: it deadlocks, in some runs;
 *   philosophers-ordered  each takes the lower-numbered of its two forks
 *                         first: no cycle can form, it never deadlocks.
 *
 * When rt_lock says a deadlock was found, a task gives up (it fails,
 * saying so); the locks it holds are let go as it ends. Waits are
 * rt_sleep_ns, as the tutorials' time.sleep and asyncio.sleep: the GIL is
 * let go and a coroutine awaits, so every model can run into the cycle.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rt/locks.h"
#include "rt/rt.h"
#include "rt/task.h"
#include "work/work.h"

#define MS 1000000LL

/* ---- deadlock: two locks, opposite orders --------------------------- */

static int deadlock_run(struct rt *rt, const struct work_input *in,
			uint32_t task, struct task_result *res)
{
	int first = (int)(task % 2), second = 1 - first;

	if (rt_lock(rt, first) < 0)
		return work_deadlocked(res);
	rt_sleep_ns(rt, in->sc->arg * MS); /* work while holding it */
	if (rt_lock(rt, second) < 0)
		return work_deadlocked(res);
	rt_sleep_ns(rt, MS);
	rt_unlock(rt, second);
	rt_unlock(rt, first);
	res->ivalue = 1;
	return 0;
}

static int two_locks(const struct scenario *sc, uint8_t *reentrant)
{
	(void)sc;
	reentrant[0] = reentrant[1] = 0;
	return 2;
}

/* ---- relock: a recursive function that takes its lock at each level --- */

static int relock_level(struct rt *rt, long depth)
{
	if (rt_lock(rt, 0) < 0)
		return -1;
	rt_sleep_ns(rt, MS); /* this level's work */
	if (depth > 1 && relock_level(rt, depth - 1) < 0)
		return -1;
	rt_unlock(rt, 0);
	return 0;
}

static int relock_run(struct rt *rt, const struct work_input *in, uint32_t task,
		      struct task_result *res)
{
	(void)task;
	if (relock_level(rt, in->sc->arg) < 0)
		return work_deadlocked(res);
	res->ivalue = 1;
	return 0;
}

static int plain_lock(const struct scenario *sc, uint8_t *reentrant)
{
	(void)sc;
	reentrant[0] = 0;
	return 1;
}

static int reentrant_lock(const struct scenario *sc, uint8_t *reentrant)
{
	(void)sc;
	reentrant[0] = 1;
	return 1;
}

/* ---- the dining philosophers ------------------------------------------ */

#define THINK_MAX_US 3000 /* thinking lasts 0..3 ms */
#define REACH_NS (1 * MS) /* between the first fork and the second */
#define EAT_NS (2 * MS)

static int dine(struct rt *rt, const struct work_input *in, uint32_t task,
		struct task_result *res, int ordered)
{
	int n = (int)in->sc->tasks;
	int left = (int)task, right = (int)((task + 1) % (uint32_t)n);
	int first = left, second = right;

	if (ordered && right < left) {
		first = right;
		second = left;
	}
	for (long meal = 0; meal < in->sc->arg; meal++) {
		uint64_t r = work_random(in->seed, task, (uint64_t)meal);
		rt_sleep_ns(rt, (int64_t)(r % THINK_MAX_US) * 1000); /* think */
		if (rt_lock(rt, first) < 0)
			return work_deadlocked(res);
		rt_sleep_ns(rt, REACH_NS);
		if (rt_lock(rt, second) < 0)
			return work_deadlocked(res);
		rt_sleep_ns(rt, EAT_NS);
		rt_unlock(rt, second);
		rt_unlock(rt, first);
		res->ivalue = meal + 1;
	}
	return 0;
}

static int philosophers_run(struct rt *rt, const struct work_input *in,
			    uint32_t task, struct task_result *res)
{
	return dine(rt, in, task, res, 0);
}

static int ordered_run(struct rt *rt, const struct work_input *in,
		       uint32_t task, struct task_result *res)
{
	return dine(rt, in, task, res, 1);
}

/* One fork between each two philosophers: as many as there are. */
static int forks(const struct scenario *sc, uint8_t *reentrant)
{
	for (long i = 0; i < sc->tasks; i++)
		reentrant[i] = 0;
	return (int)sc->tasks;
}

/* ---- results ---------------------------------------------------------- */

static int deadlock_expect_done(const struct work_input *in, uint32_t task,
				struct task_result *want)
{
	(void)in;
	(void)task;
	*want = (struct task_result){ .ivalue = 1 };
	return 0;
}

static void done_format(const struct task_result *res, char *buf, size_t len)
{
	snprintf(buf, len, "%s", res->ivalue ? "done" : "-");
}

static int meals_expect(const struct work_input *in, uint32_t task,
			struct task_result *want)
{
	(void)task;
	*want = (struct task_result){ .ivalue = in->sc->arg };
	return 0;
}

static void meals_format(const struct task_result *res, char *buf, size_t len)
{
	snprintf(buf, len, "%lld meals", (long long)res->ivalue);
}

#define LOCK_KINDS (EV_BIT(EV_IO) | EV_BIT(EV_LOCK_WAIT) | EV_BIT(EV_ERROR))

const struct work_ops work_deadlock = {
	.name = "deadlock",
	.arg_min = 1,
	.arg_max = 10000,
	.tasks_min = 2,
	.run = deadlock_run,
	.expect = deadlock_expect_done,
	.format = done_format,
	.locks = two_locks,
	.kinds = LOCK_KINDS,
};

/* relock and relock-reentrant differ in their lock only. */
#define RELOCK_OPS(NAME, LOCKS)                                                \
	{                                                                      \
		.name = NAME, .arg_min = 1, .arg_max = 100, .run = relock_run, \
		.expect = deadlock_expect_done, .format = done_format,         \
		.locks = LOCKS, .kinds = LOCK_KINDS                            \
	}

const struct work_ops work_relock = RELOCK_OPS("relock", plain_lock);
const struct work_ops work_relock_reentrant =
	RELOCK_OPS("relock-reentrant", reentrant_lock);

#define PHILOSOPHERS_OPS(NAME, RUN)                                            \
	{                                                                      \
		.name = NAME, .arg_min = 1, .arg_max = 100000, .tasks_min = 2, \
		.tasks_max = RT_LOCKS_MAX, .run = RUN, .expect = meals_expect, \
		.format = meals_format, .locks = forks, .kinds = LOCK_KINDS    \
	}

const struct work_ops work_philosophers =
	PHILOSOPHERS_OPS("philosophers", philosophers_run);
const struct work_ops work_philosophers_ordered =
	PHILOSOPHERS_OPS("philosophers-ordered", ordered_run);
