/* export.c - recorded runs written out: a Chrome trace, an SVG timing
 * diagram, a CSV table (see export.h).
 *
 * A 15,000-task run has some 30,000 events and as many segments, and its
 * trace must be written in a fraction of a second: numbers are formatted
 * by hand into a buffer of our own, handed to the file a quarter of a
 * megabyte at a time (printf would parse its format 200,000 times).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/export.h"
#include "app/recording.h"
#include "app/run.h"
#include "core/ev.h"
#include "core/ledger.h"
#include "core/msg.h"
#include "core/timeline.h"
#include "core/urllist.h"
#include "models/model.h"
#include "models/procs.h"
#include "rt/locks.h"

/* ---- The file: written whole, or not at all -------------------------- */

#define OUT_BUF (256 * 1024)

struct out {
	FILE *f;
	const char *path;
	char *tmp; /* the temporary file; NULL when writing into path */
	int err;   /* errno of the first failure; 0 while all is well */
	size_t n;  /* bytes waiting in buf */
	char *buf;
	uint64_t items; /* what the open JSON array holds so far */
};

/* What to do about errno e, for the second half of a message. */
static const char *out_hint(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return "check the directory exists";
	case EACCES:
	case EPERM:
	case EROFS:
		return "choose a place you may write to";
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return "free some disk space or write elsewhere";
	case EISDIR:
		return "give the name of a file, not of a directory";
	case ENAMETOOLONG:
		return "use a shorter path";
	default:
		return "check the path and try again";
	}
}

static int out_fail(const char *path, int e, char *err, size_t errlen)
{
	struct msg_quote q;

	msg_fmt(err, errlen, "cannot write %s: %s: %s",
		msg_quote_path(path, &q), strerror(e), out_hint(e));
	return -1;
}

/* The mode a new file gets: what open(..., 0666) would give it under the
 * process's umask. mkstemp makes its file 0600, and an export is made to
 * be shared. The umask is read, not set and reset, as other threads may
 * be creating files meanwhile. */
static mode_t out_new_mode(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned long mask = 022;

	if (f == NULL)
		return 0644;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "Umask:", 6) == 0) {
			mask = strtoul(line + 6, NULL, 8);
			break;
		}
	}
	fclose(f);
	return (mode_t)(0666 & ~mask);
}

/* Makes the stream of descriptor fd the output. The FILE buffers
 * nothing: the buffer is ours, handed over whole. */
static int out_stream(struct out *o, int fd)
{
	o->f = fdopen(fd, "w");
	if (o->f == NULL) {
		o->err = errno;
		close(fd);
		return -1;
	}
	setvbuf(o->f, NULL, _IONBF, 0);
	o->buf = xmalloc(OUT_BUF);
	return 0;
}

/* A new file beside path, to be renamed over it once complete; `mode` is
 * what the file it replaces had (its permissions; no set-id bit), or what
 * a new one gets. */
static int out_open_tmp(struct out *o, mode_t mode)
{
	size_t len = strlen(o->path);
	int fd;

	o->tmp = xmalloc(len + sizeof ".XXXXXX");
	memcpy(o->tmp, o->path, len);
	memcpy(o->tmp + len, ".XXXXXX", sizeof ".XXXXXX");
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		o->err = errno;
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	if (fchmod(fd, mode) != 0) {
		o->err = errno;
		close(fd);
	} else {
		out_stream(o, fd); /* closes fd if it fails */
	}
	if (o->err != 0) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	return 0;
}

/* Into path itself: a device, a FIFO, a symbolic link. Renaming over
 * one would replace it (as root, /dev/full with a file). */
static int out_open_straight(struct out *o)
{
	int fd =
		open(o->path,
		     O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0666);

	if (fd < 0) {
		o->err = errno;
		return -1;
	}
	return out_stream(o, fd);
}

static int out_open(struct out *o, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int rc;

	memset(o, 0, sizeof *o);
	o->path = path;
	if (path == NULL || path[0] == '\0') {
		msg_fmt(err, errlen, "no file to write to: give a file name");
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return out_fail(path, EISDIR, err, errlen);
	if (lstat(path, &st) != 0)
		rc = out_open_tmp(o, out_new_mode());
	else if (S_ISREG(st.st_mode))
		rc = out_open_tmp(o, st.st_mode & 0777);
	else
		rc = out_open_straight(o);
	return rc == 0 ? 0 : out_fail(path, o->err, err, errlen);
}

/* Hands what the buffer holds to the file. After a failure nothing more
 * is written: the first error is the one reported. */
static void out_flush(struct out *o)
{
	if (o->n > 0 && o->err == 0) {
		errno = 0;
		if (fwrite(o->buf, 1, o->n, o->f) != o->n)
			o->err = errno != 0 ? errno : EIO;
	}
	o->n = 0;
}

/* Finishes the file: the last bytes written, the stream closed, and the
 * temporary file renamed over path, or removed after any failure. */
static int out_close(struct out *o, char *err, size_t errlen)
{
	out_flush(o);
	if (o->err == 0 && fflush(o->f) != 0)
		o->err = errno;
	if (fclose(o->f) != 0 && o->err == 0)
		o->err = errno;
	if (o->tmp != NULL && o->err == 0 && rename(o->tmp, o->path) != 0)
		o->err = errno;
	if (o->tmp != NULL && o->err != 0)
		unlink(o->tmp);
	free(o->tmp);
	free(o->buf);
	return o->err == 0 ? 0 : out_fail(o->path, o->err, err, errlen);
}

/* ---- Formatting ------------------------------------------------------- */

/* Room for `need` more bytes in the buffer (need <= OUT_BUF). */
static char *out_room(struct out *o, size_t need)
{
	if (OUT_BUF - o->n < need)
		out_flush(o);
	return o->buf + o->n;
}

static void put_bytes(struct out *o, const char *s, size_t len)
{
	if (len >= OUT_BUF) {
		out_flush(o);
		errno = 0;
		if (o->err == 0 && fwrite(s, 1, len, o->f) != len)
			o->err = errno != 0 ? errno : EIO;
		return;
	}
	memcpy(out_room(o, len), s, len);
	o->n += len;
}

static void put_str(struct out *o, const char *s)
{
	put_bytes(o, s, strlen(s));
}

static void put_c(struct out *o, char c)
{
	*out_room(o, 1) = c;
	o->n++;
}

/* v in decimal, its digits ending at end; returns where they start. */
static char *fmt_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[24], *p = fmt_u64(tmp + sizeof tmp, v);

	put_bytes(o, p, (size_t)(tmp + sizeof tmp - p));
}

static void put_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		put_c(o, '-');
		put_u64(o, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(o, (uint64_t)v);
	}
}

/* v / 10^digits written exactly, with `digits` decimals (1..9): the
 * nanoseconds of a time as microseconds (3) or seconds (9). */
static void put_fixed(struct out *o, int64_t v, int digits)
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char tmp[32], *end = tmp + sizeof tmp, *p = end;

	for (int i = 0; i < digits; i++) {
		*--p = (char)('0' + u % 10);
		u /= 10;
	}
	*--p = '.';
	p = fmt_u64(p, u);
	if (v < 0)
		*--p = '-';
	put_bytes(o, p, (size_t)(end - p));
}

/* A double as the shortest text that reads back the same; JSON has no
 * infinity or NaN, so those are null. */
