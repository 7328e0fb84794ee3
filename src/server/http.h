/* http.h - HTTP/1.1 for the embedded server: a strict, pure request-head
 * parser, percent-decoding of paths, and response heads.
 *
 * Nothing here touches a socket, allocates or keeps state between calls,
 * so every function is safe on any thread and the parser can be fuzzed
 * (fuzz/fuzz_http.c) and unit-tested on byte strings. The server calls
 * http_parse_request again on its whole buffer each time bytes arrive: a
 * head is at most HTTP_HEAD_MAX bytes, so a re-parse is cheap and the
 * parser needs no memory of earlier calls.
 *
 * What the parser accepts (RFC 9112, strictly; anything else is an error
 * status, never a guess):
 *   request-line  METHOD SP TARGET SP HTTP/1.x CRLF (exactly one SP each)
 *                 up to HTTP_EMPTY_LINES_MAX empty lines before it are
 *                 skipped; a bare LF ends a line as well as CRLF
 *   METHOD        a token of at most HTTP_METHOD_MAX bytes
 *   TARGET        origin-form "/path?query", absolute-form
 *                 "http://host/path?query", "*", or authority-form
 *                 "host:port" with CONNECT only; RFC 3986 characters
 *                 only, each '%' followed by two hex digits
 *   headers       NAME ":" OWS VALUE OWS CRLF; no obs-fold, no blank
 *                 before the colon, no control byte in a value
 *   Host          exactly one with HTTP/1.1, at most one with HTTP/1.0
 *   Content-Length at most one, digits only
 *   Transfer-Encoding  not supported for requests (501)
 */
#ifndef CONVIZ_HTTP_H
#define CONVIZ_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Request line and headers, blank line included. Longer: 431 (414 if the
 * request line itself is not complete by then). */
#define HTTP_HEAD_MAX 8192
/* Longer targets: 414. */
#define HTTP_TARGET_MAX 2048
/* Longer methods: 501 (no method that long is implemented). */
#define HTTP_METHOD_MAX 16
/* More header fields: 431. */
#define HTTP_HEADERS_MAX 64
/* Larger Content-Length: 413. No route reads a body; one this small is
 * read and thrown away so the connection stays usable. */
#define HTTP_BODY_MAX (64 * 1024)
/* More empty lines before the request line: 400. */
#define HTTP_EMPTY_LINES_MAX 8
/* Room for any head http_format_head writes with an `extra` of at most
 * HTTP_EXTRA_MAX bytes. */
#define HTTP_RESPONSE_HEAD_MAX 512
#define HTTP_EXTRA_MAX 128
/* "Sun, 06 Nov 1994 08:49:37 GMT" and its NUL. */
#define HTTP_DATE_LEN 30

/* http_parse_request: the head is not complete yet; read more. */
#define HTTP_PARSE_MORE (-1)

enum http_method {
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_OTHER, /* a valid token, not implemented: 405 */
};

/* Bytes inside the parsed buffer; not NUL-terminated. */
struct http_str {
	const char *p;
	size_t len;
};

struct http_header {
	struct http_str name;  /* a token, as sent (compare ignoring case) */
	struct http_str value; /* without the blanks around it */
};

struct http_request {
	enum http_method method;
	struct http_str method_name;
	struct http_str target; /* as sent */
	/* The target's path, still percent-encoded: "/a/b" for origin- and
	 * absolute-form, "*" for asterisk-form. Empty for authority-form,
	 * and for an absolute-form target without a path, which means "/". */
	struct http_str path;
	struct http_str query; /* after '?', without it; empty if none */
	int version_minor;     /* HTTP/1.x: x (0..9; 2..9 read as 1.1) */
	int keep_alive;	       /* the connection stays open after the answer */
	uint64_t content_length; /* 0 without the header; <= HTTP_BODY_MAX */
	size_t head_len;	 /* bytes of the head, blank line included */
	size_t nheaders;
	struct http_header headers[HTTP_HEADERS_MAX];
};

/* Parses the request head at the start of buf[0..len). Only the first
 * HTTP_HEAD_MAX bytes are looked at; bytes after the head (a body, a
 * pipelined request) are left alone. Returns:
 *   0                the head is complete: *req describes it, its strings
 *                    point into buf, req->head_len <= min(len,
 *                    HTTP_HEAD_MAX)
 *   HTTP_PARSE_MORE  every byte so far is valid but the head is not
 *                    complete; only when len < HTTP_HEAD_MAX
 *   400..505         the status to answer before closing the connection:
 *                    400 malformed, 413 body too large, 414 target too
 *                    long, 431 head too large or too many fields, 501
 *                    Transfer-Encoding or an over-long method, 505 not
 *                    HTTP/1.x
 * An error is found as early as the bytes allow, and it sticks: more
 * bytes after them never change the answer, and a prefix of a complete
 * head is always HTTP_PARSE_MORE. *req is unspecified after an error. */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

/* The first header named `name` (ASCII case ignored), or NULL. */
const struct http_header *http_header_find(const struct http_request *req,
					   const char *name);

/* Decodes the percent-escapes of a path into out, NUL-terminated, and sets
 * *outlen. Returns 0, or -1 if an escape is malformed, decodes to a NUL
 * byte, or out (outsize bytes) is too small. Nothing else is changed:
 * "/a/../b" stays as it is, so a lookup of the result can only match a
 * path spelled exactly so. */
int http_decode_path(const char *p, size_t len, char *out, size_t outsize,
		     size_t *outlen);

/* The reason phrase of a status ("Not Found"); "Unknown" for codes
 * without one. Never NULL. */
const char *http_reason(int status);

/* Does a response with this status carry no body and no Content-Length
 * (1xx, 204, 304)? */
int http_status_bodiless(int status);

/* t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") in out, whatever
 * the locale. */
void http_date(time_t t, char out[HTTP_DATE_LEN]);

struct http_response {
	int status;
	const char *type;  /* Content-Type value, or NULL for none */
	uint64_t length;   /* Content-Length (ignored when bodiless) */
	int keep_alive;	   /* 0: "Connection: close" */
	int version_minor; /* the request's: 1.0 keep-alive is announced */
	const char *date;  /* http_date text, or NULL: no Date header */
	const char *extra; /* more lines, each ending in CRLF, or NULL */
};

/* Writes the status line and headers of r, blank line included, into
 * buf. Returns the length, or 0 if it does not fit in size bytes (never
 * with HTTP_RESPONSE_HEAD_MAX bytes, a type of at most 64 bytes and an
 * extra of at most HTTP_EXTRA_MAX). */
size_t http_format_head(char *buf, size_t size, const struct http_response *r);

#endif
