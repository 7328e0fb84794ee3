/* check_server.c - the embedded server over real sockets: every route,
 * keep-alive, HEAD, each error status with raw malformed requests, the
 * connection cap, latency served by timers, and a clean stop.
 *
 * Each test starts its own server on an ephemeral port of 127.0.0.1 and
 * talks to it with plain blocking sockets (and libcurl once, as a real
 * client library). Timing assertions are generous ratios; the upper
 * bounds are skipped with CONVIZ_TIMING_TESTS=0 (sanitizers, valgrind).
 */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "check_suites.h"
#include "core/clock.h"
#include "core/datadir.h"
#include "server/server.h"

#define MS 1000000LL
/* A client gives up on a silent server after this long. */
#define CLIENT_TIMEOUT_S 5

/* --- servers ---------------------------------------------------------- */

/* A latency profile of our own, in a temporary file. */
struct profile {
	char path[64];
};

static struct profile profile_write(const char *text)
{
	struct profile p;
	int fd;

	snprintf(p.path, sizeof p.path, "/tmp/conviz-lat.XXXXXX");
	fd = mkstemp(p.path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return p;
}

/* The server reads its profile once, in server_open: the file can go as
 * soon as the server has started, so a failing test leaves nothing
 * behind. */
static void profile_remove(struct profile *p)
{
	unlink(p->path);
}

/* The shipped pages, no latency unless a profile is given. */
static struct server_config config(const struct profile *p)
{
	struct server_config cfg;

	memset(&cfg, 0, sizeof cfg);
	cfg.seed = 1;
	cfg.no_latency = p == NULL;
	cfg.latency_file = p ? p->path : NULL;
	return cfg;
}

static struct server *start(const struct server_config *cfg)
{
	char err[512];
	struct server *s = server_open(cfg, err, sizeof err);

	ck_assert_msg(s != NULL, "server_open: %s", err);
	ck_assert_msg(server_start(s, err, sizeof err) == 0, "%s", err);
	return s;
}

static struct server *start_quick(void)
{
	struct server_config cfg = config(NULL);

	return start(&cfg);
}

/* --- clients ---------------------------------------------------------- */

struct client {
	int fd;
	char *buf; /* read but not used yet */
	size_t len, cap;
};

struct resp {
	int status;
	long length; /* Content-Length, -1 without */
	int close;   /* "Connection: close" */
	char head[4096];
	char *body;
	size_t body_len;
};

static struct client *client_open(int port)
{
	struct client *c = calloc(1, sizeof *c);
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = CLIENT_TIMEOUT_S };

	ck_assert_ptr_nonnull(c);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&a, sizeof a), 0);
	return c;
}

static void client_close(struct client *c)
{
	close(c->fd);
	free(c->buf);
	free(c);
}

