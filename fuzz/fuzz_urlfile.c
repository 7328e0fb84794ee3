/* fuzz_urlfile.c - libFuzzer target: urllist_parse and urllist_words on
 * arbitrary bytes, and urllist_expand on every URL they accept.
 *
 * A --url-file is whatever the user points conviz at, so whatever the
 * bytes, the parser must either give a list that keeps every promise of
 * urllist.h or an error shaped "FILE[:LINE]: what", with nothing to free.
 * Memory errors and leaks are the sanitizers' job (libFuzzer's buffer is
 * exactly `size` bytes, so a read past it is a heap overflow); broken
 * promises abort() here so libFuzzer keeps the input. Built and run by
 * fuzz/run.sh.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/urllist.h"

#define FUZZ_FILE "fuzz.urls"
#define FUZZ_BASE "http://127.0.0.1:40123"
#define FUZZ_N 7
/* What urllist_load hands to the parser, so truncation behaves as in the
 * program; and a buffer shorter than FUZZ_FILE too. */
#define FUZZ_ERRLEN 640
#define FUZZ_SHORT_ERRLEN 6
#define FUZZ_CANARY 0xa5
/* Room for any expanded URL: "{n}" only shrinks to "7". */
#define FUZZ_EXPAND_MAX (URLLIST_URL_MAX + sizeof FUZZ_BASE)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tag (kebab-case) names the promise; fuzz/run.sh puts it in the name
 * of the regression file. */
static void promise(int kept, const char *tag)
{
	if (kept)
		return;
	fprintf(stderr, "fuzz_urlfile: broken promise: %s\n", tag);
	abort();
}

static int terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Printable ASCII without blanks, as urllist.h promises. */
static int printable(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	}
	return 1;
}

static int is_path(const char *u)
{
	return u[0] == '/' && u[1] != '/';
}

/* "http://" or "https://" in any case, then at least one more byte. */
static int is_absolute(const char *u)
{
	size_t k = strncasecmp(u, "https://", 8) == 0  ? 8
		   : strncasecmp(u, "http://", 7) == 0 ? 7
						       : 0;

	return k > 0 && strchr("/?#", u[k]) == NULL;
}

static size_t count_placeholders(const char *u)
{
	size_t k = 0;

	for (const char *p = strstr(u, "{n}"); p; p = strstr(p + 3, "{n}"))
		k++;
	return k;
}

/* urllist_expand with n = FUZZ_N: the length it must give, in a buffer
 * that fits and in one a byte too short. */
static void check_expand(const char *u)
{
	char out[FUZZ_EXPAND_MAX + 16];
	size_t want = strlen(u) - 2 * count_placeholders(u) +
		      (is_path(u) ? strlen(FUZZ_BASE) : 0);

	promise(want < FUZZ_EXPAND_MAX, "expand-bound");
	promise(urllist_expand(u, FUZZ_N, FUZZ_BASE, out, FUZZ_EXPAND_MAX) == 0,
		"expand-fails");
	promise(strlen(out) == want, "expand-length");
	promise(strstr(out, "{n}") == NULL, "expand-placeholder-left");
	promise(!is_path(u) ||
			strncmp(out, FUZZ_BASE "/", sizeof FUZZ_BASE) == 0,
		"expand-base");
	/* Only the bytes around the end: this runs for each of up to 10000
	 * URLs of an input. */
	memset(out, FUZZ_CANARY, want + 16);
	promise(urllist_expand(u, FUZZ_N, FUZZ_BASE, out, want) == -1,
		"expand-short-fits");
	promise(out[0] == '\0', "expand-short-not-empty");
	for (size_t i = want; i < want + 16; i++)
		promise((unsigned char)out[i] == FUZZ_CANARY, "expand-overrun");
	promise(urllist_expand(u, FUZZ_N, NULL, out, FUZZ_EXPAND_MAX) ==
			(is_path(u) ? -1 : 0),
		"expand-null-base");
}

static void check_list(const struct urllist *l)
{
	int server = 0;

	promise(l->count >= 1 && l->count <= URLLIST_COUNT_MAX, "count");
	for (size_t i = 0; i < l->count; i++) {
		const char *u = l->urls[i];
		size_t n = strlen(u);
		promise(n >= 1 && n <= URLLIST_URL_MAX, "url-length");
		promise(printable(u), "url-bytes");
		promise(is_path(u) || is_absolute(u), "url-shape");
		server |= is_path(u);
		check_expand(u);
	}
	promise(urllist_needs_server(l) == server, "needs-server");
}

static int same_list(const struct urllist *a, const struct urllist *b)
{
	if (a->count != b->count)
		return 0;
	for (size_t i = 0; i < a->count; i++) {
		if (strcmp(a->urls[i], b->urls[i]) != 0)
			return 0;
	}
	return 1;
}

