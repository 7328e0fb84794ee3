/* check_explain.c - the lesson cards: parsing, and a card for every
 * shipped scenario (issue 14). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "app/explain.h"
#include "app/scenario.h"
#include "core/datadir.h"
#include "models/model.h"

static void parse_ok(const char *text, struct explain_part *p)
{
	char err[256];

	ck_assert_msg(explain_parse(text, strlen(text), "c.txt", p, err,
				    sizeof err) == 0,
		      "%s", err);
}

/* The heading is the first line with text; a paragraph's lines are
 * joined with one space, whatever blanks and CRs were around them;
 * each paragraph is a string of its own. */
START_TEST(test_parse)
{
	struct explain_part p;

	parse_ok("\n  sites: waiting  \r\n\nWhat happens: 160\n  GETs, "
		 "each\t\nwaits.\r\n\n\n\nWhy: threads\noverlap.\n",
		 &p);
	ck_assert_str_eq(p.heading, "sites: waiting");
	ck_assert_int_eq(p.npar, 2);
	ck_assert_str_eq(explain_par(&p, 0),
			 "What happens: 160 GETs, each waits.");
	ck_assert_str_eq(explain_par(&p, 1), "Why: threads overlap.");
	parse_ok("only a heading", &p);
	ck_assert_str_eq(p.heading, "only a heading");
	ck_assert_int_eq(p.npar, 0);
}
END_TEST

START_TEST(test_parse_bad)
{
	static const struct {
		const char *text;
		size_t len;
		const char *want;
	} bad[] = {
		{ "", 0, "c.txt: empty card" },
		{ " \n\r\n\t\n", 6, "c.txt: empty card" },
		{ "head\nbin\0ary", 12, "c.txt: not UTF-8 text" },
		{ "caf\xe9 latin-1", 13, "c.txt: not UTF-8 text" },
	};
	static char big[EXPLAIN_BODY_MAX + 64], head[EXPLAIN_HEADING_MAX + 8];
	struct explain_part p;
	char err[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(explain_parse(bad[i].text, bad[i].len, "c.txt",
					       &p, err, sizeof err),
				 -1);
		ck_assert_msg(strncmp(err, bad[i].want, strlen(bad[i].want)) ==
				      0,
			      "%zu: '%s'", i, err);
	}
	memset(big, 'x', sizeof big - 1);
	big[0] = 'h';
	big[1] = '\n';
	ck_assert_int_eq(
		explain_parse(big, strlen(big), "c.txt", &p, err, sizeof err),
		-1);
	ck_assert_ptr_nonnull(strstr(err, "too long for the panel"));
	memset(head, 'h', sizeof head - 1);
	ck_assert_int_eq(
		explain_parse(head, strlen(head), "c.txt", &p, err, sizeof err),
		-1);
	ck_assert_ptr_nonnull(strstr(err, "the heading is too long"));
}
END_TEST

/* Every shipped scenario has a card, and every card file names a shipped
 * scenario (and a model that exists): a renamed scenario leaves no card
 * behind. The model's card follows the model and the GIL. */
START_TEST(test_shipped)
{
	static const char *const models[] = { "sync", "threads", "async",
					      "procs" };
	size_t n;
	char **names = scenario_names(&n);
	struct explain e;
	char err[512];

	ck_assert_uint_ge(n, 19);
	for (size_t i = 0; i < n; i++) {
		for (size_t m = 0; m < 4; m++) {
			for (int gil = 0; gil < 2; gil++) {
				ck_assert_msg(explain_load(names[i], models[m],
							   gil, &e, err,
							   sizeof err) == 0,
					      "%s: %s", names[i], err);
				ck_assert_msg(e.scenario.heading[0] &&
						      e.scenario.npar >= 3,
					      "%s: a card without text",
					      names[i]);
			}
		}
	}
	scenario_names_free(names);
	ck_assert_int_eq(explain_load("fib", "threads", 1, &e, err, sizeof err),
			 0);
	ck_assert_ptr_nonnull(strstr(e.model.heading, "GIL"));
	ck_assert_int_eq(explain_load("fib", "threads", 0, &e, err, sizeof err),
			 0);
	ck_assert_str_ne(e.model.heading, "");
	ck_assert_ptr_null(strstr(e.model.heading, "with the GIL"));
	ck_assert_int_eq(explain_load("nosuch", "sync", 1, &e, err, sizeof err),
			 -1);
	ck_assert_msg(strncmp(err, "no lesson card for 'nosuch': add ", 33) ==
			      0,
		      "%s", err);
}
END_TEST

/* Is `model` (the middle of SCENARIO.MODEL.txt) one a card may add? */
static int card_model(const char *model)
{
	static const char *const ok[] = { "sync", "threads", "async", "procs",
					  "threads-nogil" };

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(model, ok[i]) == 0)
			return 1;
	return 0;
}

START_TEST(test_no_orphans)
{
	char path[4096], name[256], err[512];
	struct scenario sc;
	struct dirent *de;
	DIR *d;
	int cards = 0;

	snprintf(path, sizeof path, "%s/explain", datadir_path());
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *dot;
		if (de->d_name[0] == '.')
			continue;
		ck_assert_msg(len > 4 && len < sizeof name &&
				      strcmp(de->d_name + len - 4, ".txt") == 0,
			      "explain/%s: not a card (NAME.txt)", de->d_name);
		memcpy(name, de->d_name, len - 4);
		name[len - 4] = '\0';
		dot = strchr(name, '.');
		if (dot) {
			*dot = '\0';
			ck_assert_msg(card_model(dot + 1),
				      "explain/%s: no model '%s'", de->d_name,
				      dot + 1);
		}
		ck_assert_msg(scenario_load(name, &sc, err, sizeof err) == 0,
			      "explain/%s: no scenario '%s': %s", de->d_name,
			      name, err);
		cards++;
	}
	closedir(d);
	ck_assert_int_ge(cards, 19);
}
END_TEST

Suite *suite_explain(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("explain");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_shipped);
	tcase_add_test(tc, test_no_orphans);
	suite_add_tcase(s, tc);
	return s;
}
