/* scenario.c - strict parsing and loading of scenario files. */
#include "config.h"

#include "app/scenario.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/datadir.h"
#include "core/msg.h"
#include "core/num.h"
#include "core/textfile.h"
#include "core/urllist.h"
#include "models/model.h"
#include "work/work.h"

enum key_id {
	KEY_NAME,
	KEY_TITLE,
	KEY_WORKLOAD,
	KEY_TASKS,
	KEY_ARG,
	KEY_WORKERS,
	KEY_SCALE,
	KEY_LESSON,
	KEY_URLS,
	KEY_BLOCKING,
	KEY_HOG,
	KEY_GAP,
	KEY_REPORTED,
	KEY_REPORTED_BY,
	KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
	"name",	  "title", "workload", "tasks", "arg", "workers",  "scale",
	"lesson", "urls",  "blocking", "hog",	"gap", "reported", "reported_by"
};

/* arg and urls are required by some workloads only: check_workload. */
static const int key_required[KEY_COUNT] = { 1, 1, 1, 1, 0, 0, 0,
					     0, 0, 0, 0, 0, 0, 0 };

_Static_assert(SCENARIO_MODELS == MODEL_COUNT,
	       "reported_s has a slot per model");

struct parse {
	const char *file;
	int line;
	int seen[KEY_COUNT];
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, const char *what, const char *detail)
{
	return msg_at(p->err, p->errlen, p->file, p->line, what, detail);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	}
	return 1;
}

/* Copies text that must fit in `size` bytes and be printable. */
static int set_text(struct parse *p, char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return fail(p, "empty value", "");
	if (n >= size)
		return fail(p, "value too long", "");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c == 0x7f)
			return fail(p, "control character in value", "");
	}
	memcpy(dst, v, n + 1);
	return 0;
}

/* Checks the list now, so a bad URL is reported at its line. */
static int set_urls(struct parse *p, struct scenario *sc, const char *v)
{
	struct urllist l;
	char why[256];

	if (set_text(p, sc->urls, sizeof sc->urls, v) < 0)
		return -1;
	if (urllist_words(v, &l, why, sizeof why) < 0)
		return fail(p, "bad urls: ", why);
	urllist_free(&l);
	return 0;
}

static int set_number(struct parse *p, enum key_id k, const char *v,
		      struct scenario *sc)
{
	long n;

	switch (k) {
	case KEY_TASKS:
		if (num_parse_long(v, 1, SCENARIO_TASKS_MAX, &sc->tasks) < 0)
			return fail(p,
				    "tasks must be a whole number from 1 to "
				    "1000000, not ",
				    v);
		return 0;
	case KEY_ARG:
		if (num_parse_long(v, 0, LONG_MAX, &sc->arg) < 0)
			return fail(p, "arg must be a whole number, not ", v);
		return 0;
	case KEY_GAP:
		if (num_parse_long(v, 0, SCENARIO_GAP_MAX, &sc->gap) < 0)
			return fail(p,
				    "gap must be a whole number of steps from "
				    "0 to 1000000, not ",
				    v);
		return 0;
	case KEY_WORKERS:
		if (strcmp(v, "default") == 0) {
			sc->workers = 0;
			return 0;
		}
		if (num_parse_long(v, 1, 1024, &n) < 0)
			return fail(p,
				    "workers must be 'default' or a whole "
				    "number from 1 to 1024, not ",
				    v);
		sc->workers = (int)n;
		return 0;
	default:
		if (num_parse_double(v, 0.0, SCENARIO_SCALE_MAX, &sc->scale) <
		    0)
			return fail(p,
				    "scale must be a number above 0 and at "
				    "most 1000, not ",
				    v);
		return 0;
	}
}

/* `hog = WORKLOAD ARG [at TASK]`: the words are checked here, what they
 * mean against the rest of the file in check_hog. */
