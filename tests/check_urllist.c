/* check_urllist.c - URL lists: the file format, the word list of a
 * scenario, every error with its file:line, the limits, loading files,
 * and the URLs each task is given. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_suites.h"
#include "core/urllist.h"

#define BASE "http://127.0.0.1:40123"

static int parse(const char *text, struct urllist *l, char *err, size_t len)
{
	return urllist_parse(text, strlen(text), "u.txt", l, err, len);
}

START_TEST(test_parse_good)
{
	static const char text[] =
		"\xef\xbb\xbf# URLs for the sites scenario\n"
		"\n"
		"http://example.com\r\n"
		"  \t https://example.com/a?b=c#d  \t\r\n"
		"HTTPS://Example.COM:8443/x\n"
		"   # an indented comment: caf\xc3\xa9 \x01 is fine here\n"
		"http://user@host:1/p/{n}.html\n"
		"http://[::1]:65535/\n"
		"http://[fe80::1]\n"
		"/sites/{n}/{x}}{\n"
		"/\n"
		"\t\r\n"
		"http://h?q=/x";
	static const char *const want[] = { "http://example.com",
					    "https://example.com/a?b=c#d",
					    "HTTPS://Example.COM:8443/x",
					    "http://user@host:1/p/{n}.html",
					    "http://[::1]:65535/",
					    "http://[fe80::1]",
					    "/sites/{n}/{x}}{",
					    "/",
					    "http://h?q=/x" };
	struct urllist l;
	char err[256];

	ck_assert_int_eq(parse(text, &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.count, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < l.count; i++)
		ck_assert_str_eq(l.urls[i], want[i]);
	urllist_free(&l);
	ck_assert_uint_eq(l.count, 0);
	ck_assert_ptr_null(l.urls);
	/* One URL, no final newline, text not NUL-terminated. */
	ck_assert_int_eq(
		urllist_parse("/a/b/c", 4, "u.txt", &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.count, 1);
	ck_assert_str_eq(l.urls[0], "/a/b");
	urllist_free(&l);
}
END_TEST

/* Each bad text, and the whole message it must give. */
static const char *const bad[][2] = {
	{ "/a\nfoo bar\n",
	  "u.txt:2: not a URL: 'foo bar': one URL a line, a space written "
	  "%20" },
	{ "http://a/b c", "u.txt:1: not a URL: 'http://a/b c': one URL a "
			  "line, a space written %20" },
	{ "/a\tb", "u.txt:1: not a URL: '/a?b': one URL a line, a space "
		   "written %20" },
	{ "\n\nftp://example.com/f\n",
	  "u.txt:3: unsupported scheme 'ftp': use http:// or https://" },
	{ "file:///etc/passwd",
	  "u.txt:1: unsupported scheme 'file': use http:// or https://" },
	{ "javascript:alert(1)",
	  "u.txt:1: unsupported scheme 'javascript': use http:// or "
	  "https://" },
	{ "HtTpX://a", "u.txt:1: unsupported scheme 'HtTpX': use http:// or "
		       "https://" },
	{ "example.com", "u.txt:1: not a URL: 'example.com': write "
			 "http://example.com or a path starting with /" },
	{ "localhost:8080/x",
	  "u.txt:1: not a URL: 'localhost:8080/x': write "
	  "http://localhost:8080/x or a path starting with /" },
	{ ":x", "u.txt:1: not a URL: ':x': write http://:x or a path "
		"starting with /" },
	{ "//example.com/a",
	  "u.txt:1: not a URL: '//example.com/a': write "
	  "http://example.com/a, or a path starting with a single /" },
	{ "http://", "u.txt:1: URL has no host" },
	{ "http:///x", "u.txt:1: URL has no host" },
	{ "https://?q", "u.txt:1: URL has no host" },
	{ "http://#f", "u.txt:1: URL has no host" },
	{ "http://user@/x", "u.txt:1: URL has no host" },
	{ "http://:80/", "u.txt:1: URL has no host" },
	{ "http:/x", "u.txt:1: URL has no host" },
	{ "http:example.com", "u.txt:1: URL has no host" },
	{ "http://[]:80/", "u.txt:1: URL has no host" },
	{ "http://h:0/", "u.txt:1: bad port '0': use a number from 1 to "
			 "65535" },
	{ "http://h:65536", "u.txt:1: bad port '65536': use a number from 1 "
			    "to 65535" },
	{ "http://h:0000080", "u.txt:1: bad port '0000080': use a number "
			      "from 1 to 65535" },
	{ "http://h:/", "u.txt:1: bad port '': use a number from 1 to "
			"65535" },
	{ "http://h:x1?q", "u.txt:1: bad port 'x1': use a number from 1 to "
			   "65535" },
	{ "http://h:{n}/", "u.txt:1: bad port '{n}': use a number from 1 "
			   "to 65535" },
	{ "http://h:-1/", "u.txt:1: bad port '-1': use a number from 1 to "
			  "65535" },
	{ "http://[::1/", "u.txt:1: bad host: '[' without ']'" },
	{ "http://[::1]x/", "u.txt:1: bad host: only ':PORT' may follow ']'" },
	{ "http://[::1]:0/", "u.txt:1: bad port '0': use a number from 1 to "
			     "65535" },
	{ "/a\x01z", "u.txt:1: control character in URL" },
	{ "/a\x7f", "u.txt:1: control character in URL" },
	{ "/a\rb\r\n", "u.txt:1: control character in URL" },
	{ "\n\n\n/x\x1b[31m", "u.txt:4: control character in URL" },
	{ "/caf\xc3\xa9", "u.txt:1: non-ASCII character in URL: "
			  "percent-encode it" },
	{ "\xef\xbb\xbf\xef\xbb\xbf/a", "u.txt:1: non-ASCII character in "
					"URL: percent-encode it" },
	{ "", "u.txt: no URLs (only blank lines and comments)" },
	{ "\xef\xbb\xbf", "u.txt: no URLs (only blank lines and comments)" },
	{ "# a\n\n  \n\t# b\r\n\r\n",
	  "u.txt: no URLs (only blank lines and comments)" },
};

