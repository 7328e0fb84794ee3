/* check_coro.c - coroutines: values and order across switches, thousands
 * at once, stack reuse, coro_current, and a stack overflow caught by the
 * guard page. */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_suites.h"
#include "rt/coro.h"

/* --- ping-pong ------------------------------------------------------- */

struct pingpong {
	long in;      /* the loop's value for the coroutine */
	long out;     /* the coroutine's answer */
	char log[64]; /* who ran, in order */
	size_t n;
};

static void note(struct pingpong *pp, char who)
{
	if (pp->n + 1 < sizeof pp->log)
		pp->log[pp->n++] = who;
}

/* Answers each value with the running sum: a local that must survive
 * every switch. */
static void pong(void *arg)
{
	struct pingpong *pp = arg;
	long sum = 0;

	for (int i = 0; i < 5; i++) {
		note(pp, 'c');
		sum += pp->in;
		pp->out = sum * 10 + i;
		coro_yield();
	}
	note(pp, 'e');
}

START_TEST(test_ping_pong)
{
	struct coro_pool *p = coro_pool_new(coro_stack_default());
	struct pingpong pp = { 0 };
	struct coro *c;
	long sum = 0;

	ck_assert_ptr_nonnull(p);
	c = coro_new(p, pong, &pp);
	ck_assert_ptr_nonnull(c);
	for (int i = 0; i < 5; i++) {
		note(&pp, 'L');
		pp.in = 100 + i;
		sum += pp.in;
		ck_assert_int_eq(coro_resume(c), 0);
		ck_assert_int_eq(pp.out, sum * 10 + i);
	}
	note(&pp, 'L');
	ck_assert_int_eq(coro_resume(c), 1);
	ck_assert_str_eq(pp.log, "LcLcLcLcLcLe");
	coro_free(c);
	coro_pool_free(p);
}
END_TEST

/* --- many at once ------------------------------------------------------ */

/* Under TSan every coroutine costs some six memory mappings (its stack
 * and guard, their shadow, its fiber's shadow stack...), and the kernel
 * allows 65530 per process (vm.max_map_count): fewer there. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CORO_TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(CORO_TEST_TSAN)
#define MANY 4000
#else
#define MANY 10000
#endif
#define YIELDS 3

struct counter {
	int id;
	int steps;	   /* how far this coroutine got */
	long *last_served; /* the ids in the order they ran */
	size_t *served;
};

static void step3(void *arg)
{
	struct counter *k = arg;

	for (int i = 0; i < YIELDS; i++) {
		k->steps++;
		k->last_served[(*k->served)++] = k->id;
		coro_yield();
	}
	k->steps++;
}

START_TEST(test_ten_thousand)
{
	struct coro_pool *p = coro_pool_new(coro_stack_default());
	struct counter *k = calloc(MANY, sizeof *k);
	struct coro **c = calloc(MANY, sizeof *c);
	long *order = calloc((size_t)MANY * YIELDS, sizeof *order);
	size_t served = 0;
	int live = MANY;

	ck_assert(p != NULL && k != NULL && c != NULL && order != NULL);
	for (int i = 0; i < MANY; i++) {
		k[i] = (struct counter){ i, 0, order, &served };
		c[i] = coro_new(p, step3, &k[i]);
		ck_assert_ptr_nonnull(c[i]);
	}
	ck_assert_uint_eq(coro_pool_stacks(p), MANY);
	/* Round-robin, like the loop's ready queue. */
	for (int round = 0; live > 0; round++) {
		for (int i = 0; i < MANY; i++) {
			if (c[i] == NULL)
				continue;
			if (coro_resume(c[i]) == 1) {
				ck_assert_int_eq(round, YIELDS);
				coro_free(c[i]);
				c[i] = NULL;
				live--;
			}
		}
	}
	ck_assert_uint_eq(served, (size_t)MANY * YIELDS);
	for (size_t i = 0; i < served; i++)
		ck_assert_int_eq(order[i], (long)(i % MANY));
	for (int i = 0; i < MANY; i++)
		ck_assert_int_eq(k[i].steps, YIELDS + 1);
	ck_assert_uint_eq(coro_pool_stacks(p), MANY);
	coro_pool_free(p);
	free(order);
	free(c);
	free(k);
}
END_TEST

/* --- stack reuse ---------------------------------------------------------*/

static void yield_once(void *arg)
{
	int *ran = arg;

	(*ran)++;
	coro_yield();
	(*ran)++;
}

