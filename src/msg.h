/* msg.h - messages for people, and allocation that cannot fail silently.
 *
 * Every error a person reads has the shape
 *     conviz: what went wrong: what to do
 * and goes through msg_error. Out of memory runs the fatal hook (the UI
 * sets one that restores the terminal) and aborts.
 */
#ifndef CONVIZ_MSG_H
#define CONVIZ_MSG_H

#include <stddef.h>

/* Prints "conviz: WHAT: TODO\n" to stderr in one write. Any thread. */
void msg_error(const char *what, const char *todo);

/* Prints "conviz: LINE\n", LINE already shaped "what: what to do". */
void msg_print(const char *line);

/* Like msg_error with a printf-style WHAT. */
void msg_errorf(const char *todo, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Called once before an abort for lack of memory (or another fatal error)
 * so the terminal can be restored. NULL removes it. */
void msg_set_fatal_hook(void (*hook)(void));

/* Runs the fatal hook, prints "conviz: WHAT: TODO" and aborts. */
void msg_fatal(const char *what, const char *todo) __attribute__((noreturn));

/* malloc/calloc/realloc/strdup that never return NULL: out of memory is
 * fatal (msg_fatal). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* What a person typed, quoted in a message, is cut to this many bytes
 * (then "..."), so the "what to do" half always fits. */
#define MSG_QUOTE_MAX 64

struct msg_quote {
	char s[MSG_QUOTE_MAX + 4];
};

/* s itself when short and free of control characters; else a copy in *q
 * of at most MSG_QUOTE_MAX bytes (then "...") with each control character
 * (newline, escape, ...) shown as '?'. Any thread. */
const char *msg_quote(const char *s, struct msg_quote *q);

/* Like msg_quote for a file path: a long one keeps its end (the file's
 * name), "..." standing for what was cut from the front. */
const char *msg_quote_path(const char *path, struct msg_quote *q);

/* Writes where input went wrong into err: "FILE:LINE: WHATDETAIL", or
 * "FILE: WHATDETAIL" when line <= 0 (the whole file). FILE is shown as
 * msg_quote_path shows it, DETAIL (words from the input) as msg_quote
 * does. Returns -1, so a parser can `return msg_at(...)`. Any thread. */
int msg_at(char *err, size_t errlen, const char *file, long line,
	   const char *what, const char *detail);

/* snprintf into a fixed buffer, always terminated, truncating. */
void msg_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