/* The URLs joined by `sep`, NUL-terminated; to free. */
static char *join(const struct urllist *l, char sep, size_t *len)
{
	size_t n = 0;

	for (size_t i = 0; i < l->count; i++)
		n += strlen(l->urls[i]) + 1;
	char *s = malloc(n + 1);
	promise(s != NULL, "join-malloc");
	n = 0;
	for (size_t i = 0; i < l->count; i++) {
		size_t k = strlen(l->urls[i]);
		memcpy(s + n, l->urls[i], k);
		s[n + k] = sep;
		n += k + 1;
	}
	s[n] = '\0';
	*len = n;
	return s;
}

/* An accepted list, written back one a line or as words, must read back
 * the same: the two parsers keep the same rules. */
static void check_round_trip(const struct urllist *l)
{
	char err[FUZZ_ERRLEN];
	struct urllist again;
	size_t len;
	char *text = join(l, '\n', &len);

	promise(urllist_parse(text, len, FUZZ_FILE, &again, err, sizeof err) ==
				0 &&
			same_list(l, &again),
		"round-trip-lines");
	urllist_free(&again);
	text[len - 1] = '\0';
	for (char *p = text; *p; p++)
		*p = *p == '\n' ? ' ' : *p;
	promise(urllist_words(text, &again, err, sizeof err) == 0 &&
			same_list(l, &again),
		"round-trip-words");
	urllist_free(&again);
	free(text);
}

/* err after a failure: terminated inside errlen, nothing written past it,
 * one clean line, and (when `file`) "FILE: what" or "FILE:LINE: what". */
static void check_error(const char *err, size_t size, size_t errlen, int file)
{
	size_t flen = strlen(FUZZ_FILE);

	for (size_t i = errlen; i < size; i++)
		promise((unsigned char)err[i] == FUZZ_CANARY, "err-overrun");
	promise(terminated(err, errlen), "err-unterminated");
	for (const char *p = err; *p; p++)
		promise((unsigned char)*p >= 0x20 && *p != 0x7f,
			"err-control-char");
	if (!file || errlen <= flen + 2)
		return;
	promise(strncmp(err, FUZZ_FILE ":", flen + 1) == 0, "err-no-file");
	const char *after = err + flen + 1;
	const char *p = after;
	while (*p >= '0' && *p <= '9')
		p++;
	promise(*p == '\0' || *p == (p == after ? ' ' : ':'), "err-shape");
}

static void check_empty(const struct urllist *l)
{
	promise(l->count == 0 && l->urls == NULL, "error-list-not-empty");
}

/* The same bytes with a short err: same answer, err cut, not overrun. */
static void check_short_err(const uint8_t *data, size_t size)
{
	char err[FUZZ_SHORT_ERRLEN * 2];
	struct urllist l;

	memset(err, FUZZ_CANARY, sizeof err);
	promise(urllist_parse((const char *)data, size, FUZZ_FILE, &l, err,
			      FUZZ_SHORT_ERRLEN) == -1,
		"not-deterministic");
	check_empty(&l);
	check_error(err, sizeof err, FUZZ_SHORT_ERRLEN, 1);
}

/* What urllist_words accepts, one a line instead, urllist_parse accepts
 * the same way. */
static void check_words_as_lines(char *text, const struct urllist *l)
{
	char err[FUZZ_ERRLEN];
	struct urllist again;
	size_t len = strlen(text);

	for (char *p = text; *p; p++)
		*p = *p == ' ' || *p == '\t' ? '\n' : *p;
	promise(urllist_parse(text, len, FUZZ_FILE, &again, err, sizeof err) ==
				0 &&
			same_list(l, &again),
		"words-not-lines");
	urllist_free(&again);
}

/* urllist_words on the bytes up to the first NUL. */
static void fuzz_words(const uint8_t *data, size_t size)
{
	char err[FUZZ_ERRLEN + 64];
	struct urllist l;
	char *text = malloc(size + 1);

	promise(text != NULL, "words-malloc");
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, FUZZ_CANARY, sizeof err);
	int rc = urllist_words(text, &l, err, FUZZ_ERRLEN);
	promise(rc == 0 || rc == -1, "words-return-value");
	if (rc < 0) {
		check_empty(&l);
		check_error(err, sizeof err, FUZZ_ERRLEN, 0);
	} else {
		check_list(&l);
		check_words_as_lines(text, &l);
		urllist_free(&l);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[FUZZ_ERRLEN + 64];
	struct urllist l;

	memset(err, FUZZ_CANARY, sizeof err);
	int rc = urllist_parse((const char *)data, size, FUZZ_FILE, &l, err,
			       FUZZ_ERRLEN);
	promise(rc == 0 || rc == -1, "return-value");
	if (rc < 0) {
		check_empty(&l);
		check_error(err, sizeof err, FUZZ_ERRLEN, 1);
		check_short_err(data, size);
	} else {
		promise(memchr(data, '\0', size) == NULL, "nul-byte-accepted");
		check_list(&l);
		check_round_trip(&l);
		urllist_free(&l);
		check_empty(&l);
	}
	fuzz_words(data, size);
	return 0;
}
