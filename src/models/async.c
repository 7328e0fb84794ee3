/* async.c - the async model: one thread, an event loop of coroutines,
 * like asyncio with aiohttp.
 *
 * Every task is a coroutine (rt/coro.h) on the run's own thread. It runs
 * until it awaits: rt_sleep_ns puts it on the timer heap, rt_http_get
 * hands its transfer to the loop's one libcurl multi handle (connections
 * shared by all tasks, like one aiohttp.ClientSession), rt_lock queues it
 * on an async lock. The loop then runs the next ready coroutine; when none
 * is ready it waits in epoll for the transfers' sockets, the earliest
 * timer or libcurl's own timeout, whichever comes first, and makes ready
 * the coroutines whose waits are over. libcurl is driven the event-driven
 * way (curl_multi_socket_action, with its socket and timer callbacks on
 * this loop's epoll), never by polling every few milliseconds.
 *
 * All tasks start at once (asyncio.gather): each runs its first step, in
 * order, before any wait is looked at. CPU work never awaits (rt_tick
 * does not yield), so a CPU scenario runs one task after another, no
 * faster than sync, as asyncio does; and a task that computes for long
 * holds up every other (the `starve` pitfall).
 *
 * Lanes: every event of a coroutine is on lane 0 (the loop's thread) with
 * its task; the loop itself puts io (no task) on lane 0 while it waits in
 * epoll. The timeline's task view then shows each task's own lane.
 *
 * At most `limit` connections are open at once (CURLMOPT_MAX_TOTAL_
 * CONNECTIONS; aiohttp's default connector allows 100): 160 downloads
 * go in two waves.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/msg.h"
#include "models/model.h"
#include "rt/coro.h"
#include "rt/job.h"
#include "rt/locks.h"
#include "rt/rt.h"
#include "rt/rt_http.h"

#define ASYNC_POLL_MS 50 /* a cancel is seen within this */
#define ASYNC_EVENTS 256 /* epoll events taken per wait */

struct loop;

/* One task: its coroutine, its own rt, and what it waits for. */
struct atask {
	struct rt rt; /* lane 0, its task; ops async_ops */
	struct loop *loop;
	struct coro *co;
	struct atask *next;    /* in the ready queue or a lock's line */
	struct atask *prev_io; /* in the list of transfers in flight */
	struct atask *next_io; /* (to abandon them on cancel) */
	uint32_t task;	       /* the task it runs */
	int64_t wake_ns;       /* asleep: when it wakes */
	CURL *easy;	       /* in flight: its transfer */
	CURLcode http_rc;      /* and how it ended */
};

/* An asyncio.Lock's line of waiters, in the order they came (who holds
 * it, and the wait-for graph, are in the job's lock table). */
struct async_lock {
	struct atask *head, *tail;
};

struct loop {
	struct job *job;
	struct rt rt; /* the loop thread's own lane: lane 0, no task */
	struct coro_pool *pool;
	int ep;
	CURLM *multi;
	int64_t curl_at; /* when libcurl wants its timeout call; 0: never */
	struct atask *ready, *ready_tail;
	struct atask **heap; /* sleepers, earliest first */
	size_t nheap, capheap;
	struct atask *in_flight;
	struct async_lock locks[RT_LOCKS_MAX];
	CURL **spare; /* easy handles to reuse */
	size_t nspare, capspare;
	size_t live;	       /* tasks started and not finished */
	uint32_t pending_task; /* handed out, not started (no stack yet) */
	int no_more;	       /* every task has been handed out */
	long long ready_ns;    /* the tasks' ready time, summed as they end */
};

static struct atask *atask_of(struct rt *rt)
{
	return (struct atask *)(void *)((char *)rt -
					offsetof(struct atask, rt));
}

static int cancelled(const struct loop *l)
{
	return atomic_load_explicit(&l->job->cancel, memory_order_relaxed);
}

static void make_ready(struct loop *l, struct atask *a)
{
	a->next = NULL;
	if (l->ready_tail)
		l->ready_tail->next = a;
	else
		l->ready = a;
	l->ready_tail = a;
}

/* ---- the timer heap ------------------------------------------------- */

static void heap_swap(struct loop *l, size_t i, size_t k)
{
	struct atask *t = l->heap[i];

	l->heap[i] = l->heap[k];
	l->heap[k] = t;
}

