/* check_main.c - runs every module's Check suite.
 *
 * CK_RUN_SUITE=<name> (a Check feature) runs one suite only. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/run.h"
#include "check_suites.h"
#include "models/procs.h"

int main(int argc, char **argv)
{
	char err[256];

	/* A worker process of a procs run with --start spawn runs this
	 * program again, as conviz's main does. */
	if (argc >= 2 && strcmp(argv[1], PROCS_WORKER_ARG) == 0)
		return procs_spawned_main(argc - 2, argv + 2, run_procs_child);
	/* The forkserver, while this process has one thread. */
	if (procs_init(run_procs_child, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_FAILURE;
	}
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
	srunner_add_suite(sr, suite_procs());
	srunner_add_suite(sr, suite_report());
	srunner_add_suite(sr, suite_run());
	srunner_add_suite(sr, suite_scenario());
	srunner_add_suite(sr, suite_explain());
	srunner_add_suite(sr, suite_export());
	srunner_add_suite(sr, suite_compare());
	srunner_add_suite(sr, suite_recording());
	srunner_add_suite(sr, suite_replay());
	srunner_add_suite(sr, suite_server());
	srunner_add_suite(sr, suite_shared());
	srunner_add_suite(sr, suite_locks());
	srunner_add_suite(sr, suite_ledger());
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
