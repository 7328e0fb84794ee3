/* run.c - one run of a scenario by a model, on a thread of its own. */
#include "config.h"

#include "run.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "clock.h"
#include "evring.h"
#include "gil.h"
#include "msg.h"
#include "rt.h"
#include "server.h"
#include "urllist.h"

struct run {
	struct run_config cfg;
	struct work_input in;	 /* what the workload reads: points in here */
	struct urllist own_urls; /* the scenario's, when cfg.urls is NULL */
	struct server *server;	 /* the embedded one, or NULL */
	const struct work_ops *work;
	const struct model_ops *model;
	struct evring *ring;
	struct gil gil;
	int workers;
	pthread_t thread;
	pthread_mutex_t locks[RT_LOCKS];
	int nlocks; /* locks set up (all of them, once started) */
	int gil_ok; /* the GIL is set up */
	struct task_result *results;
	atomic_uint next; /* the task queue: the next task index */
	atomic_uint done; /* tasks finished */
	atomic_int cancel;
	atomic_int finished;
	atomic_llong ready_ns; /* the workers' ready time, summed as they end */
	int64_t origin_ns, start_ns, end_ns;
	int64_t corrupt; /* the test hook's task, or -1 */
	double cpu_s;
	int status;
	struct run_stats checked; /* the answers' counts, from run_main */
};

/* run_test_corrupt_task: copied into each new run. */
static atomic_llong test_corrupt = -1;

void run_test_corrupt_task(int64_t task)
{
	atomic_store(&test_corrupt, (long long)task);
}

/* Is task i's answer right? 1 yes (or nothing to check it against), 0
 * no (the texts of both go to *st for the message), -1 stopped. */
static int check_one(struct run *r, uint32_t i, struct run_stats *st)
{
	const struct task_result *res = &r->results[i];
	struct task_result want;
	int rc = r->work->expect(&r->in, i, &want);

	if (rc == WORK_STOPPED)
		return -1;
	if (rc != 0 ||
	    (want.ivalue == res->ivalue && want.ihigh == res->ihigh &&
	     want.dvalue == res->dvalue && strcmp(want.text, res->text) == 0))
		return 1;
	if (st->wrong++ == 0) {
		st->first_wrong = i;
		r->work->format(res, st->wrong_got, sizeof st->wrong_got);
		r->work->format(&want, st->wrong_want, sizeof st->wrong_want);
	}
	return 0;
}

/* Counts the results, checking each against the workload's own answer.
 * On the run's thread, after the model returned: checking can take
 * seconds (a table of primes) and must never hold up the UI thread. A
 * cancel stops it; the run is then not `checked`. */
static void check_results(struct run *r, struct run_stats *st)
{
	st->first_wrong = -1;
	st->checked = 1;
	for (long i = 0; i < r->cfg.sc.tasks; i++) {
		const struct task_result *res = &r->results[i];
		if (res->status == TASK_FAILED)
			st->failed++;
		if (res->status != TASK_OK || !st->checked)
			continue;
		int right = check_one(r, (uint32_t)i, st);
		if (right < 0)
			st->checked = 0;
		st->ok += right == 1;
	}
}

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0.0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void *run_main(void *p)
{
	struct run *r = p;
	double cpu0 = cpu_seconds();

	r->start_ns = clock_now_ns();
	r->status = r->model->run(r);
	r->end_ns = clock_now_ns();
	r->cpu_s = cpu_seconds() - cpu0;
	check_results(r, &r->checked);
	atomic_store_explicit(&r->finished, 1, memory_order_release);
	return NULL;
}

