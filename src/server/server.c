/* server.c - the embedded HTTP server: one thread, one epoll set, one
 * timer heap (see server.h for the contract).
 *
 * Each connection is a small state machine:
 *
 *   READ --head parsed--> BODY --body thrown away--> WAIT --timer--> WRITE
 *     ^                     (skipped when empty)      (skipped at 0 ms)  |
 *     +------------------- keep-alive: next request -------------------+
 *   any error status, or Connection: close: WRITE --> DRAIN --> closed
 *
 * Sockets are registered once, edge-triggered, for reading and writing;
 * can_read and can_write remember what epoll said until a call returns
 * EAGAIN. So a request costs no epoll_ctl at all: a recv, a sendmsg, and
 * a share of one epoll_wait. While a request waits or is being answered
 * the connection is not read, so pipelined requests wait in the kernel.
 *
 * Every connection has at most one deadline, and its meaning depends on
 * the state: READ with nothing read is the idle timeout (close quietly);
 * READ with part of a request, or BODY, is the request timeout (408);
 * WAIT is the latency (answer now); WRITE is a client that stopped
 * reading, DRAIN the end of a lingering close (close).
 *
 * DRAIN is a lingering close: after an error answer the client may still
 * be sending (a huge header, a body). Closing a socket with unread bytes
 * makes the kernel send a reset, and a reset can destroy the answer
 * before the client reads it. So the server shuts down its side, reads
 * and drops what still comes for up to DRAIN_MS, then closes.
 */
#include "config.h"

#include "server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/datadir.h"
#include "core/msg.h"
#include "server/http.h"
#include "server/latency.h"
#include "server/www.h"

/* Connections beyond max_conns that still get a 503 (and a lingering
 * close); beyond these, new connections are closed at once. */
#define REFUSE_SLOTS 64
/* File descriptors kept for everything else of the process. */
#define FD_HEADROOM 256
#define DRAIN_MS 2000
#define DRAIN_BYTES_MAX (1024 * 1024)
#define ACCEPT_BATCH 64
#define EVENTS_MAX 512
/* The foreground loop looks at its stop flag at least this often. */
#define STOP_POLL_MS 50
/* The request line as logged, cut to this. */
#define LOG_LINE_MAX 200
#define NO_TIMER SIZE_MAX
#define NS_PER_MS 1000000

enum conn_state {
	CONN_READ,  /* reading a request head */
	CONN_BODY,  /* throwing a request body away */
	CONN_WAIT,  /* the answer is ready; its latency runs */
	CONN_WRITE, /* sending the answer */
	CONN_DRAIN, /* lingering close */
};

/* What a step of the state machine did. */
enum step {
	STEP_AGAIN,   /* progress: run the next step */
	STEP_BLOCKED, /* waits for epoll or a timer */
	STEP_CLOSED,  /* the connection is gone (freed) */
};

struct conn {
	int fd;
	enum conn_state state;
	size_t slot;	  /* index in server.conns */
	size_t heap_pos;  /* index in server.heap, or NO_TIMER */
	int64_t deadline; /* CLOCK_MONOTONIC ns */
	int64_t wait_ns;  /* the latency this answer got, for the log */
	unsigned can_read : 1, can_write : 1, keep_alive : 1, head_only : 1,
		refused : 1, parse_pending : 1, peer_closed : 1;
	int version_minor;
	size_t in_len;	    /* bytes in in[] */
	uint64_t body_left; /* BODY: request body bytes still to come */
	size_t drained;	    /* DRAIN: bytes thrown away */
	size_t out_len;	    /* bytes of the head in out[] */
	const char *body;   /* the body to send after the head, or NULL */
	size_t body_len;
	size_t sent; /* of out[] then body */
	struct www_reply reply;
	char line[LOG_LINE_MAX]; /* the request line, for the log */
	char peer[INET6_ADDRSTRLEN];
	char out[HTTP_RESPONSE_HEAD_MAX];
	char in[HTTP_HEAD_MAX];
};

struct server {
	struct www *www;
	struct latency lat;
	uint64_t rng;
	FILE *log;
	int no_latency;
	int max_conns;
	int64_t request_ns, idle_ns;
	int lfd, ep, wakefd, spare_fd;
	int port, loopback;
	/* The bound address: its family, a wildcard (0.0.0.0, ::), and for
	 * ::, whether IPv4 clients are refused (IPV6_V6ONLY). */
	int family, wildcard, v6only;
	char url[SERVER_URL_MAX];
	/* epoll data.ptr of the listening socket and the wake-up eventfd;
	 * connections use their struct conn. */
	char tag_listen, tag_wake;
	struct conn **conns; /* open connections, any order */
	size_t nconns, nrefusing, cap;
	struct conn **heap; /* timers: a binary min-heap on deadline */
	size_t nheap;
	int64_t now; /* CLOCK_MONOTONIC, once per loop turn */
	time_t date_sec;
	char date[HTTP_DATE_LEN];
	pthread_t thread;
	int started;
	atomic_int stop;
	_Atomic uint64_t n_conns, n_refused, n_requests, n_errors, n_timeouts;
	_Atomic uint64_t n_open;
};