static void heap_push(struct loop *l, struct atask *a)
{
	size_t i = l->nheap++;

	if (l->nheap > l->capheap) {
		l->capheap = l->capheap ? 2 * l->capheap : 64;
		l->heap = xrealloc(l->heap, l->capheap * sizeof *l->heap);
	}
	l->heap[i] = a;
	/* FIFO among equal times: only a strictly earlier one moves up. */
	while (i > 0 && l->heap[(i - 1) / 2]->wake_ns > a->wake_ns) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct atask *heap_pop(struct loop *l)
{
	struct atask *top = l->heap[0];
	size_t i = 0;

	l->heap[0] = l->heap[--l->nheap];
	for (;;) {
		size_t c = 2 * i + 1, m = i;
		if (c < l->nheap && l->heap[c]->wake_ns < l->heap[m]->wake_ns)
			m = c;
		if (c + 1 < l->nheap &&
		    l->heap[c + 1]->wake_ns < l->heap[m]->wake_ns)
			m = c + 1;
		if (m == i)
			return top;
		heap_swap(l, i, m);
		i = m;
	}
}

/* Wakes the sleepers whose time has come (all of them once cancelled). */
static void fire_timers(struct loop *l)
{
	int64_t now = clock_now_ns();
	int all = cancelled(l);

	while (l->nheap > 0 && (all || l->heap[0]->wake_ns <= now))
		make_ready(l, heap_pop(l));
}

/* ---- the rt ops of a coroutine ---------------------------------------- */

/* Never called: a coroutine's rt has no GIL of its own (the loop's
 * thread holds it for all of them), and CPU work does not yield. */
static void async_tick(struct rt *rt)
{
	(void)rt;
}

static void async_sleep(struct rt *rt, int64_t ns)
{
	struct atask *a = atask_of(rt);

	rt_emit(rt, EV_IO, ns);
	a->wake_ns = clock_now_ns() + ns;
	heap_push(a->loop, a);
	coro_yield();
	rt_emit(rt, EV_CPU, 0);
}

/* Wakes the first of lock id's line: the lock is free for it. */
static void wake_first(struct loop *l, int id)
{
	struct async_lock *lk = &l->locks[id];
	struct atask *w = lk->head;

	if (!w)
		return;
	lk->head = w->next;
	if (!lk->head)
		lk->tail = NULL;
	make_ready(l, w);
}

/* A deadlock was found: every task in a line is woken, to give up. */
static void wake_all(struct loop *l)
{
	for (int id = 0; id < l->job->locks.n; id++)
		while (l->locks[id].head)
			wake_first(l, id);
}

static void line_up(struct async_lock *lk, struct atask *a, int front)
{
	a->next = NULL;
	if (!lk->head) {
		lk->head = lk->tail = a;
	} else if (front) {
		a->next = lk->head;
		lk->head = a;
	} else {
		lk->tail->next = a;
		lk->tail = a;
	}
}

/* Takes the lock, or waits in its line: the one that lets it go wakes
 * the first waiter, so waiters get it in the order they came, as
 * asyncio.Lock's do. -1 when a deadlock was found (the loop's one thread
 * makes every take and give, so the table's mutex is never contended). */
static int async_lock(struct rt *rt, int id)
{
	struct atask *a = atask_of(rt);
	struct rt_locks *t = rt->locks;
	enum rt_take r = rt_lock_ask(rt, a->task, 0, id);

	if (r == RT_TAKEN)
		return 0;
	if (r != RT_BUSY) {
		wake_all(a->loop);
		return -1;
	}
	line_up(&a->loop->locks[id], a, 0);
	for (;;) {
		coro_yield(); /* until woken */
		rt_locks_enter(t);
		r = rt_locks_retry(t, a->task, id, clock_now_ns());
		rt_locks_leave(t);
		if (r != RT_BUSY)
			break;
		line_up(&a->loop->locks[id], a, 1); /* still first */
	}
	return rt_lock_waited(rt, r, id);
}

static void async_unlock(struct rt *rt, int id)
{
	struct atask *a = atask_of(rt);
	struct rt_locks *t = rt->locks;
	int wake;

	rt_emit(rt, EV_RELEASE, id);
	rt_locks_enter(t);
	wake = rt_locks_give(t, a->task, id, clock_now_ns());
	rt_locks_leave(t);
	if (wake)
		wake_first(a->loop, id);
}

/* An easy handle for a transfer: a spare one, or a new one. */
static CURL *easy_get(struct loop *l)
{
	if (l->nspare > 0)
		return l->spare[--l->nspare];
	return rt_http_easy_new();
}

static void easy_put(struct loop *l, CURL *c)
{
	if (l->nspare == l->capspare) {
		l->capspare = l->capspare ? 2 * l->capspare : 64;
		l->spare = xrealloc(l->spare, l->capspare * sizeof *l->spare);
	}
	l->spare[l->nspare++] = c;
}

static void in_flight_add(struct loop *l, struct atask *a)
{
	a->prev_io = NULL;
	a->next_io = l->in_flight;
	if (l->in_flight)
		l->in_flight->prev_io = a;
	l->in_flight = a;
}

static void in_flight_remove(struct loop *l, struct atask *a)
{
	if (a->prev_io)
		a->prev_io->next_io = a->next_io;
	else
		l->in_flight = a->next_io;
	if (a->next_io)
		a->next_io->prev_io = a->prev_io;
}

/* Hands the GET to the loop's multi handle and awaits its end. */
static int async_http(struct rt *rt, const char *url, struct rt_http *reply)
{
	struct atask *a = atask_of(rt);
	struct loop *l = a->loop;
	CURL *c = easy_get(l);
	int rc;

	if (!c) {
		msg_fmt(reply->error, sizeof reply->error, "%s",
			"no HTTP handle (out of memory)");
		return -(int)CURLE_OUT_OF_MEMORY;
	}
	rt_http_prepare(c, url, reply);
	curl_easy_setopt(c, CURLOPT_PRIVATE, a);
	a->easy = c;
	a->http_rc = CURLE_OK;
	if (cancelled(l) || curl_multi_add_handle(l->multi, c) != CURLM_OK) {
		a->http_rc = CURLE_ABORTED_BY_CALLBACK;
	} else {
		in_flight_add(l, a);
		rt_emit(rt, EV_IO, 0);
		coro_yield(); /* until the transfer has ended */
		rt_emit(rt, EV_CPU, 0);
	}
	rc = rt_http_finish(c, a->http_rc, reply);
	a->easy = NULL;
	easy_put(l, c);
	return rc;
}

static const struct rt_ops async_ops = {
	.tick = async_tick,
	.sleep_ns = async_sleep,
	.lock = async_lock,
	.unlock = async_unlock,
	.http_get = async_http,
};

/* ---- libcurl on the loop's epoll ------------------------------------- */

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp,
		     void *socketp)
{
	struct loop *l = userp;
	struct epoll_event ev = { 0 };

	(void)easy;
	ev.data.fd = s;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, s, NULL); /* may be closed */
		curl_multi_assign(l->multi, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) |
		    (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
	if (socketp)
		return epoll_ctl(l->ep, EPOLL_CTL_MOD, s, &ev) == 0 ? 0 : -1;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, s, &ev) != 0)
		return -1;
	curl_multi_assign(l->multi, s, l); /* registered */
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct loop *l = userp;

	(void)multi;
	l->curl_at =
		timeout_ms < 0 ? 0 : clock_now_ns() + timeout_ms * 1000000LL;
	return 0;
}