static void put_double(struct out *o, double d)
{
	char tmp[40];

	if (!isfinite(d)) {
		put_str(o, "null");
		return;
	}
	snprintf(tmp, sizeof tmp, "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof tmp, "%.17g", d);
	put_str(o, tmp);
}

/* How long the well-formed UTF-8 character at s is (n bytes left), or 0
 * when s starts no such character: a stray continuation byte, an overlong
 * form, a surrogate, a code point past U+10FFFF, a cut-off sequence. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, for a byte that is no text */

/* Bytes of s from i on that go into a JSON string as they are: printable
 * ASCII other than the quote and the backslash. */
static size_t json_plain(const unsigned char *s, size_t i, size_t n)
{
	size_t j = i;

	while (j < n && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '"' &&
	       s[j] != '\\')
		j++;
	return j - i;
}

/* The escape of one ASCII byte that cannot go as it is. Every control
 * byte is escaped, DEL too: Perfetto's JSON reader refuses them raw. */
static void put_json_escape(struct out *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"':
		put_str(o, "\\\"");
		break;
	case '\\':
		put_str(o, "\\\\");
		break;
	case '\n':
		put_str(o, "\\n");
		break;
	case '\t':
		put_str(o, "\\t");
		break;
	case '\r':
		put_str(o, "\\r");
		break;
	default:
		put_bytes(o, u, sizeof u);
		break;
	}
}

/* s as a JSON string (null for NULL): text from the network may hold
 * anything, so quotes, backslashes and control bytes are escaped and a
 * byte that is not UTF-8 becomes U+FFFD. */
static void put_json_str(struct out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, i = 0;

	if (str == NULL) {
		put_str(o, "null");
		return;
	}
	n = strlen(str);
	put_c(o, '"');
	while (i < n) {
		size_t plain = json_plain(s, i, n), len;
		put_bytes(o, str + i, plain);
		i += plain;
		if (i == n)
			break;
		len = utf8_len(s + i, n - i);
		if (s[i] < 0x80)
			put_json_escape(o, s[i]);
		else if (len == 0)
			put_str(o, REPLACEMENT);
		else
			put_bytes(o, str + i, len);
		i += len ? len : 1;
	}
	put_c(o, '"');
}

/* The entity that stands for c in XML, or NULL when c stands for
 * itself. */
static const char *xml_entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&apos;";
	default:
		return NULL;
	}
}

/* Is the character at s (len bytes of well-formed UTF-8) one XML 1.0
 * forbids, or a carriage return (a parser turns it into a newline)? */
static int xml_forbidden(const unsigned char *s, size_t len)
{
	if (len == 1)
		return s[0] < 0x20 && s[0] != '\t' && s[0] != '\n';
	/* U+FFFE and U+FFFF */
	return len == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe;
}

/* s as XML text or an attribute's value: the five special characters as
 * entities; a byte that is not UTF-8, and a character XML forbids, as
 * U+FFFD. */
static void put_xml_str(struct out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0;

	while (i < n) {
		size_t len = utf8_len(s + i, n - i);
		const char *ent = xml_entity(s[i]);
		if (ent != NULL)
			put_str(o, ent);
		else if (len == 0 || xml_forbidden(s + i, len))
			put_str(o, REPLACEMENT);
		else
			put_bytes(o, str + i, len);
		i += len ? len : 1;
	}
}

/* s as one CSV field: quoted, its quotes doubled, when it holds a comma,
 * a quote or a line break (RFC 4180), else as it is. */
static void put_csv_str(struct out *o, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		put_str(o, s);
		return;
	}
	put_c(o, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			put_c(o, '"');
		put_c(o, *s);
	}
	put_c(o, '"');
}

/* ---- What every format says about a run ------------------------------ */

static const char *run_model(const struct recording *rec)
{
	if ((unsigned)rec->cfg.model >= MODEL_COUNT)
		return "?";
	return model_get(rec->cfg.model)->name;
}

/* Its workers as people count them: sync and async run on one thread,
 * whatever -w said. */
static int run_workers_shown(const struct recording *rec)
{
	if ((unsigned)rec->cfg.model >= MODEL_COUNT ||
	    !model_get(rec->cfg.model)->pooled)
		return 1;
	return rec->cfg.workers;
}

/* Does the run show one lane per task (async, or --view task)? Then its
 * tasks get tracks of their own in a trace. */
static int run_by_task(const struct recording *rec)
{
	return run_config_view(&rec->cfg) == TIMELINE_BY_TASK;
}

/* "w3", or "w3 (pid 1234)" for a worker process. */
static void lane_name(const struct recording *rec, int lane, char *buf,
		      size_t len)
{
	int64_t pid = timeline_lane_pid(rec->tl, lane);

	if (pid > 0)
		msg_fmt(buf, len, "w%d (pid %" PRId64 ")", lane, pid);
	else
		msg_fmt(buf, len, "w%d", lane);
}

/* The wall time a title shows: the run's own once it ended. */
static double run_wall_s(const struct recording *rec)
{
	if (rec->ended)
		return rec->st.wall_s;
	return (double)recording_now(rec) / 1e9;
}

/* A marker, and its kind and place among the lane's markers. */
struct mark {
	struct timeline_marker m;
	enum ev_kind kind;
	size_t seq; /* ties keep the lane's order: the file is the same
		       every time */
};

