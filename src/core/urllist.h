/* urllist.h - lists of URLs for I/O scenarios: a --url-file (one URL a
 * line) or a scenario's `urls = A B C` value (blank-separated).
 *
 * Parsing is strict and both forms follow the same rules. A URL is either
 *   - an absolute http:// or https:// URL (scheme in any case) with a
 *     host: the part up to the next '/', '?', '#' or the end, after an
 *     optional "user@", not empty; "[v6]" hosts are fine; a port, if
 *     given, is a number from 1 to 65535, or
 *   - a path starting with a single '/', fetched from conviz's own
 *     embedded server (see urllist_expand).
 * Only printable ASCII without blanks: no byte <= 0x20, no 0x7f, no byte
 * >= 0x80 (percent-encode those). "{n}" anywhere stands for the task's
 * number (urllist_expand replaces it); other braces are plain bytes.
 *
 * File format: one URL a line; blank lines are fine; a line whose first
 * non-blank is '#' is a comment; blanks around a URL, a trailing "\r"
 * and a UTF-8 byte order mark at the start are ignored.
 */
#ifndef CONVIZ_URLLIST_H
#define CONVIZ_URLLIST_H

#include <stddef.h>

#define URLLIST_URL_MAX 2048	       /* bytes in one URL, NUL not counted */
#define URLLIST_COUNT_MAX 10000	       /* URLs in one list */
#define URLLIST_FILE_MAX (1024 * 1024) /* bytes in a --url-file */
#define URLLIST_LINE_MAX 4096 /* bytes in a line, newline not counted */

struct urllist {
	size_t count;
	char **urls; /* count strings, each NUL-terminated */
};

/* Parses `len` bytes of `text` (need not be NUL-terminated) in the file
 * format above; `file` is used in messages only. Returns 0 with at least
 * one URL in *out (free it with urllist_free), or -1 with *out empty
 * (nothing to free) and err shaped "FILE:LINE: what is wrong" (or
 * "FILE: what is wrong" for the whole file: a NUL byte, no URLs). Any
 * thread; allocates (out of memory is fatal, see msg.h). */
int urllist_parse(const char *text, size_t len, const char *file,
		  struct urllist *out, char *err, size_t errlen);

/* Parses a NUL-terminated list of URLs separated by spaces and tabs (a
 * scenario's `urls` value) by the same rules. Returns 0 with at least one
 * URL in *out, or -1 with *out empty and err shaped "what is wrong",
 * without file or line: the caller knows them and adds them. Any thread;
 * allocates. */
int urllist_words(const char *text, struct urllist *out, char *err,
		  size_t errlen);

/* Reads the file at `path` (at most URLLIST_FILE_MAX bytes) and parses it
 * with urllist_parse. Returns 0, or -1 with *out empty and err shaped
 * "what went wrong: what to do" (cannot open, a directory, cannot read,
 * too large, or a parse error and what to do about it). A FIFO is read
 * like a file (`--url-file <(...)`); one without a writer reads as empty
 * instead of blocking (see textfile.h). Any thread; allocates. */
int urllist_load(const char *path, struct urllist *out, char *err,
		 size_t errlen);

/* Frees the URLs and leaves *l empty (count 0). NULL or an empty list is
 * fine; so is calling it twice. Any thread owning *l. */
void urllist_free(struct urllist *l);

/* Writes URL `tmpl` made concrete for task `n` into out: every "{n}"
 * replaced by n in decimal, and a path ("/...") prefixed with `base`
 * (e.g. "http://127.0.0.1:40123", no trailing slash) so it reaches the
 * embedded server; an absolute URL keeps its host. Returns 0, or -1 (out
 * then holds "" if outlen > 0) when the result does not fit in outlen
 * bytes with its NUL, or tmpl is a path and base is NULL. Any thread; no
 * allocation. */
int urllist_expand(const char *tmpl, long n, const char *base, char *out,
		   size_t outlen);

/* 1 if some URL of *l is a path for the embedded server ("/..."), so it
 * must be started; else 0 (also for NULL). Any thread. */
int urllist_needs_server(const struct urllist *l);

#endif
