/* http.c - strict HTTP/1.1 request heads and response heads (see http.h).
 *
 * The parser is a cursor over the buffer and a few small functions, one per
 * part of the head. Each returns 0 when its part is complete and valid,
 * HTTP_PARSE_MORE when the buffer ends inside it, or the error status.
 * Every byte is checked as soon as it is seen, so a port scanner's or a TLS
 * client's bytes get their 400 at once, not after a timeout; and because
 * each check depends only on bytes already seen, an error sticks however
 * many bytes follow (the fuzzer checks this).
 */
#include "config.h"

#include "server/http.h"

#include <string.h>

struct scan {
	const char *buf;
	size_t pos;    /* next byte to look at */
	size_t end;    /* min(len, HTTP_HEAD_MAX) */
	int line_done; /* the request line is complete: too big is 431 */
	int hosts;     /* Host fields seen */
	int lengths;   /* Content-Length fields seen */
	int chunked;   /* a Transfer-Encoding field was seen */
	int conn_close, conn_keep; /* Connection: close / keep-alive */
};

/* --- character classes (RFC 9110, RFC 3986) -------------------------- */

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* strchr would match the terminating NUL: c is checked first. */
static int in_set(unsigned char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static int is_tchar(unsigned char c)
{
	return is_alnum(c) || in_set(c, "!#$%&'*+-.^_`|~");
}

/* unreserved, sub-delims, ':' '@' '/' '?' '%', and '[' ']' for an IPv6
 * host in absolute- or authority-form (split_target keeps them out of
 * paths). */
static int is_target_char(unsigned char c)
{
	return is_alnum(c) || in_set(c, "-._~!$&'()*+,;=:@/?%[]");
}

/* field-vchar, obs-text, SP and HTAB. */
static int is_field_char(unsigned char c)
{
	return (c >= 0x20 && c != 0x7f) || c == '\t';
}

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int str_ieq(const struct http_str *s, const char *lit)
{
	size_t n = strlen(lit);

	if (s->len != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (lower((unsigned char)s->p[i]) !=
		    lower((unsigned char)lit[i]))
			return 0;
	}
	return 1;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return lower(c) - 'a' + 10;
}

/* --- the request line ------------------------------------------------- */

/* A line end: CRLF, or a bare LF (RFC 9112 2.2 lets a recipient accept
 * it). A CR followed by anything else is malformed. */
static int parse_eol(struct scan *s)
{
	if (s->pos == s->end)
		return HTTP_PARSE_MORE;
	if (s->buf[s->pos] == '\n') {
		s->pos++;
		return 0;
	}
	if (s->buf[s->pos] != '\r')
		return 400;
	if (s->pos + 1 == s->end)
		return HTTP_PARSE_MORE;
	if (s->buf[s->pos + 1] != '\n')
		return 400;
	s->pos += 2;
	return 0;
}

/* A keep-alive client may send a stray CRLF after a request (RFC 9112
 * 2.2); a few are skipped, a flood is not a request. */
static int skip_empty_lines(struct scan *s)
{
	for (int n = 0;; n++) {
		if (s->pos == s->end)
			return HTTP_PARSE_MORE;
		if (s->buf[s->pos] != '\r' && s->buf[s->pos] != '\n')
			return 0;
		if (n == HTTP_EMPTY_LINES_MAX)
			return 400;
		int rc = parse_eol(s);
		if (rc != 0)
			return rc;
	}
}

static int parse_method(struct scan *s, struct http_request *req)
{
	size_t start = s->pos;

	while (s->pos < s->end && is_tchar((unsigned char)s->buf[s->pos])) {
		if (s->pos - start == HTTP_METHOD_MAX)
			return 501;
		s->pos++;
	}
	if (s->pos == s->end)
		return HTTP_PARSE_MORE;
	if (s->buf[s->pos] != ' ' || s->pos == start)
		return 400;
	req->method_name.p = s->buf + start;
	req->method_name.len = s->pos - start;
	s->pos++;
	req->method = HTTP_METHOD_OTHER;
	if (req->method_name.len == 3 && memcmp(s->buf + start, "GET", 3) == 0)
		req->method = HTTP_METHOD_GET;
	if (req->method_name.len == 4 && memcmp(s->buf + start, "HEAD", 4) == 0)
		req->method = HTTP_METHOD_HEAD;
	return 0;
}

/* Checks a path (and query) of an origin- or absolute-form target: no
 * '[' or ']' (those belong to a host), every '%' followed by two hex
 * digits. Fills req->path and req->query. */
static int split_path(struct http_request *req, const char *p, size_t len)
{
	const char *q = memchr(p, '?', len);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '[' || c == ']')
			return 400;
		if (c == '%' &&
		    (i + 2 >= len || !is_hex((unsigned char)p[i + 1]) ||
		     !is_hex((unsigned char)p[i + 2])))
			return 400;
	}
	req->path.p = p;
	req->path.len = q ? (size_t)(q - p) : len;
	req->query.p = q ? q + 1 : p + len;
	req->query.len = q ? len - req->path.len - 1 : 0;
	return 0;
}