static int mark_cmp(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;

	if (x->m.t != y->m.t)
		return x->m.t < y->m.t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The markers of one lane (current view), of every kind, in time order
 * (ties by kind, then as the lane keeps them). Returns how many; *out
 * to free. */
static size_t lane_marks(const struct timeline *tl, int lane, struct mark **out)
{
	struct timeline_marker *tmp = NULL;
	struct mark *all = NULL;
	size_t n = 0;

	for (unsigned k = EV_STATE_COUNT; k < EV_KIND_COUNT; k++) {
		size_t m = timeline_marker_list(tl, lane, (enum ev_kind)k, 0,
						INT64_MAX, NULL, 0);
		if (m == 0)
			continue;
		tmp = xrealloc(tmp, m * sizeof *tmp);
		timeline_marker_list(tl, lane, (enum ev_kind)k, 0, INT64_MAX,
				     tmp, m);
		all = xrealloc(all, (n + m) * sizeof *all);
		for (size_t i = 0; i < m; i++)
			all[n + i] =
				(struct mark){ tmp[i], (enum ev_kind)k, n + i };
		n += m;
	}
	free(tmp);
	if (n > 1)
		qsort(all, n, sizeof *all, mark_cmp);
	*out = all;
	return n;
}

/* ---- Chrome trace ------------------------------------------------------ */

#define TID_WORKER 1	    /* + lane */
#define TID_LOCK 90000	    /* + lock id */
#define TID_TASK 100000	    /* + task */
#define LOCK_ID_MASK 0xffff /* a lock event's arg: the id, in its low bits */

struct trace {
	struct out *o;
	const struct recording *rec;
	int pid;
	int64_t now;
};

/* Starts the next element of traceEvents. */
static void trace_item(struct out *o)
{
	if (o->items++ > 0)
		put_c(o, ',');
}

/* {"ph":"PH","name":"NAME","cat":"CAT","pid":P,"tid":T,"ts":TS - the ts
 * early, before any text from the run: Perfetto's reader looks for it
 * key by key, and takes no \u escape on its way. No "cat" when cat is
 * NULL. */
static void trace_head(struct trace *tr, const char *ph, const char *name,
		       const char *cat, int64_t tid, int64_t t)
{
	struct out *o = tr->o;

	trace_item(o);
	put_str(o, "{\"ph\":\"");
	put_str(o, ph);
	put_str(o, "\",\"name\":\"");
	put_str(o, name);
	if (cat != NULL) {
		put_str(o, "\",\"cat\":\"");
		put_str(o, cat);
	}
	put_str(o, "\",\"pid\":");
	put_i64(o, tr->pid);
	put_str(o, ",\"tid\":");
	put_i64(o, tid);
	put_str(o, ",\"ts\":");
	put_fixed(o, t, 3);
}

/* A metadata event: {"ph":"M","name":WHAT,"pid":P,"tid":T,"args":{...}}
 * with the name `s` (NULL: the sort index `idx`). */
static void trace_meta(struct trace *tr, int64_t tid, const char *what,
		       const char *s, int64_t idx)
{
	struct out *o = tr->o;

	trace_item(o);
	put_str(o, "{\"ph\":\"M\",\"name\":\"");
	put_str(o, what);
	put_str(o, "\",\"pid\":");
	put_i64(o, tr->pid);
	put_str(o, ",\"tid\":");
	put_i64(o, tid);
	if (s != NULL) {
		put_str(o, ",\"args\":{\"name\":");
		put_json_str(o, s);
	} else {
		put_str(o, ",\"args\":{\"sort_index\":");
		put_i64(o, idx);
	}
	put_str(o, "}}");
}

static void trace_task_arg(struct out *o, uint32_t task)
{
	if (task == EV_NO_TASK)
		put_str(o, "-1");
	else
		put_u64(o, task);
}

/* One state that took time, as a complete event: on a worker's track in
 * category "state", with its task and result as args. A task's own track
 * names the task, and the worker's track has the same state with them:
 * there it goes bare, no category and no args (the 15,000 task tracks of
 * async primes would push its trace past 5 MiB). */
static void trace_seg(struct trace *tr, int64_t tid,
		      const struct timeline_seg *sg)
{
	struct out *o = tr->o;
	const char *res;

	trace_head(tr, "X", ev_kind_name(sg->state),
		   tid >= TID_TASK ? NULL : "state", tid, sg->start);
	put_str(o, ",\"dur\":");
	put_fixed(o, sg->end - sg->start, 3);
	if (tid >= TID_TASK) {
		put_c(o, '}');
		return;
	}
	put_str(o, ",\"args\":{");
	if (sg->task != EV_NO_TASK) {
		put_str(o, "\"task\":");
		put_u64(o, sg->task);
		res = recording_result(tr->rec, sg->task);
		if (res != NULL) {
			put_str(o, ",\"result\":");
			put_json_str(o, res);
		}
	}
	put_str(o, "}}");
}

/* What a marker's arg packs, as args beside the raw one. */
static void trace_mark_args(struct out *o, enum ev_kind kind, int64_t arg)
{
	switch (kind) {
	case EV_READ:
	case EV_WRITE:
		put_str(o, ",\"var\":");
		put_u64(o, ev_access_var(arg));
		put_str(o, ",\"version\":");
		put_u64(o, ev_access_version(arg));
		put_str(o, ",\"value\":");
		put_i64(o, ev_access_value(arg));
		break;
	case EV_LOST_UPDATE:
		put_str(o, ",\"var\":");
		put_u64(o, ev_access_var(arg));
		put_str(o, ",\"amount\":");
		put_i64(o, (int32_t)(uint32_t)arg);
		put_str(o, ",\"other\":");
		trace_task_arg(o, ev_lost_other(arg));
		put_str(o, ",\"victim\":");
		put_i64(o, ev_lost_victim(arg));
		break;
	case EV_ACQUIRE:
	case EV_RELEASE:
	case EV_DEADLOCK:
		put_str(o, ",\"lock\":");
		put_i64(o, arg & LOCK_ID_MASK);
		break;
	default:
		break;
	}
}

static void trace_mark(struct trace *tr, int64_t tid, const struct mark *m)
{
	struct out *o = tr->o;

	trace_head(tr, "i", ev_kind_name(m->kind), "marker", tid, m->m.t);
	put_str(o, ",\"s\":\"t\",\"args\":{\"task\":");
	trace_task_arg(o, m->m.task);
	put_str(o, ",\"arg\":");
	put_i64(o, m->m.arg);
	trace_mark_args(o, m->kind, m->m.arg);
	put_str(o, "}}");
}

/* Every state of lane L (current view) that took time, but idle and
 * done, then its markers, on track tid. */
static void trace_lane(struct trace *tr, int lane, int64_t tid)
{
	struct timeline_seg sg;
	struct mark *marks;
	size_t n;

	for (size_t i = 0;
	     timeline_seg_nth(tr->rec->tl, lane, i, tr->now, &sg) == 0; i++)
		if (sg.state != EV_IDLE && sg.state != EV_DONE &&
		    sg.end > sg.start)
			trace_seg(tr, tid, &sg);
	n = lane_marks(tr->rec->tl, lane, &marks);
	for (size_t i = 0; i < n; i++)
		trace_mark(tr, tid, &marks[i]);
	free(marks);
}

/* A lock held: from a task's first take to its last release. */
struct hold {
	uint32_t task;
	int lock, depth;
	int64_t start;
};

struct holds {
	struct hold *h;
	size_t n, cap;
	uint64_t seen; /* the locks that appear, as bits */
};

static void trace_hold(struct trace *tr, const struct hold *h, int64_t end)
{
	struct out *o = tr->o;
	char name[32];

	msg_fmt(name, sizeof name, "held by t%" PRIu32, h->task);
	trace_head(tr, "X", name, "lock", TID_LOCK + h->lock, h->start);
	put_str(o, ",\"dur\":");
	put_fixed(o, end > h->start ? end - h->start : 0, 3);
	put_str(o, ",\"args\":{\"task\":");
	put_u64(o, h->task);
	put_str(o, ",\"lock\":");
	put_i64(o, h->lock);
	put_str(o, "}}");
}

/* Room for one more hold. */
static struct hold *grow_holds(struct holds *hs)
{
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? 2 * hs->cap : 8;
		hs->h = xrealloc(hs->h, hs->cap * sizeof *hs->h);
	}
	return hs->h;
}

/* The open hold of `lock` by `task`: its index, or hs->n. */
static size_t holds_find(const struct holds *hs, uint32_t task, int lock)
{
	size_t i = 0;

	while (i < hs->n && (hs->h[i].task != task || hs->h[i].lock != lock))
		i++;
	return i;
}

/* One take or release: a reentrant take goes deeper, a release closes the
 * hold when its depth is back to 0 (or it lets go of every take). */
static void holds_add(struct trace *tr, struct holds *hs, const struct ev *e)
{
	int lock = (int)(e->arg & LOCK_ID_MASK);
	int64_t t = e->ts_ns - tr->rec->origin_ns;
	size_t i;

	if (lock >= RT_LOCKS_MAX || e->task == EV_NO_TASK)
		return;
	i = holds_find(hs, e->task, lock);
	t = t > 0 ? t : 0;
	if (e->kind == EV_ACQUIRE && i < hs->n) {
		hs->h[i].depth++;
	} else if (e->kind == EV_ACQUIRE) {
		hs->h = grow_holds(hs);
		hs->h[hs->n++] = (struct hold){ e->task, lock, 1, t };
		hs->seen |= (uint64_t)1 << lock;
	} else if (i < hs->n &&
		   ((e->arg & EV_RELEASE_ALL) || --hs->h[i].depth == 0)) {
		trace_hold(tr, &hs->h[i], t);
		hs->h[i] = hs->h[--hs->n];
	}
}

