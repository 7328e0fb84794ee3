/* check_work_http.c - the I/O workloads over real HTTP: GETs through
 * libcurl against the embedded server on a loopback port, the pokedex
 * names read from the <h1>, failures turned into codes and words (an
 * HTTP error, a refused connection, a timeout, a server that goes away
 * mid-request), the worker's session kept open between requests. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check_suites.h"
#include "app/scenario.h"
#include "core/clock.h"
#include "core/evring.h"
#include "core/urllist.h"
#include "rt/rt.h"
#include "server/server.h"
#include "server/www.h"
#include "work/work.h"

/* A server (no latency: these tests are about bytes, not time), a list
 * of URL templates and the input a workload reads. */
struct fixture {
	struct server *server;
	struct scenario sc;
	struct urllist urls;
	struct work_input in;
	struct rt rt;
	char base[SERVER_URL_MAX]; /* a copy: the server may go first */
};

static void setup(struct fixture *f, const char *workload, const char *urls,
		  long arg)
{
	struct server_config cfg = { .seed = 1, .no_latency = 1 };
	char err[512];

	memset(f, 0, sizeof *f);
	f->server = server_open(&cfg, err, sizeof err);
	ck_assert_msg(f->server != NULL, "server_open: %s", err);
	ck_assert_msg(server_start(f->server, err, sizeof err) == 0, "%s", err);
	snprintf(f->sc.name, sizeof f->sc.name, "t");
	snprintf(f->sc.workload, sizeof f->sc.workload, "%s", workload);
	f->sc.arg = arg;
	f->sc.tasks = 1000;
	f->sc.scale = 1;
	ck_assert_msg(urllist_words(urls, &f->urls, err, sizeof err) == 0, "%s",
		      err);
	f->in.sc = &f->sc;
	f->in.scale = 1;
	f->in.urls = &f->urls;
	snprintf(f->base, sizeof f->base, "%s", server_url(f->server));
	f->in.base = f->base;
	f->in.www = server_www(f->server);
	f->rt.ops = &rt_blocking_ops;
	f->rt.task = 0;
}

/* Closes the server (a thread's argument) 200 ms from now. */
static void *close_later(void *p)
{
	struct timespec ts = { .tv_nsec = 200 * 1000000L };

	nanosleep(&ts, NULL);
	server_close(p);
	return NULL;
}

static void teardown(struct fixture *f)
{
	rt_cleanup(&f->rt);
	ck_assert_ptr_null(f->rt.http);
	urllist_free(&f->urls);
	server_close(f->server);
}

/* Runs task t; returns the workload's code, the result in *res. */
static int run_task(struct fixture *f, uint32_t t, struct task_result *res)
{
	memset(res, 0, sizeof *res);
	f->rt.task = t;
	return work_find(f->sc.workload)->run(&f->rt, &f->in, t, res);
}

static void expect_task(struct fixture *f, uint32_t t, struct task_result *want)
{
	ck_assert_int_eq(work_find(f->sc.workload)->expect(&f->in, t, want), 0);
}

START_TEST(test_http_bytes_and_status)
{
	struct fixture f;
	struct task_result res, want;
	char buf[64];

	setup(&f, "http", "/sites/jython.html /sites/dice.html /ip", 1);
	ck_assert_int_eq(run_task(&f, 0, &res), 0);
	ck_assert_int_eq(res.ivalue, 10966);
	ck_assert_int_eq(res.ihigh, 200);
	expect_task(&f, 0, &want);
	ck_assert_int_eq(want.ivalue, 10966);
	ck_assert_int_eq(want.ihigh, 200);
	/* Task 4 is URL 4 % 3 = 1: the templates repeat, as the seed's
	 * list * 80 does. */
	ck_assert_int_eq(run_task(&f, 4, &res), 0);
	ck_assert_int_eq(res.ivalue, 276);
	expect_task(&f, 4, &want);
	ck_assert_int_eq(want.ivalue, 276);
	/* /ip answers the client's address, which the check knows. */
	ck_assert_int_eq(run_task(&f, 2, &res), 0);
	expect_task(&f, 2, &want);
	ck_assert_int_eq(res.ivalue, want.ivalue);
	ck_assert_int_eq(res.ivalue, strlen("{\"origin\": \"127.0.0.1\"}\n"));
	res.status = TASK_OK;
	work_find("http")->format(&res, buf, sizeof buf);
	ck_assert_str_eq(buf, "24 bytes");
	teardown(&f);
}
END_TEST

