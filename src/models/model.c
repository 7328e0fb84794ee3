/* model.c - the table of concurrency models. */
#include "config.h"

#include "models/model.h"

#include <string.h>

#include "core/ev.h"

static const struct model_ops models[MODEL_COUNT] = {
	[MODEL_SYNC] = { .name = "sync",
			 .about = "one thread runs the tasks in order",
			 .lesson = "One thread runs the tasks one after "
				   "another, each wait and each computation "
				   "in turn: the baseline every speed-up is "
				   "measured against.",
			 .run = model_sync_run },
	[MODEL_THREADS] = { .name = "threads",
			    .about = "a pool of W threads pulls tasks from a "
				     "queue",
			    .lesson =
				    "A pool of W threads pulls tasks from a "
				    "queue; the system may switch them at any "
				    "instruction. Their waits overlap (a "
				    "thread "
				    "waiting on I/O lets the GIL go). With the "
				    "GIL on, one thread computes at a time and "
				    "the others wait for it (yellow), so CPU "
				    "work is no faster than sync; g turns it "
				    "off, as free-threaded Python, and every "
				    "core computes.",
			    .run = model_threads_run,
			    .pooled = 1,
			    .kinds = EV_BIT(EV_STARTUP) | EV_BIT(EV_GIL_WAIT) },
	[MODEL_ASYNC] = { .name = "async",
			  .about = "one thread, an event loop of coroutines "
				   "(asyncio)",
			  .lesson =
				  "One thread runs every task as a coroutine: "
				  "a task runs until it awaits (a GET, a "
				  "sleep, a lock), then the loop runs another. "
				  "Waits overlap, by the hundred; computing "
				  "never does, so CPU work is no faster than "
				  "sync (in Python a recursive await fib() is "
				  "even slower, each call paying for a "
				  "coroutine; conviz does not fake that cost). "
				  "As with aiohttp, at most 100 connections "
				  "are open at once, so 160 downloads go in "
				  "two waves; --limit N sets the cap, as an "
				  "asyncio.Semaphore(N) would. One blocking "
				  "call (sites-blocking) or one task that "
				  "computes without awaiting (starve) stops "
				  "every task.",
			  .run = model_async_run,
			  .task_view = 1 },
	[MODEL_PROCS] = { .name = "procs",
			  .about = "a pool of W processes, each with its own "
				   "GIL (multiprocessing)",
			  .lesson =
				  "A pool of W worker processes (one per core "
				  "unless -w says), each a whole program with "
				  "its own memory and its own GIL: CPU work "
				  "runs on every core, GIL or not. The price "
				  "is start-up (grey: forkserver, fork or "
				  "spawn, --start) and talking to the parent: "
				  "each task is asked for over a socket, so "
				  "tiny tasks leave gaps that --chunk N (hand "
				  "out N at a time) closes. Nothing a worker "
				  "writes is shared with the others. x kills "
				  "one worker: its task fails, a new process "
				  "takes its lane, the run goes on.",
			  .run = model_procs_run,
			  .pooled = 1,
			  .processes = 1,
			  .kinds = EV_BIT(EV_STARTUP) },
};

const struct model_ops *model_get(enum model_id id)
{
	return &models[(unsigned)id < MODEL_COUNT ? id : MODEL_SYNC];
}

int model_find(const char *name)
{
	for (int i = 0; i < MODEL_COUNT; i++) {
		if (strcmp(models[i].name, name) == 0)
			return i;
	}
	return -1;
}