START_TEST(test_parse_bad)
{
	struct urllist l = { 5, (char **)&l };
	char err[256];

	ck_assert_int_eq(parse(bad[_i][0], &l, err, sizeof err), -1);
	ck_assert_msg(strcmp(err, bad[_i][1]) == 0,
		      "text %d: got '%s', want '%s'", _i, err, bad[_i][1]);
	/* Left empty: nothing to free. */
	ck_assert_uint_eq(l.count, 0);
	ck_assert_ptr_null(l.urls);
}
END_TEST

START_TEST(test_parse_binary)
{
	struct urllist l;
	char err[256];

	ck_assert_int_eq(
		urllist_parse("/a\n/b\0\n", 7, "u.txt", &l, err, sizeof err),
		-1);
	ck_assert_str_eq(err, "u.txt: binary data (a NUL byte): a URL file "
			      "is a text file");
	ck_assert_ptr_null(l.urls);
	ck_assert_int_eq(urllist_parse("\0", 1, "u.txt", &l, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "u.txt: binary data (a NUL byte): a URL file "
			      "is a text file");
	/* A long file name keeps its end; a short err buffer is cut. */
	ck_assert_int_eq(urllist_parse("x", 1,
				       "/a/very/long/directory/name/that/goes/"
				       "on/and/on/and/on/until/the/file/urls",
				       &l, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "...directory/name/that/goes/on/and/on/"
			      "and/on/until/the/file/urls:1: not a URL: 'x': "
			      "write http://x or a path starting with /");
	ck_assert_int_eq(parse("ftp://x", &l, err, 8), -1);
	ck_assert_str_eq(err, "u.txt:1");
}
END_TEST

/* n lines "/NUMBER\n" into buf; returns the length. */
static size_t numbered_lines(char *buf, size_t size, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "/%d\n", i);
	return len;
}

START_TEST(test_count_limit)
{
	size_t size = (URLLIST_COUNT_MAX + 2) * 8;
	char *text = malloc(size);
	struct urllist l;
	char err[256];

	ck_assert_ptr_nonnull(text);
	size_t len = numbered_lines(text, size, URLLIST_COUNT_MAX);
	ck_assert_int_eq(urllist_parse(text, len, "u.txt", &l, err, sizeof err),
			 0);
	ck_assert_uint_eq(l.count, URLLIST_COUNT_MAX);
	ck_assert_str_eq(l.urls[0], "/0");
	ck_assert_str_eq(l.urls[URLLIST_COUNT_MAX - 1], "/9999");
	urllist_free(&l);
	len = numbered_lines(text, size, URLLIST_COUNT_MAX + 1);
	ck_assert_int_eq(urllist_parse(text, len, "u.txt", &l, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "u.txt:10001: too many URLs (over 10000)");
	ck_assert_ptr_null(l.urls);
	/* Comments and blank lines do not count; the line number does. */
	memcpy(text, "#\n\n", 3);
	len = 3 + numbered_lines(text + 3, size - 3, URLLIST_COUNT_MAX + 1);
	ck_assert_int_eq(urllist_parse(text, len, "u.txt", &l, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "u.txt:10003: too many URLs (over 10000)");
	free(text);
}
END_TEST

START_TEST(test_length_limits)
{
	static char text[URLLIST_LINE_MAX + 64];
	struct urllist l;
	char err[256];

	/* A path of exactly URLLIST_URL_MAX bytes, blanks around it. */
	memset(text, ' ', sizeof text);
	memset(text + 10, 'a', URLLIST_URL_MAX);
	text[10] = '/';
	ck_assert_int_eq(urllist_parse(text, URLLIST_LINE_MAX, "u.txt", &l, err,
				       sizeof err),
			 0);
	ck_assert_uint_eq(l.count, 1);
	ck_assert_uint_eq(strlen(l.urls[0]), URLLIST_URL_MAX);
	urllist_free(&l);
	text[10 + URLLIST_URL_MAX] = 'a';
	ck_assert_int_eq(urllist_parse(text, URLLIST_LINE_MAX, "u.txt", &l, err,
				       sizeof err),
			 -1);
	ck_assert_str_eq(err, "u.txt:1: URL too long (over 2048 bytes)");
	/* A line of URLLIST_LINE_MAX bytes is fine, one more is not, even
	 * a comment. */
	memset(text, ' ', sizeof text);
	memcpy(text, "\n\n/a\n#", 6);
	ck_assert_int_eq(urllist_parse(text, 5 + URLLIST_LINE_MAX, "u.txt", &l,
				       err, sizeof err),
			 0);
	urllist_free(&l);
	ck_assert_int_eq(urllist_parse(text, 5 + URLLIST_LINE_MAX + 1, "u.txt",
				       &l, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "u.txt:4: line too long (over 4096 bytes)");
}
END_TEST

START_TEST(test_words)
{
	struct urllist l;
	char err[256];

	ck_assert_int_eq(urllist_words("  /a\t\thttp://b/{n}   "
				       "https://c:8080 \t",
				       &l, err, sizeof err),
			 0);
	ck_assert_uint_eq(l.count, 3);
	ck_assert_str_eq(l.urls[0], "/a");
	ck_assert_str_eq(l.urls[1], "http://b/{n}");
	ck_assert_str_eq(l.urls[2], "https://c:8080");
	urllist_free(&l);
	ck_assert_int_eq(urllist_words("/one", &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.count, 1);
	urllist_free(&l);
	ck_assert_int_eq(urllist_words("", &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "no URLs (an empty list)");
	ck_assert_int_eq(urllist_words(" \t  ", &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "no URLs (an empty list)");
	ck_assert_ptr_null(l.urls);
	/* The same rules, no file:line; '#' is no comment here. */
	ck_assert_int_eq(urllist_words("/a ftp://x /b", &l, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "unsupported scheme 'ftp': use http:// or "
			      "https://");
	ck_assert_uint_eq(l.count, 0);
	ck_assert_ptr_null(l.urls);
	ck_assert_int_eq(urllist_words("/a #b", &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "not a URL: '#b': write http://#b or a path "
			      "starting with /");
	ck_assert_int_eq(urllist_words("/a\n/b", &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "control character in URL");
	ck_assert_int_eq(urllist_words("http://x:99999", &l, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "bad port '99999': use a number from 1 to "
			      "65535");
}
END_TEST

START_TEST(test_words_limits)
{
	size_t size = (URLLIST_COUNT_MAX + 2) * 8;
	char *text = malloc(size);
	struct urllist l;
	char err[256];

	ck_assert_ptr_nonnull(text);
	numbered_lines(text, size, URLLIST_COUNT_MAX);
	for (char *p = text; *p; p++)
		*p = *p == '\n' ? ' ' : *p;
	ck_assert_int_eq(urllist_words(text, &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.count, URLLIST_COUNT_MAX);
	urllist_free(&l);
	memcpy(text + strlen(text), "/x", 3);
	ck_assert_int_eq(urllist_words(text, &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "too many URLs (over 10000)");
	memset(text, 'a', URLLIST_URL_MAX);
	memcpy(text, "http://", 7);
	text[URLLIST_URL_MAX] = '\0';
	ck_assert_int_eq(urllist_words(text, &l, err, sizeof err), 0);
	ck_assert_uint_eq(strlen(l.urls[0]), URLLIST_URL_MAX);
	urllist_free(&l);
	memcpy(text + URLLIST_URL_MAX, "a", 2);
	ck_assert_int_eq(urllist_words(text, &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "URL too long (over 2048 bytes)");
	free(text);
}
END_TEST

START_TEST(test_expand)
{
	char out[64];

	ck_assert_int_eq(
		urllist_expand("/p/{n}/{n}x{n}", 42, BASE, out, sizeof out), 0);
	ck_assert_str_eq(out, BASE "/p/42/42x42");
	ck_assert_int_eq(
		urllist_expand("http://h/{n}", 7, NULL, out, sizeof out), 0);
	ck_assert_str_eq(out, "http://h/7");
	ck_assert_int_eq(
		urllist_expand("https://h:8/a?b#c", 7, BASE, out, sizeof out),
		0);
	ck_assert_str_eq(out, "https://h:8/a?b#c");
	ck_assert_int_eq(urllist_expand("/{n", -3, "", out, sizeof out), 0);
	ck_assert_str_eq(out, "/{n");
	ck_assert_int_eq(
		urllist_expand("/{{n}}{n}{N}", -3, "", out, sizeof out), 0);
	ck_assert_str_eq(out, "/{-3}-3{N}");
	ck_assert_int_eq(urllist_expand("/", 0, BASE, out, sizeof out), 0);
	ck_assert_str_eq(out, BASE "/");
	/* A path needs the server's base. */
	ck_assert_int_eq(urllist_expand("/a", 1, NULL, out, sizeof out), -1);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_expand_fit)
{
	char out[32];

	/* "http://h/1234" is 13 bytes: 14 with its NUL fit, 13 do not. */
	memset(out, 'x', sizeof out);
	ck_assert_int_eq(urllist_expand("http://h/{n}", 1234, NULL, out, 14),
			 0);
	ck_assert_str_eq(out, "http://h/1234");
	memset(out, 'x', sizeof out);
	ck_assert_int_eq(urllist_expand("http://h/{n}", 1234, NULL, out, 13),
			 -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(out[13], 'x');
	memset(out, 'x', sizeof out);
	ck_assert_int_eq(urllist_expand("/a", 1, "http://b", out, 11), 0);
	ck_assert_str_eq(out, "http://b/a");
	memset(out, 'x', sizeof out);
	ck_assert_int_eq(urllist_expand("/a", 1, "http://b", out, 10), -1);
	ck_assert_int_eq(out[10], 'x');
	ck_assert_int_eq(urllist_expand("", 1, NULL, out, 1), 0);
	ck_assert_str_eq(out, "");
	out[0] = 'x';
	ck_assert_int_eq(urllist_expand("", 1, NULL, out, 0), -1);
	ck_assert_int_eq(out[0], 'x');
}
END_TEST

/* A file under /tmp holding len bytes of text; its path in path. */
static void temp_file(char *path, size_t size, const char *text, size_t len)
{
	snprintf(path, size, "/tmp/conviz-urls.XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

/* Loads a temp file with `text`; returns urllist_load's answer. */
static int load_text(const char *text, size_t len, struct urllist *l, char *err,
		     size_t errlen, char *path, size_t pathlen)
{
	temp_file(path, pathlen, text, len);
	int rc = urllist_load(path, l, err, errlen);
	unlink(path);
	return rc;
}

START_TEST(test_load)
{
	static const char good[] = "# sites\nhttp://a/{n}\r\n/b\n";
	char path[64], want[512], err[512];
	struct urllist l;

	ck_assert_int_eq(load_text(good, strlen(good), &l, err, sizeof err,
				   path, sizeof path),
			 0);
	ck_assert_uint_eq(l.count, 2);
	ck_assert_str_eq(l.urls[0], "http://a/{n}");
	ck_assert_str_eq(l.urls[1], "/b");
	urllist_free(&l);
	ck_assert_int_eq(load_text("/a\nftp://x\n", 11, &l, err, sizeof err,
				   path, sizeof path),
			 -1);
	snprintf(want, sizeof want,
		 "%s:2: unsupported scheme 'ftp': use http:// or https://: "
		 "fix that line",
		 path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(l.urls);
	ck_assert_int_eq(
		load_text("#\n", 2, &l, err, sizeof err, path, sizeof path),
		-1);
	snprintf(want, sizeof want,
		 "%s: no URLs (only blank lines and comments): put one URL "
		 "a line",
		 path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(
		load_text("/a\0", 3, &l, err, sizeof err, path, sizeof path),
		-1);
	snprintf(want, sizeof want,
		 "%s: binary data (a NUL byte): a URL file is a text file",
		 path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_load_size)
{
	char *text = malloc(URLLIST_FILE_MAX + 1);
	char path[64], want[512], err[512];
	struct urllist l;

	ck_assert_ptr_nonnull(text);
	memset(text, '\n', URLLIST_FILE_MAX + 1);
	memcpy(text + URLLIST_FILE_MAX - 3, "/z\n", 3);
	ck_assert_int_eq(load_text(text, URLLIST_FILE_MAX, &l, err, sizeof err,
				   path, sizeof path),
			 0);
	ck_assert_uint_eq(l.count, 1);
	ck_assert_str_eq(l.urls[0], "/z");
	urllist_free(&l);
	ck_assert_int_eq(load_text(text, URLLIST_FILE_MAX + 1, &l, err,
				   sizeof err, path, sizeof path),
			 -1);
	snprintf(want, sizeof want,
		 "URL file '%s' is too large (over 1 MiB): give at most "
		 "10000 URLs, one a line",
		 path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(l.urls);
	free(text);
	/* Endless: stops at the cap. */
	ck_assert_int_eq(urllist_load("/dev/zero", &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "URL file '/dev/zero' is too large (over 1 MiB): "
			      "give at most 10000 URLs, one a line");
	ck_assert_ptr_null(l.urls);
}
END_TEST

START_TEST(test_load_bad_path)
{
	char err[512];
	struct urllist l;

	ck_assert_int_eq(urllist_load("/nonexistent/conviz/urls.txt", &l, err,
				      sizeof err),
			 -1);
	ck_assert_str_eq(err, "cannot open URL file "
			      "'/nonexistent/conviz/urls.txt' (No such file "
			      "or directory): check the path");
	ck_assert_uint_eq(l.count, 0);
	ck_assert_ptr_null(l.urls);
	ck_assert_int_eq(urllist_load("/tmp", &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "URL file '/tmp' is a directory: give a text "
			      "file with one URL a line");
	ck_assert_ptr_null(l.urls);
	ck_assert_int_eq(urllist_load("/tmp/", &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "URL file '/tmp/' is a directory: give a text "
			      "file with one URL a line");
	/* The message is one clean line whatever the path holds. */
	ck_assert_int_eq(
		urllist_load("/nonexistent/a\nb\x1b", &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "cannot open URL file '/nonexistent/a?b?' (No "
			      "such file or directory): check the path");
}
END_TEST

/* A FIFO nobody writes to reads as empty, at once. */
START_TEST(test_load_fifo)
{
	char dir[64], path[96], want[512], err[512];
	struct urllist l;

	snprintf(dir, sizeof dir, "/tmp/conviz-urls.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	int rc = urllist_load(path, &l, err, sizeof err);
	unlink(path);
	rmdir(dir);
	ck_assert_int_eq(rc, -1);
	snprintf(want, sizeof want,
		 "%s: no URLs (only blank lines and comments): put one URL "
		 "a line",
		 path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(l.urls);
}
END_TEST

START_TEST(test_needs_server)
{
	struct urllist l = { 0, NULL };
	char err[256];

	ck_assert_int_eq(urllist_needs_server(NULL), 0);
	ck_assert_int_eq(urllist_needs_server(&l), 0);
	ck_assert_int_eq(
		urllist_words("http://a/ https://b/x", &l, err, sizeof err), 0);
	ck_assert_int_eq(urllist_needs_server(&l), 0);
	urllist_free(&l);
	ck_assert_int_eq(urllist_words("http://a/ /b", &l, err, sizeof err), 0);
	ck_assert_int_eq(urllist_needs_server(&l), 1);
	urllist_free(&l);
	/* Twice, and NULL, are fine. */
	urllist_free(&l);
	urllist_free(NULL);
	ck_assert_int_eq(urllist_needs_server(&l), 0);
}
END_TEST

Suite *suite_urllist(void)
{
	Suite *s = suite_create("urllist");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_bad, 0,
			    (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_parse_binary);
	tcase_add_test(tc, test_count_limit);
	tcase_add_test(tc, test_length_limits);
	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_words_limits);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_expand_fit);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_load_size);
	tcase_add_test(tc, test_load_bad_path);
	tcase_add_test(tc, test_load_fifo);
	tcase_add_test(tc, test_needs_server);
	suite_add_tcase(s, tc);
	return s;
}