static int run_setup(struct run *r, const struct run_config *cfg, char *err,
		     size_t errlen)
{
	r->cfg = *cfg;
	r->work = work_find(cfg->sc.workload);
	r->model = model_get(cfg->model);
	if (!r->work || !r->model->run || cfg->sc.tasks < 1 ||
	    cfg->scale <= 0) {
		msg_fmt(err, errlen,
			"cannot run scenario '%s' with model "
			"'%s': check the scenario and the model",
			cfg->sc.name, r->model->name);
		return -1;
	}
	r->workers = r->model->pooled ? cfg->workers : 1;
	if (r->workers < 1 || r->workers > RUN_WORKERS_MAX) {
		msg_fmt(err, errlen, "bad number of workers %d: use 1 to %d",
			cfg->workers, RUN_WORKERS_MAX);
		return -1;
	}
	return 0;
}

/* An I/O run: its URLs, and the embedded server if a URL is a path. */
static int run_io_setup(struct run *r, char *err, size_t errlen)
{
	struct server_config sc = { .seed = r->cfg.seed };
	char why[512];

	if (r->cfg.urls) {
		r->in.urls = r->cfg.urls;
	} else if (urllist_words(r->cfg.sc.urls, &r->own_urls, why,
				 sizeof why) == 0) {
		r->in.urls = &r->own_urls;
	} else {
		msg_fmt(err, errlen, "scenario '%s' has bad urls (%s): fix it",
			r->cfg.sc.name, why);
		return -1;
	}
	rt_http_init(); /* before any worker thread exists */
	if (!urllist_needs_server(r->in.urls))
		return 0;
	r->server = server_open(&sc, err, errlen);
	if (!r->server)
		return -1;
	if (server_start(r->server, err, errlen) < 0) {
		server_close(r->server);
		r->server = NULL;
		return -1;
	}
	r->in.base = server_url(r->server);
	r->in.www = server_www(r->server);
	return 0;
}

static void run_release(struct run *r)
{
	server_close(r->server);
	urllist_free(&r->own_urls);
	for (int i = 0; i < r->nlocks; i++)
		pthread_mutex_destroy(&r->locks[i]);
	if (r->gil_ok)
		gil_destroy(&r->gil);
	free(r->results);
	free(r);
}

/* The GIL and the program locks. 0, or -1 with a message in err. */
static int run_sync_init(struct run *r, char *err, size_t errlen)
{
	r->gil_ok = gil_init(&r->gil, GIL_INTERVAL_NS) == 0;
	while (r->gil_ok && r->nlocks < RT_LOCKS &&
	       pthread_mutex_init(&r->locks[r->nlocks], NULL) == 0)
		r->nlocks++;
	if (r->gil_ok && r->nlocks == RT_LOCKS)
		return 0;
	msg_fmt(err, errlen,
		"cannot set up the run's locks: "
		"close other programs and try again");
	return -1;
}

struct run *run_start(const struct run_config *cfg, struct evring *ring,
		      char *err, size_t errlen)
{
	struct run *r = xcalloc(1, sizeof *r);

	if (run_setup(r, cfg, err, errlen) < 0) {
		free(r);
		return NULL;
	}
	r->ring = ring;
	r->corrupt = atomic_load(&test_corrupt);
	r->results = xcalloc((size_t)cfg->sc.tasks, sizeof *r->results);
	r->in.sc = &r->cfg.sc;
	r->in.scale = r->cfg.scale;
	r->in.stop = &r->cancel;
	if (run_sync_init(r, err, errlen) < 0 ||
	    (r->work->io && run_io_setup(r, err, errlen) < 0)) {
		run_release(r);
		return NULL;
	}
	r->origin_ns = clock_now_ns();
	if (pthread_create(&r->thread, NULL, run_main, r) != 0) {
		msg_fmt(err, errlen,
			"cannot start a thread for the run: "
			"close other programs and try again");
		run_release(r);
		return NULL;
	}
	return r;
}

int run_finished(struct run *r)
{
	return atomic_load_explicit(&r->finished, memory_order_acquire);
}

void run_cancel(struct run *r)
{
	atomic_store(&r->cancel, 1);
}

