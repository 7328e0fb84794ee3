/* cli.c - the command line: subcommands and options (the numbers in
 * them: core/num.c). */
#include "config.h"

#include "app/cli.h"

#include <string.h>

#include "app/run.h"
#include "app/scenario.h"
#include "core/msg.h"
#include "core/num.h"
#include "core/timeline.h"
#include "models/model.h"
#include "models/procs.h"

enum opt_id {
	OPT_SCENARIO,
	OPT_MODEL,
	OPT_WORKERS,
	OPT_GIL,
	OPT_NO_GIL,
	OPT_SEED,
	OPT_SCALE,
	OPT_LIMIT,
	OPT_CHUNK,
	OPT_START,
	OPT_HEADLESS,
	OPT_URL_FILE,
	OPT_VIEW,
	OPT_NO_MOUSE,
	OPT_TRACE,
	OPT_SVG,
	OPT_CSV,
	OPT_SWEEP,
	OPT_PORT,
	OPT_BIND,
	OPT_HELP,
	OPT_VERSION
};

/* Which subcommands take an option: one bit per enum cli_cmd. `conviz`
 * alone (the TUI) takes run's options; compare takes what DESIGN.md gives
 * it; list takes none; --help and --version go anywhere. */
#define ON(cmd) (1u << (cmd))
#define ON_RUN (ON(CLI_TUI) | ON(CLI_RUN))
#define ON_ANY (~0u)

struct opt {
	char shortname;
	const char *longname;
	int takes_value;
	enum opt_id id;
	unsigned on; /* the subcommands that take it (ON bits) */
};

static const struct opt opts[] = {
	{ 's', "scenario", 1, OPT_SCENARIO, ON_RUN | ON(CLI_COMPARE) },
	{ 'm', "model", 1, OPT_MODEL, ON_RUN | ON(CLI_COMPARE) },
	{ 'w', "workers", 1, OPT_WORKERS, ON_RUN },
	/* compare too: the GIL of the model --sweep varies. */
	{ 0, "gil", 0, OPT_GIL, ON_RUN | ON(CLI_COMPARE) },
	{ 0, "no-gil", 0, OPT_NO_GIL, ON_RUN | ON(CLI_COMPARE) },
	/* serve too: the server draws its jitter and /bytes/N from it. */
	{ 0, "seed", 1, OPT_SEED, ON_RUN | ON(CLI_SERVE) | ON(CLI_COMPARE) },
	{ 0, "scale", 1, OPT_SCALE, ON_RUN },
	{ 0, "limit", 1, OPT_LIMIT, ON_RUN },
	{ 0, "chunk", 1, OPT_CHUNK, ON_RUN },
	{ 0, "start", 1, OPT_START, ON_RUN },
	{ 0, "headless", 0, OPT_HEADLESS,
	  ON_RUN | ON(CLI_COMPARE) | ON(CLI_REPLAY) },
	{ 0, "url-file", 1, OPT_URL_FILE, ON_RUN },
	{ 0, "view", 1, OPT_VIEW, ON_RUN },
	{ 0, "no-mouse", 0, OPT_NO_MOUSE,
	  ON_RUN | ON(CLI_COMPARE) | ON(CLI_REPLAY) },
	{ 0, "trace", 1, OPT_TRACE, ON_RUN | ON(CLI_COMPARE) | ON(CLI_REPLAY) },
	{ 0, "svg", 1, OPT_SVG, ON_RUN | ON(CLI_COMPARE) | ON(CLI_REPLAY) },
	{ 0, "csv", 1, OPT_CSV, ON_RUN | ON(CLI_COMPARE) | ON(CLI_REPLAY) },
	{ 0, "sweep", 1, OPT_SWEEP, ON(CLI_COMPARE) },
	{ 0, "port", 1, OPT_PORT, ON(CLI_SERVE) },
	{ 0, "bind", 1, OPT_BIND, ON(CLI_SERVE) },
	{ 'h', "help", 0, OPT_HELP, ON_ANY },
	{ 'V', "version", 0, OPT_VERSION, ON_ANY },
};

/* The subcommands. A command that is not ready is parsed (its options
 * checked against the table above) and then refused as not available in
 * this version; only ready, listed ones are suggested for a typo. */