/* The program locks' holds, from the raw events (the timeline keeps
 * takes and releases per lane, but a hold is a task's); holds still open
 * at the end last until then. Then the locks' tracks' names. */
static void trace_locks(struct trace *tr)
{
	const struct recording *rec = tr->rec;
	struct holds hs = { 0 };
	char name[32];

	for (size_t i = 0; i < rec->nev; i++)
		if (rec->ev[i].kind == EV_ACQUIRE ||
		    rec->ev[i].kind == EV_RELEASE)
			holds_add(tr, &hs, &rec->ev[i]);
	for (size_t i = 0; i < hs.n; i++)
		trace_hold(tr, &hs.h[i], tr->now);
	free(hs.h);
	for (int k = 0; k < RT_LOCKS_MAX; k++) {
		if (!(hs.seen >> k & 1))
			continue;
		msg_fmt(name, sizeof name, "lock L%d", k);
		trace_meta(tr, TID_LOCK + k, "thread_name", name, 0);
		trace_meta(tr, TID_LOCK + k, "thread_sort_index", NULL,
			   TID_LOCK + k);
	}
}

/* One task a track, as the tutorials' asyncio diagram has it. */
static void trace_tasks(struct trace *tr)
{
	struct timeline *tl = tr->rec->tl;
	char name[32];

	timeline_set_view(tl, TIMELINE_BY_TASK);
	for (int t = 0; t < timeline_lanes(tl) && tr->o->err == 0; t++) {
		if (timeline_segments(tl, t) == 0)
			continue;
		msg_fmt(name, sizeof name, "t%d", t);
		trace_meta(tr, TID_TASK + t, "thread_name", name, 0);
		trace_lane(tr, t, TID_TASK + t);
	}
	timeline_set_view(tl, TIMELINE_BY_WORKER);
}

/* Run i as process i + 1. */
static void trace_run(struct out *o, const struct recording *rec, int i)
{
	struct trace tr = { o, rec, i + 1, recording_now(rec) };
	char name[SCENARIO_NAME_MAX + 96];

	msg_fmt(name, sizeof name, "%s (%s, %d worker%s, GIL %s)",
		rec->cfg.sc.name, run_model(rec), run_workers_shown(rec),
		run_workers_shown(rec) == 1 ? "" : "s",
		rec->cfg.gil ? "on" : "off");
	trace_meta(&tr, 0, "process_name", name, 0);
	trace_meta(&tr, 0, "process_sort_index", NULL, i);
	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
	for (int l = 0; l < timeline_lanes(rec->tl) && o->err == 0; l++) {
		lane_name(rec, l, name, sizeof name);
		trace_meta(&tr, TID_WORKER + l, "thread_name", name, 0);
		trace_meta(&tr, TID_WORKER + l, "thread_sort_index", NULL, l);
		trace_lane(&tr, l, TID_WORKER + l);
	}
	trace_locks(&tr);
	if (run_by_task(rec))
		trace_tasks(&tr);
}

/* ",KEY:" - a key of an object that has one before it. */
static void put_key(struct out *o, const char *key)
{
	put_str(o, ",\"");
	put_str(o, key);
	put_str(o, "\":");
}

static void put_key_u64(struct out *o, const char *key, uint64_t v)
{
	put_key(o, key);
	put_u64(o, v);
}

static void put_key_i64(struct out *o, const char *key, int64_t v)
{
	put_key(o, key);
	put_i64(o, v);
}

static void put_key_double(struct out *o, const char *key, double v)
{
	put_key(o, key);
	put_double(o, v);
}

static void put_key_str(struct out *o, const char *key, const char *s)
{
	put_key(o, key);
	put_json_str(o, s);
}

static void put_key_bool(struct out *o, const char *key, int v)
{
	put_key(o, key);
	put_str(o, v ? "true" : "false");
}

/* ",seed":N - or "N", a string, past INT64_MAX: JSON readers such as
 * jansson read signed 64-bit integers only, and would refuse the file. */
static void put_key_seed(struct out *o, uint64_t seed)
{
	put_key(o, "seed");
	if (seed > INT64_MAX)
		put_c(o, '"');
	put_u64(o, seed);
	if (seed > INT64_MAX)
		put_c(o, '"');
}

/* What ran: the run's config. */
static void conviz_config(struct out *o, const struct recording *rec)
{
	const struct run_config *c = &rec->cfg;

	put_str(o, "{\"scenario\":");
	put_json_str(o, c->sc.name);
	put_key_str(o, "title", c->sc.title);
	put_key_str(o, "workload", c->sc.workload);
	put_key_str(o, "model", run_model(rec));
	put_key_i64(o, "workers", c->workers);
	put_key_bool(o, "gil", c->gil);
	put_key_seed(o, c->seed);
	put_key_double(o, "scale", c->scale);
	put_key_u64(o, "tasks", rec->ntasks);
	put_key_i64(o, "arg", c->sc.arg);
	put_key_i64(o, "limit", c->limit);
	put_key_i64(o, "chunk", c->chunk);
	put_key_str(o, "start", procs_start_name(c->start));
	put_key_i64(o, "view", run_config_view(c));
	put_key_str(o, "urls_from", c->urls_from);
	put_key_u64(o, "urls_count", c->urls ? c->urls->count : c->urls_count);
	put_key_i64(o, "origin_ns", rec->origin_ns);
	put_key_bool(o, "ended", rec->ended);
	put_key_i64(o, "end_ns", recording_now(rec));
}

/* A deadlock's cycle as the runtime found it: [[TASK,LANE,HOLDS,WANTS],
 * ...], what run_ledger_cycle draws the books from. */
static void conviz_cycle(struct out *o, const struct run_stats *st)
{
	int n = st->ncycle < RT_LOCKS_MAX ? st->ncycle : RT_LOCKS_MAX;

	put_key(o, "cycle_steps");
	put_c(o, '[');
	for (int i = 0; i < n; i++) {
		const struct rt_cycle_step *s = &st->cycle_step[i];
		put_str(o, i > 0 ? ",[" : "[");
		put_u64(o, s->task);
		put_c(o, ',');
		put_u64(o, s->lane);
		put_c(o, ',');
		put_u64(o, s->holds);
		put_c(o, ',');
		put_u64(o, s->wants);
		put_c(o, ']');
	}
	put_c(o, ']');
}

/* How it went: every field of the summary line, and the rest of the
 * run's stats a reader needs to show them again. */
static void conviz_stats(struct out *o, const struct run_stats *st)
{
	put_key_u64(o, "ok", st->ok);
	put_key_u64(o, "failed", st->failed);
	put_key_u64(o, "wrong", st->wrong);
	put_key_i64(o, "first_wrong", st->first_wrong);
	put_key_str(o, "wrong_got", st->wrong_got);
	put_key_str(o, "wrong_want", st->wrong_want);
	put_key_i64(o, "run_start_ns", st->start_ns);
	put_key_i64(o, "run_end_ns", st->end_ns);
	put_key_double(o, "wall_s", st->wall_s);
	put_key_double(o, "cpu_s", st->cpu_s);
	put_key_u64(o, "events_pushed", st->events);
	put_key_u64(o, "dropped", st->dropped);
	put_key_u64(o, "stalls", st->stalls);
	put_key_double(o, "stall_s", st->stall_s);
	put_key_double(o, "ready_s", st->ready_s);
	put_key_u64(o, "gil_switches", st->gil_switches);
	put_key_i64(o, "status", st->status);
	put_key_bool(o, "cancelled", st->cancelled);
	put_key_bool(o, "checked", st->checked);
	put_key_bool(o, "race", st->race);
	put_key_i64(o, "expected_sum", st->expected_sum);
	put_key_i64(o, "final_sum", st->final_sum);
	put_key_u64(o, "lost_updates", st->lost_updates);
	put_key_i64(o, "lost_amount", st->lost_amount);
	put_key_i64(o, "locks", st->locks);
	put_key_double(o, "lock_wait_s", st->lock_wait_s);
	put_key_double(o, "lock_hold_s", st->lock_hold_s);
	put_key_u64(o, "lock_waits", st->lock_waits);
	put_key_bool(o, "deadlock", st->deadlock);
	put_key_str(o, "cycle", st->cycle);
	conviz_cycle(o, st);
}

