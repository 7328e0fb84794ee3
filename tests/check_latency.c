/* check_latency.c - latency profiles: strict parsing, longest-prefix
 * matching, the waits drawn, and the shipped profile. */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_suites.h"
#include "core/datadir.h"
#include "server/latency.h"

static const char good[] = "# a comment\n"
			   "\n"
			   "/sites/   89  normal 9\r\n"
			   "\t/ip 157 uniform 20  # not a comment: see below\n";

START_TEST(test_parse_good)
{
	static const char text[] = "# a comment\n"
				   "\n"
				   "/sites/   89  normal 9\r\n"
				   "\t/ip 157 uniform 20\n"
				   "/ 0\n"
				   "/pokedex/ 215 none";
	struct latency l;
	char err[256];

	ck_assert_int_eq(latency_parse(text, strlen(text), "l.conf", &l, err,
				       sizeof err),
			 0);
	ck_assert_uint_eq(l.count, 4);
	ck_assert_str_eq(l.rules[0].prefix, "/sites/");
	ck_assert_int_eq(l.rules[0].base_ms, 89);
	ck_assert_int_eq(l.rules[0].jitter, LATENCY_JITTER_NORMAL);
	ck_assert_int_eq(l.rules[0].jitter_ms, 9);
	ck_assert_int_eq(l.rules[1].jitter, LATENCY_JITTER_UNIFORM);
	ck_assert_int_eq(l.rules[2].base_ms, 0);
	ck_assert_int_eq(l.rules[2].jitter, LATENCY_JITTER_NONE);
	ck_assert_int_eq(l.rules[3].jitter, LATENCY_JITTER_NONE);
	/* The empty profile is valid: no latency anywhere. */
	ck_assert_int_eq(latency_parse("", 0, "l.conf", &l, err, sizeof err),
			 0);
	ck_assert_uint_eq(l.count, 0);
}
END_TEST

/* Each bad text, and the start of the message it must give. */
static const char *const bad[][2] = {
	{ good, "l.conf:4: too many fields, from #" },
	{ "sites 89\n", "l.conf:1: a prefix starts with '/'" },
	{ "/a 1\n/a 2\n", "l.conf:2: duplicate prefix /a" },
	{ "/a\n", "l.conf:1: expected 'PREFIX BASE_MS [JITTER]'" },
	{ "/a x\n", "l.conf:1: base must be a whole number" },
	{ "/a -1\n", "l.conf:1: base must be a whole number" },
	{ "/a +1\n", "l.conf:1: base must be a whole number" },
	{ "/a 60001\n", "l.conf:1: base must be a whole number" },
	{ "/a 1 gauss 3\n", "l.conf:1: jitter must be none, uniform MS" },
	{ "/a 1 normal\n", "l.conf:1: missing MS after normal" },
	{ "/a 1 normal 2.5\n", "l.conf:1: jitter must be a whole number" },
	{ "/a 1 none 3\n", "l.conf:1: 'none' takes no number" },
	{ "/a\x01 1\n", "l.conf:1: control character" },
	{ "/\xc3\xa9 1\n", "l.conf:1: a prefix is printable ASCII" },
	{ "\n\n/a 1 normal 1 2\n", "l.conf:3: too many fields" },
};

START_TEST(test_parse_bad)
{
	struct latency l;
	char err[256];
	const char *text = bad[_i][0];

	ck_assert_int_eq(latency_parse(text, strlen(text), "l.conf", &l, err,
				       sizeof err),
			 -1);
	ck_assert_msg(strncmp(err, bad[_i][1], strlen(bad[_i][1])) == 0,
		      "text %d: got '%s', want '%s...'", _i, err, bad[_i][1]);
}
END_TEST

