/* check_ledger.c - the race lab's books, kept from events alone: the sum
 * against its invariant (conserved or counting), the invalid state
 * between a transfer's two updates, lost updates named, writes that come
 * out of order, who holds each lock and who waits, a deadlock freezing
 * the picture, and worker processes' own copies. */
#include "config.h"

#include <string.h>

#include "check_suites.h"
#include "core/ev.h"
#include "core/ledger.h"

#define ORIGIN 1000000LL

static void feed(struct ledger *lg, int64_t t, uint16_t lane, uint32_t task,
		 enum ev_kind kind, int64_t arg)
{
	struct ev e = { .ts_ns = ORIGIN + t,
			.arg = arg,
			.task = task,
			.lane = lane,
			.kind = (uint16_t)kind };

	ledger_add(lg, &e);
}

static void write_ev(struct ledger *lg, int64_t t, uint32_t task, int var,
		     uint32_t version, int32_t value)
{
	feed(lg, t, (uint16_t)task, task, EV_WRITE,
	     ev_access((unsigned)var, version, value));
}

/* A transfer of 42 from bank 0 to bank 1: off by 42 between its two
 * writes (an invalid state), right again after. */
START_TEST(test_conserved_invalid_state)
{
	static const int64_t banks[3] = { 1000, 1000, 1000 };
	struct ledger lg;

	ledger_init(&lg, ORIGIN, 3, banks, 3000, 1);
	ck_assert_int_eq(lg.counting, 0);
	ck_assert_int_eq(lg.sum, 3000);
	write_ev(&lg, 100, 7, 0, 1, 958);
	ck_assert_int_eq(lg.sum, 2958);
	ck_assert_int_eq(lg.broken, 1);
	write_ev(&lg, 300, 7, 1, 1, 1042);
	ck_assert_int_eq(lg.sum, 3000);
	ck_assert_int_eq(lg.broken, 0);
	ck_assert_uint_eq(lg.breaks, 1);
	ck_assert_int_eq(lg.broken_ns, 200);
	ck_assert_int_eq(lg.worst_off, 42);
	ck_assert_uint_eq(lg.lost, 0);
	ledger_free(&lg);
}
END_TEST

/* A break that ends before it began (events out of order) lasts 0 ns, and
 * breaks that add up past INT64_MAX (a crafted trace's times, 2^52 ns
 * either side of the origin) stop there. */
START_TEST(test_broken_time_bounds)
{
	static const int64_t banks[2] = { 1000, 1000 };
	const int64_t far = INT64_C(1) << 52;
	struct ledger lg;
	uint32_t v = 0;

	ledger_init(&lg, ORIGIN, 2, banks, 2000, 1);
	write_ev(&lg, 500, 1, 0, ++v, 990);
	write_ev(&lg, 100, 1, 1, v, 1010);
	ck_assert_int_eq(lg.broken, 0);
	ck_assert_int_eq(lg.broken_ns, 0);
	for (int i = 0; i < 2000; i++) {
		write_ev(&lg, -far, 1, 0, ++v, 1000);
		write_ev(&lg, far, 1, 1, v, 1000);
		write_ev(&lg, -far, 1, 0, ++v, 990);
		write_ev(&lg, far, 1, 1, v, 1010);
	}
	ck_assert_uint_eq(lg.breaks, 4001);
	ck_assert_int_eq(lg.broken_ns, INT64_MAX);
	ledger_free(&lg);
}
END_TEST

/* Two tasks load bank 2; 7 deposits 42, 3 withdraws 30 over it: 42 lost,
 * counted once though marked on both lanes, and the sum is off for good. */