static const struct cmd {
	const char *name;
	enum cli_cmd cmd;
	int ready;
	int listed;
} cmds[] = {
	{ "run", CLI_RUN, 1, 1 },	{ "compare", CLI_COMPARE, 1, 1 },
	{ "list", CLI_LIST, 1, 1 },	{ "serve", CLI_SERVE, 1, 1 },
	{ "help", CLI_HELP, 1, 0 },	{ "version", CLI_VERSION, 1, 0 },
	{ "replay", CLI_REPLAY, 1, 1 },
};

/* One command line being parsed. */
struct parse {
	int argc;
	char **argv;
	int i; /* the argument at hand */
	struct cli *out;
	const struct cmd *cmd; /* NULL: `conviz` alone */
	int help;	       /* CLI_HELP or CLI_VERSION once asked for */
	/* The first option the subcommand does not take, as written
	 * ("-s", "--scenario" without its "=value"). */
	const char *misplaced;
	int misplaced_len;
	char *err;
	size_t errlen;
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
			"use -m sync, threads or async",
			msg_quote(v, &q));
		return -1;
	}
	out->model = m;
	return 0;
}

static int view_value(const char *v, struct cli *out, char *err, size_t len)
{
	struct msg_quote q;

	if (strcmp(v, "worker") == 0) {
		out->view = TIMELINE_BY_WORKER;
		return 0;
	}
	if (strcmp(v, "task") == 0) {
		out->view = TIMELINE_BY_TASK;
		return 0;
	}
	msg_fmt(err, len, "bad view '%s': use worker or task",
		msg_quote(v, &q));
	return -1;
}

/* --sweep A..B: a range of worker counts. */
static int sweep_value(const char *v, struct cli *out, char *err, size_t len)
{
	struct msg_quote q;
	const char *dots = strstr(v, "..");
	char from[24];
	long a, b;

	if (dots && (size_t)(dots - v) < sizeof from) {
		memcpy(from, v, (size_t)(dots - v));
		from[dots - v] = '\0';
		if (num_parse_long(from, 1, RUN_WORKERS_MAX, &a) == 0 &&
		    num_parse_long(dots + 2, a, RUN_WORKERS_MAX, &b) == 0) {
			out->sweep_from = (int)a;
			out->sweep_to = (int)b;
			return 0;
		}
	}
	msg_fmt(err, len,
		"bad sweep '%s': use a range of worker counts A..B with "
		"1 <= A <= B <= %d (e.g. --sweep 1..16)",
		msg_quote(v, &q), RUN_WORKERS_MAX);
	return -1;
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
	case OPT_CHUNK:
		if (num_parse_long(v, 1, RUN_CHUNK_MAX, &n) == 0) {
			out->chunk = (int)n;
			return 0;
		}
		msg_fmt(err, len,
			"bad chunk '%s': use a whole number of tasks from 1 "
			"to %d",
			msg_quote(v, &q), RUN_CHUNK_MAX);
		return -1;
	case OPT_LIMIT:
		if (num_parse_long(v, 1, RUN_LIMIT_MAX, &n) == 0) {
			out->limit = (int)n;
			return 0;
		}
		msg_fmt(err, len,
			"bad limit '%s': use a whole number of connections "
			"from 1 to %d",
			msg_quote(v, &q), RUN_LIMIT_MAX);
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

/* --trace, --svg, --csv: a file name, not empty. */
static int export_value(const struct opt *o, const char *v, struct cli *out,
			char *err, size_t len)
{
	if (!*v) {
		msg_fmt(err, len, "empty file name for --%s: give a path",
			o->longname);
		return -1;
	}
	if (o->id == OPT_TRACE)
		out->trace = v;
	else if (o->id == OPT_SVG)
		out->svg = v;
	else
		out->csv = v;
	return 0;
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
	case OPT_TRACE:
	case OPT_SVG:
	case OPT_CSV:
		return export_value(o, v, out, err, len);
	case OPT_VIEW:
		return view_value(v, out, err, len);
	case OPT_SWEEP:
		return sweep_value(v, out, err, len);
	case OPT_START:
		out->start = procs_start_find(v) + 1;
		if (out->start > 0)
			return 0;
		msg_fmt(err, len,
			"unknown start method '%s': use forkserver, fork or "
			"spawn",
			msg_quote(v, &q));
		return -1;
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
	case OPT_NO_MOUSE:
		out->no_mouse = 1;
		break;
	case OPT_HELP:
		out->cmd = CLI_HELP;
		break;
	default:
		out->cmd = CLI_VERSION;
		break;
	}
}