static void count(_Atomic uint64_t *c, int64_t delta)
{
	atomic_fetch_add_explicit(c, (uint64_t)delta, memory_order_relaxed);
}

/* --- the timer heap ----------------------------------------------------- */

static void heap_place(struct server *s, size_t i, struct conn *c)
{
	s->heap[i] = c;
	c->heap_pos = i;
}

static void heap_up(struct server *s, size_t i)
{
	struct conn *c = s->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (s->heap[parent]->deadline <= c->deadline)
			break;
		heap_place(s, i, s->heap[parent]);
		i = parent;
	}
	heap_place(s, i, c);
}

static void heap_down(struct server *s, size_t i)
{
	struct conn *c = s->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= s->nheap)
			break;
		if (child + 1 < s->nheap &&
		    s->heap[child + 1]->deadline < s->heap[child]->deadline)
			child++;
		if (c->deadline <= s->heap[child]->deadline)
			break;
		heap_place(s, i, s->heap[child]);
		i = child;
	}
	heap_place(s, i, c);
}

static void timer_clear(struct server *s, struct conn *c)
{
	size_t i = c->heap_pos;

	if (i == NO_TIMER)
		return;
	c->heap_pos = NO_TIMER;
	s->nheap--;
	if (i == s->nheap)
		return;
	struct conn *moved = s->heap[s->nheap];
	heap_place(s, i, moved);
	heap_up(s, i);
	heap_down(s, moved->heap_pos);
}

/* Every connection has at most one timer: setting it replaces the old. */
static void timer_set(struct server *s, struct conn *c, int64_t deadline)
{
	if (c->heap_pos != NO_TIMER) {
		int64_t old = c->deadline;
		c->deadline = deadline;
		if (deadline < old)
			heap_up(s, c->heap_pos);
		else if (deadline > old)
			heap_down(s, c->heap_pos);
		return;
	}
	c->deadline = deadline;
	s->heap[s->nheap] = c;
	c->heap_pos = s->nheap++;
	heap_up(s, c->heap_pos);
}

/* --- connections -------------------------------------------------------- */

static void conn_close(struct server *s, struct conn *c)
{
	struct conn *last = s->conns[--s->nconns];

	timer_clear(s, c);
	/* Removed from the set first: a forked child may share the socket,
	 * and then close alone would leave it registered. */
	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	s->conns[c->slot] = last;
	last->slot = c->slot;
	if (c->refused)
		s->nrefusing--;
	count(&s->n_open, -1);
	free(c);
}

/* The client's address as text; an IPv4 client of an IPv6 socket shows
 * as IPv4, as httpbin would show it. */
static void peer_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	msg_fmt(out, len, "unknown");
	if (ss->ss_family == AF_INET) {
		memcpy(&in4, ss, sizeof in4);
		inet_ntop(AF_INET, &in4.sin_addr, out, (socklen_t)len);
	} else if (ss->ss_family == AF_INET6) {
		memcpy(&in6, ss, sizeof in6);
		if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr))
			inet_ntop(AF_INET, &in6.sin6_addr.s6_addr[12], out,
				  (socklen_t)len);
		else
			inet_ntop(AF_INET6, &in6.sin6_addr, out,
				  (socklen_t)len);
	}
}

static struct conn *conn_new(struct server *s, int fd,
			     const struct sockaddr_storage *ss, int refused)
{
	struct conn *c = xmalloc(sizeof *c);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP |
					    EPOLLET,
				  .data.ptr = c };
	int one = 1;

	/* Only the bookkeeping is cleared, not the 9 KiB of buffers. */
	memset(c, 0, offsetof(struct conn, reply));
	c->fd = fd;
	c->heap_pos = NO_TIMER;
	c->can_write = 1;
	c->refused = refused != 0;
	c->line[0] = '\0';
	peer_text(ss, c->peer, sizeof c->peer);
	/* An answer goes out in one sendmsg; Nagle would only delay the
	 * rest of one that did not fit. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		free(c);
		return NULL;
	}
	c->slot = s->nconns;
	s->conns[s->nconns++] = c;
	if (refused)
		s->nrefusing++;
	count(&s->n_open, 1);
	timer_set(s, c, s->now + s->idle_ns);
	return c;
}

/* --- answers ------------------------------------------------------------ */

static const char *date_now(struct server *s)
{
	time_t t = time(NULL);

	if (t != s->date_sec) {
		s->date_sec = t;
		http_date(t, s->date);
	}
	return s->date;
}

static void note_line(struct conn *c, const struct http_request *req)
{
	/* The parser let only visible ASCII through: safe to print. */
	msg_fmt(c->line, sizeof c->line, "%.*s %.*s HTTP/1.%d",
		(int)req->method_name.len, req->method_name.p,
		(int)req->target.len, req->target.p, req->version_minor);
}

