/* fuzz_http.c - libFuzzer target: http_parse_request on arbitrary bytes.
 *
 * Request heads come from anyone who can reach the server (with --bind,
 * from the network), so whatever the bytes, the parser must either
 * describe a head that keeps every promise of http.h or answer with one
 * of its error statuses. Memory errors are the sanitizers' job (libFuzzer's
 * buffer is exactly `size` bytes, so a read past it is a heap overflow);
 * broken promises abort() here so libFuzzer keeps the input. Built and run
 * by fuzz/run.sh.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http.h"

/* A head written back out: request line, headers, blank line. */
#define FUZZ_REFORMAT_MAX (HTTP_HEAD_MAX * 2)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tag (kebab-case) names the promise; fuzz/run.sh puts it in the name
 * of the regression file. */
static void promise(int kept, const char *tag)
{
	if (kept)
		return;
	fprintf(stderr, "fuzz_http: broken promise: %s\n", tag);
	abort();
}

static int known_status(int rc)
{
	return rc == 400 || rc == 413 || rc == 414 || rc == 431 || rc == 501 ||
	       rc == 505;
}

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* s lies within [base, base + len). */
static int inside(const struct http_str *s, const char *base, size_t len)
{
	return s->p >= base && s->len <= len && s->p + s->len <= base + len;
}

static void check_headers(const struct http_request *req, const char *buf,
			  size_t head_len)
{
	promise(req->nheaders <= HTTP_HEADERS_MAX, "too-many-headers");
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct http_header *h = &req->headers[i];
		promise(inside(&h->name, buf, head_len) &&
				inside(&h->value, buf, head_len),
			"header-outside-head");
		promise(h->name.len > 0, "header-name-empty");
		for (size_t j = 0; j < h->name.len; j++)
			promise(is_tchar((unsigned char)h->name.p[j]),
				"header-name-not-token");
		for (size_t j = 0; j < h->value.len; j++) {
			unsigned char c = (unsigned char)h->value.p[j];
			promise((c >= 0x20 && c != 0x7f) || c == '\t',
				"header-value-control");
		}
		promise(h->value.len == 0 ||
				(h->value.p[0] != ' ' &&
				 h->value.p[0] != '\t' &&
				 h->value.p[h->value.len - 1] != ' ' &&
				 h->value.p[h->value.len - 1] != '\t'),
			"header-value-blank-edge");
	}
}

/* The head ends with an empty line: LF LF, or LF CR LF. */
static void check_head_end(const char *buf, size_t size, size_t n)
{
	promise(n >= 2 && n <= size && n <= HTTP_HEAD_MAX, "head-len");
	promise(buf[n - 1] == '\n' &&
			(buf[n - 2] == '\n' ||
			 (n >= 3 && buf[n - 2] == '\r' && buf[n - 3] == '\n')),
		"head-not-ending-in-blank-line");
}

static void check_request(const struct http_request *req, const char *buf,
			  size_t size)
{
	size_t n = req->head_len;

	check_head_end(buf, size, n);
	promise(inside(&req->method_name, buf, n) &&
			inside(&req->target, buf, n),
		"line-outside-head");
	promise(req->method_name.len >= 1 &&
			req->method_name.len <= HTTP_METHOD_MAX,
		"method-length");
	promise((req->method == HTTP_METHOD_GET) ==
				(req->method_name.len == 3 &&
				 memcmp(req->method_name.p, "GET", 3) == 0) &&
			(req->method == HTTP_METHOD_HEAD) ==
				(req->method_name.len == 4 &&
				 memcmp(req->method_name.p, "HEAD", 4) == 0),
		"method-kind");
	promise(req->target.len >= 1 && req->target.len <= HTTP_TARGET_MAX,
		"target-length");
	promise(inside(&req->path, req->target.p, req->target.len) &&
			inside(&req->query, req->target.p, req->target.len),
		"path-outside-target");
	promise(req->version_minor >= 0 && req->version_minor <= 9, "version");
	promise(req->keep_alive == 0 || req->keep_alive == 1, "keep-alive");
	promise(req->content_length <= HTTP_BODY_MAX, "content-length");
	check_headers(req, buf, n);
}