/* The transfers that have ended make their tasks ready. */
static void collect_transfers(struct loop *l)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(l->multi, &left)) != NULL) {
		struct atask *a = NULL;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &a);
		curl_multi_remove_handle(l->multi, m->easy_handle);
		a->http_rc = m->data.result;
		in_flight_remove(l, a);
		make_ready(l, a);
	}
}

/* A cancelled run abandons the transfers in flight: their tasks fail
 * ("cancelled") and finish. */
static void abandon_transfers(struct loop *l)
{
	while (l->in_flight) {
		struct atask *a = l->in_flight;
		curl_multi_remove_handle(l->multi, a->easy);
		a->http_rc = CURLE_ABORTED_BY_CALLBACK;
		in_flight_remove(l, a);
		make_ready(l, a);
	}
}

/* ---- the loop -------------------------------------------------------- */

static void task_main(void *p)
{
	struct atask *a = p;

	job_exec_task(a->loop->job, &a->rt, a->task);
}

/* A coroutine has returned: the locks it still held (job_exec_task let
 * them go: a task that failed holding one must not block the others) go
 * to their next waiters, its stack back to the pool. */
static void task_end(struct loop *l, struct atask *a)
{
	for (int id = 0; id < l->job->locks.n; id++)
		if (l->locks[id].head &&
		    l->job->locks.lock[id].holder == UINT32_MAX)
			wake_first(l, id);
	coro_free(a->co);
	rt_cleanup(&a->rt); /* a blocking GET's session, if it made one */
	l->ready_ns += a->rt.ready_ns;
	l->live--;
	free(a);
}

static void resume(struct loop *l, struct atask *a)
{
	if (coro_resume(a->co) == 1)
		task_end(l, a);
}

/* Starts task `task`: its first step runs now. 0, or -1 when no stack
 * can be had for it. */
