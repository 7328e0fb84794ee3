/* bench_server.c - the embedded server under load: it must never be the
 * bottleneck of a lesson.
 *
 * Prints name=value lines (`make bench`):
 *   server_p99_ms_1000conc       99th percentile of the time a request
 *                                takes, 1000 concurrent keep-alive clients
 *                                (libcurl multi) against a 100 ms route
 *                                (/delay/100) for BENCH_SECONDS (10) s;
 *                                goal <= 115
 *   server_p50_ms_1000conc       the median of the same
 *   server_max_ms_1000conc       the slowest of the same
 *   server_first_p50_ms_1000conc the median of each client's first
 *                                request, which also opens its connection
 *                                (not in the figures above)
 *   server_errors_1000conc       failed transfers or non-200 (must be 0)
 *   server_requests_1000conc     requests completed
 *   server_conns_1000conc        connections the server accepted (1000:
 *                                every client kept its connection)
 *   server_rps_0ms_100conc       requests a second with no latency and
 *                                100 keep-alive connections, from a plain
 *                                epoll client (libcurl would measure
 *                                itself more than the server)
 *
 * The server runs in this process on its own thread and the clients on
 * the main thread, so on two cores each has one. The clients start one
 * after another over one latency period (100 ms), as independent clients
 * would: started all at once they would stay in lock-step, and their
 * answers would come in waves of 1000 that one client thread needs tens
 * of ms to take in, which measures libcurl, not the server. 1000 requests
 * are in flight all the same.
 *
 * Environment: BENCH_SECONDS (the 1000-client run; the rps run takes half
 * as long), CONVIZ_DATADIR.
 */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "server/server.h"

#define LAT_CONNS 1000
#define LAT_PATH "/delay/100"
#define RPS_CONNS 100
#define RPS_REQUEST "GET /sites/dice.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
#define EVENTS 1024
#define NS_PER_MS 1000000

static void die(const char *what)
{
	fprintf(stderr, "bench_server: %s\n", what);
	exit(1);
}

/* Room for the clients' sockets too (the server raises its own need). */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* --- 1000 libcurl clients, multi_socket API with epoll ------------------ */

struct slot {
	CURL *h;
	int64_t start;
	int started; /* requests begun on this handle */
};

struct lat_bench {
	CURLM *multi;
	struct slot *slots;
	int added; /* handles started so far (they start one by one) */
	int64_t t0;
	int ep;
	int64_t timer_at; /* when curl wants its timeout call; -1: none */
	int64_t end;	  /* no new request after this */
	int active;	  /* handles still in the multi */
	int32_t *us;	  /* latency of each request but the first, us */
	size_t n, cap;
	int32_t first_us[LAT_CONNS]; /* latency of each first request */
	int nfirst;
	uint64_t errors;
};

static size_t discard(char *p, size_t size, size_t n, void *userp)
{
	(void)p;
	(void)userp;
	return size * n;
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp,
		     void *socketp)
{
	struct lat_bench *b = userp;
	struct epoll_event ev = { .data.fd = s };

	(void)e;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(b->ep, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) |
		    (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
	if (epoll_ctl(b->ep, EPOLL_CTL_MOD, s, &ev) != 0)
		epoll_ctl(b->ep, EPOLL_CTL_ADD, s, &ev);
	return 0;
}

static int on_timer(CURLM *m, long ms, void *userp)
{
	struct lat_bench *b = userp;

	(void)m;
	b->timer_at = ms < 0 ? -1 : clock_now_ns() + ms * NS_PER_MS;
	return 0;
}

static void record(struct lat_bench *b, int64_t ns)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1 << 16;
		b->us = realloc(b->us, b->cap * sizeof *b->us);
		if (!b->us)
			die("out of memory");
	}
	b->us[b->n++] = (int32_t)(ns / 1000);
}

/* Collects finished transfers; starts the next request on each handle
 * while time is left (the connection stays in the multi's cache). */
