/* report.c - the headless report: an ASCII timing diagram and the one
 * `summary:` line that scripts and tests read. */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/report.h"
#include "app/export.h"
#include "app/recording.h"
#include "app/run.h"
#include "core/ev.h"
#include "core/evring.h"
#include "core/msg.h"
#include "core/timeline.h"
#include "core/urllist.h"
#include "models/model.h"
#include "models/procs.h"
#include "work/work.h"

#define DIAGRAM_LANES_MAX 64
#define AXIS_LABEL_COLUMNS 10 /* about one time label every this many */
#define HEADLESS_WIDTH 72
#define HEADLESS_RING 262144 /* as the TUI's: a race scenario's markers */
#define HEADLESS_POLL_MS 50

/* Where a task starts right after another on a lane (32 requests back to
 * back on one thread would otherwise read as one long bar). */
#define REPORT_BOUNDARY '|'

#define MARKER_BIT(kind) (1u << ((kind)-EV_STATE_COUNT))

/* Start of column c when [0, end) is cut into `width` columns; written so
 * that end * c cannot overflow on long runs. */
static int64_t column_time(int64_t end, int width, int c)
{
	return end / width * c + end % width * c / width;
}

static char cell_char(const struct timeline *tl, int lane, int64_t end,
		      int width, int c)
{
	int64_t t0 = column_time(end, width, c);
	int64_t t1 = column_time(end, width, c + 1);
	/* The last column also owns the instant `end`: a task that fails as
	 * the very last thing of a run still shows its mark. */
	int64_t mark_t1 = c == width - 1 ? t1 + 1 : t1;
	unsigned marks = timeline_markers(tl, lane, t0, mark_t1);

	/* Markers outrank states: they are instants a column would otherwise
	 * swallow. A failed task outranks a lost update, as it also changes
	 * the run's counts. */
	if (marks & MARKER_BIT(EV_ERROR))
		return '!';
	if (marks & MARKER_BIT(EV_LOST_UPDATE))
		return 'X';
	if (t1 > t0 && timeline_cell_boundary(tl, lane, t0, t1, end, c + lane))
		return REPORT_BOUNDARY;
	enum ev_kind k =
		t1 > t0 ? timeline_cell(tl, lane, t0, t1, end, c + lane)
			: timeline_state_at(tl, lane, t0);
	return ev_state_glyph(k, 0)[0];
}

static int decimal_digits(int n)
{
	int d = 1;
	for (; n >= 10; n /= 10)
		d++;
	return d;
}

/* The letter of a lane's label: w0 (a worker) or t0 (a task). */
static char lane_letter(const struct timeline *tl)
{
	return timeline_get_view(tl) == TIMELINE_BY_TASK ? 't' : 'w';
}

static void diagram_row(FILE *to, const struct timeline *tl, int lane,
			int64_t end, int width, int digits)
{
	fprintf(to, "%c%-*d |", lane_letter(tl), digits, lane);
	for (int c = 0; c < width; c++)
		fputc(cell_char(tl, lane, end, width, c), to);
	fputs("|\n", to);
}

/* The column whose time slice holds t (width for t == end), exactly as
 * column_time cuts them: the estimate in floating point is only a start. */
static int time_column(int64_t t, int64_t end, int width)
{
	if (end <= 0)
		return 0;
	int c = (int)((double)t * width / (double)end);
	if (c > width)
		c = width;
	while (c < width && column_time(end, width, c + 1) <= t)
		c++;
	while (c > 0 && column_time(end, width, c) > t)
		c--;
	return c;
}

/* The tick spacing: the smallest 1, 2 or 5 times a power of ten (in ns)
 * that leaves about AXIS_LABEL_COLUMNS columns per label. */
static int64_t axis_step(int64_t end, int width)
{
	static const int64_t mult[] = { 1, 2, 5 };
	int64_t ticks = width / AXIS_LABEL_COLUMNS;
	if (ticks < 1)
		ticks = 1;
	int64_t want = end / ticks + (end % ticks != 0);

	for (int64_t mag = 1; mag <= INT64_MAX / 10; mag *= 10) {
		for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
			if (mult[i] * mag >= want)
				return mult[i] * mag;
		}
	}
	return end;
}

