/* www.c - the embedded server's pages, loaded once, and its routes (see
 * www.h). The table is a sorted array searched by binary search: 151
 * pokedex pages and a handful of files need nothing cleverer. */
#include "config.h"

#include "server/www.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/msg.h"
#include "server/http.h"
#include "server/latency.h"

/* The longest path a lookup builds ("/DIR/" + "index.html"). */
#define PATH_LOOKUP_MAX 4096
/* pokedex.txt: 151 short names fit in far less. */
#define POKEDEX_FILE_MAX (64 * 1024)
#define POKEDEX_NAME_MAX 31
#define POKEDEX_PAGE_MAX 1024

#define TYPE_HTML "text/html; charset=utf-8"
#define TYPE_TEXT "text/plain; charset=utf-8"
#define TYPE_JSON "application/json"

struct page {
	char *path; /* "/sites/dice.html", NUL-terminated */
	size_t path_len;
	const char *type;
	char *body;
	size_t len;
};

struct www {
	struct page *pages;
	size_t count, cap;
	size_t total;	       /* bytes of all bodies */
	unsigned char *random; /* WWW_BYTES_MAX bytes for /bytes/N */
	char names[WWW_POKEDEX_COUNT][POKEDEX_NAME_MAX + 1]; /* pokedex.txt */
};

struct loader {
	struct www *w;
	const char *root;
	char *err;
	size_t errlen;
};

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".html", TYPE_HTML },
	{ ".htm", TYPE_HTML },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".json", TYPE_JSON },
	{ ".txt", TYPE_TEXT },
	{ ".svg", "image/svg+xml" },
	{ ".xml", "application/xml" },
};

