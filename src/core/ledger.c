/* ledger.c - the race lab's books, from the events (ledger.h). */
#include "config.h"

#include "core/ledger.h"

#include <stdlib.h>
#include <string.h>

#include "core/msg.h"

#define VERSION_MASK ((1u << EV_VERSION_BITS) - 1)

void ledger_init(struct ledger *lg, int64_t origin, int nvars,
		 const int64_t *initial, int64_t expected, int nlocks)
{
	memset(lg, 0, sizeof *lg);
	lg->origin = origin;
	lg->nvars = nvars < 0 ? 0 : nvars > LEDGER_VARS ? LEDGER_VARS : nvars;
	lg->nlocks = nlocks < 0		     ? 0
		     : nlocks > LEDGER_LOCKS ? LEDGER_LOCKS
					     : nlocks;
	for (int i = 0; i < lg->nvars; i++) {
		lg->value[i] = initial ? initial[i] : 0;
		lg->initial += lg->value[i];
	}
	lg->sum = lg->initial;
	lg->expected = expected;
	lg->counting = lg->nvars > 0 && expected != lg->initial;
	for (int i = 0; i < lg->nlocks; i++)
		lg->lock[i].holder = EV_NO_TASK;
}

void ledger_own_copies(struct ledger *lg)
{
	lg->copies = 1;
}

void ledger_free(struct ledger *lg)
{
	free(lg->waiter);
	lg->waiter = NULL;
	lg->nwaiter = lg->capwaiter = 0;
}

int64_t ledger_should(const struct ledger *lg)
{
	return lg->counting ? lg->initial + (int64_t)lg->writes : lg->expected;
}

/* After the sum moved at time t: is the invariant broken now? */
static void check_invariant(struct ledger *lg, int64_t t)
{
	int64_t off = lg->sum - ledger_should(lg);
	int64_t mag = off < 0 ? -off : off;

	if (mag > lg->worst_off)
		lg->worst_off = mag;
	if (off != 0 && !lg->broken) {
		lg->broken = 1;
		lg->broken_at = t;
		lg->breaks++;
	} else if (off == 0 && lg->broken) {
		/* Events out of order may end a break before it began; and
		 * a crafted trace's breaks could add up past INT64_MAX: none
		 * is negative, and the total saturates. */
		int64_t d = t > lg->broken_at ? t - lg->broken_at : 0;
		lg->broken = 0;
		lg->broken_ns = d > INT64_MAX - lg->broken_ns
					? INT64_MAX
					: lg->broken_ns + d;
	}
}

/* A write: the value moves if it is newer than what the books hold (the
 * lanes' events may come out of order); in counting books each version
 * is one store more. */
static void on_write(struct ledger *lg, int64_t arg, int64_t t)
{
	unsigned var = ev_access_var(arg);
	uint32_t v = ev_access_version(arg);

	if ((int)var >= lg->nvars || !ev_newer(v, lg->version[var]))
		return;
	lg->writes += (v - lg->version[var]) & VERSION_MASK;
	lg->version[var] = v;
	lg->sum += ev_access_value(arg) - lg->value[var];
	lg->value[var] = ev_access_value(arg);
	check_invariant(lg, t);
}

/* A lost update, counted once: on the lane of the task that overwrote
 * (the victim's lane has its own marker, the same update). */
static void on_lost(struct ledger *lg, const struct ev *e, int64_t t)
{
	struct ledger_lost l;

	if (ev_lost_victim(e->arg))
		return;
	l = (struct ledger_lost){ .t = t,
				  .task = e->task,
				  .victim = ev_lost_other(e->arg),
				  .var = (int)ev_access_var(e->arg),
				  .amount = ev_access_value(e->arg) };
	lg->lost++;
	lg->lost_amount += l.amount;
	memmove(&lg->recent[1], &lg->recent[0],
		(LEDGER_LOST_KEEP - 1) * sizeof lg->recent[0]);
	lg->recent[0] = l;
	if (lg->nrecent < LEDGER_LOST_KEEP)
		lg->nrecent++;
}