/* "1.5s", "0s", "10s": as many decimals as the step needs, trailing zeros
 * trimmed so whole seconds read as such. Returns the label's length. */
static int axis_label(char *buf, size_t len, int64_t t, int64_t step)
{
	int decimals = 0;
	for (int64_t s = 1000000000; s > step && decimals < 9; s /= 10)
		decimals++;
	int n = snprintf(buf, len, "%.*f", decimals, (double)t / 1e9);
	if (n < 0 || (size_t)n + 2 > len) {
		buf[0] = '\0';
		return 0;
	}
	if (strchr(buf, '.') != NULL) {
		while (buf[n - 1] == '0')
			buf[--n] = '\0';
		if (buf[n - 1] == '.')
			buf[--n] = '\0';
	}
	buf[n++] = 's';
	buf[n] = '\0';
	return n;
}

/* Labels start under the column holding their time; one that would touch
 * the previous label is left out. */
static void diagram_axis(FILE *to, int64_t end, int width, int indent)
{
	int64_t step = axis_step(end, width);
	int64_t ticks = step > 0 ? end / step : 0;
	int col = 0;	   /* cell column the next character goes to */
	int next_free = 0; /* first column a label may start at */

	fprintf(to, "%*s", indent, "");
	for (int64_t k = 0; k <= ticks; k++) {
		char label[32];
		int64_t t = k * step;
		int c = time_column(t, end, width);
		if (c < next_free)
			continue;
		int n = axis_label(label, sizeof label, t, step);
		fprintf(to, "%*s%s", c - col, "", label);
		col = c + n;
		next_free = col + 1;
	}
	fputc('\n', to);
}

static void diagram_legend(FILE *to)
{
	static const enum ev_kind shown[] = { EV_CPU,	   EV_READY,
					      EV_IO,	   EV_LOCK_WAIT,
					      EV_GIL_WAIT, EV_STALL,
					      EV_STARTUP };

	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
		fprintf(to, "%s%s %s", i > 0 ? "  " : "",
			ev_state_glyph(shown[i], 0), ev_kind_name(shown[i]));
	fprintf(to, "  ! %s  X %s  %c new task\n", ev_kind_name(EV_ERROR),
		ev_kind_name(EV_LOST_UPDATE), REPORT_BOUNDARY);
}

void report_diagram(FILE *to, const struct timeline *tl, int64_t end, int width)
{
	int lanes = timeline_lanes(tl);
	int shown = lanes < DIAGRAM_LANES_MAX ? lanes : DIAGRAM_LANES_MAX;
	int digits = decimal_digits(shown > 0 ? shown - 1 : 0);

	if (width < 1)
		width = 1;
	if (end < 0)
		end = 0;
	for (int lane = 0; lane < shown; lane++)
		diagram_row(to, tl, lane, end, width, digits);
	/* "w" + digits + " |" sit before the first cell. */
	diagram_axis(to, end, width, digits + 3);
	if (lanes > shown)
		fprintf(to, "(%d more lanes not shown)\n", lanes - shown);
	diagram_legend(to);
}

void report_summary(char *buf, size_t len, const struct run_config *cfg,
		    const struct run_stats *st)
{
	const char *model = "?";

	if (len == 0)
		return;
	if ((unsigned)cfg->model < MODEL_COUNT)
		model = model_get(cfg->model)->name;
	/* DESIGN.md's fields first, in its order; what came later after. */
	snprintf(buf, len,
		 "summary: scenario=%s model=%s workers=%d gil=%s "
		 "tasks=%" PRIu32 " ok=%" PRIu32 " failed=%" PRIu32
		 " wall_s=%.3f cpu_s=%.3f events=%" PRIu64 " dropped=%" PRIu64
		 " stalls=%" PRIu64 " stall_s=%.3f ready_s=%.3f wrong=%" PRIu32,
		 cfg->sc.name, model, cfg->workers, cfg->gil ? "on" : "off",
		 st->tasks, st->ok, st->failed, st->wall_s, st->cpu_s,
		 st->events, st->dropped, st->stalls, st->stall_s, st->ready_s,
		 st->wrong);
	if (st->race) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n,
			 " expected_sum=%" PRId64 " final_sum=%" PRId64
			 " lost_updates=%" PRIu64 " lost_amount=%" PRId64,
			 st->expected_sum, st->final_sum, st->lost_updates,
			 st->lost_amount);
	}
	if (st->locks > 0) {
		size_t n = strlen(buf);
		snprintf(
			buf + n, len - n,
			" lock_wait_s=%.3f lock_hold_s=%.3f lock_waits=%" PRIu64
			" deadlock=%d",
			st->lock_wait_s, st->lock_hold_s, st->lock_waits,
			st->deadlock);
	}
}

