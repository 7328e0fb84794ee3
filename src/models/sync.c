/* sync.c - sequential: the run's own thread does every task in order.
 * The baseline every other model is compared with. */
#include "config.h"

#include "models/model.h"
#include "rt/job.h"
#include "rt/rt.h"

int model_sync_run(struct job *j)
{
	struct rt rt;

	job_rt_init(j, &rt, 0);
	job_worker(j, &rt);
	return 0;
}
