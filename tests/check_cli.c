/* check_cli.c - the command line parser. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check_suites.h"
#include "app/cli.h"
#include "models/model.h"

static int parse(struct cli *c, char *err, size_t len, int argc, ...)
{
	char *argv[16];
	va_list ap;

	va_start(ap, argc);
	argv[0] = "conviz";
	for (int i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return cli_parse(argc, argv, c, err, len);
}

START_TEST(test_defaults)
{
	struct cli c;
	char err[256];

	ck_assert_int_eq(parse(&c, err, sizeof err, 1), 0);
	ck_assert_int_eq(c.cmd, CLI_TUI);
	ck_assert_ptr_null(c.scenario);
	ck_assert_int_eq(c.model, -1);
	ck_assert_int_eq(c.workers, 0);
	ck_assert_int_eq(c.gil, -1);
	ck_assert_int_eq(c.headless, 0);
}
END_TEST

START_TEST(test_run_options)
{
	struct cli c;
	char err[256];

	ck_assert_int_eq(parse(&c, err, sizeof err, 13, "run", "-s", "fib",
			       "--model=threads", "-w", "7", "--no-gil",
			       "--seed", "42", "--scale", "0.5", "--headless"),
			 0);
	ck_assert_int_eq(c.cmd, CLI_RUN);
	ck_assert_str_eq(c.scenario, "fib");
	ck_assert_int_eq(c.model, MODEL_THREADS);
	ck_assert_int_eq(c.workers, 7);
	ck_assert_int_eq(c.gil, 0);
	ck_assert_int_eq(c.have_seed, 1);
	ck_assert_uint_eq(c.seed, 42);
	ck_assert_double_eq(c.scale, 0.5);
	ck_assert_int_eq(c.headless, 1);
	ck_assert_int_eq(c.no_mouse, 0);
	ck_assert_int_eq(parse(&c, err, sizeof err, 3, "run", "--no-mouse"), 0);
	ck_assert_int_eq(c.no_mouse, 1);
	ck_assert_int_eq(parse(&c, err, sizeof err, 3, "--no-mouse=1", "run"),
			 -1);
	ck_assert_int_eq(parse(&c, err, sizeof err, 3, "--no-gil", "--gil"), 0);
	ck_assert_int_eq(c.gil, 1);
}
END_TEST

START_TEST(test_commands)
{
	struct cli c;
	char err[256];

	ck_assert_int_eq(parse(&c, err, sizeof err, 2, "list"), 0);
	ck_assert_int_eq(c.cmd, CLI_LIST);
	ck_assert_int_eq(parse(&c, err, sizeof err, 3, "run", "--help"), 0);
	ck_assert_int_eq(c.cmd, CLI_HELP);
	ck_assert_int_eq(parse(&c, err, sizeof err, 2, "-V"), 0);
	ck_assert_int_eq(c.cmd, CLI_VERSION);
	ck_assert_int_eq(parse(&c, err, sizeof err, 2, "dance"), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown command 'dance'"));
}
END_TEST

START_TEST(test_bad_input)
{
	static const char *const cases[][3] = {
		{ "-w", "0", "bad number of workers '0'" },
		{ "-w", "-3", "bad number of workers '-3'" },
		{ "-w", "1e9", "bad number of workers '1e9'" },
		{ "-w", "abc", "bad number of workers 'abc'" },
		{ "-w", "100000", "bad number of workers '100000'" },
		{ "-w", "", "bad number of workers ''" },
		{ "--scale", "-1", "bad scale '-1'" },
		{ "--scale", "inf", "bad scale 'inf'" },
		{ "--scale", "1001", "bad scale '1001'" },
		{ "--seed", "x", "bad seed 'x'" },
		{ "--limit", "0", "bad limit '0'" },
		{ "--limit", "10001", "bad limit '10001'" },
		{ "--limit", "5x", "bad limit '5x'" },
		{ "-m", "fibers", "unknown model 'fibers'" },
		{ "--start", "vfork", "unknown start method 'vfork'" },
		{ "--start", "", "unknown start method ''" },
		{ "--chunk", "0", "bad chunk '0'" },
		{ "--chunk", "100001", "bad chunk '100001'" },
		{ "--chunk", "-3", "bad chunk '-3'" },
		{ "-s", "", "empty scenario name" },
	};
	struct cli c;
	char err[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_int_eq(parse(&c, err, sizeof err, 4, "run",
				       cases[i][0], cases[i][1]),
				 -1);
		ck_assert_msg(strstr(err, cases[i][2]) != NULL,
			      "'%s %s' gave '%s'", cases[i][0], cases[i][1],
			      err);
		/* Every message says what to do after what went wrong. */
		ck_assert_ptr_nonnull(strstr(err, ": "));
	}
	ck_assert_int_eq(parse(&c, err, sizeof err, 3, "run", "-w"), -1);
	ck_assert_ptr_nonnull(strstr(err, "needs a value"));
	ck_assert_int_eq(parse(&c, err, sizeof err, 2, "--bogus"), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown option '--bogus'"));
	ck_assert_int_eq(parse(&c, err, sizeof err, 2, "--headless=1"), -1);
	ck_assert_int_eq(parse(&c, err, sizeof err, 3, "run", "x"), -1);
	ck_assert_ptr_nonnull(strstr(err, "unexpected argument 'x'"));
}
END_TEST

