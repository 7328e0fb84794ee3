/* locks.c - the program's locks and their wait-for graph (locks.h). */
#include "config.h"

#include "rt/locks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/msg.h"

#define NOBODY UINT32_MAX

int rt_locks_init(struct rt_locks *t, int n, const uint8_t *reentrant,
		  struct rt_lock_report *report, atomic_int *cancel)
{
	if (n < 0 || n > RT_LOCKS_MAX)
		return -1;
	if (pthread_mutex_init(&t->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&t->cv, NULL) != 0) {
		pthread_mutex_destroy(&t->mu);
		return -1;
	}
	t->ok = 1;
	t->n = n;
	for (int i = 0; i < n; i++)
		t->lock[i] = (struct rt_lock){
			.holder = NOBODY,
			.reentrant = reentrant ? reentrant[i] != 0 : 0,
		};
	t->report = report;
	t->cancel = cancel;
	return 0;
}

void rt_locks_destroy(struct rt_locks *t)
{
	if (t->ok) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
	}
	t->ok = 0;
	free(t->waiter);
	t->waiter = NULL;
	t->nwaiter = t->capwaiter = 0;
}

void rt_locks_enter(struct rt_locks *t)
{
	pthread_mutex_lock(&t->mu);
}

void rt_locks_leave(struct rt_locks *t)
{
	pthread_mutex_unlock(&t->mu);
}

static struct rt_lock *lock_at(struct rt_locks *t, int id)
{
	if (id < 0 || id >= t->n)
		msg_fatal("a task used a program lock its scenario does not "
			  "have",
			  "please report it, with the scenario");
	return &t->lock[id];
}

/* The wait of `task`, or NULL if it waits for nothing. */
static struct rt_lock_waiter *waiter_of(const struct rt_locks *t, uint32_t task)
{
	for (size_t i = 0; i < t->nwaiter; i++)
		if (t->waiter[i].task == task)
			return &t->waiter[i];
	return NULL;
}

static void waiter_add(struct rt_locks *t, uint32_t task, uint16_t lane, int id,
		       int64_t now_ns)
{
	if (t->nwaiter == t->capwaiter) {
		t->capwaiter = t->capwaiter ? 2 * t->capwaiter : 16;
		t->waiter =
			xrealloc(t->waiter, t->capwaiter * sizeof *t->waiter);
	}
	t->waiter[t->nwaiter++] = (struct rt_lock_waiter){
		.task = task, .lane = lane, .lock = id, .since_ns = now_ns
	};
}

/* `task` no longer waits: its wait's time goes into the figures. */
static void waiter_remove(struct rt_locks *t, uint32_t task, int64_t now_ns)
{
	struct rt_lock_waiter *w = waiter_of(t, task);

	if (!w)
		return;
	atomic_fetch_add(&t->report->wait_ns,
			 (long long)(now_ns - w->since_ns));
	*w = t->waiter[--t->nwaiter];
}

static void hold(struct rt_lock *lk, uint32_t task, uint16_t lane,
		 int64_t now_ns)
{
	if (lk->depth++ == 0) {
		lk->holder = task;
		lk->lane = lane;
		lk->since_ns = now_ns;
	}
}

/* Would `task` (on `lane`) waiting for lock `id` close a cycle? Follows
 * the holder of each lock to the lock it waits for; if that leads back
 * to `task`, the cycle is written into the report and 1 returned. A
 * chain passes each lock once at most, so it has at most n steps. */
static int closes_cycle(struct rt_locks *t, uint32_t task, uint16_t lane,
			int id)
{
	struct rt_cycle_step step[RT_LOCKS_MAX];
	int cur = id, k = 0;

	step[0] = (struct rt_cycle_step){ .task = task,
					  .lane = lane,
					  .wants = (uint16_t)id };
	for (;;) {
		const struct rt_lock *lk = &t->lock[cur];
		const struct rt_lock_waiter *w;

		if (lk->holder == task) {
			step[0].holds = (uint16_t)cur;
			break;
		}
		w = waiter_of(t, lk->holder);
		if (!w || ++k >= t->n)
			return 0;
		step[k] = (struct rt_cycle_step){ .task = lk->holder,
						  .lane = lk->lane,
						  .holds = (uint16_t)cur,
						  .wants = (uint16_t)w->lock };
		cur = w->lock;
	}
	/* The first cycle found is the one kept: worker processes share
	 * one report (models/procs), and each may find its own. */
	int none = 0;
	if (atomic_compare_exchange_strong(&t->report->deadlock, &none, 1)) {
		memcpy(t->report->cycle, step, (size_t)(k + 1) * sizeof *step);
		atomic_store(&t->report->ncycle, k + 1);
	}
	if (t->cancel)
		atomic_store(t->cancel, 1);
	return 1;
}

