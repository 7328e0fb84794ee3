/* urllist.c - strict parsing of URL lists (see urllist.h for the rules),
 * and the URLs they give each task. */
#include "config.h"

#include "core/urllist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/msg.h"
#include "core/textfile.h"

/* A "what is wrong" before "FILE:LINE: " goes in front of it. */
#define WHAT_MAX 512

struct parse {
	const char *file; /* NULL: a word list, messages without FILE:LINE */
	long line;	  /* 0: the message is about the whole file */
	/* What to do about the error, for urllist_load; NULL when the
	 * message already says. */
	const char *hint;
	char *err;
	size_t errlen;
	struct urllist *out;
	size_t cap; /* of out->urls */
};

static int failf(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int failf(struct parse *p, const char *fmt, ...)
{
	char what[WHAT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	p->hint = p->line > 0 ? "fix that line" : NULL;
	if (p->file == NULL) {
		msg_fmt(p->err, p->errlen, "%s", what);
		return -1;
	}
	return msg_at(p->err, p->errlen, p->file, p->line, what, "");
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Every byte printable ASCII; blanks are told apart by the caller. */
static int check_bytes(struct parse *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80)
			return failf(p, "non-ASCII character in URL: "
					"percent-encode it");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return failf(p, "control character in URL");
	}
	if (strpbrk(s, " \t")) {
		struct msg_quote q;
		return failf(p,
			     "not a URL: '%s': one URL a line, a space "
			     "written %%20",
			     msg_quote(s, &q));
	}
	return 0;
}

/* Length of the scheme s starts with ("http" of "http://..."), or 0 when
 * it has none: no letter first, no ':' after the letters, or ':' then a
 * digit, as in "localhost:8080" (a host and port without a scheme). */
static size_t scheme_len(const char *s)
{
	size_t k = 0;

	if (!is_alpha(s[0]))
		return 0;
	while (is_alpha(s[k]) || is_digit(s[k]) || s[k] == '+' || s[k] == '-' ||
	       s[k] == '.')
		k++;
	if (s[k] != ':' || is_digit(s[k + 1]))
		return 0;
	return k;
}

static int is_http(const char *s, size_t k)
{
	return (k == 4 && strncasecmp(s, "http", 4) == 0) ||
	       (k == 5 && strncasecmp(s, "https", 5) == 0);
}

/* A port: 1..65535 in digits only. */
static int check_port(struct parse *p, const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n && i < 6 && is_digit(s[i]); i++)
		v = v * 10 + (s[i] - '0');
	if (i == n && n > 0 && v >= 1 && v <= 65535)
		return 0;
	char port[MSG_QUOTE_MAX + 2];
	struct msg_quote q;
	msg_fmt(port, sizeof port, "%.*s", (int)n, s);
	return failf(p, "bad port '%s': use a number from 1 to 65535",
		     msg_quote(port, &q));
}

/* "[v6]" or "[v6]:port", n bytes. */
static int check_v6_host(struct parse *p, const char *h, size_t n)
{
	const char *close = memchr(h, ']', n);

	if (close == NULL)
		return failf(p, "bad host: '[' without ']'");
	if (close == h + 1)
		return failf(p, "URL has no host");
	size_t rest = n - (size_t)(close + 1 - h);
	if (rest == 0)
		return 0;
	if (close[1] != ':')
		return failf(p, "bad host: only ':PORT' may follow ']'");
	return check_port(p, close + 2, rest - 1);
}

/* What follows "scheme://": [user@]host[:port] up to '/', '?', '#'. */
static int check_authority(struct parse *p, const char *a)
{
	size_t end = strcspn(a, "/?#");
	const char *h = a;

	for (size_t i = 0; i < end; i++) {
		if (a[i] == '@')
			h = a + i + 1;
	}
	size_t n = end - (size_t)(h - a);
	if (n > 0 && h[0] == '[')
		return check_v6_host(p, h, n);
	const char *colon = NULL;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == ':')
			colon = h + i;
	}
	if (n == 0 || colon == h)
		return failf(p, "URL has no host");
	if (colon == NULL)
		return 0;
	return check_port(p, colon + 1, n - (size_t)(colon + 1 - h));
}

/* s is NUL-terminated, printable and without blanks. */
static int check_shape(struct parse *p, const char *s)
{
	struct msg_quote q, qs;

	if (s[0] == '/' && s[1] != '/')
		return 0;
	if (s[0] == '/')
		return failf(p,
			     "not a URL: '%s': write http:%s, or a path "
			     "starting with a single /",
			     msg_quote(s, &q), msg_quote(s, &qs));
	size_t k = scheme_len(s);
	if (k == 0)
		return failf(p,
			     "not a URL: '%s': write http://%s or a path "
			     "starting with /",
			     msg_quote(s, &q), msg_quote(s, &qs));
	if (!is_http(s, k)) {
		char scheme[MSG_QUOTE_MAX + 2];
		msg_fmt(scheme, sizeof scheme, "%.*s", (int)k, s);
		return failf(p,
			     "unsupported scheme '%s': use http:// or "
			     "https://",
			     msg_quote(scheme, &q));
	}
	if (strncmp(s + k + 1, "//", 2) != 0)
		return failf(p, "URL has no host");
	return check_authority(p, s + k + 3);
}

static void push(struct urllist *l, size_t *cap, char *url)
{
	if (l->count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		l->urls = xrealloc(l->urls, *cap * sizeof *l->urls);
	}
	l->urls[l->count++] = url;
}

