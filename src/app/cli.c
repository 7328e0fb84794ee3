/* cli.c - the command line: subcommands and options (the numbers in
 * them: core/num.c). */
#include "config.h"

#include "app/cli.h"

#include <string.h>

#include "app/run.h"
#include "app/scenario.h"
#include "core/msg.h"
#include "core/num.h"
#include "models/model.h"

enum opt_id {
	OPT_SCENARIO,
	OPT_MODEL,
	OPT_WORKERS,
	OPT_GIL,
	OPT_NO_GIL,
	OPT_SEED,
	OPT_SCALE,
	OPT_HEADLESS,
	OPT_URL_FILE,
	OPT_PORT,
	OPT_BIND,
	OPT_HELP,
	OPT_VERSION
};

struct opt {
	char shortname;
	const char *longname;
	int takes_value;
	enum opt_id id;
};

static const struct opt opts[] = {
	{ 's', "scenario", 1, OPT_SCENARIO },
	{ 'm', "model", 1, OPT_MODEL },
	{ 'w', "workers", 1, OPT_WORKERS },
	{ 0, "gil", 0, OPT_GIL },
	{ 0, "no-gil", 0, OPT_NO_GIL },
	{ 0, "seed", 1, OPT_SEED },
	{ 0, "scale", 1, OPT_SCALE },
	{ 0, "headless", 0, OPT_HEADLESS },
	{ 0, "url-file", 1, OPT_URL_FILE },
	{ 0, "port", 1, OPT_PORT },
	{ 0, "bind", 1, OPT_BIND },
	{ 'h', "help", 0, OPT_HELP },
	{ 'V', "version", 0, OPT_VERSION },
};

/* Finds the option `arg` names; *inline_value is set for "--opt=value". */
static const struct opt *opt_lookup(const char *arg, const char **inline_value)
{
	*inline_value = NULL;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		const struct opt *o = &opts[i];
		if (arg[1] != '-') {
			if (o->shortname && arg[1] == o->shortname && !arg[2])
				return o;
			continue;
		}
		size_t n = strlen(o->longname);
		if (strncmp(arg + 2, o->longname, n) != 0)
			continue;
		if (arg[2 + n] == '\0')
			return o;
		if (arg[2 + n] == '=' && o->takes_value) {
			*inline_value = arg + 3 + n;
			return o;
		}
	}
	return NULL;
}

static int model_value(const char *v, struct cli *out, char *err, size_t len)
{
	struct msg_quote q;
	int m = model_find(v);
	if (m < 0) {
		msg_fmt(err, len,
			"unknown model '%s': use sync, threads, async or procs "
			"(see conviz list)",
			msg_quote(v, &q));
		return -1;
	}
	if (!model_get((enum model_id)m)->run) {
		msg_fmt(err, len,
			"model '%s' is not available yet in this version: "
			"use -m sync or -m threads",
			msg_quote(v, &q));
		return -1;
	}
	out->model = m;
	return 0;
}

static int number_value(enum opt_id id, const char *v, struct cli *out,
			char *err, size_t len)
{
	struct msg_quote q;
	long n;

	switch (id) {
	case OPT_WORKERS:
		if (num_parse_long(v, 1, RUN_WORKERS_MAX, &n) == 0) {
			out->workers = (int)n;
			return 0;
		}
		msg_fmt(err, len,
			"bad number of workers '%s': use a whole "
			"number from 1 to %d",
			msg_quote(v, &q), RUN_WORKERS_MAX);
		return -1;
	case OPT_SEED:
		if (num_parse_u64(v, &out->seed) == 0) {
			out->have_seed = 1;
			return 0;
		}
		msg_fmt(err, len,
			"bad seed '%s': use a whole number from 0 "
			"to 18446744073709551615",
			msg_quote(v, &q));
		return -1;
	default:
		if (num_parse_double(v, 0.0, SCENARIO_SCALE_MAX, &out->scale) ==
		    0)
			return 0;
		msg_fmt(err, len,
			"bad scale '%s': use a number above 0 and "
			"at most %g (e.g. --scale 0.5)",
			msg_quote(v, &q), SCENARIO_SCALE_MAX);
		return -1;
	}
}

static int apply_value(const struct opt *o, const char *v, struct cli *out,
		       char *err, size_t len)
{
	struct msg_quote q;
	long n;

	switch (o->id) {
	case OPT_SCENARIO:
		if (!*v) {
			msg_fmt(err, len,
				"empty scenario name: use a name "
				"from 'conviz list' or a path to a file");
			return -1;
		}
		out->scenario = v;
		return 0;
	case OPT_MODEL:
		return model_value(v, out, err, len);
	case OPT_URL_FILE:
		out->url_file = v;
		return 0;
	case OPT_PORT:
		if (num_parse_long(v, 0, 65535, &n) < 0) {
			msg_fmt(err, len,
				"bad port '%s': use a whole number from 0 to "
				"65535 (0: any free port)",
				msg_quote(v, &q));
			return -1;
		}
		out->port = (int)n;
		return 0;
	case OPT_BIND:
		out->bind = v;
		return 0;
	default:
		return number_value(o->id, v, out, err, len);
	}
}

static void apply_flag(const struct opt *o, struct cli *out)
{
	switch (o->id) {
	case OPT_GIL:
		out->gil = 1;
		break;
	case OPT_NO_GIL:
		out->gil = 0;
		break;
	case OPT_HEADLESS:
		out->headless = 1;
		break;
	case OPT_HELP:
		out->cmd = CLI_HELP;
		break;
	default:
		out->cmd = CLI_VERSION;
		break;
	}
}