static void log_answer(struct server *s, const struct conn *c)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(s->log,
		"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s \"%s\" %d %zu "
		"%lldms\n",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, c->peer,
		c->line[0] ? c->line : "-", c->reply.status, c->body_len,
		(long long)(c->wait_ns / NS_PER_MS));
	fflush(s->log);
}

static const char *extra_headers(int status)
{
	if (status == 405)
		return "Allow: GET, HEAD\r\n";
	if (status == 503)
		return "Retry-After: 1\r\n";
	return NULL;
}

/* Formats c->reply into the head and body to send: WRITE. */
static enum step respond(struct server *s, struct conn *c)
{
	const struct www_reply *r = &c->reply;
	struct http_response h = { .status = r->status,
				   .type = r->type,
				   .length = r->len,
				   .keep_alive = c->keep_alive,
				   .version_minor = c->version_minor,
				   .date = date_now(s),
				   .extra = extra_headers(r->status) };

	c->out_len = http_format_head(c->out, sizeof c->out, &h);
	c->body = c->head_only || http_status_bodiless(r->status) ? NULL
								  : r->body;
	c->body_len = c->body ? r->len : 0;
	c->sent = 0;
	c->state = CONN_WRITE;
	timer_set(s, c, s->now + s->request_ns);
	count(&s->n_requests, 1);
	if (s->log)
		log_answer(s, c);
	return STEP_AGAIN;
}

/* An error answer, then a lingering close. The rest of the input is
 * dropped: after a malformed request nothing in it can be trusted. */
static enum step answer_error(struct server *s, struct conn *c, int status)
{
	c->keep_alive = 0;
	c->in_len = 0;
	c->parse_pending = 0;
	c->wait_ns = 0;
	www_error(status, &c->reply);
	return respond(s, c);
}

/* A request the parser refused (or that timed out): 4xx/5xx. */
static enum step conn_fail(struct server *s, struct conn *c, int status)
{
	count(&s->n_errors, 1);
	if (status == 408)
		count(&s->n_timeouts, 1);
	c->head_only = 0;
	c->version_minor = 1;
	c->line[0] = '\0';
	return answer_error(s, c, status);
}

/* The answer for a parsed request, and how long it waits. */
static void route(struct server *s, struct conn *c,
		  const struct http_request *req)
{
	char path[HTTP_TARGET_MAX + 1];
	size_t len;

	if (http_decode_path(req->path.p, req->path.len, path, sizeof path,
			     &len) < 0) {
		/* Only "%00" gets here: the parser checked the escapes. */
		www_error(400, &c->reply);
		c->wait_ns = 0;
		return;
	}
	if (len == 0) {
		path[0] = '/';
		len = 1;
	}
	www_route(s->www, path, len, c->peer, &c->reply);
	c->wait_ns = c->reply.delay_ns;
	if (!s->no_latency)
		c->wait_ns += latency_draw_ns(latency_match(&s->lat, path, len),
					      &s->rng);
}

/* The whole request is in: wait for its latency, or answer at once. */
static enum step body_done(struct server *s, struct conn *c)
{
	if (c->wait_ns > 0) {
		c->state = CONN_WAIT;
		timer_set(s, c, s->now + c->wait_ns);
		return STEP_BLOCKED;
	}
	return respond(s, c);
}

/* Drops the first n bytes of in[]: what is left is the next request. */
static void consume(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	c->parse_pending = c->in_len > 0;
}

static enum step start_request(struct server *s, struct conn *c,
			       const struct http_request *req)
{
	size_t avail = c->in_len - req->head_len;

	c->keep_alive = req->keep_alive != 0;
	c->head_only = req->method == HTTP_METHOD_HEAD;
	c->version_minor = req->version_minor;
	if (s->log)
		note_line(c, req);
	if (req->method == HTTP_METHOD_OTHER) {
		/* Its body is not read: the connection ends after 405. */
		return answer_error(s, c, 405);
	}
	route(s, c, req);
	if (req->content_length > avail) {
		c->body_left = req->content_length - avail;
		c->in_len = 0;
		c->parse_pending = 0;
		c->state = CONN_BODY;
		return STEP_AGAIN;
	}
	consume(c, req->head_len + (size_t)req->content_length);
	return body_done(s, c);
}

/* --- the steps of a connection ------------------------------------------ */

/* The first bytes of a request: from now it has request_ns to arrive
 * whole, however slowly its bytes trickle in. */
static void begin_request(struct server *s, struct conn *c)
{
	timer_set(s, c, s->now + s->request_ns);
}

/* recv returned n <= 0. */
static enum step read_failed(struct server *s, struct conn *c, ssize_t n)
{
	if (n < 0 && errno == EINTR)
		return STEP_AGAIN;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		c->can_read = 0;
		return STEP_BLOCKED;
	}
	/* End of file or an error: the client is gone, and so is a request
	 * it may have begun. */
	conn_close(s, c);
	return STEP_CLOSED;
}

