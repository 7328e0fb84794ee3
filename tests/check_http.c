/* check_http.c - the request parser on byte strings: what it accepts, the
 * status it gives everything else, its limits, and response heads. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "server/http.h"

static int parse(const char *text, struct http_request *req)
{
	return http_parse_request(text, strlen(text), req);
}

static int str_is(const struct http_str *s, const char *want)
{
	return s->len == strlen(want) && memcmp(s->p, want, s->len) == 0;
}

START_TEST(test_parse_get)
{
	static const char text[] = "GET /sites/dice.html?x=1&y HTTP/1.1\r\n"
				   "Host: 127.0.0.1:8080\r\n"
				   "User-Agent:  curl/8  \r\n"
				   "Accept: */*\r\n"
				   "\r\n"
				   "GET /next";
	struct http_request req;
	const struct http_header *h;

	ck_assert_int_eq(parse(text, &req), 0);
	ck_assert_int_eq(req.method, HTTP_METHOD_GET);
	ck_assert(str_is(&req.method_name, "GET"));
	ck_assert(str_is(&req.target, "/sites/dice.html?x=1&y"));
	ck_assert(str_is(&req.path, "/sites/dice.html"));
	ck_assert(str_is(&req.query, "x=1&y"));
	ck_assert_int_eq(req.version_minor, 1);
	ck_assert_int_eq(req.keep_alive, 1);
	ck_assert_uint_eq(req.content_length, 0);
	ck_assert_uint_eq(req.nheaders, 3);
	/* The pipelined request after the head is left alone. */
	ck_assert_uint_eq(req.head_len, strlen(text) - strlen("GET /next"));
	h = http_header_find(&req, "user-agent");
	ck_assert_ptr_nonnull(h);
	ck_assert(str_is(&h->name, "User-Agent"));
	ck_assert(str_is(&h->value, "curl/8"));
	ck_assert_ptr_null(http_header_find(&req, "cookie"));
}
END_TEST

START_TEST(test_parse_forms)
{
	struct http_request req;

	ck_assert_int_eq(parse("HEAD / HTTP/1.1\nHost: x\n\n", &req), 0);
	ck_assert_int_eq(req.method, HTTP_METHOD_HEAD);
	ck_assert_int_eq(parse("DELETE /ip HTTP/1.1\r\nHost: x\r\n\r\n", &req),
			 0);
	ck_assert_int_eq(req.method, HTTP_METHOD_OTHER);
	/* Methods are case-sensitive: "get" is some other method. */
	ck_assert_int_eq(parse("get / HTTP/1.1\r\nHost: x\r\n\r\n", &req), 0);
	ck_assert_int_eq(req.method, HTTP_METHOD_OTHER);
	ck_assert_int_eq(
		parse("GET HTTP://h:1/a/b?q HTTP/1.1\r\nHost: h\r\n\r\n", &req),
		0);
	ck_assert(str_is(&req.path, "/a/b"));
	ck_assert(str_is(&req.query, "q"));
	ck_assert_int_eq(
		parse("GET https://[::1]:8 HTTP/1.1\r\nHost: h\r\n\r\n", &req),
		0);
	ck_assert_uint_eq(req.path.len, 0);
	ck_assert_int_eq(parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", &req),
			 0);
	ck_assert(str_is(&req.path, "*"));
	ck_assert_int_eq(
		parse("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", &req),
		0);
	ck_assert_uint_eq(req.path.len, 0);
	/* Up to 8 stray empty lines before a request are skipped. */
	ck_assert_int_eq(
		parse("\r\n\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", &req), 0);
	ck_assert(str_is(&req.path, "/"));
	/* HTTP/1.2 is read as 1.1. */
	ck_assert_int_eq(parse("GET / HTTP/1.2\r\nHost: x\r\n\r\n", &req), 0);
	ck_assert_int_eq(req.keep_alive, 1);
}
END_TEST

