/* shared.c - shared values packed with their versions, and lost updates
 * (shared.h). */
#include "config.h"

#include "rt/shared.h"

#include "core/evring.h"
#include "core/msg.h"
#include "rt/rt.h"

static uint64_t pack(int64_t value, uint32_t version)
{
	return (uint64_t)version << 32 | (uint32_t)(int32_t)value;
}

static int64_t value_of(uint64_t word)
{
	return (int32_t)(uint32_t)word;
}

static uint32_t version_of(uint64_t word)
{
	return (uint32_t)(word >> 32);
}

int rt_vars_init(struct rt_vars *v, int n, const int64_t *initial)
{
	if (n < 0 || n > RT_VARS_MAX)
		return -1;
	for (int i = 0; i < n; i++) {
		int64_t x = initial ? initial[i] : 0;
		if (x < RT_VAR_MIN || x > RT_VAR_MAX)
			return -1;
		atomic_init(&v->word[i], pack(x, 0));
		for (int h = 0; h < RT_VAR_HISTORY; h++) {
			atomic_init(&v->history[i][h].version_task,
				    (uint64_t)UINT32_MAX);
			atomic_init(&v->history[i][h].lane, 0);
		}
	}
	v->n = n;
	atomic_init(&v->lost_updates, 0);
	atomic_init(&v->lost_amount, 0);
	return 0;
}

int64_t rt_vars_get(struct rt_vars *v, int var)
{
	if (var < 0 || var >= v->n)
		return 0;
	return value_of(atomic_load(&v->word[var]));
}

int64_t rt_vars_sum(struct rt_vars *v)
{
	int64_t sum = 0;

	for (int i = 0; i < v->n; i++)
		sum += rt_vars_get(v, i);
	return sum;
}

/* Remembers that rt's task stored `version` of var. */
static void remember(struct rt_vars *v, int var, uint32_t version,
		     const struct rt *rt)
{
	struct rt_var_write *w = &v->history[var][version % RT_VAR_HISTORY];

	atomic_store_explicit(&w->lane, rt->lane, memory_order_relaxed);
	atomic_store_explicit(&w->version_task,
			      (uint64_t)version << 32 | rt->task,
			      memory_order_release);
}

/* The lane and task that stored `version` of var, if still remembered:
 * 0, or -1 (too long ago, or being overwritten). */
static int who_stored(struct rt_vars *v, int var, uint32_t version,
		      uint16_t *lane, uint32_t *task)
{
	struct rt_var_write *w = &v->history[var][version % RT_VAR_HISTORY];
	uint64_t vt =
		atomic_load_explicit(&w->version_task, memory_order_acquire);

	if ((uint32_t)(vt >> 32) != version)
		return -1;
	*lane = (uint16_t)atomic_load_explicit(&w->lane, memory_order_relaxed);
	*task = (uint32_t)vt;
	return 0;
}

/* A workload that names a value the run did not set up is broken. */
static struct rt_vars *vars_of(struct rt *rt, int var)
{
	if (!rt->vars || var < 0 || var >= rt->vars->n)
		msg_fatal("a task used a shared value that does not exist",
			  "please report it, with the scenario");
	return rt->vars;
}

int64_t rt_load(struct rt *rt, int var, struct rt_seen *seen)
{
	uint64_t word = atomic_load(&vars_of(rt, var)->word[var]);

	seen->value = value_of(word);
	seen->version = version_of(word);
	rt_emit(rt, EV_READ,
		ev_access((unsigned)var, seen->version, (int32_t)seen->value));
	return seen->value;
}

/* An amount as a marker carries it: 32 bits, clamped. */
static int32_t clamp32(int64_t x)
{
	return x > INT32_MAX   ? INT32_MAX
	       : x < INT32_MIN ? INT32_MIN
			       : (int32_t)x;
}

/* The store of rt overwrote version `lost` of var (and those before it,
 * back to the one rt's load saw), worth `amount`: counted, and marked on
 * both lanes, each marker naming the other task. */
static void lost_update(struct rt *rt, int var, uint32_t lost, int64_t amount)
{
	struct rt_vars *v = rt->vars;
	uint16_t lane = 0;
	uint32_t task = EV_NO_TASK;
	int known = who_stored(v, var, lost, &lane, &task) == 0;

	atomic_fetch_add(&v->lost_updates, 1);
	atomic_fetch_add(&v->lost_amount, amount);
	rt_emit(rt, EV_LOST_UPDATE,
		ev_lost((unsigned)var, clamp32(amount),
			known ? task : EV_NO_TASK, 0));
	/* Under async every task is on lane 0: the task tells them apart. */
	if (rt->ring && known && (lane != rt->lane || task != rt->task))
		evring_emit(
			rt->ring, lane, task, EV_LOST_UPDATE,
			ev_lost((unsigned)var, clamp32(amount), rt->task, 1));
}

int64_t rt_store(struct rt *rt, int var, int64_t value,
		 const struct rt_seen *seen)
{
	struct rt_vars *v = vars_of(rt, var);
	uint64_t old = atomic_load(&v->word[var]);
	uint64_t word;
	int64_t amount = 0;

	/* One atomic step, whatever happened since the load: the new value
	 * replaces the word, one version on. */
	do
		word = pack(value, version_of(old) + 1);
	while (!atomic_compare_exchange_weak(&v->word[var], &old, word));
	remember(v, var, version_of(word), rt);
	rt_emit(rt, EV_WRITE,
		ev_access((unsigned)var, version_of(word), (int32_t)value));
	if (version_of(old) != seen->version) {
		amount = value_of(old) - seen->value;
		lost_update(rt, var, version_of(old), amount);
	}
	return amount;
}

int64_t rt_add(struct rt *rt, int var, int64_t delta)
{
	struct rt_vars *v = vars_of(rt, var);
	uint64_t old = atomic_load(&v->word[var]);
	uint64_t word;

	do
		word = pack(value_of(old) + delta, version_of(old) + 1);
	while (!atomic_compare_exchange_weak(&v->word[var], &old, word));
	remember(v, var, version_of(word), rt);
	rt_emit(rt, EV_WRITE,
		ev_access((unsigned)var, version_of(word),
			  (int32_t)value_of(word)));
	return value_of(word);
}
