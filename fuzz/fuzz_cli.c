/* fuzz_cli.c - libFuzzer target: the command line and its number parsers.
 *
 * The input is a command line: words separated by NUL bytes (as the kernel
 * hands them to main), after "conviz" as argv[0]; empty input is `conviz`
 * alone. cli_parse must fill a struct cli that keeps the promises of cli.h
 * or fail with "what went wrong: what to do". The whole input (up to its
 * first NUL) also goes to num_parse_long/_u64/_double, whose results are
 * checked against a plain reimplementation. Broken promises abort() so
 * libFuzzer keeps the input. Built and run by fuzz/run.sh.
 */
#include "config.h"

#include <ctype.h>
#include <float.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/run.h"
#include "app/scenario.h"
#include "core/num.h"
#include "models/model.h"

#define FUZZ_ARGV_MAX 32
/* What app_main passes to cli_parse, so truncation behaves as in the
 * program. */
#define FUZZ_ERRLEN 768
#define FUZZ_SHORT_ERRLEN 16
#define FUZZ_CANARY 0xa5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tag (kebab-case) names the promise; fuzz/run.sh puts it in the name
 * of the regression file. */
static void promise(int kept, const char *tag)
{
	if (kept)
		return;
	fprintf(stderr, "fuzz_cli: broken promise: %s\n", tag);
	abort();
}

/* One malloc per word, exactly as long as the word, so that reading past
 * a word's NUL is a heap overflow ASan reports rather than a silent read
 * of the next word. */
struct words {
	int argc;
	char *argv[FUZZ_ARGV_MAX + 1];
	size_t len[FUZZ_ARGV_MAX];
};

static char *copy_word(const uint8_t *p, size_t n)
{
	char *w = malloc(n + 1);

	if (!w)
		abort();
	memcpy(w, p, n);
	w[n] = '\0';
	return w;
}

/* Splits on NUL; words past FUZZ_ARGV_MAX are dropped. */
static void words_split(struct words *w, const uint8_t *data, size_t size)
{
	size_t start = 0;

	w->argc = 0;
	w->len[0] = strlen("conviz");
	w->argv[w->argc++] = copy_word((const uint8_t *)"conviz", w->len[0]);
	for (size_t i = 0; size > 0 && i <= size; i++) {
		if (i < size && data[i] != '\0')
			continue;
		if (w->argc == FUZZ_ARGV_MAX)
			break;
		w->len[w->argc] = i - start;
		w->argv[w->argc++] = copy_word(data + start, i - start);
		start = i + 1;
	}
	w->argv[w->argc] = NULL;
}

static void words_free(struct words *w)
{
	for (int i = 0; i < w->argc; i++)
		free(w->argv[i]);
}

/* "Pointers in *out point into argv": inside one word, NUL included. */
static int points_into(const struct words *w, const char *p)
{
	/* As integers: comparing pointers into different objects is
	 * undefined in C. */
	uintptr_t at = (uintptr_t)p;

	for (int i = 0; i < w->argc; i++) {
		uintptr_t word = (uintptr_t)w->argv[i];
		if (at >= word && at <= word + w->len[i])
			return 1;
	}
	return 0;
}

/* compare takes -s, -m, --seed, --headless, --sweep and --gil/--no-gil,
 * and nothing else. */
static int compare_options_only(const struct cli *c)
{
	int serve = c->port >= 0 || c->bind;
	int run_only = c->workers || c->scale > 0.0 || c->url_file;

	return !serve && !run_only;
}

/* Each subcommand gets only its own options (help and version take
 * anything: they win); compare takes -s, -m, --seed, --headless,
 * --sweep and --gil/--no-gil; only compare takes --sweep. */
static void check_belongs(const struct cli *c)
{
	int run = c->scenario || c->model >= 0 || c->workers || c->gil >= 0 ||
		  c->scale > 0.0 || c->headless || c->url_file;
	int serve = c->port >= 0 || c->bind;

	if (c->cmd == CLI_COMPARE)
		promise(compare_options_only(c), "option-on-compare");
	if (c->cmd == CLI_TUI || c->cmd == CLI_RUN)
		promise(!serve, "serve-option-on-run");
	if (c->cmd == CLI_SERVE)
		promise(!run, "run-option-on-serve");
	if (c->cmd == CLI_LIST)
		promise(!run && !serve && !c->have_seed, "option-on-list");
}

