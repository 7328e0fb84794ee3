/* check_scenario.c - strict scenario parsing and the shipped scenarios. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_suites.h"
#include "app/app.h"
#include "app/cli.h"
#include "app/run.h"
#include "app/scenario.h"
#include "models/model.h"
#include "work/work.h"

static const char good[] = "# a comment\n"
			   "name = demo\n"
			   "  title =  A demo, with spaces  \r\n"
			   "\n"
			   "workload = primes\n"
			   "tasks = 15000\n"
			   "arg = 1000\n"
			   "workers = default\n"
			   "scale = 2.5\n"
			   "lesson = Tiny tasks drown in overhead.";

START_TEST(test_parse_good)
{
	struct scenario sc;
	char err[256];

	ck_assert_int_eq(scenario_parse(good, strlen(good), "demo.scn", &sc,
					err, sizeof err),
			 0);
	ck_assert_str_eq(sc.name, "demo");
	ck_assert_str_eq(sc.title, "A demo, with spaces");
	ck_assert_str_eq(sc.workload, "primes");
	ck_assert_int_eq(sc.tasks, 15000);
	ck_assert_int_eq(sc.arg, 1000);
	ck_assert_int_eq(sc.workers, 0);
	ck_assert_double_eq(sc.scale, 2.5);
	ck_assert_str_eq(sc.lesson, "Tiny tasks drown in overhead.");
}
END_TEST

/* Each bad text, and the start of the message it must give. */
static const char *const bad[][2] = {
	{ "", "f.scn: empty scenario" },
	{ "# only a comment\n\n", "f.scn: empty scenario" },
	{ "name = x\n", "f.scn: missing key title" },
	{ "name = x\ntitle = t\nworkload = fib\ntasks = 2\n",
	  "f.scn: missing key arg" },
	{ "name = x\nname = y\n", "f.scn:2: duplicate key name" },
#define REP "name = x\ntitle = t\nworkload = fib\ntasks = 2\narg = 3\n"
	{ REP "reported = sync 1.5\n",
	  "f.scn:6: reported needs reported_by (where the figures come from)" },
	{ REP "reported_by = me\n", "f.scn:6: reported_by needs reported" },
	{ REP "reported = sync\nreported_by = me\n",
	  "f.scn:6: reported must be 'MODEL SECONDS, ...'" },
	{ REP "reported = sync 1 2\nreported_by = me\n",
	  "f.scn:6: reported must be 'MODEL SECONDS, ...'" },
	{ REP "reported = gevent 1\nreported_by = me\n",
	  "f.scn:6: reported names sync, threads, async or procs, not gevent" },
	{ REP "reported = sync 1, sync 2\nreported_by = me\n",
	  "f.scn:6: reported names a model twice: sync" },
	{ REP "reported = sync 0\nreported_by = me\n",
	  "f.scn:6: reported seconds must be a number above 0" },
	{ REP "reported = sync nan\nreported_by = me\n",
	  "f.scn:6: reported seconds must be a number above 0" },
	{ REP "reported = sync -1\nreported_by = me\n",
	  "f.scn:6: reported seconds must be a number above 0" },
	{ REP "reported = ,,\nreported_by = me\n",
	  "f.scn:6: reported must be 'MODEL SECONDS, ...'" },
	{ REP "reported = sync 1\nreported_by =\n", "f.scn:7: empty value" },
#undef REP
	{ "name = x\ncolour = red\n", "f.scn:2: unknown key colour" },
	{ "name = X!\n", "f.scn:1: name must be" },
	{ "tasks = 0\n", "f.scn:1: tasks must be a whole number" },
	{ "tasks = 2000000\n", "f.scn:1: tasks must be a whole number" },
	{ "tasks = 12abc\n", "f.scn:1: tasks must be a whole number" },
	{ "workers = 0\n", "f.scn:1: workers must be" },
	{ "scale = 0\n", "f.scn:1: scale must be" },
	{ "scale = nan\n", "f.scn:1: scale must be" },
	{ "arg = -1\n", "f.scn:1: arg must be a whole number" },
	{ "workload = bogosort\n", "f.scn:1: unknown workload bogosort" },
	{ "title =\n", "f.scn:1: empty value" },
	{ "title = a\tb\n", "f.scn:1: control character" },
	{ "just words\n", "f.scn:1: expected 'key = value'" },
	{ "= 5\n", "f.scn:1: unknown key ''" },
	{ "name = x\ntitle = t\nworkload = fib\ntasks = 2\narg = 99\n",
	  "f.scn:5: arg out of range: use 1..45 for workload fib" },
	{ "name = x\ntitle = t\nworkload = primes\ntasks = 20\n"
	  "arg = 9999990\n",
	  "f.scn:5: arg + tasks - 1 out of range" },
	{ "name = x\ntitle = t\nworkload = http\ntasks = 2\n",
	  "f.scn: missing key urls (an I/O workload GETs them)" },
	{ "name = x\ntitle = t\nworkload = fib\ntasks = 2\narg = 3\n"
	  "urls = /a\n",
	  "f.scn:6: urls is for I/O workloads only, not fib" },
	{ "name = x\ntitle = t\nworkload = fib\ntasks = 2\narg = 3\n"
	  "blocking = yes\n",
	  "f.scn:6: blocking is for I/O workloads only, not fib" },
	{ "name = x\ntitle = t\nworkload = http\ntasks = 2\nurls = /a\n"
	  "blocking = maybe\n",
	  "f.scn:6: blocking must be yes or no, not maybe" },
	{ "name = x\ntitle = t\nworkload = http\ntasks = 2\nscale = 2\n"
	  "urls = /a\n",
	  "f.scn:5: scale multiplies CPU work, and 'x' is I/O-bound" },
	{ "scale = 1\nname = io\ntitle = t\nworkload = pokemon\n"
	  "tasks = 2\nurls = /a\n",
	  "f.scn:1: scale multiplies CPU work, and 'io' is I/O-bound" },
	{ "urls = /a ftp://b\n",
	  "f.scn:1: bad urls: unsupported scheme 'ftp': use http:// or "
	  "https://" },
	{ "urls = example.com\n", "f.scn:1: bad urls: not a URL" },
	/* gap: race workloads only, a number of steps in range. */
	{ "name = x\ntitle = t\nworkload = fib\ntasks = 2\narg = 3\n"
	  "gap = 10\n",
	  "f.scn:6: gap is for the race workloads only, not fib" },
	{ "gap = -1\n", "f.scn:1: gap must be a whole number of steps" },
	{ "gap = 1000001\n", "f.scn:1: gap must be a whole number of steps" },
	{ "gap = many\n", "f.scn:1: gap must be a whole number of steps" },
	/* hog: its form, its workload, its numbers. */
	{ "hog = fib\n", "f.scn:1: hog must be 'WORKLOAD ARG' or" },
	{ "hog = fib 30 on 2\n", "f.scn:1: hog must be 'WORKLOAD ARG' or" },
	{ "hog = fib 30 at 2 more\n", "f.scn:1: hog must be 'WORKLOAD ARG'" },
	{ "hog = bogo 30\n", "f.scn:1: unknown workload for hog: bogo" },
	{ "hog = fib x\n", "f.scn:1: hog's ARG must be a whole number, not x" },
	{ "hog = fib 30 at -1\n",
	  "f.scn:1: hog's TASK must be a task number from 0, not -1" },
	{ "name = x\ntitle = t\nworkload = http\ntasks = 2\nurls = /a\n"
	  "hog = http 1\n",
	  "f.scn:6: a hog computes: give a CPU workload, not http" },
	{ "name = x\ntitle = t\nworkload = http\ntasks = 2\nurls = /a\n"
	  "hog = fib 99\n",
	  "f.scn:6: hog's ARG out of range: use 1..45 for workload fib" },
	{ "name = x\ntitle = t\nworkload = http\ntasks = 2\nurls = /a\n"
	  "hog = fib 30 at 2\n",
	  "f.scn:6: hog's TASK out of range: use 0..1 (tasks = 2)" },
	{ "urls =\n", "f.scn:1: empty value" },
	/* Not UTF-8 (Latin-1, or a binary file without a NUL byte): binary
	 * data, at the line of the first bad byte. */
	{ "name = x\ntitle = caf\xe9\n",
	  "f.scn:2: binary data (a byte that is not UTF-8 text)" },
	{ "\x80\x81\xfe\xff", "f.scn:1: binary data" },
	/* UTF-8, but quoted without its high bytes. */
	{ "cl\xc3\xa9 = 1\n", "f.scn:1: unknown key cl??" },
	{ "caf\xc3\xa9\n", "f.scn:1: expected 'key = value', got caf??" },
};