static int start_task(struct loop *l, uint32_t task)
{
	struct atask *a = xcalloc(1, sizeof *a);

	a->loop = l;
	a->task = task;
	job_rt_init(l->job, &a->rt, 0);
	a->rt.ops = &async_ops;
	a->rt.gil = NULL; /* the loop's thread holds it for every task */
	a->co = coro_new(l->pool, task_main, a);
	if (!a->co) {
		free(a);
		return -1;
	}
	l->live++;
	resume(l, a);
	return 0;
}

/* asyncio.gather: every task not started yet runs its first step, in
 * order. A task that cannot get a stack waits until one is freed. */
static void start_tasks(struct loop *l)
{
	static const uint32_t none = UINT32_MAX;
	uint32_t task;

	while (!l->no_more) {
		if (l->pending_task == none &&
		    job_next_task(l->job, &l->pending_task) < 0) {
			l->no_more = 1;
			return;
		}
		task = l->pending_task;
		if (start_task(l, task) < 0) {
			if (l->live == 0)
				msg_fatal("no memory for a coroutine's stack",
					  "close other programs or run fewer "
					  "tasks at once");
			return;
		}
		l->pending_task = none;
	}
}

static void run_ready(struct loop *l)
{
	while (l->ready) {
		struct atask *a = l->ready;
		l->ready = a->next;
		if (!l->ready)
			l->ready_tail = NULL;
		resume(l, a);
	}
}

/* How long the loop may wait, in ms: until the earliest timer or
 * libcurl's timeout, at most ASYNC_POLL_MS; 0 with work ready. */
static int wait_ms(const struct loop *l)
{
	int64_t now = clock_now_ns(), until = now + ASYNC_POLL_MS * 1000000LL;

	if (l->ready)
		return 0;
	if (l->nheap > 0 && l->heap[0]->wake_ns < until)
		until = l->heap[0]->wake_ns;
	if (l->curl_at && l->curl_at < until)
		until = l->curl_at;
	if (until <= now)
		return 0;
	return (int)((until - now + 999999) / 1000000);
}

static int curl_flags(uint32_t events)
{
	return (events & EPOLLIN ? CURL_CSELECT_IN : 0) |
	       (events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
	       (events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
}

/* Waits for sockets and time, and lets libcurl act on what happened. */
static void wait_events(struct loop *l)
{
	struct epoll_event ev[ASYNC_EVENTS];
	int ms = wait_ms(l), n, running;

	if (ms > 0)
		rt_emit(&l->rt, EV_IO, 0); /* the thread waits on I/O */
	n = epoll_wait(l->ep, ev, ASYNC_EVENTS, ms);
	for (int i = 0; i < n; i++)
		curl_multi_socket_action(l->multi, ev[i].data.fd,
					 curl_flags(ev[i].events), &running);
	if (l->curl_at && clock_now_ns() >= l->curl_at) {
		l->curl_at = 0;
		curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
	}
	collect_transfers(l);
}

static int loop_init(struct loop *l, struct job *j)
{
	memset(l, 0, sizeof *l);
	l->job = j;
	l->pending_task = UINT32_MAX;
	job_rt_init(j, &l->rt, 0);
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	l->pool = coro_pool_new(coro_stack_default());
	rt_http_init();
	l->multi = curl_multi_init();
	if (l->ep < 0 || !l->pool || !l->multi)
		return -1;
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
	curl_multi_setopt(l->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			  (long)(j->limit > 0 ? j->limit : JOB_LIMIT_DEFAULT));
	return 0;
}

static void loop_free(struct loop *l)
{
	while (l->nspare > 0)
		curl_easy_cleanup(l->spare[--l->nspare]);
	free(l->spare);
	if (l->multi)
		curl_multi_cleanup(l->multi);
	if (l->pool)
		coro_pool_free(l->pool);
	if (l->ep >= 0)
		close(l->ep);
	free(l->heap);
}

int model_async_run(struct job *j)
{
	struct loop l;

	if (loop_init(&l, j) < 0) {
		loop_free(&l);
		return -1;
	}
	rt_thread_setup();
	rt_gil_enter(&l.rt); /* one thread: it holds the GIL throughout */
	for (;;) {
		start_tasks(&l);
		run_ready(&l);
		if (l.no_more && l.live == 0)
			break;
		if (cancelled(&l))
			abandon_transfers(&l);
		wait_events(&l);
		fire_timers(&l);
	}
	l.rt.task = EV_NO_TASK;
	rt_emit(&l.rt, EV_DONE, 0);
	atomic_fetch_add(&j->ready_ns, l.ready_ns);
	if (l.rt.gil)
		gil_release(l.rt.gil);
	loop_free(&l);
	return 0;
}