/* Length of "http://" or "https://" at the start of t (scheme case
 * ignored), or 0. */
static size_t scheme_len(const struct http_str *t)
{
	struct http_str head = { t->p, t->len < 7 ? t->len : 7 };

	if (str_ieq(&head, "http://"))
		return 7;
	head.len = t->len < 8 ? t->len : 8;
	return str_ieq(&head, "https://") ? 8 : 0;
}

/* The absolute-form: the authority is skipped (one host serves it all),
 * the rest is the path. */
static int split_absolute(struct http_request *req, size_t skip)
{
	const char *p = req->target.p + skip;
	size_t len = req->target.len - skip;
	size_t host = 0;

	while (host < len && p[host] != '/' && p[host] != '?')
		host++;
	if (host == 0)
		return 400;
	return split_path(req, p + host, len - host);
}

static int split_target(struct http_request *req)
{
	const struct http_str *t = &req->target;
	size_t skip;

	if (t->p[0] == '/')
		return split_path(req, t->p, t->len);
	if (t->len == 1 && t->p[0] == '*') {
		req->path = *t;
		req->query = (struct http_str){ t->p + 1, 0 };
		return 0;
	}
	skip = scheme_len(t);
	if (skip > 0)
		return split_absolute(req, skip);
	if (str_ieq(&req->method_name, "CONNECT") &&
	    memchr(t->p, '/', t->len) == NULL &&
	    memchr(t->p, '?', t->len) == NULL) {
		req->path = (struct http_str){ t->p, 0 };
		req->query = (struct http_str){ t->p, 0 };
		return 0;
	}
	return 400;
}

static int parse_target(struct scan *s, struct http_request *req)
{
	size_t start = s->pos;

	while (s->pos < s->end && s->buf[s->pos] != ' ') {
		if (!is_target_char((unsigned char)s->buf[s->pos]))
			return 400;
		if (s->pos - start == HTTP_TARGET_MAX)
			return 414;
		s->pos++;
	}
	if (s->pos == s->end)
		return HTTP_PARSE_MORE;
	if (s->pos == start)
		return 400;
	req->target.p = s->buf + start;
	req->target.len = s->pos - start;
	s->pos++;
	return split_target(req);
}

/* "HTTP/" DIGIT "." DIGIT, then the line end. The name is case-sensitive
 * (RFC 9112 2.3). A major version other than 1 is 505. */
static int parse_version(struct scan *s, struct http_request *req)
{
	static const char proto[] = "HTTP/#.#";

	for (size_t i = 0; i < sizeof proto - 1; i++) {
		if (s->pos + i == s->end)
			return HTTP_PARSE_MORE;
		unsigned char c = (unsigned char)s->buf[s->pos + i];
		if (proto[i] == '#' ? !(c >= '0' && c <= '9') : c != proto[i])
			return 400;
	}
	if (s->buf[s->pos + 5] != '1')
		return 505;
	req->version_minor = s->buf[s->pos + 7] - '0';
	s->pos += sizeof proto - 1;
	return parse_eol(s);
}

static int parse_request_line(struct scan *s, struct http_request *req)
{
	int rc = parse_method(s, req);

	if (rc == 0)
		rc = parse_target(s, req);
	if (rc == 0)
		rc = parse_version(s, req);
	return rc;
}

/* --- header fields ---------------------------------------------------- */

/* Content-Length: 1*DIGIT. A value too large to hold is surely above
 * HTTP_BODY_MAX: 413 (at the end of the head, as for any large value). */
static int note_length(struct scan *s, struct http_request *req,
		       const struct http_str *v)
{
	uint64_t n = 0;

	if (++s->lengths > 1 || v->len == 0)
		return 400;
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->p[i];
		if (c < '0' || c > '9')
			return 400;
		if (n <= HTTP_BODY_MAX)
			n = n * 10 + (uint64_t)(c - '0');
	}
	req->content_length = n;
	return 0;
}