void report_invariant(char *buf, size_t len, const struct run_config *cfg,
		      const struct run_stats *st)
{
	int64_t off = st->final_sum - st->expected_sum;

	if (len > 0)
		buf[0] = '\0';
	if (!st->race)
		return;
	if (model_get(cfg->model)->processes)
		msg_fmt(buf, len,
			"invariant: sum = %" PRId64
			" here, as at the start: each "
			"worker process changed its own copy (processes share "
			"no memory)",
			st->final_sum);
	else if (off == 0 && st->lost_updates == 0)
		msg_fmt(buf, len,
			"invariant: sum = %" PRId64
			", as it must be; no update "
			"lost",
			st->final_sum);
	else if (off == 0)
		msg_fmt(buf, len,
			"invariant: sum = %" PRId64 ", right only by chance: "
			"%" PRIu64 " updates lost, and they cancel out",
			st->final_sum, st->lost_updates);
	else
		msg_fmt(buf, len,
			"invariant: BROKEN: sum = %" PRId64 ", must be %" PRId64
			" (%+" PRId64 "): %" PRIu64 " updates lost, %" PRId64
			" in all",
			st->final_sum, st->expected_sum, off, st->lost_updates,
			st->lost_amount);
}

void report_wrong(char *buf, size_t len, const struct run_config *cfg,
		  const struct run_stats *st)
{
	msg_fmt(buf, len,
		"task %" PRId64 " of '%s' gave %s, but the right answer is %s "
		"(%" PRIu32 " wrong in all): conviz itself is broken; "
		"please report it with this command line",
		st->first_wrong, cfg->sc.name, st->wrong_got, st->wrong_want,
		st->wrong);
}

/* The calling thread is the ring's only consumer until the model returns.
 * The flag is read before draining: every event pushed before the model
 * returned is then already in the ring and is drained in the same turn.
 * Returns the events consumed. */
static uint64_t collect(struct run *r, struct evring *ring,
			struct recording *rec)
{
	uint64_t got = 0;

	for (;;) {
		int finished = run_finished(r);
		if (!finished)
			evring_wait(ring, HEADLESS_POLL_MS);
		got += recording_drain(rec, ring, SIZE_MAX, NULL, NULL);
		if (finished)
			return got;
	}
}

/* Headless output goes to logs, pipes and CI pages: keep it ASCII. Each
 * multi-byte UTF-8 character becomes one '?', control bytes a space. */
static void ascii_copy(char *dst, size_t len, const char *src)
{
	size_t j = 0;

	for (const unsigned char *p = (const unsigned char *)src;
	     *p != '\0' && j + 1 < len; p++) {
		if (*p >= 0x80 && *p < 0xc0)
			continue; /* continuation byte */
		if (*p >= 0xc0)
			dst[j++] = '?';
		else if (*p < 0x20 || *p == 0x7f)
			dst[j++] = ' ';
		else
			dst[j++] = (char)*p;
	}
	dst[j] = '\0';
}

#define GROUPS_MAX 6

struct groups {
	size_t count;
	char text[GROUPS_MAX][WORK_TEXT_MAX + 32];
	uint32_t n[GROUPS_MAX];
};

/* Adds one answer to the groups; 0, or -1 when there are too many. */
static int group_add(struct groups *g, const char *text)
{
	for (size_t i = 0; i < g->count; i++) {
		if (strcmp(g->text[i], text) == 0) {
			g->n[i]++;
			return 0;
		}
	}
	if (g->count == GROUPS_MAX)
		return -1;
	msg_fmt(g->text[g->count], sizeof g->text[0], "%s", text);
	g->n[g->count++] = 1;
	return 0;
}

/* Writes task t's answer into buf if it belongs to the list asked for
 * (failed: why it failed), from a run or from a recording; else -1. */