/* parse() of a command line given as one string, words split at spaces
 * (at most 15). */
static int parse_line(struct cli *c, char *err, size_t len, const char *line)
{
	static char buf[256];
	char *argv[16] = { "conviz" };
	int argc = 1;
	size_t n = strlen(line);

	ck_assert_uint_lt(n, sizeof buf);
	memcpy(buf, line, n + 1);
	for (char *w = buf; *w;) {
		char *end = strchr(w, ' ');
		if (end == w) {
			w++;
			continue;
		}
		ck_assert_int_lt(argc, 15);
		argv[argc++] = w;
		if (!end)
			break;
		*end = '\0';
		w = end + 1;
	}
	argv[argc] = NULL;
	return cli_parse(argc, argv, c, err, len);
}

/* Which subcommands take each option: every option, as written, on
 * `conviz` alone, run, list, compare and serve. */
START_TEST(test_options_belong)
{
	enum { T = 1, R = 2, L = 4, C = 8, S = 16 };
	static const struct {
		const char
			*words;	  /* the option, with a value if it takes one */
		const char *name; /* how the message names it */
		int on;		  /* where it belongs */
	} opts[] = {
		{ "-s fib", "-s", T | R | C },
		{ "--scenario fib", "--scenario", T | R | C },
		{ "--scenario=fib", "--scenario", T | R | C },
		{ "-m sync", "-m", T | R | C },
		{ "--model=threads", "--model", T | R | C },
		{ "-w 3", "-w", T | R },
		{ "--workers 3", "--workers", T | R },
		{ "--gil", "--gil", T | R | C },
		{ "--no-gil", "--no-gil", T | R | C },
		{ "--sweep 1..4", "--sweep", C },
		{ "--sweep=2..3", "--sweep", C },
		{ "--seed 7", "--seed", T | R | C | S },
		{ "--seed=7", "--seed", T | R | C | S },
		{ "--scale 2", "--scale", T | R },
		{ "--headless", "--headless", T | R | C },
		{ "--no-mouse", "--no-mouse", T | R | C },
		{ "--trace x.json", "--trace", T | R | C },
		{ "--svg=x.svg", "--svg", T | R | C },
		{ "--csv x.csv", "--csv", T | R | C },
		{ "--url-file /nonexist", "--url-file", T | R },
		{ "--url-file=/nonexist", "--url-file", T | R },
		{ "--port 8080", "--port", S },
		{ "--port=0", "--port", S },
		{ "--bind 127.0.0.1", "--bind", S },
		{ "--bind=0.0.0.0", "--bind", S },
	};
	static const char *const cmds[] = { "", "run", "list", "compare",
					    "serve" };
	static const enum cli_cmd ids[] = { CLI_TUI, CLI_RUN, CLI_LIST,
					    CLI_COMPARE, CLI_SERVE };
	struct cli c;
	char line[128], err[256], want[256];

	for (size_t o = 0; o < sizeof opts / sizeof opts[0]; o++) {
		for (int k = 0; k < 5; k++) {
			int rc;
			snprintf(line, sizeof line, "%s %s", cmds[k],
				 opts[o].words);
			rc = parse_line(&c, err, sizeof err, line);
			if (!(opts[o].on & (1 << k))) {
				snprintf(want, sizeof want,
					 "%s does not belong to 'conviz%s%s': "
					 "leave it out (see conviz --help)",
					 opts[o].name, *cmds[k] ? " " : "",
					 cmds[k]);
				ck_assert_msg(rc == -1 &&
						      strcmp(err, want) == 0,
					      "'%s' gave %d '%s'", line, rc,
					      rc ? err : "");
			} else {
				ck_assert_msg(rc == 0, "'%s' gave '%s'", line,
					      err);
				ck_assert_int_eq(c.cmd, ids[k]);
			}
			/* --help and --version go anywhere, and win. */
			snprintf(line, sizeof line, "%s %s --help", cmds[k],
				 opts[o].words);
			ck_assert_int_eq(parse_line(&c, err, sizeof err, line),
					 0);
			ck_assert_int_eq(c.cmd, CLI_HELP);
			snprintf(line, sizeof line, "%s -V %s", cmds[k],
				 opts[o].words);
			ck_assert_int_eq(parse_line(&c, err, sizeof err, line),
					 0);
			ck_assert_int_eq(c.cmd, CLI_VERSION);
		}
	}
}
END_TEST

