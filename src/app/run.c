/* run.c - one run of a scenario by a model, on a thread of its own: the
 * orchestration above the models (the worker's side is rt/job.c). */
#include "config.h"

#include "app/run.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "app/scenario.h"
#include "core/clock.h"
#include "core/evring.h"
#include "core/ledger.h"
#include "core/msg.h"
#include "core/urllist.h"
#include "models/procs.h"
#include "rt/gil.h"
#include "rt/job.h"
#include "rt/rt.h"
#include "rt/shared.h"
#include "server/server.h"
#include "work/work.h"

struct run {
	struct run_config cfg;
	struct job job;		 /* what the model runs: the worker's side */
	struct work_input in;	 /* what the workload reads: points in here */
	struct urllist own_urls; /* the scenario's, when cfg.urls is NULL */
	struct server *server;	 /* the embedded one, or NULL */
	const struct model_ops *model;
	pthread_t thread;
	atomic_int finished;
	int64_t origin_ns, start_ns, end_ns;
	double cpu_s;
	int status;
	struct run_stats checked; /* the answers' counts, from run_main */
	char *payload;		  /* procs: what its workers rebuild from */
};

/* run_test_corrupt_task: copied into each new run of the model. */
static atomic_llong test_corrupt = -1;
static atomic_int test_corrupt_model = -1;

void run_test_corrupt_task(int64_t task)
{
	atomic_store(&test_corrupt, (long long)task);
	atomic_store(&test_corrupt_model, -1);
}

void run_test_corrupt_model(int64_t task, int model)
{
	atomic_store(&test_corrupt, (long long)task);
	atomic_store(&test_corrupt_model, model);
}

/* Is task i's answer right? 1 yes (or nothing to check it against), 0
 * no (the texts of both go to *st for the message), -1 stopped. */
