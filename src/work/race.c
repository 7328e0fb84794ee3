/* race.c - the race lab's shared values (rt/shared.h): the counter, where
 * each task does `x = x + 1` arg times, and the tutorial's bank, where
 * each task moves money from one bank to another.
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
#include "work/work.h"

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

/* One `x = x + 1`: 0, or -1 if its lock could not be had (a deadlock
 * was found; never with one lock, but a task must say so). */
static int increment(struct rt *rt, enum counter_kind kind, long gap)
{
	struct rt_seen seen;

	if (kind == COUNTER_ATOMIC) {
		rt_add(rt, 0, 1);
		return 0;
	}
	if (kind == COUNTER_LOCKED && rt_lock(rt, 0) < 0)
		return -1;
	rt_load(rt, 0, &seen);
	gap_work(rt, gap);
	rt_store(rt, 0, seen.value + 1, &seen);
	if (kind == COUNTER_LOCKED)
		rt_unlock(rt, 0);
	return 0;
}

static int counter_run_kind(struct rt *rt, const struct work_input *in,
			    struct task_result *res, enum counter_kind kind)
{
	long times = counter_times(in->sc, in->scale);

	for (long i = 0; i < times; i++) {
		if (increment(rt, kind, in->sc->gap) < 0)
			return work_deadlocked(res);
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

/* counter-locked's one lock: a plain threading.Lock. */
static int one_lock(const struct scenario *sc, uint8_t *reentrant)
{
	(void)sc;
	reentrant[0] = 0;
	return 1;
}

#define COUNTER_OPS(NAME, RUN, LOCKS, KINDS)                                 \
	{                                                                    \
		.name = NAME, .arg_min = 1, .arg_max = 10000000, .run = RUN, \
		.expect = counter_expect, .format = counter_format,          \
		.describe = counter_describe, .shared = counter_shared,      \
		.expected_sum = counter_expected, .var_label = "x",          \
		.locks = LOCKS, .kinds = KINDS                               \
	}

const struct work_ops work_counter = COUNTER_OPS(
	"counter", counter_run, NULL,
	EV_BIT(EV_READ) | EV_BIT(EV_WRITE) | EV_BIT(EV_LOST_UPDATE));
const struct work_ops work_counter_locked =
	COUNTER_OPS("counter-locked", locked_run, one_lock,
		    EV_BIT(EV_READ) | EV_BIT(EV_WRITE) | EV_BIT(EV_LOCK_WAIT));
const struct work_ops work_counter_atomic =
	COUNTER_OPS("counter-atomic", atomic_run, NULL, EV_BIT(EV_WRITE));

/* ---- the bank ------------------------------------------------------------
 *
 *   bank         the tutorial's transfer: verify_user waits 100 ms, then
 *                update_bank(from, -amount) and update_bank(to, +amount),
 *                each a read of the balance, a 0.1 ms wait, a write of
 *                balance + change, a 0.1 ms wait. Between the two updates
 *                the money is in neither bank (the "invalid state"), and
 *                two transfers that touch one bank at once lose one's
 *                change (a lost update);
 *   bank-locked  the same with one transaction lock around the two
 *                updates (the tutorial's RLock, asyncio.Lock).
 *
 * arg banks of BANK_BALANCE each; task i's transfer (two different banks,
 * an amount 1..BANK_AMOUNT_MAX) follows from --seed and i alone. The
 * scenario's gap adds busy steps between each read and its write.
 */

#define BANK_BALANCE 1000
#define BANK_AMOUNT_MAX 100
#define BANK_VERIFY_NS 100000000 /* verify_user: 0.1 s */
#define BANK_STEP_NS 100000	 /* update_bank's waits: 0.1 ms */

struct transfer {
	int from, to;
	long amount;
};

static struct transfer transfer_of(const struct work_input *in, uint32_t task)
{
	long banks = in->sc->arg;
	uint64_t r = work_random(in->seed, task, 0);
	struct transfer t;

	t.from = (int)(r % (uint64_t)banks);
	t.to = (int)((t.from + 1 + (long)((r >> 20) % (uint64_t)(banks - 1))) %
		     banks);
	t.amount = 1 + (long)((r >> 40) % BANK_AMOUNT_MAX);
	return t;
}

/* update_bank: read the balance, wait, write it changed, wait. */
static void update_bank(struct rt *rt, int bank, long change, long gap)
{
	struct rt_seen seen;

	rt_load(rt, bank, &seen);
	rt_sleep_ns(rt, BANK_STEP_NS);
	gap_work(rt, gap);
	rt_store(rt, bank, seen.value + change, &seen);
	rt_sleep_ns(rt, BANK_STEP_NS);
}

static int bank_transfer(struct rt *rt, const struct work_input *in,
			 uint32_t task, struct task_result *res, int locked)
{
	struct transfer t = transfer_of(in, task);

	rt_sleep_ns(rt, BANK_VERIFY_NS); /* verify_user */
	if (locked && rt_lock(rt, 0) < 0)
		return work_deadlocked(res);
	update_bank(rt, t.from, -t.amount, in->sc->gap);
	update_bank(rt, t.to, t.amount, in->sc->gap);
	if (locked)
		rt_unlock(rt, 0);
	res->ivalue = t.amount;
	res->ihigh = (int64_t)t.from << 16 | t.to;
	return 0;
}

static int bank_run(struct rt *rt, const struct work_input *in, uint32_t task,
		    struct task_result *res)
{
	return bank_transfer(rt, in, task, res, 0);
}

static int bank_locked_run(struct rt *rt, const struct work_input *in,
			   uint32_t task, struct task_result *res)
{
	return bank_transfer(rt, in, task, res, 1);
}

static int bank_expect(const struct work_input *in, uint32_t task,
		       struct task_result *want)
{
	struct transfer t = transfer_of(in, task);

	*want = (struct task_result){ .ivalue = t.amount,
				      .ihigh = (int64_t)t.from << 16 | t.to };
	return 0;
}

static void bank_format(const struct task_result *res, char *buf, size_t len)
{
	snprintf(buf, len, "%lld: bank %lld to %lld", (long long)res->ivalue,
		 (long long)(res->ihigh >> 16),
		 (long long)(res->ihigh & 0xffff));
}

static int bank_shared(const struct scenario *sc, int64_t *initial)
{
	for (long i = 0; i < sc->arg; i++)
		initial[i] = BANK_BALANCE;
	return (int)sc->arg;
}

static int64_t bank_expected(const struct scenario *sc, double scale)
{
	(void)scale;
	return (int64_t)sc->arg * BANK_BALANCE;
}

#define BANK_OPS(NAME, RUN, LOCKS, KINDS)                                 \
	{                                                                 \
		.name = NAME, .arg_min = 2, .arg_max = RT_VARS_MAX,       \
		.run = RUN, .expect = bank_expect, .format = bank_format, \
		.shared = bank_shared, .expected_sum = bank_expected,     \
		.var_label = "bank", .locks = LOCKS,                      \
		.kinds = EV_BIT(EV_IO) | KINDS                            \
	}

const struct work_ops work_bank =
	BANK_OPS("bank", bank_run, NULL,
		 EV_BIT(EV_READ) | EV_BIT(EV_WRITE) | EV_BIT(EV_LOST_UPDATE));
const struct work_ops work_bank_locked =
	BANK_OPS("bank-locked", bank_locked_run, one_lock,
		 EV_BIT(EV_READ) | EV_BIT(EV_WRITE) | EV_BIT(EV_LOCK_WAIT));