static enum step parse_head(struct server *s, struct conn *c)
{
	struct http_request req;
	int rc = http_parse_request(c->in, c->in_len, &req);

	if (rc == HTTP_PARSE_MORE)
		return STEP_AGAIN;
	if (rc != 0)
		return conn_fail(s, c, rc);
	return start_request(s, c, &req);
}

static enum step step_read(struct server *s, struct conn *c)
{
	size_t room = sizeof c->in - c->in_len;
	ssize_t n;

	if (c->parse_pending) {
		c->parse_pending = 0;
		return parse_head(s, c);
	}
	if (!c->can_read)
		return STEP_BLOCKED;
	/* The parser answers before the buffer fills; kept for safety. */
	if (room == 0)
		return conn_fail(s, c, 431);
	n = recv(c->fd, c->in + c->in_len, room, 0);
	if (n <= 0)
		return read_failed(s, c, n);
	if (c->in_len == 0)
		begin_request(s, c);
	/* A short read emptied the socket: epoll reports the next bytes
	 * (nginx relies on the same). Not the end of the stream, though, if
	 * the client shut its side down with its request: that came in the
	 * event just handled, and the next recv must see it, or the
	 * connection would wait for the idle timeout. */
	if ((size_t)n < room && !c->peer_closed)
		c->can_read = 0;
	c->in_len += (size_t)n;
	c->parse_pending = 1;
	return STEP_AGAIN;
}

static enum step step_body(struct server *s, struct conn *c)
{
	size_t want = c->body_left < sizeof c->in ? (size_t)c->body_left
						  : sizeof c->in;
	ssize_t n;

	if (!c->can_read)
		return STEP_BLOCKED;
	n = recv(c->fd, c->in, want, 0);
	if (n <= 0)
		return read_failed(s, c, n);
	if ((size_t)n < want && !c->peer_closed)
		c->can_read = 0;
	c->body_left -= (uint64_t)n;
	return c->body_left > 0 ? STEP_AGAIN : body_done(s, c);
}

static enum step start_drain(struct server *s, struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_DRAIN;
	c->drained = 0;
	c->in_len = 0;
	timer_set(s, c, s->now + (int64_t)DRAIN_MS * NS_PER_MS);
	return STEP_AGAIN;
}

/* The answer is out: the next request, or the end. */
static enum step request_done(struct server *s, struct conn *c)
{
	if (!c->keep_alive)
		return start_drain(s, c);
	c->state = CONN_READ;
	c->line[0] = '\0';
	if (c->in_len > 0)
		begin_request(s, c);
	else
		timer_set(s, c, s->now + s->idle_ns);
	return STEP_AGAIN;
}

static enum step write_failed(struct server *s, struct conn *c)
{
	if (errno == EINTR)
		return STEP_AGAIN;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		c->can_write = 0;
		return STEP_BLOCKED;
	}
	conn_close(s, c);
	return STEP_CLOSED;
}

static enum step step_write(struct server *s, struct conn *c)
{
	struct iovec iov[2];
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 0 };
	size_t total = c->out_len + c->body_len;
	ssize_t n;

	if (!c->can_write)
		return STEP_BLOCKED;
	if (c->sent < c->out_len) {
		iov[msg.msg_iovlen++] =
			(struct iovec){ .iov_base = c->out + c->sent,
					.iov_len = c->out_len - c->sent };
	}
	if (c->body_len > 0) {
		size_t off = c->sent > c->out_len ? c->sent - c->out_len : 0;
		iov[msg.msg_iovlen++] =
			(struct iovec){ .iov_base = (char *)c->body + off,
					.iov_len = c->body_len - off };
	}
	n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
	if (n < 0)
		return write_failed(s, c);
	c->sent += (size_t)n;
	/* A short write: the next sendmsg says EAGAIN, or sends more. */
	return c->sent < total ? STEP_AGAIN : request_done(s, c);
}

static enum step step_drain(struct server *s, struct conn *c)
{
	ssize_t n;

