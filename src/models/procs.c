/* procs.c - a pool of W worker processes, like Python's
 * ProcessPoolExecutor (or Pool.map with --chunk): the parent hands out
 * tasks, a chunk at a time, over one socket per worker; each worker has its
 * own GIL and program locks, writes its results into a shared control
 * block and its events into the shared ring. The parent notices a worker
 * that dies (its socket closes, then its exit status), marks the task it
 * was running failed, hands the rest of its chunk to others, and starts a
 * replacement on its lane. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/evring.h"
#include "core/msg.h"
#include "models/model.h"
#include "models/procs.h"
#include "models/procs_int.h"
#include "rt/job.h"
#include "rt/rt.h"

/* How often the parent looks at the cancel flag when nothing else wakes
 * it, in ms. */
#define POOL_POLL_MS 10

struct lane {
	struct procs_proc proc; /* pid 0: no process on the lane */
	uint32_t first, end;	/* the tasks it was handed last */
	struct rt rt;		/* the parent's, for the lane's own events */
};

struct pool {
	struct job *j;
	struct ctl_head *ctl;
	size_t ctl_len;
	int ctl_fd, ring_fd;
	struct lane *lanes;
	int n, live, restarts;
	int bad_exits;	 /* workers that ended with a status other than 0 */
	int start_errno; /* why a worker could not start, or 0 */
	uint32_t next;	 /* the first task never handed out */
	uint32_t *back;	 /* tasks handed back by a dead worker */
	size_t nback;
	struct pollfd *pf;
	int *pf_lane;
};

/* Guards job.pool and the lanes' pids against procs_kill_one. */
static pthread_mutex_t kill_lock = PTHREAD_MUTEX_INITIALIZER;

/* Exit reports the forkserver sent while a start waited for its answer;
 * the run that holds the forkserver handles them. */
static struct srv_msg pending[4 * PROCS_WORKERS_MAX];
static size_t npending;

void procs_pending_exit(const struct srv_msg *m)
{
	if (npending < sizeof pending / sizeof pending[0])
		pending[npending++] = *m;
}

/* --- the worker's side ------------------------------------------------ */

/* Asks the parent for work: 0 and *ch (count 0: none left), or -1 when
 * the parent is gone. */
static int child_ask(struct procs_child *pc, struct procs_chunk *ch)
{
	uint32_t want = 1;
	ssize_t n;

	if (send(pc->sock, &want, sizeof want, MSG_NOSIGNAL) < 0)
		return -1;
	do
		n = recv(pc->sock, ch, sizeof *ch, 0);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof *ch ? 0 : -1;
}

/* Runs the chunk [first, first + count) on rt, until cancelled. */
static void child_chunk(struct procs_child *pc, struct job *j, struct rt *rt,
			const struct procs_chunk *ch)
{
	struct ctl_slot *slot = ctl_slot(pc->ctl, pc->lane);

	for (uint32_t t = ch->first; t - ch->first < ch->count; t++) {
		if (atomic_load_explicit(&pc->ctl->cancel,
					 memory_order_relaxed))
			return;
		atomic_store(&slot->cur, t);
		job_exec_task(j, rt, t);
		atomic_store(&slot->cur, EV_NO_TASK);
		atomic_fetch_add(&pc->ctl->done, 1);
	}
}

int procs_child_run(struct procs_child *pc, const struct work_ops *work,
		    struct work_input *in)
{
	struct ctl_head *c = pc->ctl;
	struct job j;
	struct rt rt;
	struct procs_chunk ch;
	char err[128];

	memset(&j, 0, sizeof j);
	j.work = work;
	j.in = in;
	j.results = ctl_results(c);
	j.tasks = c->tasks;
	j.workers = 1;
	j.ring = pc->ring;
	j.gil_on = (int)c->gil_on; /* a GIL of its own, as each Python */
	j.corrupt = c->corrupt;
	in->stop = &c->cancel;
	if (job_init(&j, err, sizeof err) < 0 ||
	    job_share(&j, work, in->sc) < 0) {
		job_destroy(&j);
		return 1;
	}
	job_rt_init(&j, &rt, pc->lane);
	rt.cancel = &c->cancel;
	j.locks.report = &c->lockrep; /* the parent reads it */
	j.locks.cancel = &c->cancel;  /* a deadlock stops the whole pool */
	/* Still starting: the lane learns its process id. */
	rt_emit(&rt, EV_STARTUP, (int64_t)getpid());
	rt_thread_setup();
	/* The pool's initializer: the worker's own HTTP session. */
	if (work->io && rt_http_open(&rt) < 0) {
		job_destroy(&j);
		return 1;
	}
	rt_gil_enter(&rt);
	rt_emit(&rt, EV_IDLE, 0); /* ready: startup ends here */
	while (child_ask(pc, &ch) == 0 && ch.count > 0)
		child_chunk(pc, &j, &rt, &ch);
	rt.task = EV_NO_TASK;
	rt_cleanup(&rt);
	rt_emit(&rt, EV_DONE, 0);
	atomic_fetch_add(&ctl_slot(c, pc->lane)->ready_ns,
			 (long long)rt.ready_ns);
	if (rt.gil)
		gil_release(rt.gil);
	job_destroy(&j);
	return 0;
}

