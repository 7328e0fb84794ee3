/* cpu.c - the CPU-bound workloads of the seeds: fib, sumsq, primes,
 * math. Each computes its result for real, calls rt_tick often enough for
 * the simulated GIL to switch (~every 50 us), and has an independent
 * `expect` so tests and the summary can check every answer. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/msg.h"
#include "rt/rt.h"
#include "rt/task.h"
#include "work/work.h"

/* A scale below 1 cannot repeat a task less than once; CPU kernels that
 * can shrink their input do so instead, others run once. */
static long reps_of(double scale)
{
	long reps = lround(scale);
	return reps < 1 ? 1 : reps;
}

/* Writes v as the scenario titles write counts: grouped by threes with
 * commas from five digits on ("15,000", "2,000,000"), as is below
 * ("1000"). */
static void count_format(char *buf, size_t len, unsigned long long v)
{
	char digits[32];
	size_t n, o = 0;

	msg_fmt(digits, sizeof digits, "%llu", v);
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (n >= 5 && i > 0 && (n - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	if (len > 0)
		buf[o] = '\0';
}

/* "20 tasks", "1 task", "15,000 tasks": a scenario's number of tasks. */
static void tasks_format(char *buf, size_t len, long tasks)
{
	char n[32];

	count_format(n, sizeof n, (unsigned long long)tasks);
	msg_fmt(buf, len, "%s task%s", n, tasks == 1 ? "" : "s");
}

/* ---- fib: naive recursive Fibonacci --------------------------------- */

/* Calls with n at or above this tick the runtime: fib(20) is ~20k calls,
 * some tens of microseconds. */
#define FIB_TICK_N 20

static int64_t fib_rec(struct rt *rt, int n)
{
	if (n < 2)
		return n;
	if (n >= FIB_TICK_N)
		rt_tick(rt);
	return fib_rec(rt, n - 1) + fib_rec(rt, n - 2);
}

/* The n a task computes: the scenario's, made smaller for scale < 1 (one
 * step down divides the work by the golden ratio, 1.618). */
static int fib_n(const struct scenario *sc, double scale)
{
	long n = sc->arg;
	if (scale < 1.0)
		n += (long)floor(log(scale) / log((1.0 + sqrt(5.0)) / 2.0));
	return n < 1 ? 1 : (int)n;
}

/* How many times a task computes fib(n): once when the scale made n
 * smaller, else the scale rounded. */
static long fib_reps(double scale)
{
	return scale < 1.0 ? 1 : reps_of(scale);
}

static int fib_run(struct rt *rt, const struct work_input *in, uint32_t task,
		   struct task_result *res)
{
	const struct scenario *sc = in->sc;
	double scale = in->scale;
	int n = fib_n(sc, scale);
	long reps = fib_reps(scale);
	int64_t v = 0;

	for (long i = 0; i < reps; i++)
		v = fib_rec(rt, n);
	res->ivalue = v;
	return 0;
}

static int fib_expect(const struct work_input *in, uint32_t task,
		      struct task_result *want)
{
	const struct scenario *sc = in->sc;
	double scale = in->scale;
	int64_t a = 0, b = 1;

	for (int i = 0; i < fib_n(sc, scale); i++) {
		int64_t t = a + b;
		a = b;
		b = t;
	}
	memset(want, 0, sizeof *want);
	want->ivalue = a;
	return 0;
}

static void int_format(const struct task_result *res, char *buf, size_t len)
{
	msg_fmt(buf, len, "%lld", (long long)res->ivalue);
}

/* "fib(35) x20, naive recursion (CPU-bound)"; repeated, the count of
 * fibs in all and per task: "fib(35) x60 (3 per task), ...". */
static void fib_describe(const struct scenario *sc, double scale, int brief,
			 char *buf, size_t len)
{
	long reps = fib_reps(scale);
	char total[32], per[48] = "";

	count_format(total, sizeof total,
		     (unsigned long long)reps * (unsigned long long)sc->tasks);
	if (brief) {
		msg_fmt(buf, len, "fib(%d) x%s", fib_n(sc, scale), total);
		return;
	}
	if (reps > 1 && sc->tasks > 1)
		msg_fmt(per, sizeof per, " (%ld per task)", reps);
	msg_fmt(buf, len, "fib(%d) x%s%s, naive recursion (CPU-bound)",
		fib_n(sc, scale), total, per);
}

const struct work_ops work_fib = {
	.name = "fib",
	.arg_min = 1,
	.arg_max = 45,
	.last_arg_max = 0,
	.run = fib_run,
	.expect = fib_expect,
	.format = int_format,
	.describe = fib_describe,
};

/* ---- sumsq: sum of i*i for i < n ------------------------------------ */

typedef unsigned __int128 u128; /* the one typedef: a number, not a struct */

static u128 sumsq_n(const struct scenario *sc, double scale, uint32_t task)
{
	return (u128)llround((double)(sc->arg + (long)task) * scale);
}

static int sumsq_run(struct rt *rt, const struct work_input *in, uint32_t task,
		     struct task_result *res)
{
	const struct scenario *sc = in->sc;
	double scale = in->scale;
	uint64_t n = (uint64_t)sumsq_n(sc, scale, task);
	u128 acc = 0;

	for (uint64_t i = 0; i < n;) {
		uint64_t lim = n - i > 65536 ? i + 65536 : n;
		for (; i < lim; i++) {
			/* Keeps the compiler from folding the loop into the
			 * closed form: the lesson needs the work done. */
			__asm__ volatile("" : "+r"(i));
			acc += (u128)i * i;
		}
		rt_tick(rt);
	}
	res->ivalue = (int64_t)(uint64_t)acc;
	res->ihigh = (int64_t)(uint64_t)(acc >> 64);
	return 0;
}

static int sumsq_expect(const struct work_input *in, uint32_t task,
			struct task_result *want)
{
	const struct scenario *sc = in->sc;
	double scale = in->scale;
	u128 n = sumsq_n(sc, scale, task);
	u128 s = n == 0 ? 0 : n * (n - 1) / 2 * (2 * n - 1) / 3;

	/* n(n-1)(2n-1)/6, divided in steps that stay exact and in range:
	 * n(n-1)/2 is whole, and (n(n-1)/2)(2n-1) is a multiple of 3. */
	memset(want, 0, sizeof *want);
	want->ivalue = (int64_t)(uint64_t)s;
	want->ihigh = (int64_t)(uint64_t)(s >> 64);
	return 0;
}

static void u128_format(const struct task_result *res, char *buf, size_t len)
{
	u128 v = ((u128)(uint64_t)res->ihigh << 64) | (uint64_t)res->ivalue;
	char digits[48];
	int i = (int)sizeof digits - 1;

	digits[i] = '\0';
	do {
		digits[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v && i > 0);
	msg_fmt(buf, len, "%s", digits + i);
}

/* The upper bounds of the tasks' sums, task x's n as sumsq_n gives it:
 * "5,000,000+x" or "150,000,000+30x" when n grows by a whole step per task
 * (a whole scale), one number when every task has the same,
 * "2,500,000..2,500,010" (first..last) when rounding makes the steps
 * uneven. */
static void sumsq_bounds(const struct scenario *sc, double scale, char *buf,
			 size_t len)
{
	uint32_t last = sc->tasks > 1 ? (uint32_t)(sc->tasks - 1) : 0;
	u128 n0 = sumsq_n(sc, scale, 0), n1 = sumsq_n(sc, scale, last);
	char first[32], end[32];

	count_format(first, sizeof first, (unsigned long long)n0);
	if (n0 == n1) {
		msg_fmt(buf, len, "%s", first);
	} else if (scale == floor(scale)) {
		/* (arg + x) * scale is exact: each task adds the scale. */
		u128 step = sumsq_n(sc, scale, 1) - n0;
		if (step == 1)
			msg_fmt(buf, len, "%s+x", first);
		else
			msg_fmt(buf, len, "%s+%llux", first,
				(unsigned long long)step);
	} else {
		count_format(end, sizeof end, (unsigned long long)n1);
		msg_fmt(buf, len, "%s..%s", first, end);
	}
}

/* "sum of i*i for i < 5,000,000+x, 20 tasks (CPU-bound)". */
static void sumsq_describe(const struct scenario *sc, double scale, int brief,
			   char *buf, size_t len)
{
	char bounds[80], tasks[48];

	sumsq_bounds(sc, scale, bounds, sizeof bounds);
	tasks_format(tasks, sizeof tasks, sc->tasks);
	if (brief)
		msg_fmt(buf, len, "i < %s", bounds);
	else
		msg_fmt(buf, len, "sum of i*i for i < %s, %s (CPU-bound)",
			bounds, tasks);
}

const struct work_ops work_sumsq = {
	.name = "sumsq",
	.arg_min = 1,
	.arg_max = 1000000000L,
	.last_arg_max = 0,
	.run = sumsq_run,
	.expect = sumsq_expect,
	.format = u128_format,
	.describe = sumsq_describe,
};

/* ---- primes: sieve of Eratosthenes up to n, count the primes -------- */

#define PRIMES_MAX 10000000L

/* Elements a sieve loop handles between two rt_tick calls: ~50 us of
 * marking or counting, so even a sieve up to PRIMES_MAX hands the GIL over
 * within its switch interval (and the lane's ready time is sampled). */
#define SIEVE_CHUNK 65536L

/* Clears composite[0..n] a chunk at a time. */
static void sieve_clear(struct rt *rt, unsigned char *composite, long n)
{
	for (long i = 0; i <= n; i += SIEVE_CHUNK) {
		long len = n + 1 - i < SIEVE_CHUNK ? n + 1 - i : SIEVE_CHUNK;
		memset(composite + i, 0, (size_t)len);
		rt_tick(rt);
	}
}

/* Marks per rt_tick: each mark may be a cache miss once p is large (a
 * store a cache line apart), so far fewer than SIEVE_CHUNK bytes cleared. */
#define SIEVE_MARKS 8192L

/* Marks the multiples of p from p*p on, SIEVE_MARKS at a time. */
static void sieve_mark(struct rt *rt, unsigned char *composite, long n, long p)
{
	long m = p * p;

	while (m <= n) {
		long lim = m + SIEVE_MARKS * p;
		if (lim > n || lim < m)
			lim = n;
		for (; m <= lim; m += p)
			composite[m] = 1;
		rt_tick(rt);
	}
}

static long sieve_count(struct rt *rt, unsigned char *composite, long n)
{
	long count = 0;

	sieve_clear(rt, composite, n);
	for (long p = 2; p * p <= n; p++) {
		if (!composite[p])
			sieve_mark(rt, composite, n, p);
	}
	for (long i = 2; i <= n; i += SIEVE_CHUNK) {
		long lim = n - i < SIEVE_CHUNK ? n : i + SIEVE_CHUNK - 1;
		for (long k = i; k <= lim; k++)
			count += !composite[k];
		rt_tick(rt);
	}
	return count;
}

static int primes_run(struct rt *rt, const struct work_input *in, uint32_t task,
		      struct task_result *res)
{
	const struct scenario *sc = in->sc;
	double scale = in->scale;
	long n = sc->arg + (long)task;
	unsigned char *composite = malloc((size_t)n + 1);
	long count = 0;

	if (!composite)
		return -1;
	for (long i = reps_of(scale); i > 0; i--)
		count = sieve_count(rt, composite, n);
	free(composite);
	res->ivalue = count;
	return 0;
}

/* pi(n) by trial division, tabulated once: slow and different on purpose,
 * so it checks the sieve rather than repeating it. Up to PRIMES_MAX that
 * takes seconds, which is why answers are checked on the run's thread and
 * the table grows a chunk at a time, giving up when the run is stopped. */
static pthread_mutex_t pi_mu = PTHREAD_MUTEX_INITIALIZER;
static int32_t *pi_table;
static long pi_len, pi_cap;

static int is_prime(long k)
{
	if (k < 2)
		return 0;
	for (long d = 2; d * d <= k; d++) {
		if (k % d == 0)
			return 0;
	}
	return 1;
}

/* Extends the table to cover n; pi_mu held. 0, or WORK_STOPPED. */
static int pi_extend(long n, const atomic_int *stop)
{
	if (n >= pi_cap) {
		long cap = n + 1 > 2 * pi_cap ? n + 1 : 2 * pi_cap;
		pi_table = xrealloc(pi_table, (size_t)cap * sizeof *pi_table);
		pi_cap = cap;
	}
	while (pi_len <= n) {
		long end = pi_len + SIEVE_CHUNK < n + 1 ? pi_len + SIEVE_CHUNK
							: n + 1;
		if (stop && atomic_load_explicit(stop, memory_order_relaxed))
			return WORK_STOPPED;
		for (long k = pi_len; k < end; k++)
			pi_table[k] = (k ? pi_table[k - 1] : 0) + is_prime(k);
		pi_len = end;
	}
	return 0;
}

static int primes_expect(const struct work_input *in, uint32_t task,
			 struct task_result *want)
{
	long n = in->sc->arg + (long)task;
	int rc;

	pthread_mutex_lock(&pi_mu);
	rc = pi_extend(n, in->stop);
	memset(want, 0, sizeof *want);
	if (rc == 0)
		want->ivalue = pi_table[n];
	pthread_mutex_unlock(&pi_mu);
	return rc;
}

/* "sieve up to n for n = 1000..15999 (15,000 tiny tasks)"; repeated,
 * "20 sieves up to n for ...". Task i sieves up to n = arg + i, as
 * primes_run does, reps_of(scale) times. */
static void primes_describe(const struct scenario *sc, double scale, int brief,
			    char *buf, size_t len)
{
	long reps = reps_of(scale);
	char sieves[32] = "sieve", range[64], tasks[32];

	if (brief) {
		msg_fmt(buf, len, "%ld sieve%s per n", reps,
			reps == 1 ? "" : "s");
		return;
	}
	if (reps > 1)
		msg_fmt(sieves, sizeof sieves, "%ld sieves", reps);
	if (sc->tasks == 1)
		msg_fmt(range, sizeof range, "%ld", sc->arg);
	else
		msg_fmt(range, sizeof range, "%ld..%ld", sc->arg,
			sc->arg + sc->tasks - 1);
	count_format(tasks, sizeof tasks, (unsigned long long)sc->tasks);
	msg_fmt(buf, len, "%s up to n for n = %s (%s tiny task%s)", sieves,
		range, tasks, sc->tasks == 1 ? "" : "s");
}

const struct work_ops work_primes = {
	.name = "primes",
	.arg_min = 2,
	.arg_max = PRIMES_MAX,
	.last_arg_max = PRIMES_MAX,
	.run = primes_run,
	.expect = primes_expect,
	.format = int_format,
	.describe = primes_describe,
};

/* ---- math: x**=4; x**=0.25; x**=2; x**=0.5; x+=1 -------------------- */

static long math_iters(const struct scenario *sc, double scale)
{
	long n = lround((double)sc->arg * scale);
	return n < 1 ? 1 : n;
}

static int math_run(struct rt *rt, const struct work_input *in, uint32_t task,
		    struct task_result *res)
{
	const struct scenario *sc = in->sc;
	double scale = in->scale;
	long iters = math_iters(sc, scale);
	double x = (double)task + 1.0;

	for (long i = 0; i < iters; i++) {
		x = pow(x, 4.0);
		x = pow(x, 0.25);
		x = pow(x, 2.0);
		x = pow(x, 0.5);
		x += 1.0;
		if ((i & 1023) == 1023)
			rt_tick(rt);
	}
	res->dvalue = x;
	return 0;
}

static int math_expect(const struct work_input *in, uint32_t task,
		       struct task_result *want)
{
	const struct scenario *sc = in->sc;
	double scale = in->scale;
	/* Each round trip of powers gives x back, so the loop adds 1 per
	 * iteration: the seed's results 2000001.0 ... 2000020.0. */
	memset(want, 0, sizeof *want);
	want->dvalue = (double)task + 1.0 + (double)math_iters(sc, scale);
	return 0;
}

static void double_format(const struct task_result *res, char *buf, size_t len)
{
	msg_fmt(buf, len, "%.1f", res->dvalue);
}

/* "2,000,000 rounds of powers, 20 tasks (CPU-bound)". */
static void math_describe(const struct scenario *sc, double scale, int brief,
			  char *buf, size_t len)
{
	long n = math_iters(sc, scale);
	const char *plural = n == 1 ? "" : "s";
	char iters[32], tasks[48];

	count_format(iters, sizeof iters, (unsigned long long)n);
	tasks_format(tasks, sizeof tasks, sc->tasks);
	if (brief)
		msg_fmt(buf, len, "%s round%s", iters, plural);
	else
		msg_fmt(buf, len, "%s round%s of powers, %s (CPU-bound)", iters,
			plural, tasks);
}

const struct work_ops work_math = {
	.name = "math",
	.arg_min = 1,
	.arg_max = 1000000000L,
	.last_arg_max = 0,
	.run = math_run,
	.expect = math_expect,
	.format = double_format,
	.describe = math_describe,
};
