/* check_cli.c - the command line parser. */
#include "config.h"

#include <stdarg.h>
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
		{ "-m", "fibers", "unknown model 'fibers'" },
		{ "-m", "async", "model 'async' is not available yet" },
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
	ck_assert_ptr_nonnull(strstr(err, "...': use run, list"));
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
	suite_add_tcase(s, tc);
	return s;
}
