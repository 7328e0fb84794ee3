/* rt_http.c - rt_http_get for the blocking models (sync, threads): one
 * libcurl easy handle per worker, made on the worker's first GET and
 * reused, so its connections stay open between requests. This is the
 * seeds' "one requests.Session per thread" lesson: a session is not
 * thread-safe, so each thread keeps its own, and keep-alive saves a
 * connection set-up per request.
 *
 * The transfer runs on a multi handle of the worker's own, polled at most
 * RT_HTTP_POLL_MS at a time, so a cancelled run abandons a request in
 * flight within that time instead of waiting up to RT_HTTP_TOTAL_MS for
 * it. (curl_easy_perform's progress callback can be a second apart while
 * nothing arrives.) The easy handle and its multi are kept together: the
 * multi holds the connection cache, so connections are still reused.
 *
 * This file and the async loop are the only runtime code that touches
 * libcurl (STYLE.md: workloads never touch sockets).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "core/msg.h"
#include "rt/rt.h"
#include "rt/rt_http.h"

/* How long a waiting worker sleeps before it looks at the cancel flag. */
#define RT_HTTP_POLL_MS 50

/* A worker's HTTP session: one easy handle, and the multi that runs it. */
struct session {
	CURL *easy;
	CURLM *multi;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_setup(void)
{
	/* Not thread-safe in old libcurl: done once, before any worker. */
	curl_global_init(CURL_GLOBAL_ALL);
}

void rt_http_init(void)
{
	pthread_once(&curl_once, curl_setup);
}

static size_t on_body(char *data, size_t size, size_t n, void *p)
{
	struct rt_http *reply = p;
	size_t len = size * n;

	if (reply->kept < reply->cap) {
		size_t room = reply->cap - reply->kept;
		size_t take = len < room ? len : room;
		memcpy(reply->body + reply->kept, data, take);
		reply->kept += take;
	}
	reply->bytes += len;
	return len;
}

/* An easy handle with options set once, kept across requests. */
CURL *rt_http_easy_new(void)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no alarms */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)RT_HTTP_CONNECT_MS);
	/* Like requests: follow redirects, accept compressed answers and
	 * count the decoded bytes (len(response.content)). */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "conviz/" PACKAGE_VERSION);
	/* A proxy from the environment must never stand between conviz and
	 * its own loopback server. */
	curl_easy_setopt(c, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	return c;
}

static void session_free(struct session *s)
{
	if (!s)
		return;
	if (s->multi)
		curl_multi_cleanup(s->multi);
	if (s->easy)
		curl_easy_cleanup(s->easy);
	free(s);
}

static struct session *session_new(void)
{
	struct session *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->easy = rt_http_easy_new();
	s->multi = curl_multi_init();
	if (!s->easy || !s->multi) {
		session_free(s);
		return NULL;
	}
	return s;
}

/* Short words for people about why no answer came. */
static void explain(CURL *c, CURLcode rc, struct rt_http *reply)
{
	long os_errno = 0;
	const char *why;

	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		why = os_errno == ECONNREFUSED ? "connection refused"
					       : "cannot connect";
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		why = "host not found (DNS)";
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		why = "proxy not found (DNS)";
		break;
	case CURLE_OPERATION_TIMEDOUT:
		why = "timed out";
		break;
	case CURLE_GOT_NOTHING:
		why = "closed without an answer";
		break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		why = "connection lost";
		break;
	case CURLE_PARTIAL_FILE:
		why = "answer cut short";
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		why = "too many redirects";
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		why = "cancelled";
		break;
	default:
		why = curl_easy_strerror(rc);
		break;
	}
	msg_fmt(reply->error, sizeof reply->error, "%s", why);
}

static int cancelled(const struct rt *rt)
{
	return rt->cancel &&
	       atomic_load_explicit(rt->cancel, memory_order_relaxed);
}

/* Runs the transfer on the session's multi until it ends or the run is
 * cancelled. Returns libcurl's result for it. */
static CURLcode transfer(struct rt *rt, struct session *s)
{
	CURLcode rc = CURLE_ABORTED_BY_CALLBACK;
	int running = 1;
	CURLMsg *m;
	int left;

	if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	while (running && !cancelled(rt)) {
		if (curl_multi_perform(s->multi, &running) != CURLM_OK)
			break;
		if (running &&
		    curl_multi_poll(s->multi, NULL, 0, RT_HTTP_POLL_MS, NULL) !=
			    CURLM_OK)
			break;
	}
	while ((m = curl_multi_info_read(s->multi, &left)) != NULL) {
		if (m->msg == CURLMSG_DONE)
			rc = m->data.result;
	}
	curl_multi_remove_handle(s->multi, s->easy);
	return rc;
}

void rt_http_prepare(CURL *c, const char *url, struct rt_http *reply)
{
	reply->kept = 0;
	reply->bytes = 0;
	reply->status = 0;
	reply->error[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 reply->timeout_ms > 0 ? reply->timeout_ms
					       : (long)RT_HTTP_TOTAL_MS);
}

int rt_http_finish(CURL *c, CURLcode rc, struct rt_http *reply)
{
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
	if (rc != CURLE_OK) {
		explain(c, rc, reply);
		return rc > 0 ? -(int)rc : -1;
	}
	if (reply->status >= 400) {
		msg_fmt(reply->error, sizeof reply->error, "HTTP %ld",
			reply->status);
		return (int)reply->status;
	}
	return 0;
}

/* Performs the GET on the worker's session; the caller shows the wait. */
static int http_perform(struct rt *rt, struct session *s, const char *url,
			struct rt_http *reply)
{
	rt_http_prepare(s->easy, url, reply);
	return rt_http_finish(s->easy, transfer(rt, s), reply);
}

int rt_http_open(struct rt *rt)
{
	if (!rt->http) {
		rt_http_init();
		rt->http = session_new();
	}
	return rt->http ? 0 : -1;
}

int rt_http_get_blocking(struct rt *rt, const char *url, struct rt_http *reply)
{
	int rc;

	reply->error[0] = '\0';
	if (rt_http_open(rt) < 0) {
		msg_fmt(reply->error, sizeof reply->error, "%s",
			"no HTTP session (out of memory)");
		return -(int)CURLE_OUT_OF_MEMORY;
	}
	/* Waiting on the network: a thread in `requests.get` holds no GIL,
	 * so the others compute meanwhile. */
	rt_emit(rt, EV_IO, 0);
	if (rt->gil)
		gil_release(rt->gil);
	rc = http_perform(rt, rt->http, url, reply);
	rt_gil_enter(rt);
	rt_emit(rt, EV_CPU, 0);
	return rc;
}

void rt_http_cleanup(struct rt *rt)
{
	session_free(rt->http);
	rt->http = NULL;
}
