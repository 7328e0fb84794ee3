/* model.c - the table of concurrency models. */
#include "config.h"

#include "models/model.h"

#include <string.h>

#include "core/ev.h"

static const struct model_ops models[MODEL_COUNT] = {
	[MODEL_SYNC] = { "sync", "one thread runs the tasks in order",
			 model_sync_run, 0 },
	[MODEL_THREADS] = { "threads",
			    "a pool of W threads pulls tasks from a queue",
			    model_threads_run, 1,
			    EV_BIT(EV_STARTUP) | EV_BIT(EV_GIL_WAIT) },
	[MODEL_ASYNC] = { "async",
			  "one thread, an event loop of coroutines (not yet "
			  "available)",
			  NULL, 0 },
	[MODEL_PROCS] = { "procs", "a pool of W processes (not yet available)",
			  NULL, 1 },
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
