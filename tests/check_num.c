/* check_num.c - the strict number parsers. */
#include "config.h"

#include <stdint.h>

#include "check_suites.h"
#include "core/num.h"

START_TEST(test_numbers)
{
	long l;
	double d;
	uint64_t u;

	ck_assert_int_eq(num_parse_long("1024", 1, 1024, &l), 0);
	ck_assert_int_eq(l, 1024);
	ck_assert_int_eq(num_parse_long("1025", 1, 1024, &l), -1);
	ck_assert_int_eq(num_parse_long("+5", 1, 1024, &l), -1);
	ck_assert_int_eq(num_parse_long("5 ", 1, 1024, &l), -1);
	ck_assert_int_eq(num_parse_long("99999999999999999999", 1, 1024, &l),
			 -1);
	ck_assert_int_eq(num_parse_long(NULL, 1, 1024, &l), -1);
	ck_assert_int_eq(num_parse_double("0.25", 0, 1000, &d), 0);
	ck_assert_double_eq(d, 0.25);
	ck_assert_int_eq(num_parse_double(".5", 0, 1000, &d), 0);
	ck_assert_int_eq(num_parse_double("0", 0, 1000, &d), -1);
	ck_assert_int_eq(num_parse_double("1e400", 0, 1000, &d), -1);
	ck_assert_int_eq(num_parse_double("0x10", 0, 1000, &d), 0);
	ck_assert_double_eq(d, 16.0);
	ck_assert_int_eq(num_parse_u64("18446744073709551615", &u), 0);
	ck_assert_uint_eq(u, UINT64_MAX);
	ck_assert_int_eq(num_parse_u64("18446744073709551616", &u), -1);
	ck_assert_int_eq(num_parse_u64("-1", &u), -1);
}
END_TEST

Suite *suite_num(void)
{
	Suite *s = suite_create("num");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_numbers);
	suite_add_tcase(s, tc);
	return s;
}
