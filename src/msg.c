/* msg.c - messages for people and allocation that cannot fail silently. */
#include "config.h"

#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void (*fatal_hook)(void);

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

void msg_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void msg_fatal(const char *what, const char *todo)
{
	void (*hook)(void) = fatal_hook;

	fatal_hook = NULL;
	if (hook)
		hook();
	msg_error(what, todo);
	abort();
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

const char *msg_quote(const char *s, struct msg_quote *q)
{
	size_t i = 0;
	int plain = 1;

	for (; i <= MSG_QUOTE_MAX && s[i]; i++)
		plain &= (unsigned char)s[i] >= 0x20 && s[i] != 0x7f;
	if (plain && i <= MSG_QUOTE_MAX)
		return s;
	/* A newline or an escape sequence typed (or read from a file) must
	 * not reach the terminal: the message stays one clean line. */
	for (i = 0; i < MSG_QUOTE_MAX && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		q->s[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
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