/* No message shows a byte of 0x80 or above: raw, such bytes would reach
 * the terminal (0x9b is an escape on an 8-bit one). */
static void assert_ascii(const char *msg)
{
	for (const char *c = msg; *c; c++)
		ck_assert_msg((unsigned char)*c < 0x80, "raw byte %#x in '%s'",
			      (unsigned char)*c, msg);
}

/* Parses text, which must be a good scenario, into *sc. */
static void parse_good(const char *text, struct scenario *sc)
{
	char err[256];

	ck_assert_msg(scenario_parse(text, strlen(text), "t.scn", sc, err,
				     sizeof err) == 0,
		      "%s", err);
}

/* An I/O scenario: urls instead of arg, which defaults to 1. */
START_TEST(test_parse_io)
{
	static const char text[] =
		"name = io\ntitle = t\nworkload = pokemon\ntasks = 20\n"
		"urls = /pokedex/{n}   http://example.com/{n} /x\n";
	struct scenario sc;

	parse_good(text, &sc);
	ck_assert_str_eq(sc.workload, "pokemon");
	ck_assert_int_eq(sc.arg, 1);
	ck_assert_str_eq(sc.urls, "/pokedex/{n}   http://example.com/{n} /x");
	ck_assert_int_eq(sc.blocking, 0);
}
END_TEST

