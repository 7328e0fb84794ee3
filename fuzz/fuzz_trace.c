/* fuzz_trace.c - libFuzzer target: replay_parse on arbitrary bytes, and
 * what the program then does with the runs it accepts.
 *
 * `conviz replay FILE` reads whatever file it is given, so whatever the
 * bytes, the reader must either give recordings that keep every promise
 * of replay.h (each field in range, each event of a known kind on a lane
 * and task that exist) and that the program can use - every timeline
 * query the screens ask, the race lab's books at any moment, the summary
 * line, and a trace written again that reads back into the very same
 * file - or fail with one clean line naming the file, having freed all
 * it made. Memory errors and leaks are the sanitizers' job; broken
 * promises abort() here so libFuzzer keeps the input. Built and run by
 * fuzz/run.sh.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/export.h"
#include "app/recording.h"
#include "app/replay.h"
#include "app/report.h"
#include "app/run.h"
#include "core/ev.h"
#include "core/ledger.h"
#include "core/timeline.h"
#include "models/model.h"

#define FUZZ_FILE "fuzz.json"
#define FUZZ_ERRLEN 512
#define FUZZ_SHORT_ERRLEN 7
#define FUZZ_CANARY 0xa5
/* Lanes whose every query is asked (each view); a lane past these is
 * only counted: an event on lane 65535 makes 65536 of them. */
#define FUZZ_LANES 64
/* The trace is written again only when it stays small. */
#define FUZZ_REWRITE_LANES 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tag (kebab-case) names the promise; fuzz/run.sh puts it in the name
 * of the regression file. */
static void promise(int kept, const char *tag)
{
	if (kept)
		return;
	fprintf(stderr, "fuzz_trace: broken promise: %s\n", tag);
	abort();
}

static int terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* err after a failure: terminated inside errlen, nothing written past
 * it, one line of printable ASCII, naming the file first. */