/* Notes the first option the subcommand does not take, and skips its
 * value: cli_parse refuses it unless help was asked for. */
static void misplaced_option(struct parse *p, const struct opt *o,
			     const char *inline_value)
{
	const char *arg = p->argv[p->i];

	if (!p->misplaced) {
		p->misplaced = arg;
		p->misplaced_len = inline_value ? (int)(inline_value - 1 - arg)
						: (int)strlen(arg);
	}
	if (o->takes_value && !inline_value && p->i + 1 < p->argc)
		p->i++;
}

/* Parses one option at argv[p->i], consuming its value. 0 or -1. */
static int parse_option(struct parse *p)
{
	struct msg_quote q;
	const char *arg = p->argv[p->i];
	const char *v;
	const struct opt *o = opt_lookup(arg, &v);
	enum cli_cmd cmd = p->out->cmd;

	if (!o) {
		msg_fmt(p->err, p->errlen,
			"unknown option '%s': see conviz --help",
			msg_quote(arg, &q));
		return -1;
	}
	if (!(o->on & ON(cmd))) {
		misplaced_option(p, o, v);
		return 0;
	}
	if (!o->takes_value) {
		apply_flag(o, p->out);
		if (p->out->cmd != cmd) { /* --help, --version */
			p->help = p->out->cmd;
			p->out->cmd = cmd;
		}
		return 0;
	}
	if (!v) {
		if (p->i + 1 >= p->argc) {
			msg_fmt(p->err, p->errlen,
				"option '%s' needs a value: see "
				"conviz --help",
				msg_quote(arg, &q));
			return -1;
		}
		v = p->argv[++p->i];
	}
	return apply_value(o, v, p->out, p->err, p->errlen);
}

/* "unknown command 'WORD': use run, list or serve (see conviz --help)",
 * naming the commands that work in this version. */
static int unknown_command(const char *word, char *err, size_t len)
{
	struct msg_quote q;
	char names[128] = "";
	size_t n = 0, k = 0;

	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		n += cmds[i].ready && cmds[i].listed;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (!cmds[i].ready || !cmds[i].listed)
			continue;
		k++;
		msg_fmt(names + strlen(names), sizeof names - strlen(names),
			"%s%s",
			k == 1	 ? ""
			: k == n ? " or "
				 : ", ",
			cmds[i].name);
	}
	msg_fmt(err, len, "unknown command '%s': use %s (see conviz --help)",
		msg_quote(word, &q), names);
	return -1;
}

static int parse_command(struct parse *p, const char *word)
{
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(word, cmds[i].name) == 0) {
			p->cmd = &cmds[i];
			p->out->cmd = cmds[i].cmd;
			return 0;
		}
	}
	return unknown_command(word, p->err, p->errlen);
}

/* What the whole command line says, once every option is read: help
 * wins; then an option the subcommand does not take; then a subcommand
 * that is not in this version. 0 or -1. */
/* A word that is not an option: replay's FILE, once; else a mistake. */
static int parse_word(struct parse *p)
{
	struct msg_quote q;
	const char *w = p->argv[p->i];

	if (p->cmd && p->cmd->cmd == CLI_REPLAY && !p->out->replay) {
		p->out->replay = w;
		return 0;
	}
	msg_fmt(p->err, p->errlen,
		"unexpected argument '%s': see conviz --help",
		msg_quote(w, &q));
	return -1;
}

static int parse_end(struct parse *p)
{
	const char *cmd = p->cmd ? p->cmd->name : NULL;

	if (p->help) {
		p->out->cmd = (enum cli_cmd)p->help;
		return 0;
	}
	if (p->out->cmd == CLI_HELP || p->out->cmd == CLI_VERSION)
		return 0;
	if (p->misplaced) {
		msg_fmt(p->err, p->errlen,
			"%.*s does not belong to 'conviz%s%s': leave it out "
			"(see conviz --help)",
			p->misplaced_len, p->misplaced, cmd ? " " : "",
			cmd ? cmd : "");
		return -1;
	}
	if (p->out->cmd == CLI_REPLAY && !p->out->replay) {
		msg_fmt(p->err, p->errlen,
			"conviz replay needs a trace: conviz replay FILE.json "
			"(written by conviz run --trace FILE.json)");
		return -1;
	}
	if (p->cmd && !p->cmd->ready) {
		msg_fmt(p->err, p->errlen,
			"'conviz %s' is not available yet in this version: "
			"use 'conviz run -m MODEL' meanwhile",
			cmd);
		return -1;
	}
	return 0;
}