int run_wait(struct run *r, struct run_stats *st)
{
	pthread_join(r->thread, NULL);
	*st = r->checked;
	st->tasks = (uint32_t)r->cfg.sc.tasks;
	st->start_ns = r->start_ns;
	st->end_ns = r->end_ns;
	st->wall_s = (double)(r->end_ns - r->start_ns) / 1e9;
	st->cpu_s = r->cpu_s;
	st->ready_s = (double)atomic_load(&r->ready_ns) / 1e9;
	st->events = r->ring ? evring_pushed(r->ring) : 0;
	st->stalls = r->ring ? evring_stalls(r->ring) : 0;
	st->stall_s = r->ring ? (double)evring_stall_ns(r->ring) / 1e9 : 0.0;
	st->gil_switches = r->cfg.gil ? gil_switches(&r->gil) : 0;
	st->cancelled = atomic_load(&r->cancel);
	/* A wrong answer means conviz itself is broken: the run did not
	 * complete, whatever the model says. */
	st->status = st->wrong > 0 ? -1 : r->status;
	return st->status;
}

void run_free(struct run *r)
{
	if (r)
		run_release(r);
}

const struct run_config *run_config(const struct run *r)
{
	return &r->cfg;
}

int64_t run_origin_ns(const struct run *r)
{
	return r->origin_ns;
}

uint32_t run_tasks_done(struct run *r)
{
	return atomic_load_explicit(&r->done, memory_order_relaxed);
}

const struct task_result *run_result(const struct run *r, uint32_t task)
{
	return task < (uint32_t)r->cfg.sc.tasks ? &r->results[task] : NULL;
}

const char *run_server_url(const struct run *r)
{
	return r->server ? server_url(r->server) : NULL;
}

const struct work_ops *run_work(const struct run *r)
{
	return r->work;
}

int run_workers(const struct run *r)
{
	return r->workers;
}

pthread_mutex_t *run_lock(struct run *r, int id)
{
	return &r->locks[(unsigned)id % RT_LOCKS];
}

int run_next_task(struct run *r, uint32_t *task)
{
	if (atomic_load_explicit(&r->cancel, memory_order_relaxed))
		return -1;
	/* The queue is an index handed out once each: a lock-free
	 * fetch-and-add, so taking a task costs far less than any task. */
	unsigned t =
		atomic_fetch_add_explicit(&r->next, 1, memory_order_relaxed);
	if (t >= (unsigned)r->cfg.sc.tasks)
		return -1;
	*task = t;
	return 0;
}

void run_rt_init(struct run *r, struct rt *rt, int lane)
{
	rt->ops = &rt_blocking_ops;
	rt->run = r;
	rt->ring = r->ring;
	rt->gil = r->cfg.gil ? &r->gil : NULL;
	rt->cancel = &r->cancel;
	rt->task = EV_NO_TASK;
	rt->lane = (uint16_t)lane;
	rt->http = NULL;
	rt_ready_init(rt);
}

void run_exec_task(struct run *r, struct rt *rt, uint32_t task)
{
	struct task_result *res = &r->results[task];

	rt->task = task;
	rt_emit(rt, EV_CPU, 0);
	int rc = r->work->run(rt, &r->in, task, res);
	if (rc == 0 && (int64_t)task == r->corrupt) {
		res->ivalue++; /* the test hook: a wrong answer */
		res->dvalue += 1.0;
	}
	res->status = rc == 0 ? TASK_OK : TASK_FAILED;
	if (rc != 0)
		rt_emit(rt, EV_ERROR, rc);
	atomic_fetch_add_explicit(&r->done, 1, memory_order_release);
}

void run_worker(struct run *r, struct rt *rt)
{
	uint32_t task;

	rt_thread_setup();
	rt_gil_enter(rt);
	while (run_next_task(r, &task) == 0)
		run_exec_task(r, rt, task);
	rt->task = EV_NO_TASK;
	rt_cleanup(rt);
	rt_emit(rt, EV_DONE, 0);
	atomic_fetch_add(&r->ready_ns, (long long)rt->ready_ns);
	if (rt->gil)
		gil_release(rt->gil);
}
