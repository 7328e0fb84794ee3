/* export.h - recorded runs written out: a Chrome trace, an SVG timing
 * diagram, a CSV table.
 *
 * Every writer takes n >= 1 recordings (n > 1: a comparison, say one
 * scenario under each model); each run's times count from its own origin.
 *
 * Files are replaced whole or not at all: a writer fills a temporary file
 * beside PATH ("PATH.XXXXXX"), checks every write, and only then renames
 * it over PATH; on any failure the temporary file is removed and PATH is
 * left as it was. A PATH that exists and is not a regular file (a device
 * such as /dev/stdout, a FIFO, a symbolic link) is written straight into
 * instead, never replaced; a directory is an error.
 *
 * Each returns 0, or -1 with one line in err shaped "what went wrong: what
 * to do" (without the "conviz: " of msg.h), naming PATH. Out of memory is
 * fatal (msg_fatal).
 *
 * Threads: the recordings' owner (the ring's consumer). The recordings are
 * only read; their timelines' view (timeline_set_view) is changed while a
 * writer runs and set back before it returns.
 */
#ifndef CONVIZ_EXPORT_H
#define CONVIZ_EXPORT_H

#include <stddef.h>

struct recording;

/* The layout of the "conviz" section of a trace (see export_trace). A
 * reader refuses a version it does not know. */
#define EXPORT_TRACE_VERSION 1

/* The Chrome Trace Event format, JSON object form, as Perfetto's UI and
 * chrome://tracing open it:
 *   {"displayTimeUnit":"ms","traceEvents":[...],"otherData":{...},
 *    "conviz":{...}}
 * Run i (from 0) is process i + 1, named "SCENARIO (MODEL, N workers, GIL
 * on)", sorted by i. Its tracks (tids):
 *   1 + L       worker lane L, named "wL" ("wL (pid P)" for a worker
 *               process), and its states and markers;
 *   90000 + K   program lock K ("lock LK"): an "X" event "held by tN"
 *               for each hold, from its first take to its last release;
 *   100000 + T  runs shown by task only (async, or --view task): task
 *               T ("tT"), its states by itself (the timeline's task
 *               view), and its markers.
 * A state that takes time, other than idle and done, is an "X" event of
 * "cat":"state" named as ev_kind_name names it, ts and dur in
 * microseconds with 3 decimals (nanosecond exact), args {"task":N,
 * "result":"..."} (each when there is one). On a task's track the same
 * state goes bare: no cat and no args (its track names the task, and the
 * worker's track has them), which keeps async primes under 5 MiB. A
 * marker is an instant event
 * ("ph":"i","s":"t","cat":"marker") with args {"task":N,"arg":RAW} and
 * what the arg packs, decoded.
 *
 * "conviz" holds what a reader needs to play the runs back exactly (its
 * layout is EXPORT_TRACE_VERSION's; every key is always there):
 *   {"version":1,
 *    "kinds":["idle","startup",...,"deadlock"],   ev_kind_name, in enum
 *                                                 ev_kind's order
 *    "runs":[{RUN},...]}                          in the order given
 * where RUN is one object, in this order:
 *   what ran (run_config):
 *     "scenario","title","workload": strings (the scenario's name, title
 *         and workload); "model": "sync"|"threads"|"async"|"procs";
 *     "workers","limit","chunk": integers as in run_config;
 *     "gil": true|false; "seed": unsigned 64-bit integer, exact (past
 *     INT64_MAX a string of its digits, "18446744073709551615": JSON
 *     readers such as jansson read signed 64-bit integers only);
 *     "scale": number; "tasks": integer (the length of results and
 *     what); "arg": integer, the scenario's arg (what work_title words
 *     the run with);
 *     "start": "forkserver"|"fork"|"spawn"; "view": 0 by worker, 1 by
 *     task (run_config_view); "urls_from": string or null;
 *     "urls_count": how many URLs that file had, 0 without one (optional
 *     when reading: missing is 0, the scenario's title is shown then);
 *     "origin_ns": the run's time 0 (CLOCK_MONOTONIC, ns);
 *     "ended": true|false; "end_ns": where its lanes end, from the
 *     origin (recording_now);
 *   how it went (run_stats; all 0, "" or [] before it ended): "ok",
 *     "failed","wrong","first_wrong","wrong_got","wrong_want" (what
 *     report_wrong says), "run_start_ns","run_end_ns" (its start_ns and
 *     end_ns: CLOCK_MONOTONIC, as origin_ns),"wall_s","cpu_s",
 *     "events_pushed" (the summary line's events=),"dropped","stalls",
 *     "stall_s","ready_s","gil_switches","status","cancelled","checked",
 *     "race","expected_sum","final_sum","lost_updates","lost_amount",
 *     "locks","lock_wait_s","lock_hold_s","lock_waits","deadlock",
 *     "cycle","cycle_steps" - integers, numbers (the _s ones; shortest
 *     text that reads back the same double), true|false (cancelled,
 *     checked, race, deadlock), strings (wrong_got, wrong_want, cycle)
 *     and cycle_steps: [[TASK,LANE,HOLDS,WANTS],...], the deadlock's
 *     cycle as the runtime found it (ncycle, cycle_step: what
 *     run_ledger_cycle draws the books from);
 *   "ledger": the race lab's books as the run began (recording's
 *     ledger0), null when it keeps none (has_ledger 0):
 *     {"nvars":N,"initial":[V,...] (the N values as they start),
 *      "expected":X,"nlocks":K,"copies":true|false,
 *      "counting":true|false} (core/ledger.h);
 *   "results":[...],"outcomes":[...],"what":[...]: per task its answer
 *     (why it failed, when it did) as people read it, or null; how it
 *     went, "ok" or "failed", or null when not known (it never ran, the
 *     run has not ended: recording_status); what it asked for, or null;
 *   "events":[[T,LANE,TASK,KIND,ARG],...]: every event, in the order the
 *     recording drained them: T its time from the origin in ns (as
 *     stamped: may be below 0, and out of order across lanes), TASK -1
 *     for none, KIND a number indexing "kinds", ARG the raw 64-bit arg.
 * app/replay.h reads it back into recordings.
 * All of it compact: no whitespace between tokens, and one newline, the
 * file's last byte. */