START_TEST(test_http_failures)
{
	struct fixture f;
	struct task_result res;
	char buf[64];

	setup(&f, "http", "/status/404 /status/503 http://127.0.0.1:1/x", 1);
	ck_assert_int_eq(run_task(&f, 0, &res), 404);
	ck_assert_str_eq(res.text, "HTTP 404");
	ck_assert_int_eq(res.ihigh, 404);
	ck_assert_int_eq(run_task(&f, 1, &res), 503);
	ck_assert_str_eq(res.text, "HTTP 503");
	/* Nobody listens on port 1: refused at once, no status, a negative
	 * (libcurl) code. */
	ck_assert_int_lt(run_task(&f, 2, &res), 0);
	ck_assert_str_eq(res.text, "connection refused");
	ck_assert_int_eq(res.ihigh, 0);
	ck_assert_int_eq(res.ivalue, 0);
	res.status = TASK_FAILED;
	work_find("http")->format(&res, buf, sizeof buf);
	ck_assert_str_eq(buf, "connection refused");
	teardown(&f);
}
END_TEST

START_TEST(test_http_url_too_long)
{
	struct fixture f;
	struct task_result res;
	char tmpl[URLLIST_URL_MAX + 1];
	size_t n = 0;

	/* 600 placeholders fit a template, not the URL they make. */
	tmpl[n++] = '/';
	while (n + 3 < sizeof tmpl - 1 && n < 1800) {
		memcpy(tmpl + n, "{n}", 3);
		n += 3;
	}
	tmpl[n] = '\0';
	setup(&f, "http", tmpl, 1000000);
	ck_assert_int_eq(run_task(&f, 0, &res), WORK_ERR_URL);
	ck_assert_str_eq(res.text, "URL too long");
	teardown(&f);
}
END_TEST

START_TEST(test_pokemon_names)
{
	struct fixture f;
	struct task_result res, want;
	char buf[64];

	setup(&f, "pokemon", "/pokedex/{n}", 1);
	for (uint32_t t = 0; t < 20; t++) {
		ck_assert_int_eq(run_task(&f, t, &res), 0);
		expect_task(&f, t, &want);
		ck_assert_str_eq(res.text, want.text);
		ck_assert_str_eq(res.text, www_pokemon(f.in.www, t + 1));
		ck_assert_int_eq(res.ivalue, want.ivalue);
	}
	ck_assert_int_eq(run_task(&f, 0, &res), 0);
	ck_assert_str_eq(res.text, "Bulbasaur");
	ck_assert_int_eq(run_task(&f, 19, &res), 0);
	ck_assert_str_eq(res.text, "Raticate");
	/* Escaped in the page, decoded by the reader: Farfetch'd (#83). */
	ck_assert_int_eq(run_task(&f, 82, &res), 0);
	ck_assert_str_eq(res.text, "Farfetch'd");
	/* UTF-8 goes through untouched: Nidoran (female), #29. */
	ck_assert_int_eq(run_task(&f, 28, &res), 0);
	ck_assert_str_eq(res.text, "Nidoran\xe2\x99\x80");
	work_find("pokemon")->format(&res, buf, sizeof buf);
	ck_assert_str_eq(buf, "Nidoran\xe2\x99\x80");
	teardown(&f);
}
END_TEST

START_TEST(test_pokemon_not_a_page)
{
	struct fixture f;
	struct task_result res;

	/* JSON has no <h1>; a missing pokemon is a 404. */
	setup(&f, "pokemon", "/ip /pokedex/{n}", 151);
	ck_assert_int_eq(run_task(&f, 0, &res), WORK_ERR_PARSE);
	ck_assert_str_eq(res.text, "no <h1> in the page");
	ck_assert_int_eq(run_task(&f, 1, &res), 404);
	ck_assert_str_eq(res.text, "HTTP 404");
	teardown(&f);
}
END_TEST

START_TEST(test_expect_needs_the_server)
{
	struct fixture f;
	struct task_result want;

	/* A real URL of the internet has no independent answer. */
	setup(&f, "http", "http://example.invalid/ /sites/dice.html", 1);
	ck_assert_int_eq(work_find("http")->expect(&f.in, 0, &want), -1);
	ck_assert_int_eq(work_find("http")->expect(&f.in, 1, &want), 0);
	f.in.www = NULL;
	ck_assert_int_eq(work_find("http")->expect(&f.in, 1, &want), -1);
	teardown(&f);
}
END_TEST

