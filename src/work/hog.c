/* hog.c - a scenario whose one task runs other work: the `hog` key.
 *
 * `hog = fib 42 at 20` makes task 20 of the scenario compute fib(42)
 * instead of its own work (see app/scenario.h): a long computation amid
 * downloads, the `starve` pitfall. The task bodies stay as they are: this
 * table of functions sits in front of the scenario's workload and sends
 * each task to the one that runs it, so neither the workloads nor the
 * models know about the mix.
 */
#include "config.h"

#include <string.h>

#include "core/msg.h"
#include "work/work.h"

/* The hog task's own scenario: one task of the hog's workload and arg,
 * at scale 1 (the file says exactly what it computes). */
static const struct work_ops *hog_input(const struct work_input *in,
					struct scenario *sc,
					struct work_input *hin)
{
	*sc = *in->sc;
	memcpy(sc->workload, in->sc->hog_workload, sizeof sc->workload);
	sc->arg = in->sc->hog_arg;
	sc->tasks = 1;
	sc->hog_workload[0] = '\0';
	sc->urls[0] = '\0';
	*hin = *in;
	hin->sc = sc;
	hin->scale = 1.0;
	hin->urls = NULL;
	return work_find(sc->workload);
}

static int is_hog(const struct scenario *sc, uint32_t task)
{
	return sc->hog_workload[0] != '\0' && (long)task == sc->hog_task;
}

static int hog_run(struct rt *rt, const struct work_input *in, uint32_t task,
		   struct task_result *res)
{
	struct scenario sc;
	struct work_input hin;

	if (is_hog(in->sc, task))
		return hog_input(in, &sc, &hin)->run(rt, &hin, 0, res);
	return work_find(in->sc->workload)->run(rt, in, task, res);
}

static int hog_expect(const struct work_input *in, uint32_t task,
		      struct task_result *want)
{
	struct scenario sc;
	struct work_input hin;

	if (is_hog(in->sc, task))
		return hog_input(in, &sc, &hin)->expect(&hin, 0, want);
	return work_find(in->sc->workload)->expect(in, task, want);
}

/* The shared values are the scenario's own workload's (a hog shares
 * nothing). */
static int hog_shared(const struct scenario *sc, int64_t *initial)
{
	const struct work_ops *w = work_find(sc->workload);

	return w->shared ? w->shared(sc, initial) : 0;
}

static int64_t hog_expected_sum(const struct scenario *sc, double scale)
{
	const struct work_ops *w = work_find(sc->workload);

	return w->expected_sum ? w->expected_sum(sc, scale) : 0;
}

/* And so are its locks. */
static int hog_locks(const struct scenario *sc, uint8_t *reentrant)
{
	const struct work_ops *w = work_find(sc->workload);

	return w->locks ? w->locks(sc, reentrant) : 0;
}

/* Runs and checks tasks only: a result's format depends on the task,
 * which format cannot see, so work_format gives it. */
static const struct work_ops work_hogged = {
	.name = "hog",
	.run = hog_run,
	.expect = hog_expect,
	.shared = hog_shared,
	.expected_sum = hog_expected_sum,
	.locks = hog_locks,
};

const struct work_ops *work_for(const struct scenario *sc)
{
	const struct work_ops *w = work_find(sc->workload);

	if (!w || sc->hog_workload[0] == '\0')
		return w;
	return &work_hogged;
}

void work_format(const struct scenario *sc, uint32_t task,
		 const struct task_result *res, char *buf, size_t len)
{
	char value[WORK_TEXT_MAX + 32];

	if (!is_hog(sc, task)) {
		work_find(sc->workload)->format(res, buf, len);
		return;
	}
	work_find(sc->hog_workload)->format(res, value, sizeof value);
	msg_fmt(buf, len, "%s(%ld) = %s", sc->hog_workload, sc->hog_arg, value);
}