static void waiter_drop(struct ledger *lg, uint32_t task, uint16_t lane)
{
	for (size_t i = 0; i < lg->nwaiter; i++) {
		if (lg->waiter[i].task != task || lg->waiter[i].lane != lane)
			continue;
		memmove(&lg->waiter[i], &lg->waiter[i + 1],
			(lg->nwaiter - i - 1) * sizeof lg->waiter[0]);
		lg->nwaiter--;
		return;
	}
}

static void waiter_add(struct ledger *lg, const struct ev *e)
{
	if (e->arg < 0 || e->arg >= lg->nlocks)
		return;
	if (lg->nwaiter == lg->capwaiter) {
		lg->capwaiter = lg->capwaiter ? 2 * lg->capwaiter : 16;
		lg->waiter = xrealloc(lg->waiter,
				      lg->capwaiter * sizeof lg->waiter[0]);
	}
	lg->waiter[lg->nwaiter++] = (struct ledger_waiter){
		.task = e->task, .lane = e->lane, .lock = (int)e->arg
	};
}

/* Who holds a lock: a take by its holder goes deeper (a reentrant lock),
 * a take by another makes it the holder (its holder's release may come
 * later: events of two lanes); a release by another than the holder is
 * that late one. */
static void on_lock(struct ledger *lg, const struct ev *e)
{
	int id = (int)(e->arg & 0xffff);
	struct ledger_lock *lk;

	if (id >= lg->nlocks)
		return;
	lk = &lg->lock[id];
	if (e->kind == EV_ACQUIRE) {
		waiter_drop(lg, e->task, e->lane);
		if (lk->holder == e->task && lk->depth > 0) {
			lk->depth++;
			return;
		}
		*lk = (struct ledger_lock){ .holder = e->task,
					    .lane = e->lane,
					    .depth = 1 };
		return;
	}
	if (lk->holder != e->task)
		return;
	if ((e->arg & EV_RELEASE_ALL) || --lk->depth == 0)
		*lk = (struct ledger_lock){ .holder = EV_NO_TASK };
}

void ledger_add(struct ledger *lg, const struct ev *e)
{
	int64_t t = e->ts_ns - lg->origin;

	switch (e->kind) {
	case EV_WRITE:
		if (!lg->copies)
			on_write(lg, e->arg, t);
		break;
	case EV_LOST_UPDATE:
		if (!lg->copies)
			on_lost(lg, e, t);
		break;
	case EV_DEADLOCK:
		lg->deadlock = 1;
		break;
	case EV_ACQUIRE:
	case EV_RELEASE:
		if (!lg->deadlock)
			on_lock(lg, e);
		break;
	case EV_LOCK_WAIT:
		/* Even after a deadlock: a wait of the cycle may come after
		 * the marker of the wait that closed it (another lane). */
		if (lg->nlocks > 0) {
			waiter_drop(lg, e->task, e->lane);
			waiter_add(lg, e);
		}
		break;
	default:
		/* Any other state of a waiting task: it waits no more (it
		 * got the lock, or gave up). */
		if (lg->nwaiter > 0 && ev_is_state(e->kind) && !lg->deadlock)
			waiter_drop(lg, e->task, e->lane);
		break;
	}
}

void ledger_cycle(struct ledger *lg, const struct ledger_step *step, int n)
{
	lg->deadlock = 1;
	lg->nwaiter = 0;
	for (int i = 0; i < n; i++) {
		const struct ledger_step *s = &step[i];
		if (s->holds >= lg->nlocks || s->wants >= lg->nlocks)
			continue;
		lg->lock[s->holds] = (struct ledger_lock){ .holder = s->task,
							   .lane = s->lane,
							   .depth = 1 };
		waiter_add(lg, &(struct ev){ .arg = s->wants,
					     .task = s->task,
					     .lane = s->lane,
					     .kind = EV_LOCK_WAIT });
	}
}

size_t ledger_waiters(const struct ledger *lg, int id, uint32_t *tasks,
		      size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < lg->nwaiter; i++) {
		if (lg->waiter[i].lock != id)
			continue;
		if (n < max)
			tasks[n] = lg->waiter[i].task;
		n++;
	}
	return n;
}
