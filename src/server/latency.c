/* latency.c - strict parsing of latency profiles, and the waits they
 * give (see latency.h for the format). */
#include "config.h"

#include "server/latency.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/msg.h"
#include "core/num.h"

/* Fields of a rule line: PREFIX BASE [KIND [MS]]. One more is counted so
 * that a line with too many is told apart. */
#define FIELDS_MAX 5

static const char *const jitter_names[LATENCY_JITTER_COUNT] = { "none",
								"uniform",
								"normal" };

struct parse {
	const char *file;
	int line;
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

/* Splits s in place at blanks; returns the number of fields (at most
 * FIELDS_MAX: the last one then holds the rest). */
static int split_fields(char *s, char *fields[FIELDS_MAX])
{
	int n = 0;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0' || n == FIELDS_MAX)
			return n;
		fields[n++] = s;
		while (*s != '\0' && !is_blank(*s))
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

/* A whole number of ms: digits only (no sign, no blank). */
static int parse_ms(const char *v, int *out)
{
	long n;

	if (*v < '0' || *v > '9' ||
	    num_parse_long(v, 0, LATENCY_MS_MAX, &n) < 0)
		return -1;
	*out = (int)n;
	return 0;
}

static int check_prefix(struct parse *p, const char *s)
{
	size_t n = strlen(s);

	if (s[0] != '/')
		return fail(p, "a prefix starts with '/', not ", s);
	if (n >= LATENCY_PREFIX_MAX)
		return fail(p, "prefix too long (over 127 bytes): ", s);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f)
			return fail(p,
				    "a prefix is printable ASCII without "
				    "blanks: ",
				    s);
	}
	return 0;
}

static int parse_jitter(struct parse *p, char **f, int n,
			struct latency_rule *r)
{
	int k;

	r->jitter = LATENCY_JITTER_NONE;
	if (n == 2)
		return 0;
	for (k = 0; k < LATENCY_JITTER_COUNT; k++) {
		if (strcmp(f[2], jitter_names[k]) == 0)
			break;
	}
	if (k == LATENCY_JITTER_COUNT)
		return fail(
			p, "jitter must be none, uniform MS or normal MS, not ",
			f[2]);
	r->jitter = (enum latency_jitter)k;
	if (k == LATENCY_JITTER_NONE)
		return n == 3 ? 0 : fail(p, "'none' takes no number: ", f[3]);
	if (n == 3)
		return fail(p, "missing MS after ", f[2]);
	if (parse_ms(f[3], &r->jitter_ms) < 0)
		return fail(p,
			    "jitter must be a whole number of ms from 0 to "
			    "60000, not ",
			    f[3]);
	return 0;
}

static int parse_rule(struct parse *p, char *s, struct latency *l)
{
	char *f[FIELDS_MAX];
	int n = split_fields(s, f);
	struct latency_rule *r = &l->rules[l->count];

	if (n < 2)
		return fail(p, "expected 'PREFIX BASE_MS [JITTER]', got ", s);
	if (n > 4)
		return fail(p, "too many fields, from ", f[4]);
	if (check_prefix(p, f[0]) < 0)
		return -1;
	for (size_t i = 0; i < l->count; i++) {
		if (strcmp(l->rules[i].prefix, f[0]) == 0)
			return fail(p, "duplicate prefix ", f[0]);
	}
	if (l->count == LATENCY_RULES_MAX)
		return fail(p, "too many rules (over 64)", "");
	memset(r, 0, sizeof *r);
	r->prefix_len = strlen(f[0]);
	memcpy(r->prefix, f[0], r->prefix_len + 1);
	if (parse_ms(f[1], &r->base_ms) < 0)
		return fail(p,
			    "base must be a whole number of ms from 0 to "
			    "60000, not ",
			    f[1]);
	if (parse_jitter(p, f, n, r) < 0)
		return -1;
	l->count++;
	return 0;
}

/* One line, NUL-terminated, without its newline. */
static int parse_line(struct parse *p, char *s, struct latency *l)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '\r')
		s[--n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return fail(p, "control character in line", "");
	}
	while (is_blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	return parse_rule(p, s, l);
}

int latency_parse(const char *text, size_t len, const char *file,
		  struct latency *out, char *err, size_t errlen)
{
	struct parse p = { .file = file, .err = err, .errlen = errlen };
	char line[LATENCY_LINE_MAX + 1];
	size_t pos = 0;

	out->count = 0;
	if (memchr(text, '\0', len))
		return fail(&p,
			    "binary data (a NUL byte): a latency profile "
			    "is a text file",
			    "");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		p.line++;
		if (n > LATENCY_LINE_MAX)
			return fail(&p, "line too long (over 1024 bytes)", "");
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (parse_line(&p, line, out) < 0)
			return -1;
		pos += n + (nl ? 1 : 0);
	}
	return 0;
}

int latency_load(const char *path, struct latency *out, char *err,
		 size_t errlen)
{
	struct msg_quote q;
	char perr[512];
	FILE *f = fopen(path, "rb");

	if (!f) {
		msg_fmt(err, errlen,
			"cannot open latency profile '%s' (%s): check the "
			"path or set CONVIZ_DATADIR",
			msg_quote(path, &q), strerror(errno));
		return -1;
	}
	char *buf = xmalloc(LATENCY_FILE_MAX + 1);
	size_t n = fread(buf, 1, LATENCY_FILE_MAX + 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || n > LATENCY_FILE_MAX) {
		free(buf);
		msg_fmt(err, errlen,
			"cannot read latency profile '%s'%s: give a small "
			"text file",
			msg_quote(path, &q), bad ? "" : " (over 64 KiB)");
		return -1;
	}
	int rc = latency_parse(buf, n, path, out, perr, sizeof perr);
	free(buf);
	if (rc < 0)
		msg_fmt(err, errlen,
			"%s: fix the file (format: see LATENCY PROFILE in "
			"conviz(1))",
			perr);
	return rc;
}

const struct latency_rule *latency_match(const struct latency *l,
					 const char *path, size_t len)
{
	const struct latency_rule *best = NULL;

	for (size_t i = 0; i < l->count; i++) {
		const struct latency_rule *r = &l->rules[i];
		if (r->prefix_len > len ||
		    memcmp(r->prefix, path, r->prefix_len) != 0)
			continue;
		if (best == NULL || r->prefix_len > best->prefix_len)
			best = r;
	}
	return best;
}

uint64_t latency_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1): the top 53 bits. */
static double unit(uint64_t *rng)
{
	return (double)(latency_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* A standard normal draw (Box-Muller), cut at +-3. */
static double normal(uint64_t *rng)
{
	double u1 = 1.0 - unit(rng); /* (0, 1]: log is finite */
	double u2 = unit(rng);
	double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);

	return z < -3.0 ? -3.0 : z > 3.0 ? 3.0 : z;
}

int64_t latency_draw_ns(const struct latency_rule *r, uint64_t *rng)
{
	double ms, spread;

	if (r == NULL)
		return 0;
	ms = r->base_ms;
	switch (r->jitter) {
	case LATENCY_JITTER_UNIFORM:
		ms += (2.0 * unit(rng) - 1.0) * r->jitter_ms;
		break;
	case LATENCY_JITTER_NORMAL:
		ms += normal(rng) * r->jitter_ms;
		break;
	default:
		break;
	}
	/* Symmetric around base, so the mean stays base. */
	spread = ms - r->base_ms;
	if (spread > r->base_ms)
		ms = 2.0 * r->base_ms;
	else if (spread < -r->base_ms)
		ms = 0.0;
	return (int64_t)llround(ms * 1e6);
}