static int set_hog(struct parse *p, struct scenario *sc, const char *v)
{
	static const char form[] =
		"hog must be 'WORKLOAD ARG' or 'WORKLOAD ARG at TASK', not ";
	char w[SCENARIO_NAME_MAX], arg[32], at[4], task[32], extra[2];
	int n = sscanf(v, "%31s %31s %3s %31s %1s", w, arg, at, task, extra);

	if ((n != 2 && n != 4) || (n == 4 && strcmp(at, "at") != 0))
		return fail(p, form, v);
	if (!work_find(w))
		return fail(p, "unknown workload for hog: ", w);
	if (num_parse_long(arg, 0, LONG_MAX, &sc->hog_arg) < 0)
		return fail(p, "hog's ARG must be a whole number, not ", arg);
	sc->hog_task = -1; /* the last task, once tasks is known */
	if (n == 4 &&
	    num_parse_long(task, 0, SCENARIO_TASKS_MAX - 1, &sc->hog_task) < 0)
		return fail(p, "hog's TASK must be a task number from 0, not ",
			    task);
	memcpy(sc->hog_workload, w, strlen(w) + 1);
	return 0;
}

/* One "MODEL SECONDS" item of `reported`. */
static int set_reported_one(struct parse *p, struct scenario *sc,
			    const char *item)
{
	static const char form[] =
		"reported must be 'MODEL SECONDS, ...' (e.g. sync 14.29, "
		"threads 3.19), not ";
	char model[16], secs[32], extra[2];
	int m;
	double s;

	if (sscanf(item, "%15s %31s %1s", model, secs, extra) != 2)
		return fail(p, form, item);
	m = model_find(model);
	if (m < 0)
		return fail(p,
			    "reported names sync, threads, async or procs, "
			    "not ",
			    model);
	if (sc->reported_s[m] > 0)
		return fail(p, "reported names a model twice: ", model);
	if (num_parse_double(secs, 0.0, 1e6, &s) < 0)
		return fail(p,
			    "reported seconds must be a number above 0 and "
			    "at most 1000000, not ",
			    secs);
	sc->reported_s[m] = s;
	return 0;
}

/* `reported = sync 14.29, threads 3.19, async 0.49, procs 3.43`: what
 * the tutorial measured, a model at least. */
static int set_reported(struct parse *p, struct scenario *sc, const char *v)
{
	char buf[SCENARIO_LINE_MAX + 1];
	char *item, *save = NULL;

	if (!*v)
		return fail(p, "empty value", "");
	msg_fmt(buf, sizeof buf, "%s", v);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save))
		if (set_reported_one(p, sc, item) < 0)
			return -1;
	for (int m = 0; m < SCENARIO_MODELS; m++)
		if (sc->reported_s[m] > 0)
			return 0;
	return fail(p, "reported must be 'MODEL SECONDS, ...', not ", v);
}

static int set_key(struct parse *p, enum key_id k, const char *v,
		   struct scenario *sc)
{
	switch (k) {
	case KEY_NAME:
		if (!valid_name(v) || strlen(v) >= sizeof sc->name)
			return fail(p,
				    "name must be 1-31 of a-z, 0-9, '-', "
				    "'_', not ",
				    v);
		memcpy(sc->name, v, strlen(v) + 1);
		return 0;
	case KEY_TITLE:
		return set_text(p, sc->title, sizeof sc->title, v);
	case KEY_LESSON:
		return set_text(p, sc->lesson, sizeof sc->lesson, v);
	case KEY_URLS:
		return set_urls(p, sc, v);
	case KEY_BLOCKING:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return fail(p, "blocking must be yes or no, not ", v);
		sc->blocking = v[0] == 'y';
		return 0;
	case KEY_HOG:
		return set_hog(p, sc, v);
	case KEY_REPORTED:
		return set_reported(p, sc, v);
	case KEY_REPORTED_BY:
		return set_text(p, sc->reported_by, sizeof sc->reported_by, v);
	case KEY_WORKLOAD:
		if (!work_find(v))
			return fail(p, "unknown workload ", v);
		memcpy(sc->workload, v, strlen(v) + 1);
		return 0;
	default:
		return set_number(p, k, v, sc);
	}
}