START_TEST(test_stacks_reused)
{
	struct coro_pool *p = coro_pool_new(1000);
	struct coro *c[4];
	int ran = 0;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(coro_pool_stack_size(p) % 4096, 0);
	ck_assert_uint_ge(coro_pool_stack_size(p), 1000);
	/* Waves of 4 live coroutines, freed finished, suspended or never
	 * started: the pool keeps 4 stacks. */
	for (int wave = 0; wave < 50; wave++) {
		for (int i = 0; i < 4; i++) {
			c[i] = coro_new(p, yield_once, &ran);
			ck_assert_ptr_nonnull(c[i]);
		}
		ck_assert_int_eq(coro_resume(c[0]), 0);
		ck_assert_int_eq(coro_resume(c[0]), 1);
		ck_assert_int_eq(coro_resume(c[1]), 0);
		for (int i = 0; i < 4; i++)
			coro_free(c[i]);
		ck_assert_uint_eq(coro_pool_stacks(p), 4);
	}
	ck_assert_int_eq(ran, 50 * 3);
	coro_pool_free(p);
}
END_TEST

/* --- coro_current ------------------------------------------------------ */

static void who_am_i(void *arg)
{
	struct coro **seen = arg;

	seen[0] = coro_current();
	coro_yield();
	seen[1] = coro_current();
}

START_TEST(test_current)
{
	struct coro_pool *p = coro_pool_new(coro_stack_default());
	struct coro *seen[2] = { NULL, NULL };
	struct coro *c;

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_null(coro_current());
	c = coro_new(p, who_am_i, seen);
	ck_assert_ptr_null(coro_current());
	ck_assert_int_eq(coro_resume(c), 0);
	ck_assert_ptr_eq(seen[0], c);
	ck_assert_ptr_null(coro_current());
	ck_assert_int_eq(coro_resume(c), 1);
	ck_assert_ptr_eq(seen[1], c);
	ck_assert_ptr_null(coro_current());
	coro_free(c);
	coro_pool_free(p);
}
END_TEST

/* --- stack overflow ---------------------------------------------------- */

static volatile int depth_limit = 1 << 30; /* never reached */

int check_recurse(int n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	if (n >= depth_limit)
		return pad[0];
	return check_recurse(n + 1) + pad[0];
}

static void too_deep(void *arg)
{
	*(int *)arg = check_recurse(0);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	_exit(coro_guard_hit(si->si_addr) ? 42 : 43);
}

/* In the child: a SIGSEGV handler on its own stack (the coroutine's is
 * full), then a coroutine that recurses for ever. Ends by the handler. */
static void overflow_child(void)
{
	static char alt[64 * 1024];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
	struct sigaction sa = { .sa_sigaction = on_segv,
				.sa_flags = SA_SIGINFO | SA_ONSTACK };
	struct coro_pool *p = coro_pool_new(coro_stack_default());
	int result = 0;
	struct coro *c;

	if (p == NULL || sigaltstack(&ss, NULL) != 0 ||
	    sigaction(SIGSEGV, &sa, NULL) != 0)
		_exit(2);
	c = coro_new(p, too_deep, &result);
	if (c == NULL)
		_exit(3);
	coro_resume(c);
	_exit(4); /* the recursion ended: no overflow */
}

START_TEST(test_overflow_hits_guard)
{
	int status = 0;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		overflow_child();
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "child died of signal %d",
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ck_assert_int_eq(WEXITSTATUS(status), 42);
}
END_TEST

/* Addresses outside any guard page are not hits. */
static void look_around(void *arg)
{
	int local = 0;

	*(int *)arg = coro_guard_hit(&local);
}

START_TEST(test_guard_misses)
{
	struct coro_pool *p = coro_pool_new(coro_stack_default());
	int on_stack = -1, here = 0;
	struct coro *c;

	ck_assert_ptr_nonnull(p);
	c = coro_new(p, look_around, &on_stack);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(coro_resume(c), 1);
	ck_assert_int_eq(on_stack, 0);
	ck_assert_int_eq(coro_guard_hit(&here), 0);
	ck_assert_int_eq(coro_guard_hit(NULL), 0);
	ck_assert_int_eq(coro_guard_hit(p), 0);
	coro_free(c);
	coro_pool_free(p);
}
END_TEST

Suite *suite_coro(void)
{
	Suite *s = suite_create("coro");
	TCase *tc = tcase_create("coro");

	tcase_add_test(tc, test_ping_pong);
	tcase_add_test(tc, test_ten_thousand);
	tcase_add_test(tc, test_stacks_reused);
	tcase_add_test(tc, test_current);
	tcase_add_test(tc, test_overflow_hits_guard);
	tcase_add_test(tc, test_guard_misses);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
