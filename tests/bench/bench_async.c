/* bench_async.c - the async model at scale.
 *
 *   async_rss_mib_10k=  peak resident memory of a process whose event loop
 *                       holds 10,000 tasks asleep at once (each awaits a
 *                       1 s timer), in MiB (goal <= 200). Measured in a
 *                       child process, so nothing else counts.
 *   async_5k_gets_s=    wall time of 5,000 GETs at once (--limit 5000) at
 *                       the sites latency against the embedded server;
 *                       every one must succeed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/run.h"
#include "models/model.h"
#include "rt/job.h"
#include "rt/rt.h"
#include "rt/task.h"

#define SLEEPERS 10000

static int sleep_run(struct rt *rt, const struct work_input *in, uint32_t task,
		     struct task_result *res)
{
	(void)in;
	rt_sleep_ns(rt, 1000 * 1000 * 1000);
	res->ivalue = task;
	return 0;
}

static const struct work_ops sleeper = { .name = "sleeper", .run = sleep_run };

/* In a child: 10,000 tasks asleep at once; exits with the peak RSS in
 * MiB written to fd. */
static void sleepers_child(int fd)
{
	static struct task_result res[SLEEPERS];
	static const struct work_input in;
	struct job j;
	struct rusage ru;
	char err[256], out[32];
	int n;

	memset(&j, 0, sizeof j);
	j.work = &sleeper;
	j.in = &in;
	j.results = res;
	j.tasks = SLEEPERS;
	j.workers = 1;
	j.corrupt = -1;
	if (job_init(&j, err, sizeof err) < 0 || model_async_run(&j) != 0 ||
	    atomic_load(&j.done) != SLEEPERS)
		_exit(1);
	getrusage(RUSAGE_SELF, &ru);
	n = snprintf(out, sizeof out, "%.1f", (double)ru.ru_maxrss / 1024.0);
	if (write(fd, out, (size_t)n) != n)
		_exit(1);
	_exit(0);
}

static void bench_rss(void)
{
	int fds[2], status;
	char buf[32] = "";
	pid_t pid;

	if (pipe(fds) != 0)
		exit(1);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		sleepers_child(fds[1]);
	}
	close(fds[1]);
	if (read(fds[0], buf, sizeof buf - 1) <= 0 ||
	    waitpid(pid, &status, 0) != pid || status != 0) {
		fprintf(stderr, "bench_async: the sleepers failed\n");
		exit(1);
	}
	printf("async_rss_mib_10k=%s\n", buf);
	fflush(stdout);
}

static void bench_gets(void)
{
	struct run_config cfg;
	struct run_stats st;
	char err[256];
	struct run *r;

	memset(&cfg, 0, sizeof cfg);
	snprintf(cfg.sc.name, sizeof cfg.sc.name, "gets5k");
	snprintf(cfg.sc.title, sizeof cfg.sc.title, "5000 GETs at once");
	snprintf(cfg.sc.workload, sizeof cfg.sc.workload, "http");
	snprintf(cfg.sc.urls, sizeof cfg.sc.urls, "/sites/dice.html");
	cfg.sc.tasks = 5000;
	cfg.sc.arg = 1;
	cfg.model = MODEL_ASYNC;
	cfg.workers = 1;
	cfg.limit = 5000;
	cfg.scale = 1;
	cfg.gil = 1;
	cfg.seed = 1;
	r = run_start(&cfg, NULL, err, sizeof err);
	if (!r) {
		fprintf(stderr, "bench_async: %s\n", err);
		exit(1);
	}
	memset(&st, 0, sizeof st);
	run_wait(r, &st);
	run_free(r);
	if (st.ok != st.tasks) {
		fprintf(stderr, "bench_async: %u of 5000 GETs failed\n",
			(unsigned)(st.tasks - st.ok));
		exit(1);
	}
	printf("async_5k_gets_s=%.3f\n", st.wall_s);
	fflush(stdout);
}

int main(void)
{
	struct rlimit rl;

	/* 5,000 sockets here and as many in the server. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	bench_rss();
	bench_gets();
	return 0;
}