	if (!c->can_read)
		return STEP_BLOCKED;
	n = recv(c->fd, c->in, sizeof c->in, 0);
	if (n > 0 && c->drained + (size_t)n <= DRAIN_BYTES_MAX) {
		c->drained += (size_t)n;
		if ((size_t)n < sizeof c->in)
			c->can_read = 0;
		return STEP_AGAIN;
	}
	if (n < 0 &&
	    (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return read_failed(s, c, n);
	/* The client closed its side (all is said), or it sends too much. */
	conn_close(s, c);
	return STEP_CLOSED;
}

/* Runs the state machine until it must wait for epoll or a timer. */
static void conn_advance(struct server *s, struct conn *c)
{
	enum step st = STEP_AGAIN;

	while (st == STEP_AGAIN) {
		switch (c->state) {
		case CONN_READ:
			st = step_read(s, c);
			break;
		case CONN_BODY:
			st = step_body(s, c);
			break;
		case CONN_WRITE:
			st = step_write(s, c);
			break;
		case CONN_DRAIN:
			st = step_drain(s, c);
			break;
		default:
			st = STEP_BLOCKED;
			break;
		}
	}
}

static void conn_event(struct server *s, struct conn *c, uint32_t events)
{
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->can_read = 1;
	if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->peer_closed = 1;
	if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		c->can_write = 1;
	conn_advance(s, c);
}

/* c's deadline has come; what that means depends on its state. */
static void conn_timeout(struct server *s, struct conn *c)
{
	switch (c->state) {
	case CONN_READ:
		if (c->in_len == 0) {
			conn_close(s, c); /* idle keep-alive connection */
			return;
		}
		conn_fail(s, c, 408);
		break;
	case CONN_BODY:
		conn_fail(s, c, 408);
		break;
	case CONN_WAIT:
		respond(s, c);
		break;
	default:
		conn_close(s, c); /* a stuck reader, or the drain is over */
		return;
	}
	conn_advance(s, c);
}

/* --- accepting ---------------------------------------------------------- */

static void accept_one(struct server *s, int fd,
		       const struct sockaddr_storage *ss)
{
	int refused = s->nconns - s->nrefusing >= (size_t)s->max_conns;
	struct conn *c;

	if (refused && s->nrefusing >= REFUSE_SLOTS) {
		close(fd);
		count(&s->n_refused, 1);
		return;
	}
	c = conn_new(s, fd, ss, refused);
	if (c == NULL)
		return;
	if (!refused) {
		count(&s->n_conns, 1);
		return;
	}
	/* A clean refusal: an answer, even before the request is read. */
	count(&s->n_refused, 1);
	c->head_only = 0;
	c->version_minor = 1;
	answer_error(s, c, 503);
	conn_advance(s, c);
}

/* Out of file descriptors: the spare one makes room to accept the
 * connection and close it, so the client is not left waiting in the
 * backlog (and the level-triggered listener does not spin). */
static void refuse_without_fd(struct server *s)
{
	int fd;

	if (s->spare_fd < 0)
		return;
	close(s->spare_fd);
	fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		count(&s->n_refused, 1);
	}
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void accept_all(struct server *s)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd = accept4(s->lfd, (struct sockaddr *)&ss, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			accept_one(s, fd, &ss);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE)
			refuse_without_fd(s);
		return;
	}
}

/* --- the loop ----------------------------------------------------------- */

static int next_timeout_ms(const struct server *s, int polling)
{
	int64_t ms = -1;

	if (s->nheap > 0) {
		int64_t left = s->heap[0]->deadline - clock_now_ns();
		/* Rounded up: a timer never fires early. */
		ms = left <= 0 ? 0 : (left + NS_PER_MS - 1) / NS_PER_MS;
		if (ms > INT_MAX)
			ms = INT_MAX;
	}
	if (polling && (ms < 0 || ms > STOP_POLL_MS))
		ms = STOP_POLL_MS;
	return (int)ms;
}

static void run_timers(struct server *s)
{
	s->now = clock_now_ns();
	while (s->nheap > 0 && s->heap[0]->deadline <= s->now) {
		struct conn *c = s->heap[0];
		timer_clear(s, c);
		conn_timeout(s, c);
	}
}

/* server_close wrote to the eventfd: reset it. The stop flag, not the
 * count, is what the loop looks at. */
static void drain_wake(struct server *s)
{
	uint64_t v;

	if (read(s->wakefd, &v, sizeof v) < 0 && errno != EAGAIN)
		msg_errorf("nothing to do", "the server's wake-up failed: %s",
			   strerror(errno));
}

static void handle_events(struct server *s, const struct epoll_event *evs,
			  int n)
{
	for (int i = 0; i < n; i++) {
		void *p = evs[i].data.ptr;
		if (p == &s->tag_listen)
			accept_all(s);
		else if (p == &s->tag_wake)
			drain_wake(s);
		else
			conn_event(s, p, evs[i].events);
	}
}

static int stopping(struct server *s, const volatile sig_atomic_t *stop)
{
	return atomic_load(&s->stop) || (stop != NULL && *stop);
}

static int serve_loop(struct server *s, const volatile sig_atomic_t *stop)
{
	struct epoll_event evs[EVENTS_MAX];

	while (!stopping(s, stop)) {
		int n = epoll_wait(s->ep, evs, EVENTS_MAX,
				   next_timeout_ms(s, stop != NULL));
		if (n < 0 && errno != EINTR) {
			msg_errorf("restart the server",
				   "the HTTP server's event loop failed: %s",
				   strerror(errno));
			return -1;
		}
		s->now = clock_now_ns();
		if (n > 0)
			handle_events(s, evs, n);
		run_timers(s);
	}
	return 0;
}

static void *server_thread(void *arg)
{
	serve_loop(arg, NULL);
	return NULL;
}

/* --- opening ------------------------------------------------------------ */

