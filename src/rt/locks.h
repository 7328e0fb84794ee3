/* locks.h - the program's locks (rt_lock), with who holds each and who
 * waits for which: a wait-for graph, in which a deadlock is a cycle.
 *
 * A lock belongs to a task, not to a thread: under async many tasks share
 * one thread, and a task that holds a lock across an await still holds
 * it. A plain lock (threading.Lock, asyncio.Lock) taken again by the task
 * that holds it is a deadlock with itself; a reentrant one (RLock) counts
 * how deep its holder took it.
 *
 * The table is bookkeeping only: whether a task may take a lock now, must
 * wait, or would close a cycle. The models wait their own way (a thread
 * on the table's condition, a coroutine in its lock's line) and ask again
 * when woken. A cycle is found the moment the wait that closes it would
 * begin (exactly, under the table's one mutex): it is recorded, the run
 * is cancelled, and from then on every wait and every take fails, so
 * every task of the cycle ends, failed, and the run stops cleanly rather
 * than hanging.
 *
 * Every call but init and destroy is made with the table's mutex held
 * (rt_locks_enter/rt_locks_leave); async, on one thread, takes it too.
 */
#ifndef CONVIZ_LOCKS_H
#define CONVIZ_LOCKS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RT_LOCKS_MAX 64 /* locks a scenario may use: ids 0..63 */

/* One task of a deadlock's cycle: it holds `holds` and waits for
 * `wants`, which the next task of the cycle holds (the last task's is
 * held by the first). */
struct rt_cycle_step {
	uint32_t task;
	uint16_t lane;
	uint16_t holds, wants;
};

/* What the locks did, for the summary: plain numbers, so that a worker
 * process can keep it in memory its parent reads (models/procs). */
struct rt_lock_report {
	atomic_llong wait_ns; /* time tasks waited for a lock, in all */
	atomic_llong hold_ns; /* time locks were held, in all */
	atomic_ullong waits;  /* takes that had to wait */
	atomic_int deadlock;  /* 1: a cycle was found (the first is kept) */
	atomic_int ncycle;    /* steps in `cycle`, set once they are */
	struct rt_cycle_step cycle[RT_LOCKS_MAX];
};

/* What rt_locks_take and rt_locks_retry answer. */
enum rt_take {
	RT_TAKEN,    /* the task holds the lock now */
	RT_BUSY,     /* another holds it: the task is waiting for it */
	RT_DEADLOCK, /* a cycle was found: the task does not get it */
	RT_CYCLE     /* the same, and this very take closed the cycle */
};

struct rt_lock {
	uint32_t holder; /* the task that holds it, or UINT32_MAX */
	uint16_t lane;	 /* and its lane */
	uint8_t reentrant;
	uint32_t depth;	  /* times its holder took it */
	int64_t since_ns; /* held since */
};

struct rt_lock_waiter {
	uint32_t task;
	uint16_t lane;
	int lock;
	int64_t since_ns;
};

struct rt_locks {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* broadcast when a waited-for lock is free, and
			      when a deadlock is found */
	int ok;		   /* mu and cv are set up */
	int n;		   /* locks the run's workload uses */
	struct rt_lock lock[RT_LOCKS_MAX];
	struct rt_lock_waiter *waiter; /* the tasks waiting now */
	size_t nwaiter, capwaiter;
	struct rt_lock_report *report; /* where the figures go */
	atomic_int *cancel; /* set when a deadlock is found (the run's, or a
			       worker process's pool's) */
};

/* Sets up n locks (0 <= n <= RT_LOCKS_MAX); lock i is reentrant if
 * reentrant[i] (NULL: none is). Figures go to *report (zeroed by the
 * caller), a deadlock sets *cancel. 0, or -1 (n out of range, or no
 * mutex could be made). Before any task runs. */
int rt_locks_init(struct rt_locks *t, int n, const uint8_t *reentrant,
		  struct rt_lock_report *report, atomic_int *cancel);

/* Frees what rt_locks_init set up; a zeroed table is fine. */
void rt_locks_destroy(struct rt_locks *t);

void rt_locks_enter(struct rt_locks *t);
void rt_locks_leave(struct rt_locks *t);

/* Task `task` on `lane` asks for lock `id` at `now_ns`: RT_TAKEN; or
 * RT_BUSY, and it is now a waiter (the caller waits, then calls
 * rt_locks_retry); or RT_CYCLE when waiting would close a cycle, or
 * RT_DEADLOCK when one was found before. An id out of range ends the program (the
 * workload is broken). Mutex held. */
enum rt_take rt_locks_take(struct rt_locks *t, uint32_t task, uint16_t lane,
			   int id, int64_t now_ns);

/* A waiter asks again: RT_TAKEN (no longer a waiter), RT_BUSY (still
 * one), or RT_DEADLOCK (no longer one; it does not get the lock). Mutex
 * held. */
enum rt_take rt_locks_retry(struct rt_locks *t, uint32_t task, int id,
			    int64_t now_ns);

/* Task `task` lets lock `id` go once. Returns 1 if the lock is free now
 * and a task waits for it (the caller wakes the waiters), else 0. A task
 * that lets go a lock it does not hold ends the program. Mutex held. */
int rt_locks_give(struct rt_locks *t, uint32_t task, int id, int64_t now_ns);

/* A task has ended: the locks it still holds are let go (a task that
 * failed holding one must not block the others). Returns 1 if a waiter
 * should be woken. Mutex held. */
int rt_locks_drop_task(struct rt_locks *t, uint32_t task, int64_t now_ns);

/* Adds the figures of `from` to `to`; `to` takes from's deadlock if it
 * has none. Neither is being written (the workers are done). */
void rt_lock_report_add(struct rt_lock_report *to,
			const struct rt_lock_report *from);

/* Writes the cycle of a report as people read it: "task 0 holds L0 and
 * waits for L1; task 1 holds L1 and waits for L0". "" if none. */
void rt_cycle_format(const struct rt_lock_report *r, char *buf, size_t len);

#endif