/* Parses one option at argv[*i], consuming its value. 0 or -1. */
static int parse_option(int argc, char **argv, int *i, struct cli *out,
			int *help, char *err, size_t len)
{
	struct msg_quote q;
	const char *arg = argv[*i];
	const char *v;
	const struct opt *o = opt_lookup(arg, &v);

	if (!o) {
		msg_fmt(err, len, "unknown option '%s': see conviz --help",
			msg_quote(arg, &q));
		return -1;
	}
	if (!o->takes_value) {
		enum cli_cmd before = out->cmd;
		apply_flag(o, out);
		if (out->cmd == CLI_HELP || out->cmd == CLI_VERSION) {
			*help = out->cmd;
			out->cmd = before;
		}
		return 0;
	}
	if (!v) {
		if (*i + 1 >= argc) {
			msg_fmt(err, len,
				"option '%s' needs a value: see "
				"conviz --help",
				msg_quote(arg, &q));
			return -1;
		}
		v = argv[++*i];
	}
	return apply_value(o, v, out, err, len);
}

static int parse_command(const char *word, struct cli *out, char *err,
			 size_t len)
{
	struct msg_quote q;
	static const struct {
		const char *name;
		enum cli_cmd cmd;
	} cmds[] = { { "run", CLI_RUN },	 { "list", CLI_LIST },
		     { "compare", CLI_COMPARE }, { "serve", CLI_SERVE },
		     { "help", CLI_HELP },	 { "version", CLI_VERSION } };

	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(word, cmds[i].name) == 0) {
			out->cmd = cmds[i].cmd;
			return 0;
		}
	}
	msg_fmt(err, len,
		"unknown command '%s': use run, list, compare or "
		"serve (see conviz --help)",
		msg_quote(word, &q));
	return -1;
}

int cli_parse(int argc, char **argv, struct cli *out, char *err, size_t errlen)
{
	struct msg_quote q;
	int i = 1;
	int help = 0;

	memset(out, 0, sizeof *out);
	out->model = -1;
	out->gil = -1;
	out->port = -1;
	if (i < argc && argv[i][0] != '-') {
		if (parse_command(argv[i], out, err, errlen) < 0)
			return -1;
		i++;
	}
	for (; i < argc; i++) {
		if (argv[i][0] != '-' || argv[i][1] == '\0') {
			msg_fmt(err, errlen,
				"unexpected argument '%s': see "
				"conviz --help",
				msg_quote(argv[i], &q));
			return -1;
		}
		if (parse_option(argc, argv, &i, out, &help, err, errlen) < 0)
			return -1;
	}
	if (help)
		out->cmd = (enum cli_cmd)help;
	else if (out->cmd != CLI_SERVE && (out->port >= 0 || out->bind)) {
		msg_fmt(err, errlen,
			"--%s belongs to 'conviz serve': leave it out",
			out->port >= 0 ? "port" : "bind");
		return -1;
	}
	return 0;
}

void cli_usage(FILE *to)
{
	fputs("Usage: conviz [run] [OPTIONS]      watch a scenario run (TUI, "
	      "or headless)\n"
	      "       conviz list                 scenarios and models\n"
	      "       conviz serve [--port N] [--bind ADDR]\n"
	      "                                   the embedded HTTP server "
	      "alone\n"
	      "       conviz --help | --version\n"
	      "\n"
	      "conviz makes concurrency visible: one timeline lane per worker, "
	      "blue\n"
	      "while computing, cyan while ready but waiting for a core, red "
	      "while\n"
	      "waiting on I/O, yellow while waiting for a lock or the GIL. "
	      "Compare\n"
	      "models and see why one wins.\n"
	      "\n"
	      "Options:\n"
	      "  -s, --scenario NAME|FILE  scenario to run (default: fib); a "
	      "name from\n"
	      "                            'conviz list' or a path containing "
	      "'/'\n"
	      "  -m, --model MODEL         sync or threads (async and procs: "
	      "not yet)\n"
	      "  -w, --workers N           pool size, 1..1024 (default: the "
	      "scenario's)\n"
	      "      --gil | --no-gil      simulated GIL on (default) or off\n"
	      "      --seed N              random seed: the embedded server's "
	      "jitter in\n"
	      "                            I/O scenarios (CPU scenarios "
	      "ignore it)\n"
	      "      --scale F             multiply each task's work by F (0 < "
	      "F <= 1000;\n"
	      "                            CPU-bound scenarios)\n"
	      "      --headless            no TUI: print an ASCII timing "
	      "diagram and a\n"
	      "                            'summary:' line (implied when "
	      "stdout is not a\n"
	      "                            terminal)\n"
	      "      --url-file FILE       I/O scenarios: GET the URLs of FILE "
	      "(one a line)\n"
	      "      --port N              serve: the port (default 0: any "
	      "free one)\n"
	      "      --bind ADDR           serve: the address (default "
	      "127.0.0.1)\n"
	      "  -h, --help                this text\n"
	      "  -V, --version             the version\n"
	      "\n"
	      "Keys in the TUI: r run again, m model, s scenario, +/- workers, "
	      "g GIL,\n"
	      "? help, q quit.\n"
	      "\n"
	      "The summary's fields (ok, failed, wrong, ready_s, dropped, "
	      "stalls,\n"
	      "stall_s, ...) are explained in conviz(1).\n"
	      "\n"
	      "Exit status: 0 run completed, 1 run could not complete (or an "
	      "answer\n"
	      "was wrong: conviz itself is broken), 2 usage or input error. "
	      "See\n"
	      "conviz(1).\n",
	      to);
}