int cli_parse(int argc, char **argv, struct cli *out, char *err, size_t errlen)
{
	struct parse p = { .argc = argc,
			   .argv = argv,
			   .i = 1,
			   .out = out,
			   .err = err,
			   .errlen = errlen };

	memset(out, 0, sizeof *out);
	out->model = -1;
	out->gil = -1;
	out->port = -1;
	out->view = -1;
	if (p.i < argc && argv[p.i][0] != '-') {
		if (parse_command(&p, argv[p.i]) < 0)
			return -1;
		p.i++;
	}
	for (; p.i < argc; p.i++) {
		int rc = argv[p.i][0] != '-' || argv[p.i][1] == '\0'
				 ? parse_word(&p)
				 : parse_option(&p);
		if (rc < 0)
			return -1;
	}
	return parse_end(&p);
}

/* --help, in three parts: what conviz is, run's options, the rest. */
static void usage_head(FILE *to)
{
	fputs("Usage: conviz [run] [RUN OPTIONS]  watch a scenario run (TUI, "
	      "or headless)\n"
	      "       conviz compare [-s SCENARIO] [--seed N] [--headless] "
	      "[--no-mouse]\n"
	      "                                   every model on one scenario, "
	      "side by side\n"
	      "       conviz compare [-s SCENARIO] -m MODEL --sweep A..B "
	      "[--no-gil] ...\n"
	      "                                   one model over a range of "
	      "worker counts\n"
	      "       conviz list                 scenarios and models (no "
	      "options)\n"
	      "       conviz serve [--port N] [--bind ADDR] [--seed N]\n"
	      "                                   the embedded HTTP server "
	      "alone\n"
	      "       conviz replay FILE.json [--headless] [--svg F] ...\n"
	      "                                   play a trace saved by "
	      "--trace (or p):\n"
	      "                                   nothing runs, the explore "
	      "keys work\n"
	      "       conviz --help | --version\n"
	      "\n"
	      "conviz makes concurrency visible: one timeline lane per worker, "
	      "blue\n"
	      "while computing, cyan while ready but waiting for a core, red "
	      "while\n"
	      "waiting on I/O, yellow while waiting for a lock or the GIL. "
	      "Compare\n"
	      "models and see why one wins.\n"
	      "\n",
	      to);
}

static void usage_run(FILE *to)
{
	fputs("Run options (conviz run, and conviz alone):\n"
	      "  -s, --scenario NAME|FILE  scenario to run (default: fib); a "
	      "name from\n"
	      "                            'conviz list' or a path containing "
	      "'/'\n"
	      "  -m, --model MODEL         sync, threads, async or procs\n"
	      "  -w, --workers N           pool size, 1..1024 (default: the "
	      "scenario's;\n"
	      "                            procs: one process per core, at "
	      "most 256)\n"
	      "      --gil | --no-gil      simulated GIL on (default) or off\n"
	      "      --seed N              random seed: the embedded server's "
	      "jitter in\n"
	      "                            I/O scenarios, the bank's "
	      "transfers, "
	      "the\n"
	      "                            philosophers' thinking (CPU "
	      "scenarios\n"
	      "                            ignore it)\n"
	      "      --scale F             multiply each task's work by F (0 < "
	      "F <= 1000;\n"
	      "                            CPU-bound scenarios and the counter "
	      "only)\n"
	      "      --headless            no TUI: print an ASCII timing "
	      "diagram and a\n"
	      "                            'summary:' line (implied when "
	      "stdout is not a\n"
	      "                            terminal)\n"
	      "      --url-file FILE       I/O scenarios: GET the URLs of FILE "
	      "(one a line)\n"
	      "      --limit N             -m async: connections open at once, "
	      "1..10000\n"
	      "                            (default 100, as aiohttp's)\n"
	      "      --start METHOD        -m procs: how a worker process "
	      "starts:\n"
	      "                            forkserver (default), fork or "
	      "spawn\n"
	      "      --chunk N             -m procs: tasks handed to a worker "
	      "at a time,\n"
	      "                            1..100000 (default 1)\n"
	      "      --view worker|task    one lane per worker (w0..) or per "
	      "task (t0..);\n"
	      "                            default: task for async, worker "
	      "for the others\n"
	      "      --no-mouse            the TUI leaves the mouse to the "
	      "terminal (no\n"
	      "                            clicks on lanes, no wheel zoom)\n"
	      "      --trace FILE.json     write the run as a Chrome trace "
	      "(Perfetto,\n"
	      "                            chrome://tracing; conviz replay "
	      "reads it)\n"
	      "      --svg FILE.svg        write its timing diagram as SVG "
	      "(for slides)\n"
	      "      --csv FILE.csv        write its segments and markers as "
	      "CSV\n"
	      "                            (compare too: all its runs in one "
	      "file; the\n"
	      "                            TUI writes its first run once it is "
	      "over)\n"
	      "\n",
	      to);
}