START_TEST(test_lost_update)
{
	static const int64_t banks[5] = { 1000, 1000, 1000, 1000, 1000 };
	struct ledger lg;

	ledger_init(&lg, ORIGIN, 5, banks, 5000, 0);
	write_ev(&lg, 10, 7, 2, 1, 1042);
	write_ev(&lg, 20, 3, 2, 2, 970);
	feed(&lg, 20, 3, 3, EV_LOST_UPDATE, ev_lost(2, 42, 7, 0));
	feed(&lg, 20, 7, 7, EV_LOST_UPDATE, ev_lost(2, 42, 3, 1));
	ck_assert_uint_eq(lg.lost, 1);
	ck_assert_int_eq(lg.lost_amount, 42);
	ck_assert_int_eq(lg.nrecent, 1);
	ck_assert_uint_eq(lg.recent[0].task, 3);
	ck_assert_uint_eq(lg.recent[0].victim, 7);
	ck_assert_int_eq(lg.recent[0].var, 2);
	ck_assert_int_eq(lg.recent[0].amount, 42);
	ck_assert_int_eq(lg.recent[0].t, 20);
	/* Deposits of +42 and -30: the sum is 30 short, for good. */
	ck_assert_int_eq(lg.sum, 4970);
	ck_assert_int_eq(lg.broken, 1);
	ck_assert_int_eq(lg.sum + lg.lost_amount, 5000 + 42 - 30);
	ledger_free(&lg);
}
END_TEST

/* Events of two lanes out of order: an older version never overwrites a
 * newer one. */
START_TEST(test_out_of_order)
{
	struct ledger lg;

	ledger_init(&lg, ORIGIN, 1, NULL, 0, 0);
	write_ev(&lg, 10, 1, 0, 6, 6);
	write_ev(&lg, 11, 0, 0, 5, 5); /* late */
	ck_assert_int_eq(lg.value[0], 6);
	ck_assert_uint_eq(lg.version[0], 6);
	/* Across the 26-bit wrap. */
	ledger_init(&lg, ORIGIN, 1, NULL, 0, 0);
	lg.version[0] = (1u << EV_VERSION_BITS) - 1;
	write_ev(&lg, 10, 1, 0, 0, 7);
	ck_assert_int_eq(lg.value[0], 7);
	write_ev(&lg, 11, 1, 0, (1u << EV_VERSION_BITS) - 2, 3);
	ck_assert_int_eq(lg.value[0], 7);
	ledger_free(&lg);
}
END_TEST

/* The counter: each store one more; x falls behind what was stored by
 * what was lost, and stays behind. */
START_TEST(test_counting)
{
	struct ledger lg;

	ledger_init(&lg, ORIGIN, 1, NULL, 8, 0);
	ck_assert_int_eq(lg.counting, 1);
	write_ev(&lg, 1, 0, 0, 1, 1);
	write_ev(&lg, 2, 1, 0, 2, 2);
	ck_assert_int_eq(ledger_should(&lg), 2);
	ck_assert_int_eq(lg.broken, 0);
	/* Task 0 loaded 2 and task 1 loaded 2; both store 3. */
	write_ev(&lg, 3, 0, 0, 3, 3);
	write_ev(&lg, 4, 1, 0, 4, 3);
	feed(&lg, 4, 1, 1, EV_LOST_UPDATE, ev_lost(0, 1, 0, 0));
	ck_assert_uint_eq(lg.writes, 4);
	ck_assert_int_eq(ledger_should(&lg), 4);
	ck_assert_int_eq(lg.sum, 3);
	ck_assert_int_eq(lg.broken, 1);
	ck_assert_int_eq(lg.sum + lg.lost_amount, ledger_should(&lg));
	ledger_free(&lg);
}
END_TEST

/* Who holds a lock and who waits, in the order they came; a reentrant
 * holder's takes counted; a task that ends holding it lets it all go. */