/* Each request head, and whether the connection stays open after it. */
static const struct {
	const char *text;
	int keep_alive;
} keep[] = {
	{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 0 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade , CLOSE\r\n\r\n",
	  0 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n", 1 },
	{ "GET / HTTP/1.0\r\n\r\n", 0 },
	{ "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1 },
	{ "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0 },
};

START_TEST(test_keep_alive)
{
	struct http_request req;

	ck_assert_int_eq(parse(keep[_i].text, &req), 0);
	ck_assert_msg(req.keep_alive == keep[_i].keep_alive,
		      "case %d: keep_alive %d", _i, req.keep_alive);
}
END_TEST

START_TEST(test_content_length)
{
	struct http_request req;
	static const char text[] = "GET / HTTP/1.1\r\nHost: x\r\n"
				   "Content-Length: 65536\r\n\r\nbody";

	ck_assert_int_eq(parse(text, &req), 0);
	ck_assert_uint_eq(req.content_length, HTTP_BODY_MAX);
	ck_assert_uint_eq(req.head_len, strlen(text) - 4);
}
END_TEST

/* Each bad head, and the status it must get. */
static const struct {
	const char *text;
	int status;
} bad[] = {
	{ "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400 }, /* TLS */
	{ "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ " GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400 },
	{ "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET / http/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1x\r\nHost: x\r\n\r\n", 400 },
	{ "GET / HTTP/11\r\nHost: x\r\n\r\n", 400 },
	{ "GET /\r\n\r\n", 400 }, /* HTTP/0.9 */
	{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
	{ "GET / HTTP/0.9\r\nHost: x\r\n\r\n", 505 },
	{ "GET / HTTP/1.1\r\n\r\n", 400 }, /* no Host */
	{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nX: a\x01z\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nX: a\x7fz\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\rHost: x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\n\rX", 400 },
	{ "GET /a\"b HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET /a\\b HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET /a\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET /%4 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET /[::1] HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET x HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET host:80 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET ftp://h/a HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
	  "Content-Length: 1\r\n\r\n",
	  400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n", 413 },
	{ "GET / HTTP/1.1\r\nHost: x\r\n"
	  "Content-Length: 99999999999999999999999999\r\n\r\n",
	  413 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
	  501 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
	  "Content-Length: 5\r\n\r\n",
	  400 },
	{ "ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: x\r\n\r\n", 501 },
	{ "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n", 400 },
};

START_TEST(test_parse_bad)
{
	struct http_request req;
	const char *text = bad[_i].text;

	ck_assert_msg(parse(text, &req) == bad[_i].status,
		      "case %d: got %d, want %d", _i, parse(text, &req),
		      bad[_i].status);
}
END_TEST

/* A prefix of a valid head is "read more", never an error. */
START_TEST(test_prefixes)
{
	static const char text[] = "\r\nGET /sites/jython.html HTTP/1.1\r\n"
				   "Host: 127.0.0.1\r\n"
				   "Content-Length: 2\r\n"
				   "Connection: keep-alive\r\n\r\n";
	struct http_request req;

	for (size_t n = 0; n < strlen(text); n++)
		ck_assert_msg(http_parse_request(text, n, &req) ==
				      HTTP_PARSE_MORE,
			      "prefix of %zu bytes", n);
	ck_assert_int_eq(parse(text, &req), 0);
}
END_TEST

/* An error is found as soon as its byte is seen, and sticks. */
START_TEST(test_early_and_sticky)
{
	struct http_request req;
	char buf[64];

	/* The TLS record type alone is enough. */
	ck_assert_int_eq(http_parse_request("\x16", 1, &req), 400);
	/* So is a bad byte in the middle of a target. */
	ck_assert_int_eq(http_parse_request("GET /a<", 7, &req), 400);
	memcpy(buf, "GET /a<b HTTP/1.1\r\nHost: x\r\n\r\n", 31);
	for (size_t n = 7; n <= 31; n++)
		ck_assert_int_eq(http_parse_request(buf, n, &req), 400);
}
END_TEST

START_TEST(test_limits)
{
	struct http_request req;
	size_t size = HTTP_HEAD_MAX + 4096;
	char *buf = malloc(size);
	size_t n;

	ck_assert_ptr_nonnull(buf);
	/* A target just at the limit is fine, one byte more is 414. */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', HTTP_TARGET_MAX - 1);
	n = 5 + HTTP_TARGET_MAX - 1;
	memcpy(buf + n, " HTTP/1.1\r\nHost: x\r\n\r\n", 22);
	ck_assert_int_eq(http_parse_request(buf, n + 22, &req), 0);
	ck_assert_uint_eq(req.target.len, HTTP_TARGET_MAX);
	memset(buf + 5, 'a', HTTP_TARGET_MAX);
	ck_assert_int_eq(http_parse_request(buf, 5 + HTTP_TARGET_MAX + 1, &req),
			 414);
	/* A head that does not end within HTTP_HEAD_MAX is 431, and only
	 * once that many bytes are there. */
	n = (size_t)snprintf(buf, size, "GET / HTTP/1.1\r\nHost: x\r\nX: ");
	memset(buf + n, 'v', size - n);
	ck_assert_int_eq(http_parse_request(buf, HTTP_HEAD_MAX - 1, &req),
			 HTTP_PARSE_MORE);
	ck_assert_int_eq(http_parse_request(buf, HTTP_HEAD_MAX, &req), 431);
	ck_assert_int_eq(http_parse_request(buf, size, &req), 431);
	/* 64 fields are fine, 65 are 431. */
	n = (size_t)snprintf(buf, size, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 1; i < HTTP_HEADERS_MAX; i++)
		n += (size_t)snprintf(buf + n, size - n, "X%d: %d\r\n", i, i);
	memcpy(buf + n, "\r\n", 2);
	ck_assert_int_eq(http_parse_request(buf, n + 2, &req), 0);
	ck_assert_uint_eq(req.nheaders, HTTP_HEADERS_MAX);
	memcpy(buf + n, "Y: 1\r\n\r\n", 8);
	ck_assert_int_eq(http_parse_request(buf, n + 8, &req), 431);
	free(buf);
}
END_TEST

START_TEST(test_decode_path)
{
	char out[32];
	size_t len;

	ck_assert_int_eq(
		http_decode_path("/a%20b%2F", 9, out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "/a b/");
	ck_assert_uint_eq(len, 5);
	ck_assert_int_eq(
		http_decode_path("/%2e%2E/x", 9, out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "/../x");
	ck_assert_int_eq(http_decode_path("", 0, out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(http_decode_path("/%00", 4, out, sizeof out, &len),
			 -1);
	ck_assert_int_eq(http_decode_path("/%g0", 4, out, sizeof out, &len),
			 -1);
	ck_assert_int_eq(http_decode_path("/%4", 3, out, sizeof out, &len), -1);
	ck_assert_int_eq(http_decode_path("/abcd", 5, out, 5, &len), -1);
	ck_assert_int_eq(http_decode_path("/abc", 4, out, 5, &len), 0);
}
END_TEST

START_TEST(test_reason_date)
{
	char date[HTTP_DATE_LEN];

	ck_assert_str_eq(http_reason(404), "Not Found");
	ck_assert_str_eq(http_reason(431), "Request Header Fields Too Large");
	ck_assert_str_eq(http_reason(299), "Unknown");
	ck_assert(http_status_bodiless(204));
	ck_assert(http_status_bodiless(304));
	ck_assert(!http_status_bodiless(200));
	http_date(784111777, date);
	ck_assert_str_eq(date, "Sun, 06 Nov 1994 08:49:37 GMT");
	http_date(0, date);
	ck_assert_str_eq(date, "Thu, 01 Jan 1970 00:00:00 GMT");
}
END_TEST

START_TEST(test_format_head)
{
	char buf[HTTP_RESPONSE_HEAD_MAX];
	struct http_response r = { .status = 200,
				   .type = "text/plain",
				   .length = 5,
				   .keep_alive = 1,
				   .version_minor = 1 };
	size_t n = http_format_head(buf, sizeof buf, &r);

	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_str_eq(buf,
			 "HTTP/1.1 200 OK\r\nServer: conviz/" PACKAGE_VERSION
			 "\r\nContent-Type: text/plain\r\n"
			 "Content-Length: 5\r\n\r\n");
	r.version_minor = 0;
	http_format_head(buf, sizeof buf, &r);
	ck_assert_ptr_nonnull(strstr(buf, "\r\nConnection: keep-alive\r\n"));
	r.keep_alive = 0;
	r.status = 405;
	r.date = "Sun, 06 Nov 1994 08:49:37 GMT";
	r.extra = "Allow: GET, HEAD\r\n";
	http_format_head(buf, sizeof buf, &r);
	ck_assert_ptr_nonnull(
		strstr(buf, "HTTP/1.1 405 Method Not Allowed\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\nConnection: close\r\n"));
	ck_assert_ptr_nonnull(
		strstr(buf, "\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\nAllow: GET, HEAD\r\n\r\n"));
	/* No Content-Length on a 204. */
	r.status = 204;
	http_format_head(buf, sizeof buf, &r);
	ck_assert_ptr_null(strstr(buf, "Content-Length"));
	/* Too small a buffer: 0, not a cut head. */
	ck_assert_uint_eq(http_format_head(buf, 20, &r), 0);
}
END_TEST

Suite *suite_http(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_parse_get);
	tcase_add_test(tc, test_parse_forms);
	tcase_add_loop_test(tc, test_keep_alive, 0,
			    (int)(sizeof keep / sizeof keep[0]));
	tcase_add_test(tc, test_content_length);
	tcase_add_loop_test(tc, test_parse_bad, 0,
			    (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_early_and_sticky);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("helpers");
	tcase_add_test(tc, test_decode_path);
	tcase_add_test(tc, test_reason_date);
	tcase_add_test(tc, test_format_head);
	suite_add_tcase(s, tc);
	return s;
}