/* The Content-Type of a served file name, or NULL: not served. */
static const char *type_of(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		size_t e = strlen(types[i].ext);
		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* [A-Za-z0-9._-], not starting with '.': this also leaves out "." and
 * "..", hidden files and editors' backups. */
static int valid_component(const char *s)
{
	if (s[0] == '\0' || s[0] == '.')
		return 0;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int fail(struct loader *ld, const char *what, const char *path,
		const char *todo)
{
	struct msg_quote q;

	msg_fmt(ld->err, ld->errlen, "%s '%s': %s", what, msg_quote(path, &q),
		todo);
	return -1;
}

/* Takes ownership of path and body. */
static int add_page(struct loader *ld, char *path, const char *type, char *body,
		    size_t len)
{
	struct www *w = ld->w;

	if (w->count == WWW_PAGES_MAX || len > WWW_TOTAL_MAX - w->total) {
		fail(ld, "too many or too large pages at", path,
		     "keep data/www small (4096 pages, 64 MiB)");
		free(path);
		free(body);
		return -1;
	}
	if (w->count == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->pages = xrealloc(w->pages, w->cap * sizeof *w->pages);
	}
	w->pages[w->count++] = (struct page){ .path = path,
					      .path_len = strlen(path),
					      .type = type,
					      .body = body,
					      .len = len };
	w->total += len;
	return 0;
}

/* Reads a whole file of at most `max` bytes into a new buffer. */
static int read_file(struct loader *ld, const char *path, size_t max,
		     char **body, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return fail(ld, strerror(errno), path,
			    "check data/www or set CONVIZ_DATADIR");
	char *buf = xmalloc(max + 1);
	size_t n = fread(buf, 1, max + 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || n > max) {
		free(buf);
		return fail(ld, bad ? "cannot read" : "file too large", path,
			    "keep data/www small (4 MiB a page)");
	}
	*body = buf;
	*len = n;
	return 0;
}

static int load_file(struct loader *ld, const char *rel, const char *type)
{
	char path[PATH_MAX];
	char *body;
	size_t len;

	msg_fmt(path, sizeof path, "%s%s", ld->root, rel);
	if (read_file(ld, path, WWW_FILE_MAX, &body, &len) < 0)
		return -1;
	return add_page(ld, xstrdup(rel), type, body, len);
}

static int walk(struct loader *ld, const char *rel, int depth);

/* One directory entry: a served file, a directory to walk, or nothing. */
static int visit(struct loader *ld, const char *rel, const char *name,
		 int depth)
{
	char sub[PATH_MAX], path[PATH_MAX];
	struct stat st;

	if (!valid_component(name) ||
	    strlen(ld->root) + strlen(rel) + strlen(name) + 2 >= PATH_MAX)
		return 0;
	msg_fmt(sub, sizeof sub, "%s/%s", rel, name);
	msg_fmt(path, sizeof path, "%s%s", ld->root, sub);
	/* lstat: a symbolic link is not followed out of data/www. */
	if (lstat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return depth < WWW_DEPTH_MAX ? walk(ld, sub, depth + 1) : 0;
	if (S_ISREG(st.st_mode) && type_of(name) != NULL)
		return load_file(ld, sub, type_of(name));
	return 0;
}

/* Loads the served files under root/rel (rel "" or "/DIR"). */
static int walk(struct loader *ld, const char *rel, int depth)
{
	char path[PATH_MAX];
	int rc = 0;

	msg_fmt(path, sizeof path, "%s%s", ld->root, rel);
	DIR *d = opendir(path);
	if (!d)
		return fail(ld, strerror(errno), path,
			    "check the directory or set CONVIZ_DATADIR");
	while (rc == 0) {
		const struct dirent *de = readdir(d);
		if (!de)
			break;
		rc = visit(ld, rel, de->d_name, depth);
	}
	closedir(d);
	return rc;
}

/* --- the pokedex -------------------------------------------------------- */

/* name with & < > " ' escaped for HTML, into out (room for 6 bytes per
 * byte of name). */
static void html_escape(const char *name, char *out)
{
	for (; *name; name++) {
		const char *e = NULL;
		switch (*name) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&#39;";
			break;
		default:
			*out++ = *name;
			continue;
		}
		size_t n = strlen(e);
		memcpy(out, e, n);
		out += n;
	}
	*out = '\0';
}

static int add_pokemon(struct loader *ld, int num, const char *name)
{
	char esc[POKEDEX_NAME_MAX * 6 + 1];
	char path[32];
	char *body = xmalloc(POKEDEX_PAGE_MAX);

	msg_fmt(ld->w->names[num - 1], sizeof ld->w->names[num - 1], "%s",
		name);
	html_escape(name, esc);
	msg_fmt(path, sizeof path, "/pokedex/%d", num);
	msg_fmt(body, POKEDEX_PAGE_MAX,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n"
		"<title>#%d %s - the conviz pokedex</title>\n</head>\n"
		"<body>\n<main>\n<h1>%s</h1>\n"
		"<p>Number %d of %d in the offline pokedex of conviz.</p>\n"
		"<p><a href=\"/pokedex/%d\">previous</a> | "
		"<a href=\"/pokedex/%d\">next</a></p>\n"
		"</main>\n</body>\n</html>\n",
		num, esc, esc, num, WWW_POKEDEX_COUNT,
		num > 1 ? num - 1 : WWW_POKEDEX_COUNT,
		num < WWW_POKEDEX_COUNT ? num + 1 : 1);
	return add_page(ld, xstrdup(path), TYPE_HTML, body, strlen(body));
}

/* One name: 1..31 bytes, no control character, no blank at either end. */
static const char *bad_name(const char *s, size_t n)
{
	if (n == 0)
		return "empty line: one name per line";
	if (n > POKEDEX_NAME_MAX)
		return "name too long (over 31 bytes)";
	if (s[0] == ' ' || s[n - 1] == ' ')
		return "blank around the name";
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "control character in the name";
	}
	return NULL;
}

static int pokedex_fail(struct loader *ld, const char *file, int line,
			const char *what)
{
	struct msg_quote q;

	msg_fmt(ld->err, ld->errlen, "%s:%d: %s: fix the file",
		msg_quote(file, &q), line, what);
	return -1;
}

/* pokedex.txt: exactly WWW_POKEDEX_COUNT names, one a line; the last
 * newline is optional. */
static int parse_pokedex(struct loader *ld, const char *file, const char *text,
			 size_t len)
{
	char name[POKEDEX_NAME_MAX + 1];
	size_t pos = 0;
	int num = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *why = bad_name(text + pos, n);
		if (why == NULL && num == WWW_POKEDEX_COUNT)
			why = "more than 151 names";
		if (why != NULL)
			return pokedex_fail(ld, file, num + 1, why);
		memcpy(name, text + pos, n);
		name[n] = '\0';
		if (add_pokemon(ld, ++num, name) < 0)
			return -1;
		pos += n + (nl ? 1 : 0);
	}
	if (num != WWW_POKEDEX_COUNT)
		return pokedex_fail(ld, file, num + 1,
				    "fewer than 151 names, one a line");
	return 0;
}

static int load_pokedex(struct loader *ld)
{
	char path[PATH_MAX];
	char *text;
	size_t len;

	msg_fmt(path, sizeof path, "%s/pokedex.txt", ld->root);
	if (read_file(ld, path, POKEDEX_FILE_MAX, &text, &len) < 0)
		return -1;
	int rc = memchr(text, '\0', len)
			 ? pokedex_fail(ld, path, 1, "a NUL byte in a name")
			 : parse_pokedex(ld, path, text, len);
	free(text);
	return rc;
}

/* --- the table ---------------------------------------------------------- */