/* The command lines of issue 10, and what an option that does not belong
 * does to the rest of the line. */
START_TEST(test_options_misplaced)
{
	static const char *const cases[][2] = {
		{ "serve -s fib -w 3 --scale 2 --url-file /nonexist "
		  "--headless",
		  "-s does not belong to 'conviz serve'" },
		{ "list -s fib", "-s does not belong to 'conviz list'" },
		{ "list --headless",
		  "--headless does not belong to 'conviz list'" },
		{ "list --seed 1", "--seed does not belong to 'conviz list'" },
		/* The first one is named; its value is skipped, not taken
		 * for a stray argument. */
		{ "serve --port 0 --scale 2 -w 3",
		  "--scale does not belong to 'conviz serve'" },
		/* ... nor checked: it does not belong, whatever it is. */
		{ "serve -w abc", "-w does not belong to 'conviz serve'" },
		{ "serve -s", "-s does not belong to 'conviz serve'" },
		{ "list --scale=-1",
		  "--scale does not belong to 'conviz list'" },
		/* Errors of the options that do belong still count. */
		{ "serve --port 70000 -s fib", "bad port '70000'" },
		{ "serve --port", "option '--port' needs a value" },
		{ "serve --bogus", "unknown option '--bogus'" },
		{ "list extra", "unexpected argument 'extra'" },
		{ "compare extra", "unexpected argument 'extra'" },
		{ "compare --port 1",
		  "--port does not belong to 'conviz compare'" },
		{ "run --port 80", "--port does not belong to 'conviz run'" },
		{ "--bind ::1", "--bind does not belong to 'conviz'" },
	};
	struct cli c;
	char err[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_int_eq(parse_line(&c, err, sizeof err, cases[i][0]),
				 -1);
		ck_assert_msg(strstr(err, cases[i][1]) == err, "'%s' gave '%s'",
			      cases[i][0], err);
	}
	/* serve keeps --seed (the server's jitter) and its own options. */
	ck_assert_int_eq(parse_line(&c, err, sizeof err,
				    "serve --port 0 --bind 0.0.0.0 --seed 9"),
			 0);
	ck_assert_int_eq(c.cmd, CLI_SERVE);
	ck_assert_int_eq(c.port, 0);
	ck_assert_str_eq(c.bind, "0.0.0.0");
	ck_assert_uint_eq(c.seed, 9);
	/* A misplaced option with --help leaves nothing set. */
	ck_assert_int_eq(
		parse_line(&c, err, sizeof err, "run --port 80 --help"), 0);
	ck_assert_int_eq(c.cmd, CLI_HELP);
	ck_assert_int_eq(c.port, -1);
	ck_assert_int_eq(parse_line(&c, err, sizeof err, "help -s fib"), 0);
	ck_assert_int_eq(c.cmd, CLI_HELP);
}
END_TEST

