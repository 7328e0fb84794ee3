/* check_main.c - runs every module's Check suite.
 *
 * CK_RUN_SUITE=<name> (a Check feature) runs one suite only. */
#include "config.h"

#include <stdlib.h>

#include "check_suites.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_cli());
	srunner_add_suite(sr, suite_coro());
	srunner_add_suite(sr, suite_datadir());
	srunner_add_suite(sr, suite_evring());
	srunner_add_suite(sr, suite_async());
	srunner_add_suite(sr, suite_gil());
	srunner_add_suite(sr, suite_http());
	srunner_add_suite(sr, suite_job());
	srunner_add_suite(sr, suite_latency());
	srunner_add_suite(sr, suite_msg());
	srunner_add_suite(sr, suite_num());
	srunner_add_suite(sr, suite_report());
	srunner_add_suite(sr, suite_run());
	srunner_add_suite(sr, suite_scenario());
	srunner_add_suite(sr, suite_server());
	srunner_add_suite(sr, suite_textfile());
	srunner_add_suite(sr, suite_timeline());
	srunner_add_suite(sr, suite_urllist());
	srunner_add_suite(sr, suite_work_http());
	srunner_add_suite(sr, suite_work());
	srunner_add_suite(sr, suite_www());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
