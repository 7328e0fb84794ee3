/* replay.c - a saved trace read back (see replay.h).
 *
 * jansson parses the whole file into a tree; then each run is checked
 * field by field before its recording is made (a recording allocates a
 * slot per task: a file that lies about its tasks is refused first), and
 * its events are checked one by one as they are fed in.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/export.h"
#include "app/recording.h"
#include "app/replay.h"
#include "app/run.h"
#include "app/scenario.h"
#include "core/ev.h"
#include "core/ledger.h"
#include "core/msg.h"
#include "core/num.h"
#include "core/timeline.h"
#include "core/urllist.h"
#include "models/model.h"
#include "models/procs.h"
#include "rt/locks.h"
#include "work/work.h"

/* What to do about any file replay cannot read. */
#define TODO "replay reads traces written by conviz --trace"

#define KINDS_MAX 256  /* names in "kinds" */
#define RUNS_MAX 1024  /* runs in one trace */
#define PATH_TEXT 4096 /* the longest urls_from */
/* A stat in seconds: at most 285 years, still nanoseconds in an
 * int64_t. */
#define SECONDS_MAX 9e9
/* Sums of the race lab (expected_sum, final_sum, the books' expected):
 * far from the ends of int64_t, so that their differences (the
 * invariant's "off by") cannot wrap. */
#define SUM_MAX (INT64_C(1) << 61)

/* A reading in progress, and where it is, for messages. */
struct rd {
	const char *file;
	char *err;
	size_t errlen;
	int run;	/* the run being read, from 1; 0: none */
	size_t event;	/* its event being read, from 1; 0: none */
	const char *in; /* the object of the run being read ("ledger") */
	const json_t *kinds;
	size_t nkinds;
	int kind[KINDS_MAX]; /* the file's kind i: enum ev_kind, or -1 */
	char found[96];	     /* what a bad value is, as found() says */
};

/* ---- Messages ------------------------------------------------------- */

static int fail(struct rd *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "FILE: run R[, event E | , in "OBJ"]: WHAT: TODO". Returns -1. */
static int fail(struct rd *p, const char *fmt, ...)
{
	char what[512], at[96] = "";
	struct msg_quote q;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (p->run > 0 && p->event > 0)
		msg_fmt(at, sizeof at, "run %d, event %zu: ", p->run, p->event);
	else if (p->run > 0 && p->in != NULL)
		msg_fmt(at, sizeof at, "run %d, in \"%s\": ", p->run, p->in);
	else if (p->run > 0)
		msg_fmt(at, sizeof at, "run %d: ", p->run);
	msg_fmt(p->err, p->errlen, "%s: %s%s: %s", msg_quote_path(p->file, &q),
		at, what, TODO);
	return -1;
}

/* What v is, for a message: its value when short, else its type. */
static const char *found(struct rd *p, const json_t *v)
{
	struct msg_quote q;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		if (json_array_size(v) == 0)
			return "an empty array";
		msg_fmt(p->found, sizeof p->found, "an array of %zu item%s",
			json_array_size(v), json_array_size(v) == 1 ? "" : "s");
		return p->found;
	case JSON_STRING:
		msg_fmt(p->found, sizeof p->found, "\"%s\"",
			msg_quote(json_string_value(v), &q));
		return p->found;
	case JSON_INTEGER:
		msg_fmt(p->found, sizeof p->found, "%lld",
			(long long)json_integer_value(v));
		return p->found;
	case JSON_REAL:
		msg_fmt(p->found, sizeof p->found, "%g", json_real_value(v));
		return p->found;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return "null";
	}
}

/* Key `key` holds v, which is not `want`. Returns -1. */
static int bad(struct rd *p, const char *key, const char *want, const json_t *v)
{
	return fail(p, "\"%s\" must be %s, not %s", key, want, found(p, v));
}

/* ---- Fields --------------------------------------------------------- */

/* Member `key` of obj, or NULL when it is missing (said in err). */
static const json_t *get(struct rd *p, const json_t *obj, const char *key,
			 const char *want)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		fail(p, "\"%s\" is missing (%s)", key, want);
	return v;
}

static void want_int(char *buf, size_t len, int64_t min, int64_t max)
{
	if (min == INT64_MIN && max == INT64_MAX)
		msg_fmt(buf, len, "an integer");
	else if (max == INT64_MAX)
		msg_fmt(buf, len, "an integer from %" PRId64 " up", min);
	else
		msg_fmt(buf, len, "an integer from %" PRId64 " to %" PRId64,
			min, max);
}

static int get_int(struct rd *p, const json_t *obj, const char *key,
		   int64_t min, int64_t max, int64_t *out)
{
	char want[96];
	const json_t *v;

	want_int(want, sizeof want, min, max);
	v = get(p, obj, key, want);
	if (v == NULL)
		return -1;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return bad(p, key, want, v);
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static int get_bool(struct rd *p, const json_t *obj, const char *key, int *out)
{
	const json_t *v = get(p, obj, key, "true or false");

	if (v == NULL)
		return -1;
	if (!json_is_boolean(v))
		return bad(p, key, "true or false", v);
	*out = json_is_true(v);
	return 0;
}

/* Seconds, as run_stats keeps them: finite, 0 or more. */
static int get_seconds(struct rd *p, const json_t *obj, const char *key,
		       double *out)
{
	const char *want = "a number of seconds from 0 to 9e9";
	const json_t *v = get(p, obj, key, want);

	if (v == NULL)
		return -1;
	if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
	    json_number_value(v) > SECONDS_MAX)
		return bad(p, key, want, v);
	*out = json_number_value(v);
	return 0;
}