/* A typo gets the commands of this version; compare is not one yet. */
START_TEST(test_commands_ready)
{
	struct cli c;
	char err[256];

	ck_assert_int_eq(parse_line(&c, err, sizeof err, "foo"), -1);
	ck_assert_str_eq(err,
			 "unknown command 'foo': use run, compare, list, serve "
			 "or replay (see conviz --help)");
	ck_assert_int_eq(parse_line(&c, err, sizeof err, "compare"), 0);
	ck_assert_int_eq(c.cmd, CLI_COMPARE);
	ck_assert_int_eq(parse_line(&c, err, sizeof err,
				    "compare -s fib --seed 3 --headless"),
			 0);
	ck_assert_int_eq(c.cmd, CLI_COMPARE);
	ck_assert_str_eq(c.scenario, "fib");
	ck_assert_int_eq(c.headless, 1);
	ck_assert_int_eq(parse_line(&c, err, sizeof err, "compare --help"), 0);
	ck_assert_int_eq(c.cmd, CLI_HELP);
}
END_TEST

/* --sweep A..B: a range of worker counts, refused when it is not one. */
START_TEST(test_sweep_range)
{
	static const char *const bad[] = {
		"4..2",	   "0..2", "1..x",    "3",
		"..3",	   "1..",  "1...3",   "-1..2",
		"1..1025", "a..b", "1..2..3", "99999999999999999999..1",
	};
	struct cli c;
	char line[96], err[256];

	ck_assert_int_eq(parse_line(&c, err, sizeof err,
				    "compare -s sites -m threads --sweep 1..16 "
				    "--no-gil"),
			 0);
	ck_assert_int_eq(c.sweep_from, 1);
	ck_assert_int_eq(c.sweep_to, 16);
	ck_assert_int_eq(c.gil, 0);
	ck_assert_int_eq(parse_line(&c, err, sizeof err, "compare -s fib"), 0);
	ck_assert_int_eq(c.sweep_to, 0);
	ck_assert_int_eq(
		parse_line(&c, err, sizeof err, "compare --sweep=7..7"), 0);
	ck_assert_int_eq(c.sweep_from, 7);
	ck_assert_int_eq(c.sweep_to, 7);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(line, sizeof line, "compare -m threads --sweep %s",
			 bad[i]);
		ck_assert_int_eq(parse_line(&c, err, sizeof err, line), -1);
		ck_assert_msg(strstr(err, "bad sweep '") == err &&
				      strstr(err, "use a range of worker "
						  "counts A..B"),
			      "'%s' gave '%s'", line, err);
	}
}
END_TEST

/* A long word in a message is cut, so "what to do" always fits. */
START_TEST(test_long_words_quoted)
{
	static char word[1001];
	static char *argv[4] = { "conviz", "run", "-w", word };
	struct cli c;
	char err[768];

	memset(word, '9', sizeof word - 1);
	ck_assert_int_eq(cli_parse(4, argv, &c, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "...': use a whole number"));
	ck_assert_uint_lt(strlen(err), 200);
	memset(word, 'x', sizeof word - 1);
	ck_assert_int_eq(cli_parse(2, argv + 2, &c, err, sizeof err), -1);
	argv[1] = word;
	ck_assert_int_eq(cli_parse(2, argv, &c, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "...': use run, compare, list"));
}
END_TEST

Suite *suite_cli(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_run_options);
	tcase_add_test(tc, test_commands);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_long_words_quoted);
	tcase_add_test(tc, test_options_belong);
	tcase_add_test(tc, test_options_misplaced);
	tcase_add_test(tc, test_commands_ready);
	tcase_add_test(tc, test_sweep_range);
	suite_add_tcase(s, tc);
	return s;
}