/* `blocking = yes` makes an I/O scenario GET with the blocking call. */
START_TEST(test_parse_blocking)
{
	static const char text[] = "name = b\ntitle = t\nworkload = http\n"
				   "tasks = 2\nurls = /a\nblocking = yes\n";
	struct scenario sc;

	parse_good(text, &sc);
	ck_assert_int_eq(sc.blocking, 1);
}
END_TEST

/* A race scenario: `gap` between its loads and stores; the counter
 * scenarios shipped. */
START_TEST(test_parse_gap)
{
	static const char text[] = "name = c\ntitle = t\nworkload = counter\n"
				   "tasks = 2\narg = 10\ngap = 300\n";
	static const char *const shipped[] = { "counter-unsafe",
					       "counter-locked",
					       "counter-atomic" };
	struct scenario sc;
	char err[256];

	parse_good(text, &sc);
	ck_assert_int_eq(sc.gap, 300);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_msg(scenario_load(shipped[i], &sc, err, sizeof err) ==
				      0,
			      "%s", err);
		ck_assert_int_eq(sc.gap, 0);
		ck_assert_ptr_nonnull(work_find(sc.workload)->shared);
	}
}
END_TEST

/* `reported`: the tutorial's seconds per model, with their source; the
 * shipped scenarios that reproduce a tutorial's program carry them. */
START_TEST(test_parse_reported)
{
	static const char text[] =
		"name = c\ntitle = t\nworkload = fib\ntasks = 2\narg = 3\n"
		"reported = procs 3.43 ,sync 14.29,async 0.49\n"
		"reported_by = Real Python, 4 cores\n";
	static const char *const with[] = {
		"sites",  "httpbin", "pokemon",	    "fib",	"sumsq",
		"primes", "math",    "bank-unsafe", "bank-safe"
	};
	struct scenario sc;
	char err[256];

	parse_good(text, &sc);
	ck_assert_double_eq_tol(sc.reported_s[MODEL_SYNC], 14.29, 1e-9);
	ck_assert_double_eq(sc.reported_s[MODEL_THREADS], 0);
	ck_assert_double_eq_tol(sc.reported_s[MODEL_ASYNC], 0.49, 1e-9);
	ck_assert_double_eq_tol(sc.reported_s[MODEL_PROCS], 3.43, 1e-9);
	ck_assert_str_eq(sc.reported_by, "Real Python, 4 cores");
	for (size_t i = 0; i < sizeof with / sizeof with[0]; i++) {
		ck_assert_msg(scenario_load(with[i], &sc, err, sizeof err) == 0,
			      "%s", err);
		ck_assert_msg(sc.reported_by[0] &&
				      sc.reported_s[MODEL_SYNC] > 0,
			      "%s has no reported figures", with[i]);
	}
	ck_assert_int_eq(scenario_load("sites", &sc, err, sizeof err), 0);
	ck_assert_double_eq_tol(sc.reported_s[MODEL_THREADS], 3.19, 1e-9);
	ck_assert_int_eq(scenario_load("deadlock", &sc, err, sizeof err), 0);
	ck_assert_str_eq(sc.reported_by, "");
}
END_TEST

/* `hog = WORKLOAD ARG [at TASK]`: one task runs other work; without
 * `at`, the last. */