/* An address literal (no name lookup: conviz works offline). */
static int parse_bind(const char *addr, int port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	struct sockaddr_in in4 = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons((uint16_t)port) };
	size_t n = strlen(addr);

	if (strcmp(addr, "localhost") == 0)
		addr = "127.0.0.1";
	if (n >= 2 && n < sizeof host && addr[0] == '[' && addr[n - 1] == ']') {
		memcpy(host, addr + 1, n - 2);
		host[n - 2] = '\0';
		addr = host;
	}
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &in4.sin_addr) == 1) {
		memcpy(ss, &in4, sizeof in4);
		*len = sizeof in4;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6.sin6_addr) == 1) {
		memcpy(ss, &in6, sizeof in6);
		*len = sizeof in6;
		return 0;
	}
	return -1;
}

/* The bound address: the port, whether it is loopback, and the URL a
 * client of this process should use. */
static void describe_bound(struct server *s, const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN];
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	s->family = ss->ss_family;
	if (ss->ss_family == AF_INET) {
		memcpy(&in4, ss, sizeof in4);
		s->port = ntohs(in4.sin_port);
		s->loopback = (ntohl(in4.sin_addr.s_addr) >> 24) == 127;
		s->wildcard = in4.sin_addr.s_addr == htonl(INADDR_ANY);
		if (s->wildcard)
			in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		inet_ntop(AF_INET, &in4.sin_addr, host, sizeof host);
		msg_fmt(s->url, sizeof s->url, "http://%s:%d", host, s->port);
		return;
	}
	memcpy(&in6, ss, sizeof in6);
	s->port = ntohs(in6.sin6_port);
	s->loopback = IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr) ||
		      (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr) &&
		       in6.sin6_addr.s6_addr[12] == 127);
	s->wildcard = IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr);
	if (s->wildcard)
		in6.sin6_addr = in6addr_loopback;
	inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host);
	msg_fmt(s->url, sizeof s->url, "http://[%s]:%d", host, s->port);
}

static int bind_failed(const char *addr, int port, char *err, size_t errlen)
{
	struct msg_quote q;
	int e = errno;

	addr = msg_quote(addr, &q);
	if (e == EADDRINUSE)
		msg_fmt(err, errlen,
			"port %d of %s is in use: choose another with --port, "
			"or 0 for any free port",
			port, addr);
	else if (e == EACCES)
		msg_fmt(err, errlen,
			"port %d needs privileges: use a port above 1023",
			port);
	else if (e == EADDRNOTAVAIL)
		msg_fmt(err, errlen,
			"%s is not an address of this machine: use 127.0.0.1",
			addr);
	else
		msg_fmt(err, errlen,
			"cannot listen on %s port %d (%s): use --bind "
			"127.0.0.1 --port 0",
			addr, port, strerror(e));
	return -1;
}

static int bad_address(const char *addr, char *err, size_t errlen)
{
	struct msg_quote q;

	msg_fmt(err, errlen,
		"'%s' is not an IPv4 or IPv6 address: use 127.0.0.1 "
		"(the default) or ::1",
		msg_quote(addr, &q));
	return -1;
}

int server_check_bind(const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (parse_bind(addr, 0, &ss, &len) < 0)
		return bad_address(addr, err, errlen);
	return 0;
}

static int open_socket(struct server *s, const struct server_config *cfg,
		       char *err, size_t errlen)
{
	const char *addr = cfg->bind && *cfg->bind ? cfg->bind : "127.0.0.1";
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	if (cfg->port < 0 || cfg->port > 65535) {
		msg_fmt(err, errlen, "port %d is out of range: use 0..65535",
			cfg->port);
		return -1;
	}
	if (parse_bind(addr, cfg->port, &ss, &len) < 0)
		return bad_address(addr, err, errlen);
	s->lfd = socket(ss.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return bind_failed(addr, cfg->port, err, errlen);
	/* A restarted `conviz serve` may reuse its port at once. */
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s->lfd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(s->lfd, SOMAXCONN) != 0)
		return bind_failed(addr, cfg->port, err, errlen);
	len = sizeof ss;
	if (getsockname(s->lfd, (struct sockaddr *)&ss, &len) != 0)
		return bind_failed(addr, cfg->port, err, errlen);
	describe_bound(s, &ss);
	if (s->family == AF_INET6) {
		len = sizeof s->v6only;
		if (getsockopt(s->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &s->v6only,
			       &len) != 0)
			s->v6only = 1; /* unknown: promise no IPv4 */
	}
	return 0;
}

/* Raises the soft fd limit so that max_conns connections (and the 503
 * slots, and the rest of the process) fit; lowers max_conns if the hard
 * limit is too low for that. */
static void fit_fd_limit(struct server *s)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)s->max_conns + REFUSE_SLOTS + FD_HEADROOM;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < want) {
		rlim_t old = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || want < rl.rlim_max
				      ? want
				      : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = old;
	}
	if (rl.rlim_cur < want) {
		rlim_t fit = rl.rlim_cur > REFUSE_SLOTS + FD_HEADROOM + 16
				     ? rl.rlim_cur - REFUSE_SLOTS - FD_HEADROOM
				     : 16;
		s->max_conns = (int)fit;
	}
}