/* --- the control block -------------------------------------------------- */

static size_t align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

static int pool_map(struct pool *p, struct job *j)
{
	size_t slots = align64(sizeof(struct ctl_head));
	size_t results =
		slots + align64((size_t)j->workers * sizeof(struct ctl_slot));
	size_t payload = results +
			 align64((size_t)j->tasks * sizeof(struct task_result));
	struct ctl_head *c;

	p->ctl_len = payload + j->payload_len;
	p->ctl_fd = memfd_create("conviz-procs", MFD_CLOEXEC);
	if (p->ctl_fd < 0 || ftruncate(p->ctl_fd, (off_t)p->ctl_len) != 0)
		return -1;
	c = mmap(NULL, p->ctl_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 p->ctl_fd, 0);
	if (c == MAP_FAILED)
		return -1;
	p->ctl = c; /* zeroed by ftruncate */
	c->tasks = j->tasks;
	c->workers = (uint32_t)j->workers;
	c->gil_on = j->gil_on != 0;
	c->corrupt = j->corrupt;
	c->size = p->ctl_len;
	c->slots_off = slots;
	c->results_off = results;
	c->payload_off = payload;
	c->payload_len = j->payload_len;
	if (j->payload_len)
		memcpy((char *)c + payload, j->payload, j->payload_len);
	for (int i = 0; i < j->workers; i++)
		atomic_init(&ctl_slot(c, i)->cur, EV_NO_TASK);
	c->magic = CTL_MAGIC;
	return 0;
}

static void pool_close(struct pool *p)
{
	/* Lanes still open when the forkserver went away: their workers
	 * died with it (PDEATHSIG). */
	for (int i = 0; p->lanes && i < p->n; i++)
		if (p->lanes[i].proc.sock >= 0)
			close(p->lanes[i].proc.sock);
	if (p->ctl)
		munmap(p->ctl, p->ctl_len);
	if (p->ctl_fd >= 0)
		close(p->ctl_fd);
	free(p->lanes);
	free(p->back);
	free(p->pf);
	free(p->pf_lane);
}

/* --- starting and losing workers ---------------------------------------- */

static void lane_set_pid(struct lane *l, pid_t pid)
{
	pthread_mutex_lock(&kill_lock);
	l->proc.pid = pid;
	pthread_mutex_unlock(&kill_lock);
}

/* Starts a worker on lane i, drawn as startup from this moment until the
 * worker says it is ready. 0, or -1 (the lane is then done). */
static int pool_start(struct pool *p, int i)
{
	struct lane *l = &p->lanes[i];
	struct procs_proc proc;

	l->rt.task = EV_NO_TASK;
	rt_emit(&l->rt, EV_STARTUP, 0);
	l->first = l->end = 0;
	atomic_store(&ctl_slot(p->ctl, i)->cur, EV_NO_TASK);
	if (procs_proc_start(p->j->start, p->ctl_fd, p->ring_fd, i, &proc) <
	    0) {
		p->start_errno = errno;
		rt_emit(&l->rt, EV_DONE, 0);
		return -1;
	}
	l->proc.sock = proc.sock;
	lane_set_pid(l, proc.pid);
	p->live++;
	return 0;
}

/* Is there work a replacement could do? */
static int pool_work_left(const struct pool *p)
{
	return !atomic_load(&p->ctl->cancel) &&
	       (p->nback > 0 || p->next < p->j->tasks);
}

/* "worker 3 killed by SIGKILL", for the failed task and the summary. */
static void died_why(int lane, int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		msg_fmt(buf, len, "worker %d killed by SIG%s", lane,
			sigabbrev_np(WTERMSIG(status))
				? sigabbrev_np(WTERMSIG(status))
				: "?");
	else
		msg_fmt(buf, len, "worker %d exited with status %d", lane,
			WEXITSTATUS(status));
}

/* The worker of lane i died: the task it was running failed, the rest of
 * its chunk goes back to the queue, and (work being left) a replacement
 * starts on its lane. */