/* Printable: no control character (what a scenario file allows). */
static int plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* A string into buf (size bytes with its NUL); when `printable`, without
 * control characters. jansson has refused NULs and bad UTF-8. */
static int get_text(struct rd *p, const json_t *obj, const char *key, char *buf,
		    size_t size, int printable)
{
	char want[96];
	const json_t *v;

	msg_fmt(want, sizeof want, "a string of at most %zu bytes%s", size - 1,
		printable ? " without control characters" : "");
	v = get(p, obj, key, want);
	if (v == NULL)
		return -1;
	if (!json_is_string(v) || json_string_length(v) >= size ||
	    (printable && !plain(json_string_value(v))))
		return bad(p, key, want, v);
	memcpy(buf, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* One of the n names name(i) gives: its i. */
static int get_choice(struct rd *p, const json_t *obj, const char *key,
		      const char *(*name)(int), int n, int *out)
{
	char want[512] = "one of";
	const json_t *v;

	for (int i = 0; i < n; i++) {
		size_t len = strlen(want);
		msg_fmt(want + len, sizeof want - len, "%s \"%s\"",
			i > 0 ? "," : "", name(i));
	}
	v = get(p, obj, key, want);
	if (v == NULL)
		return -1;
	for (int i = 0; json_is_string(v) && i < n; i++) {
		if (strcmp(json_string_value(v), name(i)) == 0) {
			*out = i;
			return 0;
		}
	}
	return bad(p, key, want, v);
}

/* The types of the fields read from a table. */
enum ftype {
	F_INT,	   /* int */
	F_LONG,	   /* long */
	F_U32,	   /* uint32_t */
	F_U64,	   /* uint64_t */
	F_I64,	   /* int64_t */
	F_BOOL,	   /* int, 0 or 1 */
	F_SECONDS, /* double, get_seconds */
	F_TEXT,	   /* char[max]; min 1: printable */
};

/* A field of a struct, at `off`, read from key: integers within
 * [min, max]. */
struct field {
	const char *key;
	enum ftype type;
	size_t off;
	int64_t min, max;
};

static void store_int(char *at, enum ftype type, int64_t v)
{
	int i = (int)v;
	long l = (long)v;
	uint32_t u32 = (uint32_t)v;
	uint64_t u64 = (uint64_t)v;

	if (type == F_INT)
		memcpy(at, &i, sizeof i);
	else if (type == F_LONG)
		memcpy(at, &l, sizeof l);
	else if (type == F_U32)
		memcpy(at, &u32, sizeof u32);
	else if (type == F_U64)
		memcpy(at, &u64, sizeof u64);
	else
		memcpy(at, &v, sizeof v);
}

static int read_field(struct rd *p, const json_t *obj, const struct field *f,
		      void *base)
{
	char *at = (char *)base + f->off;
	int64_t v = 0;
	double d = 0;
	int b = 0;

	switch (f->type) {
	case F_BOOL:
		if (get_bool(p, obj, f->key, &b) < 0)
			return -1;
		memcpy(at, &b, sizeof b);
		return 0;
	case F_SECONDS:
		if (get_seconds(p, obj, f->key, &d) < 0)
			return -1;
		memcpy(at, &d, sizeof d);
		return 0;
	case F_TEXT:
		return get_text(p, obj, f->key, at, (size_t)f->max, f->min > 0);
	default:
		if (get_int(p, obj, f->key, f->min, f->max, &v) < 0)
			return -1;
		store_int(at, f->type, v);
		return 0;
	}
}

static int read_fields(struct rd *p, const json_t *obj, const struct field *f,
		       size_t n, void *base)
{
	for (size_t i = 0; i < n; i++)
		if (read_field(p, obj, &f[i], base) < 0)
			return -1;
	return 0;
}

#define SIZEOF(type, member) sizeof(((type *)0)->member)

/* ---- What ran ------------------------------------------------------- */

#define CFG(key, type, member, min, max)                                 \
	{                                                                \
		key, type, offsetof(struct run_config, member), min, max \
	}

static const struct field cfg_fields[] = {
	CFG("title", F_TEXT, sc.title, 1, SIZEOF(struct run_config, sc.title)),
	CFG("workers", F_INT, workers, 1, RUN_WORKERS_MAX),
	CFG("gil", F_BOOL, gil, 0, 1),
	CFG("tasks", F_LONG, sc.tasks, 1, SCENARIO_TASKS_MAX),
	CFG("limit", F_INT, limit, 0, RUN_LIMIT_MAX),
	CFG("chunk", F_INT, chunk, 0, RUN_CHUNK_MAX),
	CFG("view", F_INT, view, 0, TIMELINE_VIEW_COUNT - 1),
};

static const char *model_name(int i)
{
	return model_get((enum model_id)i)->name;
}

static const char *workload_name(int i)
{
	return work_names()[i];
}

static int workload_count(void)
{
	int n = 0;

	while (work_names()[n] != NULL)
		n++;
	return n;
}

/* A scenario's name, as scenario files allow it: [a-z0-9_-]. */
static int scenario_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* The names: scenario, workload, model, start method. */
static int read_names(struct rd *p, const json_t *run, struct run_config *c)
{
	int model, start, work;

	if (get_text(p, run, "scenario", c->sc.name, sizeof c->sc.name, 1) < 0)
		return -1;
	if (!scenario_name(c->sc.name))
		return bad(p, "scenario", "a scenario's name ([a-z0-9_-])",
			   json_object_get(run, "scenario"));
	if (get_choice(p, run, "workload", workload_name, workload_count(),
		       &work) < 0 ||
	    get_choice(p, run, "model", model_name, MODEL_COUNT, &model) < 0 ||
	    get_choice(p, run, "start", procs_start_name, PROCS_START_COUNT,
		       &start) < 0)
		return -1;
	msg_fmt(c->sc.workload, sizeof c->sc.workload, "%s",
		workload_name(work));
	c->model = (enum model_id)model;
	c->start = start;
	return 0;
}

/* An unsigned 64-bit integer: past INT64_MAX, a string of its digits. */
static int read_seed(struct rd *p, const json_t *run, uint64_t *out)
{
	const char *want = "a whole number from 0 to 18446744073709551615 "
			   "(its digits in a string past 2^63 - 1)";
	const json_t *v = get(p, run, "seed", want);

	if (v == NULL)
		return -1;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && num_parse_u64(json_string_value(v), out) == 0)
		return 0;
	return bad(p, "seed", want, v);
}

static int read_scale(struct rd *p, const json_t *run, double *out)
{
	char want[64];
	const json_t *v;

	msg_fmt(want, sizeof want, "a number above 0, at most %g",
		SCENARIO_SCALE_MAX);
	v = get(p, run, "scale", want);
	if (v == NULL)
		return -1;
	if (!json_is_number(v) || !(json_number_value(v) > 0) ||
	    json_number_value(v) > SCENARIO_SCALE_MAX)
		return bad(p, "scale", want, v);
	*out = json_number_value(v);
	return 0;
}

/* The run's configuration, and its time 0. */
static int read_config(struct rd *p, const json_t *run, struct run_config *c,
		       int64_t *origin)
{
	const struct work_ops *w;
	int64_t arg;

	memset(c, 0, sizeof *c);
	if (read_names(p, run, c) < 0 ||
	    read_fields(p, run, cfg_fields,
			sizeof cfg_fields / sizeof cfg_fields[0], c) < 0 ||
	    read_seed(p, run, &c->seed) < 0 ||
	    read_scale(p, run, &c->scale) < 0 ||
	    get_int(p, run, "origin_ns", 0, REPLAY_ORIGIN_MAX, origin) < 0)
		return -1;
	/* The scenario's arg, as a scenario file allows it for its
	 * workload: work_title words the run with it. */
	w = work_find(c->sc.workload);
	if (get_int(p, run, "arg", w->arg_min, w->arg_max, &arg) < 0)
		return -1;
	c->sc.arg = (long)arg;
	c->sc.scale = c->scale;
	return 0;
}

/* urls_from: a string or null, *out pointing into the tree; and
 * urls_count, how many URLs the file had (0 when missing: the title is
 * the scenario's then). */
static int read_urls_from(struct rd *p, const json_t *run, const char **out,
			  size_t *count)
{
	const char *want = "a file name (a string) or null";
	const json_t *v = get(p, run, "urls_from", want);
	int64_t n = 0;

	if (v == NULL)
		return -1;
	if (!json_is_null(v) &&
	    (!json_is_string(v) || json_string_length(v) >= PATH_TEXT))
		return bad(p, "urls_from", want, v);
	*out = json_string_value(v); /* NULL for null */
	if (json_object_get(run, "urls_count") != NULL &&
	    get_int(p, run, "urls_count", 0, URLLIST_COUNT_MAX, &n) < 0)
		return -1;
	*count = (size_t)n;
	return 0;
}

/* ---- How it went ---------------------------------------------------- */

#define STAT(key, type, member, min, max)                               \
	{                                                               \
		key, type, offsetof(struct run_stats, member), min, max \
	}

static const struct field stat_fields[] = {
	STAT("ok", F_U32, ok, 0, UINT32_MAX),
	STAT("failed", F_U32, failed, 0, UINT32_MAX),
	STAT("wrong", F_U32, wrong, 0, UINT32_MAX),
	STAT("first_wrong", F_I64, first_wrong, -1, INT64_MAX),
	STAT("wrong_got", F_TEXT, wrong_got, 0,
	     SIZEOF(struct run_stats, wrong_got)),
	STAT("wrong_want", F_TEXT, wrong_want, 0,
	     SIZEOF(struct run_stats, wrong_want)),
	STAT("run_start_ns", F_I64, start_ns, 0, INT64_MAX),
	STAT("run_end_ns", F_I64, end_ns, 0, INT64_MAX),
	STAT("wall_s", F_SECONDS, wall_s, 0, 0),
	STAT("cpu_s", F_SECONDS, cpu_s, 0, 0),
	STAT("events_pushed", F_U64, events, 0, INT64_MAX),
	STAT("dropped", F_U64, dropped, 0, INT64_MAX),
	STAT("stalls", F_U64, stalls, 0, INT64_MAX),
	STAT("stall_s", F_SECONDS, stall_s, 0, 0),
	STAT("ready_s", F_SECONDS, ready_s, 0, 0),
	STAT("gil_switches", F_U64, gil_switches, 0, INT64_MAX),
	STAT("status", F_INT, status, INT_MIN, INT_MAX),
	STAT("cancelled", F_BOOL, cancelled, 0, 1),
	STAT("checked", F_BOOL, checked, 0, 1),
	STAT("race", F_BOOL, race, 0, 1),
	STAT("expected_sum", F_I64, expected_sum, -SUM_MAX, SUM_MAX),
	STAT("final_sum", F_I64, final_sum, -SUM_MAX, SUM_MAX),
	STAT("lost_updates", F_U64, lost_updates, 0, INT64_MAX),
	STAT("lost_amount", F_I64, lost_amount, -SUM_MAX, SUM_MAX),
	STAT("locks", F_INT, locks, 0, RT_LOCKS_MAX),
	STAT("lock_wait_s", F_SECONDS, lock_wait_s, 0, 0),
	STAT("lock_hold_s", F_SECONDS, lock_hold_s, 0, 0),
	STAT("lock_waits", F_U64, lock_waits, 0, INT64_MAX),
	STAT("deadlock", F_BOOL, deadlock, 0, 1),
	STAT("cycle", F_TEXT, cycle, 0, SIZEOF(struct run_stats, cycle)),
};

/* v is an array of n integers, each within its [lo[i], hi[i]]: into
 * out. 0 or -1 (nothing said). */
static int int_tuple(const json_t *v, size_t n, const int64_t *lo,
		     const int64_t *hi, int64_t *out)
{
	if (!json_is_array(v) || json_array_size(v) != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_array_get(v, i);
		if (!json_is_integer(x) || json_integer_value(x) < lo[i] ||
		    json_integer_value(x) > hi[i])
			return -1;
		out[i] = (int64_t)json_integer_value(x);
	}
	return 0;
}

/* cycle_steps: the deadlock's cycle, [[TASK,LANE,HOLDS,WANTS],...]. */
static int read_cycle(struct rd *p, const json_t *run, struct run_stats *st,
		      uint32_t ntasks)
{
	const char *want = "an array of at most 64 steps";
	const int64_t lo[4] = { 0, 0, 0, 0 },
		      hi[4] = { (int64_t)ntasks - 1, UINT16_MAX,
				RT_LOCKS_MAX - 1, RT_LOCKS_MAX - 1 };
	const json_t *a = get(p, run, "cycle_steps", want), *s;
	int64_t f[4];
	size_t i;

	if (a == NULL)
		return -1;
	if (!json_is_array(a) || json_array_size(a) > RT_LOCKS_MAX)
		return bad(p, "cycle_steps", want, a);
	json_array_foreach(a, i, s)
	{
		if (int_tuple(s, 4, lo, hi, f) < 0)
			return fail(p,
				    "\"cycle_steps\" step %zu must be "
				    "[TASK,LANE,HOLDS,WANTS] (a task of the "
				    "run, a lane 0..65535, locks 0..%d), not "
				    "%s",
				    i + 1, RT_LOCKS_MAX - 1, found(p, s));
		st->cycle_step[i] = (struct rt_cycle_step){
			.task = (uint32_t)f[0],
			.lane = (uint16_t)f[1],
			.holds = (uint16_t)f[2],
			.wants = (uint16_t)f[3],
		};
	}
	st->ncycle = (int)json_array_size(a);
	return 0;
}

/* A time of the stats (CLOCK_MONOTONIC): 0 (the run has not ended), or
 * near the origin, as an event's. */
static int near_origin(struct rd *p, const char *key, int64_t t, int64_t origin)
{
	if (t == 0 ||
	    (t >= origin - REPLAY_T_MAX && t <= origin + REPLAY_T_MAX))
		return 0;
	return fail(p,
		    "\"%s\" must be 0 or within 2^52 ns (52 days) of "
		    "origin_ns, not %" PRId64,
		    key, t);
}

static int read_stats(struct rd *p, const json_t *run, struct run_stats *st,
		      uint32_t ntasks, int64_t origin)
{
	memset(st, 0, sizeof *st);
	if (read_fields(p, run, stat_fields,
			sizeof stat_fields / sizeof stat_fields[0], st) < 0 ||
	    read_cycle(p, run, st, ntasks) < 0 ||
	    near_origin(p, "run_start_ns", st->start_ns, origin) < 0 ||
	    near_origin(p, "run_end_ns", st->end_ns, origin) < 0)
		return -1;
	st->tasks = ntasks;
	return 0;
}

/* ---- The race lab's books ------------------------------------------- */

/* "initial": the n values as they start, each a 32-bit integer (what an
 * event can write). */
static int read_initial(struct rd *p, const json_t *lg, int64_t n,
			int64_t *initial)
{
	char want[96];
	const json_t *a;

	msg_fmt(want, sizeof want,
		"an array of %" PRId64 " integers (one a value, 32-bit)", n);
	a = get(p, lg, "initial", want);
	if (a == NULL)
		return -1;
	if (!json_is_array(a) || json_array_size(a) != (size_t)n)
		return bad(p, "initial", want, a);
	for (size_t i = 0; i < (size_t)n; i++) {
		const json_t *v = json_array_get(a, i);
		if (!json_is_integer(v) || json_integer_value(v) < INT32_MIN ||
		    json_integer_value(v) > INT32_MAX)
			return bad(p, "initial", want, a);
		initial[i] = (int64_t)json_integer_value(v);
	}
	return 0;
}

/* "ledger": null (*has 0), or the books as the run began (*has 1). */
static int read_ledger(struct rd *p, const json_t *run, int64_t origin,
		       struct ledger *lg, int *has)
{
	const json_t *v = get(p, run, "ledger", "an object or null");
	int64_t nvars, expected, nlocks, initial[LEDGER_VARS];
	int copies, counting;

	*has = 0;
	if (v == NULL)
		return -1;
	if (json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(p, "ledger", "an object or null", v);
	p->in = "ledger";
	if (get_int(p, v, "nvars", 0, LEDGER_VARS, &nvars) < 0 ||
	    read_initial(p, v, nvars, initial) < 0 ||
	    get_int(p, v, "expected", -SUM_MAX, SUM_MAX, &expected) < 0 ||
	    get_int(p, v, "nlocks", 0, LEDGER_LOCKS, &nlocks) < 0 ||
	    get_bool(p, v, "copies", &copies) < 0 ||
	    get_bool(p, v, "counting", &counting) < 0)
		return -1;
	p->in = NULL;
	ledger_init(lg, origin, (int)nvars, initial, expected, (int)nlocks);
	if (copies)
		ledger_own_copies(lg);
	lg->counting = counting;
	*has = 1;
	return 0;
}

/* ---- Events and texts ----------------------------------------------- */

/* "kinds": what the file's kind numbers name. A name this conviz does
 * not know is no error until an event has it. */
static int read_kinds(struct rd *p, const json_t *cv)
{
	const char *want = "an array of at most 256 kinds' names";
	const json_t *a = get(p, cv, "kinds", want), *v;
	int seen[EV_KIND_COUNT] = { 0 };
	size_t i;

	if (a == NULL)
		return -1;
	if (!json_is_array(a) || json_array_size(a) > KINDS_MAX)
		return bad(p, "kinds", want, a);
	p->kinds = a;
	p->nkinds = json_array_size(a);
	json_array_foreach(a, i, v)
	{
		int k = -1;
		if (!json_is_string(v))
			return fail(p,
				    "kind %zu of \"kinds\" must be a name (a "
				    "string), not %s",
				    i, found(p, v));
		for (unsigned j = 0; j < EV_KIND_COUNT && k < 0; j++)
			if (strcmp(json_string_value(v), ev_kind_name(j)) == 0)
				k = (int)j;
		if (k >= 0 && seen[k])
			return fail(p, "\"kinds\" names \"%s\" twice",
				    ev_kind_name((unsigned)k));
		if (k >= 0)
			seen[k] = 1;
		p->kind[i] = k;
	}
	return 0;
}

/* The names of an event's fields, for messages. */
static const char *const ev_field[] = { "its time", "its lane", "its task",
					"its kind", "its arg" };

/* An event: [T,LANE,TASK,KIND,ARG], five integers, into f. */
static int event_ints(struct rd *p, const json_t *e, int64_t *f)
{
	if (!json_is_array(e) || json_array_size(e) != 5)
		return fail(p,
			    "an event must be [T,LANE,TASK,KIND,ARG], not %s",
			    found(p, e));
	for (size_t i = 0; i < 5; i++) {
		const json_t *v = json_array_get(e, i);
		if (!json_is_integer(v))
			return fail(p, "%s must be an integer, not %s",
				    ev_field[i], found(p, v));
		f[i] = (int64_t)json_integer_value(v);
	}
	return 0;
}

/* The event e of rec's run, checked, into *out. */
static int read_event(struct rd *p, const json_t *e,
		      const struct recording *rec, struct ev *out)
{
	int64_t f[5];
	struct msg_quote q;

	if (event_ints(p, e, f) < 0)
		return -1;
	if (f[0] < -REPLAY_T_MAX || f[0] > REPLAY_T_MAX)
		return fail(p,
			    "its time %" PRId64 " ns is out of range (at "
			    "most 2^52 ns, 52 days, from the origin)",
			    f[0]);
	if (f[1] < 0 || f[1] > UINT16_MAX)
		return fail(p,
			    "its lane %" PRId64 " is out of range (0..65535)",
			    f[1]);
	if (f[2] < -1 || f[2] >= (int64_t)rec->ntasks)
		return fail(p,
			    "its task %" PRId64 " is out of range (-1 for "
			    "none, or a task 0..%" PRIu32 ")",
			    f[2], rec->ntasks - 1);
	if (f[3] < 0 || f[3] >= (int64_t)p->nkinds)
		return fail(p, "its kind %" PRId64 " is not in \"kinds\"",
			    f[3]);
	if (p->kind[f[3]] < 0)
		return fail(p,
			    "its kind %" PRId64 " (\"%s\") is not a kind "
			    "this conviz knows",
			    f[3],
			    msg_quote(json_string_value(json_array_get(
					      p->kinds, (size_t)f[3])),
				      &q));
	*out = (struct ev){ .ts_ns = rec->origin_ns + f[0],
			    .arg = f[4],
			    .task = f[2] < 0 ? EV_NO_TASK : (uint32_t)f[2],
			    .lane = (uint16_t)f[1],
			    .kind = (uint16_t)p->kind[f[3]] };
	return 0;
}

/* Every event, in the file's order, into rec (and its timeline). */
static int read_events(struct rd *p, struct recording *rec,
		       const json_t *events)
{
	const json_t *e;
	struct ev ev;
	size_t i;

	json_array_foreach(events, i, e)
	{
		p->event = i + 1;
		if (read_event(p, e, rec, &ev) < 0)
			return -1;
		recording_add(rec, &ev);
	}
	p->event = 0;
	return 0;
}

/* Member key of run: an array of `n` (SIZE_MAX: any number of) ... */
static const json_t *get_array(struct rd *p, const json_t *run, const char *key,
			       size_t n, const char *what)
{
	char want[128];
	const json_t *a;

	if (n == SIZE_MAX)
		msg_fmt(want, sizeof want, "an array of %s", what);
	else
		msg_fmt(want, sizeof want, "an array of %zu %s (one a task)", n,
			what);
	a = get(p, run, key, want);
	if (a != NULL &&
	    (!json_is_array(a) || (n != SIZE_MAX && json_array_size(a) != n))) {
		bad(p, key, want, a);
		return NULL;
	}
	return a;
}

/* A task's text: a string, or null (NULL). */
static int task_text(struct rd *p, const char *key, size_t task,
		     const json_t *v, const char **out)
{
	if (!json_is_string(v) && !json_is_null(v))
		return fail(p,
			    "\"%s\" of task %zu must be a string or null, "
			    "not %s",
			    key, task, found(p, v));
	*out = json_string_value(v); /* NULL for null */
	return 0;
}

/* How a task went: "ok", "failed", or null (not known). */
static int task_outcome(struct rd *p, size_t task, const json_t *v,
			enum task_status *out)
{
	const char *s = json_string_value(v);

	*out = TASK_PENDING;
	if (s != NULL && strcmp(s, "ok") == 0)
		*out = TASK_OK;
	else if (s != NULL && strcmp(s, "failed") == 0)
		*out = TASK_FAILED;
	else if (!json_is_null(v))
		return fail(p,
			    "\"outcomes\" of task %zu must be \"ok\", "
			    "\"failed\" or null, not %s",
			    task, found(p, v));
	return 0;
}

/* Each task's answer and how it went, and what it asked for: the arrays
 * "results", "outcomes" and "what", one item a task. */
static int read_tasks(struct rd *p, struct recording *rec, const json_t *res,
		      const json_t *outcomes, const json_t *what)
{
	for (uint32_t i = 0; i < rec->ntasks; i++) {
		const json_t *r = json_array_get(res, i),
			     *o = json_array_get(outcomes, i),
			     *w = json_array_get(what, i);
		const char *text = NULL, *asked = NULL;
		enum task_status st = TASK_PENDING;
		if (task_text(p, "results", i, r, &text) < 0 ||
		    task_outcome(p, i, o, &st) < 0 ||
		    task_text(p, "what", i, w, &asked) < 0)
			return -1;
		recording_set_result(rec, i, st, text);
		recording_set_what(rec, i, asked);
	}
	return 0;
}

/* ---- A run ---------------------------------------------------------- */

/* What a run says besides its events and texts, checked. */
struct run_head {
	struct run_config cfg;
	int64_t origin, end_ns;
	int ended, has_ledger;
	const char *urls_from;
	struct run_stats st;
	struct ledger lg;
	const json_t *results, *outcomes, *what, *events;
};

static int read_head(struct rd *p, const json_t *run, struct run_head *h)
{
	uint32_t ntasks;

	if (!json_is_object(run))
		return fail(p, "a run must be an object, not %s",
			    found(p, run));
	if (read_config(p, run, &h->cfg, &h->origin) < 0 ||
	    read_urls_from(p, run, &h->urls_from, &h->cfg.urls_count) < 0 ||
	    get_bool(p, run, "ended", &h->ended) < 0 ||
	    get_int(p, run, "end_ns", 0, REPLAY_T_MAX, &h->end_ns) < 0)
		return -1;
	ntasks = (uint32_t)h->cfg.sc.tasks;
	if (read_stats(p, run, &h->st, ntasks, h->origin) < 0 ||
	    read_ledger(p, run, h->origin, &h->lg, &h->has_ledger) < 0)
		return -1;
	h->results = get_array(p, run, "results", ntasks, "strings or nulls");
	h->outcomes = h->results ? get_array(p, run, "outcomes", ntasks,
					     "\"ok\", \"failed\" or nulls")
				 : NULL;
	h->what = h->outcomes ? get_array(p, run, "what", ntasks,
					  "strings or nulls")
			      : NULL;
	h->events = h->what ? get_array(p, run, "events", SIZE_MAX,
					"[T,LANE,TASK,KIND,ARG] events")
			    : NULL;
	return h->events ? 0 : -1;
}

/* Run p->run, rebuilt; NULL (said in err) when the file is wrong. */
static struct recording *read_run(struct rd *p, const json_t *run)
{
	struct run_head h;
	struct recording *rec;

	memset(&h, 0, sizeof h);
	if (read_head(p, run, &h) < 0)
		return NULL;
	rec = recording_new_cfg(&h.cfg, h.origin);
	if (h.has_ledger)
		recording_set_ledger(rec, &h.lg);
	ledger_free(&h.lg);
	if (read_tasks(p, rec, h.results, h.outcomes, h.what) < 0 ||
	    read_events(p, rec, h.events) < 0) {
		recording_free(rec);
		return NULL;
	}
	recording_set_urls_from(rec, h.urls_from);
	if (h.ended)
		recording_set_end(rec, &h.st, h.end_ns);
	return rec;
}

/* ---- The file -------------------------------------------------------- */

/* The "conviz" section's version: EXPORT_TRACE_VERSION, or said. */
static int read_version(struct rd *p, const json_t *cv)
{
	struct msg_quote q;
	int64_t v;

	if (get_int(p, cv, "version", 1, INT64_MAX, &v) < 0)
		return -1;
	if (v == EXPORT_TRACE_VERSION)
		return 0;
	msg_fmt(p->err, p->errlen,
		"%s is a conviz trace of version %" PRId64
		", and this conviz reads version %d: replay it with the "
		"conviz that wrote it",
		msg_quote_path(p->file, &q), v, EXPORT_TRACE_VERSION);
	return -1;
}

/* The runs of "conviz" into *recs. */
static int read_runs(struct rd *p, const json_t *cv, struct recording ***recs,
		     int *n)
{
	const char *want = "an array of 1 to 1024 runs";
	const json_t *a = get(p, cv, "runs", want), *run;
	struct recording **r;
	size_t i;

	if (a == NULL)
		return -1;
	if (!json_is_array(a) || json_array_size(a) < 1 ||
	    json_array_size(a) > RUNS_MAX)
		return bad(p, "runs", want, a);
	r = xcalloc(json_array_size(a), sizeof *r);
	json_array_foreach(a, i, run)
	{
		p->run = (int)i + 1;
		r[i] = read_run(p, run);
		if (r[i] == NULL) {
			replay_free(r, (int)i);
			return -1;
		}
	}
	*recs = r;
	*n = (int)json_array_size(a);
	return 0;
}

static int read_root(struct rd *p, const json_t *root, struct recording ***recs,
		     int *n)
{
	struct msg_quote q;
	const json_t *cv;

	if (!json_is_object(root)) {
		msg_fmt(p->err, p->errlen,
			"%s is not a conviz trace (its JSON is an array, not "
			"an object): " TODO,
			msg_quote_path(p->file, &q));
		return -1;
	}
	cv = json_object_get(root, "conviz");
	if (cv == NULL) {
		msg_fmt(p->err, p->errlen,
			"%s is not a conviz trace (no \"conviz\" "
			"section): " TODO,
			msg_quote_path(p->file, &q));
		return -1;
	}
	if (!json_is_object(cv))
		return bad(p, "conviz", "an object", cv);
	if (read_version(p, cv) < 0 || read_kinds(p, cv) < 0)
		return -1;
	return read_runs(p, cv, recs, n);
}

/* jansson's message, each byte that is not printable ASCII a '?': it
 * quotes the file's bytes. */
static void json_text(char *out, size_t len, const json_error_t *je)
{
	size_t j = 0;

	for (const char *s = je->text; *s && j + 1 < len; s++)
		out[j++] = (unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f
				   ? '?'
				   : *s;
	out[j] = '\0';
}

/* The last byte of text that is not a blank, or -1. */
static int last_byte(const char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
			   text[len - 1] == '\r' || text[len - 1] == '\n'))
		len--;
	return len > 0 ? (unsigned char)text[len - 1] : -1;
}

/* What jansson's refusal says of the file (`size` bytes, `last` its last
 * byte but blanks): a file cut short fails at its very end, where a
 * trace conviz wrote ends with its closing '}'. */
static const char *json_fault(const json_error_t *je, size_t size, int last)
{
	enum json_error_code code = json_error_code(je);

	if (code == json_error_premature_end_of_input ||
	    (je->position >= 0 && (size_t)je->position >= size && last != '}'))
		return "ends too soon, as if cut short";
	if (code == json_error_out_of_memory)
		return "cannot be read in the memory there is";
	return "is not valid JSON";
}

/* The file (`size` bytes, `last` its last byte but blanks) parsed to
 * root, or not (je says why): the runs, or -1. */
static int load(struct rd *p, json_t *root, const json_error_t *je, size_t size,
		int last, struct recording ***recs, int *n)
{
	struct msg_quote q;
	char text[JSON_ERROR_TEXT_LENGTH];
	int rc;

	if (root == NULL) {
		json_text(text, sizeof text, je);
		msg_fmt(p->err, p->errlen,
			"%s %s (line %d, column %d: %s): " TODO,
			msg_quote_path(p->file, &q), json_fault(je, size, last),
			je->line, je->column, text);
		return -1;
	}
	rc = read_root(p, root, recs, n);
	json_decref(root);
	return rc;
}

/* Refuses an empty file and one too big. */
static int size_ok(struct rd *p, size_t size, int too_big)
{
	struct msg_quote q;

	if (too_big || size > REPLAY_FILE_MAX) {
		msg_fmt(p->err, p->errlen,
			"%s is too big for a trace (over %zu MiB): " TODO,
			msg_quote_path(p->file, &q), REPLAY_FILE_MAX >> 20);
		return -1;
	}
	if (size == 0) {
		msg_fmt(p->err, p->errlen, "%s is empty: " TODO,
			msg_quote_path(p->file, &q));
		return -1;
	}
	return 0;
}

static void start(struct rd *p, const char *file, char *err, size_t errlen,
		  struct recording ***recs, int *n)
{
	memset(p, 0, sizeof *p);
	p->file = file != NULL ? file : "the trace";
	p->err = err;
	p->errlen = errlen;
	*recs = NULL;
	*n = 0;
	if (errlen > 0)
		err[0] = '\0';
}

int replay_parse(const char *text, size_t len, const char *name,
		 struct recording ***recs, int *n, char *err, size_t errlen)
{
	struct rd p;
	json_error_t je;

	start(&p, name, err, errlen, recs, n);
	if (size_ok(&p, len, 0) < 0)
		return -1;
	return load(&p, json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), &je,
		    len, last_byte(text, len), recs, n);
}

