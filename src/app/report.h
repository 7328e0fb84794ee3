/* report.h - the headless report: an ASCII timing diagram and the one
 * `summary:` line of DESIGN.md. No curses. */
#ifndef CONVIZ_REPORT_H
#define CONVIZ_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app/run.h"

struct evring;
struct recording;
struct timeline;

/* Draws one row per lane of tl's view over [0, end) in `width` columns
 * (ASCII patterns; '|' where a task starts after another on the lane),
 * labelled w0.. (workers) or t0.. (tasks), then a time axis and a
 * legend. */
void report_diagram(FILE *to, const struct timeline *tl, int64_t end,
		    int width);

/* Writes the summary line (without newline) to buf:
 * "summary: scenario=... model=... workers=... gil=... tasks=... ok=...
 *  failed=... wall_s=... cpu_s=... events=... dropped=... stalls=...
 *  stall_s=... ready_s=... wrong=..."; race scenarios add
 *  "expected_sum=... final_sum=... lost_updates=... lost_amount=...",
 *  scenarios with locks "lock_wait_s=... lock_hold_s=... lock_waits=...
 *  deadlock=0|1". */
void report_summary(char *buf, size_t len, const struct run_config *cfg,
		    const struct run_stats *st);

/* A race scenario's invariant after the run, as people read it ("" for
 * others): kept, broken (by how much, by how many lost updates), or
 * untouched here because worker processes changed their own copies. */
void report_invariant(char *buf, size_t len, const struct run_config *cfg,
		      const struct run_stats *st);

/* Writes what a wrong answer says (st->wrong > 0), shaped "what went
 * wrong: what to do": the first wrong task, its value and the right one. */
void report_wrong(char *buf, size_t len, const struct run_config *cfg,
		  const struct run_stats *st);

/* Runs cfg headless: collects every event, prints the diagram and the
 * summary to `out`. Returns the exit status (0 completed, 1 not). */
/* The one line that titles a run of cfg (the TUI's header, the headless
 * report): work_title's, or, for an I/O scenario on the URLs of a
 * --url-file, what is fetched from where ("100 GETs of the 3 URLs in
 * urls.txt (I/O-bound)"). Always NUL-ended. Any thread. */
void report_title(const struct run_config *cfg, char *buf, size_t len);

/* Writes a one-line account of the run's answers (failed = 0) or of why
 * tasks failed (failed = 1) into buf: grouped when there are few distinct
 * ones ("80 x 10966 bytes, 80 x 276 bytes", "160 x connection refused"),
 * else in task order ("Bulbasaur, Ivysaur, ...", cut with "... (N more)"
 * when buf is full). Returns how many tasks it covers (0: buf is "").
 * Any thread, once the run is joined (run_wait). */
size_t report_results(char *buf, size_t len, const struct run *r, int failed);

/* The same for a recorded run once it has ended (recording_end, or read
 * back by conviz replay): the answers and why tasks failed as it kept
 * them. */
size_t report_results_rec(char *buf, size_t len, const struct recording *rec,
			  int failed);

/* Where a run (or a comparison) is written besides the report: --trace,
 * --svg, --csv (app/export.h); NULL: not written. */
struct report_exports {
	const char *trace, *svg, *csv;
};

/* Before anything runs: can each path be written? (Its directory exists,
 * it is not a directory, no two are the same.) 0, or -1 with "what: what
 * to do" in err. A full disk is only found when writing. */
int report_exports_check(const struct report_exports *x, char *err,
			 size_t errlen);

/* Writes recs[0..n) to each path x gives; a failure is said on stderr
 * (and the others still written). 0, or -1 if one failed. */
int report_exports_write(const struct recording *const *recs, int n,
			 const struct report_exports *x);

/* The same, but the first failure goes into err (the TUI shows it) and
 * the files after it are not written; err NULL: as report_exports_write. */
int report_exports_to(const struct recording *const *recs, int n,
		      const struct report_exports *x, char *err, size_t errlen);

int report_headless(const struct run_config *cfg, FILE *out,
		    const struct report_exports *x);

/* conviz replay --headless: each saved run's report (its diagram, answers
 * and summary: line, as report_headless printed them when it ran), then
 * the files x asks for. Runs nothing. 0, or 1 when a run had not
 * completed, a file could not be written, or stdout failed. */
int report_replay(struct recording *const *recs, int n, FILE *out,
		  const struct report_exports *x);

/* One run collected headless, to its end: the run (its answers), its
 * events in a timeline (and the ring), its stats (dropped measured), its
 * configuration as run (the workers it really had), and where its
 * diagram ends. */
struct report_run {
	struct run *run;
	struct evring *ring;
	struct recording *rec; /* the run kept in full (app/recording.h) */
	struct timeline *tl;   /* rec's */
	struct run_stats st;
	struct run_config shown;
	int rc; /* run_wait's */
	int64_t end;
};

/* Starts cfg, collects its events until it ends, and waits for it: 0, or
 * -1 with "what: what to do" in err if it could not start. Free it with
 * report_run_free (also after -1). */
int report_run(const struct run_config *cfg, struct report_run *rr, char *err,
	       size_t errlen);
void report_run_free(struct report_run *rr);

/* Did everything written to out get there? 0, or -1 (said on stderr,
 * unless the reader went away). */
int report_flushed(FILE *out);

#endif
