/* rt.c - the blocking runtime shared by the sync and threads models.
 *
 * Sleeps are real nanosleeps, a lock wait is a real wait on a condition
 * (with a wait-for graph: rt/locks.h), HTTP is a real libcurl GET
 * (rt_http.c), and the GIL is let go around every wait, as CPython does
 * around blocking calls.
 */
#include "config.h"

#include "rt/rt.h"

#include <errno.h>
#include <time.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "core/clock.h"
#include "rt/locks.h"

void rt_gil_enter(struct rt *rt)
{
	if (!rt->gil || gil_try_acquire(rt->gil))
		return;
	rt_emit(rt, EV_GIL_WAIT, 0);
	gil_acquire(rt->gil);
}

void rt_thread_setup(void)
{
#ifdef PR_SET_TIMERSLACK
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
#endif
}

/* The GIL holder was asked to let go: hand it over (waiting until the
 * waiter really has it), then queue up for it again. */
static void blocking_tick(struct rt *rt)
{
	rt_emit(rt, EV_GIL_WAIT, 0);
	gil_release(rt->gil);
	gil_acquire(rt->gil);
	rt_emit(rt, EV_CPU, 0);
}

static void blocking_sleep(struct rt *rt, int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000,
			       .tv_nsec = ns % 1000000000 };

	rt_emit(rt, EV_IO, ns);
	if (rt->gil)
		gil_release(rt->gil);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
	rt_gil_enter(rt);
	rt_emit(rt, EV_CPU, 0);
}

enum rt_take rt_lock_ask(struct rt *rt, uint32_t task, uint16_t lane, int id)
{
	struct rt_locks *t = rt->locks;
	enum rt_take r;

	rt_locks_enter(t);
	r = rt_locks_take(t, task, lane, id, clock_now_ns());
	rt_locks_leave(t);
	if (r == RT_TAKEN)
		rt_emit(rt, EV_ACQUIRE, id);
	if (r == RT_BUSY || r == RT_CYCLE)
		rt_emit(rt, EV_LOCK_WAIT, id);
	if (r == RT_CYCLE)
		rt_emit(rt, EV_DEADLOCK, id);
	return r;
}

int rt_lock_waited(struct rt *rt, enum rt_take r, int id)
{
	if (r == RT_TAKEN)
		rt_emit(rt, EV_ACQUIRE, id);
	rt_emit(rt, EV_CPU, 0);
	return r == RT_TAKEN ? 0 : -1;
}

/* Takes program lock `id`, or waits on the table's condition until it
 * may (state lock-wait meanwhile, the GIL let go: a thread blocked on a
 * lock does not hold it). -1 when a deadlock was found: the task gives
 * up. */
static int blocking_lock(struct rt *rt, int id)
{
	struct rt_locks *t = rt->locks;
	enum rt_take r = rt_lock_ask(rt, rt->task, rt->lane, id);

	if (r != RT_BUSY) /* taken, or a deadlock: no wait */
		return r == RT_TAKEN ? 0 : -1;
	if (rt->gil)
		gil_release(rt->gil);
	rt_locks_enter(t);
	while ((r = rt_locks_retry(t, rt->task, id, clock_now_ns())) == RT_BUSY)
		pthread_cond_wait(&t->cv, &t->mu);
	rt_locks_leave(t);
	rt_gil_enter(rt);
	return rt_lock_waited(rt, r, id);
}

static void blocking_unlock(struct rt *rt, int id)
{
	struct rt_locks *t = rt->locks;

	rt_emit(rt, EV_RELEASE, id);
	rt_locks_enter(t);
	if (rt_locks_give(t, rt->task, id, clock_now_ns()))
		pthread_cond_broadcast(&t->cv);
	rt_locks_leave(t);
}

const struct rt_ops rt_blocking_ops = {
	.tick = blocking_tick,
	.sleep_ns = blocking_sleep,
	.lock = blocking_lock,
	.unlock = blocking_unlock,
	.http_get = rt_http_get_blocking,
};

void rt_cleanup(struct rt *rt)
{
	rt_http_cleanup(rt);
}
