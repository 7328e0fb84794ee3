/* recording.h - one run kept in full: what ran, every event it sent, and
 * what each task answered.
 *
 * A run is over in seconds; a class wants to stop it, go back and walk
 * through it. So the TUI never looks at a run directly: it draws from the
 * recording, which outlives the run. The events are kept raw, exactly as
 * they came out of the ring (the timeline they also feed merges, clamps
 * and drops their args), in the order the consumer drained them; the
 * timeline is the index every view queries (by worker or by task, at any
 * zoom); the race lab's books can be rebuilt at any moment from the
 * events alone (recording_ledger_at).
 *
 * Threads: the ring's consumer only (the UI thread).
 */
#ifndef CONVIZ_RECORDING_H
#define CONVIZ_RECORDING_H

#include <stddef.h>
#include <stdint.h>

#include "app/run.h"
#include "core/ev.h"
#include "core/ledger.h"

struct evring;
struct timeline;

struct recording {
	struct run_config cfg; /* what ran (urls borrowed, as in cfg) */
	int64_t origin_ns;     /* CLOCK_MONOTONIC time 0 of the run */
	struct timeline *tl;   /* every event, indexed per lane */
	/* Every event as drained; ts_ns as stamped (CLOCK_MONOTONIC). */
	struct ev *ev;
	size_t nev, capev;
	/* The race lab's books as the run began (no event in them yet):
	 * what recording_ledger_at starts from. has_ledger: 0 when the run
	 * shares no values and takes no locks. */
	struct ledger ledger0;
	int has_ledger;
	/* Once the run has ended (recording_end): its stats, and per task
	 * the answer as people read it (a failed task's: why it failed) and
	 * what it asked for ("GET ..."), NULL entries where there is
	 * nothing; and how it went, an enum task_status (TASK_PENDING: it
	 * never ran, or the run has not ended). */
	int ended;
	struct run_stats st;
	int64_t end_ns; /* relative to the origin */
	uint32_t ntasks;
	char **result, **what;
	unsigned char *status;
	/* cfg.urls_from when the recording owns it (recording_set_urls_from:
	 * a replayed run's), else NULL. */
	char *urls_from;
};

/* A recording of run r, started (its config, origin and books as they
 * begin). Out of memory is fatal. */
struct recording *recording_new(const struct run *r);

/* A recording of a run of cfg that is not running (conviz replay rebuilds
 * a saved one into it): cfg copied (its urls and urls_from pointers stay
 * borrowed), time 0 at origin_ns, ntasks cfg->sc.tasks (0 when out of
 * 1..UINT32_MAX); no event yet, no books (has_ledger 0), no answer, not
 * ended. The setters below fill in the rest. Out of memory is fatal. */
struct recording *recording_new_cfg(const struct run_config *cfg,
				    int64_t origin_ns);
void recording_free(struct recording *rec);

/* The race lab's books as the run began: a copy of *lg as ledger_init
 * (and ledger_own_copies) set it up, without waiters (books that begin
 * have none; lg keeps its own). has_ledger becomes 1 when they keep a
 * value or a lock, as for a live run. */
void recording_set_ledger(struct recording *rec, const struct ledger *lg);

/* Task `task` ended with `status` (TASK_OK or TASK_FAILED; TASK_PENDING:
 * not known), its answer or why it failed as people read it `text`;
 * or what it asked for. A copy of text (NULL or "": nothing to say),
 * replacing the one kept. Ignored for a task >= ntasks. */
void recording_set_result(struct recording *rec, uint32_t task,
			  enum task_status status, const char *text);
void recording_set_what(struct recording *rec, uint32_t task, const char *text);

/* The run ended with stats *st (copied), its lanes ending at end_ns
 * (relative to the origin; recording_now never gives less than the latest
 * event): ended becomes 1. recording_end's first half, for a run that is
 * not there to ask. */
void recording_set_end(struct recording *rec, const struct run_stats *st,
		       int64_t end_ns);

/* cfg.urls_from becomes a copy of `from` that the recording owns (NULL:
 * none): a replayed run's, whose name nothing else keeps. */
void recording_set_urls_from(struct recording *rec, const char *from);

/* Keeps one event: raw, and in the timeline. Out of memory is fatal. */
void recording_add(struct recording *rec, const struct ev *e);

/* Moves what `ring` holds into the recording (at most `max` events), each
 * also handed to also(ctx, ev) when it is not NULL. Returns how many. */
size_t recording_drain(struct recording *rec, struct evring *ring, size_t max,
		       void (*also)(void *ctx, const struct ev *ev), void *ctx);

/* The run has been joined with stats *st: keeps them, and each task's
 * answer and what it asked for, while r still holds them. */
void recording_end(struct recording *rec, const struct run *r,
		   const struct run_stats *st);

/* The race lab's books as they stood at time t (relative to the origin):
 * ledger0 fed every event stamped at or before t, in the order they were
 * drained. *lg must be zeroed or hold books made by an earlier call (they
 * are freed first). 0, or -1 (lg untouched) when the run keeps none. */
int recording_ledger_at(const struct recording *rec, int64_t t,
			struct ledger *lg);

/* Task `task`'s answer (why it failed, when it did), or what it asked
 * for: NULL when unknown (the run has not ended, or there is nothing to
 * say). */
const char *recording_result(const struct recording *rec, uint32_t task);
const char *recording_what(const struct recording *rec, uint32_t task);

/* How task `task` went: TASK_OK, TASK_FAILED, or TASK_PENDING when
 * unknown (it never ran, the run has not ended, no such task). */
enum task_status recording_status(const struct recording *rec, uint32_t task);

/* Where the run's lanes end, relative to the origin: its end once it
 * has ended (never before its latest event), else its latest event. The
 * `now` to hand the timeline's queries for the whole run. */
int64_t recording_now(const struct recording *rec);

#endif