START_TEST(test_locks)
{
	struct ledger lg;
	uint32_t w[4];

	ledger_init(&lg, ORIGIN, 0, NULL, 0, 2);
	ck_assert_uint_eq(lg.lock[0].holder, EV_NO_TASK);
	feed(&lg, 1, 0, 10, EV_ACQUIRE, 0);
	feed(&lg, 2, 1, 11, EV_LOCK_WAIT, 0);
	feed(&lg, 3, 2, 12, EV_LOCK_WAIT, 0);
	ck_assert_uint_eq(lg.lock[0].holder, 10);
	ck_assert_uint_eq(ledger_waiters(&lg, 0, w, 4), 2);
	ck_assert_uint_eq(w[0], 11);
	ck_assert_uint_eq(w[1], 12);
	ck_assert_uint_eq(ledger_waiters(&lg, 1, w, 4), 0);
	feed(&lg, 4, 0, 10, EV_ACQUIRE, 0); /* again: reentrant */
	ck_assert_uint_eq(lg.lock[0].depth, 2);
	feed(&lg, 5, 0, 10, EV_RELEASE, 0);
	ck_assert_uint_eq(lg.lock[0].holder, 10);
	feed(&lg, 6, 0, 10, EV_RELEASE, 0);
	ck_assert_uint_eq(lg.lock[0].holder, EV_NO_TASK);
	/* Task 11 gets it; its state changes: it waits no more. */
	feed(&lg, 7, 1, 11, EV_ACQUIRE, 0);
	feed(&lg, 7, 1, 11, EV_CPU, 0);
	ck_assert_uint_eq(ledger_waiters(&lg, 0, w, 4), 1);
	ck_assert_uint_eq(w[0], 12);
	/* A late release by a former holder changes nothing. */
	feed(&lg, 8, 0, 10, EV_RELEASE, 0);
	ck_assert_uint_eq(lg.lock[0].holder, 11);
	/* Task 11 ends holding it twice: all of it goes. */
	feed(&lg, 9, 1, 11, EV_ACQUIRE, 0);
	feed(&lg, 10, 1, 11, EV_RELEASE, 0 | EV_RELEASE_ALL);
	ck_assert_uint_eq(lg.lock[0].holder, EV_NO_TASK);
	ledger_free(&lg);
}
END_TEST

/* Once a deadlock is found, the locks and their waiters stay as they were
 * (the tasks of the cycle let go as they fail, after); a wait of the
 * cycle whose marker comes late still joins. */
START_TEST(test_deadlock_freezes)
{
	struct ledger lg;
	uint32_t w[2];

	ledger_init(&lg, ORIGIN, 0, NULL, 0, 2);
	feed(&lg, 1, 0, 0, EV_ACQUIRE, 0);
	feed(&lg, 1, 1, 1, EV_ACQUIRE, 1);
	/* Task 1's wait closes the cycle; task 0's marker, from the other
	 * lane, comes after (task 0 began to wait first, but its marker
	 * was pushed later). */
	feed(&lg, 3, 1, 1, EV_LOCK_WAIT, 0);
	feed(&lg, 3, 1, 1, EV_DEADLOCK, 0);
	feed(&lg, 2, 0, 0, EV_LOCK_WAIT, 1);
	ck_assert_int_eq(lg.deadlock, 1);
	feed(&lg, 4, 1, 1, EV_IDLE, 0);
	feed(&lg, 4, 1, 1, EV_RELEASE, 1 | EV_RELEASE_ALL);
	feed(&lg, 5, 0, 0, EV_IDLE, 0);
	feed(&lg, 5, 0, 0, EV_RELEASE, 0 | EV_RELEASE_ALL);
	ck_assert_uint_eq(lg.lock[0].holder, 0);
	ck_assert_uint_eq(lg.lock[1].holder, 1);
	ck_assert_uint_eq(ledger_waiters(&lg, 0, w, 2), 1);
	ck_assert_uint_eq(w[0], 1);
	ck_assert_uint_eq(ledger_waiters(&lg, 1, w, 2), 1);
	ck_assert_uint_eq(w[0], 0);
	ledger_free(&lg);
}
END_TEST

/* The runtime's cycle sets the picture exactly, whatever the events
 * said: here task 0's wait never arrived, and task 1 had let L1 go. */
