/* check_export.c - recorded runs written out (app/export.h): real runs
 * recorded as the TUI records them, exported as a Chrome trace, an SVG
 * diagram and a CSV table, and read back. The trace must be JSON (checked
 * by a small validator of our own, apart from replay's jansson) whose
 * events add up, lane by lane, to what the timeline says; the CSV too;
 * the SVG well formed enough for slides. Then bad paths, files replaced
 * whole or not at all, and what a 15,000-task run costs. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_suites.h"
#include "app/export.h"
#include "app/recording.h"
#include "app/run.h"
#include "app/scenario.h"
#include "core/evring.h"
#include "core/timeline.h"

#define MAX_LANES 64

/* ---- Recording real runs, and files ------------------------------------ */

/* A fresh directory for a test's files. */
static void make_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/conviz-export.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Every name in dir but . and .., as one string "a b c " (sorted by
 * nothing: tests only look for names in it). */
static void dir_names(const char *dir, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	out[0] = '\0';
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n += (size_t)snprintf(out + n, len - n, "%s ", de->d_name);
		ck_assert_uint_lt(n, len);
	}
	closedir(d);
}

/* Removes dir and the files in it. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	ck_assert_int_eq(rmdir(dir), 0);
}

char *check_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static size_t count_str(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/* ---- A JSON validator, strict, for the tests only ---------------------- */

struct js {
	const unsigned char *p, *end;
};

static int js_value(struct js *j, int depth);

static void js_ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
				 *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

/* Is s (n bytes left) the start of a well-formed UTF-8 character? Its
 * length, or 0. */
static size_t js_utf8(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80   ? 1
		     : s[0] < 0xc2 ? 0
		     : s[0] < 0xe0 ? 2
		     : s[0] < 0xf0 ? 3
		     : s[0] < 0xf5 ? 4
				   : 0;

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* One escape after its backslash: \" \\ \/ \b \f \n \r \t \uXXXX. */
static int js_escape(struct js *j)
{
	if (j->p >= j->end)
		return -1;
	if (strchr("\"\\/bfnrt", *j->p) != NULL && *j->p != '\0') {
		j->p++;
		return 0;
	}
	if (*j->p != 'u' || j->end - j->p < 5)
		return -1;
	for (int i = 1; i <= 4; i++)
		if (strchr("0123456789abcdefABCDEF", j->p[i]) == NULL ||
		    j->p[i] == '\0')
			return -1;
	j->p += 5;
	return 0;
}

static int js_string(struct js *j)
{
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		size_t len = js_utf8(j->p, (size_t)(j->end - j->p));
		if (*j->p < 0x20 || len == 0)
			return -1; /* a raw control byte, or no UTF-8 */
		if (*j->p == '\\') {
			j->p++;
			if (js_escape(j) != 0)
				return -1;
			continue;
		}
		j->p += len;
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	return 0;
}

static int js_digits(struct js *j)
{
	const unsigned char *from = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > from ? 0 : -1;
}

/* A number's fraction and exponent, each when there is one. */
static int js_number_tail(struct js *j)
{
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (js_digits(j) != 0)
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (js_digits(j) != 0)
			return -1;
	}
	return 0;
}

static int js_number(struct js *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (js_digits(j) != 0)
		return -1;
	return js_number_tail(j);
}

/* The members of an object or the elements of an array, after its
 * opening bracket, up to and with its closing one. */
static int js_members(struct js *j, int depth, int object)
{
	char close = object ? '}' : ']';

	js_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		js_ws(j);
		if (object && (js_string(j) != 0 ||
			       (js_ws(j), j->p >= j->end) || *j->p++ != ':'))
			return -1;
		if (js_value(j, depth + 1) != 0)
			return -1;
		js_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		if (*j->p++ != ',')
			return -1;
	}
}