static void collect(struct lat_bench *b)
{
	CURLMsg *msg;
	int left;

	for (;;) {
		msg = curl_multi_info_read(b->multi, &left);
		if (msg == NULL)
			break;
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct slot *sl;
		long code = 0;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &sl);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
				  &code);
		int64_t now = clock_now_ns();
		if (msg->data.result != CURLE_OK || code != 200)
			b->errors++;
		else if (sl->started == 1)
			b->first_us[b->nfirst++] =
				(int32_t)((now - sl->start) / 1000);
		else
			record(b, now - sl->start);
		curl_multi_remove_handle(b->multi, sl->h);
		if (now < b->end) {
			sl->start = now;
			sl->started++;
			curl_multi_add_handle(b->multi, sl->h);
		} else {
			b->active--;
		}
	}
}

/* Starts the clients whose turn has come: one every 100 us. */
static void start_due(struct lat_bench *b)
{
	int64_t due = (clock_now_ns() - b->t0) / (100 * NS_PER_MS / LAT_CONNS);

	while (b->added < LAT_CONNS && b->added <= due) {
		struct slot *sl = &b->slots[b->added++];
		sl->start = clock_now_ns();
		sl->started = 1;
		curl_multi_add_handle(b->multi, sl->h);
	}
}

static int timeout_ms(const struct lat_bench *b)
{
	int64_t left;
	int ms;

	if (b->timer_at < 0)
		ms = 100;
	else {
		left = b->timer_at - clock_now_ns();
		ms = left <= 0 ? 0 : (int)((left + NS_PER_MS - 1) / NS_PER_MS);
	}
	return b->added < LAT_CONNS && ms > 1 ? 1 : ms;
}

static void lat_loop(struct lat_bench *b)
{
	struct epoll_event evs[EVENTS];
	int running;

	b->t0 = clock_now_ns();
	while (b->active > 0) {
		start_due(b);
		int n = epoll_wait(b->ep, evs, EVENTS, timeout_ms(b));
		for (int i = 0; i < n; i++) {
			int mask = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN
							    : 0) |
				   (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT
							     : 0) |
				   (evs[i].events & (EPOLLERR | EPOLLHUP)
					    ? CURL_CSELECT_ERR
					    : 0);
			curl_multi_socket_action(b->multi, evs[i].data.fd, mask,
						 &running);
		}
		if (b->timer_at >= 0 && clock_now_ns() >= b->timer_at) {
			b->timer_at = -1;
			curl_multi_socket_action(b->multi, CURL_SOCKET_TIMEOUT,
						 0, &running);
		}
		collect(b);
	}
}

static void setup_slots(struct lat_bench *b, struct slot *slots,
			const char *url)
{
	for (int i = 0; i < LAT_CONNS; i++) {
		CURL *h = curl_easy_init();
		if (!h)
			die("curl_easy_init failed");
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(h, CURLOPT_PRIVATE, &slots[i]);
		curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
				 CURL_HTTP_VERSION_1_1);
		slots[i].h = h;
	}
	b->slots = slots;
	b->active = LAT_CONNS;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static double percentile_ms(int32_t *us, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return -1;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return us[i] / 1000.0;
}