/* The exports: run, compare and replay take them, no other; replay's
 * file comes with replay only. */
static void check_exports(const struct cli *c)
{
	int any = c->cmd == CLI_HELP || c->cmd == CLI_VERSION; /* they win */

	if (c->cmd == CLI_REPLAY)
		promise(c->port < 0 && !c->bind && !c->have_seed &&
				c->replay != NULL,
			"option-on-replay");
	promise(!(c->trace || c->svg || c->csv) || any ||
			(c->cmd != CLI_LIST && c->cmd != CLI_SERVE),
		"export-option-elsewhere");
	promise(!c->replay || any || c->cmd == CLI_REPLAY,
		"replay-file-elsewhere");
}

/* A sweep is a range 1 <= A <= B <= RUN_WORKERS_MAX, or none; only
 * compare takes one. */
static void check_sweep(const struct cli *c)
{
	promise((c->sweep_from == 0 && c->sweep_to == 0) ||
			(c->sweep_from >= 1 && c->sweep_from <= c->sweep_to &&
			 c->sweep_to <= RUN_WORKERS_MAX),
		"sweep-range");
	promise(!c->sweep_to || c->cmd == CLI_COMPARE || c->cmd == CLI_HELP ||
			c->cmd == CLI_VERSION,
		"sweep-off-compare");
}

static void check_cli(const struct words *w, const struct cli *c)
{
	promise(c->cmd >= CLI_TUI && c->cmd <= CLI_REPLAY, "cmd-range");
	check_exports(c);
	promise(c->model == -1 || (c->model >= 0 && c->model < MODEL_COUNT),
		"model-range");
	if (c->model >= 0)
		promise(model_get((enum model_id)c->model)->run != NULL,
			"model-unavailable-accepted");
	promise(c->workers >= 0 && c->workers <= RUN_WORKERS_MAX,
		"workers-range");
	promise(c->gil >= -1 && c->gil <= 1, "gil-range");
	check_sweep(c);
	promise(c->have_seed == 0 || c->have_seed == 1, "have-seed-flag");
	promise(c->headless == 0 || c->headless == 1, "headless-flag");
	/* 0 means the scenario's default; anything else was given. */
	promise(c->scale == 0.0 ||
			(c->scale > 0.0 && c->scale <= SCENARIO_SCALE_MAX),
		"scale-range");
	if (c->scenario) {
		promise(points_into(w, c->scenario), "scenario-not-in-argv");
		promise(c->scenario[0] != '\0', "scenario-empty");
	}
	if (c->url_file)
		promise(points_into(w, c->url_file), "url-file-not-in-argv");
	check_belongs(c);
}

/* err: nothing written past errlen; after a failure terminated inside it
 * and (when not cut short on purpose) shaped "what went wrong: what to
 * do". cli.h says nothing of err after a success, so neither do we. */
static void check_err(const char *err, size_t size, size_t errlen, int failed)
{
	for (size_t i = errlen; i < size; i++)
		promise((unsigned char)err[i] == FUZZ_CANARY, "err-overrun");
	if (!failed)
		return;
	promise(memchr(err, '\0', errlen) != NULL, "err-unterminated");
	if (errlen == FUZZ_ERRLEN) {
		promise(err[0] != '\0', "err-empty");
		/* Cut short, the "what to do" part is lost: say so apart from
		 * a message that never had one. */
		promise(strlen(err) < FUZZ_ERRLEN - 1, "err-truncated");
		promise(strstr(err, ": ") != NULL, "err-shape");
	}
}

/* cli_parse reads argv, it must not change it. */
static void check_argv_intact(const struct words *w, const uint8_t *data,
			      size_t size)
{
	size_t pos = 0;

	promise(strcmp(w->argv[0], "conviz") == 0, "argv-changed");
	for (int i = 1; i < w->argc; i++) {
		promise(pos + w->len[i] <= size &&
				memcmp(w->argv[i], data + pos, w->len[i]) ==
					0 &&
				w->argv[i][w->len[i]] == '\0',
			"argv-changed");
		pos += w->len[i] + 1;
	}
}