static void lane_died(struct pool *p, int i, int status)
{
	struct lane *l = &p->lanes[i];
	struct task_result *res = ctl_results(p->ctl);
	uint32_t cur = atomic_load(&ctl_slot(p->ctl, i)->cur);
	uint32_t failed = EV_NO_TASK;
	char why[WORK_TEXT_MAX];

	died_why(i, status, why, sizeof why);
	for (uint32_t t = l->first; t < l->end; t++) {
		/* A task is done once its worker has cleared `cur`: one that
		 * died after writing the result but before that did not
		 * report it (as a Python worker killed before sending its
		 * result back), so it failed too. */
		if (t == cur) {
			memset(&res[t], 0, sizeof res[t]);
			msg_fmt(res[t].text, sizeof res[t].text, "%s", why);
			res[t].status = TASK_FAILED;
			failed = t;
			atomic_fetch_add(&p->ctl->done, 1);
		} else if (res[t].status == TASK_PENDING &&
			   !atomic_load(&p->ctl->cancel)) {
			p->back[p->nback++] = t;
		}
	}
	l->first = l->end = 0;
	l->rt.task = failed;
	if (failed != EV_NO_TASK)
		rt_emit(&l->rt, EV_ERROR, WORK_ERR_DIED);
	l->rt.task = EV_NO_TASK;
	if (pool_work_left(p) && p->restarts < 2 * p->n) {
		p->restarts++;
		pool_start(p, i);
		return;
	}
	rt_emit(&l->rt, EV_DONE, 0);
}

/* Lane i's process ended with `status` (as waitpid), having used cpu_ns. */
static void lane_ended(struct pool *p, int i, int status, int64_t cpu_ns)
{
	struct lane *l = &p->lanes[i];

	atomic_fetch_add(&p->j->child_cpu_ns, (long long)cpu_ns);
	lane_set_pid(l, 0);
	if (l->proc.sock >= 0)
		close(l->proc.sock);
	l->proc.sock = -1;
	p->live--;
	/* A worker that returns a failure is broken (it could not map the
	 * block, say, or valgrind found an error in it): the run cannot
	 * count as complete. A killed one is the lesson, not a bug. */
	p->bad_exits += WIFEXITED(status) && WEXITSTATUS(status) != 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		lane_died(p, i, status);
}

/* An exit report of the forkserver: whose lane? */
static void pool_report(struct pool *p, const struct srv_msg *m)
{
	for (int i = 0; i < p->n; i++)
		if (p->lanes[i].proc.pid == m->pid) {
			lane_ended(p, i, m->status, m->cpu_ns);
			return;
		}
}

/* --- handing out tasks -------------------------------------------------- */

static struct procs_chunk pool_take(struct pool *p)
{
	struct procs_chunk c = { 0, 0 };
	uint32_t chunk = p->j->chunk > 0 ? (uint32_t)p->j->chunk : 1;

	if (atomic_load(&p->ctl->cancel))
		return c;
	if (p->nback > 0) {
		c.first = p->back[--p->nback];
		c.count = 1;
	} else if (p->next < p->j->tasks) {
		c.first = p->next;
		c.count = p->j->tasks - p->next < chunk ? p->j->tasks - p->next
							: chunk;
		p->next += c.count;
	}
	return c;
}

/* Lane i's socket is readable: a request for work, or its end. */
static void pool_serve(struct pool *p, int i)
{
	struct lane *l = &p->lanes[i];
	uint32_t want;
	ssize_t n = recv(l->proc.sock, &want, sizeof want, MSG_DONTWAIT);
	struct procs_chunk c;
	struct rusage ru;
	int status;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		c = pool_take(p);
		l->first = c.first;
		l->end = c.first + c.count;
		if (send(l->proc.sock, &c, sizeof c, MSG_NOSIGNAL) >= 0)
			return;
	}
	/* Its socket closed: the process ends (or has). The forkserver
	 * reaps its own children and reports; ours are waited for here. */
	close(l->proc.sock);
	l->proc.sock = -1;
	if (p->j->start == PROCS_FORKSERVER)
		return;
	if (wait4(l->proc.pid, &status, 0, &ru) == l->proc.pid)
		lane_ended(p, i, status, rusage_cpu_ns(&ru));
	else
		lane_ended(p, i, 0, 0);
}

/* --- the loop ----------------------------------------------------------- */

/* One turn: what the workers and the forkserver said, and the cancel
 * flag passed on. */
static void pool_turn(struct pool *p)
{
	int k = 0, srv = -1;
	struct srv_msg m;

	if (atomic_load_explicit(&p->j->cancel, memory_order_relaxed))
		atomic_store(&p->ctl->cancel, 1);
	for (int i = 0; i < p->n; i++)
		if (p->lanes[i].proc.sock >= 0) {
			p->pf[k] = (struct pollfd){ p->lanes[i].proc.sock,
						    POLLIN, 0 };
			p->pf_lane[k++] = i;
		}
	if (p->j->start == PROCS_FORKSERVER) {
		srv = k;
		p->pf[k++] = (struct pollfd){ procs_server_sock(), POLLIN, 0 };
	}
	if (poll(p->pf, (nfds_t)k, POOL_POLL_MS) <= 0)
		return;
	for (int x = 0; x < k; x++) {
		if (!p->pf[x].revents)
			continue;
		if (x != srv)
			pool_serve(p, p->pf_lane[x]);
		else if (procs_server_recv(&m) == 0 && m.type == SRV_EXITED)
			pool_report(p, &m);
		else
			p->live = 0; /* the forkserver is gone */
	}
}

