/* msg.h - messages for people, and allocation that cannot fail silently.
 *
 * Every error a person reads has the shape
 *     conviz: what went wrong: what to do
 * and goes through msg_error. Out of memory is fatal (msg_fatal): the
 * terminal is restored, one line is printed, and the process ends.
 */
#ifndef CONVIZ_MSG_H
#define CONVIZ_MSG_H

#include <stddef.h>
#include <stdio.h>

/* Prints "conviz: WHAT: TODO\n" to stderr in one write. Any thread. */
void msg_error(const char *what, const char *todo);

/* Prints "conviz: LINE\n", LINE already shaped "what: what to do". */
void msg_print(const char *line);

/* Like msg_error with a printf-style WHAT. */
void msg_errorf(const char *todo, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit status of a fatal error delivered by the terminal's owner: the
 * run could not complete (DESIGN.md). */
#define MSG_FATAL_STATUS 1

/* Makes the calling thread the owner of the terminal, and `hook` what
 * restores it (UI: endwin). Only the owner ever runs the hook: curses is
 * not thread-safe, and the owner may be drawing when a worker fails. NULL
 * removes it; the owner must do that, and if a fatal error of another
 * thread is pending then, it is delivered at once (see msg_fatal_poll: no
 * return). A forked child is never the owner. */
void msg_set_fatal_hook(void (*hook)(void));

/* A fatal error (out of memory...): prints "conviz: WHAT: TODO" once and
 * ends the process. Any thread; never returns. Only the first fatal error
 * is told: a second one, on any thread, waits for the first to end the
 * process.
 *   - On the owner thread: runs the hook, prints, exits MSG_FATAL_STATUS.
 *   - On another thread while there is an owner: leaves the message for
 *     the owner (msg_fatal_pending), then waits for ever; the owner
 *     delivers it within a frame.
 *   - Without an owner (headless): prints and aborts. */
void msg_fatal(const char *what, const char *todo) __attribute__((noreturn));

/* 1 when another thread's fatal error waits for the owner. Any thread;
 * lock-free. */
int msg_fatal_pending(void);

/* Owner thread, once a frame: if another thread's fatal error is pending,
 * runs the hook, prints its message and exits MSG_FATAL_STATUS (no
 * return); else returns at once. A no-op on any other thread. */
void msg_fatal_poll(void);

/* After a write to f failed (fflush, ferror): 1 when it failed because
 * nobody reads f any more, as with `conviz list | head -1` (SIGPIPE is
 * ignored, so the write gets EPIPE). The person stopped reading on
 * purpose, so the caller says nothing and exits 1; a shell says nothing
 * either of a pipeline's writer ended by SIGPIPE. 0 for any other failure
 * (a full disk, a closed descriptor), which deserves a message. Call it
 * right after the failing call, on the same thread. Any thread. */
int msg_reader_gone(FILE *f);

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

/* s itself when short and printable ASCII; else a copy in *q of at most
 * MSG_QUOTE_MAX bytes (then "...") with each other byte (newline, escape,
 * a byte of 0x80 and above, so any non-ASCII character too) shown as '?'.
 * Any thread. */
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
