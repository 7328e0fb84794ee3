/* explain.c - reading the lesson cards (explain.h). */
#include "config.h"

#include "app/explain.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/datadir.h"
#include "core/msg.h"
#include "core/textfile.h"

static const struct textfile_kind explain_file = {
	.what = "lesson card",
	.max = 16 * 1024,
	.max_text = "16 KiB",
	.dir_hint = "give a text file",
	.large_hint = "keep a card under 16 KiB",
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Appends `n` bytes of s to dst (holding *len bytes of `size`, NUL
 * included once it holds any), after `sep` when sep is not NUL: a NUL
 * sep keeps what is there as a string of its own. -1 when it does not
 * fit. */
static int append(char *dst, size_t size, size_t *len, int sep, const char *s,
		  size_t n)
{
	size_t at = *len > 0 ? *len - 1 : 0; /* on the last NUL */

	if (*len > 0 && sep == '\0')
		at = *len; /* after it: a new string */
	if (at + (*len > 0 && sep != '\0') + n + 1 > size)
		return -1;
	if (*len > 0 && sep != '\0')
		dst[at++] = (char)sep;
	memcpy(dst + at, s, n);
	dst[at + n] = '\0';
	*len = at + n + 1;
	return 0;
}

/* The line at text[*pos], without its newline and the blanks around it;
 * *pos moves past it. */
static const char *next_line(const char *text, size_t len, size_t *pos,
			     size_t *n)
{
	const char *s = text + *pos;
	const char *nl = memchr(s, '\n', len - *pos);
	size_t k = nl ? (size_t)(nl - s) : len - *pos;

	*pos += k + (nl != NULL);
	while (k > 0 && is_blank(*s)) {
		s++;
		k--;
	}
	while (k > 0 && is_blank(s[k - 1]))
		k--;
	*n = k;
	return s;
}

static int fail(char *err, size_t errlen, const char *file, const char *what)
{
	msg_fmt(err, errlen, "%s: %s", file, what);
	return -1;
}

int explain_parse(const char *text, size_t len, const char *file,
		  struct explain_part *out, char *err, size_t errlen)
{
	size_t pos = 0, n, blen = 0, hlen = 0;
	int gap = 0; /* a blank line since the last text: a new paragraph */
	const char *s;

	memset(out, 0, sizeof *out);
	if (textfile_utf8_len(text, len) != len || memchr(text, '\0', len))
		return fail(err, errlen, file, "not UTF-8 text");
	while (pos < len && hlen == 0) {
		s = next_line(text, len, &pos, &n);
		if (n && append(out->heading, sizeof out->heading, &hlen, ' ',
				s, n) < 0)
			return fail(err, errlen, file,
				    "the heading is too long (one short line)");
	}
	if (hlen == 0)
		return fail(err, errlen, file, "empty card (no heading)");
	while (pos < len) {
		s = next_line(text, len, &pos, &n);
		if (n == 0) {
			gap = 1;
			continue;
		}
		if (append(out->body, sizeof out->body, &blen,
			   gap || !out->npar ? '\0' : ' ', s, n) < 0)
			return fail(err, errlen, file,
				    "the text is too long for the panel (at "
				    "most 4 KiB)");
		out->npar += gap || !out->npar;
		gap = 0;
	}
	return 0;
}

const char *explain_par(const struct explain_part *p, int i)
{
	const char *s = p->body;

	while (i-- > 0)
		s += strlen(s) + 1;
	return s;
}

/* Reads data/explain/NAME.txt into out. 0; 1 if there is no such file;
 * -1 with a message in err. */
static int explain_read(const char *name, struct explain_part *out, char *err,
			size_t errlen)
{
	char path[PATH_MAX], *text;
	size_t len;
	struct stat st;
	int rc;

	msg_fmt(path, sizeof path, "%s/explain/%s.txt", datadir_path(), name);
	if (stat(path, &st) < 0 && errno == ENOENT)
		return 1;
	if (textfile_read(path, &explain_file, &text, &len, err, errlen) < 0)
		return -1;
	rc = explain_parse(text, len, path, out, err, errlen);
	free(text);
	return rc;
}

int explain_load(const char *scenario, const char *model, int gil,
		 struct explain *out, char *err, size_t errlen)
{
	char name[160];
	int rc;

	memset(out, 0, sizeof *out);
	rc = explain_read(scenario, &out->scenario, err, errlen);
	if (rc > 0)
		msg_fmt(err, errlen,
			"no lesson card for '%s': add %s/explain/%s.txt",
			scenario, datadir_path(), scenario);
	if (rc != 0)
		return -1;
	msg_fmt(name, sizeof name, "%s.%s%s", scenario, model,
		strcmp(model, "threads") == 0 && !gil ? "-nogil" : "");
	rc = explain_read(name, &out->model, err, errlen);
	if (rc > 0)
		memset(&out->model, 0, sizeof out->model);
	return rc < 0 ? -1 : 0;
}
