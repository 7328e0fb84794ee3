/* ledger.h - the race lab's books, kept from the events alone: each
 * shared value and their sum against the invariant, the updates lost and
 * who lost them, who holds each program lock and who waits for it.
 *
 * The TUI feeds it every event it drains (the ring's one reader), and its
 * panel shows what it holds; nothing here reads the run's memory, so a
 * recorded run could be replayed into it as well.
 *
 * Two kinds of invariant, told apart by what the values must end at:
 *   conserved  the sum must stay what it was (the bank: a transfer moves
 *              money); it is off for a moment between a transfer's two
 *              updates (the "invalid state"), and for good once an update
 *              is lost;
 *   counting   each write adds one (the counter): the value must be what
 *              was written so far, and falls behind by what was lost.
 * Events of the different lanes may come out of order; a write applies
 * only if its version is newer than the value's last (ev_newer).
 *
 * Threads: one (the one that drains the ring).
 */
#ifndef CONVIZ_LEDGER_H
#define CONVIZ_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "core/ev.h"

#define LEDGER_VARS 64	   /* as rt/shared.h's RT_VARS_MAX */
#define LEDGER_LOCKS 64	   /* as rt/locks.h's RT_LOCKS_MAX */
#define LEDGER_LOST_KEEP 4 /* the latest lost updates kept in full */

/* One lost update, as the task that overwrote another's saw it. */
struct ledger_lost {
	int64_t t;	 /* from the origin */
	uint32_t task;	 /* the task whose store overwrote */
	uint32_t victim; /* the task whose update was lost (EV_NO_TASK:
			    unknown) */
	int var;
	int32_t amount; /* the victim's change that was lost */
};

struct ledger_lock {
	uint32_t holder; /* EV_NO_TASK: free */
	uint16_t lane;
	uint32_t depth;
};

struct ledger_waiter {
	uint32_t task;
	uint16_t lane;
	int lock;
};

struct ledger {
	int64_t origin; /* CLOCK_MONOTONIC ns of the run's start */
	/* Shared values. */
	int nvars;
	int copies;	  /* worker processes write their own copies: the
		       values here never move (ledger_own_copies) */
	int counting;	  /* 1: each write adds one; 0: the sum is conserved */
	int64_t initial;  /* their sum at the start */
	int64_t expected; /* at the end */
	int64_t value[LEDGER_VARS];
	uint32_t version[LEDGER_VARS];
	int64_t sum;
	uint64_t writes;
	/* The invariant: broken now (since when), how often, how long. */
	int broken;
	int64_t broken_at, broken_ns, worst_off;
	uint64_t breaks;
	/* Lost updates: how many, worth what, the latest in full. */
	uint64_t lost;
	int64_t lost_amount;
	struct ledger_lost recent[LEDGER_LOST_KEEP]; /* newest at [0] */
	int nrecent;
	/* Program locks and their waiters. */
	int nlocks;
	struct ledger_lock lock[LEDGER_LOCKS];
	struct ledger_waiter *waiter;
	size_t nwaiter, capwaiter;
	/* A deadlock was found (EV_DEADLOCK): the locks stay as they were
	 * at that moment, and their waiters too (a wait of the cycle whose
	 * marker comes later, from another lane, still joins them): the
	 * cycle drawn. */
	int deadlock;
};

/* Sets up books for nvars values starting at initial[] (NULL: 0), ending
 * at `expected`, and nlocks locks (both clamped to their maximum). */
void ledger_init(struct ledger *lg, int64_t origin, int nvars,
		 const int64_t *initial, int64_t expected, int nlocks);

/* The run's workers are processes, each writing its own copy of the
 * values: writes and lost updates are theirs, and these stay as set. */
void ledger_own_copies(struct ledger *lg);

/* Frees the waiters' list; the books may be set up again. */
void ledger_free(struct ledger *lg);

/* One task of a deadlock's cycle, as the runtime found it: it holds lock
 * `holds` and waits for `wants`. */
struct ledger_step {
	uint32_t task;
	uint16_t lane, holds, wants;
};

/* The run found a deadlock with this cycle: the locks and their waiters
 * become exactly what the cycle says (the events can only approach it:
 * two lanes' markers may come in either order), and stay so. */
void ledger_cycle(struct ledger *lg, const struct ledger_step *step, int n);

/* Takes one event into the books. */
void ledger_add(struct ledger *lg, const struct ev *e);

/* What the values should sum to now: the conserved sum, or what the
 * writes so far add up to. */
int64_t ledger_should(const struct ledger *lg);

/* The tasks waiting for lock `id`, in the order they came: up to max of
 * them into tasks[]; returns how many wait in all. */
size_t ledger_waiters(const struct ledger *lg, int id, uint32_t *tasks,
		      size_t max);

#endif
