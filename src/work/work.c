/* work.c - the table of workloads. Adding one is a file and a line here. */
#include "config.h"

#include "work/work.h"

#include <string.h>

#include "core/msg.h"
#include "rt/task.h"

extern const struct work_ops work_fib, work_sumsq, work_primes, work_math,
	work_http, work_pokemon, work_counter, work_counter_locked,
	work_counter_atomic, work_bank, work_bank_locked, work_deadlock,
	work_relock, work_relock_reentrant, work_philosophers,
	work_philosophers_ordered;

static const struct work_ops *const workloads[] = {
	&work_fib,
	&work_sumsq,
	&work_primes,
	&work_math,
	&work_http,
	&work_pokemon,
	&work_counter,
	&work_counter_locked,
	&work_counter_atomic,
	&work_bank,
	&work_bank_locked,
	&work_deadlock,
	&work_relock,
	&work_relock_reentrant,
	&work_philosophers,
	&work_philosophers_ordered,
};

static const char *const names[] = { "fib",
				     "sumsq",
				     "primes",
				     "math",
				     "http",
				     "pokemon",
				     "counter",
				     "counter-locked",
				     "counter-atomic",
				     "bank",
				     "bank-locked",
				     "deadlock",
				     "relock",
				     "relock-reentrant",
				     "philosophers",
				     "philosophers-ordered",
				     NULL };

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

/* Writes the real work of sc at `scale` into real; 1 when it is not the
 * tutorial's (sc at scale 1). w describes. */
static int describe_scaled(const struct work_ops *w, const struct scenario *sc,
			   double scale, char *real, size_t len)
{
	char base[WORK_TITLE_MAX];

	w->describe(sc, scale, 0, real, len);
	if (scale == 1.0)
		return 0;
	w->describe(sc, 1.0, 0, base, sizeof base);
	return strcmp(real, base) != 0;
}

int work_scaled(const struct scenario *sc, double scale)
{
	const struct work_ops *w = work_find(sc->workload);
	char real[WORK_TITLE_MAX];

	return w && w->describe &&
	       describe_scaled(w, sc, scale, real, sizeof real);
}

void work_brief(const struct scenario *sc, double scale, char *buf, size_t len)
{
	const struct work_ops *w = work_find(sc->workload);

	if (!w || !w->describe)
		msg_fmt(buf, len, "%s", sc->title[0] ? sc->title : sc->name);
	else
		w->describe(sc, scale, 1, buf, len);
}

void work_title(const struct scenario *sc, double scale, char *buf, size_t len)
{
	const struct work_ops *w = work_find(sc->workload);
	char real[WORK_TITLE_MAX], tut[WORK_TITLE_MAX];

	if (!w || !w->describe) {
		msg_fmt(buf, len, "%s", sc->title[0] ? sc->title : sc->name);
		return;
	}
	/* A scale can leave the work as it is (fib at 1.4 still computes
	 * each fib once): then it is the tutorial's, and says why. */
	if (!describe_scaled(w, sc, scale, real, sizeof real)) {
		if (scale == 1.0)
			msg_fmt(buf, len, "%s", real);
		else
			msg_fmt(buf, len,
				"%s; the tutorial's work: scale %g rounds to 1",
				real, scale);
		return;
	}
	w->describe(sc, 1.0, 1, tut, sizeof tut);
	msg_fmt(buf, len, "%s; tutorial: %s, scale %g", real, tut, scale);
}

int work_deadlocked(struct task_result *res)
{
	msg_fmt(res->text, sizeof res->text, "%s", "deadlock: gave up");
	return WORK_ERR_DEADLOCK;
}

/* splitmix64's finaliser: every input bit moves every output bit. */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t work_random(uint64_t seed, uint64_t a, uint64_t b)
{
	const uint64_t golden = 0x9e3779b97f4a7c15ULL;

	return mix(mix(mix(seed + golden) + a * golden) + b * golden);
}
