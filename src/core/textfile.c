/* textfile.c - small text files named by people, read whole and capped. */
#include "config.h"

#include "core/textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/msg.h"

/* Reads at most max bytes of fd into buf; -1 with errno on error. */
static ssize_t read_capped(int fd, char *buf, size_t max)
{
	size_t n = 0;

	while (n < max) {
		ssize_t r = read(fd, buf + n, max - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* Opens path for reading without waiting for a FIFO's writer, then makes
 * reads block again, so a writer that is there is waited for. */
static int open_reading(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int flags;

	if (fd < 0)
		return -1;
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

int textfile_read(const char *path, const struct textfile_kind *kind,
		  char **text, size_t *len, char *err, size_t errlen)
{
	struct msg_quote q;
	struct stat st;
	const char *shown = msg_quote_path(path, &q);
	int fd = open_reading(path);

	if (fd < 0) {
		msg_fmt(err, errlen, "cannot open %s '%s' (%s): check the path",
			kind->what, shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		msg_fmt(err, errlen, "%s '%s' is a directory: %s", kind->what,
			shown, kind->dir_hint);
		return -1;
	}
	/* One byte more than allowed tells a file that is too large. */
	char *buf = xmalloc(kind->max + 1);
	ssize_t n = read_capped(fd, buf, kind->max + 1);
	int saved = errno;
	close(fd);
	if (n >= 0 && (size_t)n <= kind->max) {
		*text = buf;
		*len = (size_t)n;
		return 0;
	}
	free(buf);
	if (n < 0)
		msg_fmt(err, errlen,
			"cannot read %s '%s' (%s): check that it is a "
			"readable file",
			kind->what, shown, strerror(saved));
	else
		msg_fmt(err, errlen, "%s '%s' is too large (over %s): %s",
			kind->what, shown, kind->max_text, kind->large_hint);
	return -1;
}

/* The length of the UTF-8 sequence that lead byte c starts (2 to 4), and
 * the range of its second byte (RFC 3629's table: it rules out overlong
 * forms, surrogates and what is above U+10FFFF); 0 when c starts none. */
static size_t utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef) {
		*lo = c == 0xe0 ? 0xa0 : 0x80;
		*hi = c == 0xed ? 0x9f : 0xbf;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		*lo = c == 0xf0 ? 0x90 : 0x80;
		*hi = c == 0xf4 ? 0x8f : 0xbf;
		return 4;
	}
	return 0;
}

/* The length of the UTF-8 sequence at s[0..left) (1 to 4), or 0 when it
 * is not well-formed. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char lo, hi;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	n = utf8_lead(s[0], &lo, &hi);
	if (n == 0 || left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

size_t textfile_utf8_len(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t pos = 0;

	while (pos < len) {
		size_t n = utf8_seq(u + pos, len - pos);
		if (n == 0)
			break;
		pos += n;
	}
	return pos;
}
