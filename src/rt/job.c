/* job.c - the worker's side of a run (job.h): the task queue, executing a
 * task, a worker's life. */
#include "config.h"

#include "rt/job.h"

#include <stdlib.h>

#include "core/clock.h"
#include "core/msg.h"
#include "rt/shared.h"

int job_init(struct job *j, char *err, size_t errlen)
{
	uint8_t reentrant[RT_LOCKS_MAX] = { 0 };
	int n = 0;

	if (j->work && j->work->locks && j->in && j->in->sc)
		n = j->work->locks(j->in->sc, reentrant);
	j->vars = xcalloc(1, sizeof *j->vars);
	j->gil_ok = gil_init(&j->gil, GIL_INTERVAL_NS) == 0;
	if (j->gil_ok && rt_locks_init(&j->locks, n, reentrant, &j->lockrep,
				       &j->cancel) == 0)
		return 0;
	msg_fmt(err, errlen,
		"cannot set up the run's locks: "
		"close other programs and try again");
	return -1;
}

int job_share(struct job *j, const struct work_ops *work,
	      const struct scenario *sc)
{
	int64_t initial[RT_VARS_MAX];
	int n;

	if (!work->shared)
		return 0;
	n = work->shared(sc, initial);
	return rt_vars_init(j->vars, n, initial);
}

void job_destroy(struct job *j)
{
	rt_locks_destroy(&j->locks);
	if (j->gil_ok)
		gil_destroy(&j->gil);
	j->gil_ok = 0;
	free(j->vars);
	j->vars = NULL;
}

int job_next_task(struct job *j, uint32_t *task)
{
	if (atomic_load_explicit(&j->cancel, memory_order_relaxed))
		return -1;
	/* The queue is an index handed out once each: a lock-free
	 * fetch-and-add, so taking a task costs far less than any task. */
	unsigned t =
		atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
	if (t >= j->tasks)
		return -1;
	*task = t;
	return 0;
}

void job_rt_init(struct job *j, struct rt *rt, int lane)
{
	rt->ops = &rt_blocking_ops;
	rt->locks = &j->locks;
	rt->vars = j->vars;
	rt->ring = j->ring;
	rt->gil = j->gil_on ? &j->gil : NULL;
	rt->cancel = &j->cancel;
	rt->task = EV_NO_TASK;
	rt->lane = (uint16_t)lane;
	rt->http = NULL;
	rt_ready_init(rt);
}

/* The locks a task still holds as it ends are let go (a task that failed
 * holding one must not block the others), each marked on its lane;
 * waiters are woken. */
static void job_drop_locks(struct job *j, struct rt *rt, uint32_t task)
{
	struct rt_locks *t = &j->locks;
	int held[RT_LOCKS_MAX], n = 0;

	rt_locks_enter(t);
	for (int id = 0; id < t->n; id++)
		if (t->lock[id].holder == task && t->lock[id].depth > 0)
			held[n++] = id;
	rt_locks_leave(t);
	/* Marked before they go, as rt_unlock does: the next holder's
	 * acquire comes after. Only this task lets its locks go. */
	for (int i = 0; i < n; i++)
		rt_emit(rt, EV_RELEASE, held[i] | EV_RELEASE_ALL);
	rt_locks_enter(t);
	if (rt_locks_drop_task(t, task, clock_now_ns()))
		pthread_cond_broadcast(&t->cv);
	rt_locks_leave(t);
}

void job_exec_task(struct job *j, struct rt *rt, uint32_t task)
{
	struct task_result *res = &j->results[task];

	rt->task = task;
	rt_emit(rt, EV_CPU, 0);
	int rc = j->work->run(rt, j->in, task, res);
	if (j->locks.n > 0)
		job_drop_locks(j, rt, task);
	if (rc == 0 && (int64_t)task == j->corrupt) {
		res->ivalue++; /* the test hook: a wrong answer */
		res->dvalue += 1.0;
	}
	res->status = rc == 0 ? TASK_OK : TASK_FAILED;
	if (rc != 0)
		rt_emit(rt, EV_ERROR, rc);
	rt_emit(rt, EV_IDLE, 0); /* the task's end: its lane stops here */
	atomic_fetch_add_explicit(&j->done, 1, memory_order_release);
}

void job_worker(struct job *j, struct rt *rt)
{
	uint32_t task;

	rt_thread_setup();
	rt_gil_enter(rt);
	while (job_next_task(j, &task) == 0)
		job_exec_task(j, rt, task);
	rt->task = EV_NO_TASK;
	rt_cleanup(rt);
	rt_emit(rt, EV_DONE, 0);
	atomic_fetch_add(&j->ready_ns, (long long)rt->ready_ns);
	if (rt->gil)
		gil_release(rt->gil);
}