START_TEST(test_parse_limits)
{
	static char text[LATENCY_RULES_MAX * 16 + 2048];
	struct latency l;
	char err[256];
	size_t n = 0;

	ck_assert_int_eq(
		latency_parse("/a 1\0", 5, "l.conf", &l, err, sizeof err), -1);
	ck_assert_str_eq(err, "l.conf: binary data (a NUL byte): a latency "
			      "profile is a text file");
	for (int i = 0; i < LATENCY_RULES_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "/r%d 1\n", i);
	ck_assert_int_eq(latency_parse(text, n, "l.conf", &l, err, sizeof err),
			 0);
	n += (size_t)snprintf(text + n, sizeof text - n, "/one-more 1\n");
	ck_assert_int_eq(latency_parse(text, n, "l.conf", &l, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "l.conf:65: too many rules (over 64)");
	memset(text, 'a', LATENCY_LINE_MAX + 1);
	text[0] = '/';
	ck_assert_int_eq(latency_parse(text, LATENCY_LINE_MAX + 1, "l.conf", &l,
				       err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "l.conf:1: line too long (over 1024 bytes)");
}
END_TEST

START_TEST(test_match)
{
	static const char text[] = "/ 1\n/sites/ 2\n/sites/big 3\n/ip 4\n";
	struct latency l;
	char err[256];

	ck_assert_int_eq(latency_parse(text, strlen(text), "l.conf", &l, err,
				       sizeof err),
			 0);
	ck_assert_int_eq(latency_match(&l, "/sites/dice.html", 16)->base_ms, 2);
	ck_assert_int_eq(latency_match(&l, "/sites/big.html", 15)->base_ms, 3);
	ck_assert_int_eq(latency_match(&l, "/ip", 3)->base_ms, 4);
	ck_assert_int_eq(latency_match(&l, "/sites", 6)->base_ms, 1);
	/* Byte for byte: the length given is what counts. */
	ck_assert_int_eq(latency_match(&l, "/ipx", 2)->base_ms, 1);
	ck_assert_ptr_null(latency_match(&l, "x", 1));
	l.count = 0;
	ck_assert_ptr_null(latency_match(&l, "/ip", 3));
}
END_TEST

static struct latency_rule rule(int base, enum latency_jitter j, int ms)
{
	struct latency_rule r = { .prefix = "/",
				  .prefix_len = 1,
				  .base_ms = base,
				  .jitter = j,
				  .jitter_ms = ms };
	return r;
}

/* Mean and extremes of n draws, in ms. */
static void draw_stats(const struct latency_rule *r, int n, double *mean,
		       double *lo, double *hi)
{
	uint64_t rng = 42;
	double sum = 0;

	*lo = 1e18;
	*hi = -1;
	for (int i = 0; i < n; i++) {
		double ms = (double)latency_draw_ns(r, &rng) / 1e6;
		sum += ms;
		*lo = ms < *lo ? ms : *lo;
		*hi = ms > *hi ? ms : *hi;
	}
	*mean = sum / n;
}

START_TEST(test_draw)
{
	struct latency_rule r = rule(100, LATENCY_JITTER_NONE, 0);
	double mean, lo, hi;
	uint64_t rng = 1;

	ck_assert_int_eq(latency_draw_ns(NULL, &rng), 0);
	ck_assert_int_eq(latency_draw_ns(&r, &rng), 100000000);
	r = rule(100, LATENCY_JITTER_UNIFORM, 10);
	draw_stats(&r, 20000, &mean, &lo, &hi);
	ck_assert(lo >= 90.0 && hi <= 110.0);
	ck_assert(lo < 90.5 && hi > 109.5);
	ck_assert(fabs(mean - 100.0) < 0.5);
	r = rule(215, LATENCY_JITTER_NORMAL, 20);
	draw_stats(&r, 20000, &mean, &lo, &hi);
	ck_assert(lo >= 155.0 && hi <= 275.0); /* cut at 3 std devs */
	ck_assert(lo < 165.0 && hi > 265.0);
	ck_assert(fabs(mean - 215.0) < 1.0);
	/* Wider than the base: narrowed so that no wait is negative and
	 * the mean stays the base. */
	r = rule(10, LATENCY_JITTER_NORMAL, 50);
	draw_stats(&r, 20000, &mean, &lo, &hi);
	ck_assert(lo >= 0.0 && hi <= 20.0);
	ck_assert(fabs(mean - 10.0) < 0.5);
}
END_TEST

START_TEST(test_draw_repeatable)
{
	struct latency_rule r = rule(89, LATENCY_JITTER_NORMAL, 9);
	uint64_t a = 7, b = 7, c = 8;
	int same = 1, differs = 0;

	for (int i = 0; i < 100; i++) {
		int64_t x = latency_draw_ns(&r, &a);
		same &= x == latency_draw_ns(&r, &b);
		differs |= x != latency_draw_ns(&r, &c);
	}
	ck_assert(same);
	ck_assert(differs);
}
END_TEST

/* The shipped profile reproduces the seeds' sequential timings. */
START_TEST(test_shipped_profile)
{
	char path[PATH_MAX], err[512];
	struct latency l;

	snprintf(path, sizeof path, "%s/www/latency.conf", datadir_path());
	ck_assert_msg(latency_load(path, &l, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(latency_match(&l, "/sites/dice.html", 16)->base_ms,
			 89);
	ck_assert_int_eq(latency_match(&l, "/pokedex/25", 11)->base_ms, 215);
	ck_assert_int_eq(latency_match(&l, "/ip", 3)->base_ms, 157);
	ck_assert_ptr_null(latency_match(&l, "/delay/100", 10));
	ck_assert_int_eq(
		latency_load("/nonexistent/l.conf", &l, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "cannot open latency profile "
				  "'/nonexistent/l.conf'") == err,
		      "%s", err);
}
END_TEST

/* A bad profile's message points at the installed man page (the source
 * tree's headers are not installed), and quotes no raw byte of the file. */
START_TEST(test_load_error_message)
{
	char path[] = "/tmp/conviz-lat.XXXXXX", err[512];
	static const char text[] = "/ip 157\n/sites/ 89 \xff\x9b\n";
	struct latency l;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof text - 1),
			 (ssize_t)(sizeof text - 1));
	close(fd);
	ck_assert_int_eq(latency_load(path, &l, err, sizeof err), -1);
	unlink(path);
	ck_assert_msg(strstr(err, ":2: jitter must be none, uniform MS or "
				  "normal MS, not ??: fix the file (format: "
				  "see LATENCY PROFILE in conviz(1))") != NULL,
		      "%s", err);
	ck_assert_ptr_null(strstr(err, "src/"));
	for (const char *c = err; *c; c++)
		ck_assert_int_lt((unsigned char)*c, 0x80);
}
END_TEST

Suite *suite_latency(void)
{
	Suite *s = suite_create("latency");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_bad, 0,
			    (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_parse_limits);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_draw);
	tcase_add_test(tc, test_draw_repeatable);
	tcase_add_test(tc, test_shipped_profile);
	tcase_add_test(tc, test_load_error_message);
	suite_add_tcase(s, tc);
	return s;
}