static int cmp_key(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int cmp_pages(const void *a, const void *b)
{
	const struct page *x = a, *y = b;

	return cmp_key(x->path, x->path_len, y->path, y->path_len);
}

static const struct page *find(const struct www *w, const char *path,
			       size_t len)
{
	size_t lo = 0, hi = w->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct page *p = &w->pages[mid];
		int c = cmp_key(path, len, p->path, p->path_len);
		if (c == 0)
			return p;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void fill_random(struct www *w, uint64_t seed)
{
	uint64_t state = seed ^ 0x6279746573u; /* not the latency stream */

	w->random = xmalloc(WWW_BYTES_MAX);
	for (size_t i = 0; i < WWW_BYTES_MAX; i += 8) {
		uint64_t r = latency_rng_next(&state);
		memcpy(w->random + i, &r, 8);
	}
}

struct www *www_load(const char *dir, uint64_t seed, char *err, size_t errlen)
{
	struct www *w = xcalloc(1, sizeof *w);
	struct loader ld = {
		.w = w, .root = dir, .err = err, .errlen = errlen
	};

	if (strlen(dir) + 64 >= PATH_MAX) {
		fail(&ld, "path too long", dir, "use a shorter data directory");
		www_free(w);
		return NULL;
	}
	if (walk(&ld, "", 0) < 0 || load_pokedex(&ld) < 0) {
		www_free(w);
		return NULL;
	}
	qsort(w->pages, w->count, sizeof *w->pages, cmp_pages);
	fill_random(w, seed);
	return w;
}

void www_free(struct www *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->count; i++) {
		free(w->pages[i].path);
		free(w->pages[i].body);
	}
	free(w->pages);
	free(w->random);
	free(w);
}

size_t www_count(const struct www *w)
{
	return w->count;
}

const char *www_page(const struct www *w, size_t i, size_t *len)
{
	if (i >= w->count)
		return NULL;
	*len = w->pages[i].len;
	return w->pages[i].path;
}

/* --- routes ------------------------------------------------------------- */

/* A route's number: 1*DIGIT without a leading zero. 0 and *out; -1 not
 * a number (the route does not match: 404); -2 above max (400). */
static int route_number(const char *p, size_t len, long max, long *out)
{
	long v = 0;

	if (len == 0 || (len > 1 && p[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
	}
	for (size_t i = 0; i < len; i++) {
		v = v * 10 + (p[i] - '0');
		if (v > max)
			return -2;
	}
	*out = v;
	return 0;
}

void www_error(int status, struct www_reply *out)
{
	out->status = status;
	out->type = TYPE_TEXT;
	out->delay_ns = 0;
	msg_fmt(out->text, sizeof out->text, "%d %s\n", status,
		http_reason(status));
	out->body = out->text;
	out->len = strlen(out->text);
}

static void reply_text(struct www_reply *out, int status, const char *type)
{
	out->status = status;
	out->type = type;
	out->body = out->text;
	out->len = strlen(out->text);
}

/* /delay/MS, /status/CODE, /bytes/N: `arg` is what follows the prefix. */
static int route_number_arg(const struct www *w, int which, const char *arg,
			    size_t len, struct www_reply *out)
{
	static const long max[] = { WWW_DELAY_MAX_MS, 599, WWW_BYTES_MAX };
	long v;
	int rc = route_number(arg, len, max[which], &v);

	if (rc == -1)
		return -1;
	if (rc == -2 || (which == 1 && v < 200)) {
		www_error(400, out);
		return 0;
	}
	if (which == 0) {
		msg_fmt(out->text, sizeof out->text, "{\"delay_ms\": %ld}\n",
			v);
		reply_text(out, 200, TYPE_JSON);
		out->delay_ns = (int64_t)v * 1000000;
	} else if (which == 1) {
		out->text[0] = '\0';
		reply_text(out, (int)v, NULL);
	} else {
		out->status = 200;
		out->type = "application/octet-stream";
		out->body = (const char *)w->random;
		out->len = (size_t)v;
	}
	return 0;
}

/* The computed routes; -1 if none matches. */
static int route_computed(const struct www *w, const char *path, size_t len,
			  const char *peer, struct www_reply *out)
{
	static const char *const prefixes[] = { "/delay/", "/status/",
						"/bytes/" };

	if (len == 3 && memcmp(path, "/ip", 3) == 0) {
		struct msg_quote q;
		msg_fmt(out->text, sizeof out->text, "{\"origin\": \"%s\"}\n",
			msg_quote(peer, &q));
		reply_text(out, 200, TYPE_JSON);
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(prefixes[i]);
		if (len > n && memcmp(path, prefixes[i], n) == 0)
			return route_number_arg(w, i, path + n, len - n, out);
	}
	return -1;
}

void www_route(const struct www *w, const char *path, size_t len,
	       const char *peer, struct www_reply *out)
{
	char index[PATH_LOOKUP_MAX];
	const struct page *p;

	out->delay_ns = 0;
	if (len == 0) {
		path = "/";
		len = 1;
	}
	if (path[len - 1] == '/' && len + 11 <= sizeof index) {
		memcpy(index, path, len);
		memcpy(index + len, "index.html", 11);
		path = index;
		len += 10;
	}
	p = find(w, path, len);
	if (p) {
		out->status = 200;
		out->type = p->type;
		out->body = p->body;
		out->len = p->len;
		return;
	}
	if (route_computed(w, path, len, peer, out) < 0)
		www_error(404, out);
}

const char *www_pokemon(const struct www *w, long n)
{
	if (n < 1 || n > WWW_POKEDEX_COUNT)
		return NULL;
	return w->names[n - 1];
}
