/* check_suites.h - one Check suite per module, combined by check_main.c. */
#ifndef CONVIZ_CHECK_SUITES_H
#define CONVIZ_CHECK_SUITES_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/ev.h"

struct evring;

/* Are timing bounds checked? Not with CONVIZ_TIMING_TESTS=0 (the
 * sanitizer and valgrind gates, which stretch every gap). */
static inline int check_timing_tests(void)
{
	const char *v = getenv("CONVIZ_TIMING_TESTS");

	return v == NULL || strcmp(v, "0") != 0;
}

/* Recursion without end that the compiler cannot flatten (each frame
 * keeps a buffer and uses it after the call returns), for the stack
 * overflow tests (check_coro.c). */
int check_recurse(int n);

/* The events a consumer took from a ring, in order (check_run.c). */
struct trace {
	struct ev *ev;
	size_t n, cap;
};

/* Drains everything the ring holds now onto the end of *t. */
void check_collect(struct evring *ring, struct trace *t);

/* Runs scenario `name` (a name or a path) under `model` (enum model_id)
 * with `workers`, recording it as the TUI does: the ring drained into the
 * recording while it runs, the rest once it is over, then its end
 * (check_recording.c). Free it with recording_free. */
struct recording;
struct recording *check_record(const char *name, int model, int workers);

/* The whole file at path, NUL-terminated (the caller frees it); its size
 * in *len unless len is NULL (check_export.c). */
char *check_slurp(const char *path, size_t *len);

Suite *suite_cli(void);
Suite *suite_coro(void);
Suite *suite_datadir(void);
Suite *suite_evring(void);
Suite *suite_async(void);
Suite *suite_gil(void);
Suite *suite_http(void);
Suite *suite_job(void);
Suite *suite_latency(void);
Suite *suite_msg(void);
Suite *suite_num(void);
Suite *suite_procs(void);
Suite *suite_shared(void);
Suite *suite_locks(void);
Suite *suite_ledger(void);
Suite *suite_report(void);
Suite *suite_run(void);
Suite *suite_scenario(void);
Suite *suite_explain(void);
Suite *suite_export(void);
Suite *suite_compare(void);
Suite *suite_recording(void);
Suite *suite_replay(void);
Suite *suite_server(void);
Suite *suite_textfile(void);
Suite *suite_timeline(void);
Suite *suite_urllist(void);
Suite *suite_work_http(void);
Suite *suite_work(void);
Suite *suite_www(void);

#endif
