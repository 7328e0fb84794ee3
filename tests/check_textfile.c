/* check_textfile.c - telling text from binary data: well-formed UTF-8
 * only (RFC 3629), so a binary file or a Latin-1 one is found at its first
 * bad byte. */
#include "config.h"

#include <string.h>

#include "check_suites.h"
#include "core/textfile.h"

static size_t utf8_len(const char *s)
{
	return textfile_utf8_len(s, strlen(s));
}

START_TEST(test_utf8_good)
{
	ck_assert_uint_eq(utf8_len(""), 0);
	ck_assert_uint_eq(utf8_len("name = fib\n"), 11);
	ck_assert_uint_eq(utf8_len("caf\xc3\xa9 \xe2\x96\x88 \xf0\x9f\x90\x8d"),
			  14);
	/* The edges: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF,
	 * U+10000, U+10FFFF. */
	ck_assert_uint_eq(utf8_len("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf"
				   "\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80"
				   "\xf4\x8f\xbf\xbf"),
			  24);
}
END_TEST

START_TEST(test_utf8_bad)
{
	ck_assert_uint_eq(utf8_len("ab\x80"), 2); /* lone continuation */
	ck_assert_uint_eq(utf8_len("caf\xe9 au lait"), 3);   /* Latin-1 */
	ck_assert_uint_eq(utf8_len("a\xc0\xaf"), 1);	     /* overlong '/' */
	ck_assert_uint_eq(utf8_len("a\xc1\xbf"), 1);	     /* overlong */
	ck_assert_uint_eq(utf8_len("a\xe0\x9f\xbf"), 1);     /* overlong */
	ck_assert_uint_eq(utf8_len("a\xf0\x8f\xbf\xbf"), 1); /* overlong */
	ck_assert_uint_eq(utf8_len("a\xed\xa0\x80"), 1);     /* surrogate */
	ck_assert_uint_eq(utf8_len("a\xf4\x90\x80\x80"), 1); /* > U+10FFFF */
	ck_assert_uint_eq(utf8_len("a\xf5\x80\x80\x80"), 1);
	ck_assert_uint_eq(utf8_len("a\xff"), 1);
	ck_assert_uint_eq(utf8_len("a\xe2\x96"), 1); /* cut short */
	ck_assert_uint_eq(utf8_len("a\xe2\x96x"), 1);
	/* The length bounds the look: a sequence cut by it is bad. */
	ck_assert_uint_eq(textfile_utf8_len("\xc3\xa9", 1), 0);
	/* NUL is a character to UTF-8: binary data is told by its caller. */
	ck_assert_uint_eq(textfile_utf8_len("a\0b", 3), 3);
}
END_TEST

Suite *suite_textfile(void)
{
	Suite *s = suite_create("textfile");
	TCase *tc = tcase_create("utf8");

	tcase_add_test(tc, test_utf8_good);
	tcase_add_test(tc, test_utf8_bad);
	suite_add_tcase(s, tc);
	return s;
}