/* --help's paragraph on the TUI's keys. */
static void usage_keys(FILE *to)
{
	fputs("Keys in the TUI: r run again, m pick a model, s pick a "
	      "scenario,\n"
	      "+/- workers, g GIL, v lanes per worker or task, x kill a worker "
	      "process\n"
	      "(procs), c compare every model, w sweep the workers (Esc "
	      "closes them),\n"
	      "e the lesson card beside the lanes, Up/Down PgUp/PgDn scroll "
	      "the "
	      "lanes,\n"
	      "? help (the lesson, keys, colours), q quit. Exploring a run: "
	      "Space\n"
	      "pauses (a cursor), Left/Right step from event to event, Home "
	      "rewinds,\n"
	      "End goes back to live, [ ] replay slower or faster (x0.1 to "
	      "x10),\n"
	      "i/o zoom, < > pan, Tab selects a lane (its tasks; Enter goes to "
	      "one),\n"
	      "the mouse clicks a lane or the axis and zooms with the wheel; "
	      "p saves\n"
	      "the run on screen as conviz-SCENARIO-MODEL-DATE.json, .svg and "
	      ".csv.\n"
	      "\n",
	      to);
}

void cli_usage(FILE *to)
{
	usage_head(to);
	usage_run(to);
	fputs("Compare (conviz compare): runs the scenario under sync, "
	      "threads, async\n"
	      "and procs in turn, each with its defaults (and threads without "
	      "the GIL\n"
	      "for CPU-bound work), then prints a table of wall times and "
	      "speed-ups\n"
	      "over sync and one 'summary:' line per model with speedup= "
	      "(headless; on\n"
	      "a terminal the TUI shows the runs on one time axis, then the "
	      "table).\n"
	      "  -m MODEL --sweep A..B     instead, run MODEL (threads or "
	      "procs) with A,\n"
	      "                            A+1, ... B workers: a table and "
	      "chart of wall\n"
	      "                            time against workers, and one "
	      "'sweep:' line per\n"
	      "                            count (speed-up over 1 worker)\n"
	      "      --gil | --no-gil      with --sweep: the model's GIL "
	      "(default on)\n"
	      "      --trace, --svg, --csv FILE\n"
	      "                            as for run: every run of the "
	      "comparison in one\n"
	      "                            file (a process, or a block of "
	      "lanes, each)\n"
	      "\n"
	      "Serve options (conviz serve):\n"
	      "      --port N              the port (default 0: any free one)\n"
	      "      --bind ADDR           the address (default 127.0.0.1); "
	      "0.0.0.0 or ::\n"
	      "                            listen on every address, and each "
	      "URL is printed\n"
	      "      --seed N              random seed of the waits' jitter "
	      "and "
	      "/bytes/N\n"
	      "\n"
	      "Anywhere:\n"
	      "  -h, --help                this text\n"
	      "  -V, --version             the version\n"
	      "\n"
	      "An option given to a command that does not take it is refused "
	      "(exit 2).\n"
	      "\n",
	      to);
	usage_keys(to);
	fputs("The summary's fields (ok, failed, wrong, ready_s, dropped, "
	      "stalls,\n"
	      "stall_s, the race lab's lost_updates, lock_wait_s, deadlock, "
	      "...) are\n"
	      "explained in conviz(1).\n"
	      "\n"
	      "Exit status: 0 run completed, 1 run could not complete (or an "
	      "answer\n"
	      "was wrong: conviz itself is broken), 2 usage or input error. "
	      "See\n"
	      "conviz(1).\n",
	      to);
}