static int open_loop(struct server *s, char *err, size_t errlen)
{
	struct epoll_event lev = { .events = EPOLLIN,
				   .data.ptr = &s->tag_listen };
	struct epoll_event wev = { .events = EPOLLIN,
				   .data.ptr = &s->tag_wake };

	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->ep < 0 || s->wakefd < 0 ||
	    epoll_ctl(s->ep, EPOLL_CTL_ADD, s->lfd, &lev) != 0 ||
	    epoll_ctl(s->ep, EPOLL_CTL_ADD, s->wakefd, &wev) != 0) {
		msg_fmt(err, errlen,
			"cannot set up the server's event loop (%s): close "
			"other programs and try again",
			strerror(errno));
		return -1;
	}
	fit_fd_limit(s);
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	s->cap = (size_t)s->max_conns + REFUSE_SLOTS;
	s->conns = xcalloc(s->cap, sizeof *s->conns);
	s->heap = xcalloc(s->cap, sizeof *s->heap);
	s->now = clock_now_ns();
	return 0;
}

static int load_content(struct server *s, const struct server_config *cfg,
			char *err, size_t errlen)
{
	char dir[PATH_MAX], lat[PATH_MAX];

	if (cfg->www_dir)
		msg_fmt(dir, sizeof dir, "%s", cfg->www_dir);
	else
		msg_fmt(dir, sizeof dir, "%s/www", datadir_path());
	if (cfg->latency_file)
		msg_fmt(lat, sizeof lat, "%s", cfg->latency_file);
	else
		msg_fmt(lat, sizeof lat, "%s/latency.conf", dir);
	if (!s->no_latency && latency_load(lat, &s->lat, err, errlen) < 0)
		return -1;
	s->www = www_load(dir, cfg->seed, err, errlen);
	return s->www ? 0 : -1;
}

int server_check_data(const struct server_config *cfg, char *err, size_t errlen)
{
	struct server *s = xcalloc(1, sizeof *s);
	int rc;

	s->no_latency = cfg->no_latency != 0;
	rc = load_content(s, cfg, err, errlen);
	www_free(s->www);
	free(s);
	return rc;
}

static int or_default(int v, int def, int max)
{
	return v <= 0 ? def : v > max ? max : v;
}

struct server *server_open(const struct server_config *cfg, char *err,
			   size_t errlen)
{
	struct server *s = xcalloc(1, sizeof *s);

	s->lfd = s->ep = s->wakefd = s->spare_fd = -1;
	s->log = cfg->log;
	s->no_latency = cfg->no_latency != 0;
	s->rng = cfg->seed;
	s->max_conns = or_default(cfg->max_conns, SERVER_CONNS_DEFAULT,
				  SERVER_CONNS_MAX);
	s->request_ns =
		(int64_t)or_default(cfg->request_timeout_ms,
				    SERVER_REQUEST_TIMEOUT_MS, INT_MAX) *
		NS_PER_MS;
	s->idle_ns = (int64_t)or_default(cfg->idle_timeout_ms,
					 SERVER_IDLE_TIMEOUT_MS, INT_MAX) *
		     NS_PER_MS;
	if (load_content(s, cfg, err, errlen) < 0 ||
	    open_socket(s, cfg, err, errlen) < 0 ||
	    open_loop(s, err, errlen) < 0) {
		server_close(s);
		return NULL;
	}
	return s;
}

int server_start(struct server *s, char *err, size_t errlen)
{
	sigset_t all, old;
	int rc;

	/* The thread inherits this mask: signals go to the program's own
	 * threads (the UI turns them into events), never to the server. */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, server_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		msg_fmt(err, errlen,
			"cannot start the server thread (%s): close other "
			"programs and try again",
			strerror(rc));
		return -1;
	}
	s->started = 1;
	return 0;
}

int server_run(struct server *s, const volatile sig_atomic_t *stop)
{
	return serve_loop(s, stop);
}

void server_close(struct server *s)
{
	uint64_t one = 1;

	if (s == NULL)
		return;
	if (s->started) {
		atomic_store(&s->stop, 1);
		if (write(s->wakefd, &one, sizeof one) < 0)
			msg_error("cannot wake the server thread",
				  "it stops within its next timer");
		pthread_join(s->thread, NULL);
	}
	while (s->nconns > 0)
		conn_close(s, s->conns[s->nconns - 1]);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->ep >= 0)
		close(s->ep);
	if (s->wakefd >= 0)
		close(s->wakefd);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	www_free(s->www);
	free(s->conns);
	free(s->heap);
	free(s);
}

int server_port(const struct server *s)
{
	return s->port;
}

const char *server_url(const struct server *s)
{
	return s->url;
}

int server_loopback(const struct server *s)
{
	return s->loopback;
}

/* --- where clients reach it ------------------------------------------- */

