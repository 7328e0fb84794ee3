/* check_datadir.c - the data directory: $CONVIZ_DATADIR wins, the
 * installed one is configure's (config.h), and a missing one is told as
 * such, with where conviz looked and what to do. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "core/datadir.h"

/* Each test sets CONVIZ_DATADIR; put back what `make check` gave. */
static char *saved;

static void save_env(void)
{
	const char *v = getenv("CONVIZ_DATADIR");

	saved = v ? strdup(v) : NULL;
}

static void restore_env(void)
{
	if (saved)
		setenv("CONVIZ_DATADIR", saved, 1);
	else
		unsetenv("CONVIZ_DATADIR");
	free(saved);
	saved = NULL;
}

/* The installed path comes from configure's prefix, through config.h
 * (a reconfigure rebuilds what reads it). */
START_TEST(test_installed)
{
	ck_assert_str_eq(datadir_installed(), PKGDATADIR "/data");
	ck_assert_ptr_nonnull(strstr(datadir_installed(), "/conviz/data"));
}
END_TEST

START_TEST(test_env_wins)
{
	char err[768] = "untouched";

	setenv("CONVIZ_DATADIR", "/nonexistent/d", 1);
	ck_assert_str_eq(datadir_path(), "/nonexistent/d");
	ck_assert_int_eq(datadir_check(err, sizeof err), -1);
	ck_assert_msg(strstr(err, "no data directory: CONVIZ_DATADIR is "
				  "'/nonexistent/d', which has no "
				  "scenarios/") == err,
		      "%s", err);
	/* Where else it would have looked, and what to do. */
	ck_assert_msg(strstr(err, PKGDATADIR "/data") != NULL, "%s", err);
	ck_assert_msg(strstr(err,
			     ": point CONVIZ_DATADIR at a directory that "
			     "holds scenarios/ and www/, or unset it") != NULL,
		      "%s", err);
	/* A directory without scenarios/ is no data directory either. */
	setenv("CONVIZ_DATADIR", "/", 1);
	ck_assert_int_eq(datadir_check(err, sizeof err), -1);
	ck_assert_msg(strstr(err, "CONVIZ_DATADIR is '/'") != NULL, "%s", err);
}
END_TEST

/* make check points CONVIZ_DATADIR at the source tree's data/. */
START_TEST(test_found)
{
	char err[768] = "untouched";

	ck_assert_ptr_nonnull(saved);
	setenv("CONVIZ_DATADIR", saved, 1);
	ck_assert_int_eq(datadir_check(err, sizeof err), 0);
	ck_assert_str_eq(err, "untouched");
}
END_TEST

/* Without $CONVIZ_DATADIR, a missing directory names both places. */
START_TEST(test_unset)
{
	char err[768];

	unsetenv("CONVIZ_DATADIR");
	if (datadir_check(err, sizeof err) == 0)
		return; /* installed, or data/ beside this test binary */
	ck_assert_msg(strstr(err, "no data directory: neither '") == err, "%s",
		      err);
	ck_assert_msg(strstr(err, "/data' (beside the program)") != NULL, "%s",
		      err);
	ck_assert_msg(strstr(err, "point CONVIZ_DATADIR at") != NULL, "%s",
		      err);
}
END_TEST

Suite *suite_datadir(void)
{
	Suite *s = suite_create("datadir");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, save_env, restore_env);
	tcase_add_test(tc, test_installed);
	tcase_add_test(tc, test_env_wins);
	tcase_add_test(tc, test_found);
	tcase_add_test(tc, test_unset);
	suite_add_tcase(s, tc);
	return s;
}