/* The decoded path is no longer than the path and holds no NUL. */
static void check_decode(const struct http_request *req)
{
	char out[HTTP_TARGET_MAX + 1];
	size_t len = 0;

	if (http_decode_path(req->path.p, req->path.len, out, sizeof out,
			     &len) < 0)
		return;
	promise(len <= req->path.len && out[len] == '\0', "decode-length");
	promise(memchr(out, '\0', len) == NULL, "decode-nul");
}

/* A prefix of a complete head is "read more"; the head alone, without
 * whatever follows it, parses the same. Copies are exactly as long as
 * they claim, so ASan sees any read past them. */
static void check_prefixes(const uint8_t *data, size_t head_len)
{
	struct http_request again;
	char *copy = malloc(head_len);

	promise(copy != NULL, "out-of-memory");
	memcpy(copy, data, head_len);
	promise(http_parse_request(copy, head_len - 1, &again) ==
			HTTP_PARSE_MORE,
		"prefix-not-more");
	promise(http_parse_request(copy, head_len / 2, &again) ==
			HTTP_PARSE_MORE,
		"half-not-more");
	promise(http_parse_request(copy, head_len, &again) == 0 &&
			again.head_len == head_len,
		"head-alone-differs");
	free(copy);
}

static size_t append(char *buf, size_t n, const struct http_str *s)
{
	memcpy(buf + n, s->p, s->len);
	return n + s->len;
}

/* The head written back in canonical form (CRLF, one SP, ": ") parses to
 * the same request: nothing is accepted that is read differently twice. */
static void check_round_trip(const struct http_request *req)
{
	static char buf[FUZZ_REFORMAT_MAX];
	static struct http_request again;
	size_t n = 0;

	n = append(buf, n, &req->method_name);
	buf[n++] = ' ';
	n = append(buf, n, &req->target);
	n += (size_t)snprintf(buf + n, 16, " HTTP/1.%d\r\n",
			      req->version_minor);
	for (size_t i = 0; i < req->nheaders; i++) {
		n = append(buf, n, &req->headers[i].name);
		memcpy(buf + n, ": ", 2);
		n = append(buf, n + 2, &req->headers[i].value);
		memcpy(buf + n, "\r\n", 2);
		n += 2;
	}
	memcpy(buf + n, "\r\n", 2);
	n += 2;
	/* Canonical form may be longer (CR added to each LF): it can only
	 * fail for being too long. */
	int rc = http_parse_request(buf, n, &again);
	if (n > HTTP_HEAD_MAX) {
		promise(rc == 0 || rc == 431, "round-trip-long");
		return;
	}
	promise(rc == 0, "round-trip-fails");
	promise(again.method == req->method &&
			again.target.len == req->target.len &&
			again.version_minor == req->version_minor &&
			again.nheaders == req->nheaders &&
			again.content_length == req->content_length &&
			again.keep_alive == req->keep_alive &&
			again.path.len == req->path.len &&
			again.query.len == req->query.len,
		"round-trip-differs");
}

/* An error sticks: more bytes after the input change nothing. */
static void check_sticky(const uint8_t *data, size_t size, int rc)
{
	static const char more[] = "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct http_request again;
	char *copy = malloc(size + sizeof more);

	promise(copy != NULL, "out-of-memory");
	memcpy(copy, data, size);
	memcpy(copy + size, more, sizeof more);
	promise(http_parse_request(copy, size + sizeof more, &again) == rc,
		"error-not-sticky");
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_request req;
	const char *buf = (const char *)data;
	int rc = http_parse_request(buf, size, &req);

	if (rc == HTTP_PARSE_MORE) {
		promise(size < HTTP_HEAD_MAX, "more-at-cap");
		return 0;
	}
	if (rc != 0) {
		promise(known_status(rc), "unknown-status");
		check_sticky(data, size, rc);
		return 0;
	}
	check_request(&req, buf, size);
	check_decode(&req);
	check_prefixes(data, req.head_len);
	check_round_trip(&req);
	return 0;
}
