/* latency.h - latency profiles of the embedded server: how long it waits
 * before it answers, per route prefix, read from data/www/latency.conf.
 *
 * The defaults reproduce the seed tutorials' sequential timings (sites
 * about 89 ms a request, pokemon 215 ms, httpbin 157 ms); a teacher can
 * change them without touching C. Parsing is strict: a bad number, an
 * unknown jitter kind, a duplicate prefix, a NUL byte or an over-long line
 * is an error that says file:line and what is wrong.
 *
 * Format (one rule per line; a line whose first non-blank is '#' is a
 * comment; blank lines are fine):
 *   PREFIX  BASE_MS  [JITTER]
 *   PREFIX  a path prefix: '/' then printable ASCII without blanks, at
 *           most LATENCY_PREFIX_MAX - 1 bytes; matched byte for byte
 *           against the decoded request path, the longest match wins
 *   BASE_MS the wait in ms, 0..LATENCY_MS_MAX
 *   JITTER  "none" (the default), "uniform MS" (base +- up to MS, evenly)
 *           or "normal MS" (a bell curve around base with MS as its
 *           standard deviation, cut at 3 of them); MS 0..LATENCY_MS_MAX
 * A path no prefix matches is answered at once.
 *
 * The jitter is narrowed to at most BASE_MS on each side, so no wait is
 * negative and the mean wait stays BASE_MS. Draws come from a seeded
 * generator the caller owns: the same seed and the same order of requests
 * give the same waits.
 */
#ifndef CONVIZ_LATENCY_H
#define CONVIZ_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#define LATENCY_RULES_MAX 64
#define LATENCY_PREFIX_MAX 128
#define LATENCY_MS_MAX 60000
#define LATENCY_LINE_MAX 1024
#define LATENCY_FILE_MAX (64 * 1024)

enum latency_jitter {
	LATENCY_JITTER_NONE,
	LATENCY_JITTER_UNIFORM,
	LATENCY_JITTER_NORMAL,
	LATENCY_JITTER_COUNT
};

struct latency_rule {
	char prefix[LATENCY_PREFIX_MAX];
	size_t prefix_len;
	int base_ms;
	enum latency_jitter jitter;
	int jitter_ms; /* uniform: widest step from base; normal: std dev */
};

struct latency {
	size_t count;
	struct latency_rule rules[LATENCY_RULES_MAX];
};

/* Parses `len` bytes of `text` (need not be NUL-terminated). `file` is
 * used in messages only. Returns 0, or -1 with "FILE:LINE: what is wrong"
 * (or "FILE: what" for the whole file) in err. Any thread; no allocation.
 * An empty file is valid: no latency anywhere. */
int latency_parse(const char *text, size_t len, const char *file,
		  struct latency *out, char *err, size_t errlen);

/* Reads and parses the file at path. Returns 0, or -1 with a message in
 * err shaped "what went wrong: what to do". */
int latency_load(const char *path, struct latency *out, char *err,
		 size_t errlen);

/* The rule with the longest prefix of path[0..len), or NULL. */
const struct latency_rule *latency_match(const struct latency *l,
					 const char *path, size_t len);

/* One wait for rule r, in ns (0 for NULL), drawn with *rng. The caller
 * serialises calls that share a generator. */
int64_t latency_draw_ns(const struct latency_rule *r, uint64_t *rng);

/* The next 64 random bits of the generator whose state is *state
 * (splitmix64: any seed, 0 included, is fine). */
uint64_t latency_rng_next(uint64_t *state);

#endif