int export_trace(const struct recording *const *recs, int n, const char *path,
		 char *err, size_t errlen);

/* A timing diagram for slides, as the Python concurrency tutorials draw
 * them: SVG 1.1, one row per worker, a title line per run, the runs
 * stacked on one time axis as long as the longest. Each state has its
 * screen colour and a fill pattern of its own (so it prints in black and
 * white); a thin white line where one task gives way to the next; errors,
 * lost updates and deadlocks as small red marks with a letter; round
 * ticks; a legend of what appears. Drawn at a fixed resolution (1,000
 * columns for the longest run) with the timeline's own cell query, equal
 * neighbours merged: its size does not grow with the number of tasks. */
int export_svg(const struct recording *const *recs, int n, const char *path,
	       char *err, size_t errlen);

/* One row per stretch of a worker lane: the header
 *   run,lane,task,state,start_s,end_s,arg
 * then per run, per worker lane (w0, w1, ...), its segments in order
 * (every state, idle and done included, and the idle stretch before the
 * lane's first event, so a lane's rows add up to timeline_shares over
 * [0, recording_now)), each followed by the markers that fall in it (state
 * = the marker's name, start_s = end_s, arg its raw arg). run is
 * "SCENARIO/MODEL" ("SCENARIO/MODEL#I", I from 1, when two runs would
 * share a name); task a number or empty; times in seconds with 9
 * decimals. Fields are quoted as RFC 4180 says when they need it; lines
 * end in "\n". */
int export_csv(const struct recording *const *recs, int n, const char *path,
	       char *err, size_t errlen);

#endif