typedef int (*task_text_fn)(const void *src, uint32_t t, int failed, char *buf,
			    size_t len);

static int run_task_text(const void *src, uint32_t t, int failed, char *buf,
			 size_t len)
{
	const struct run *r = src;
	const struct task_result *res = run_result(r, t);

	if (res->status != (failed ? TASK_FAILED : TASK_OK))
		return -1;
	if (failed)
		msg_fmt(buf, len, "%s", res->text);
	else
		work_format(&run_config(r)->sc, t, res, buf, len);
	return 0;
}

static int rec_task_text(const void *src, uint32_t t, int failed, char *buf,
			 size_t len)
{
	const struct recording *rec = src;
	const char *text = recording_result(rec, t);

	if (recording_status(rec, t) != (failed ? TASK_FAILED : TASK_OK))
		return -1;
	msg_fmt(buf, len, "%s", text ? text : "");
	return 0;
}

/* Where the answers come from: a run or a recording, and how many. */
struct answers {
	task_text_fn text;
	const void *src;
	uint32_t tasks;
};

/* The answers in task order, cut when buf is nearly full. */
static size_t results_list(char *buf, size_t len, const struct answers *a,
			   int failed)
{
	uint32_t shown = 0, all = 0;
	size_t o = 0;
	char one[WORK_TEXT_MAX + 32];

	buf[0] = '\0';
	for (uint32_t t = 0; t < a->tasks; t++) {
		if (a->text(a->src, t, failed, one, sizeof one) < 0)
			continue;
		all++;
		/* Keep room for ", ... (4294967295 more)"; once one answer
		 * is left out, so are all after it (the list stays in order). */
		if (all > shown + 1 || o + strlen(one) + 2 + 24 >= len)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s",
				      shown ? ", " : "", one);
		shown++;
	}
	if (all > shown)
		snprintf(buf + o, len - o, ", ... (%" PRIu32 " more)",
			 all - shown);
	return all;
}

static size_t results_of(char *buf, size_t len, const struct answers *a,
			 int failed)
{
	uint32_t all = 0;
	struct groups g = { 0 };
	char one[WORK_TEXT_MAX + 32];
	size_t o = 0;

	if (len == 0)
		return 0;
	for (uint32_t t = 0; t < a->tasks; t++) {
		if (a->text(a->src, t, failed, one, sizeof one) < 0)
			continue;
		all++;
		if (group_add(&g, one) < 0)
			return results_list(buf, len, a, failed);
	}
	/* No answer repeats (pokedex names): "1 x" each would only hide
	 * them, list them. */
	if (all > 1 && g.count == all)
		return results_list(buf, len, a, failed);
	buf[0] = '\0';
	for (size_t i = 0; i < g.count && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%" PRIu32 " x %s",
				      i ? ", " : "", g.n[i], g.text[i]);
	return all;
}

size_t report_results(char *buf, size_t len, const struct run *r, int failed)
{
	struct answers a = { run_task_text, r,
			     (uint32_t)run_config(r)->sc.tasks };

	return results_of(buf, len, &a, failed);
}

size_t report_results_rec(char *buf, size_t len, const struct recording *rec,
			  int failed)
{
	struct answers a = { rec_task_text, rec, rec->ntasks };

	return results_of(buf, len, &a, failed);
}

void report_title(const struct run_config *cfg, char *buf, size_t len)
{
	const struct work_ops *w = work_find(cfg->sc.workload);
	size_t n = cfg->urls ? cfg->urls->count : cfg->urls_count;

	if (n == 0 || !cfg->urls_from || !w || !w->io) {
		work_title(&cfg->sc, cfg->scale, buf, len);
		return;
	}
	msg_fmt(buf, len, "%ld GETs of the %zu URL%s in %s (I/O-bound)",
		cfg->sc.tasks, n, n == 1 ? "" : "s", cfg->urls_from);
}

/* The embedded server's address (NULL: none, or a replay), then the
 * answers and why tasks failed, as the recording kept them. */
static void print_results(FILE *out, const char *server,
			  const struct recording *rec)
{
	char text[480], ascii[480];

	if (server)
		fprintf(out, "server: %s (embedded, offline)\n", server);
	if (report_results_rec(text, sizeof text, rec, 0) > 0) {
		ascii_copy(ascii, sizeof ascii, text);
		fprintf(out, "results: %s\n", ascii);
	}
	if (report_results_rec(text, sizeof text, rec, 1) > 0) {
		ascii_copy(ascii, sizeof ascii, text);
		fprintf(out, "errors: %s\n", ascii);
	}
}

