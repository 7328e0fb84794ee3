/* msg.c - messages for people and allocation that cannot fail silently. */
#include "config.h"

#include "core/msg.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The fatal path. The first fatal error claims it (fatal_claimed); a later
 * one, from any thread, waits for the process to end, so a person reads
 * one message. The claimer delivers it itself, unless another thread owns
 * the terminal: then it leaves the line in fatal_line, raises
 * fatal_pending, and waits for the owner, which polls (msg_fatal_poll). */
static pthread_mutex_t fatal_lock = PTHREAD_MUTEX_INITIALIZER;
static int fatal_owned;		 /* fatal_lock: 1 from set to removal */
static void (*fatal_hook)(void); /* fatal_lock; NULL once it has run */
static pthread_t fatal_owner;	 /* fatal_lock: the thread that set it */
static pid_t fatal_pid;		 /* fatal_lock: its process (see fork) */
static int fatal_claimed;	 /* fatal_lock */
static char fatal_line[1024];	 /* fatal_lock; written once, when claimed */
/* Read by the owner without the lock, once a frame; set under it, after
 * fatal_line is written. */
static atomic_int fatal_pending;

void msg_error(const char *what, const char *todo)
{
	char line[1024];

	msg_fmt(line, sizeof line, "%s: %s", what, todo);
	msg_print(line);
}

/* One write, so lines from several threads never interleave. */
void msg_print(const char *line)
{
	char buf[1024];

	msg_fmt(buf, sizeof buf, "conviz: %s\n", line);
	size_t n = strlen(buf);
	if (n > 0 && buf[n - 1] != '\n')
		buf[n - 1] = '\n';
	ssize_t w = write(STDERR_FILENO, buf, n);
	(void)w;
}

void msg_errorf(const char *todo, const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	msg_error(what, todo);
}

/* Parks a thread whose fatal error someone else delivers: the process is
 * about to end. */
static void fatal_wait(void) __attribute__((noreturn));
static void fatal_wait(void)
{
	for (;;)
		pause();
}

/* Runs the owner's hook (which restores the terminal), prints the claimed
 * line and ends the process with status 1: a fatal error is a run that
 * could not complete, not a crash, so no abort and no core. */
static void fatal_deliver(void (*hook)(void)) __attribute__((noreturn));
static void fatal_deliver(void (*hook)(void))
{
	if (hook)
		hook();
	msg_print(fatal_line);
	_exit(MSG_FATAL_STATUS);
}

/* fatal_lock held: is the calling thread the owner? A child forked by the
 * owner's process is never it (its copy of the hook would restore the
 * parent's terminal from the wrong process). */
static int fatal_is_owner(void)
{
	return fatal_owned && pthread_equal(fatal_owner, pthread_self()) &&
	       fatal_pid == getpid();
}

/* fatal_lock held: is there an owner to hand a fatal error to? */
static int fatal_has_owner(void)
{
	return fatal_owned && fatal_pid == getpid();
}

void msg_set_fatal_hook(void (*hook)(void))
{
	void (*old)(void);
	int pending;

	pthread_mutex_lock(&fatal_lock);
	old = fatal_hook;
	pending = fatal_is_owner() && atomic_load(&fatal_pending);
	fatal_owned = hook != NULL;
	fatal_hook = hook;
	fatal_owner = pthread_self();
	fatal_pid = getpid();
	pthread_mutex_unlock(&fatal_lock);
	/* Nobody would poll for it any more, and its thread waits for ever. */
	if (pending)
		fatal_deliver(old);
}

int msg_fatal_pending(void)
{
	return atomic_load(&fatal_pending);
}

void msg_fatal_poll(void)
{
	void (*hook)(void);
	int mine;

	if (!atomic_load(&fatal_pending))
		return;
	pthread_mutex_lock(&fatal_lock);
	mine = fatal_is_owner();
	hook = mine ? fatal_hook : NULL;
	if (mine)
		fatal_hook = NULL; /* runs once */
	pthread_mutex_unlock(&fatal_lock);
	if (mine)
		fatal_deliver(hook);
}

