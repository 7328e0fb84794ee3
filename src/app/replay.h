/* replay.h - a saved trace read back: the runs of a file export_trace
 * wrote (app/export.h), rebuilt as recordings, for conviz replay.
 *
 * Only the trace's "conviz" section is read (its Chrome trace events are
 * for Perfetto). Each run becomes a recording as the run left it: its
 * configuration, every event fed in its order through recording_add (with
 * ts_ns = origin_ns + T, so the timeline is rebuilt exactly as the
 * original's), its stats once it ended, each task's answer, outcome
 * (recording_status) and request, and the race lab's books as it began.
 * cfg.view is the view the run was shown with (0 or 1, never -1); its
 * timeline is left by worker, as a new one is. What a run's configuration
 * points to is not in a trace: cfg.urls is NULL, and cfg.urls_from the
 * recording's own copy (recording_set_urls_from).
 *
 * The file is untrusted: it is parsed by jansson (strictly: a duplicate
 * key, a NUL in a string or bad UTF-8 is refused), and every field is
 * checked - its type, its range, the names it gives (model, start method,
 * workload, each kind: "kinds" maps the file's kind numbers to names, so
 * a kind is known by name, and an event of a kind this conviz does not
 * know is refused). Keys a reader does not know are ignored.
 *
 * Errors are one line "what went wrong: what to do" (no "conviz: ": the
 * caller prints it with msg_print) that names the file, and then the
 * run ("run 2", from 1) and the event ("event 17", from 1) where it went
 * wrong: "t.json: run 1, event 17: its lane 70000 is out of range
 * (0..65535): replay reads traces written by conviz --trace". Out of
 * memory while parsing is an error; in the recordings, fatal (msg_fatal).
 *
 * Threads: any; the recordings then belong to the caller's thread (as
 * recording.h says).
 */
#ifndef CONVIZ_REPLAY_H
#define CONVIZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

struct recording;

/* The largest trace read: a 15,000-task run's is about a megabyte. */
#define REPLAY_FILE_MAX ((size_t)256 << 20)

/* Times a trace may give, in ns: origin_ns (CLOCK_MONOTONIC) from 0 to
 * REPLAY_ORIGIN_MAX (146 years), an event's time and end_ns within
 * REPLAY_T_MAX (52 days) of it. No run lasts that long, and the code that
 * draws a run may scale its times (the timeline's mixed cells take 100
 * times a share): a file must not make it overflow. */
#define REPLAY_ORIGIN_MAX (INT64_C(1) << 62)
#define REPLAY_T_MAX (INT64_C(1) << 52)

/* Reads the trace at path: 0 with *n >= 1 recordings in *recs (in the
 * file's order; free them with replay_free), or -1 with the message in
 * err, *recs NULL and *n 0. Refuses what is not a regular file or a
 * stream (a directory), a file over REPLAY_FILE_MAX, an empty one, one
 * that is not JSON (jansson's line and column in the message), JSON
 * without a "conviz" section (another program's trace), a version other
 * than EXPORT_TRACE_VERSION, and any field as the file comment says. */
int replay_load(const char *path, struct recording ***recs, int *n, char *err,
		size_t errlen);

/* The same for the `len` bytes at text (need not be NUL-terminated),
 * `name` standing for the file in messages (NULL: "the trace"). */
int replay_parse(const char *text, size_t len, const char *name,
		 struct recording ***recs, int *n, char *err, size_t errlen);

/* Frees recs[0..n) and recs. NULL is fine. */
void replay_free(struct recording **recs, int n);

#endif