/* The report of a run that ended: the line that says what ran, the
 * diagram, the answers, the race lab's invariant, a deadlock, and the
 * summary: line. `server` is the embedded server's address while it
 * served (NULL: none, or a replay). */
static void print_report(FILE *out, const struct run_config *cfg,
			 const char *server, const struct recording *rec,
			 int64_t end, const struct run_stats *st)
{
	const struct timeline *tl = rec->tl;
	char work[WORK_TITLE_MAX], title[WORK_TITLE_MAX];
	char line[512];
	const char *model = "?";

	if ((unsigned)cfg->model < MODEL_COUNT)
		model = model_get(cfg->model)->name;
	/* What the run really does: the scale may have changed the work. */
	report_title(cfg, work, sizeof work);
	ascii_copy(title, sizeof title, work);
	fprintf(out, "conviz: %s | model=%s workers=%d gil=%s view=%s", title,
		model, cfg->workers, cfg->gil ? "on" : "off",
		timeline_get_view(tl) == TIMELINE_BY_TASK ? "task" : "worker");
	if (model_get(cfg->model)->processes)
		fprintf(out, " start=%s chunk=%d", procs_start_name(cfg->start),
			cfg->chunk > 0 ? cfg->chunk : 1);
	fputc('\n', out);
	report_diagram(out, tl, end, HEADLESS_WIDTH);
	print_results(out, server, rec);
	report_invariant(line, sizeof line, cfg, st);
	if (line[0])
		fprintf(out, "%s\n", line);
	if (st->deadlock)
		fprintf(out, "deadlock: %s: found and stopped\n", st->cycle);
	report_summary(line, sizeof line, cfg, st);
	fprintf(out, "%s\n", line);
}

int report_run(const struct run_config *cfg, struct report_run *rr, char *err,
	       size_t errlen)
{
	uint64_t consumed;
	int64_t origin;

	memset(rr, 0, sizeof *rr);
	rr->ring = run_ring_new(cfg, HEADLESS_RING);
	if (rr->ring == NULL)
		msg_fatal("out of memory for the event ring",
			  "close other programs and try again");
	rr->run = run_start(cfg, rr->ring, err, errlen);
	if (rr->run == NULL) {
		evring_free(rr->ring);
		rr->ring = NULL;
		return -1;
	}
	origin = run_origin_ns(rr->run);
	rr->rec = recording_new(rr->run);
	rr->tl = rr->rec->tl;
	consumed = collect(rr->run, rr->ring, rr->rec);
	rr->rc = run_wait(rr->run, &rr->st);
	/* pushed while the run wound up */
	consumed += recording_drain(rr->rec, rr->ring, SIZE_MAX, NULL, NULL);
	/* Measured, not assumed: what producers pushed and the diagram did
	 * not get. */
	rr->st.dropped = rr->st.events - consumed;
	rr->shown = *cfg;
	rr->shown.workers = run_workers(rr->run);
	rr->end = timeline_end(rr->tl);
	timeline_set_view(rr->tl, (enum timeline_view)run_config_view(cfg));
	if (rr->st.end_ns > origin && rr->st.end_ns - origin > rr->end)
		rr->end = rr->st.end_ns - origin;
	recording_end(rr->rec, rr->run, &rr->st);
	return 0;
}

void report_run_free(struct report_run *rr)
{
	run_free(rr->run);
	recording_free(rr->rec);
	evring_free(rr->ring);
	memset(rr, 0, sizeof *rr);
}

int report_flushed(FILE *out)
{
	/* A report nobody can read is a run that did not complete: a full
	 * disk or a closed stdout must not pass for success. A reader that
	 * went away (`| head -1`) gets 1 too, but no message. */
	if (fflush(out) == 0 && !ferror(out))
		return 0;
	if (!msg_reader_gone(out))
		msg_error("cannot write the report to standard output",
			  "check the disk space or where stdout goes");
	return -1;
}

