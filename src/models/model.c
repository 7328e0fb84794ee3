/* model.c - the table of concurrency models. */
#include "config.h"

#include "models/model.h"

#include <string.h>

#include "core/ev.h"

static const struct model_ops models[MODEL_COUNT] = {
	[MODEL_SYNC] = { .name = "sync",
			 .about = "one thread runs the tasks in order",
			 .run = model_sync_run },
	[MODEL_THREADS] = { .name = "threads",
			    .about = "a pool of W threads pulls tasks from a "
				     "queue",
			    .run = model_threads_run,
			    .pooled = 1,
			    .kinds = EV_BIT(EV_STARTUP) | EV_BIT(EV_GIL_WAIT) },
	[MODEL_ASYNC] = { .name = "async",
			  .about = "one thread, an event loop of coroutines "
				   "(asyncio)",
			  .run = model_async_run,
			  .task_view = 1 },
	[MODEL_PROCS] = { .name = "procs",
			  .about = "a pool of W processes (not yet available)",
			  .pooled = 1 },
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
