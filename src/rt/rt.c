/* rt.c - the blocking runtime shared by the sync and threads models.
 *
 * Sleeps are real nanosleeps, locks are real pthread mutexes, HTTP is a
 * real libcurl GET (rt_http.c), and the GIL is let go around every wait,
 * as CPython does around blocking calls.
 */
#include "config.h"

#include "rt/rt.h"

#include <errno.h>
#include <time.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "core/msg.h"

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

void rt_lock_check(int id)
{
	if (id < 0 || id >= RT_LOCKS)
		msg_fatal("a task used a program lock that does not exist",
			  "please report it, with the scenario");
}

/* Program lock `id` of rt's run. */
static pthread_mutex_t *lock_of(struct rt *rt, int id)
{
	rt_lock_check(id);
	return &rt->locks[id];
}

static void blocking_lock(struct rt *rt, int id)
{
	pthread_mutex_t *mu = lock_of(rt, id);

	if (pthread_mutex_trylock(mu) == 0)
		return;
	/* Someone holds it: show the wait, and let others run Python
	 * meanwhile (a thread blocked on a lock does not hold the GIL). */
	rt_emit(rt, EV_LOCK_WAIT, id);
	if (rt->gil)
		gil_release(rt->gil);
	pthread_mutex_lock(mu);
	rt_gil_enter(rt);
	rt_emit(rt, EV_CPU, 0);
}

static void blocking_unlock(struct rt *rt, int id)
{
	pthread_mutex_unlock(lock_of(rt, id));
}

void rt_emit_marker(struct rt *rt, enum ev_kind kind, int64_t arg)
{
	rt_emit(rt, kind, arg);
}

const struct rt_ops rt_blocking_ops = {
	.tick = blocking_tick,
	.sleep_ns = blocking_sleep,
	.lock = blocking_lock,
	.unlock = blocking_unlock,
	.mark = rt_emit_marker,
	.http_get = rt_http_get_blocking,
};

void rt_cleanup(struct rt *rt)
{
	rt_http_cleanup(rt);
}
