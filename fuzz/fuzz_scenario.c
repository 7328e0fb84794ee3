/* fuzz_scenario.c - libFuzzer target: scenario_parse on arbitrary bytes.
 *
 * Scenario files come from outside (anyone can run `conviz run -s ./x.scn`),
 * so whatever the bytes, scenario_parse must either return a scenario that
 * keeps every promise of scenario.h or fail with "FILE:LINE: what is wrong".
 * Memory errors are the sanitizers' job; broken promises abort() here so
 * libFuzzer keeps the input. Built and run by fuzz/run.sh.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/run.h"
#include "app/scenario.h"
#include "work/work.h"

#define FUZZ_FILE "fuzz.scn"
/* What scenario_load hands to scenario_parse, so truncation behaves as in
 * the program. */
#define FUZZ_ERRLEN 512
/* A buffer shorter than FUZZ_FILE too: callers may pass one, and the cut
 * must stay inside it. */
#define FUZZ_SHORT_ERRLEN 8
#define FUZZ_CANARY 0xa5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tag (kebab-case) names the promise; fuzz/run.sh puts it in the name
 * of the regression file. */
static void promise(int kept, const char *tag)
{
	if (kept)
		return;
	fprintf(stderr, "fuzz_scenario: broken promise: %s\n", tag);
	abort();
}

/* Is `s` terminated inside its `size` bytes? Checked before any strlen so
 * that a missing NUL shows as a broken promise, not a read overflow. */
static int terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static int name_char(char c)
{
	/* The charset scenario.c enforces and its message names. The comment
	 * in scenario.h says [a-z0-9-], without '_': until the two agree,
	 * the code's rule is the one checked. */
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* Printable one-line text: what set_text lets through, trimmed of the
 * blanks around the value. */
static int one_line(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return n == 0 || (s[0] != ' ' && s[n - 1] != ' ');
}

static void check_strings(const struct scenario *sc)
{
	promise(terminated(sc->name, sizeof sc->name), "name-unterminated");
	promise(terminated(sc->title, sizeof sc->title), "title-unterminated");
	promise(terminated(sc->workload, sizeof sc->workload),
		"workload-unterminated");
	promise(terminated(sc->lesson, sizeof sc->lesson),
		"lesson-unterminated");
	promise(sc->name[0] != '\0', "name-empty");
	for (const char *p = sc->name; *p; p++)
		promise(name_char(*p), "name-charset");
	promise(sc->title[0] != '\0', "title-empty");
	promise(one_line(sc->title), "title-not-one-line");
	promise(one_line(sc->lesson), "lesson-not-one-line");
	promise(terminated(sc->reported_by, sizeof sc->reported_by),
		"reported-by-unterminated");
	promise(one_line(sc->reported_by), "reported-by-not-one-line");
}

/* The tutorial's figures: each 0 (none) or 0 < s <= 1e6, some of them
 * exactly when their source is named. */
static void check_reported(const struct scenario *sc)
{
	int any = 0;

	for (int m = 0; m < SCENARIO_MODELS; m++) {
		double s = sc->reported_s[m];
		promise(s == 0 || (s > 0 && s <= 1e6), "reported-range");
		any |= s > 0;
	}
	promise(any == (sc->reported_by[0] != '\0'), "reported-without-source");
}

/* A hog is a CPU workload, its arg in range, at a task of the scenario. */
static void check_hog(const struct scenario *sc)
{
	const struct work_ops *h;

	promise(terminated(sc->hog_workload, sizeof sc->hog_workload),
		"hog-unterminated");
	if (sc->hog_workload[0] == '\0')
		return;
	h = work_find(sc->hog_workload);
	promise(h != NULL && !h->io, "hog-workload");
	promise(sc->hog_arg >= h->arg_min && sc->hog_arg <= h->arg_max,
		"hog-arg-range");
	promise(sc->hog_task >= 0 && sc->hog_task < sc->tasks,
		"hog-task-range");
}

static void check_numbers(const struct scenario *sc)
{
	const struct work_ops *w = work_find(sc->workload);

	promise(w != NULL, "workload-unknown");
	promise(sc->tasks >= 1 && sc->tasks <= SCENARIO_TASKS_MAX,
		"tasks-range");
	promise(sc->arg >= w->arg_min && sc->arg <= w->arg_max, "arg-range");
	/* tasks and arg are bounded above, so the sum cannot overflow. */
	promise(w->last_arg_max <= 0 ||
			sc->arg + sc->tasks - 1 <= w->last_arg_max,
		"last-arg-range");
	promise(sc->workers >= 0 && sc->workers <= RUN_WORKERS_MAX,
		"workers-range");
	/* Written so that NaN fails too. */
	promise(sc->scale > 0.0 && sc->scale <= SCENARIO_SCALE_MAX,
		"scale-range");
	promise(!w->io || sc->urls[0] != '\0', "io-without-urls");
	promise(w->io || (sc->urls[0] == '\0' && !sc->blocking),
		"cpu-with-io-keys");
	check_hog(sc);
	check_reported(sc);
	promise(sc->gap >= 0 && sc->gap <= SCENARIO_GAP_MAX, "gap-range");
	promise(w->shared || sc->gap == 0, "gap-without-race");
}

/* snprintf at the end of what is written; what it added. */
static int append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int append(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int m;

	va_start(ap, fmt);
	m = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	promise(m > 0 && (size_t)m < size, "reformat-fits");
	return m;
}

/* Writes sc back as a scenario file; returns its length. */
static size_t format_scenario(const struct scenario *sc, char *buf, size_t size)
{
	char workers[16] = "default";
	int n;

	if (sc->workers > 0)
		snprintf(workers, sizeof workers, "%d", sc->workers);
	n = append(buf, size,
		   "name = %s\ntitle = %s\nworkload = %s\ntasks = %ld\n"
		   "arg = %ld\nworkers = %s\n",
		   sc->name, sc->title, sc->workload, sc->tasks, sc->arg,
		   workers);
	/* An I/O scenario refuses a scale line (its scale stays 1). */
	if (!work_find(sc->workload)->io)
		n += append(buf + n, size - (size_t)n, "scale = %.17g\n",
			    sc->scale);
	if (sc->lesson[0])
		n += append(buf + n, size - (size_t)n, "lesson = %s\n",
			    sc->lesson);
	if (sc->urls[0])
		n += append(buf + n, size - (size_t)n,
			    "urls = %s\nblocking = %s\n", sc->urls,
			    sc->blocking ? "yes" : "no");
	if (sc->hog_workload[0])
		n += append(buf + n, size - (size_t)n, "hog = %s %ld at %ld\n",
			    sc->hog_workload, sc->hog_arg, sc->hog_task);
	if (work_find(sc->workload)->shared)
		n += append(buf + n, size - (size_t)n, "gap = %ld\n", sc->gap);
	return (size_t)n;
}

/* A parsed scenario, written back out, must parse to the same scenario:
 * this catches values the parser accepts but mangles (trimming, numbers
 * read differently the second time). */
static void check_round_trip(const struct scenario *sc)
{
	char text[2048];
	char err[FUZZ_ERRLEN];
	struct scenario again;
	size_t len = format_scenario(sc, text, sizeof text);
	int rc = scenario_parse(text, len, FUZZ_FILE, &again, err, sizeof err);

	promise(rc == 0, "round-trip-fails");
	promise(strcmp(sc->name, again.name) == 0 &&
			strcmp(sc->title, again.title) == 0 &&
			strcmp(sc->workload, again.workload) == 0 &&
			strcmp(sc->lesson, again.lesson) == 0,
		"round-trip-text");
	promise(sc->tasks == again.tasks && sc->arg == again.arg &&
			sc->workers == again.workers &&
			sc->scale == again.scale,
		"round-trip-numbers");
	promise(strcmp(sc->urls, again.urls) == 0 &&
			sc->blocking == again.blocking &&
			strcmp(sc->hog_workload, again.hog_workload) == 0 &&
			sc->hog_arg == again.hog_arg &&
			sc->hog_task == again.hog_task && sc->gap == again.gap,
		"round-trip-io-and-hog");
}

/* Does some line (up to a newline or the end) exceed the limit? */
static int has_long_line(const uint8_t *data, size_t size)
{
	size_t start = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			if (i - start > SCENARIO_LINE_MAX)
				return 1;
			start = i + 1;
		}
	}
	return 0;
}

