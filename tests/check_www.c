/* check_www.c - the server's pages and routes, without sockets: the
 * shipped pages, the pokedex, the computed routes, and a data directory
 * that is wrong in each way www_load must refuse. */
#include "config.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_suites.h"
#include "core/datadir.h"
#include "server/www.h"

static struct www *load_shipped(uint64_t seed)
{
	char dir[PATH_MAX], err[512];
	struct www *w;

	snprintf(dir, sizeof dir, "%s/www", datadir_path());
	w = www_load(dir, seed, err, sizeof err);
	ck_assert_msg(w != NULL, "%s", err);
	return w;
}

static void route(const struct www *w, const char *path, struct www_reply *r)
{
	www_route(w, path, strlen(path), "127.0.0.1", r);
}

/* The size of a shipped file, so the served copy can be compared. */
static long file_size(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof path, "%s/www/%s", datadir_path(), rel);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The two pages of the sites lesson have the seeds' sizes exactly. */
START_TEST(test_sites_sizes)
{
	struct www *w = load_shipped(1);
	struct www_reply r;

	ck_assert_int_eq(file_size("sites/jython.html"), 10966);
	ck_assert_int_eq(file_size("sites/dice.html"), 276);
	route(w, "/sites/jython.html", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.len, 10966);
	ck_assert_str_eq(r.type, "text/html; charset=utf-8");
	route(w, "/sites/dice.html", &r);
	ck_assert_uint_eq(r.len, 276);
	ck_assert(memcmp(r.body, "<!DOCTYPE html>", 15) == 0);
	www_free(w);
}
END_TEST

/* The <h1> of /pokedex/N, copied out. */
static void pokedex_h1(const struct www *w, int n, char *out, size_t size)
{
	char path[32];
	struct www_reply r;
	const char *a, *b;

	snprintf(path, sizeof path, "/pokedex/%d", n);
	route(w, path, &r);
	ck_assert_int_eq(r.status, 200);
	a = strstr(r.body, "<h1>");
	ck_assert_ptr_nonnull(a);
	a += 4;
	b = strstr(a, "</h1>");
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_lt((size_t)(b - a), size);
	memcpy(out, a, (size_t)(b - a));
	out[b - a] = '\0';
}

START_TEST(test_pokedex)
{
	struct www *w = load_shipped(1);
	struct www_reply r;
	char name[64];

	pokedex_h1(w, 1, name, sizeof name);
	ck_assert_str_eq(name, "Bulbasaur");
	pokedex_h1(w, 25, name, sizeof name);
	ck_assert_str_eq(name, "Pikachu");
	pokedex_h1(w, 29, name, sizeof name);
	ck_assert_str_eq(name, "Nidoran\xe2\x99\x80");
	pokedex_h1(w, 83, name, sizeof name);
	ck_assert_str_eq(name, "Farfetch&#39;d");
	pokedex_h1(w, 151, name, sizeof name);
	ck_assert_str_eq(name, "Mew");
	for (int n = 1; n <= WWW_POKEDEX_COUNT; n++)
		pokedex_h1(w, n, name, sizeof name);
	route(w, "/pokedex/0", &r);
	ck_assert_int_eq(r.status, 404);
	route(w, "/pokedex/152", &r);
	ck_assert_int_eq(r.status, 404);
	route(w, "/pokedex/025", &r);
	ck_assert_int_eq(r.status, 404);
	route(w, "/pokedex/", &r);
	ck_assert_int_eq(r.status, 404);
	www_free(w);
}
END_TEST