static void bench_latency(struct server *s, int seconds)
{
	static struct lat_bench b = { .timer_at = -1 };
	struct slot *slots = calloc(LAT_CONNS, sizeof *slots);
	char url[SERVER_URL_MAX + 32];
	struct server_stats st;

	if (!slots)
		die("out of memory");
	snprintf(url, sizeof url, "%s%s", server_url(s), LAT_PATH);
	b.multi = curl_multi_init();
	b.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!b.multi || b.ep < 0)
		die("cannot set up libcurl multi or epoll");
	curl_multi_setopt(b.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(b.multi, CURLMOPT_SOCKETDATA, &b);
	curl_multi_setopt(b.multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(b.multi, CURLMOPT_TIMERDATA, &b);
	curl_multi_setopt(b.multi, CURLMOPT_MAXCONNECTS, (long)LAT_CONNS * 2);
	b.end = clock_now_ns() + (int64_t)seconds * 1000 * NS_PER_MS;
	setup_slots(&b, slots, url);
	lat_loop(&b);
	qsort(b.us, b.n, sizeof *b.us, cmp_i32);
	server_stats(s, &st);
	printf("server_p99_ms_1000conc=%.1f\n", percentile_ms(b.us, b.n, 0.99));
	printf("server_p50_ms_1000conc=%.1f\n", percentile_ms(b.us, b.n, 0.50));
	printf("server_max_ms_1000conc=%.1f\n", percentile_ms(b.us, b.n, 1.0));
	qsort(b.first_us, (size_t)b.nfirst, sizeof *b.first_us, cmp_i32);
	printf("server_first_p50_ms_1000conc=%.1f\n",
	       percentile_ms(b.first_us, (size_t)b.nfirst, 0.50));
	printf("server_errors_1000conc=%llu\n", (unsigned long long)b.errors);
	printf("server_requests_1000conc=%zu\n", b.n + (size_t)b.nfirst);
	printf("server_conns_1000conc=%llu\n",
	       (unsigned long long)st.connections);
	for (int i = 0; i < LAT_CONNS; i++)
		curl_easy_cleanup(slots[i].h);
	curl_multi_cleanup(b.multi);
	close(b.ep);
	free(slots);
	free(b.us);
}

/* --- 100 raw keep-alive connections, as fast as they go ---------------- */

struct rconn {
	int fd;
	size_t have;
	char buf[4096];
};

static int connect_nb(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		die("cannot connect to the server");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static void send_request(int fd)
{
	static const char req[] = RPS_REQUEST;

	if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != sizeof req - 1)
		die("cannot send a request");
}

/* Length of the first whole response in buf, or 0. */
static size_t response_len(const char *buf, size_t have)
{
	const char *end = memmem(buf, have, "\r\n\r\n", 4);
	const char *cl;
	size_t head;

	if (!end)
		return 0;
	head = (size_t)(end + 4 - buf);
	cl = memmem(buf, head, "Content-Length: ", 16);
	if (!cl || strncmp(buf, "HTTP/1.1 200 ", 13) != 0)
		die("unexpected response");
	head += (size_t)strtoul(cl + 16, NULL, 10);
	return head <= have ? head : 0;
}

/* Reads what came; counts and answers each whole response. */
static uint64_t rps_read(struct rconn *c, int more)
{
	uint64_t done = 0;
	size_t len;
	ssize_t n = recv(c->fd, c->buf + c->have, sizeof c->buf - c->have, 0);

	if (n == 0)
		die("the server closed a connection");
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		die("recv failed");
	}
	c->have += (size_t)n;
	for (;;) {
		len = response_len(c->buf, c->have);
		if (len == 0)
			break;
		memmove(c->buf, c->buf + len, c->have - len);
		c->have -= len;
		done++;
		if (more)
			send_request(c->fd);
	}
	return done;
}

static void bench_rps(struct server *s, int seconds)
{
	struct rconn *c = calloc(RPS_CONNS, sizeof *c);
	struct epoll_event evs[EVENTS];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	uint64_t done = 0;
	int64_t t0, end;

	if (!c || ep < 0)
		die("out of memory or epoll");
	for (int i = 0; i < RPS_CONNS; i++) {
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.ptr = &c[i] };
		c[i].fd = connect_nb(server_port(s));
		epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
	}
	t0 = clock_now_ns();
	end = t0 + (int64_t)seconds * 1000 * NS_PER_MS;
	for (int i = 0; i < RPS_CONNS; i++)
		send_request(c[i].fd);
	while (clock_now_ns() < end) {
		int n = epoll_wait(ep, evs, EVENTS, 100);
		for (int i = 0; i < n; i++)
			done += rps_read(evs[i].data.ptr, 1);
	}
	printf("server_rps_0ms_100conc=%.0f\n",
	       (double)done * 1e9 / (double)(clock_now_ns() - t0));
	for (int i = 0; i < RPS_CONNS; i++)
		close(c[i].fd);
	close(ep);
	free(c);
}

int main(void)
{
	struct server_config cfg = { .no_latency = 1, .seed = 1 };
	const char *env = getenv("BENCH_SECONDS");
	long seconds = env ? strtol(env, NULL, 10) : 10;
	char err[512];
	struct server *s;

	if (seconds < 1 || seconds > 3600)
		seconds = 10;
	raise_fd_limit();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die("curl_global_init failed");
	s = server_open(&cfg, err, sizeof err);
	if (!s || server_start(s, err, sizeof err) != 0)
		die(err);
	bench_latency(s, (int)seconds);
	server_close(s);
	s = server_open(&cfg, err, sizeof err);
	if (!s || server_start(s, err, sizeof err) != 0)
		die(err);
	bench_rps(s, (int)(seconds + 1) / 2);
	server_close(s);
	curl_global_cleanup();
	return 0;
}