/* Handles one line (NUL-terminated, no newline). */
static int parse_line(struct parse *p, char *s, struct scenario *sc)
{
	size_t n = strlen(s);

	while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
		s[--n] = '\0';
	while (is_blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	char *eq = strchr(s, '=');
	if (!eq)
		return fail(p, "expected 'key = value', got ", s);
	char *end = eq;
	while (end > s && is_blank(end[-1]))
		end--;
	*end = '\0';
	char *v = eq + 1;
	while (is_blank(*v))
		v++;
	for (int k = 0; k < KEY_COUNT; k++) {
		if (strcmp(s, key_names[k]) != 0)
			continue;
		if (p->seen[k])
			return fail(p, "duplicate key ", s);
		p->seen[k] = p->line;
		return set_key(p, (enum key_id)k, v, sc);
	}
	return fail(p, "unknown key ", *s ? s : "''");
}

/* The keys that only I/O workloads take (urls, blocking) or refuse
 * (scale: their waits come from the server's latency profile), for
 * workload w. */
static int check_io_keys(struct parse *p, struct scenario *sc,
			 const struct work_ops *w)
{
	char detail[96];

	if (w->io && !p->seen[KEY_URLS])
		return fail(p, "missing key urls (an I/O workload GETs them)",
			    "");
	if (!w->io && p->seen[KEY_URLS]) {
		p->line = p->seen[KEY_URLS];
		return fail(p, "urls is for I/O workloads only, not ", w->name);
	}
	if (!w->shared && p->seen[KEY_GAP]) {
		p->line = p->seen[KEY_GAP];
		return fail(p, "gap is for the race workloads only, not ",
			    w->name);
	}
	if (!w->io && p->seen[KEY_BLOCKING]) {
		p->line = p->seen[KEY_BLOCKING];
		return fail(p, "blocking is for I/O workloads only, not ",
			    w->name);
	}
	if (!w->io && !w->describe && p->seen[KEY_SCALE]) {
		p->line = p->seen[KEY_SCALE];
		return fail(p,
			    "scale multiplies CPU work, and there is none in ",
			    w->name);
	}
	if (w->io && p->seen[KEY_SCALE]) {
		/* As --scale on the command line is (app.c): same words. */
		msg_fmt(detail, sizeof detail, "'%s' is I/O-bound", sc->name);
		p->line = p->seen[KEY_SCALE];
		return fail(p, "scale multiplies CPU work, and ", detail);
	}
	return 0;
}

/* The hog is CPU work with an arg in its workload's range, at a task of
 * the scenario (the last when the file does not say). */
static int check_hog(struct parse *p, struct scenario *sc)
{
	const struct work_ops *h = work_find(sc->hog_workload);
	char detail[96];

	if (!p->seen[KEY_HOG])
		return 0;
	p->line = p->seen[KEY_HOG];
	if (h->io)
		return fail(p, "a hog computes: give a CPU workload, not ",
			    h->name);
	if (sc->hog_arg < h->arg_min || sc->hog_arg > h->arg_max) {
		msg_fmt(detail, sizeof detail, "%ld..%ld for workload %s",
			h->arg_min, h->arg_max, h->name);
		return fail(p, "hog's ARG out of range: use ", detail);
	}
	if (sc->hog_task < 0)
		sc->hog_task = sc->tasks - 1;
	if (sc->hog_task >= sc->tasks) {
		msg_fmt(detail, sizeof detail, "0..%ld (tasks = %ld)",
			sc->tasks - 1, sc->tasks);
		return fail(p, "hog's TASK out of range: use ", detail);
	}
	return 0;
}

/* The tasks a workload allows (the philosophers: one fork lock each). */
static int check_tasks(struct parse *p, const struct scenario *sc,
		       const struct work_ops *w)
{
	long lo = w->tasks_min > 0 ? w->tasks_min : 1;
	long hi = w->tasks_max > 0 ? w->tasks_max : SCENARIO_TASKS_MAX;
	char detail[96];

	if (sc->tasks >= lo && sc->tasks <= hi)
		return 0;
	msg_fmt(detail, sizeof detail, "%ld..%ld for workload %s", lo, hi,
		w->name);
	p->line = p->seen[KEY_TASKS];
	return fail(p, "tasks out of range: use ", detail);
}

/* What the workload asks of the keys: the I/O keys, arg for CPU
 * workloads (optional for I/O ones), arg within the workload's range. */
static int check_workload(struct parse *p, struct scenario *sc,
			  const struct work_ops *w)
{
	char detail[96];

	if (check_io_keys(p, sc, w) < 0)
		return -1;
	if (!w->io && !p->seen[KEY_ARG])
		return fail(p, "missing key ", "arg");
	if (w->io && !p->seen[KEY_ARG])
		sc->arg = 1; /* {n} counts from 1, like the pokedex */
	p->line = p->seen[KEY_ARG];
	if (sc->arg < w->arg_min || sc->arg > w->arg_max) {
		msg_fmt(detail, sizeof detail, "%ld..%ld for workload %s",
			w->arg_min, w->arg_max, w->name);
		return fail(p, "arg out of range: use ", detail);
	}
	if (check_tasks(p, sc, w) < 0)
		return -1;
	if (w->last_arg_max > 0 && sc->arg + sc->tasks - 1 > w->last_arg_max) {
		msg_fmt(detail, sizeof detail, "%ld for workload %s",
			w->last_arg_max, w->name);
		return fail(p, "arg + tasks - 1 out of range: at most ",
			    detail);
	}
	return 0;
}

/* Checks what a line alone cannot: required keys, workload limits. */
static int check_whole(struct parse *p, struct scenario *sc)
{
	int any = 0;

	for (int k = 0; k < KEY_COUNT; k++)
		any |= p->seen[k] != 0;
	p->line = 0;
	if (!any)
		return fail(p, "empty scenario (no keys)", "");
	for (int k = 0; k < KEY_COUNT; k++) {
		if (key_required[k] && !p->seen[k])
			return fail(p, "missing key ", key_names[k]);
	}
	if (check_workload(p, sc, work_find(sc->workload)) < 0)
		return -1;
	/* Figures without their source (or a source without figures)
	 * would tell the class nothing it could check. */
	if (!p->seen[KEY_REPORTED] != !p->seen[KEY_REPORTED_BY]) {
		int has = p->seen[KEY_REPORTED] != 0;
		p->line = p->seen[has ? KEY_REPORTED : KEY_REPORTED_BY];
		return fail(p,
			    has ? "reported needs reported_by (where the "
				  "figures come from)"
				: "reported_by needs reported (the figures)",
			    "");
	}
	return check_hog(p, sc);
}

/* NULL when text[0..len) is text: UTF-8 without a NUL byte. Else what
 * makes it binary data, and *line the line of the first bad byte (0 for a
 * NUL: a file with one is no text at all). */
static const char *binary_data(const char *text, size_t len, int *line)
{
	size_t good;

	*line = 0;
	if (memchr(text, '\0', len))
		return "a NUL byte";
	good = textfile_utf8_len(text, len);
	if (good == len)
		return NULL;
	*line = 1;
	for (size_t i = 0; i < good; i++)
		*line += text[i] == '\n';
	return "a byte that is not UTF-8 text";
}

int scenario_parse(const char *text, size_t len, const char *file,
		   struct scenario *out, char *err, size_t errlen)
{
	struct parse p = { .file = file, .err = err, .errlen = errlen };
	char line[SCENARIO_LINE_MAX + 2];
	const char *binary;
	size_t pos = 0;

	memset(out, 0, sizeof *out);
	out->scale = 1.0;
	/* A byte order mark, as some Windows editors write: not text. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	binary = binary_data(text, len, &p.line);
	if (binary) {
		msg_fmt(line, sizeof line, "binary data (%s)", binary);
		return fail(&p, line, "");
	}
	p.line = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		p.line++;
		if (n > SCENARIO_LINE_MAX)
			return fail(&p, "line too long (over 1024 bytes)", "");
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (parse_line(&p, line, out) < 0)
			return -1;
		pos += n + (nl ? 1 : 0);
	}
	return check_whole(&p, out);
}

static const struct textfile_kind scenario_file = {
	.what = "scenario file",
	.max = SCENARIO_FILE_MAX,
	.max_text = "64 KiB",
	.dir_hint = "give a scenario file",
	.large_hint = "a scenario is a small text file",
};

/* Why a name is not a known scenario, with what to do, into err. A name
 * that looks like a file (a file of that name is here, not a directory
 * such as "..", or it ends in .scn)
 * gets the hint to write it as a path; a missing data directory is told
 * as such, not as an unknown name. */
static void unknown_name(const char *name, char *err, size_t errlen)
{
	struct msg_quote q;
	const char *shown = msg_quote(name, &q);
	size_t n = strlen(name);
	struct stat st;
	int here = stat(name, &st) == 0 && !S_ISDIR(st.st_mode);

	if (!here && datadir_check(err, errlen) < 0)
		return;
	if (here || (n > 4 && strcmp(name + n - 4, ".scn") == 0))
		msg_fmt(err, errlen,
			"unknown scenario '%s': to run a file, write ./%s "
			"(a name without '/' is one from 'conviz list')",
			shown, shown);
	else
		msg_fmt(err, errlen,
			"unknown scenario '%s': use a name "
			"from 'conviz list' or a path to a scenario file",
			shown);
}

/* Parses a file's text, with the what-to-do half of the message. */
static int load_text(const char *path, const char *text, size_t len,
		     struct scenario *out, char *err, size_t errlen)
{
	char perr[512];
	int line;

	if (scenario_parse(text, len, path, out, perr, sizeof perr) == 0)
		return 0;
	if (binary_data(text, len, &line))
		msg_fmt(err, errlen,
			"%s: give a scenario file, which is UTF-8 text "
			"(format: see conviz(1))",
			perr);
	else
		msg_fmt(err, errlen, "%s: fix the file (format: see conviz(1))",
			perr);
	return -1;
}

int scenario_load(const char *name_or_path, struct scenario *out, char *err,
		  size_t errlen)
{
	char path[PATH_MAX];
	char *text;
	size_t len;

	if (strchr(name_or_path, '/')) {
		msg_fmt(path, sizeof path, "%s", name_or_path);
	} else {
		msg_fmt(path, sizeof path, "%s/scenarios/%s.scn",
			datadir_path(), name_or_path);
		if (!valid_name(name_or_path) || access(path, F_OK) != 0) {
			unknown_name(name_or_path, err, errlen);
			return -1;
		}
	}
	if (textfile_read(path, &scenario_file, &text, &len, err, errlen) < 0)
		return -1;
	int rc = load_text(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **scenario_names(size_t *count)
{
	char path[PATH_MAX];
	size_t n = 0, cap = 16;
	char **names = xcalloc(cap + 1, sizeof *names);

	msg_fmt(path, sizeof path, "%s/scenarios", datadir_path());
	DIR *d = opendir(path);
	while (d) {
		struct dirent *de = readdir(d);
		if (!de)
			break;
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".scn") != 0)
			continue;
		if (n == cap) {
			cap *= 2;
			names = xrealloc(names, (cap + 1) * sizeof *names);
		}
		names[n] = xstrdup(de->d_name);
		names[n][len - 4] = '\0';
		n++;
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	names[n] = NULL;
	*count = n;
	return names;
}

void scenario_names_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

int scenario_default_workers(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores < 1)
		cores = 1;
	return cores + 4 < 32 ? (int)cores + 4 : 32;
}