/* jansson reads the file through this, up to REPLAY_FILE_MAX bytes. */
struct src {
	int fd;
	size_t total;
	int too_big, errnum;
	int last; /* the last byte read but blanks, or -1 */
};

static size_t src_read(void *buf, size_t len, void *data)
{
	struct src *s = data;
	ssize_t got;

	do
		got = read(s->fd, buf, len);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		s->errnum = errno;
		return (size_t)-1;
	}
	s->total += (size_t)got;
	if (got > 0 && last_byte(buf, (size_t)got) >= 0)
		s->last = last_byte(buf, (size_t)got);
	if (s->total > REPLAY_FILE_MAX) {
		s->too_big = 1;
		return (size_t)-1;
	}
	return (size_t)got;
}

/* "cannot read FILE: why: what to do". Returns -1. */
static int cannot_read(struct rd *p, int e)
{
	struct msg_quote q;
	const char *todo = e == ENOENT	 ? "check the name"
			   : e == EACCES ? "check its permissions"
					 : TODO;

	msg_fmt(p->err, p->errlen, "cannot read %s: %s: %s",
		msg_quote_path(p->file, &q), strerror(e), todo);
	return -1;
}

/* Opens path for reading: a file or a stream, not a directory. */
static int open_trace(struct rd *p, const char *path, struct stat *st)
{
	struct msg_quote q;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return cannot_read(p, errno);
	if (fstat(fd, st) != 0) {
		int e = errno;
		close(fd);
		return cannot_read(p, e);
	}
	if (S_ISDIR(st->st_mode)) {
		close(fd);
		msg_fmt(p->err, p->errlen,
			"%s is a directory: give a trace's file (conviz run "
			"--trace FILE.json writes one)",
			msg_quote_path(path, &q));
		return -1;
	}
	return fd;
}

int replay_load(const char *path, struct recording ***recs, int *n, char *err,
		size_t errlen)
{
	struct rd p;
	struct stat st;
	struct src s = { .last = -1 };
	json_error_t je;
	json_t *root;

	start(&p, path, err, errlen, recs, n);
	s.fd = open_trace(&p, path, &st);
	if (s.fd < 0)
		return -1;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > REPLAY_FILE_MAX) {
		close(s.fd);
		return size_ok(&p, SIZE_MAX, 1);
	}
	root = json_load_callback(src_read, &s, JSON_REJECT_DUPLICATES, &je);
	close(s.fd);
	if (s.errnum != 0 || size_ok(&p, s.total, s.too_big) < 0) {
		json_decref(root);
		return s.errnum != 0 ? cannot_read(&p, s.errnum) : -1;
	}
	return load(&p, root, &je, s.total, s.last, recs, n);
}

void replay_free(struct recording **recs, int n)
{
	if (recs == NULL)
		return;
	for (int i = 0; i < n; i++)
		recording_free(recs[i]);
	free(recs);
}