static void client_send_n(struct client *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		ck_assert_msg(w > 0, "send: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

static void client_send(struct client *c, const char *text)
{
	client_send_n(c, text, strlen(text));
}

/* Reads more bytes into c->buf: 0, or -1 at EOF, error or timeout. */
static int client_fill(struct client *c)
{
	ssize_t n;

	if (c->len == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16384;
		c->buf = realloc(c->buf, c->cap);
		ck_assert_ptr_nonnull(c->buf);
	}
	n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	return 0;
}

static long header_number(const char *head, const char *name)
{
	const char *p = strcasestr(head, name);

	return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

/* Reads one response (the body only if not head_only). 0, or -1 if the
 * connection ended (or timed out) before a whole response. */
static int client_read(struct client *c, int head_only, struct resp *r)
{
	const char *end = NULL;
	size_t head_len, need;

	memset(r, 0, sizeof *r);
	while (end == NULL) {
		end = c->len ? memmem(c->buf, c->len, "\r\n\r\n", 4) : NULL;
		if (end == NULL && client_fill(c) < 0)
			return -1;
	}
	head_len = (size_t)(end + 4 - c->buf);
	ck_assert_uint_lt(head_len, sizeof r->head);
	memcpy(r->head, c->buf, head_len);
	r->head[head_len] = '\0';
	ck_assert_msg(strncmp(r->head, "HTTP/1.1 ", 9) == 0, "%s", r->head);
	r->status = (int)strtol(r->head + 9, NULL, 10);
	r->length = header_number(r->head, "\r\nContent-Length: ");
	r->close = strcasestr(r->head, "\r\nConnection: close\r\n") != NULL;
	need = head_only || r->length < 0 ? 0 : (size_t)r->length;
	while (c->len < head_len + need) {
		if (client_fill(c) < 0)
			return -1;
	}
	r->body = malloc(need + 1);
	ck_assert_ptr_nonnull(r->body);
	memcpy(r->body, c->buf + head_len, need);
	r->body[need] = '\0';
	r->body_len = need;
	c->len -= head_len + need;
	memmove(c->buf, c->buf + head_len + need, c->len);
	return 0;
}

/* Has the server closed the connection (nothing more to read)? */
static int client_eof(struct client *c)
{
	char b;
	ssize_t n;

	if (c->len > 0)
		return 0;
	n = recv(c->fd, &b, 1, 0);
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

static void resp_free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

static void request(struct client *c, const char *method, const char *path)
{
	char text[512];

	snprintf(text, sizeof text, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
		 method, path);
	client_send(c, text);
}

/* One GET on a new connection. */
static void get(int port, const char *path, struct resp *r)
{
	struct client *c = client_open(port);

	request(c, "GET", path);
	ck_assert_msg(client_read(c, 0, r) == 0, "GET %s: no answer", path);
	client_close(c);
}

static char *read_data_file(const char *rel, size_t *len)
{
	char path[PATH_MAX];
	char *buf = malloc(1 << 20);
	FILE *f;

	ck_assert_ptr_nonnull(buf);
	snprintf(path, sizeof path, "%s/www/%s", datadir_path(), rel);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* --- routes ----------------------------------------------------------- */

START_TEST(test_sites_pages)
{
	static const char *const pages[] = { "sites/jython.html",
					     "sites/dice.html" };
	static const long sizes[] = { 10966, 276 };
	struct server *s = start_quick();
	struct resp r;

	for (int i = 0; i < 2; i++) {
		char path[64];
		size_t len;
		char *want = read_data_file(pages[i], &len);
		ck_assert_int_eq((long)len, sizes[i]);
		snprintf(path, sizeof path, "/%s", pages[i]);
		get(server_port(s), path, &r);
		ck_assert_int_eq(r.status, 200);
		ck_assert_int_eq(r.length, sizes[i]);
		ck_assert_ptr_nonnull(strstr(
			r.head,
			"\r\nContent-Type: text/html; charset=utf-8\r\n"));
		ck_assert(memcmp(r.body, want, len) == 0);
		free(want);
		resp_free(&r);
	}
	server_close(s);
}
END_TEST

/* Each path, the status, the body length (-1: any) and a piece of the
 * body (NULL: none checked). */
static const struct {
	const char *path;
	int status;
	long length;
	const char *has;
} routes[] = {
	{ "/pokedex/1", 200, -1, "<h1>Bulbasaur</h1>" },
	{ "/pokedex/25", 200, -1, "<h1>Pikachu</h1>" },
	{ "/pokedex/151", 200, -1, "<h1>Mew</h1>" },
	{ "/pokedex/152", 404, 14, "404 Not Found\n" },
	{ "/pokedex/0", 404, 14, NULL },
	{ "/ip", 200, 24, "{\"origin\": \"127.0.0.1\"}\n" },
	{ "/ip?x=1", 200, 24, "127.0.0.1" },
	{ "/delay/0", 200, -1, "{\"delay_ms\": 0}" },
	{ "/delay/10001", 400, -1, "400 Bad Request" },
	{ "/status/418", 418, 0, NULL },
	{ "/status/503", 503, 0, NULL },
	{ "/status/100", 400, -1, NULL },
	{ "/bytes/0", 200, 0, NULL },
	{ "/bytes/1000", 200, 1000, NULL },
	{ "/bytes/1048576", 200, 1048576, NULL },
	{ "/bytes/1048577", 400, -1, NULL },
	{ "/", 200, -1, "conviz embedded server" },
	{ "/pokedex.txt", 200, -1, "Bulbasaur\nIvysaur\n" },
	{ "/latency.conf", 404, -1, NULL },
	{ "/nope", 404, 14, "404 Not Found" },
	{ "http://127.0.0.1/ip", 200, 24, NULL },
};

START_TEST(test_routes)
{
	struct server *s = start_quick();
	struct resp r;

	get(server_port(s), routes[_i].path, &r);
	ck_assert_msg(r.status == routes[_i].status, "%s: %d", routes[_i].path,
		      r.status);
	if (routes[_i].length >= 0)
		ck_assert_int_eq(r.length, routes[_i].length);
	if (routes[_i].has)
		ck_assert_msg(strstr(r.body, routes[_i].has) != NULL, "%s: %s",
			      routes[_i].path, r.body);
	/* A well-formed request keeps its connection, whatever the status. */
	ck_assert(!r.close);
	ck_assert_ptr_nonnull(strstr(r.head, "\r\nDate: "));
	resp_free(&r);
	server_close(s);
}
END_TEST

START_TEST(test_status_204)
{
	struct server *s = start_quick();
	struct client *c = client_open(server_port(s));
	struct resp r;

	/* No Content-Length and no body: the next answer follows at once. */
	request(c, "GET", "/status/204");
	request(c, "GET", "/ip");
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_int_eq(r.status, 204);
	ck_assert_int_eq(r.length, -1);
	resp_free(&r);
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"origin\": \"127.0.0.1\"}\n");
	resp_free(&r);
	client_close(c);
	server_close(s);
}
END_TEST

/* --- the protocol ----------------------------------------------------- */

START_TEST(test_keep_alive)
{
	static const char *const paths[] = { "/sites/dice.html", "/ip", "/nope",
					     "/pokedex/7",
					     "/sites/jython.html" };
	struct server *s = start_quick();
	struct client *c = client_open(server_port(s));
	struct server_stats st;
	struct resp r;

	for (int i = 0; i < 5; i++) {
		request(c, "GET", paths[i]);
		ck_assert_int_eq(client_read(c, 0, &r), 0);
		ck_assert_int_eq(r.status, i == 2 ? 404 : 200);
		ck_assert(!r.close);
		resp_free(&r);
	}
	server_stats(s, &st);
	ck_assert_uint_eq(st.connections, 1);
	ck_assert_uint_eq(st.requests, 5);
	ck_assert_uint_eq(st.open, 1);
	client_close(c);
	server_close(s);
}
END_TEST

START_TEST(test_pipelined)
{
	struct server *s = start_quick();
	struct client *c = client_open(server_port(s));
	struct resp r;

	client_send(c,
		    "GET /sites/dice.html HTTP/1.1\r\nHost: x\r\n\r\n"
		    "HEAD /sites/dice.html HTTP/1.1\r\nHost: x\r\n\r\n"
		    "GET /ip HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_uint_eq(r.body_len, 276);
	resp_free(&r);
	ck_assert_int_eq(client_read(c, 1, &r), 0);
	ck_assert_int_eq(r.length, 276);
	resp_free(&r);
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_str_eq(r.body, "{\"origin\": \"127.0.0.1\"}\n");
	ck_assert(r.close);
	resp_free(&r);
	ck_assert(client_eof(c));
	client_close(c);
	server_close(s);
}
END_TEST

START_TEST(test_head)
{
	struct server *s = start_quick();
	struct client *c = client_open(server_port(s));
	struct resp r;

	request(c, "HEAD", "/sites/jython.html");
	ck_assert_int_eq(client_read(c, 1, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(r.length, 10966);
	resp_free(&r);
	/* Had the server sent a body, it would come before this answer. */
	request(c, "GET", "/ip");
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"origin\": \"127.0.0.1\"}\n");
	resp_free(&r);
	request(c, "HEAD", "/nope");
	ck_assert_int_eq(client_read(c, 1, &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_int_eq(r.length, 14);
	resp_free(&r);
	request(c, "GET", "/status/418");
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_int_eq(r.status, 418);
	resp_free(&r);
	client_close(c);
	server_close(s);
}
END_TEST

START_TEST(test_http10)
{
	struct server *s = start_quick();
	struct client *c = client_open(server_port(s));
	struct resp r;

	client_send(c, "GET /ip HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_ptr_nonnull(strstr(r.head, "\r\nConnection: keep-alive\r\n"));
	resp_free(&r);
	client_send(c, "GET /ip HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(r.close);
	resp_free(&r);
	ck_assert(client_eof(c));
	client_close(c);
	server_close(s);
}
END_TEST

/* A body on a GET is read and thrown away, even in pieces, and what
 * follows it is the next request. */
START_TEST(test_body_discarded)
{
	struct server *s = start_quick();
	struct client *c = client_open(server_port(s));
	struct resp r;

	client_send(c, "GET /ip HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
		       "\r\n0123");
	usleep(50000);
	client_send(c,
		    "456789GET /sites/dice.html HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_str_eq(r.body, "{\"origin\": \"127.0.0.1\"}\n");
	resp_free(&r);
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_uint_eq(r.body_len, 276);
	resp_free(&r);
	client_close(c);
	server_close(s);
}
END_TEST

START_TEST(test_curl_client)
{
	struct server *s = start_quick();
	char url[SERVER_URL_MAX + 32];
	CURL *h = curl_easy_init();
	long conns, code;
	curl_off_t size;
	FILE *sink = fopen("/dev/null", "w");

	ck_assert_ptr_nonnull(h);
	snprintf(url, sizeof url, "%s/sites/dice.html", server_url(s));
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(curl_easy_perform(h), CURLE_OK);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
		curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &size);
		ck_assert_int_eq(code, 200);
		ck_assert_int_eq(size, 276);
		/* One connection, then reused: keep-alive works for curl. */
		ck_assert_int_eq(conns, i == 0 ? 1 : 0);
	}
	curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	ck_assert_int_eq(curl_easy_perform(h), CURLE_OK);
	curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &size);
	ck_assert_int_eq(size, 276);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
	ck_assert_int_eq(conns, 0);
	curl_easy_cleanup(h);
	fclose(sink);
	server_close(s);
}
END_TEST

/* --- bad requests ----------------------------------------------------- */

/* A raw request: prefix, then `fill` bytes of `pad`, then suffix. */
static const struct {
	const char *prefix;
	char pad;
	size_t fill;
	const char *suffix;
	int status;
} bad[] = {
	{ "HELLO\r\n\r\n", 0, 0, "", 400 },
	{ "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 0, 0, "", 400 },
	{ "GET /sites/dice.html HTTP/1.1\r\n\r\n", 0, 0, "", 400 },
	{ "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 0, 0, "", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 0, 0, "", 400 },
	{ "POST /ip HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 0,
	  0, "", 405 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n", 'b',
	  70000, "", 413 },
	{ "GET /", 'a', 3000, " HTTP/1.1\r\nHost: x\r\n\r\n", 414 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ", 'h', 20000, "\r\n\r\n", 431 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "0\r\n\r\n",
	  0, 0, "", 501 },
	{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 0, 0, "", 505 },
};

static void send_bad(struct client *c, int i)
{
	size_t n = strlen(bad[i].prefix);
	size_t m = strlen(bad[i].suffix);
	char *buf = malloc(n + bad[i].fill + m);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, bad[i].prefix, n);
	memset(buf + n, bad[i].pad, bad[i].fill);
	memcpy(buf + n + bad[i].fill, bad[i].suffix, m);
	client_send_n(c, buf, n + bad[i].fill + m);
	free(buf);
}

/* The status, the connection closed after it (cleanly: the answer is
 * not lost to a reset, however much the client sent), and the server
 * goes on serving. */
START_TEST(test_bad_request)
{
	struct server *s = start_quick();
	struct client *c = client_open(server_port(s));
	struct server_stats st;
	struct resp r;
	int status;

	send_bad(c, _i);
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	status = r.status;
	ck_assert_msg(status == bad[_i].status, "case %d: %d", _i, status);
	ck_assert(r.close);
	if (r.status == 405)
		ck_assert_ptr_nonnull(
			strstr(r.head, "\r\nAllow: GET, HEAD\r\n"));
	resp_free(&r);
	ck_assert(client_eof(c));
	client_close(c);
	get(server_port(s), "/ip", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	server_stats(s, &st);
	/* 405 answers a well-formed request: not counted as an error. */
	ck_assert_uint_eq(st.errors, status == 405 ? 0 : 1);
	server_close(s);
}
END_TEST

START_TEST(test_408)
{
	struct server_config cfg = config(NULL);
	struct server *s;
	struct client *c;
	struct server_stats st;
	struct resp r;
	int64_t t0;

	cfg.request_timeout_ms = 300;
	s = start(&cfg);
	c = client_open(server_port(s));
	t0 = clock_now_ns();
	client_send(c, "GET /ip HTTP/1.1\r\nHost: x\r\n");
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_int_eq(r.status, 408);
	ck_assert(r.close);
	ck_assert_int_ge(clock_now_ns() - t0, 250 * MS);
	resp_free(&r);
	ck_assert(client_eof(c));
	client_close(c);
	/* Trickling bytes do not reset the clock (slowloris): the 408 is
	 * there 300 ms after the first byte, not 300 ms after the last. */
	c = client_open(server_port(s));
	t0 = clock_now_ns();
	client_send(c, "GET /ip HTTP/1.1\r\n");
	for (int i = 0; i < 6; i++) {
		usleep(100000);
		client_send(c, "X: y\r\n");
	}
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	ck_assert_int_eq(r.status, 408);
	if (check_timing_tests())
		ck_assert_int_lt(clock_now_ns() - t0, 800 * MS);
	resp_free(&r);
	client_close(c);
	get(server_port(s), "/ip", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	server_stats(s, &st);
	ck_assert_uint_eq(st.timeouts, 2);
	server_close(s);
}
END_TEST

START_TEST(test_idle_timeout)
{
	struct server_config cfg = config(NULL);
	struct server *s;
	struct client *c;
	struct resp r;

	cfg.idle_timeout_ms = 200;
	s = start(&cfg);
	c = client_open(server_port(s));
	request(c, "GET", "/ip");
	ck_assert_int_eq(client_read(c, 0, &r), 0);
	resp_free(&r);
	/* An idle connection is closed without an answer. */
	ck_assert(client_eof(c));
	client_close(c);
	server_close(s);
}
END_TEST

START_TEST(test_traversal)
{
	static const char *const paths[] = {
		"/../latency.conf",
		"/sites/../latency.conf",
		"/%2e%2e/latency.conf",
		"/%2E%2E%2Flatency.conf",
		"/sites/%2e%2e/latency.conf",
		"/..%2f..%2f..%2fetc%2fpasswd",
		"/%2fetc%2fpasswd",
		"/sites/dice.html/../../../../etc/passwd",
		"/sites/./dice.html",
		"http://127.0.0.1/../latency.conf",
	};
	struct server *s = start_quick();
	struct resp r;

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		get(server_port(s), paths[i], &r);
		ck_assert_msg(r.status == 404, "%s: %d", paths[i], r.status);
		ck_assert_str_eq(r.body, "404 Not Found\n");
		resp_free(&r);
	}
	get(server_port(s), "/sites/dice.html%00.txt", &r);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	/* An escape of a plain letter is the letter. */
	get(server_port(s), "/sites/%64ice.html", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.body_len, 276);
	resp_free(&r);
	server_close(s);
}
END_TEST

/* --- limits ----------------------------------------------------------- */

static void wait_open(struct server *s, uint64_t want)
{
	struct server_stats st;

	for (int i = 0; i < 200; i++) {
		server_stats(s, &st);
		if (st.open == want)
			return;
		usleep(10000);
	}
	ck_abort_msg("open connections: %llu, want %llu",
		     (unsigned long long)st.open, (unsigned long long)want);
}

START_TEST(test_connection_cap)
{
	struct server_config cfg = config(NULL);
	struct client *c[4];
	struct server_stats st;
	struct server *s;
	struct resp r;

	cfg.max_conns = 3;
	s = start(&cfg);
	for (int i = 0; i < 3; i++) {
		c[i] = client_open(server_port(s));
		request(c[i], "GET", "/ip");
		ck_assert_int_eq(client_read(c[i], 0, &r), 0);
		ck_assert_int_eq(r.status, 200);
		resp_free(&r);
	}
	/* The fourth is answered 503 and closed, cleanly. */
	c[3] = client_open(server_port(s));
	request(c[3], "GET", "/ip");
	ck_assert_int_eq(client_read(c[3], 0, &r), 0);
	ck_assert_int_eq(r.status, 503);
	ck_assert(r.close);
	ck_assert_ptr_nonnull(strstr(r.head, "\r\nRetry-After: 1\r\n"));
	resp_free(&r);
	ck_assert(client_eof(c[3]));
	client_close(c[3]);
	server_stats(s, &st);
	ck_assert_uint_eq(st.refused, 1);
	ck_assert_int_eq(st.max_conns, 3);
	/* The three still work; when one goes, a new one gets in. */
	request(c[1], "GET", "/ip");
	ck_assert_int_eq(client_read(c[1], 0, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	client_close(c[0]);
	wait_open(s, 2);
	get(server_port(s), "/ip", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	client_close(c[1]);
	client_close(c[2]);
	server_close(s);
}
END_TEST

/* --- latency ---------------------------------------------------------- */

START_TEST(test_latency)
{
	enum { N = 10 };
	struct profile p;
	struct server_config cfg;
	struct client *c[N];
	struct server *s;
	struct resp r;
	int64_t t0, dt;

	p = profile_write("/sites/ 100\n");
	cfg = config(&p);
	s = start(&cfg);
	profile_remove(&p); /* loaded: not needed any more */
	t0 = clock_now_ns();
	get(server_port(s), "/sites/dice.html", &r);
	dt = clock_now_ns() - t0;
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(dt >= 90 * MS, "answered in %lld ms", dt / MS);
	resp_free(&r);
	/* Other routes answer at once. */
	t0 = clock_now_ns();
	get(server_port(s), "/ip", &r);
	if (check_timing_tests())
		ck_assert_int_lt(clock_now_ns() - t0, 50 * MS);
	resp_free(&r);
	/* Ten at once wait together: timers, not a thread each. */
	for (int i = 0; i < N; i++)
		c[i] = client_open(server_port(s));
	t0 = clock_now_ns();
	for (int i = 0; i < N; i++)
		request(c[i], "GET", "/sites/dice.html");
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(client_read(c[i], 0, &r), 0);
		ck_assert_int_eq(r.status, 200);
		resp_free(&r);
		client_close(c[i]);
	}
	dt = clock_now_ns() - t0;
	ck_assert_int_ge(dt, 90 * MS);
	if (check_timing_tests())
		ck_assert_msg(dt < N * 100 * MS / 4, "%d at once took %lld ms",
			      N, dt / MS);
	server_close(s);
}
END_TEST

START_TEST(test_delay_route)
{
	struct server *s = start_quick();
	struct resp r;
	int64_t t0 = clock_now_ns();

	/* /delay waits even with the profiles off. */
	get(server_port(s), "/delay/150", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_ge(clock_now_ns() - t0, 140 * MS);
	resp_free(&r);
	server_close(s);
}
END_TEST

/* The waits of a run, as the log tells them ("... 200 276 53ms"). */
static void logged_waits(uint64_t seed, int *waits, int n)
{
	struct profile p;
	struct server_config cfg;
	struct server *s;
	struct resp r;
	char *text = NULL;
	size_t size = 0;
	const char *line;

	p = profile_write("/sites/ 40 normal 15\n");
	cfg = config(&p);
	cfg.seed = seed;
	cfg.log = open_memstream(&text, &size);
	ck_assert_ptr_nonnull(cfg.log);
	s = start(&cfg);
	profile_remove(&p); /* loaded: not needed any more */
	for (int i = 0; i < n; i++) {
		get(server_port(s), "/sites/dice.html", &r);
		resp_free(&r);
	}
	server_close(s);
	fclose(cfg.log);
	line = text;
	for (int i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(strstr(line,
					     " 127.0.0.1 \"GET "
					     "/sites/dice.html HTTP/1.1\" "
					     "200 276 "));
		line = strstr(line, " 200 276 ") + 9;
		waits[i] = (int)strtol(line, NULL, 10);
		ck_assert(strncmp(strchr(line, 'm'), "ms\n", 3) == 0);
	}
	free(text);
}

START_TEST(test_latency_repeatable)
{
	int a[6], b[6], c[6];
	int jitter = 0, differs = 0;

	logged_waits(7, a, 6);
	logged_waits(7, b, 6);
	logged_waits(8, c, 6);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(a[i], b[i]);
		ck_assert(a[i] >= 0 && a[i] <= 80);
		jitter |= a[i] != a[0];
		differs |= a[i] != c[i];
	}
	ck_assert(jitter);
	ck_assert(differs);
}
END_TEST

/* --- life and options --------------------------------------------------- */

/* Requests still waiting are dropped: their clients see an error, and
 * server_close does not wait for their latency. */
START_TEST(test_stop_outstanding)
{
	enum { N = 3 };
	struct profile p;
	struct server_config cfg;
	struct client *c[N];
	struct server *s;
	struct resp r;
	int64_t t0;

	p = profile_write("/sites/ 5000\n");
	cfg = config(&p);
	s = start(&cfg);
	profile_remove(&p); /* loaded: not needed any more */
	for (int i = 0; i < N; i++) {
		c[i] = client_open(server_port(s));
		request(c[i], "GET", "/sites/dice.html");
	}
	usleep(100000);
	t0 = clock_now_ns();
	server_close(s);
	if (check_timing_tests())
		ck_assert_int_lt(clock_now_ns() - t0, 1000 * MS);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(client_read(c[i], 0, &r), -1);
		client_close(c[i]);
	}
}
END_TEST

/* `conviz serve`: the loop runs on the main thread until a SIGINT-style
 * handler sets its flag; a helper thread plays the user. */
static volatile sig_atomic_t fg_stop;

static void fg_on_signal(int sig)
{
	(void)sig;
	fg_stop = 1;
}

struct fg {
	struct server *s;
	pthread_t main;
	int64_t sent_at; /* when the signal went */
	int status;	 /* of a GET while the loop runs */
};

static void *fg_user(void *arg)
{
	struct fg *f = arg;
	struct resp r;

	get(server_port(f->s), "/ip", &r);
	f->status = r.status;
	resp_free(&r);
	usleep(200000); /* the loop sleeps, with nothing to do */
	f->sent_at = clock_now_ns();
	pthread_kill(f->main, SIGUSR1);
	return NULL;
}

START_TEST(test_foreground)
{
	struct server_config cfg = config(NULL);
	struct sigaction sa;
	struct fg f = { 0 };
	char err[512];
	pthread_t t;
	int rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fg_on_signal;
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	f.s = server_open(&cfg, err, sizeof err);
	ck_assert_msg(f.s != NULL, "%s", err);
	f.main = pthread_self();
	ck_assert_int_eq(pthread_create(&t, NULL, fg_user, &f), 0);
	rc = server_run(f.s, &fg_stop);
	pthread_join(t, NULL);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(f.status, 200);
	if (check_timing_tests())
		ck_assert_int_lt(clock_now_ns() - f.sent_at, 100 * MS);
	server_close(f.s);
}
END_TEST

START_TEST(test_bind_addresses)
{
	struct server_config cfg = config(NULL);
	char want[64];
	struct server *s;
	struct resp r;

	cfg.bind = "0.0.0.0";
	s = start(&cfg);
	ck_assert_int_eq(server_loopback(s), 0); /* the caller warns */
	snprintf(want, sizeof want, "http://127.0.0.1:%d", server_port(s));
	ck_assert_str_eq(server_url(s), want);
	get(server_port(s), "/ip", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	server_close(s);
	cfg.bind = "localhost";
	s = start(&cfg);
	ck_assert_int_eq(server_loopback(s), 1);
	server_close(s);
	cfg.bind = NULL;
	s = start(&cfg);
	ck_assert_int_eq(server_loopback(s), 1);
	ck_assert_int_gt(server_port(s), 0);
	snprintf(want, sizeof want, "http://127.0.0.1:%d", server_port(s));
	ck_assert_str_eq(server_url(s), want);
	server_close(s);
}
END_TEST

/* GET URL/ip with curl: the status, or 0 when it could not connect. */
static long curl_status(const struct server_reach *at)
{
	char url[SERVER_URL_MAX + 8];
	CURL *h = curl_easy_init();
	FILE *sink = fopen("/dev/null", "w");
	long code = 0;

	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(sink);
	snprintf(url, sizeof url, "%.*s/ip", SERVER_URL_MAX - 1, at->url);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	fclose(sink);
	return code;
}

/* server_urls of a server bound to `bind`: each URL answers, the loopback
 * ones come last, and http://LOOPBACK:PORT is among them. Returns how
 * many, or -1 when bind cannot be opened here (no IPv6). */
static int check_urls(const char *bind, const char *loopback)
{
	struct server_config cfg = config(NULL);
	struct server_reach at[SERVER_REACH_MAX];
	char err[512], want[64];
	struct server *s;
	int n, found = 0;

	cfg.bind = bind;
	s = server_open(&cfg, err, sizeof err);
	if (s == NULL)
		return -1;
	ck_assert_int_eq(server_start(s, err, sizeof err), 0);
	snprintf(want, sizeof want, "http://%s:%d", loopback, server_port(s));
	n = server_urls(s, at, SERVER_REACH_MAX);
	ck_assert_int_ge(n, 1);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(i == 0 || at[i].loopback >= at[i - 1].loopback,
			      "%s: %s before %s", bind, at[i - 1].url,
			      at[i].url);
		ck_assert_msg(curl_status(&at[i]) == 200, "%s: %s", bind,
			      at[i].url);
		found |= strcmp(at[i].url, want) == 0 && at[i].loopback;
	}
	ck_assert_msg(found, "%s: no %s", bind, want);
	/* The first one only, when there is room for no more. */
	ck_assert_int_eq(server_urls(s, at + 1, 1), 1);
	ck_assert_str_eq(at[1].url, at[0].url);
	server_close(s);
	return n;
}

/* Where a class reaches the server: one URL per address of the machine
 * for a wildcard, else the address bound. */
START_TEST(test_bind_urls)
{
	ck_assert_int_ge(check_urls("0.0.0.0", "127.0.0.1"), 1);
	ck_assert_int_eq(check_urls("127.0.0.1", "127.0.0.1"), 1);
	ck_assert_int_eq(check_urls("localhost", "127.0.0.1"), 1);
	if (check_urls("::", "[::1]") < 0)
		return; /* no IPv6 here */
	ck_assert_int_eq(check_urls("::1", "[::1]"), 1);
}
END_TEST

START_TEST(test_bind_ipv6)
{
	struct server_config cfg = config(NULL);
	char err[512], want[64];
	struct server *s;

	cfg.bind = "[::1]";
	s = server_open(&cfg, err, sizeof err);
	if (s == NULL) {
		/* A machine without IPv6 loopback: nothing to check. */
		ck_assert_msg(strstr(err, "::1") != NULL, "%s", err);
		return;
	}
	ck_assert_int_eq(server_loopback(s), 1);
	snprintf(want, sizeof want, "http://[::1]:%d", server_port(s));
	ck_assert_str_eq(server_url(s), want);
	server_close(s);
}
END_TEST

START_TEST(test_open_errors)
{
	struct server_config cfg = config(NULL);
	char err[512];
	struct server *s;

	cfg.bind = "example.invalid";
	ck_assert_ptr_null(server_open(&cfg, err, sizeof err));
	ck_assert_str_eq(err, "'example.invalid' is not an IPv4 or IPv6 "
			      "address: use 127.0.0.1 (the default) or ::1");
	/* The same check, without opening anything. */
	ck_assert_int_eq(server_check_bind("example.invalid", err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "'example.invalid' is not an IPv4 or IPv6 "
			      "address: use 127.0.0.1 (the default) or ::1");
	ck_assert_int_eq(server_check_bind("[::1]", err, sizeof err), 0);
	ck_assert_int_eq(server_check_bind("0.0.0.0", err, sizeof err), 0);
	ck_assert_int_eq(server_check_bind("localhost", err, sizeof err), 0);
	ck_assert_int_eq(server_check_bind("[::1", err, sizeof err), -1);
	ck_assert_int_eq(server_check_bind("", err, sizeof err), -1);
	cfg.bind = NULL;
	cfg.port = 70000;
	ck_assert_ptr_null(server_open(&cfg, err, sizeof err));
	ck_assert_str_eq(err, "port 70000 is out of range: use 0..65535");
	cfg.port = 0;
	s = start(&cfg);
	cfg.port = server_port(s);
	ck_assert_ptr_null(server_open(&cfg, err, sizeof err));
	ck_assert_msg(strstr(err, "is in use: choose another with --port") !=
			      NULL,
		      "%s", err);
	server_close(s);
	cfg.port = 0;
	cfg.www_dir = "/nonexistent/www";
	ck_assert_ptr_null(server_open(&cfg, err, sizeof err));
	ck_assert_msg(strstr(err, "/nonexistent/www") != NULL, "%s", err);
	cfg.www_dir = NULL;
	cfg.no_latency = 0;
	cfg.latency_file = "/nonexistent/latency.conf";
	ck_assert_ptr_null(server_open(&cfg, err, sizeof err));
	ck_assert_msg(strstr(err, "cannot open latency profile") == err, "%s",
		      err);
	server_close(NULL);
}
END_TEST

/* The data alone, before anything opens: a bad profile or missing pages
 * fail server_check_data as they would server_open (an input error, exit
 * 2 in the program); good data passes, and nothing is bound. */
START_TEST(test_check_data)
{
	struct profile broken = profile_write("/ip 157\n/sites/ abc\n");
	struct profile good = profile_write("/ip 5 uniform 1\n");
	struct server_config cfg = config(&broken);
	char err[512];

	ck_assert_int_eq(server_check_data(&cfg, err, sizeof err), -1);
	ck_assert_msg(strstr(err, ":2: base must be a whole number of ms") !=
			      NULL,
		      "%s", err);
	ck_assert_msg(strstr(err, ": fix the file (format: see LATENCY "
				  "PROFILE in conviz(1))") != NULL,
		      "%s", err);
	cfg = config(&good);
	ck_assert_msg(server_check_data(&cfg, err, sizeof err) == 0, "%s", err);
	cfg.port = 1; /* not bound: no permission would be needed */
	ck_assert_msg(server_check_data(&cfg, err, sizeof err) == 0, "%s", err);
	cfg.www_dir = "/nonexistent/www";
	cfg.no_latency = 1;
	ck_assert_int_eq(server_check_data(&cfg, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "/nonexistent/www") != NULL, "%s", err);
	cfg = config(NULL);
	ck_assert_msg(server_check_data(&cfg, err, sizeof err) == 0, "%s", err);
	profile_remove(&broken);
	profile_remove(&good);
}
END_TEST

/* The shipped profile applies when no file is named. */
START_TEST(test_default_profile)
{
	struct server_config cfg = config(NULL);
	struct server *s;
	struct resp r;
	int64_t t0;

	cfg.no_latency = 0;
	s = start(&cfg);
	t0 = clock_now_ns();
	get(server_port(s), "/ip", &r);
	ck_assert_int_eq(r.status, 200);
	/* 157 ms, jitter at most 3 x 15 ms. */
	ck_assert_int_ge(clock_now_ns() - t0, 110 * MS);
	resp_free(&r);
	server_close(s);
}
END_TEST

static void unchecked_curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

Suite *suite_server(void)
{
	Suite *s = suite_create("server");
	TCase *tc = tcase_create("routes");

	tcase_add_unchecked_fixture(tc, unchecked_curl_init,
				    curl_global_cleanup);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sites_pages);
	tcase_add_loop_test(tc, test_routes, 0,
			    (int)(sizeof routes / sizeof routes[0]));
	tcase_add_test(tc, test_status_204);
	tcase_add_test(tc, test_keep_alive);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_head);
	tcase_add_test(tc, test_http10);
	tcase_add_test(tc, test_body_discarded);
	tcase_add_test(tc, test_curl_client);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bad_request, 0,
			    (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_408);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_traversal);
	tcase_add_test(tc, test_connection_cap);
	suite_add_tcase(s, tc);
	tc = tcase_create("latency");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_latency);
	tcase_add_test(tc, test_delay_route);
	tcase_add_test(tc, test_latency_repeatable);
	tcase_add_test(tc, test_default_profile);
	tcase_add_test(tc, test_check_data);
	suite_add_tcase(s, tc);
	tc = tcase_create("life");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stop_outstanding);
	tcase_add_test(tc, test_foreground);
	tcase_add_test(tc, test_bind_addresses);
	tcase_add_test(tc, test_bind_ipv6);
	tcase_add_test(tc, test_bind_urls);
	tcase_add_test(tc, test_open_errors);
	suite_add_tcase(s, tc);
	return s;
}
