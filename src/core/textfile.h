/* textfile.h - reading a small text file that a person named on the
 * command line (a scenario, a URL file): capped in size, never stuck on a
 * FIFO that nobody writes to, with messages shaped "what went wrong: what
 * to do".
 */
#ifndef CONVIZ_TEXTFILE_H
#define CONVIZ_TEXTFILE_H

#include <stddef.h>

/* What kind of file it is, for the messages. */
struct textfile_kind {
	const char *what;	/* "URL file" */
	size_t max;		/* bytes it may hold */
	const char *max_text;	/* the cap for people: "1 MiB" */
	const char *dir_hint;	/* "give a text file with one URL a line" */
	const char *large_hint; /* "give at most 10000 URLs, one a line" */
};

/* Reads the whole file at path (at most kind->max bytes) into *text, a
 * buffer of kind->max + 1 bytes to free, and its length into *len. A FIFO
 * is read like a file (as `--url-file <(...)` gives one); one that has no
 * writer reads as empty instead of blocking. Returns 0, or -1 with a
 * message in err: cannot open (missing, no permission), a directory,
 * cannot read, too large. Any thread. */
int textfile_read(const char *path, const struct textfile_kind *kind,
		  char **text, size_t *len, char *err, size_t errlen);

/* How many bytes at the start of s[0..len) are well-formed UTF-8 (no
 * overlong form, no surrogate, nothing above U+10FFFF): len when all of
 * it is. A file where that is less than its length is not text (or not
 * in UTF-8, as a Latin-1 file is not). Any thread. */
size_t textfile_utf8_len(const char *s, size_t len);

#endif
