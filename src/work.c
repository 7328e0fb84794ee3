/* work.c - the table of workloads. Adding one is a file and a line here. */
#include "config.h"

#include "work.h"

#include <string.h>

extern const struct work_ops work_fib, work_sumsq, work_primes, work_math,
	work_http, work_pokemon;

static const struct work_ops *const workloads[] = {
	&work_fib,  &work_sumsq, &work_primes,
	&work_math, &work_http,	 &work_pokemon,
};

static const char *const names[] = { "fib",  "sumsq",	"primes", "math",
				     "http", "pokemon", NULL };

const struct work_ops *work_find(const char *name)
{
	for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++) {
		if (strcmp(workloads[i]->name, name) == 0)
			return workloads[i];
	}
	return NULL;
}

const char *const *work_names(void)
{
	return names;
}