/* The directory a path's file goes in ("." for a bare name). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		msg_fmt(dir, len, ".");
	else if (slash == path)
		msg_fmt(dir, len, "/");
	else
		msg_fmt(dir, len, "%.*s", (int)(slash - path), path);
}

/* Can `path` (given to --`opt`) be written? 0, or -1 with why in err. */
static int export_path_check(const char *opt, const char *path, char *err,
			     size_t errlen)
{
	struct msg_quote q;
	struct stat st;
	char dir[PATH_MAX];

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		msg_fmt(err, errlen,
			"--%s %s is a directory: give a file name in it", opt,
			msg_quote(path, &q));
		return -1;
	}
	dir_of(path, dir, sizeof dir);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    access(dir, W_OK | X_OK) != 0) {
		msg_fmt(err, errlen,
			"cannot write --%s %s: its directory %s is missing or "
			"not writable: check the path",
			opt, msg_quote(path, &q), dir);
		return -1;
	}
	return 0;
}

int report_exports_check(const struct report_exports *x, char *err,
			 size_t errlen)
{
	const char *path[] = { x->trace, x->svg, x->csv };
	static const char *const opt[] = { "trace", "svg", "csv" };

	for (int i = 0; i < 3; i++) {
		if (!path[i])
			continue;
		if (export_path_check(opt[i], path[i], err, errlen) < 0)
			return -1;
		for (int j = 0; j < i; j++) {
			if (path[j] && strcmp(path[i], path[j]) == 0) {
				msg_fmt(err, errlen,
					"--%s and --%s name the same file: "
					"give each its own",
					opt[j], opt[i]);
				return -1;
			}
		}
	}
	return 0;
}

int report_exports_to(const struct recording *const *recs, int n,
		      const struct report_exports *x, char *err, size_t errlen)
{
	int (*const fn[])(const struct recording *const *, int, const char *,
			  char *,
			  size_t) = { export_trace, export_svg, export_csv };
	const char *path[] = { x->trace, x->svg, x->csv };
	char why[PATH_MAX + 256];
	int rc = 0;

	for (int i = 0; i < 3; i++) {
		if (!path[i] || fn[i](recs, n, path[i], why, sizeof why) == 0)
			continue;
		if (!err) {
			msg_print(why);
			rc = -1;
			continue;
		}
		msg_fmt(err, errlen, "%s", why);
		return -1;
	}
	return rc;
}

int report_exports_write(const struct recording *const *recs, int n,
			 const struct report_exports *x)
{
	return report_exports_to(recs, n, x, NULL, 0);
}

int report_replay(struct recording *const *recs, int n, FILE *out,
		  const struct report_exports *x)
{
	int done = 1;

	for (int i = 0; i < n; i++) {
		const struct recording *rec = recs[i];
		timeline_set_view(rec->tl, (enum timeline_view)run_config_view(
						   &rec->cfg));
		print_report(out, &rec->cfg, NULL, rec, recording_now(rec),
			     &rec->st);
		if (rec->st.wrong > 0) {
			char line[512];
			report_wrong(line, sizeof line, &rec->cfg, &rec->st);
			msg_print(line);
		}
		done = done && rec->ended && rec->st.status == 0;
	}
	if (x && report_exports_write((const struct recording *const *)recs, n,
				      x) < 0)
		done = 0;
	if (report_flushed(out) < 0)
		return 1;
	return done ? 0 : 1;
}

int report_headless(const struct run_config *cfg, FILE *out,
		    const struct report_exports *x)
{
	char err[256] = "";
	struct report_run rr;
	int done, wrote = 0;

	if (report_run(cfg, &rr, err, sizeof err) < 0) {
		msg_print(err);
		return 1;
	}
	if (x) {
		const struct recording *rec = rr.rec;
		wrote = report_exports_write(&rec, 1, x);
	}
	print_report(out, &rr.shown, run_server_url(rr.run), rr.rec, rr.end,
		     &rr.st);
	if (rr.st.wrong > 0) {
		char line[512];
		report_wrong(line, sizeof line, &rr.shown, &rr.st);
		msg_print(line);
	}
	done = rr.rc == 0 && rr.st.status == 0 && wrote == 0;
	report_run_free(&rr);
	if (report_flushed(out) < 0)
		return 1;
	return done ? 0 : 1;
}