START_TEST(test_parse_hog)
{
	static const char text[] = "name = h\ntitle = t\nworkload = http\n"
				   "tasks = 5\nurls = /a\nhog = fib 30\n";
	struct scenario sc;
	char err[256];

	parse_good(text, &sc);
	ck_assert_str_eq(sc.hog_workload, "fib");
	ck_assert_int_eq(sc.hog_arg, 30);
	ck_assert_int_eq(sc.hog_task, 4);
	ck_assert_int_eq(scenario_load("starve", &sc, err, sizeof err), 0);
	ck_assert_str_eq(sc.hog_workload, "fib");
	ck_assert_int_eq(sc.hog_task, 20);
	ck_assert_int_eq(sc.tasks, 41);
	ck_assert_int_eq(scenario_load("sites", &sc, err, sizeof err), 0);
	ck_assert_str_eq(sc.hog_workload, "");
}
END_TEST

START_TEST(test_parse_bad)
{
	struct scenario sc;
	char err[256];
	const char *text = bad[_i][0];

	ck_assert_int_eq(scenario_parse(text, strlen(text), "f.scn", &sc, err,
					sizeof err),
			 -1);
	ck_assert_msg(strncmp(err, bad[_i][1], strlen(bad[_i][1])) == 0,
		      "text %d: got '%s', want '%s...'", _i, err, bad[_i][1]);
	assert_ascii(err);
}
END_TEST

/* A UTF-8 byte order mark (Windows Notepad) is skipped. */
START_TEST(test_parse_bom)
{
	struct scenario sc;
	char err[256];
	char text[sizeof good + 3] = "\xef\xbb\xbf";

	memcpy(text + 3, good, sizeof good);
	ck_assert_int_eq(scenario_parse(text, strlen(text), "bom.scn", &sc, err,
					sizeof err),
			 0);
	ck_assert_str_eq(sc.name, "demo");
}
END_TEST

START_TEST(test_parse_binary_and_long)
{
	struct scenario sc;
	char err[256];
	static const char nul[] = "name = x\n\0title = y\n";
	size_t n = SCENARIO_LINE_MAX + 10;
	char *longline = malloc(n + 1);

	ck_assert_int_eq(scenario_parse(nul, sizeof nul - 1, "b.scn", &sc, err,
					sizeof err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "b.scn: binary data"));
	memset(longline, 'a', n);
	memcpy(longline, "name = x\ntitle = ", 17);
	ck_assert_int_eq(
		scenario_parse(longline, n, "l.scn", &sc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "l.scn:2: line too long"));
	free(longline);
}
END_TEST

/* UTF-8 text is text: a title may say "×" or "café". */
START_TEST(test_parse_utf8)
{
	struct scenario sc;
	char err[256];
	static const char text[] = "name = x\ntitle = caf\xc3\xa9 \xc3\x97 2\n"
				   "workload = fib\ntasks = 2\narg = 3\n";

	ck_assert_msg(scenario_parse(text, sizeof text - 1, "u.scn", &sc, err,
				     sizeof err) == 0,
		      "%s", err);
	ck_assert_str_eq(sc.title, "caf\xc3\xa9 \xc3\x97 2");
}
END_TEST

/* Every shipped scenario loads, and the seeds' numbers are kept. */
START_TEST(test_shipped)
{
	size_t n;
	char **names = scenario_names(&n);
	struct scenario sc;
	char err[512];

	ck_assert_uint_ge(n, 4);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(scenario_load(names[i], &sc, err, sizeof err) ==
				      0,
			      "%s: %s", names[i], err);
		ck_assert_str_eq(sc.name, names[i]);
		if (i > 0)
			ck_assert_int_lt(strcmp(names[i - 1], names[i]), 0);
	}
	scenario_names_free(names);
	ck_assert_int_eq(scenario_load("fib", &sc, err, sizeof err), 0);
	ck_assert_int_eq(sc.tasks, 20);
	ck_assert_int_eq(sc.arg, 35);
	ck_assert_int_eq(sc.workers, 5);
	ck_assert_int_eq(scenario_load("primes", &sc, err, sizeof err), 0);
	ck_assert_int_eq(sc.tasks, 15000);
	ck_assert_int_eq(sc.arg, 1000);
	ck_assert_int_eq(scenario_load("sumsq", &sc, err, sizeof err), 0);
	ck_assert_int_eq(sc.arg, 5000000);
	ck_assert_int_eq(scenario_load("math", &sc, err, sizeof err), 0);
	ck_assert_int_eq(sc.arg, 2000000);
	ck_assert_int_eq(sc.tasks, 20);
	/* The I/O seeds: 2 pages x 80, 20 pokedex pages, 100 GETs of /ip. */
	ck_assert_int_eq(scenario_load("sites", &sc, err, sizeof err), 0);
	ck_assert_int_eq(sc.tasks, 160);
	ck_assert_str_eq(sc.urls, "/sites/jython.html /sites/dice.html");
	ck_assert_int_eq(sc.workers, 5);
	ck_assert_int_eq(scenario_load("pokemon", &sc, err, sizeof err), 0);
	ck_assert_int_eq(sc.tasks, 20);
	ck_assert_int_eq(sc.arg, 1);
	ck_assert_str_eq(sc.urls, "/pokedex/{n}");
	ck_assert_int_eq(scenario_load("httpbin", &sc, err, sizeof err), 0);
	ck_assert_int_eq(sc.tasks, 100);
	ck_assert_str_eq(sc.urls, "/ip");
}
END_TEST