/* Connection: a comma-separated list of tokens; only close and
 * keep-alive mean something here. */
static void note_connection(struct scan *s, const struct http_str *v)
{
	size_t i = 0;

	while (i < v->len) {
		struct http_str tok = { v->p + i, 0 };
		while (i < v->len && v->p[i] != ',')
			i++;
		tok.len = (size_t)(v->p + i - tok.p);
		while (tok.len > 0 && is_blank((unsigned char)tok.p[0])) {
			tok.p++;
			tok.len--;
		}
		while (tok.len > 0 &&
		       is_blank((unsigned char)tok.p[tok.len - 1]))
			tok.len--;
		s->conn_close |= str_ieq(&tok, "close");
		s->conn_keep |= str_ieq(&tok, "keep-alive");
		i++;
	}
}

static int note_header(struct scan *s, struct http_request *req,
		       const struct http_header *h)
{
	if (str_ieq(&h->name, "host"))
		s->hosts++;
	else if (str_ieq(&h->name, "content-length"))
		return note_length(s, req, &h->value);
	else if (str_ieq(&h->name, "transfer-encoding"))
		s->chunked = 1;
	else if (str_ieq(&h->name, "connection"))
		note_connection(s, &h->value);
	return 0;
}

/* NAME ":" OWS VALUE OWS EOL. A line that starts with a blank (obs-fold)
 * or a colon has no name: 400. */
static int parse_header(struct scan *s, struct http_header *h)
{
	size_t start = s->pos;

	while (s->pos < s->end && is_tchar((unsigned char)s->buf[s->pos]))
		s->pos++;
	if (s->pos == s->end)
		return HTTP_PARSE_MORE;
	if (s->buf[s->pos] != ':' || s->pos == start)
		return 400;
	h->name.p = s->buf + start;
	h->name.len = s->pos - start;
	s->pos++;
	while (s->pos < s->end && is_blank((unsigned char)s->buf[s->pos]))
		s->pos++;
	start = s->pos;
	while (s->pos < s->end && is_field_char((unsigned char)s->buf[s->pos]))
		s->pos++;
	if (s->pos == s->end)
		return HTTP_PARSE_MORE;
	h->value.p = s->buf + start;
	h->value.len = s->pos - start;
	while (h->value.len > 0 &&
	       is_blank((unsigned char)h->value.p[h->value.len - 1]))
		h->value.len--;
	return parse_eol(s);
}

/* Header lines up to and including the blank line that ends the head. */
static int parse_headers(struct scan *s, struct http_request *req)
{
	for (;;) {
		if (s->pos == s->end)
			return HTTP_PARSE_MORE;
		if (s->buf[s->pos] == '\r' || s->buf[s->pos] == '\n')
			return parse_eol(s);
		if (req->nheaders == HTTP_HEADERS_MAX)
			return 431;
		struct http_header *h = &req->headers[req->nheaders];
		int rc = parse_header(s, h);
		if (rc != 0)
			return rc;
		req->nheaders++;
		rc = note_header(s, req, h);
		if (rc != 0)
			return rc;
	}
}

/* What only the whole head tells. Transfer-Encoding with Content-Length
 * is the shape of request smuggling (RFC 9112 6.1): 400, not 501. */
static int check_head(const struct scan *s, struct http_request *req)
{
	if (s->hosts > 1 || (s->hosts == 0 && req->version_minor >= 1))
		return 400;
	if (s->chunked)
		return s->lengths > 0 ? 400 : 501;
	if (req->content_length > HTTP_BODY_MAX)
		return 413;
	if (req->version_minor >= 1)
		req->keep_alive = !s->conn_close;
	else
		req->keep_alive = s->conn_keep && !s->conn_close;
	req->head_len = s->pos;
	return 0;
}

int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	struct scan s = { .buf = buf,
			  .end = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX };
	int rc;

	/* Only the scalars: headers[] is filled up to nheaders. */
	req->nheaders = 0;
	req->content_length = 0;
	req->keep_alive = 0;
	req->head_len = 0;
	req->version_minor = 0;
	rc = skip_empty_lines(&s);
	if (rc == 0)
		rc = parse_request_line(&s, req);
	if (rc == 0) {
		s.line_done = 1;
		rc = parse_headers(&s, req);
	}
	if (rc == 0)
		rc = check_head(&s, req);
	if (rc == HTTP_PARSE_MORE && len >= HTTP_HEAD_MAX)
		return s.line_done ? 431 : 414;
	return rc;
}