/* The race lab's books as the run began (recording.h's ledger0), or
 * null when the run keeps none. */
static void conviz_ledger(struct out *o, const struct recording *rec)
{
	const struct ledger *lg = &rec->ledger0;

	put_key(o, "ledger");
	if (!rec->has_ledger) {
		put_str(o, "null");
		return;
	}
	put_str(o, "{\"nvars\":");
	put_i64(o, lg->nvars);
	put_key(o, "initial");
	put_c(o, '[');
	for (int i = 0; i < lg->nvars; i++) {
		if (i > 0)
			put_c(o, ',');
		put_i64(o, lg->value[i]);
	}
	put_c(o, ']');
	put_key_i64(o, "expected", lg->expected);
	put_key_i64(o, "nlocks", lg->nlocks);
	put_key_bool(o, "copies", lg->copies);
	put_key_bool(o, "counting", lg->counting);
	put_c(o, '}');
}

/* ",KEY":[...] with each task's text, null where there is none. */
static void conviz_texts(struct out *o, const char *key,
			 const struct recording *rec, int what)
{
	put_key(o, key);
	put_c(o, '[');
	for (uint32_t i = 0; i < rec->ntasks; i++) {
		if (i > 0)
			put_c(o, ',');
		put_json_str(o, what ? recording_what(rec, i)
				     : recording_result(rec, i));
	}
	put_c(o, ']');
}

/* ",outcomes":[...]: how each task went, "ok" or "failed", null where
 * it is not known (recording_status). */
static void conviz_outcomes(struct out *o, const struct recording *rec)
{
	put_key(o, "outcomes");
	put_c(o, '[');
	for (uint32_t i = 0; i < rec->ntasks; i++) {
		enum task_status st = recording_status(rec, i);
		if (i > 0)
			put_c(o, ',');
		put_str(o, st == TASK_OK       ? "\"ok\""
			   : st == TASK_FAILED ? "\"failed\""
					       : "null");
	}
	put_c(o, ']');
}

/* Every raw event: [T,LANE,TASK,KIND,ARG], T from the origin. */
static void conviz_events(struct out *o, const struct recording *rec)
{
	put_key(o, "events");
	put_c(o, '[');
	for (size_t i = 0; i < rec->nev && o->err == 0; i++) {
		const struct ev *e = &rec->ev[i];
		if (i > 0)
			put_c(o, ',');
		put_c(o, '[');
		put_i64(o, e->ts_ns - rec->origin_ns);
		put_c(o, ',');
		put_u64(o, e->lane);
		put_c(o, ',');
		trace_task_arg(o, e->task);
		put_c(o, ',');
		put_u64(o, e->kind);
		put_c(o, ',');
		put_i64(o, e->arg);
		put_c(o, ']');
	}
	put_c(o, ']');
}

/* The "conviz" section: what a reader needs to play the runs back. */
static void conviz_section(struct out *o, const struct recording *const *recs,
			   int n)
{
	put_str(o, ",\"conviz\":{\"version\":");
	put_i64(o, EXPORT_TRACE_VERSION);
	put_str(o, ",\"kinds\":[");
	for (unsigned k = 0; k < EV_KIND_COUNT; k++) {
		if (k > 0)
			put_c(o, ',');
		put_json_str(o, ev_kind_name(k));
	}
	put_str(o, "],\"runs\":[");
	for (int i = 0; i < n; i++) {
		if (i > 0)
			put_c(o, ',');
		conviz_config(o, recs[i]);
		conviz_stats(o, &recs[i]->st);
		conviz_ledger(o, recs[i]);
		conviz_texts(o, "results", recs[i], 0);
		conviz_outcomes(o, recs[i]);
		conviz_texts(o, "what", recs[i], 1);
		conviz_events(o, recs[i]);
		put_c(o, '}');
	}
	put_str(o, "]}");
}

/* displayTimeUnit first, and conviz last: Perfetto reads the unit from
 * the file's first bytes, and older versions stop at a key they do not
 * know. */
