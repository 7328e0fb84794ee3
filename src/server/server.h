/* server.h - the embedded HTTP/1.1 server that conviz's I/O lessons talk
 * to, so they work offline.
 *
 * Folder server/, on core/ (this is its main header): the embedded
 * server, its request parser (http), its pages and routes (www), its
 * latency profiles (latency).
 * May include: server/ and core/; not rt/ (a sibling), nothing above.
 *
 * One thread, non-blocking sockets in one epoll set, and a timer heap:
 * a request that must wait (its route's latency profile, /delay/MS) is a
 * timer, never a sleeping thread, so a thousand clients waiting 100 ms
 * cost a thousand heap entries. Keep-alive, HEAD, Content-Length; strict
 * parsing (http.h) with size limits; pages held in memory (www.h), so no
 * request path ever reaches the filesystem.
 *
 * Life of a server:
 *   s = server_open(&cfg, err, len);   loads pages and profiles, binds,
 *                                      listens; no thread yet
 *   server_url(s), server_loopback(s)  print them, warn if not loopback
 *     (server_urls(s, ...): the URLs a class can reach)
 *   server_start(s, err, len);         serve on a thread of its own
 *     or server_run(s, &flag);         serve on the calling thread
 *   server_close(s);                   stop, join, close, free
 *
 * Answers (see www.h for the routes): 200, 404, 405 for a method other
 * than GET and HEAD, 400 malformed, 408 a request not complete within
 * request_timeout_ms, 413/414/431 body/target/head too large, 501
 * Transfer-Encoding, 505 not HTTP/1.x, 503 beyond max_conns (the
 * connection is answered and closed). Every error but 404 closes the
 * connection after the answer (405 too: its body is not read); the
 * server goes on serving others. A client that shuts its side down after
 * its request gets the answer, then the connection is closed.
 *
 * The server changes two things of the process: it raises the soft
 * RLIMIT_NOFILE (up to the hard one) so max_conns fit, and its thread
 * blocks every asynchronous signal, so signals go to the program's own
 * threads. It writes with MSG_NOSIGNAL, so a client that goes away never
 * raises SIGPIPE.
 */
#ifndef CONVIZ_SERVER_H
#define CONVIZ_SERVER_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#define SERVER_CONNS_DEFAULT 10240
#define SERVER_CONNS_MAX 65536
#define SERVER_REQUEST_TIMEOUT_MS 10000
#define SERVER_IDLE_TIMEOUT_MS 30000
/* "http://[IPv6 address]:65535" and its NUL fit. */
#define SERVER_URL_MAX 80

struct server_config {
	/* The address to listen on: an IPv4 or IPv6 literal ("[::1]" too)
	 * or "localhost"; never a name to look up, so it works offline.
	 * NULL or "": 127.0.0.1. Not loopback: see server_loopback. */
	const char *bind;
	int port; /* 0..65535; 0: an ephemeral port (see server_port) */
	/* The pages: NULL: datadir_path()/www. */
	const char *www_dir;
	/* The latency profile: NULL: WWW_DIR/latency.conf (required). */
	const char *latency_file;
	int no_latency; /* 1: profiles off (/delay/MS still waits) */
	uint64_t seed;	/* jitter draws and /bytes/N data */
	/* NULL: no log. Else one line per answer, written (and flushed) by
	 * the server's thread only, until server_close returns:
	 * TIME PEER "REQUEST LINE" STATUS BODY_BYTES WAITms */
	FILE *log;
	/* Open connections: 0: SERVER_CONNS_DEFAULT; at most
	 * SERVER_CONNS_MAX. */
	int max_conns;
	int request_timeout_ms; /* 0: SERVER_REQUEST_TIMEOUT_MS, then 408 */
	int idle_timeout_ms;	/* 0: SERVER_IDLE_TIMEOUT_MS, then closed */
};

struct server_stats {
	uint64_t connections; /* accepted (refused ones not counted) */
	uint64_t refused;     /* beyond max_conns: 503 or closed at once */
	uint64_t requests;    /* answers begun, errors included */
	uint64_t errors;      /* answers to bad requests: 400, 408, 413, ... */
	uint64_t timeouts;    /* of which 408 */
	uint64_t open;	      /* connections open now */
	int max_conns;	      /* the cap in force (lower than asked if the
				 fd limit could not be raised enough) */
};