const struct http_header *http_header_find(const struct http_request *req,
					   const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++) {
		if (str_ieq(&req->headers[i].name, name))
			return &req->headers[i];
	}
	return NULL;
}

int http_decode_path(const char *p, size_t len, char *out, size_t outsize,
		     size_t *outlen)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '%') {
			if (i + 2 >= len || !is_hex((unsigned char)p[i + 1]) ||
			    !is_hex((unsigned char)p[i + 2]))
				return -1;
			c = (unsigned char)(hex_value((unsigned char)p[i + 1]) *
						    16 +
					    hex_value((unsigned char)p[i + 2]));
			i += 2;
		}
		if (c == '\0' || n + 1 >= outsize)
			return -1;
		out[n++] = (char)c;
	}
	if (outsize == 0)
		return -1;
	out[n] = '\0';
	*outlen = n;
	return 0;
}

/* --- responses -------------------------------------------------------- */

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 100, "Continue" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 206, "Partial Content" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 418, "I'm a teapot" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
};

const char *http_reason(int status)
{
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
		if (reasons[i].status == status)
			return reasons[i].reason;
	}
	return "Unknown";
}

int http_status_bodiless(int status)
{
	return (status >= 100 && status < 200) || status == 204 ||
	       status == 304;
}

void http_date(time_t t, char out[HTTP_DATE_LEN])
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		memset(&tm, 0, sizeof tm);
	/* Digits by hand: no locale, no printf of a year that may not fit. */
	int year = tm.tm_year + 1900;
	char *o = out;
	memcpy(o, days + 3 * tm.tm_wday, 3);
	o[3] = ',';
	o[4] = ' ';
	o[5] = (char)('0' + tm.tm_mday / 10);
	o[6] = (char)('0' + tm.tm_mday % 10);
	o[7] = ' ';
	memcpy(o + 8, months + 3 * tm.tm_mon, 3);
	o[11] = ' ';
	o[12] = (char)('0' + year / 1000);
	o[13] = (char)('0' + year / 100 % 10);
	o[14] = (char)('0' + year / 10 % 10);
	o[15] = (char)('0' + year % 10);
	o[16] = ' ';
	o[17] = (char)('0' + tm.tm_hour / 10);
	o[18] = (char)('0' + tm.tm_hour % 10);
	o[19] = ':';
	o[20] = (char)('0' + tm.tm_min / 10);
	o[21] = (char)('0' + tm.tm_min % 10);
	o[22] = ':';
	o[23] = (char)('0' + tm.tm_sec / 10);
	o[24] = (char)('0' + tm.tm_sec % 10);
	memcpy(o + 25, " GMT", 5);
}

/* An appender that stops writing, and remembers it, when full. */
struct out {
	char *buf;
	size_t size, len;
	int full;
};

static void put_mem(struct out *o, const char *s, size_t n)
{
	if (o->full || n >= o->size - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

/* Decimal digits without printf: this runs once per response. */
static void put_u64(struct out *o, uint64_t v)
{
	char d[24];
	size_t i = sizeof d;

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put_mem(o, d + i, sizeof d - i);
}

size_t http_format_head(char *buf, size_t size, const struct http_response *r)
{
	struct out o = { .buf = buf, .size = size };

	if (size == 0)
		return 0;
	put(&o, "HTTP/1.1 ");
	put_u64(&o, (uint64_t)(r->status % 1000));
	put(&o, " ");
	put(&o, http_reason(r->status));
	put(&o, "\r\nServer: conviz/" PACKAGE_VERSION "\r\n");
	if (r->date) {
		put(&o, "Date: ");
		put(&o, r->date);
		put(&o, "\r\n");
	}
	if (r->type) {
		put(&o, "Content-Type: ");
		put(&o, r->type);
		put(&o, "\r\n");
	}
	if (!http_status_bodiless(r->status)) {
		put(&o, "Content-Length: ");
		put_u64(&o, r->length);
		put(&o, "\r\n");
	}
	if (!r->keep_alive)
		put(&o, "Connection: close\r\n");
	else if (r->version_minor == 0)
		put(&o, "Connection: keep-alive\r\n");
	if (r->extra)
		put(&o, r->extra);
	put(&o, "\r\n");
	if (o.full)
		return 0;
	buf[o.len] = '\0'; /* put_mem kept a byte for it */
	return o.len;
}