static int deadlocked(const struct rt_locks *t)
{
	return atomic_load_explicit(&t->report->deadlock,
				    memory_order_relaxed) != 0;
}

/* Whether lock `id` waits for anyone but `task`. */
static int others_wait(const struct rt_locks *t, int id, uint32_t task)
{
	for (size_t i = 0; i < t->nwaiter; i++)
		if (t->waiter[i].lock == id && t->waiter[i].task != task)
			return 1;
	return 0;
}

enum rt_take rt_locks_take(struct rt_locks *t, uint32_t task, uint16_t lane,
			   int id, int64_t now_ns)
{
	struct rt_lock *lk = lock_at(t, id);

	if (deadlocked(t))
		return RT_DEADLOCK;
	/* A free lock goes to a newcomer only if nobody waits for it (as
	 * asyncio.Lock does): else the newcomer joins the waiters. */
	if ((lk->holder == NOBODY && !others_wait(t, id, task)) ||
	    (lk->holder == task && lk->reentrant)) {
		hold(lk, task, lane, now_ns);
		return RT_TAKEN;
	}
	if (lk->holder != NOBODY && closes_cycle(t, task, lane, id)) {
		pthread_cond_broadcast(&t->cv);
		return RT_CYCLE;
	}
	waiter_add(t, task, lane, id, now_ns);
	atomic_fetch_add(&t->report->waits, 1);
	return RT_BUSY;
}

enum rt_take rt_locks_retry(struct rt_locks *t, uint32_t task, int id,
			    int64_t now_ns)
{
	struct rt_lock *lk = lock_at(t, id);
	struct rt_lock_waiter *w;

	if (deadlocked(t)) {
		waiter_remove(t, task, now_ns);
		return RT_DEADLOCK;
	}
	if (lk->holder != NOBODY)
		return RT_BUSY;
	w = waiter_of(t, task);
	hold(lk, task, w ? w->lane : 0, now_ns);
	waiter_remove(t, task, now_ns);
	return RT_TAKEN;
}

static int let_go(struct rt_locks *t, struct rt_lock *lk, int id,
		  int64_t now_ns)
{
	if (--lk->depth > 0)
		return 0;
	atomic_fetch_add(&t->report->hold_ns,
			 (long long)(now_ns - lk->since_ns));
	lk->holder = NOBODY;
	return others_wait(t, id, NOBODY);
}

int rt_locks_give(struct rt_locks *t, uint32_t task, int id, int64_t now_ns)
{
	struct rt_lock *lk = lock_at(t, id);

	if (lk->holder != task || lk->depth == 0)
		msg_fatal("a task let go a lock it does not hold",
			  "please report it, with the scenario");
	return let_go(t, lk, id, now_ns);
}

int rt_locks_drop_task(struct rt_locks *t, uint32_t task, int64_t now_ns)
{
	int wake = 0;

	waiter_remove(t, task, now_ns);
	for (int id = 0; id < t->n; id++) {
		struct rt_lock *lk = &t->lock[id];
		if (lk->holder != task)
			continue;
		lk->depth = 1;
		wake |= let_go(t, lk, id, now_ns);
	}
	return wake;
}

void rt_lock_report_add(struct rt_lock_report *to,
			const struct rt_lock_report *from)
{
	atomic_fetch_add(&to->wait_ns, atomic_load(&from->wait_ns));
	atomic_fetch_add(&to->hold_ns, atomic_load(&from->hold_ns));
	atomic_fetch_add(&to->waits, atomic_load(&from->waits));
	if (atomic_load(&to->deadlock) || !atomic_load(&from->deadlock))
		return;
	memcpy(to->cycle, from->cycle, sizeof to->cycle);
	atomic_store(&to->ncycle, atomic_load(&from->ncycle));
	atomic_store(&to->deadlock, 1);
}

void rt_cycle_format(const struct rt_lock_report *r, char *buf, size_t len)
{
	int n = atomic_load(&r->ncycle);
	size_t at = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < n && at < len; i++) {
		const struct rt_cycle_step *s = &r->cycle[i];
		int w;
		if (s->holds == s->wants)
			w = snprintf(buf + at, len - at,
				     "%stask %u holds L%u and waits for it "
				     "again",
				     i ? "; " : "", (unsigned)s->task,
				     (unsigned)s->holds);
		else
			w = snprintf(buf + at, len - at,
				     "%stask %u holds L%u and waits for L%u",
				     i ? "; " : "", (unsigned)s->task,
				     (unsigned)s->holds, (unsigned)s->wants);
		if (w < 0)
			return;
		at += (size_t)w;
	}
}