struct server;
struct www;

/* Checks that addr is an address server_open accepts for
 * server_config.bind, without binding anything, so `conviz serve --bind`
 * can be refused as a usage error before anything starts. Returns 0, or
 * -1 with "what went wrong: what to do" in err. Any thread. */
int server_check_bind(const char *addr, char *err, size_t errlen);

/* Loads the pages and the latency profile as server_open would, and lets
 * them go, so that bad data (a latency profile with an error at
 * FILE:LINE, a missing page) can be told as an input error before anything
 * starts, apart from what server_open alone can hit (a port in use).
 * Returns 0, or -1 with "what went wrong: what to do" in err. Any thread;
 * only cfg's www_dir, latency_file and no_latency count. */
int server_check_data(const struct server_config *cfg, char *err,
		      size_t errlen);

/* Loads the pages and the latency profile, creates the listening socket
 * and binds it. Returns NULL with "what went wrong: what to do" in err
 * (an unknown address, a port in use, a bad profile at FILE:LINE, ...).
 * Any thread. */
struct server *server_open(const struct server_config *cfg, char *err,
			   size_t errlen);

/* Starts serving on a new thread. Returns 0, or -1 with a message in err
 * (then only server_close may follow). Call at most once, and not with
 * server_run. */
int server_start(struct server *s, char *err, size_t errlen);

/* Serves on the calling thread (`conviz serve`) until *stop becomes
 * nonzero; stop may be a flag a SIGINT handler sets: the loop looks at it
 * at least every 50 ms, and at once when the signal interrupts its wait.
 * Returns 0 once stopped, -1 if the event loop failed (a message has been
 * printed with msg_error). Not with server_start. */
int server_run(struct server *s, const volatile sig_atomic_t *stop);

/* Stops the server thread if started (it wakes at once), joins it,
 * closes every socket and frees s. Requests still waiting for their
 * latency are dropped: their clients see the connection closed without an
 * answer, an error. NULL is fine. Not from the server's own thread. */
void server_close(struct server *s);

/* The bound port (the real one when 0 was asked). */
int server_port(const struct server *s);

/* "http://127.0.0.1:PORT" (no slash at the end): where clients of this
 * process reach the server. For a wildcard bind (0.0.0.0, ::) it names
 * the loopback address. */
const char *server_url(const struct server *s);

/* 1 if the server listens on loopback only (127.0.0.0/8, ::1); 0 if it is
 * reachable from other machines, which the caller should warn about. */
int server_loopback(const struct server *s);

/* Room for the URLs of server_urls (more addresses are left out). */
#define SERVER_REACH_MAX 16

struct server_reach {
	char url[SERVER_URL_MAX]; /* "http://ADDRESS:PORT", no slash */
	int loopback;		  /* 1: reachable from this machine only */
};

/* Where clients reach the server, for people to type: fills out[0..max)
 * and returns how many (at least 1 when max >= 1). Bound to one address:
 * its URL, server_url's. Bound to a wildcard: one URL per address of the
 * machine's interfaces that are up (getifaddrs) and that the socket
 * takes: for 0.0.0.0 every IPv4 address; for :: every IPv6 address but
 * link-local ones, and every IPv4 one too unless the socket is IPv6 only.
 * Those other machines can reach come first (IPv4 first), loopback ones
 * last, marked; if none is found, server_url's. Any thread. */
int server_urls(const struct server *s, struct server_reach *out, int max);

/* Prints every route, one a line: its URL, what it answers and its
 * latency ("  http://127.0.0.1:PORT/ip   {...}, 157 ms"), on the first URL
 * of server_urls (bound to a wildcard: one the class can reach). Any
 * thread. */
void server_print_routes(const struct server *s, FILE *to);

/* The pages it serves (read-only, until server_close), so a client in
 * this process can check what it received. Any thread. */
const struct www *server_www(const struct server *s);

/* Counters so far. Any thread, while the server runs too. */
void server_stats(const struct server *s, struct server_stats *st);

#endif