/* err after a failure: terminated inside errlen, nothing written past it,
 * and shaped "FILE:LINE: what" or "FILE: what". */
static void check_error(const char *err, size_t size, size_t errlen)
{
	size_t flen = strlen(FUZZ_FILE);

	for (size_t i = errlen; i < size; i++)
		promise((unsigned char)err[i] == FUZZ_CANARY, "err-overrun");
	promise(terminated(err, errlen), "err-unterminated");
	if (errlen <= flen + 2)
		return;
	promise(strncmp(err, FUZZ_FILE ":", flen + 1) == 0, "err-no-file");
	const char *after = err + flen + 1;
	const char *p = after;
	while (*p >= '0' && *p <= '9')
		p++;
	/* A cut message may end anywhere; otherwise "LINE:" or " what". */
	promise(*p == '\0' || *p == (p == after ? ' ' : ':'), "err-shape");
}

/* The same bytes with a short err: same answer, err cut, not overrun. */
static void check_short_err(const uint8_t *data, size_t size)
{
	char err[FUZZ_SHORT_ERRLEN * 2];
	struct scenario sc;

	memset(err, FUZZ_CANARY, sizeof err);
	promise(scenario_parse((const char *)data, size, FUZZ_FILE, &sc, err,
			       FUZZ_SHORT_ERRLEN) == -1,
		"not-deterministic");
	check_error(err, sizeof err, FUZZ_SHORT_ERRLEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[FUZZ_ERRLEN + 64];
	struct scenario sc;

	/* libFuzzer's buffer is exactly `size` bytes, so a read past the end
	 * is a heap overflow ASan reports. */
	memset(err, FUZZ_CANARY, sizeof err);
	int rc = scenario_parse((const char *)data, size, FUZZ_FILE, &sc, err,
				FUZZ_ERRLEN);
	promise(rc == 0 || rc == -1, "return-value");
	if (rc < 0) {
		check_error(err, sizeof err, FUZZ_ERRLEN);
		check_short_err(data, size);
		return 0;
	}
	promise(memchr(data, '\0', size) == NULL, "nul-byte-accepted");
	promise(!has_long_line(data, size), "long-line-accepted");
	check_strings(&sc);
	check_numbers(&sc);
	check_round_trip(&sc);
	return 0;
}