/* Checks the n bytes at s (no NUL among them, none needed after) and adds
 * a copy to the list. */
static int add_url(struct parse *p, const char *s, size_t n)
{
	if (p->out->count == URLLIST_COUNT_MAX) {
		failf(p, "too many URLs (over %d)", URLLIST_COUNT_MAX);
		p->hint = "keep at most 10000 URLs in a file";
		return -1;
	}
	if (n > URLLIST_URL_MAX)
		return failf(p, "URL too long (over %d bytes)",
			     URLLIST_URL_MAX);
	char *url = xmalloc(n + 1);
	memcpy(url, s, n);
	url[n] = '\0';
	if (check_bytes(p, url, n) < 0 || check_shape(p, url) < 0) {
		free(url);
		return -1;
	}
	push(p->out, &p->cap, url);
	return 0;
}

/* One line, NUL-terminated at n, without its newline. */
static int parse_line(struct parse *p, char *s, size_t n)
{
	while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
		s[--n] = '\0';
	while (is_blank(*s)) {
		s++;
		n--;
	}
	if (*s == '\0' || *s == '#')
		return 0;
	return add_url(p, s, n);
}

static int parse_text(struct parse *p, const char *text, size_t len)
{
	char line[URLLIST_LINE_MAX + 1];
	size_t pos = 0;

	/* A byte order mark, as some Windows editors write: not text. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (len > 0 && memchr(text, '\0', len))
		return failf(p, "binary data (a NUL byte): a URL file is a "
				"text file");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		p->line++;
		if (n > URLLIST_LINE_MAX)
			return failf(p, "line too long (over %d bytes)",
				     URLLIST_LINE_MAX);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (parse_line(p, line, n) < 0)
			return -1;
		pos += n + (nl ? 1 : 0);
	}
	if (p->out->count > 0)
		return 0;
	p->line = 0;
	failf(p, "no URLs (only blank lines and comments)");
	p->hint = "put one URL a line";
	return -1;
}

int urllist_parse(const char *text, size_t len, const char *file,
		  struct urllist *out, char *err, size_t errlen)
{
	struct parse p = {
		.file = file, .err = err, .errlen = errlen, .out = out
	};

	out->count = 0;
	out->urls = NULL;
	if (parse_text(&p, text, len) == 0)
		return 0;
	urllist_free(out);
	return -1;
}

int urllist_words(const char *text, struct urllist *out, char *err,
		  size_t errlen)
{
	struct parse p = { .err = err, .errlen = errlen, .out = out };
	const char *s = text;

	out->count = 0;
	out->urls = NULL;
	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			break;
		size_t n = strcspn(s, " \t");
		if (add_url(&p, s, n) < 0) {
			urllist_free(out);
			return -1;
		}
		s += n;
	}
	if (out->count > 0)
		return 0;
	return failf(&p, "no URLs (an empty list)");
}

/* For textfile_read's messages. */
static const struct textfile_kind url_file = {
	.what = "URL file",
	.max = URLLIST_FILE_MAX,
	.max_text = "1 MiB",
	.dir_hint = "give a text file with one URL a line",
	.large_hint = "give at most 10000 URLs, one a line",
};

int urllist_load(const char *path, struct urllist *out, char *err,
		 size_t errlen)
{
	char perr[WHAT_MAX + 128];
	struct parse p = {
		.file = path, .err = perr, .errlen = sizeof perr, .out = out
	};
	char *text;
	size_t len;

	out->count = 0;
	out->urls = NULL;
	if (textfile_read(path, &url_file, &text, &len, err, errlen) < 0)
		return -1;
	int rc = parse_text(&p, text, len);
	free(text);
	if (rc == 0)
		return 0;
	urllist_free(out);
	if (p.hint)
		msg_fmt(err, errlen, "%s: %s", perr, p.hint);
	else
		msg_fmt(err, errlen, "%s", perr);
	return -1;
}

void urllist_free(struct urllist *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->count; i++)
		free(l->urls[i]);
	free(l->urls);
	l->urls = NULL;
	l->count = 0;
}

/* A bounded writer: once something does not fit, nothing more is
 * written and `full` stays set. */
struct writer {
	char *p;
	size_t left; /* room, the final NUL included */
	int full;
};

static void put(struct writer *o, const char *s, size_t n)
{
	if (o->full || n >= o->left) {
		o->full = 1;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
	o->left -= n;
}

int urllist_expand(const char *tmpl, long n, const char *base, char *out,
		   size_t outlen)
{
	struct writer o = { .p = out, .left = outlen };
	char num[24];
	int numlen = snprintf(num, sizeof num, "%ld", n);

	if (outlen == 0)
		return -1;
	if (tmpl[0] == '/') {
		if (base == NULL)
			o.full = 1;
		else
			put(&o, base, strlen(base));
	}
	for (const char *s = tmpl; *s && !o.full;) {
		const char *ph = strstr(s, "{n}");
		size_t k = ph ? (size_t)(ph - s) : strlen(s);
		put(&o, s, k);
		if (ph == NULL)
			break;
		put(&o, num, (size_t)numlen);
		s = ph + 3;
	}
	if (o.full) {
		out[0] = '\0';
		return -1;
	}
	*o.p = '\0';
	return 0;
}

int urllist_needs_server(const struct urllist *l)
{
	if (l == NULL)
		return 0;
	for (size_t i = 0; i < l->count; i++) {
		if (l->urls[i][0] == '/')
			return 1;
	}
	return 0;
}