START_TEST(test_cycle_exact)
{
	static const struct ledger_step cycle[2] = {
		{ .task = 1, .lane = 1, .holds = 1, .wants = 0 },
		{ .task = 0, .lane = 0, .holds = 0, .wants = 1 },
	};
	struct ledger lg;
	uint32_t w[2];

	ledger_init(&lg, ORIGIN, 0, NULL, 0, 3);
	feed(&lg, 1, 0, 0, EV_ACQUIRE, 0);
	feed(&lg, 1, 1, 1, EV_ACQUIRE, 1);
	feed(&lg, 2, 1, 1, EV_RELEASE, 1 | EV_RELEASE_ALL);
	feed(&lg, 3, 2, 2, EV_LOCK_WAIT, 2); /* a wait not in the cycle */
	ledger_cycle(&lg, cycle, 2);
	ck_assert_int_eq(lg.deadlock, 1);
	ck_assert_uint_eq(lg.lock[0].holder, 0);
	ck_assert_uint_eq(lg.lock[1].holder, 1);
	ck_assert_uint_eq(lg.lock[1].lane, 1);
	ck_assert_uint_eq(lg.lock[2].holder, EV_NO_TASK);
	ck_assert_uint_eq(ledger_waiters(&lg, 0, w, 2), 1);
	ck_assert_uint_eq(w[0], 1);
	ck_assert_uint_eq(ledger_waiters(&lg, 1, w, 2), 1);
	ck_assert_uint_eq(w[0], 0);
	ck_assert_uint_eq(ledger_waiters(&lg, 2, w, 2), 0);
	/* A step naming a lock the books do not have is left out. */
	ledger_cycle(&lg, &(struct ledger_step){ .task = 5, .holds = 9 }, 1);
	ck_assert_uint_eq(lg.nwaiter, 0);
	ledger_free(&lg);
}
END_TEST

/* Worker processes write their own copies: nothing here moves. */
START_TEST(test_own_copies)
{
	static const int64_t banks[2] = { 1000, 1000 };
	struct ledger lg;

	ledger_init(&lg, ORIGIN, 2, banks, 2000, 0);
	ledger_own_copies(&lg);
	write_ev(&lg, 1, 0, 0, 1, 900);
	feed(&lg, 2, 0, 0, EV_LOST_UPDATE, ev_lost(0, 5, 1, 0));
	ck_assert_int_eq(lg.value[0], 1000);
	ck_assert_int_eq(lg.sum, 2000);
	ck_assert_uint_eq(lg.lost, 0);
	ck_assert_int_eq(lg.broken, 0);
	ledger_free(&lg);
}
END_TEST

/* Out-of-range numbers are clamped or ignored, never written past. */
START_TEST(test_bounds)
{
	struct ledger lg;

	ledger_init(&lg, ORIGIN, LEDGER_VARS + 5, NULL, 0, LEDGER_LOCKS + 5);
	ck_assert_int_eq(lg.nvars, LEDGER_VARS);
	ck_assert_int_eq(lg.nlocks, LEDGER_LOCKS);
	ledger_init(&lg, ORIGIN, 1, NULL, 0, 1);
	write_ev(&lg, 1, 0, 5, 1, 3); /* value 5 does not exist */
	feed(&lg, 1, 0, 0, EV_ACQUIRE, 9);
	feed(&lg, 1, 0, 0, EV_LOCK_WAIT, 9);
	feed(&lg, 1, 0, 0, EV_LOCK_WAIT, -1);
	ck_assert_int_eq(lg.sum, 0);
	ck_assert_uint_eq(lg.nwaiter, 0);
	ledger_free(&lg);
}
END_TEST

Suite *suite_ledger(void)
{
	Suite *s = suite_create("ledger");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_conserved_invalid_state);
	tcase_add_test(tc, test_lost_update);
	tcase_add_test(tc, test_out_of_order);
	tcase_add_test(tc, test_broken_time_bounds);
	tcase_add_test(tc, test_counting);
	tcase_add_test(tc, test_locks);
	tcase_add_test(tc, test_deadlock_freezes);
	tcase_add_test(tc, test_cycle_exact);
	tcase_add_test(tc, test_own_copies);
	tcase_add_test(tc, test_bounds);
	suite_add_tcase(s, tc);
	return s;
}
