/* bench_coro.c - what an await costs: one round trip between the loop and
 * a coroutine (resume, then yield back), with conviz's coroutines and,
 * for comparison, with swapcontext.
 *
 * Prints name=value lines (`make bench`), ns per round trip:
 *   async_switch_ns        coro_resume + coro_yield (goal <= 100)
 *   swapcontext_switch_ns  swapcontext there and back (two signal-mask
 *                          system calls)
 *   coro_spawn_ns          coro_new + a resume that runs to the end +
 *                          coro_free, its stack from the pool
 *
 * Each figure is the best of REPS runs of ROUNDS round trips (noise only
 * ever adds time).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#include "core/clock.h"
#include "rt/coro.h"

#define ROUNDS 1000000L
#define REPS 5
#define SWAP_REPS 3
#define SPAWNS 100000L

static void spin_yield(void *arg)
{
	volatile long *left = arg;

	while (*left > 0) {
		(*left)--;
		coro_yield();
	}
}

static double coro_round_trips(struct coro_pool *p)
{
	volatile long left = ROUNDS;
	struct coro *c = coro_new(p, spin_yield, (void *)&left);
	int64_t t0;
	long n = 0;

	if (c == NULL) {
		fprintf(stderr, "bench_coro: cannot make a coroutine\n");
		exit(1);
	}
	coro_resume(c); /* first entry, not timed */
	t0 = clock_now_ns();
	while (coro_resume(c) == 0)
		n++;
	int64_t dt = clock_now_ns() - t0;
	coro_free(c);
	return (double)dt / (double)n;
}

static void nothing(void *arg)
{
	(void)arg;
}

static double coro_spawns(struct coro_pool *p)
{
	int64_t t0 = clock_now_ns();

	for (long i = 0; i < SPAWNS; i++) {
		struct coro *c = coro_new(p, nothing, NULL);

		if (c == NULL || coro_resume(c) != 1)
			exit(1);
		coro_free(c);
	}
	return (double)(clock_now_ns() - t0) / (double)SPAWNS;
}

/* --- the same round trip with swapcontext ------------------------------ */

static ucontext_t loop_uc, co_uc;
static volatile long swap_left;

static void swap_body(void)
{
	for (;;) {
		swap_left--;
		swapcontext(&co_uc, &loop_uc);
	}
}

static double swap_round_trips(void)
{
	size_t size = coro_stack_default();
	char *stack = malloc(size);
	int64_t t0;
	long n = 0;

	if (stack == NULL || getcontext(&co_uc) != 0)
		exit(1);
	co_uc.uc_stack.ss_sp = stack;
	co_uc.uc_stack.ss_size = size;
	co_uc.uc_link = NULL;
	makecontext(&co_uc, swap_body, 0);
	swap_left = ROUNDS + 1;
	swapcontext(&loop_uc, &co_uc); /* first entry, not timed */
	t0 = clock_now_ns();
	while (swap_left > 0) {
		swapcontext(&loop_uc, &co_uc);
		n++;
	}
	int64_t dt = clock_now_ns() - t0;
	free(stack);
	return (double)dt / (double)n;
}

static double best(double a, double b)
{
	return b < a ? b : a;
}

int main(void)
{
	struct coro_pool *p = coro_pool_new(coro_stack_default());
	double coro_ns = 1e18, swap_ns = 1e18, spawn_ns = 1e18;

	if (p == NULL) {
		fprintf(stderr, "bench_coro: out of memory\n");
		return 1;
	}
	for (int r = 0; r < REPS; r++) {
		coro_ns = best(coro_ns, coro_round_trips(p));
		spawn_ns = best(spawn_ns, coro_spawns(p));
	}
	for (int r = 0; r < SWAP_REPS; r++)
		swap_ns = best(swap_ns, swap_round_trips());
	coro_pool_free(p);
	printf("async_switch_ns=%.1f\n", coro_ns);
	printf("swapcontext_switch_ns=%.1f\n", swap_ns);
	printf("coro_spawn_ns=%.1f\n", spawn_ns);
	return 0;
}