static int js_literal(struct js *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static int js_value(struct js *j, int depth)
{
	js_ws(j);
	if (j->p >= j->end || depth > 64)
		return -1;
	switch (*j->p) {
	case '{':
	case '[':
		j->p++;
		return js_members(j, depth, j->p[-1] == '{');
	case '"':
		return js_string(j);
	case 't':
		return js_literal(j, "true");
	case 'f':
		return js_literal(j, "false");
	case 'n':
		return js_literal(j, "null");
	default:
		return js_number(j);
	}
}

/* 0 when text[0..len) is one JSON value and nothing else; else -1 and
 * where it went wrong in *at. */
static int json_check(const char *text, size_t len, size_t *at)
{
	struct js j = { (const unsigned char *)text,
			(const unsigned char *)text + len };
	int rc = js_value(&j, 0);

	js_ws(&j);
	if (rc == 0 && j.p != j.end)
		rc = -1;
	*at = (size_t)((const char *)j.p - text);
	return rc;
}

START_TEST(test_json_validator)
{
	static const char *const good[] = {
		"{}",
		"[]",
		"{\"a\":[1,-2.5e3,true,false,null,\"x\\u00e9\"]}",
		" [ {\"\":{}} , \"\xc3\xa9\" ] ",
	};
	static const char *const bad[] = {
		"{",	 "[1,]",     "{\"a\"}", "\"\x01\"", "\"\\x\"",
		"[01x]", "\"\xff\"", "{} {}",	"[\"a\"",   "tru",
	};
	size_t at;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(json_check(good[i], strlen(good[i]), &at) == 0,
			      "%s", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(json_check(bad[i], strlen(bad[i]), &at) != 0,
			      "%s", bad[i]);
}
END_TEST

/* ---- What the timeline says, to compare with ---------------------------- */

/* The time lane L (current view) spent in each state over the whole run,
 * as the timeline counts it. */
static void shares_of(const struct recording *rec, int lane,
		      int64_t out[EV_STATE_COUNT])
{
	int64_t now = recording_now(rec);

	timeline_shares(rec->tl, lane, 0, now, now, out);
}

/* States that take time but idle and done, over the lanes of the current
 * view: what the trace has as complete events. */
static size_t busy_segments(const struct recording *rec)
{
	struct timeline_seg sg;
	size_t n = 0;

	for (int l = 0; l < timeline_lanes(rec->tl); l++)
		for (size_t i = 0;
		     timeline_seg_nth(rec->tl, l, i, recording_now(rec), &sg) ==
		     0;
		     i++)
			n += sg.state != EV_IDLE && sg.state != EV_DONE &&
			     sg.end > sg.start;
	return n;
}

static int state_of(const char *name)
{
	for (int k = 0; k < EV_STATE_COUNT; k++)
		if (strcmp(ev_kind_name((unsigned)k), name) == 0)
			return k;
	return -1;
}

/* One complete event's head: its name and category, then pid, tid and
 * dur. A task track's states have no category and no args (they are the
 * worker track's, whose events carry them): cat "" then, and *bare 1. */
static void x_event(const char *p, char name[32], char cat[16], int *pid,
		    long *tid, double *dur, int *bare)
{
	double ts;
	int at = 0;

	ck_assert_int_eq(
		sscanf(p, "{\"ph\":\"X\",\"name\":\"%31[^\"]\",%n", name, &at),
		1);
	p += at;
	cat[0] = '\0';
	*bare = strncmp(p, "\"cat\":", 6) != 0;
	if (!*bare) {
		ck_assert_int_eq(sscanf(p, "\"cat\":\"%15[^\"]\",%n", cat, &at),
				 1);
		p += at;
	}
	ck_assert_int_eq(sscanf(p,
				"\"pid\":%d,\"tid\":%ld,\"ts\":%lf,"
				"\"dur\":%lf%n",
				pid, tid, &ts, dur, &at),
			 4);
	/* Bare on task tracks only, and there nothing after dur. */
	ck_assert_int_eq(*bare, *tid >= 100000);
	if (*bare)
		ck_assert_int_eq(p[at], '}');
}

/* Sums, from a trace's text, the durations (ns) of the state events of
 * process pid on tracks base..base+nlanes-1 into sum[lane][state]: a
 * worker's in category "state", a task's bare (x_event). Returns how
 * many such events there are. */
static size_t trace_sums(const char *text, int pid, long base, int nlanes,
			 double (*sum)[EV_STATE_COUNT])
{
	static const char head[] = "{\"ph\":\"X\",\"name\":\"";
	size_t n = 0;

	for (const char *p = strstr(text, head); p; p = strstr(p + 1, head)) {
		char name[32], cat[16];
		int epid, k, bare;
		long tid;
		double dur;
		x_event(p, name, cat, &epid, &tid, &dur, &bare);
		if ((!bare && strcmp(cat, "state") != 0) || epid != pid ||
		    tid < base || tid >= base + nlanes)
			continue;
		k = state_of(name);
		ck_assert_int_gt(k, EV_IDLE);
		ck_assert_int_ne(k, EV_DONE);
		ck_assert(dur > 0);
		sum[tid - base][k] += dur * 1000;
		n++;
	}
	return n;
}

/* Each lane's time per state in sum agrees with the timeline's within 1%
 * (and a microsecond, for rounding), idle and done left out. */
static void sums_agree(const struct recording *rec, int nlanes,
		       double (*sum)[EV_STATE_COUNT], int with_idle)
{
	for (int l = 0; l < nlanes; l++) {
		int64_t sh[EV_STATE_COUNT];
		shares_of(rec, l, sh);
		for (int k = 0; k < EV_STATE_COUNT; k++) {
			double want = (double)sh[k];
			if (!with_idle && (k == EV_IDLE || k == EV_DONE))
				continue;
			ck_assert_msg(
				sum[l][k] >= want * 0.99 - 1000 &&
					sum[l][k] <= want * 1.01 + 1000,
				"lane %d %s: %.0f ns exported, %.0f ns in "
				"the timeline",
				l, ev_kind_name((unsigned)k), sum[l][k], want);
		}
	}
}

/* Checks the trace's state events of run `pid` (worker tracks, and task
 * tracks when `tasks`) against its recording. */
static void trace_matches(const char *text, const struct recording *rec,
			  int pid, int tasks)
{
	int nl = timeline_lanes(rec->tl);
	double(*sum)[EV_STATE_COUNT];
	size_t n;

	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
	ck_assert_int_le(nl, MAX_LANES);
	sum = calloc((size_t)(nl > 0 ? nl : 1), sizeof *sum);
	n = trace_sums(text, pid, 1, nl, sum);
	ck_assert_uint_eq(n, busy_segments(rec));
	ck_assert_uint_gt(n, 0);
	sums_agree(rec, nl, sum, 0);
	free(sum);
	if (!tasks)
		return;
	timeline_set_view(rec->tl, TIMELINE_BY_TASK);
	nl = timeline_lanes(rec->tl);
	sum = calloc((size_t)nl, sizeof *sum);
	n = trace_sums(text, pid, 100000, nl, sum);
	ck_assert_uint_eq(n, busy_segments(rec));
	sums_agree(rec, nl, sum, 0);
	free(sum);
	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
}

/* How many events the "conviz" section of a trace holds for run i. */
static size_t conviz_events(const char *text, int run)
{
	const char *p = strstr(text, ",\"conviz\":{\"version\":1,");
	size_t n = 0;
	int depth = 0;

	ck_assert_ptr_nonnull(p);
	for (int i = 0; i <= run; i++) {
		p = strstr(p, ",\"events\":[");
		ck_assert_ptr_nonnull(p);
		p += strlen(",\"events\":");
	}
	do {
		if (*p == '[' && ++depth == 2)
			n++;
		else if (*p == ']')
			depth--;
		p++;
	} while (depth > 0 && *p != '\0');
	return n;
}

/* Writes a trace of recs into dir/name and checks it is JSON. Returns
 * its text (caller frees). */
static char *trace_to(const struct recording *const *recs, int n,
		      const char *dir, const char *name)
{
	char path[512], err[512];
	size_t len, at;
	char *text;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_msg(export_trace(recs, n, path, err, sizeof err) == 0, "%s",
		      err);
	text = check_slurp(path, &len);
	ck_assert_msg(json_check(text, len, &at) == 0,
		      "not JSON at byte %zu: %.60s", at, text + at);
	ck_assert(strncmp(text, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[",
			  38) == 0);
	return text;
}

/* ---- Trace ----------------------------------------------------------- */

START_TEST(test_trace_bank)
{
	struct recording *rec = check_record("bank-unsafe", MODEL_THREADS, 4);
	const struct recording *recs[] = { rec };
	char dir[64], *text;

	make_dir(dir, sizeof dir);
	text = trace_to(recs, 1, dir, "bank.json");
	ck_assert_ptr_nonnull(strstr(
		text, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,"
		      "\"tid\":0,\"args\":{\"name\":\"bank-unsafe "
		      "(threads, 4 workers, GIL on)\"}}"));
	ck_assert_ptr_nonnull(
		strstr(text, "\"process_sort_index\",\"pid\":1,"));
	for (int l = 0; l < 4; l++) {
		char want[128];
		snprintf(want, sizeof want,
			 "\"name\":\"thread_name\",\"pid\":1,\"tid\":%d,"
			 "\"args\":{\"name\":\"w%d\"}}",
			 l + 1, l);
		ck_assert_msg(strstr(text, want) != NULL, "no %s", want);
	}
	trace_matches(text, rec, 1, 0);
	/* No task tracks for threads; a result on a state of a task. */
	ck_assert_ptr_null(strstr(text, "\"tid\":100000,"));
	ck_assert_ptr_nonnull(strstr(text, ",\"result\":\""));
	/* Markers: each of the worker lanes' markers an instant. */
	ck_assert_uint_eq(
		count_str(text, "{\"ph\":\"i\","),
		timeline_marker_count(rec->tl, EV_READ) +
			timeline_marker_count(rec->tl, EV_WRITE) +
			timeline_marker_count(rec->tl, EV_LOST_UPDATE));
	ck_assert_uint_eq(conviz_events(text, 0), rec->nev);
	ck_assert_ptr_nonnull(strstr(text, "\"scenario\":\"bank-unsafe\","));
	ck_assert_ptr_nonnull(strstr(text, ",\"model\":\"threads\","));
	ck_assert_ptr_nonnull(strstr(text, ",\"wall_s\":"));
	ck_assert_ptr_nonnull(strstr(text, ",\"lost_updates\":"));
	ck_assert_ptr_nonnull(
		strstr(text, ",\"kinds\":[\"idle\",\"startup\","));
	/* What replay needs besides: the scenario's arg, the books as they
	 * began (5 banks of 1000), a deadlock's cycle (none). */
	ck_assert_ptr_nonnull(strstr(text, ",\"tasks\":20,\"arg\":5,"));
	ck_assert_ptr_nonnull(
		strstr(text, ",\"ledger\":{\"nvars\":5,\"initial\":[1000,1000,"
			     "1000,1000,1000],\"expected\":5000,\"nlocks\":0,"
			     "\"copies\":false,\"counting\":false},"));
	ck_assert_ptr_nonnull(strstr(text, ",\"cycle_steps\":[],"));
	free(text);
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

/* Locks: a hold a track of its own, named; takes and releases matched. */
START_TEST(test_trace_locks)
{
	struct recording *rec = check_record("bank-safe", MODEL_THREADS, 4);
	const struct recording *recs[] = { rec };
	uint64_t takes = timeline_marker_count(rec->tl, EV_ACQUIRE);
	char dir[64], *text;

	ck_assert_uint_gt(takes, 0);
	make_dir(dir, sizeof dir);
	text = trace_to(recs, 1, dir, "locks.json");
	ck_assert_ptr_nonnull(strstr(text, "\"tid\":90000,\"args\":{\"name\":"
					   "\"lock L0\"}}"));
	/* bank-safe takes one lock around each transfer: a hold each. */
	ck_assert_uint_eq(count_str(text, "\"cat\":\"lock\""), takes);
	ck_assert_ptr_nonnull(
		strstr(text, "{\"ph\":\"X\",\"name\":\"held by t"));
	trace_matches(text, rec, 1, 0);
	free(text);
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

/* Async: a track per task as well, and results escaped whatever they
 * hold. */
START_TEST(test_trace_async_tasks)
{
	struct recording *rec = check_record("httpbin", MODEL_ASYNC, 1);
	const struct recording *recs[] = { rec };
	char dir[64], *text;

	free(rec->result[0]);
	/* Quotes, controls, a stray byte, UTF-8, a cut-off character (a
	 * U+FFFD a byte). */
	rec->result[0] = strdup("a\"b\\c\n\t\x01\x7f\xff\xc3\xa9 & <\xe2\x82");
	make_dir(dir, sizeof dir);
	text = trace_to(recs, 1, dir, "async.json");
	ck_assert_ptr_nonnull(strstr(text, "\"name\":\"thread_name\",\"pid\":1,"
					   "\"tid\":100000,\"args\":{\"name\":"
					   "\"t0\"}}"));
	trace_matches(text, rec, 1, 1);
	ck_assert_ptr_nonnull(strstr(
		text, "\"result\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f"
		      "\xef\xbf\xbd\xc3\xa9 & <\xef\xbf\xbd\xef\xbf\xbd\""));
	ck_assert_ptr_nonnull(
		strstr(text, ",\"what\":[\"GET http://127.0.0.1:"));
	ck_assert_uint_eq(conviz_events(text, 0), rec->nev);
	/* The view the recording was in is the view it is left in. */
	ck_assert_int_eq(timeline_get_view(rec->tl), TIMELINE_BY_WORKER);
	free(text);
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

/* A comparison: a process a run, each checked against its own. */
START_TEST(test_trace_compare)
{
	struct recording *a = check_record("bank-unsafe", MODEL_THREADS, 4);
	struct recording *b = check_record("bank-unsafe", MODEL_SYNC, 1);
	const struct recording *recs[] = { a, b };
	char dir[64], *text;

	timeline_set_view(b->tl, TIMELINE_BY_TASK);
	make_dir(dir, sizeof dir);
	text = trace_to(recs, 2, dir, "cmp.json");
	ck_assert_int_eq(timeline_get_view(b->tl), TIMELINE_BY_TASK);
	ck_assert_ptr_nonnull(strstr(text, "\"pid\":2,\"tid\":0,\"args\":{"
					   "\"name\":\"bank-unsafe (sync, 1 "
					   "worker, GIL on)\"}}"));
	ck_assert_ptr_nonnull(strstr(text, "\"process_sort_index\",\"pid\":2,"
					   "\"tid\":0,\"args\":{\"sort_index\""
					   ":1}}"));
	trace_matches(text, a, 1, 0);
	trace_matches(text, b, 2, 0);
	ck_assert_uint_eq(conviz_events(text, 0), a->nev);
	ck_assert_uint_eq(conviz_events(text, 1), b->nev);
	ck_assert_ptr_nonnull(strstr(text, "\"model\":\"sync\""));
	free(text);
	remove_dir(dir);
	recording_free(a);
	recording_free(b);
}
END_TEST

/* ---- CSV --------------------------------------------------------------- */

/* One CSV row: run,lane,task,state,start_s,end_s,arg (run unquoted). */
struct row {
	char run[64], state[32];
	int lane;
	double start, end;
};

static int csv_parse(const char *line, struct row *r)
{
	if (sscanf(line, "%63[^,],w%d,", r->run, &r->lane) != 2)
		return -1;
	line = strchr(strchr(strchr(line, ',') + 1, ',') + 1, ',');
	if (line == NULL || sscanf(line, ",%31[^,],%lf,%lf,", r->state,
				   &r->start, &r->end) != 3)
		return -1;
	return 0;
}

/* Sums the rows of `run` per lane and state (markers counted apart), and
 * checks them against the timeline. */
static void csv_matches(const char *text, const char *run,
			const struct recording *rec)
{
	double(*sum)[EV_STATE_COUNT] = calloc(MAX_LANES, sizeof *sum);
	uint64_t marks = 0, want_marks = 0;
	struct row r;

	for (const char *p = strchr(text, '\n'); p && p[1];
	     p = strchr(p + 1, '\n')) {
		int k;
		ck_assert_msg(csv_parse(p + 1, &r) == 0, "bad row %.80s",
			      p + 1);
		if (strcmp(r.run, run) != 0)
			continue;
		ck_assert_int_lt(r.lane, MAX_LANES);
		ck_assert(r.end >= r.start);
		k = state_of(r.state);
		if (k < 0)
			marks++;
		else
			sum[r.lane][k] += (r.end - r.start) * 1e9;
	}
	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
	sums_agree(rec, timeline_lanes(rec->tl), sum, 1);
	for (unsigned k = EV_STATE_COUNT; k < EV_KIND_COUNT; k++)
		want_marks += timeline_marker_count(rec->tl, (enum ev_kind)k);
	ck_assert_uint_eq(marks, want_marks);
	free(sum);
}

START_TEST(test_csv)
{
	struct recording *a = check_record("bank-unsafe", MODEL_THREADS, 4);
	struct recording *b = check_record("bank-unsafe", MODEL_THREADS, 2);
	const struct recording *recs[] = { a, b };
	char dir[64], path[128], err[512], *text;

	make_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/runs.csv", dir);
	ck_assert_msg(export_csv(recs, 1, path, err, sizeof err) == 0, "%s",
		      err);
	text = check_slurp(path, NULL);
	ck_assert(strncmp(text, "run,lane,task,state,start_s,end_s,arg\n",
			  38) == 0);
	ck_assert_ptr_nonnull(strstr(text, "\nbank-unsafe/threads,w0,"));
	ck_assert_ptr_nonnull(strstr(text, ",read,"));
	csv_matches(text, "bank-unsafe/threads", a);
	free(text);
	/* Two runs of one name: told apart by their number. */
	ck_assert_msg(export_csv(recs, 2, path, err, sizeof err) == 0, "%s",
		      err);
	text = check_slurp(path, NULL);
	csv_matches(text, "bank-unsafe/threads#1", a);
	csv_matches(text, "bank-unsafe/threads#2", b);
	free(text);
	remove_dir(dir);
	recording_free(a);
	recording_free(b);
}
END_TEST

/* ---- SVG ------------------------------------------------------------- */

/* Every '&' in text starts an entity. */
static void entities_only(const char *text)
{
	static const char *const ent[] = { "&amp;", "&lt;", "&gt;", "&quot;",
					   "&apos;" };

	for (const char *p = strchr(text, '&'); p; p = strchr(p + 1, '&')) {
		int ok = 0;
		for (size_t i = 0; i < sizeof ent / sizeof ent[0]; i++)
			ok |= strncmp(p, ent[i], strlen(ent[i])) == 0;
		ck_assert_msg(ok, "a bare & at %.20s", p);
	}
}

static void svg_checks(const char *text, size_t len)
{
	ck_assert(strncmp(text, "<?xml", 5) == 0 ||
		  strncmp(text, "<svg", 4) == 0);
	ck_assert_uint_gt(len, 8);
	ck_assert_str_eq(text + len - 7, "</svg>\n");
	ck_assert_ptr_nonnull(
		strstr(text, "xmlns=\"http://www.w3.org/2000/svg\""));
	ck_assert_ptr_nonnull(strstr(text, " viewBox=\"0 0 "));
	ck_assert_ptr_nonnull(strstr(text, "<pattern id=\"s-cpu\""));
	ck_assert_ptr_nonnull(strstr(text, "font-family=\"sans-serif\""));
	ck_assert_uint_eq(count_str(text, "<svg"), 1);
	ck_assert_uint_eq(count_str(text, "<text"), count_str(text, "</text>"));
	ck_assert_uint_eq(count_str(text, "<pattern"),
			  count_str(text, "</pattern>"));
	entities_only(text);
}

/* No grid line (a "#ddd" rect) crosses a run's title: each title's line,
 * from 14 px above its baseline to 4 below, is clear of them. */
static void grid_clear_of_titles(const char *text)
{
	int grids = 0;

	for (const char *t = strstr(text, "<text x=\"8\" y=\""); t;
	     t = strstr(t + 1, "<text x=\"8\" y=\"")) {
		int base = atoi(t + strlen("<text x=\"8\" y=\""));
		for (const char *r = strstr(text, "<rect x=\""); r;
		     r = strstr(r + 1, "<rect x=\"")) {
			int x, y, w, h, end = -1;
			if (sscanf(r,
				   "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
				   "height=\"%d\" fill=\"#ddd\"/>%n",
				   &x, &y, &w, &h, &end) != 4 ||
			    end < 0)
				continue;
			grids++;
			ck_assert_msg(y + h <= base - 14 || y >= base + 4,
				      "a grid line at x %d, y %d..%d crosses "
				      "the title at y %d",
				      x, y, y + h, base);
		}
	}
	ck_assert_int_gt(grids, 0);
}

START_TEST(test_svg)
{
	struct recording *a = check_record("bank-unsafe", MODEL_THREADS, 4);
	struct recording *b = check_record("httpbin", MODEL_ASYNC, 1);
	const struct recording *recs[] = { a, b };
	char dir[64], path[128], err[512], *text;
	size_t len;

	snprintf(a->cfg.sc.title, sizeof a->cfg.sc.title,
		 "fish & chips <b> \"x\" 'y' \x01\xff");
	make_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/runs.svg", dir);
	ck_assert_msg(export_svg(recs, 2, path, err, sizeof err) == 0, "%s",
		      err);
	text = check_slurp(path, &len);
	svg_checks(text, len);
	ck_assert_ptr_nonnull(strstr(
		text, ">bank-unsafe \xe2\x80\x94 threads, 4 workers, GIL on "
		      "\xe2\x80\x94 wall "));
	ck_assert_ptr_nonnull(
		strstr(text, "fish &amp; chips &lt;b&gt; &quot;x&quot; "
			     "&apos;y&apos; \xef\xbf\xbd\xef\xbf\xbd</text>"));
	ck_assert_ptr_nonnull(strstr(text, ">httpbin \xe2\x80\x94 async, 1 "
					   "worker, GIL on"));
	/* States drawn with their patterns, the legend naming them. */
	ck_assert_ptr_nonnull(strstr(text, "fill=\"url(#s-io)\""));
	ck_assert_ptr_nonnull(strstr(text, ">io</text>"));
	/* A race: whether updates were lost depends on the schedule (under
	 * valgrind the threads may well take turns), so the marks only when
	 * the run lost some. */
	if (timeline_marker_count(a->tl, EV_LOST_UPDATE) > 0) {
		ck_assert_ptr_nonnull(strstr(text, "xlink:href=\"#m-L\""));
		ck_assert_ptr_nonnull(strstr(text, ">lost update</text>"));
	}
	ck_assert_ptr_nonnull(strstr(text, ">w3</text>"));
	/* Round ticks: 0 first. */
	ck_assert(strstr(text, ">0 ms</text>") || strstr(text, ">0 s</text>"));
	grid_clear_of_titles(text);
	/* Small: bounded by columns, not by events. */
	ck_assert_uint_lt(len, 400000);
	free(text);
	remove_dir(dir);
	recording_free(a);
	recording_free(b);
}
END_TEST

/* ---- Bad paths, and files replaced whole or not at all ----------------- */

static struct recording *small_run(void)
{
	return check_record("counter-unsafe", MODEL_THREADS, 2);
}

START_TEST(test_bad_paths)
{
	struct recording *rec = small_run();
	const struct recording *recs[] = { rec };
	char dir[64], path[128], err[512], names[1024];
	struct stat st;

	make_dir(dir, sizeof dir);
	/* A missing directory: the message names the path. */
	snprintf(path, sizeof path, "%s/missing/x.json", dir);
	ck_assert_int_eq(export_trace(recs, 1, path, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "cannot write ") == err &&
			      strstr(err, "/missing/x.json: No such file or "
					  "directory: check the directory "
					  "exists") != NULL,
		      "%s", err);
	/* A directory. */
	ck_assert_int_eq(export_svg(recs, 1, dir, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "directory") != NULL, "%s", err);
	/* A full disk: said so, and /dev/full is still the device. */
	ck_assert_int_eq(export_trace(recs, 1, "/dev/full", err, sizeof err),
			 -1);
	ck_assert_msg(strstr(err, "cannot write /dev/full: No space left on "
				  "device: free some disk space") == err,
		      "%s", err);
	ck_assert_int_eq(stat("/dev/full", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	/* A device that takes it all: written into, not replaced. */
	ck_assert_int_eq(export_csv(recs, 1, "/dev/null", err, sizeof err), 0);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	/* No run at all. */
	ck_assert_int_eq(export_csv(recs, 0, "/dev/null", err, sizeof err), -1);
	ck_assert_str_eq(err, "no run to export: record a run first");
	/* Nothing left behind. */
	dir_names(dir, names, sizeof names);
	ck_assert_str_eq(names, "");
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

/* An existing file is replaced whole, keeping its mode; a new one gets
 * the umask's; a failed write leaves it as it was, and no temporary
 * file. */
START_TEST(test_replace_whole)
{
	struct recording *rec = small_run();
	const struct recording *recs[] = { rec };
	char dir[64], path[128], err[512], names[1024], *text;
	struct rlimit old, small;
	struct stat st;
	mode_t mask = umask(022);

	umask(mask);
	make_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/run.out", dir);
	ck_assert_int_eq(export_trace(recs, 1, path, err, sizeof err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0666 & ~mask);
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(export_csv(recs, 1, path, err, sizeof err), 0);
	text = check_slurp(path, NULL);
	ck_assert(strncmp(text, "run,lane,", 9) == 0);
	ck_assert_ptr_null(strstr(text, "traceEvents"));
	free(text);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	/* A write that fails half way (the file size limit). */
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 2048;
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	ck_assert_int_eq(export_trace(recs, 1, path, err, sizeof err), -1);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	ck_assert_msg(strstr(err, "/run.out: File too large: ") != NULL, "%s",
		      err);
	text = check_slurp(path, NULL);
	ck_assert(strncmp(text, "run,lane,", 9) == 0);
	free(text);
	dir_names(dir, names, sizeof names);
	ck_assert_str_eq(names, "run.out ");
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

/* The iterator the exporters walk lanes with agrees with the cursor's
 * query, segment by segment. */
START_TEST(test_seg_nth)
{
	struct recording *rec = small_run();
	struct timeline_seg a, b;
	int64_t now = recording_now(rec);

	for (int l = 0; l < timeline_lanes(rec->tl); l++) {
		size_t n = timeline_segments(rec->tl, l), i;
		for (i = 0; timeline_seg_nth(rec->tl, l, i, now, &a) == 0;
		     i++) {
			ck_assert_int_eq(
				timeline_seg_at(rec->tl, l, a.start, now, &b),
				0);
			ck_assert_int_eq(a.start, b.start);
			ck_assert_int_eq(a.end, b.end);
			ck_assert_int_eq(a.state, b.state);
			ck_assert_uint_eq(a.task, b.task);
		}
		ck_assert_uint_eq(i, n);
	}
	ck_assert_int_eq(timeline_seg_nth(rec->tl, -1, 0, now, &a), -1);
	ck_assert_int_eq(timeline_seg_nth(rec->tl, 999, 0, now, &a), -1);
	recording_free(rec);
}
END_TEST

/* ---- What a 15,000-task run costs ------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes one format of rec to path; prints its size and time. Returns
 * the time. */
static double timed(int (*fn)(const struct recording *const *, int,
			      const char *, char *, size_t),
		    const struct recording *rec, const char *path,
		    const char *what, size_t *size)
{
	const struct recording *recs[] = { rec };
	char err[512];
	struct stat st;
	double t0 = now_s(), t;

	ck_assert_msg(fn(recs, 1, path, err, sizeof err) == 0, "%s", err);
	t = now_s() - t0;
	ck_assert_int_eq(stat(path, &st), 0);
	*size = (size_t)st.st_size;
	fprintf(stderr,
		"export: primes (threads, 2 workers, %zu events): %s %.1f KiB "
		"in %.3f s\n",
		rec->nev, what, (double)st.st_size / 1024, t);
	return t;
}

START_TEST(test_cost_primes)
{
	struct recording *rec = check_record("primes", MODEL_THREADS, 2);
	char dir[64], path[128];
	size_t size;
	double t;
	char *text;
	size_t at;

	make_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/primes.json", dir);
	t = timed(export_trace, rec, path, "trace", &size);
	ck_assert_uint_lt(size, 5u << 20);
	/* Generous (the goal is 0.5 s where the run takes about 0.1 s):
	 * writing the trace costs less than five times the run. */
	if (check_timing_tests())
		ck_assert_msg(t < 5 * rec->st.wall_s,
			      "%.3f s to export a %.3f s run", t,
			      rec->st.wall_s);
	text = check_slurp(path, &size);
	ck_assert_int_eq(json_check(text, size, &at), 0);
	ck_assert_uint_eq(conviz_events(text, 0), rec->nev);
	free(text);
	snprintf(path, sizeof path, "%s/primes.svg", dir);
	timed(export_svg, rec, path, "svg", &size);
	ck_assert_uint_lt(size, 1u << 20);
	snprintf(path, sizeof path, "%s/primes.csv", dir);
	timed(export_csv, rec, path, "csv", &size);
	remove_dir(dir);
	recording_free(rec);
}
END_TEST

Suite *suite_export(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_json_validator);
	tcase_add_test(tc, test_trace_bank);
	tcase_add_test(tc, test_trace_locks);
	tcase_add_test(tc, test_trace_async_tasks);
	tcase_add_test(tc, test_trace_compare);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_svg);
	tcase_add_test(tc, test_bad_paths);
	tcase_add_test(tc, test_replace_whole);
	tcase_add_test(tc, test_seg_nth);
	tcase_add_test(tc, test_cost_primes);
	suite_add_tcase(s, tc);
	return s;
}
