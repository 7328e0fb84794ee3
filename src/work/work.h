/* work.h - workloads: the task bodies of the scenarios, and their table.
 *
 * Folder work/, on rt/ and server/ (this is its main header): one file per
 * workload family (cpu.c, http.c) and their table (work.c).
 * May include: work/, rt/, server/ (the embedded server's own pages, for
 * `expect`), core/; not models/ (a sibling): a workload never knows which
 * model runs it.
 *
 * A workload is written once against the rt_* API and never knows which
 * model runs it. Each computes its result for real; `expect` computes the
 * right answer another way so tests (and the summary) can check it. What a
 * workload supplies (struct work_ops) and what its tasks read and write
 * are in rt/task.h, below, so that the runtime can run a task without
 * knowing the workloads; adding one is a file and a line in work.c.
 */
#ifndef CONVIZ_WORK_H
#define CONVIZ_WORK_H

#include <stddef.h>
#include <stdint.h>

#include "rt/task.h"

/* Room for work_title's text: a scenario's title, or the real work and the
 * tutorial's. */
#define WORK_TITLE_MAX 512

/* The workload called `name`, or NULL. */
const struct work_ops *work_find(const char *name);

/* The one line that says what a run of sc at `scale` really does, for
 * every place that titles a run (the TUI header, `conviz list`, the
 * headless report): the workload's description of the real work, and,
 * when the scale changes that work, the tutorial's (sc at scale 1) and the
 * scale, e.g. "fib(30) x20, naive recursion (CPU-bound); tutorial: fib(35)
 * x20, scale 0.1". The real work comes first, so a clipped line still
 * says it. Workloads that do not scale give sc->title (sc->name if that is
 * empty). Always NUL-ended, cut at len. Any thread. */
void work_title(const struct scenario *sc, double scale, char *buf, size_t len);

/* 1 when `scale` changes the work of sc from the tutorial's (sc at scale
 * 1), as work_title words it: then the figures of the tutorials (lesson
 * cards) are not this run's. 0 for a scale that rounds to the same work,
 * and for workloads that do not scale. Any thread. */
int work_scaled(const struct scenario *sc, double scale);

/* The work of sc at `scale` in a few words, the workload's brief
 * description ("fib(32) x20", "x = x + 1 x2000 x20"); sc->title (or its
 * name) for a workload that has none. Always NUL-ended. Any thread. */
void work_brief(const struct scenario *sc, double scale, char *buf, size_t len);

/* What runs the tasks of sc: its workload, or, when sc has a `hog`,
 * a table that sends the hog task to the hog's workload and the others to
 * sc's (hog.c; it has run and expect only: format results with
 * work_format). NULL for an unknown workload. Any thread. */
const struct work_ops *work_for(const struct scenario *sc);

/* Writes task `task`'s result as people read it, with the format of the
 * workload that ran it; the hog's says which work it was ("fib(42) =
 * 267914296"). Any thread. */
void work_format(const struct scenario *sc, uint32_t task,
		 const struct task_result *res, char *buf, size_t len);

/* Names of all workloads, NULL-terminated. */
const char *const *work_names(void);

/* A random number that follows only from the seed and two numbers (a
 * task's, a step's): a task makes the same choices under every model,
 * in any order, so --seed makes a run's choices repeatable. Any thread. */
uint64_t work_random(uint64_t seed, uint64_t a, uint64_t b);

/* What a task returns when rt_lock said a deadlock was found: it gives up,
 * failed, saying so in res->text. WORK_ERR_DEADLOCK. */
int work_deadlocked(struct task_result *res);

#endif