static int check_one(struct run *r, uint32_t i, struct run_stats *st)
{
	const struct task_result *res = &r->job.results[i];
	struct task_result want;
	int rc = r->job.work->expect(&r->in, i, &want);

	if (rc == WORK_STOPPED)
		return -1;
	if (rc != 0 ||
	    (want.ivalue == res->ivalue && want.ihigh == res->ihigh &&
	     want.dvalue == res->dvalue && strcmp(want.text, res->text) == 0))
		return 1;
	if (st->wrong++ == 0) {
		st->first_wrong = i;
		work_format(&r->cfg.sc, i, res, st->wrong_got,
			    sizeof st->wrong_got);
		work_format(&r->cfg.sc, i, &want, st->wrong_want,
			    sizeof st->wrong_want);
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
		const struct task_result *res = &r->job.results[i];
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
	r->status = r->model->run(&r->job);
	r->end_ns = clock_now_ns();
	r->cpu_s = cpu_seconds() - cpu0 +
		   (double)atomic_load(&r->job.child_cpu_ns) / 1e9;
	check_results(r, &r->checked);
	atomic_store_explicit(&r->finished, 1, memory_order_release);
	return NULL;
}

static int run_setup(struct run *r, const struct run_config *cfg,
		     struct evring *ring, char *err, size_t errlen)
{
	r->cfg = *cfg;
	r->job.work = work_for(&cfg->sc);
	r->model = model_get(cfg->model);
	if (!r->job.work || !r->model->run || cfg->sc.tasks < 1 ||
	    cfg->scale <= 0) {
		msg_fmt(err, errlen,
			"cannot run scenario '%s' with model "
			"'%s': check the scenario and the model",
			cfg->sc.name, r->model->name);
		return -1;
	}
	if (r->model->processes && ring && evring_fd(ring) < 0) {
		msg_fmt(err, errlen,
			"the %s model needs an event ring that processes "
			"share: make it with evring_new_shared",
			r->model->name);
		return -1;
	}
	r->job.workers = r->model->pooled ? cfg->workers : 1;
	if (r->job.workers < 1 ||
	    r->job.workers > run_workers_max(cfg->model)) {
		msg_fmt(err, errlen, "bad number of workers %d: use 1 to %d",
			cfg->workers, run_workers_max(cfg->model));
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

/* What a worker process rebuilds the run's input from: this header, then
 * the embedded server's URL and the URLs (blank-separated), each ended by
 * a NUL. */
struct run_payload {
	struct scenario sc;
	double scale;
	uint64_t seed;
	uint32_t base_len, urls_len; /* NULs included */
};

static void run_pack(struct run *r)
{
	const struct urllist *u = r->in.urls;
	const char *base = r->in.base ? r->in.base : "";
	struct run_payload h = { .sc = r->cfg.sc,
				 .scale = r->cfg.scale,
				 .seed = r->cfg.seed };
	size_t urls = 1;
	char *p;

	for (size_t i = 0; u && i < u->count; i++)
		urls += strlen(u->urls[i]) + 1;
	h.base_len = (uint32_t)strlen(base) + 1;
	h.urls_len = (uint32_t)urls;
	r->job.payload_len = sizeof h + h.base_len + h.urls_len;
	r->payload = xcalloc(1, r->job.payload_len);
	memcpy(r->payload, &h, sizeof h);
	p = r->payload + sizeof h;
	memcpy(p, base, h.base_len);
	p += h.base_len;
	for (size_t i = 0; u && i < u->count; i++) {
		size_t n = strlen(u->urls[i]);
		memcpy(p, u->urls[i], n);
		p[n] = i + 1 < u->count ? ' ' : '\0';
		p += n + 1;
	}
	r->job.payload = r->payload;
}

int run_procs_child(struct procs_child *pc, const void *payload, size_t len)
{
	struct run_payload h;
	struct work_input in = { 0 };
	struct urllist urls = { 0 };
	const char *base, *text;
	const struct work_ops *w;
	char why[256];
	int rc;

	if (len < sizeof h)
		return 1;
	memcpy(&h, payload, sizeof h);
	base = (const char *)payload + sizeof h;
	text = base + h.base_len;
	if (h.base_len < 1 || h.urls_len < 1 ||
	    sizeof h + h.base_len + h.urls_len != len ||
	    base[h.base_len - 1] != '\0' || text[h.urls_len - 1] != '\0')
		return 1;
	h.sc.name[SCENARIO_NAME_MAX - 1] = '\0';
	h.sc.workload[SCENARIO_NAME_MAX - 1] = '\0';
	h.sc.hog_workload[SCENARIO_NAME_MAX - 1] = '\0';
	w = work_for(&h.sc);
	if (!w)
		return 1;
	in.sc = &h.sc;
	in.scale = h.scale;
	in.seed = h.seed;
	in.base = base[0] ? base : NULL;
	if (text[0] && urllist_words(text, &urls, why, sizeof why) < 0)
		return 1;
	in.urls = text[0] ? &urls : NULL;
	rc = procs_child_run(pc, w, &in);
	urllist_free(&urls);
	return rc;
}

int run_kill_worker(struct run *r, int *lane, long *pid, char *err,
		    size_t errlen)
{
	pid_t p;

	if (!r->model->processes) {
		msg_fmt(err, errlen,
			"x kills a worker process, and %s has none: press m "
			"for procs",
			r->model->name);
		return -1;
	}
	if (run_finished(r) || procs_kill_one(&r->job, lane, &p) < 0) {
		msg_fmt(err, errlen, "%s", "no worker process is running");
		return -1;
	}
	*pid = (long)p;
	return 0;
}

/* The shared values of a race scenario, in this process. */
static int run_share(struct run *r, char *err, size_t errlen)
{
	if (job_share(&r->job, r->job.work, &r->cfg.sc) == 0)
		return 0;
	msg_fmt(err, errlen,
		"scenario '%s' needs more shared values than conviz has (%d): "
		"fix the scenario",
		r->cfg.sc.name, RT_VARS_MAX);
	return -1;
}

static void run_release(struct run *r)
{
	server_close(r->server);
	urllist_free(&r->own_urls);
	job_destroy(&r->job);
	free(r->job.results);
	free(r->payload);
	free(r);
}

struct run *run_start(const struct run_config *cfg, struct evring *ring,
		      char *err, size_t errlen)
{
	struct run *r = xcalloc(1, sizeof *r);

	if (run_setup(r, cfg, ring, err, errlen) < 0) {
		free(r);
		return NULL;
	}
	r->in.sc = &r->cfg.sc;
	r->in.scale = r->cfg.scale;
	r->in.seed = r->cfg.seed;
	r->in.stop = &r->job.cancel;
	r->job.in = &r->in;
	r->job.results = xcalloc((size_t)cfg->sc.tasks, sizeof *r->job.results);
	r->job.tasks = (uint32_t)cfg->sc.tasks;
	r->job.ring = ring;
	r->job.gil_on = cfg->gil;
	r->job.limit = cfg->limit;
	r->job.chunk = cfg->chunk;
	r->job.start = cfg->start;
	r->job.corrupt = atomic_load(&test_corrupt_model) < 0 ||
					 atomic_load(&test_corrupt_model) ==
						 (int)cfg->model
				 ? atomic_load(&test_corrupt)
				 : -1;
	if (job_init(&r->job, err, errlen) < 0 ||
	    run_share(r, err, errlen) < 0 ||
	    (work_find(cfg->sc.workload)->io &&
	     run_io_setup(r, err, errlen) < 0)) {
		run_release(r);
		return NULL;
	}
	if (r->model->processes)
		run_pack(r);
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
	atomic_store(&r->job.cancel, 1);
}

/* A race scenario's invariant: what the shared values should sum to and
 * what they do, in this process (a procs run's workers changed their own
 * copies: here nothing moved), and the updates lost. */
static void run_race_stats(struct run *r, struct run_stats *st)
{
	const struct work_ops *w = r->job.work;

	st->race = w->shared != NULL && r->job.vars->n > 0;
	if (!st->race)
		return;
	st->expected_sum = w->expected_sum(&r->cfg.sc, r->cfg.scale);
	st->final_sum = rt_vars_sum(r->job.vars);
	st->lost_updates = atomic_load(&r->job.vars->lost_updates);
	st->lost_amount = atomic_load(&r->job.vars->lost_amount);
}

/* What the program locks did (a procs run: its workers', added up). */
static void run_lock_stats(struct run *r, struct run_stats *st)
{
	const struct rt_lock_report *rep = &r->job.lockrep;

	st->locks = r->job.locks.n;
	st->lock_wait_s = (double)atomic_load(&rep->wait_ns) / 1e9;
	st->lock_hold_s = (double)atomic_load(&rep->hold_ns) / 1e9;
	st->lock_waits = atomic_load(&rep->waits);
	st->deadlock = atomic_load(&rep->deadlock);
	rt_cycle_format(rep, st->cycle, sizeof st->cycle);
	st->ncycle = st->deadlock ? atomic_load(&rep->ncycle) : 0;
	memcpy(st->cycle_step, rep->cycle, sizeof st->cycle_step);
}

int run_wait(struct run *r, struct run_stats *st)
{
	struct evring *ring = r->job.ring;

	pthread_join(r->thread, NULL);
	*st = r->checked;
	st->tasks = (uint32_t)r->cfg.sc.tasks;
	st->start_ns = r->start_ns;
	st->end_ns = r->end_ns;
	st->wall_s = (double)(r->end_ns - r->start_ns) / 1e9;
	st->cpu_s = r->cpu_s;
	st->ready_s = (double)atomic_load(&r->job.ready_ns) / 1e9;
	st->events = ring ? evring_pushed(ring) : 0;
	st->stalls = ring ? evring_stalls(ring) : 0;
	st->stall_s = ring ? (double)evring_stall_ns(ring) / 1e9 : 0.0;
	st->gil_switches = r->cfg.gil ? gil_switches(&r->job.gil) : 0;
	run_race_stats(r, st);
	run_lock_stats(r, st);
	/* A deadlock stops the run (it cancels it); the user did not. */
	st->cancelled = atomic_load(&r->job.cancel) && !st->deadlock;
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
	return atomic_load_explicit(&r->job.done, memory_order_relaxed);
}

const struct task_result *run_result(const struct run *r, uint32_t task)
{
	return task < r->job.tasks ? &r->job.results[task] : NULL;
}

int run_task_what(const struct run *r, uint32_t task, char *buf, size_t len)
{
	const struct work_ops *w = work_for(&r->cfg.sc);

	if (len > 0)
		buf[0] = '\0';
	if (!w || !w->what || task >= r->job.tasks)
		return -1;
	w->what(&r->in, task, buf, len);
	return 0;
}

const char *run_server_url(const struct run *r)
{
	return r->server ? server_url(r->server) : NULL;
}

struct evring *run_ring_new(const struct run_config *cfg, size_t capacity)
{
	return model_get(cfg->model)->processes ? evring_new_shared(capacity)
						: evring_new(capacity);
}

int run_default_workers(const struct scenario *sc, enum model_id model)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int w;

	if (model == MODEL_PROCS)
		w = cores >= 1 ? (int)cores : 1;
	else
		w = sc->workers > 0 ? sc->workers : scenario_default_workers();
	if (model == MODEL_PROCS && w > PROCS_WORKERS_MAX)
		w = PROCS_WORKERS_MAX;
	return w < RUN_WORKERS_MAX ? w : RUN_WORKERS_MAX;
}

int run_workers_max(enum model_id model)
{
	return model_get(model)->processes ? procs_workers_allowed()
					   : RUN_WORKERS_MAX;
}

void run_ledger_init(const struct run *r, struct ledger *lg)
{
	const struct work_ops *w = r->job.work;
	int64_t initial[RT_VARS_MAX];
	int n = w->shared ? w->shared(&r->cfg.sc, initial) : 0;
	int64_t expected =
		w->expected_sum ? w->expected_sum(&r->cfg.sc, r->cfg.scale) : 0;

	ledger_init(lg, r->origin_ns, n, initial, expected, r->job.locks.n);
}

void run_ledger_cycle(struct ledger *lg, const struct run_stats *st)
{
	struct ledger_step step[RT_LOCKS_MAX];
	int n = st->ncycle < RT_LOCKS_MAX ? st->ncycle : RT_LOCKS_MAX;

	for (int i = 0; i < n; i++)
		step[i] = (struct ledger_step){
			.task = st->cycle_step[i].task,
			.lane = st->cycle_step[i].lane,
			.holds = st->cycle_step[i].holds,
			.wants = st->cycle_step[i].wants,
		};
	if (st->deadlock)
		ledger_cycle(lg, step, n);
}

const char *run_var_label(const struct run *r)
{
	const struct work_ops *w = work_find(r->cfg.sc.workload);

	return w && w->var_label ? w->var_label : "value";
}

int run_workers(const struct run *r)
{
	return r->job.workers;
}

int run_config_view(const struct run_config *c)
{
	if (c->view >= 0)
		return c->view;
	return model_get(c->model)->task_view;
}