static void check_error(const char *err, size_t size, size_t errlen)
{
	for (size_t i = errlen; i < size; i++)
		promise((unsigned char)err[i] == FUZZ_CANARY, "err-overrun");
	promise(terminated(err, errlen), "err-unterminated");
	for (const char *p = err; *p; p++)
		promise((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
			"err-not-printable");
	promise(strncmp(err, FUZZ_FILE,
			strlen(err) < sizeof FUZZ_FILE - 1
				? strlen(err)
				: sizeof FUZZ_FILE - 1) == 0,
		"err-no-file");
}

/* What replay.h promises of a run it gives. */
static void check_run(const struct recording *rec)
{
	const struct run_config *c = &rec->cfg;

	promise(rec->ntasks >= 1 && rec->ntasks <= 1000000 &&
			(long)rec->ntasks == c->sc.tasks,
		"tasks");
	promise((unsigned)c->model < MODEL_COUNT, "model");
	promise(c->workers >= 1 && c->workers <= RUN_WORKERS_MAX, "workers");
	promise(c->scale > 0, "scale");
	promise(c->urls == NULL, "urls");
	promise(c->view == TIMELINE_BY_WORKER || c->view == TIMELINE_BY_TASK,
		"view");
	promise(terminated(c->sc.name, sizeof c->sc.name) &&
			terminated(c->sc.title, sizeof c->sc.title),
		"names");
	promise(rec->origin_ns >= 0 && rec->origin_ns <= REPLAY_ORIGIN_MAX,
		"origin");
	promise(timeline_events(rec->tl) == rec->nev, "every-event-kept");
	for (size_t i = 0; i < rec->nev; i++) {
		const struct ev *e = &rec->ev[i];
		promise(e->kind < EV_KIND_COUNT, "event-kind");
		promise(e->task == EV_NO_TASK || e->task < rec->ntasks,
			"event-task");
		promise(e->ts_ns - rec->origin_ns >= -REPLAY_T_MAX &&
				e->ts_ns - rec->origin_ns <= REPLAY_T_MAX,
			"event-time");
	}
	promise(rec->has_ledger == 0 || rec->ledger0.nvars > 0 ||
			rec->ledger0.nlocks > 0,
		"has-ledger");
}

/* The queries the screens and exports ask of a lane. */
static void query_lane(const struct recording *rec, int lane, int64_t now)
{
	int64_t sh[EV_STATE_COUNT], sum = 0;
	struct timeline_seg sg;
	struct timeline_marker m[4];

	timeline_shares(rec->tl, lane, 0, now, now, sh);
	for (int k = 0; k < EV_STATE_COUNT; k++) {
		promise(sh[k] >= 0, "shares-negative");
		sum += sh[k];
	}
	promise(sum == 0 || sum == now, "shares-sum");
	timeline_cell(rec->tl, lane, now / 4, now / 2, now, lane);
	timeline_cell_boundary(rec->tl, lane, 0, now, now, 1);
	timeline_seg_at(rec->tl, lane, now / 3, now, &sg);
	for (size_t i = 0;
	     i < 4 && timeline_seg_nth(rec->tl, lane, i, now, &sg) == 0; i++)
		promise(sg.start <= sg.end, "segment-order");
	timeline_marker_list(rec->tl, lane, EV_WRITE, 0, now + 1, m, 4);
	timeline_lane_task_list(rec->tl, lane, now, NULL, 0);
}

/* Every lane query in both views, the walk from event to event, the
 * books at moments, the summary. */
static void use_run(struct recording *rec)
{
	int64_t now = recording_now(rec);
	struct ledger lg = { 0 };
	char line[1024];

	promise(now >= 0, "now-negative");
	for (int v = 0; v < TIMELINE_VIEW_COUNT; v++) {
		timeline_set_view(rec->tl, (enum timeline_view)v);
		for (int l = 0; l < timeline_lanes(rec->tl) && l < FUZZ_LANES;
		     l++)
			query_lane(rec, l, now);
		timeline_next_event(rec->tl, -1);
		timeline_prev_event(rec->tl, now + 1);
	}
	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
	for (int i = 0; i <= 2; i++)
		if (recording_ledger_at(rec, now * i / 2, &lg) == 0)
			run_ledger_cycle(&lg, &rec->st);
	ledger_free(&lg);
	report_summary(line, sizeof line, &rec->cfg, &rec->st);
	report_invariant(line, sizeof line, &rec->cfg, &rec->st);
}

static int small(struct recording *const *recs, int n)
{
	for (int i = 0; i < n; i++) {
		if (timeline_lanes(recs[i]->tl) > FUZZ_REWRITE_LANES)
			return 0;
		timeline_set_view(recs[i]->tl, TIMELINE_BY_TASK);
		int lanes = timeline_lanes(recs[i]->tl);
		timeline_set_view(recs[i]->tl, TIMELINE_BY_WORKER);
		if (lanes > FUZZ_REWRITE_LANES)
			return 0;
	}
	return 1;
}

/* The whole of the file at path, or NULL; its size in *len. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	if (n >= 0) {
		rewind(f);
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Writes the runs as a trace: its text (to free), or NULL. */
static char *written(struct recording *const *recs, int n, const char *path)
{
	char err[FUZZ_ERRLEN];
	size_t len;
	char *text;

	promise(export_trace((const struct recording *const *)recs, n, path,
			     err, sizeof err) == 0,
		"rewrite-fails");
	text = slurp(path, &len);
	promise(text != NULL, "rewrite-unreadable");
	text[len] = '\0';
	return text;
}

/* The runs written again read back, and written again once more, make
 * the same file: nothing accepted is lost or changed on the way. */
static void check_rewrite(struct recording *const *recs, int n)
{
	static char dir[] = "/tmp/conviz-fuzz-trace.XXXXXX";
	static int made;
	char path[sizeof dir + 16], err[FUZZ_ERRLEN];
	struct recording **again;
	char *a, *b;
	int n2;

	if (!made) {
		promise(mkdtemp(dir) != NULL, "mkdtemp");
		made = 1;
	}
	snprintf(path, sizeof path, "%s/t.json", dir);
	a = written(recs, n, path);
	promise(replay_parse(a, strlen(a), FUZZ_FILE, &again, &n2, err,
			     sizeof err) == 0,
		"rewrite-refused");
	promise(n2 == n, "rewrite-runs");
	b = written(again, n2, path);
	promise(strcmp(a, b) == 0, "rewrite-differs");
	replay_free(again, n2);
	free(a);
	free(b);
	unlink(path);
}

/* The same bytes with a short err: the same answer, err cut, not
 * overrun. */
static void check_short_err(const uint8_t *data, size_t size)
{
	char err[FUZZ_SHORT_ERRLEN * 2];
	struct recording **recs;
	int n;

	memset(err, FUZZ_CANARY, sizeof err);
	promise(replay_parse((const char *)data, size, FUZZ_FILE, &recs, &n,
			     err, FUZZ_SHORT_ERRLEN) == -1,
		"not-deterministic");
	promise(recs == NULL && n == 0, "error-runs-left");
	check_error(err, sizeof err, FUZZ_SHORT_ERRLEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[FUZZ_ERRLEN + 64];
	struct recording **recs;
	int n, rc;

	memset(err, FUZZ_CANARY, sizeof err);
	rc = replay_parse((const char *)data, size, FUZZ_FILE, &recs, &n, err,
			  FUZZ_ERRLEN);
	promise(rc == 0 || rc == -1, "return-value");
	if (rc < 0) {
		promise(recs == NULL && n == 0, "error-runs-left");
		check_error(err, sizeof err, FUZZ_ERRLEN);
		check_short_err(data, size);
		return 0;
	}
	promise(recs != NULL && n >= 1 && n <= 1024, "runs");
	for (int i = 0; i < n; i++) {
		check_run(recs[i]);
		use_run(recs[i]);
	}
	if (small(recs, n))
		check_rewrite(recs, n);
	replay_free(recs, n);
	return 0;
}
