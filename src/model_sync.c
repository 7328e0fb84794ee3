/* model_sync.c - sequential: the run's own thread does every task in order.
 * The baseline every other model is compared with. */
#include "config.h"

#include "model.h"
#include "rt.h"
#include "run.h"

int model_sync_run(struct run *r)
{
	struct rt rt;

	run_rt_init(r, &rt, 0);
	run_worker(r, &rt);
	return 0;
}