START_TEST(test_load_errors)
{
	struct scenario sc;
	char err[512];

	ck_assert_int_eq(scenario_load("nope", &sc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown scenario 'nope'"));
	/* A name never reaches outside the scenarios directory. */
	ck_assert_int_eq(scenario_load("..", &sc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown scenario"));
	ck_assert_int_eq(scenario_load("/nonexistent/x", &sc, err, sizeof err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot open scenario file"));
	/* A long path keeps its end (the file's name) in the message. */
	char longpath[400];
	memset(longpath, 'd', sizeof longpath);
	longpath[0] = '/';
	memcpy(longpath + sizeof longpath - 8, "/fx.scn", 8);
	ck_assert_int_eq(scenario_load(longpath, &sc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "'...ddd"));
	ck_assert_ptr_nonnull(strstr(err, "/fx.scn' ("));
	ck_assert_ptr_nonnull(strstr(err, ": check the path"));
	ck_assert_int_eq(scenario_load("/", &sc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));
}
END_TEST

/* Writes text to a new temporary file; its path in path. */
static void scenario_write(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/conviz-scn.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A scale on an I/O scenario is refused alike whether --scale or the
 * scenario file gives it: the same words, and an error either way. */
START_TEST(test_io_scale_both_ways)
{
	static const char io[] = "name = io\ntitle = t\nworkload = http\n"
				 "tasks = 2\nurls = /a\n";
	static const char what[] =
		"scale multiplies CPU work, and 'io' is I/O-bound: ";
	char plain[64], scaled[64], text[256], err[768];
	struct run_config cfg;
	struct cli cli;

	scenario_write(plain, sizeof plain, io);
	snprintf(text, sizeof text, "%sscale = 2\n", io);
	scenario_write(scaled, sizeof scaled, text);
	memset(&cli, 0, sizeof cli);
	cli.model = -1;
	cli.gil = -1;
	cli.port = -1;

	cli.scenario = plain;
	ck_assert_int_eq(app_config(&cli, &cfg, err, sizeof err), 0);
	cli.scale = 2;
	ck_assert_int_eq(app_config(&cli, &cfg, err, sizeof err), -1);
	ck_assert_msg(strncmp(err, "--", 2) == 0 &&
			      strstr(err, what) == err + 2,
		      "%s", err);
	ck_assert_ptr_nonnull(strstr(err, ": leave --scale out"));

	cli.scale = 0;
	cli.scenario = scaled;
	ck_assert_int_eq(app_config(&cli, &cfg, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, scaled));
	ck_assert_msg(strstr(err, ":6: ") && strstr(strstr(err, ":6: "), what),
		      "%s", err);
	ck_assert_ptr_nonnull(strstr(err, ": fix the file"));
	unlink(plain);
	unlink(scaled);
}
END_TEST

/* Writes len bytes of text to path. */
static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* A binary file given with -s: "binary data", what to do, and none of
 * its bytes (nor the high bytes of its name) in the message. */
START_TEST(test_load_binary)
{
	char dir[] = "/tmp/conviz-scn.XXXXXX", path[64], err[768];
	static const char nul[] = "\x7f"
				  "ELF\x02\x01\x01\0\0\0\0";
	char high[128];
	struct scenario sc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/nul", dir);
	write_file(path, nul, sizeof nul - 1);
	ck_assert_int_eq(scenario_load(path, &sc, err, sizeof err), -1);
	unlink(path);
	ck_assert_msg(strstr(err, "/nul: binary data (a NUL byte): give a "
				  "scenario file, which is UTF-8 text (format: "
				  "see conviz(1))") != NULL,
		      "%s", err);
	for (size_t i = 0; i < sizeof high; i++)
		high[i] = (char)(0x80 + i);
	snprintf(path, sizeof path, "%s/h\xe9\x9b", dir);
	write_file(path, high, sizeof high);
	ck_assert_int_eq(scenario_load(path, &sc, err, sizeof err), -1);
	unlink(path);
	ck_assert_msg(strstr(err, "/h??:1: binary data (a byte that is not "
				  "UTF-8 text): give a scenario file") != NULL,
		      "%s", err);
	assert_ascii(err);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* CONVIZ_DATADIR as it is (a copy, or NULL when unset), for a test that
 * changes it to put back with datadir_restore. */
static char *datadir_save(void)
{
	const char *was = getenv("CONVIZ_DATADIR");

	return was ? strdup(was) : NULL;
}

static void datadir_restore(char *keep)
{
	if (keep)
		setenv("CONVIZ_DATADIR", keep, 1);
	else
		unsetenv("CONVIZ_DATADIR");
	free(keep);
}

/* No data directory at all: said so, with where conviz looked, not
 * "unknown scenario" (the default scenario is looked up by name too). */
START_TEST(test_load_no_datadir)
{
	char *keep = datadir_save();
	struct scenario sc;
	char err[768];

	setenv("CONVIZ_DATADIR", "/nonexistent", 1);
	ck_assert_int_eq(scenario_load("fib", &sc, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "no data directory: CONVIZ_DATADIR is "
				  "'/nonexistent', which has no scenarios/ "
				  "(the installed one is '" PKGDATADIR
				  "/data'): point CONVIZ_DATADIR at") == err,
		      "%s", err);
	ck_assert_int_eq(scenario_load("..", &sc, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "no data directory") == err, "%s", err);
	datadir_restore(keep);
}
END_TEST

/* A name that looks like a file: a hint to write it as a path. */
START_TEST(test_load_file_hint)
{
	char *keep = datadir_save();
	char dir[] = "/tmp/conviz-scn.XXXXXX", cwd[4096], err[768];
	struct scenario sc;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
	write_file("fib-small.scn", "", 0);
	write_file("mine", "", 0);
	ck_assert_int_eq(scenario_load("fib-small.scn", &sc, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "unknown scenario 'fib-small.scn': to run a "
			      "file, write ./fib-small.scn (a name without "
			      "'/' is one from 'conviz list')");
	ck_assert_int_eq(scenario_load("mine", &sc, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "to run a file, write ./mine (") != NULL,
		      "%s", err);
	/* Ends in .scn: a file is meant, even one that is not here. */
	ck_assert_int_eq(scenario_load("gone.scn", &sc, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "to run a file, write ./gone.scn (") != NULL,
		      "%s", err);
	ck_assert_int_eq(scenario_load("nope", &sc, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "unknown scenario 'nope': use a name") == err,
		      "%s", err);
	/* A file here is the better guess even with no data directory. */
	setenv("CONVIZ_DATADIR", "/nonexistent", 1);
	ck_assert_int_eq(scenario_load("mine", &sc, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "write ./mine") != NULL, "%s", err);
	unlink("fib-small.scn");
	unlink("mine");
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	datadir_restore(keep);
}
END_TEST

START_TEST(test_default_workers)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int w = scenario_default_workers();

	ck_assert_int_ge(w, 5);
	ck_assert_int_le(w, 32);
	if (cores + 4 <= 32)
		ck_assert_int_eq(w, cores + 4);
}
END_TEST

Suite *suite_scenario(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_bad, 0,
			    (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_parse_binary_and_long);
	tcase_add_test(tc, test_parse_io);
	tcase_add_test(tc, test_parse_blocking);
	tcase_add_test(tc, test_parse_hog);
	tcase_add_test(tc, test_parse_gap);
	tcase_add_test(tc, test_parse_reported);
	tcase_add_test(tc, test_parse_bom);
	tcase_add_test(tc, test_parse_utf8);
	tcase_add_test(tc, test_shipped);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_io_scale_both_ways);
	tcase_add_test(tc, test_load_binary);
	tcase_add_test(tc, test_load_no_datadir);
	tcase_add_test(tc, test_load_file_hint);
	tcase_add_test(tc, test_default_workers);
	suite_add_tcase(s, tc);
	return s;
}
