/* shared.h - values the tasks of a run share (the race lab's bank
 * balances, its counter), and the exact detection of lost updates.
 *
 * As in Python, where each bytecode is atomic and `x = x + 1` is not: a
 * load (rt_load) and a store (rt_store) are each one atomic operation on
 * a word that packs the value with a version, and whatever a task does
 * between them (an add, a sleep, an await) is not. A store whose load saw
 * an older version than the word holds now overwrites the updates made
 * since: a lost update, found exactly, with the amount it lost (the word's
 * value minus the value the load saw). The races are logical, not data
 * races: every access is atomic, and ThreadSanitizer has nothing to say.
 *
 * Each access is a marker on the task's lane (EV_READ, EV_WRITE with the
 * value); a lost update is an EV_LOST_UPDATE marker (arg: the amount) on
 * the lane of the task that overwrote and on the lane of the task whose
 * update was lost. The values live in the job (rt/job.h): one table per
 * process, so worker processes (procs) each change their own copy, as
 * Python's do.
 */
#ifndef CONVIZ_SHARED_H
#define CONVIZ_SHARED_H

#include <stdatomic.h>
#include <stdint.h>

struct rt;

#define RT_VARS_MAX 64	   /* shared values a run may have: ids 0..63 */
#define RT_VAR_HISTORY 256 /* writes remembered per value, for who lost */
#define RT_VAR_MIN INT32_MIN
#define RT_VAR_MAX INT32_MAX

/* Who wrote one version of a value: version << 32 | task, and the lane. */
struct rt_var_write {
	_Atomic uint64_t version_task;
	_Atomic uint32_t lane;
};

struct rt_vars {
	int n; /* values set up (rt_vars_init) */
	/* The value (low 32 bits, two's complement) and its version (high
	 * 32 bits, one more per store). */
	_Atomic uint64_t word[RT_VARS_MAX];
	struct rt_var_write history[RT_VARS_MAX][RT_VAR_HISTORY];
	atomic_ullong lost_updates; /* stores that overwrote others' updates */
	atomic_llong lost_amount;   /* what they overwrote, summed */
};

/* What a load saw: the value, and the version it had. */
struct rt_seen {
	int64_t value;
	uint32_t version;
};

/* Sets up n values (n <= RT_VARS_MAX), value i = initial[i] (NULL: all
 * 0), version 0, no loss. Before any task uses them. 0, or -1 if n or a
 * value is out of range. */
int rt_vars_init(struct rt_vars *v, int n, const int64_t *initial);

/* The value of `var` now, without a marker (for the panel, the checks).
 * Any thread. */
int64_t rt_vars_get(struct rt_vars *v, int var);

/* The sum of every value now. Any thread. */
int64_t rt_vars_sum(struct rt_vars *v);

/* One atomic load of shared value `var`: returns it, fills *seen, and
 * puts an EV_READ marker (arg: the value) on rt's lane. rt's thread. */
int64_t rt_load(struct rt *rt, int var, struct rt_seen *seen);

/* One atomic store of `value` into `var`, by a task that loaded *seen
 * before: an EV_WRITE marker (arg: the value); if others stored since
 * that load, their updates are lost: counted, and an EV_LOST_UPDATE
 * marker (arg: the amount) on this lane and on the lane of the last task
 * that stored. Returns the amount lost (0: none). rt's thread. */
int64_t rt_store(struct rt *rt, int var, int64_t value,
		 const struct rt_seen *seen);

/* One atomic add (a locked `x += d`, or an atomic counter): never loses
 * an update. An EV_WRITE marker with the new value. Returns it. */
int64_t rt_add(struct rt *rt, int var, int64_t delta);

#endif
