/* work.h - workloads: the task bodies of the scenarios.
 *
 * A workload is written once against the rt_* API and never knows which
 * model runs it. Each computes its result for real; `expect` computes the
 * right answer another way so tests (and the summary) can check it.
 */
#ifndef CONVIZ_WORK_H
#define CONVIZ_WORK_H

#include <stddef.h>
#include <stdint.h>

struct rt;
struct scenario;

enum task_status { TASK_PENDING = 0, TASK_OK, TASK_FAILED };

struct task_result {
	int64_t ivalue; /* integer results (fib, primes; low 64 bits of sumsq) */
	int64_t ihigh;	/* high 64 bits of a 128-bit result (sumsq) */
	double dvalue;	/* floating results (math) */
	uint8_t status; /* enum task_status */
};

struct work_ops {
	const char *name;
	long arg_min, arg_max; /* the scenario's `arg` must lie in here */
	long last_arg_max;     /* if > 0: arg + tasks - 1 must not pass it */
	/* Runs task `task` of scenario `sc` with work multiplier `scale`,
	 * writing the result. Calls rt_tick often enough (every ~50 us) for
	 * the GIL to switch. Returns 0, or -1 if the task failed. */
	int (*run)(struct rt *rt, const struct scenario *sc, double scale,
		   uint32_t task, struct task_result *res);
	/* Writes the right result of that task, computed independently (a
	 * closed form, a table, a slower method). Returns 0, or -1 if there is
	 * no independent answer. */
	int (*expect)(const struct scenario *sc, double scale, uint32_t task,
		      struct task_result *want);
	/* Writes the result as people read it ("9227465", "2000001.0"). */
	void (*format)(const struct task_result *res, char *buf, size_t len);
};

/* The workload called `name`, or NULL. */
const struct work_ops *work_find(const char *name);

/* Names of all workloads, NULL-terminated. */
const char *const *work_names(void);

#endif