static void fuzz_cli_parse(const uint8_t *data, size_t size)
{
	struct words w;
	struct cli c;
	char err[FUZZ_ERRLEN + 64];

	words_split(&w, data, size);
	memset(err, FUZZ_CANARY, sizeof err);
	int rc = cli_parse(w.argc, w.argv, &c, err, FUZZ_ERRLEN);
	promise(rc == 0 || rc == -1, "return-value");
	check_argv_intact(&w, data, size);
	check_err(err, sizeof err, FUZZ_ERRLEN, rc < 0);
	if (rc == 0) {
		check_cli(&w, &c);
	} else {
		/* A short err: same answer, cut, not overrun. */
		memset(err, FUZZ_CANARY, sizeof err);
		promise(cli_parse(w.argc, w.argv, &c, err, FUZZ_SHORT_ERRLEN) ==
				-1,
			"not-deterministic");
		check_err(err, sizeof err, FUZZ_SHORT_ERRLEN, 1);
	}
	words_free(&w);
}

/* The reference reading of "[-]digits" with overflow detection: 0 and the
 * value, or -1. Written without strtol so it can judge strtol's caller. */
static int ref_long(const char *s, long *out)
{
	int neg = *s == '-';
	unsigned long limit = neg ? (unsigned long)LONG_MAX + 1 : LONG_MAX;
	unsigned long v = 0;

	if (neg)
		s++;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	/* -(LONG_MAX + 1) cannot be negated as a long: build it from -1. */
	*out = neg ? (v == 0 ? 0 : -(long)(v - 1) - 1) : (long)v;
	return 0;
}

static int ref_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static void check_long(const char *s, long min, long max)
{
	long want = 0, got = 0;
	int ok = ref_long(s, &want) == 0 && want >= min && want <= max;
	int rc = num_parse_long(s, min, max, &got);

	promise(rc == 0 || rc == -1, "return-value");
	promise((rc == 0) == ok, "parse-long-verdict");
	if (rc == 0)
		promise(got == want, "parse-long-value");
}

static void check_u64(const char *s)
{
	uint64_t want = 0, got = 0;
	int ok = ref_u64(s, &want) == 0;
	int rc = num_parse_u64(s, &got);

	promise(rc == 0 || rc == -1, "return-value");
	promise((rc == 0) == ok, "parse-u64-verdict");
	if (rc == 0)
		promise(got == want, "parse-u64-value");
}

/* strtod's grammar is too big to reimplement; check the promises instead:
 * a whole number-like string without blanks, a finite value in range. */
static void check_double(const char *s, double min_excl, double max_incl)
{
	double got = 0.0;
	int rc = num_parse_double(s, min_excl, max_incl, &got);

	promise(rc == 0 || rc == -1, "return-value");
	if (rc != 0)
		return;
	promise(got > min_excl && got <= max_incl, "parse-double-range");
	promise((s[0] >= '0' && s[0] <= '9') || s[0] == '.',
		"parse-double-start");
	for (const char *p = s; *p; p++)
		promise(!isspace((unsigned char)*p), "parse-double-blank");
	promise(got == strtod(s, NULL), "parse-double-value");
}

static void fuzz_numbers(const uint8_t *data, size_t size)
{
	/* Up to the first NUL and exactly as long, for the same reason as
	 * copy_word. */
	const uint8_t *nul = memchr(data, '\0', size);
	char *s = copy_word(data, nul ? (size_t)(nul - data) : size);

	/* The ranges the program uses, and the widest. */
	check_long(s, 1, RUN_WORKERS_MAX);
	check_long(s, 1, SCENARIO_TASKS_MAX);
	check_long(s, 0, LONG_MAX);
	check_long(s, LONG_MIN, LONG_MAX);
	check_u64(s);
	check_double(s, 0.0, SCENARIO_SCALE_MAX);
	check_double(s, -1.0, DBL_MAX);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_cli_parse(data, size);
	fuzz_numbers(data, size);
	return 0;
}