/* One session per worker: its GETs share one kept-alive connection. */
START_TEST(test_session_reused)
{
	struct fixture f;
	struct task_result res;
	struct server_stats st;

	setup(&f, "http", "/sites/dice.html", 1);
	for (uint32_t t = 0; t < 5; t++)
		ck_assert_int_eq(run_task(&f, t, &res), 0);
	server_stats(f.server, &st);
	ck_assert_uint_eq(st.requests, 5);
	ck_assert_uint_eq(st.connections, 1);
	teardown(&f);
}
END_TEST

/* The runtime shows the wait: io while the GET is out, then cpu. */
START_TEST(test_get_shows_io)
{
	struct fixture f;
	struct task_result res;
	struct ev ev[16];
	struct evring *ring = evring_new(64);

	setup(&f, "http", "/sites/dice.html", 1);
	f.rt.ring = ring;
	ck_assert_int_eq(run_task(&f, 3, &res), 0);
	size_t n = evring_drain(ring, ev, 16);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ev[0].kind, EV_IO);
	ck_assert_int_eq(ev[1].kind, EV_CPU);
	ck_assert_uint_eq(ev[0].task, 3);
	ck_assert_int_le(ev[0].ts_ns, ev[1].ts_ns);
	teardown(&f);
	evring_free(ring);
}
END_TEST

/* A listening socket that never answers: connecting works (the kernel
 * completes it), the request goes out, no answer ever comes. */
static int silent_listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* No answer within the limit: "timed out", and the GET returns then. */
START_TEST(test_timeout)
{
	struct rt rt = { .ops = &rt_blocking_ops, .task = 0 };
	struct rt_http reply = { .timeout_ms = 300 };
	char url[64];
	int port, fd = silent_listener(&port);

	snprintf(url, sizeof url, "http://127.0.0.1:%d/never", port);
	int64_t t0 = clock_now_ns();
	int rc = rt_http_get(&rt, url, &reply);
	int64_t ms = (clock_now_ns() - t0) / 1000000;
	ck_assert_int_lt(rc, 0);
	ck_assert_str_eq(reply.error, "timed out");
	ck_assert_int_eq(reply.status, 0);
	ck_assert_int_ge(ms, 250);
	ck_assert_int_lt(ms, 5000);
	rt_cleanup(&rt);
	close(fd);
}
END_TEST

/* The server goes away while a request waits for its answer: the GET
 * fails at once (closed without an answer), it does not hang. */
START_TEST(test_server_gone)
{
	struct fixture f;
	struct task_result res;

	setup(&f, "http", "/delay/10000", 1);
	/* Closed from this thread after a moment; the GET below is out. */
	struct server *s = f.server;
	f.server = NULL;
	f.in.www = NULL; /* the pages go with the server */
	pthread_t closer;
	ck_assert_int_eq(pthread_create(&closer, NULL, close_later, s), 0);
	int64_t t0 = clock_now_ns();
	ck_assert_int_lt(run_task(&f, 0, &res), 0);
	int64_t ms = (clock_now_ns() - t0) / 1000000;
	pthread_join(closer, NULL);
	ck_assert_str_eq(res.text, "closed without an answer");
	ck_assert_int_lt(ms, 5000);
	/* The next request finds nobody: refused. */
	ck_assert_int_lt(run_task(&f, 1, &res), 0);
	ck_assert_str_eq(res.text, "connection refused");
	teardown(&f);
}
END_TEST

Suite *suite_work_http(void)
{
	Suite *s = suite_create("work_http");
	TCase *tc = tcase_create("http");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_http_bytes_and_status);
	tcase_add_test(tc, test_http_failures);
	tcase_add_test(tc, test_http_url_too_long);
	tcase_add_test(tc, test_pokemon_names);
	tcase_add_test(tc, test_pokemon_not_a_page);
	tcase_add_test(tc, test_expect_needs_the_server);
	tcase_add_test(tc, test_session_reused);
	tcase_add_test(tc, test_get_shows_io);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_server_gone);
	suite_add_tcase(s, tc);
	return s;
}