static void pool_loop(struct pool *p)
{
	while (p->live > 0) {
		while (npending > 0) {
			struct srv_msg m = pending[--npending];
			pool_report(p, &m);
		}
		pool_turn(p);
		atomic_store_explicit(&p->j->done, atomic_load(&p->ctl->done),
				      memory_order_relaxed);
	}
}

/* After the last worker: the results come home; a task no worker could
 * run (every replacement died too) failed. 0, or -1 if no task ran or a
 * worker failed on its own. */
static int pool_finish(struct pool *p)
{
	struct task_result *res = ctl_results(p->ctl);
	struct job *j = p->j;
	long long ready = 0;
	int cancelled = atomic_load(&p->ctl->cancel);
	uint32_t ran = 0, done = 0;

	for (uint32_t t = 0; t < j->tasks; t++) {
		if (res[t].status == TASK_PENDING && !cancelled) {
			if (p->start_errno)
				msg_fmt(res[t].text, sizeof res[t].text,
					"no worker could start (%s)",
					strerrorname_np(p->start_errno));
			else
				msg_fmt(res[t].text, sizeof res[t].text, "%s",
					"no worker process left to run it");
			res[t].status = TASK_FAILED;
		}
		ran += res[t].status == TASK_OK;
		done += res[t].status != TASK_PENDING;
		j->results[t] = res[t];
	}
	for (int i = 0; i < p->n; i++)
		ready += atomic_load(&ctl_slot(p->ctl, i)->ready_ns);
	atomic_fetch_add(&j->ready_ns, ready);
	rt_lock_report_add(&j->lockrep, &p->ctl->lockrep);
	/* Counted from the results: the live count is the workers' own,
	 * and one killed between its result and its count is off by one. */
	atomic_store(&j->done, done);
	if (p->bad_exits > 0)
		return -1;
	return ran > 0 || cancelled || j->tasks == 0 ? 0 : -1;
}

int model_procs_run(struct job *j)
{
	struct pool p;
	int rc;

	memset(&p, 0, sizeof p);
	p.j = j;
	p.n = j->workers;
	p.ctl_fd = -1;
	p.ring_fd = j->ring ? evring_fd(j->ring) : -1;
	if ((j->ring && p.ring_fd < 0) || pool_map(&p, j) < 0) {
		pool_close(&p);
		return -1;
	}
	p.lanes = xcalloc((size_t)p.n, sizeof *p.lanes);
	p.back = xcalloc(j->tasks ? j->tasks : 1, sizeof *p.back);
	p.pf = xcalloc((size_t)p.n + 1, sizeof *p.pf);
	p.pf_lane = xcalloc((size_t)p.n + 1, sizeof *p.pf_lane);
	if (j->start == PROCS_FORKSERVER)
		procs_server_lock();
	npending = 0;
	pthread_mutex_lock(&kill_lock);
	j->pool = &p;
	pthread_mutex_unlock(&kill_lock);
	for (int i = 0; i < p.n; i++) {
		p.lanes[i].proc.sock = -1;
		job_rt_init(j, &p.lanes[i].rt, i);
		pool_start(&p, i);
	}
	pool_loop(&p);
	pthread_mutex_lock(&kill_lock);
	j->pool = NULL;
	pthread_mutex_unlock(&kill_lock);
	if (j->start == PROCS_FORKSERVER)
		procs_server_unlock();
	rc = pool_finish(&p);
	pool_close(&p);
	return rc;
}

int procs_kill_one(struct job *j, int *lane, pid_t *pid)
{
	struct pool *p;
	int best = -1;

	pthread_mutex_lock(&kill_lock);
	p = j->pool;
	for (int i = 0; p && i < p->n; i++) {
		if (p->lanes[i].proc.pid <= 0)
			continue;
		if (best < 0)
			best = i;
		if (atomic_load(&ctl_slot(p->ctl, i)->cur) != EV_NO_TASK) {
			best = i;
			break;
		}
	}
	if (best >= 0) {
		*lane = best;
		*pid = p->lanes[best].proc.pid;
		kill(*pid, SIGKILL);
	}
	pthread_mutex_unlock(&kill_lock);
	return best >= 0 ? 0 : -1;
}