static void write_trace(struct out *o, const struct recording *const *recs,
			int n)
{
	put_str(o, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
	o->items = 0;
	for (int i = 0; i < n && o->err == 0; i++)
		trace_run(o, recs[i], i);
	put_str(o, "],\"otherData\":{\"generator\":\"" PACKAGE_NAME
		   " " PACKAGE_VERSION "\"}");
	conviz_section(o, recs, n);
	put_str(o, "}\n");
}

/* ---- SVG timing diagram ------------------------------------------------ */

#define SVG_COLS 1000  /* columns (pixels) of the longest run */
#define SVG_LEFT 130   /* room for the lanes' labels */
#define SVG_RIGHT 30   /* room for the last tick's label */
#define SVG_TOP 10     /* above the first title */
#define SVG_TITLE 24   /* a run's title line */
#define SVG_ROW 16     /* a lane's bar */
#define SVG_ROW_GAP 4  /* between two bars */
#define SVG_RUN_GAP 14 /* between two runs */
#define SVG_AXIS 34    /* the time axis and its labels */
#define SVG_LEGEND 30  /* the legend */
#define SVG_TURN_PX 3  /* a mixed cell's turns: this many columns each */
#define SVG_MARK_W 9   /* a marker's box */
#define SVG_TICKS 8    /* about this many ticks on the axis */

/* How the states look: screen colours, and each its own pattern over it
 * so that a black and white print still tells them apart. Idle and done
 * are not drawn, as on screen. */
static const char *const svg_pattern[EV_STATE_COUNT] = {
	[EV_CPU] = "<rect width=\"6\" height=\"6\" fill=\"#1f4fd1\"/>",
	[EV_IO] = "<rect width=\"6\" height=\"6\" fill=\"#d62728\"/>"
		  "<path d=\"M0,6L6,0M-1,1L1,-1M5,7L7,5\" stroke=\"#fff\" "
		  "stroke-width=\"1.3\"/>",
	[EV_LOCK_WAIT] = "<rect width=\"6\" height=\"6\" fill=\"#f0c000\"/>"
			 "<circle cx=\"1.5\" cy=\"1.5\" r=\"0.9\"/>"
			 "<circle cx=\"4.5\" cy=\"4.5\" r=\"0.9\"/>",
	[EV_GIL_WAIT] = "<rect width=\"6\" height=\"6\" fill=\"#f0c000\"/>"
			"<circle cx=\"3\" cy=\"3\" r=\"1.3\"/>",
	[EV_STARTUP] =
		"<rect width=\"6\" height=\"6\" fill=\"#9e9e9e\"/>"
		"<path d=\"M0,3H6\" stroke=\"#fff\" stroke-width=\"1.2\"/>",
	[EV_READY] = "<rect width=\"6\" height=\"6\" fill=\"#17becf\"/>"
		     "<path d=\"M0,0L6,6M0,6L6,0\" stroke=\"#000\" "
		     "stroke-width=\"0.7\"/>",
	[EV_STALL] =
		"<rect width=\"6\" height=\"6\" fill=\"#c03cc0\"/>"
		"<path d=\"M3,0V6\" stroke=\"#fff\" stroke-width=\"1.2\"/>",
};

/* The order of the legend. */
static const enum ev_kind svg_legend_order[] = {
	EV_CPU,	  EV_IO,      EV_LOCK_WAIT, EV_GIL_WAIT,
	EV_READY, EV_STARTUP, EV_STALL,
};

/* The markers drawn, each a red box with its letter. */
static const struct {
	enum ev_kind kind;
	const char *letter, *label;
} svg_marks[] = {
	{ EV_ERROR, "E", "error" },
	{ EV_LOST_UPDATE, "L", "lost update" },
	{ EV_DEADLOCK, "D", "deadlock" },
};
#define SVG_NMARKS (sizeof svg_marks / sizeof svg_marks[0])

struct svg {
	struct out *o;
	int64_t span; /* the longest run's length: the axis */
	int cols;     /* columns over the span */
	int height;
	unsigned states; /* EV_BIT()s of the states drawn */
	unsigned marks;	 /* bits of svg_marks[] drawn */
	int separators;	 /* was a task boundary drawn? */
};

/* Start of column c of the span; written so that span * c cannot
 * overflow on long runs. */
static int64_t svg_col_time(const struct svg *s, int c)
{
	return s->span / s->cols * c + s->span % s->cols * c / s->cols;
}

/* Where column c begins, in pixels. */
static int svg_x(const struct svg *s, int c)
{
	return SVG_LEFT + (int)((int64_t)c * SVG_COLS / s->cols);
}

/* The columns that run `rec` covers: those that start before its end. */
static int svg_run_cols(const struct svg *s, const struct recording *rec)
{
	int64_t now = recording_now(rec);
	int c = 0;

	while (c < s->cols && svg_col_time(s, c) < now)
		c++;
	return c;
}

static void put_int(struct out *o, int v)
{
	put_i64(o, v);
}

/* <rect x= y= width= height= then the rest of the element. */
static void svg_rect(struct out *o, int x, int y, int w, int h,
		     const char *rest)
{
	put_str(o, "<rect x=\"");
	put_int(o, x);
	put_str(o, "\" y=\"");
	put_int(o, y);
	put_str(o, "\" width=\"");
	put_int(o, w);
	put_str(o, "\" height=\"");
	put_int(o, h);
	put_str(o, "\" ");
	put_str(o, rest);
}

/* A bar of one state from column c0 to c1. */
static void svg_bar(struct svg *s, int c0, int c1, int y, enum ev_kind k)
{
	if (k == EV_IDLE || k == EV_DONE || c1 <= c0)
		return;
	svg_rect(s->o, svg_x(s, c0), y, svg_x(s, c1) - svg_x(s, c0), SVG_ROW,
		 "fill=\"url(#s-");
	put_str(s->o, ev_kind_name(k));
	put_str(s->o, ")\"/>\n");
	s->states |= EV_BIT(k);
}

/* The bars of lane L over its run's columns, equal neighbours merged. A
 * mixed cell alternates its two states, as on screen, in turns of a few
 * columns each so that the turns stay visible and few. */
static void svg_bars(struct svg *s, const struct recording *rec, int lane,
		     int cols, int y)
{
	int64_t now = recording_now(rec);
	enum ev_kind cur = EV_IDLE;
	int from = 0;

	for (int c = 0; c < cols; c++) {
		enum ev_kind k = timeline_cell(
			rec->tl, lane, svg_col_time(s, c),
			svg_col_time(s, c + 1), now, c / SVG_TURN_PX + lane);
		if (k != cur) {
			svg_bar(s, from, c, y, cur);
			cur = k;
			from = c;
		}
	}
	svg_bar(s, from, cols, y, cur);
}

/* Is column c of lane L drawn as a task boundary? */
static int svg_boundary(const struct svg *s, const struct recording *rec,
			int lane, int c)
{
	int64_t t0 = svg_col_time(s, c), t1 = svg_col_time(s, c + 1);

	return t1 > t0 &&
	       timeline_cell_boundary(rec->tl, lane, t0, t1, recording_now(rec),
				      c / SVG_TURN_PX + lane);
}

/* A thin white line where a task gives way to the next (upright, so it
 * stands out of the hatching). Where tasks are shorter than a column,
 * boundaries fill neighbouring columns: none of them is drawn, as lines
 * there would only paint the bar white. */
static void svg_separators(struct svg *s, const struct recording *rec, int lane,
			   int cols, int y)
{
	int prev = 0, cur = cols > 0 && svg_boundary(s, rec, lane, 0), any = 0;

	for (int c = 0; c < cols; c++) {
		int next = c + 1 < cols && svg_boundary(s, rec, lane, c + 1);
		if (cur && !prev && !next) {
			put_str(s->o, any ? "M" : "<path d=\"M");
			put_int(s->o, svg_x(s, c));
			put_c(s->o, ' ');
			put_int(s->o, y);
			put_c(s->o, 'v');
			put_int(s->o, SVG_ROW);
			any = 1;
		}
		prev = cur;
		cur = next;
	}
	if (any) {
		put_str(s->o, "\" stroke=\"#fff\" stroke-width=\"2\"/>\n");
		s->separators = 1;
	}
}

/* Errors, lost updates and deadlocks: a small red box with a letter at
 * the column where they happen, none closer than a box to the last. */
static void svg_lane_marks(struct svg *s, const struct recording *rec, int lane,
			   int cols, int y)
{
	int last_x = -100;

	for (int c = 0; c < cols; c++) {
		int64_t t0 = svg_col_time(s, c), t1 = svg_col_time(s, c + 1);
		/* The last column owns the run's last instant too. */
		unsigned mask = timeline_markers(rec->tl, lane, t0,
						 c == cols - 1 ? t1 + 1 : t1);
		for (unsigned m = 0; m < SVG_NMARKS; m++) {
			unsigned bit = 1u
				       << (svg_marks[m].kind - EV_STATE_COUNT);
			if (!(mask & bit) || svg_x(s, c) < last_x + SVG_MARK_W)
				continue;
			last_x = svg_x(s, c);
			put_str(s->o, "<use xlink:href=\"#m-");
			put_str(s->o, svg_marks[m].letter);
			put_str(s->o, "\" x=\"");
			put_int(s->o, last_x);
			put_str(s->o, "\" y=\"");
			put_int(s->o, y + 1);
			put_str(s->o, "\"/>\n");
			s->marks |= 1u << m;
		}
	}
}

/* <text x= y= then the attributes in `rest` and the text, escaped. */
static void svg_text(struct out *o, int x, int y, const char *rest,
		     const char *text)
{
	put_str(o, "<text x=\"");
	put_int(o, x);
	put_str(o, "\" y=\"");
	put_int(o, y);
	put_str(o, "\" ");
	put_str(o, rest);
	put_c(o, '>');
	put_xml_str(o, text);
	put_str(o, "</text>\n");
}

/* A run's title line: scenario, model, workers, GIL, wall time, and the
 * scenario's own title. */
static void svg_title(struct svg *s, const struct recording *rec, int y)
{
	char line[SCENARIO_TEXT_MAX + SCENARIO_NAME_MAX + 128];

	msg_fmt(line, sizeof line,
		"%s \xe2\x80\x94 %s, %d worker%s, GIL %s \xe2\x80\x94 wall "
		"%.3f s \xe2\x80\x94 %s",
		rec->cfg.sc.name, run_model(rec), run_workers_shown(rec),
		run_workers_shown(rec) == 1 ? "" : "s",
		rec->cfg.gil ? "on" : "off", run_wall_s(rec),
		rec->cfg.sc.title);
	svg_text(s->o, 8, y + 16, "font-size=\"13\" font-weight=\"bold\"",
		 line);
}

/* A round step for about SVG_TICKS ticks over the span: 1, 2 or 5 times
 * a power of ten nanoseconds. */
static int64_t svg_tick_step(int64_t span)
{
	int64_t want = span / SVG_TICKS, p = 1;

	while (p <= want / 10)
		p *= 10;
	if (p >= want)
		return p;
	if (2 * p >= want)
		return 2 * p;
	if (5 * p >= want)
		return 5 * p;
	return 10 * p;
}

/* A tick's label: in seconds for a span of a second or more, else in
 * milliseconds, with the decimals the step needs. */
static void svg_tick_label(char *buf, size_t len, int64_t t, int64_t step,
			   int64_t span)
{
	int64_t unit = span >= 1000000000 ? 1000000000 : 1000000, q = unit;
	int d = 0;

	while (step % q != 0 && d < 6) {
		q /= 10;
		d++;
	}
	if (d == 0)
		msg_fmt(buf, len, "%" PRId64 " %s", t / unit,
			unit == 1000000 ? "ms" : "s");
	else
		msg_fmt(buf, len, "%" PRId64 ".%0*" PRId64 " %s", t / unit, d,
			t % unit / q, unit == 1000000 ? "ms" : "s");
}

/* The x of time t on the shared axis. */
static int svg_tick_x(const struct svg *s, int64_t t)
{
	return SVG_LEFT + (int)((double)t * SVG_COLS / (double)s->span);
}

/* A faint grid line at each tick from y0 to y1: over one run's lanes
 * only, so that no line crosses a title. */
static void svg_grid(struct svg *s, int y0, int y1)
{
	int64_t step = svg_tick_step(s->span);

	for (int64_t t = 0; t <= s->span && s->o->err == 0; t += step)
		svg_rect(s->o, svg_tick_x(s, t), y0, 1, y1 - y0,
			 "fill=\"#ddd\"/>\n");
}

/* The time axis below the runs, with its ticks and their labels. */
static void svg_axis(struct svg *s, int y)
{
	int64_t step = svg_tick_step(s->span);
	char label[48];

	svg_rect(s->o, SVG_LEFT, y, SVG_COLS, 1, "fill=\"#000\"/>\n");
	for (int64_t t = 0; t <= s->span && s->o->err == 0; t += step) {
		int x = svg_tick_x(s, t);
		svg_rect(s->o, x, y, 1, 5, "fill=\"#000\"/>\n");
		svg_tick_label(label, sizeof label, t, step, s->span);
		svg_text(s->o, x, y + 18,
			 "font-size=\"11\" text-anchor=\"middle\"", label);
	}
}

/* One run: its title, then a row per worker, and the grid over them
 * (down to the axis under the last run). Returns the y below it. */
static int svg_run(struct svg *s, const struct recording *rec, int y, int last)
{
	int cols = svg_run_cols(s, rec);
	char name[64];
	int top;

	svg_title(s, rec, y);
	y += SVG_TITLE;
	top = y;
	timeline_set_view(rec->tl, TIMELINE_BY_WORKER);
	for (int l = 0; l < timeline_lanes(rec->tl) && s->o->err == 0; l++) {
		lane_name(rec, l, name, sizeof name);
		svg_text(s->o, SVG_LEFT - 6, y + 12,
			 "font-size=\"11\" text-anchor=\"end\"", name);
		svg_rect(s->o, SVG_LEFT, y, svg_x(s, cols) - SVG_LEFT, SVG_ROW,
			 "fill=\"#f2f2f2\"/>\n");
		svg_bars(s, rec, l, cols, y);
		svg_separators(s, rec, l, cols, y);
		svg_lane_marks(s, rec, l, cols, y);
		y += SVG_ROW + SVG_ROW_GAP;
	}
	svg_grid(s, top, y + (last ? 4 : 0));
	return y;
}

/* One entry of the legend at x: a swatch (`fill` attributes) and its
 * name. Returns the x of the next. */
static int svg_legend_entry(struct svg *s, int x, int y, const char *swatch,
			    const char *name)
{
	put_str(s->o, swatch);
	put_c(s->o, '\n');
	svg_text(s->o, x + 24, y + 10, "font-size=\"11\"", name);
	return x + 34 + 7 * (int)strlen(name);
}

/* The states that appear, then the marks. */
static void svg_legend(struct svg *s, int y)
{
	char sw[160];
	int x = SVG_LEFT;

	for (size_t i = 0;
	     i < sizeof svg_legend_order / sizeof svg_legend_order[0]; i++) {
		enum ev_kind k = svg_legend_order[i];
		if (!(s->states & EV_BIT(k)))
			continue;
		msg_fmt(sw, sizeof sw,
			"<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"11\" "
			"fill=\"url(#s-%s)\" stroke=\"#555\"/>",
			x, y + 1, ev_kind_name(k));
		x = svg_legend_entry(s, x, y, sw, ev_kind_name(k));
	}
	for (unsigned m = 0; m < SVG_NMARKS; m++) {
		if (!(s->marks & 1u << m))
			continue;
		msg_fmt(sw, sizeof sw,
			"<use xlink:href=\"#m-%s\" x=\"%d\" y=\"%d\"/>",
			svg_marks[m].letter, x + 4, y);
		x = svg_legend_entry(s, x, y, sw, svg_marks[m].label);
	}
	if (s->separators) {
		msg_fmt(sw, sizeof sw,
			"<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"11\" "
			"fill=\"#1f4fd1\"/><path d=\"M%d %dv11\" "
			"stroke=\"#fff\" "
			"stroke-width=\"2\"/>",
			x, y + 1, x + 9, y + 1);
		svg_legend_entry(s, x, y, sw, "next task");
	}
}

/* The patterns, and the marks' boxes. */
static void svg_defs(struct out *o)
{
	put_str(o, "<defs>\n");
	for (unsigned k = 0; k < EV_STATE_COUNT; k++) {
		if (svg_pattern[k] == NULL)
			continue;
		put_str(o, "<pattern id=\"s-");
		put_str(o, ev_kind_name(k));
		put_str(o, "\" patternUnits=\"userSpaceOnUse\" width=\"6\" "
			   "height=\"6\">");
		put_str(o, svg_pattern[k]);
		put_str(o, "</pattern>\n");
	}
	for (unsigned m = 0; m < SVG_NMARKS; m++) {
		put_str(o, "<g id=\"m-");
		put_str(o, svg_marks[m].letter);
		put_str(o, "\"><rect width=\"9\" height=\"10\" rx=\"2\" "
			   "fill=\"#e00000\" stroke=\"#fff\" "
			   "stroke-width=\"0.5\"/><text x=\"4.5\" y=\"8\" "
			   "font-size=\"8\" font-weight=\"bold\" "
			   "text-anchor=\"middle\" fill=\"#fff\">");
		put_str(o, svg_marks[m].letter);
		put_str(o, "</text></g>\n");
	}
	put_str(o, "</defs>\n");
}

static int svg_height(const struct recording *const *recs, int n)
{
	int h = SVG_TOP + SVG_AXIS + SVG_LEGEND + SVG_RUN_GAP * (n - 1);

	for (int i = 0; i < n; i++) {
		timeline_set_view(recs[i]->tl, TIMELINE_BY_WORKER);
		h += SVG_TITLE +
		     timeline_lanes(recs[i]->tl) * (SVG_ROW + SVG_ROW_GAP);
	}
	return h;
}

static void svg_head(struct svg *s, const struct recording *rec)
{
	int w = SVG_LEFT + SVG_COLS + SVG_RIGHT;
	char dims[128];

	put_str(s->o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		      "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
		      "version=\"1.1\" ");
	msg_fmt(dims, sizeof dims,
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"", w,
		s->height, w, s->height);
	put_str(s->o, dims);
	put_str(s->o, " font-family=\"sans-serif\">\n<title>conviz: ");
	put_xml_str(s->o, rec->cfg.sc.name);
	put_str(s->o, "</title>\n");
	svg_defs(s->o);
	svg_rect(s->o, 0, 0, w, s->height, "fill=\"#fff\"/>\n");
}

static void write_svg(struct out *o, const struct recording *const *recs, int n)
{
	struct svg s = { .o = o, .span = 1 };
	int y = SVG_TOP;

	for (int i = 0; i < n; i++)
		if (recording_now(recs[i]) > s.span)
			s.span = recording_now(recs[i]);
	s.cols = s.span < SVG_COLS ? (int)s.span : SVG_COLS;
	s.height = svg_height(recs, n);
	svg_head(&s, recs[0]);
	for (int i = 0; i < n && o->err == 0; i++)
		y = svg_run(&s, recs[i], y, i == n - 1) + SVG_RUN_GAP;
	y -= SVG_RUN_GAP;
	svg_axis(&s, y + 4);
	svg_legend(&s, y + SVG_AXIS);
	put_str(o, "</svg>\n");
}

/* ---- CSV ---------------------------------------------------------------- */

/* The runs' names for the run column: "SCENARIO/MODEL", and "#I" after it
 * when two runs would share one. names[i] to free. */
static char **csv_run_names(const struct recording *const *recs, int n)
{
	char **names = xcalloc((size_t)n, sizeof *names);
	char buf[SCENARIO_NAME_MAX + 48];

	for (int i = 0; i < n; i++) {
		msg_fmt(buf, sizeof buf, "%s/%s", recs[i]->cfg.sc.name,
			run_model(recs[i]));
		names[i] = xstrdup(buf);
	}
	for (int i = 0; i < n; i++) {
		int shared = 0;
		for (int j = 0; j < n; j++)
			shared |= j != i &&
				  recs[j]->cfg.model == recs[i]->cfg.model &&
				  strcmp(recs[j]->cfg.sc.name,
					 recs[i]->cfg.sc.name) == 0;
		if (!shared)
			continue;
		msg_fmt(buf, sizeof buf, "%s/%s#%d", recs[i]->cfg.sc.name,
			run_model(recs[i]), i + 1);
		free(names[i]);
		names[i] = xstrdup(buf);
	}
	return names;
}

struct csv {
	struct out *o;
	const char *run;
	int lane;
};

/* run,lane,task,state,start_s,end_s,arg - arg empty for a state. */
static void csv_row(struct csv *c, uint32_t task, const char *state,
		    int64_t start, int64_t end, const int64_t *arg)
{
	struct out *o = c->o;

	put_csv_str(o, c->run);
	put_str(o, ",w");
	put_int(o, c->lane);
	put_c(o, ',');
	if (task != EV_NO_TASK)
		put_u64(o, task);
	put_c(o, ',');
	put_str(o, state);
	put_c(o, ',');
	put_fixed(o, start, 9);
	put_c(o, ',');
	put_fixed(o, end, 9);
	put_c(o, ',');
	if (arg != NULL)
		put_i64(o, *arg);
	put_c(o, '\n');
}

/* The markers from *next on that fall before t. */
static void csv_marks(struct csv *c, const struct mark *m, size_t n,
		      size_t *next, int64_t t)
{
	for (; *next < n && m[*next].m.t < t; ++*next)
		csv_row(c, m[*next].m.task, ev_kind_name(m[*next].kind),
			m[*next].m.t, m[*next].m.t, &m[*next].m.arg);
}

/* Worker lane L: idle before its first event, then every segment that
 * takes time, each followed by the markers in it. */
static void csv_lane(struct csv *c, const struct recording *rec)
{
	int64_t now = recording_now(rec);
	struct timeline_seg sg;
	struct mark *marks;
	size_t n = lane_marks(rec->tl, c->lane, &marks), next = 0;

	if (timeline_seg_nth(rec->tl, c->lane, 0, now, &sg) == 0 &&
	    sg.start > 0)
		csv_row(c, EV_NO_TASK, ev_kind_name(EV_IDLE), 0, sg.start,
			NULL);
	for (size_t i = 0; timeline_seg_nth(rec->tl, c->lane, i, now, &sg) == 0;
	     i++) {
		if (sg.end <= sg.start)
			continue;
		csv_marks(c, marks, n, &next, sg.start);
		csv_row(c, sg.task, ev_kind_name(sg.state), sg.start, sg.end,
			NULL);
	}
	csv_marks(c, marks, n, &next, INT64_MAX);
	free(marks);
}

static void write_csv(struct out *o, const struct recording *const *recs, int n)
{
	char **names = csv_run_names(recs, n);

	put_str(o, "run,lane,task,state,start_s,end_s,arg\n");
	for (int i = 0; i < n; i++) {
		struct csv c = { o, names[i], 0 };
		timeline_set_view(recs[i]->tl, TIMELINE_BY_WORKER);
		for (c.lane = 0;
		     c.lane < timeline_lanes(recs[i]->tl) && o->err == 0;
		     c.lane++)
			csv_lane(&c, recs[i]);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- The writers ------------------------------------------------------- */

/* Opens path, has `write` fill it, closes it; the recordings' views as
 * they were. */
static int export_with(void (*write)(struct out *o,
				     const struct recording *const *recs,
				     int n),
		       const struct recording *const *recs, int n,
		       const char *path, char *err, size_t errlen)
{
	enum timeline_view *views;
	struct out o;
	int rc;

	if (recs == NULL || n < 1) {
		msg_fmt(err, errlen, "no run to export: record a run first");
		return -1;
	}
	if (out_open(&o, path, err, errlen) != 0)
		return -1;
	views = xmalloc((size_t)n * sizeof *views);
	for (int i = 0; i < n; i++)
		views[i] = timeline_get_view(recs[i]->tl);
	write(&o, recs, n);
	for (int i = 0; i < n; i++)
		timeline_set_view(recs[i]->tl, views[i]);
	free(views);
	rc = out_close(&o, err, errlen);
	return rc;
}

int export_trace(const struct recording *const *recs, int n, const char *path,
		 char *err, size_t errlen)
{
	return export_with(write_trace, recs, n, path, err, errlen);
}

int export_svg(const struct recording *const *recs, int n, const char *path,
	       char *err, size_t errlen)
{
	return export_with(write_svg, recs, n, path, err, errlen);
}

int export_csv(const struct recording *const *recs, int n, const char *path,
	       char *err, size_t errlen)
{
	return export_with(write_csv, recs, n, path, err, errlen);
}