/* The URL of an interface address `sa` if the socket takes connections
 * to it: 0 with *loopback set, or -1 (another family, IPv4 on an IPv6
 * only socket, a link-local IPv6 address, which a URL can name only with
 * its interface). */
static int reach_url(const struct server *s, const struct sockaddr *sa,
		     char *url, size_t len, int *loopback)
{
	char host[INET6_ADDRSTRLEN];
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	if (sa->sa_family == AF_INET) {
		if (s->family == AF_INET6 && s->v6only)
			return -1;
		memcpy(&in4, sa, sizeof in4);
		*loopback = (ntohl(in4.sin_addr.s_addr) >> 24) == 127;
		inet_ntop(AF_INET, &in4.sin_addr, host, sizeof host);
		msg_fmt(url, len, "http://%s:%d", host, s->port);
		return 0;
	}
	if (sa->sa_family != AF_INET6 || s->family != AF_INET6)
		return -1;
	memcpy(&in6, sa, sizeof in6);
	if (IN6_IS_ADDR_LINKLOCAL(&in6.sin6_addr))
		return -1;
	*loopback = IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr);
	inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host);
	msg_fmt(url, len, "http://[%s]:%d", host, s->port);
	return 0;
}

/* Adds url to out[0..n) unless it is there or out is full; the new n. */
static int reach_add(struct server_reach *out, int n, int max, const char *url,
		     int loopback)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(out[i].url, url) == 0)
			return n;
	}
	if (n == max)
		return n;
	msg_fmt(out[n].url, sizeof out[n].url, "%s", url);
	out[n].loopback = loopback;
	return n + 1;
}

/* Adds the URLs of the interface addresses of one family and kind
 * (loopback or not) that are up, in the order the kernel lists them. */
static int reach_pass(const struct server *s, const struct ifaddrs *all,
		      int family, int loopback, struct server_reach *out, int n,
		      int max)
{
	char url[SERVER_URL_MAX];
	int lo;

	for (const struct ifaddrs *a = all; a; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != family ||
		    !(a->ifa_flags & IFF_UP))
			continue;
		if (reach_url(s, a->ifa_addr, url, sizeof url, &lo) == 0 &&
		    lo == loopback)
			n = reach_add(out, n, max, url, lo);
	}
	return n;
}

int server_urls(const struct server *s, struct server_reach *out, int max)
{
	struct ifaddrs *all;
	int n = 0;

	if (max < 1)
		return 0;
	if (s->wildcard && getifaddrs(&all) == 0) {
		/* What the class can reach first, IPv4 first; this machine's
		 * own loopback last. */
		n = reach_pass(s, all, AF_INET, 0, out, n, max);
		n = reach_pass(s, all, AF_INET6, 0, out, n, max);
		n = reach_pass(s, all, AF_INET, 1, out, n, max);
		n = reach_pass(s, all, AF_INET6, 1, out, n, max);
		freeifaddrs(all);
	}
	if (n == 0)
		n = reach_add(out, 0, max, s->url, s->loopback);
	return n;
}

static uint64_t load(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void server_stats(const struct server *s, struct server_stats *st)
{
	st->connections = load(&s->n_conns);
	st->refused = load(&s->n_refused);
	st->requests = load(&s->n_requests);
	st->errors = load(&s->n_errors);
	st->timeouts = load(&s->n_timeouts);
	st->open = load(&s->n_open);
	st->max_conns = s->max_conns;
}

const struct www *server_www(const struct server *s)
{
	return s->www;
}

/* One route: its URL, what it is, and its latency rule's wait. */
static void route_line(const struct server *s, FILE *to, const char *base,
		       const char *path, const char *what)
{
	const struct latency_rule *r =
		latency_match(&s->lat, path, strlen(path));
	char url[SERVER_URL_MAX + 64];

	msg_fmt(url, sizeof url, "%s%s", base, path);
	if (s->no_latency || r == NULL)
		fprintf(to, "  %-44s %s\n", url, what);
	else
		fprintf(to, "  %-44s %s, %d ms\n", url, what, r->base_ms);
}

void server_print_routes(const struct server *s, FILE *to)
{
	char what[64];
	size_t len;
	const char *path;
	struct server_reach at;

	server_urls(s, &at, 1);
	for (size_t i = 0; (path = www_page(s->www, i, &len)) != NULL; i++) {
		if (strncmp(path, "/pokedex/", 9) == 0)
			continue;
		msg_fmt(what, sizeof what, "%zu bytes", len);
		route_line(s, to, at.url, path, what);
	}
	route_line(s, to, at.url, "/pokedex/1",
		   "... /pokedex/151: a page whose <h1> is the name");
	route_line(s, to, at.url, "/ip", "{\"origin\": \"YOUR ADDRESS\"}");
	route_line(s, to, at.url, "/delay/MS",
		   "answers MS ms later (0..10000)");
	route_line(s, to, at.url, "/status/CODE", "an empty answer (200..599)");
	route_line(s, to, at.url, "/bytes/N", "N random bytes (0..1048576)");
}
