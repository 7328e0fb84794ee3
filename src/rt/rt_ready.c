/* rt_ready.c - "ready: waiting for a core", measured, not guessed.
 *
 * With more computing threads than cores the OS takes turns: a thread the
 * lane shows as computing may be runnable but off every core. Drawn as
 * plain cpu, five threads on two cores would claim a parallelism that did
 * not happen. So while a lane is in cpu, its thread's own CPU time
 * (CLOCK_THREAD_CPUTIME_ID) is compared with the wall time over the same
 * stretch, about once a millisecond: the shortfall is time the thread was
 * ready but not running, and is drawn as EV_READY.
 *
 * Where in the stretch the thread lost its core is not known; the lane
 * shows the ready time at the stretch's end, right before the sample (not
 * before the lane's last event, so a lane's events stay in time order).
 * A stretch is about a millisecond and the scheduler's slices are
 * milliseconds long, so a cell of the picture is off by one sample at most.
 * Shortfalls under READY_MIN_NS (interrupts, page faults) are not drawn.
 *
 * Reading the thread's CPU clock is a system call (~0.3 us here), so it is
 * never done per tick: rt_tick counts down a budget of ticks that is
 * adapted after each sample to last about READY_SAMPLE_NS, and the clock is
 * read only when a stretch has lasted that long or the lane leaves cpu.
 * Schedstat's run-queue times (/proc/.../schedstat) would be exact but read
 * zero on kernels built without schedstats, as here.
 */
#include "config.h"

#include "rt/rt.h"

#include "core/clock.h"
#include "core/evring.h"

#define READY_SAMPLE_NS 1000000LL /* about how often to sample */
#define READY_MIN_NS 100000LL	  /* shortfalls below this are noise */
#define TICKS_MAX (1u << 20)	  /* at most this many ticks per sample */

void rt_ready_init(struct rt *rt)
{
	rt->tick_every = rt->ring ? 16 : TICKS_MAX;
	rt->tick_budget = rt->tick_every;
	rt->sample_ns = 0;
	rt->win_ns = 0;
	rt->win_cpu_ns = 0;
	rt->last_ev_ns = 0;
	rt->last_task = EV_NO_TASK;
	rt->ready_ns = 0;
}

static void push_at(struct rt *rt, enum ev_kind kind, int64_t ts)
{
	/* The stretch measured belongs to the lane's last event's task (a new
	 * task may already be in rt->task when its cpu event ends it). */
	struct ev e = { .ts_ns = ts,
			.arg = 0,
			.task = rt->last_task,
			.lane = rt->lane,
			.kind = (uint16_t)kind };

	evring_push(rt->ring, &e);
	rt->last_ev_ns = ts;
}

/* Ends the measured stretch at `now`: draws its shortfall as ready time,
 * then cpu again from `now`, and starts the next stretch there. */
static void ready_check(struct rt *rt, int64_t now)
{
	int64_t cpu = clock_thread_cpu_ns();
	int64_t lost = (now - rt->win_ns) - (cpu - rt->win_cpu_ns);

	if (lost >= READY_MIN_NS) {
		int64_t from = now - lost;
		if (from < rt->last_ev_ns)
			from = rt->last_ev_ns;
		push_at(rt, EV_READY, from);
		push_at(rt, EV_CPU, now);
		rt->ready_ns += now - from;
	}
	rt->win_ns = now;
	rt->win_cpu_ns = cpu;
}

/* Scales the tick budget so the next sample comes ~READY_SAMPLE_NS after
 * this one: at most 4 times more ticks a step, so one long tick (a
 * preemption) cannot throw it far off. */
static void budget_adapt(struct rt *rt, int64_t now)
{
	int64_t took = now - rt->sample_ns;
	uint64_t every = rt->tick_every;

	if (rt->sample_ns > 0 && took > 0) {
		every = (uint64_t)((double)every * READY_SAMPLE_NS / took);
		if (every > 4ull * rt->tick_every)
			every = 4ull * rt->tick_every;
	}
	if (every < 1)
		every = 1;
	if (every > TICKS_MAX)
		every = TICKS_MAX;
	rt->tick_every = (uint32_t)every;
	rt->tick_budget = rt->tick_every;
	rt->sample_ns = now;
}

void rt_ready_sample(struct rt *rt)
{
	int64_t now;

	if (!rt->ring) {
		rt->tick_budget = TICKS_MAX;
		return;
	}
	now = clock_now_ns();
	budget_adapt(rt, now);
	if (rt->win_ns > 0 && now - rt->win_ns >= READY_SAMPLE_NS)
		ready_check(rt, now);
}

/* Idle is a task's end (job_exec_task): the worker goes straight on to
 * its next task, so, like cpu for the next task, it does not end the
 * stretch; a model that waits after a task emits that wait. */
static int leaves_cpu(enum ev_kind kind)
{
	return ev_is_state(kind) && kind != EV_CPU && kind != EV_IDLE;
}

/* How long a stretch must be for `kind` to check it: a state that leaves
 * cpu, and a task's end, check whatever was measured (the ready time
 * belongs to the task that ends, whose lane stops here); the rest only
 * once a sample is due. */
static int64_t check_after(enum ev_kind kind)
{
	return leaves_cpu(kind) || kind == EV_IDLE ? READY_MIN_NS
						   : READY_SAMPLE_NS;
}

void rt_emit(struct rt *rt, enum ev_kind kind, int64_t arg)
{
	int64_t now;

	if (!rt->ring)
		return;
	now = clock_now_ns();
	/* A state other than cpu ends the stretch measured so far (one
	 * shorter than READY_MIN_NS cannot hide that much ready time); cpu
	 * for the next task or a marker goes on computing, so the stretch
	 * carries on and is checked once it is READY_SAMPLE_NS long: the
	 * thread's clock is a system call, and a task can be shorter than
	 * it. ... */
	if (rt->win_ns > 0 && now - rt->win_ns >= check_after(kind))
		ready_check(rt, now);
	if (leaves_cpu(kind))
		rt->win_ns = 0;
	struct ev e = { .ts_ns = now,
			.arg = arg,
			.task = rt->task,
			.lane = rt->lane,
			.kind = (uint16_t)kind };
	evring_push(rt->ring, &e);
	rt->last_ev_ns = now;
	/* After a task's end, what is measured belongs to no task. */
	rt->last_task = kind == EV_IDLE ? EV_NO_TASK : rt->task;
	/* ... and cpu after a wait starts a new one. */
	if (kind == EV_CPU && rt->win_ns == 0) {
		rt->win_ns = now;
		rt->win_cpu_ns = clock_thread_cpu_ns();
		if (rt->sample_ns == 0)
			rt->sample_ns = now;
	}
}