START_TEST(test_computed)
{
	struct www *w = load_shipped(1);
	struct www *w2 = load_shipped(1);
	struct www_reply r, r2;

	www_route(w, "/ip", 3, "10.1.2.3", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.type, "application/json");
	ck_assert_str_eq(r.body, "{\"origin\": \"10.1.2.3\"}\n");
	route(w, "/delay/250", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(r.delay_ns, 250000000);
	ck_assert_str_eq(r.body, "{\"delay_ms\": 250}\n");
	route(w, "/delay/10001", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_int_eq(r.delay_ns, 0);
	route(w, "/status/418", &r);
	ck_assert_int_eq(r.status, 418);
	ck_assert_uint_eq(r.len, 0);
	route(w, "/status/199", &r);
	ck_assert_int_eq(r.status, 400);
	route(w, "/status/600", &r);
	ck_assert_int_eq(r.status, 400);
	route(w, "/bytes/1048576", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.len, WWW_BYTES_MAX);
	route(w2, "/bytes/1048576", &r2);
	ck_assert(memcmp(r.body, r2.body, WWW_BYTES_MAX) == 0); /* seeded */
	route(w, "/bytes/1048577", &r);
	ck_assert_int_eq(r.status, 400);
	route(w, "/bytes/99999999999999999999", &r);
	ck_assert_int_eq(r.status, 400);
	route(w, "/bytes/12x", &r);
	ck_assert_int_eq(r.status, 404);
	route(w, "/delay/-1", &r);
	ck_assert_int_eq(r.status, 404);
	route(w, "/ip/", &r);
	ck_assert_int_eq(r.status, 404);
	www_free(w);
	www_free(w2);
}
END_TEST

/* Only the table and the computed routes answer: no path reaches the
 * filesystem, and files that are not pages are never served. */
START_TEST(test_only_the_table)
{
	static const char *const miss[] = {
		"/latency.conf",
		"/../latency.conf",
		"/sites/../index.html",
		"/sites/./dice.html",
		"//sites/dice.html",
		"/sites/dice.html/",
		"/SITES/DICE.HTML",
		"/etc/passwd",
		"/sites",
		"/nope/",
	};
	struct www *w = load_shipped(1);
	struct www_reply r;

	for (size_t i = 0; i < sizeof miss / sizeof miss[0]; i++) {
		route(w, miss[i], &r);
		ck_assert_msg(r.status == 404, "%s: %d", miss[i], r.status);
		ck_assert_str_eq(r.body, "404 Not Found\n");
	}
	route(w, "/", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "conviz embedded server"));
	www_route(w, "", 0, "127.0.0.1", &r);
	ck_assert_int_eq(r.status, 200);
	route(w, "/pokedex.txt", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.type, "text/plain; charset=utf-8");
	/* 151 pokedex pages and at least the four shipped files. */
	ck_assert_uint_ge(www_count(w), WWW_POKEDEX_COUNT + 4);
	www_free(w);
}
END_TEST

/* --- a data directory of our own ------------------------------------ */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* n names, one a line; `bad` replaces line bad_line if nonzero. */
static void write_pokedex(const char *dir, int n, int bad_line, const char *bad)
{
	size_t size = ((size_t)n + 1) * 48;
	char *text = calloc(1, size);
	size_t len = 0;

	ck_assert_ptr_nonnull(text);
	for (int i = 1; i <= n; i++)
		len += (size_t)snprintf(text + len, size - len, "%s\n",
					i == bad_line ? bad : "Mon");
	write_file(dir, "pokedex.txt", text);
	free(text);
}

static char *temp_dir(void)
{
	static char dir[64];

	snprintf(dir, sizeof dir, "/tmp/conviz-www.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_dir(const char *dir)
{
	ck_assert_int_eq(nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS), 0);
}

START_TEST(test_load_own_dir)
{
	char *dir = temp_dir();
	char sub[PATH_MAX], err[512];
	struct www_reply r;
	struct www *w;

	write_pokedex(dir, WWW_POKEDEX_COUNT, 7, "A<b>&\"c\"");
	write_file(dir, "a.css", "p{}");
	write_file(dir, ".hidden.html", "no");
	write_file(dir, "notes.md", "no");
	write_file(dir, "odd name.html", "no");
	snprintf(sub, sizeof sub, "%s/docs", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	write_file(sub, "index.html", "docs");
	snprintf(sub, sizeof sub, "%s/link.html", dir);
	ck_assert_int_eq(symlink("/etc/passwd", sub), 0);
	w = www_load(dir, 1, err, sizeof err);
	remove_dir(dir); /* loaded: the table lives in memory */
	ck_assert_msg(w != NULL, "%s", err);
	/* pokedex.txt, a.css, docs/index.html and the 151 pages. */
	ck_assert_uint_eq(www_count(w), WWW_POKEDEX_COUNT + 3);
	route(w, "/a.css", &r);
	ck_assert_str_eq(r.type, "text/css; charset=utf-8");
	route(w, "/docs/", &r);
	ck_assert_uint_eq(r.len, 4);
	route(w, "/link.html", &r);
	ck_assert_int_eq(r.status, 404);
	route(w, "/pokedex/7", &r);
	ck_assert_ptr_nonnull(
		strstr(r.body, "<h1>A&lt;b&gt;&amp;&quot;c&quot;</h1>"));
	www_free(w);
}
END_TEST

static const struct {
	int names, bad_line;
	const char *bad;
	const char *want; /* after "DIR/pokedex.txt:" */
} bad_pokedex[] = {
	{ 150, 0, NULL, "151: fewer than 151 names" },
	{ 152, 0, NULL, "152: more than 151 names" },
	{ 151, 3, "", "3: empty line" },
	{ 151, 4, " Mew", "4: blank around the name" },
	{ 151, 5, "Mew\r", "5: control character in the name" },
	{ 151, 6, "Abcdefghijklmnopqrstuvwxyzabcdef", "6: name too long" },
};

START_TEST(test_bad_pokedex)
{
	char *dir = temp_dir();
	char want[PATH_MAX + 128], err[512];

	struct www *w;

	write_pokedex(dir, bad_pokedex[_i].names, bad_pokedex[_i].bad_line,
		      bad_pokedex[_i].bad);
	w = www_load(dir, 1, err, sizeof err);
	remove_dir(dir);
	ck_assert_ptr_null(w);
	snprintf(want, sizeof want, "%s/pokedex.txt:%s", dir,
		 bad_pokedex[_i].want);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
		      "got '%s', want '%s...'", err, want);
}
END_TEST

START_TEST(test_missing_dir)
{
	char err[512];

	ck_assert_ptr_null(www_load("/nonexistent/www", 1, err, sizeof err));
	ck_assert_msg(strstr(err, "'/nonexistent/www'") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "CONVIZ_DATADIR") != NULL, "%s", err);
}
END_TEST

Suite *suite_www(void)
{
	Suite *s = suite_create("www");
	TCase *tc = tcase_create("shipped");

	tcase_add_test(tc, test_sites_sizes);
	tcase_add_test(tc, test_pokedex);
	tcase_add_test(tc, test_computed);
	tcase_add_test(tc, test_only_the_table);
	suite_add_tcase(s, tc);
	tc = tcase_create("load");
	tcase_add_test(tc, test_load_own_dir);
	tcase_add_loop_test(tc, test_bad_pokedex, 0,
			    (int)(sizeof bad_pokedex / sizeof bad_pokedex[0]));
	tcase_add_test(tc, test_missing_dir);
	suite_add_tcase(s, tc);
	return s;
}