void msg_fatal(const char *what, const char *todo)
{
	void (*hook)(void) = NULL;
	int first, owner, routed;

	pthread_mutex_lock(&fatal_lock);
	first = !fatal_claimed;
	fatal_claimed = 1;
	if (first)
		msg_fmt(fatal_line, sizeof fatal_line, "%s: %s", what, todo);
	owner = fatal_is_owner();
	routed = first && !owner && fatal_has_owner();
	if (owner) {
		hook = fatal_hook;
		fatal_hook =
			NULL; /* runs once: a fatal error inside it exits */
	}
	if (routed)
		atomic_store(&fatal_pending, 1);
	pthread_mutex_unlock(&fatal_lock);
	/* The owner delivers whichever line came first, its own or one a
	 * worker left; with no owner (headless), the first caller prints and
	 * aborts, as it always did. */
	if (owner)
		fatal_deliver(hook);
	if (!first || routed)
		fatal_wait();
	msg_print(fatal_line);
	abort();
}

int msg_reader_gone(FILE *f)
{
	struct pollfd p;

	if (errno == EPIPE)
		return 1;
	/* The error may be from an earlier write (ferror is sticky, errno is
	 * not): ask the descriptor. A pipe without a reader polls POLLERR,
	 * a socket whose peer left POLLHUP; a closed descriptor (POLLNVAL) or
	 * a full disk is a real error. */
	p.fd = fileno(f);
	p.events = POLLOUT;
	p.revents = 0;
	if (p.fd < 0 || poll(&p, 1, 0) != 1 || (p.revents & POLLNVAL))
		return 0;
	return (p.revents & (POLLERR | POLLHUP)) != 0;
}

static void out_of_memory(void)
{
	msg_fatal("out of memory", "close other programs or use fewer workers");
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory();
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);
	memcpy(p, s, n);
	return p;
}

void msg_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len == 0)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
}

/* Printable ASCII. A byte of 0x80 and above is not shown either: bytes
 * of a binary file are no text, and 0x80-0x9f are the C1 controls of an
 * 8-bit terminal (0x9b starts an escape sequence there). */
static int quote_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

const char *msg_quote(const char *s, struct msg_quote *q)
{
	size_t i = 0;
	int plain = 1;

	for (; i <= MSG_QUOTE_MAX && s[i]; i++)
		plain &= quote_plain((unsigned char)s[i]);
	if (plain && i <= MSG_QUOTE_MAX)
		return s;
	/* A newline or an escape sequence typed (or read from a file) must
	 * not reach the terminal: the message stays one clean line. */
	for (i = 0; i < MSG_QUOTE_MAX && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		q->s[i] = quote_plain(c) ? (char)c : '?';
	}
	memcpy(q->s + i, s[i] ? "..." : "", s[i] ? 4 : 1);
	return q->s;
}

const char *msg_quote_path(const char *path, struct msg_quote *q)
{
	size_t n = strlen(path);
	struct msg_quote tail;

	if (n <= MSG_QUOTE_MAX)
		return msg_quote(path, q);
	/* The last MSG_QUOTE_MAX - 3 bytes fit after "..." in a quote. */
	const char *t = msg_quote(path + n - (MSG_QUOTE_MAX - 3), &tail);
	msg_fmt(q->s, sizeof q->s, "...%s", t);
	return q->s;
}

int msg_at(char *err, size_t errlen, const char *file, long line,
	   const char *what, const char *detail)
{
	struct msg_quote qf, qd;
	const char *f = msg_quote_path(file, &qf);

	detail = msg_quote(detail, &qd);
	if (line > 0)
		msg_fmt(err, errlen, "%s:%ld: %s%s", f, line, what, detail);
	else
		msg_fmt(err, errlen, "%s: %s%s", f, what, detail);
	return -1;
}
