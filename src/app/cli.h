/* cli.h - the command line (contract in DESIGN.md and man/conviz.1).
 *
 * cli_parse never prints and never exits: it fills struct cli or returns
 * -1 with "what went wrong: what to do" in err; main prints it and exits 2.
 * Each option belongs to some subcommands (a table in cli.c): one given
 * to another is refused, named as written ("-s does not belong to 'conviz
 * serve'"), unless --help or --version is asked for too.
 */
#ifndef CONVIZ_CLI_H
#define CONVIZ_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_cmd {
	CLI_TUI = 0, /* `conviz` alone; takes run's options */
	CLI_RUN,
	CLI_LIST,
	CLI_HELP,
	CLI_VERSION,
	CLI_COMPARE,
	CLI_SERVE,
	CLI_REPLAY /* conviz replay FILE: a saved trace, nothing runs */
};

struct cli {
	enum cli_cmd cmd;
	const char *scenario; /* NULL: the default scenario */
	int model;	      /* enum model_id, or -1: the default */
	int workers;	      /* 0: the scenario's default */
	int limit;	      /* async's connections at once; 0: default */
	int chunk;	      /* procs: tasks at a time; 0: default (1) */
	int start;	      /* procs: 1 + enum procs_start; 0: default */
	int gil;	      /* -1 default (on), 0 off, 1 on */
	uint64_t seed;
	int have_seed;
	double scale; /* 0: the scenario's default */
	int headless;
	const char *url_file;
	int view; /* --view: -1 the model's default, else enum timeline_view */
	int no_mouse; /* --no-mouse: the TUI leaves the mouse alone */
	/* --trace, --svg, --csv: where to write the run (app/export.h);
	 * NULL: not written. */
	const char *trace, *svg, *csv;
	const char *replay; /* conviz replay FILE */
	/* compare --sweep A..B: the worker counts, 1 <= A <= B <=
	 * RUN_WORKERS_MAX; 0, 0: no sweep. */
	int sweep_from, sweep_to;
	int port; /* serve: -1 unset (an ephemeral port), else 0..65535 */
	/* serve: NULL: 127.0.0.1. Taken as written: whether it is an
	 * address is the server's to say (server_check_bind), asked by
	 * the app before it serves. */
	const char *bind;
};

/* Parses argv. 0, or -1 with a message in err. Pointers in *out point into
 * argv. */
int cli_parse(int argc, char **argv, struct cli *out, char *err, size_t errlen);

/* The --help text. */
void cli_usage(FILE *to);
#endif
