/* app.c - from a parsed command line to a run, a list, or a message. */
#include "config.h"

#include "app/app.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/compare.h"
#include "app/recording.h"
#include "app/replay.h"
#include "app/report.h"
#include "app/run.h"
#include "app/scenario.h"
#include "core/datadir.h"
#include "core/msg.h"
#include "core/urllist.h"
#include "models/model.h"
#include "models/procs.h"
#include "rt/coro.h"
#include "server/server.h"
#include "work/work.h"

/* --url-file's URLs: loaded once, borrowed by every run of the session
 * (the TUI's too, whichever I/O scenario it switches to). */
static struct urllist app_urls;

/* What --url-file and --scale mean depends on the workload. */
static int app_io_options(const struct cli *cli, struct run_config *cfg,
			  char *err, size_t errlen)
{
	const struct work_ops *w = work_find(cfg->sc.workload);

	if (!w->io && cli->url_file) {
		msg_fmt(err, errlen,
			"--url-file works only with I/O scenarios (sites, "
			"pokemon, httpbin), and '%s' %s: leave "
			"--url-file out",
			cfg->sc.name,
			w->describe ? "is CPU-bound" : "GETs nothing");
		return -1;
	}
	if (!w->io && !w->describe && cli->scale > 0) {
		msg_fmt(err, errlen,
			"--scale multiplies CPU work, and '%s' has none to "
			"multiply (its waits are the tutorial's): leave "
			"--scale out",
			cfg->sc.name);
		return -1;
	}
	if (w->io && cli->scale > 0) {
		msg_fmt(err, errlen,
			"--scale multiplies CPU work, and '%s' is I/O-bound: "
			"leave --scale out (the waits come from "
			"data/www/latency.conf)",
			cfg->sc.name);
		return -1;
	}
	if (!cli->url_file)
		return 0;
	urllist_free(&app_urls);
	if (urllist_load(cli->url_file, &app_urls, err, errlen) < 0)
		return -1;
	cfg->urls = &app_urls;
	cfg->urls_from = cli->url_file;
	return 0;
}

/* The data an I/O run's embedded server will read (latency profile,
 * pages), checked before anything starts: a mistake there is an input
 * error (exit 2), not a run that could not complete. Only when the run
 * will start the server (a URL is a path). */
static int app_check_server(const struct run_config *cfg, char *err,
			    size_t errlen)
{
	struct server_config sc = { .seed = cfg->seed };
	struct urllist own;
	int needs;

	if (!work_find(cfg->sc.workload)->io)
		return 0;
	if (cfg->urls) {
		needs = urllist_needs_server(cfg->urls);
	} else {
		/* Checked by the scenario's parser; the run tells it if not. */
		if (urllist_words(cfg->sc.urls, &own, err, errlen) < 0)
			return 0;
		needs = urllist_needs_server(&own);
		urllist_free(&own);
	}
	return needs ? server_check_data(&sc, err, errlen) : 0;
}

/* Files a run may keep open besides its sockets (the ring, the data
 * files, the terminal, libcurl's own). */
#define APP_FILES_HEADROOM 256

/* Lets the process open as many files as it may: the soft limit raised to
 * the hard one. Thousands of GETs at once need a socket each, and as many
 * again for the embedded server's side. */
static void app_raise_files(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* Will the run's GETs at once fit in the files this process may open? An
 * I/O run keeps a socket per request in flight (two with the embedded
 * server: its side too); async has up to min(tasks, limit) in flight, the
 * others one per worker. */
static int app_check_files(const struct run_config *cfg, char *err,
			   size_t errlen)
{
	const struct model_ops *m = model_get(cfg->model);
	struct rlimit rl;
	long at_once = m->pooled ? cfg->workers : 1;
	long need;

	if (!work_find(cfg->sc.workload)->io ||
	    getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if (cfg->model == MODEL_ASYNC)
		at_once = cfg->limit > 0 ? cfg->limit : RUN_LIMIT_DEFAULT;
	if (at_once > cfg->sc.tasks)
		at_once = cfg->sc.tasks;
	need = 2 * at_once + APP_FILES_HEADROOM;
	if ((rlim_t)need <= rl.rlim_cur)
		return 0;
	msg_fmt(err, errlen,
		"%ld GETs at once need about %ld open files, and this process "
		"may open %ld: raise the limit (ulimit -n %ld) or ask for "
		"fewer at once (--limit, -w)",
		at_once, need, (long)rl.rlim_cur, need);
	return -1;
}

/* --chunk and --start belong to the procs model. */
static int app_procs_options(const struct cli *cli, struct run_config *cfg,
			     char *err, size_t errlen)
{
	const char *opt = cli->chunk > 0 ? "--chunk" : "--start";

	if ((cli->chunk > 0 || cli->start > 0) && cfg->model != MODEL_PROCS) {
		msg_fmt(err, errlen,
			"%s is for the worker processes of the procs model, "
			"and the model is %s: add -m procs or leave %s out",
			opt, model_get(cfg->model)->name, opt);
		return -1;
	}
	cfg->chunk = cli->chunk;
	cfg->start = cli->start > 0 ? cli->start - 1 : PROCS_FORKSERVER;
	return 0;
}

int app_config(const struct cli *cli, struct run_config *cfg, char *err,
	       size_t errlen)
{
	memset(cfg, 0, sizeof *cfg);
	if (scenario_load(cli->scenario ? cli->scenario : APP_DEFAULT_SCENARIO,
			  &cfg->sc, err, errlen) < 0)
		return -1;
	if (app_io_options(cli, cfg, err, errlen) < 0)
		return -1;
	cfg->model =
		cli->model >= 0 ? (enum model_id)cli->model : APP_DEFAULT_MODEL;
	if (cli->limit > 0 && cfg->model != MODEL_ASYNC) {
		msg_fmt(err, errlen,
			"--limit caps the connections of the async model, and "
			"the model is %s: add -m async or leave --limit out",
			model_get(cfg->model)->name);
		return -1;
	}
	if (app_procs_options(cli, cfg, err, errlen) < 0)
		return -1;
	cfg->workers = cli->workers;
	if (cfg->workers == 0)
		cfg->workers = run_default_workers(&cfg->sc, cfg->model);
	if (cfg->workers > run_workers_max(cfg->model)) {
		msg_fmt(err, errlen,
			"-w %d asks for %d worker processes, and this machine "
			"allows %d: use -w 1 to %d",
			cfg->workers, cfg->workers, run_workers_max(cfg->model),
			run_workers_max(cfg->model));
		return -1;
	}
	/* Kept for sync too (which runs one worker whatever it says), so a
	 * switch to a pooled model in the TUI gets the scenario's pool. */
	cfg->gil = cli->gil != 0;
	cfg->limit = cli->limit;
	cfg->seed = cli->have_seed ? cli->seed : 1;
	cfg->scale = cli->scale > 0 ? cli->scale : cfg->sc.scale;
	cfg->view = cli->view;
	if (app_check_files(cfg, err, errlen) < 0)
		return -1;
	return app_check_server(cfg, err, errlen);
}

/* Did everything written to stdout get out? A full disk or a closed
 * stdout must not pass for success. A reader that went away (`conviz list
 * | head -1`) stopped reading on purpose: APP_FAILED too, but quietly
 * (msg_reader_gone). */
static int app_flushed(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return APP_OK;
	if (!msg_reader_gone(stdout))
		msg_error("cannot write to standard output",
			  "check the disk space or where stdout goes");
	return APP_FAILED;
}

/* One scenario of `conviz list`: its name and what `run` does at its own
 * scale. A line too long for 80 columns goes on at its last clause ("; ")
 * on a second line, under the first; a name too long for its column has
 * a line of its own. */
#define LIST_NAME_COLS 15

static void app_list_scenario(const struct scenario *sc)
{
	char title[WORK_TITLE_MAX];
	const char *cut;

	work_title(sc, sc->scale, title, sizeof title);
	if (strlen(sc->name) > LIST_NAME_COLS) {
		printf("  %s\n", sc->name);
		printf("  %-*s %s\n", LIST_NAME_COLS, "", title);
		return;
	}
	cut = strrchr(title, ';');
	if (strlen(title) <= 80 - 3 - LIST_NAME_COLS || !cut || cut[1] != ' ') {
		printf("  %-*s %s\n", LIST_NAME_COLS, sc->name, title);
		return;
	}
	printf("  %-*s %.*s\n", LIST_NAME_COLS, sc->name, (int)(cut - title),
	       title);
	printf("  %-*s %s\n", LIST_NAME_COLS, "", cut + 2);
}

static int app_list(void)
{
	struct msg_quote q;
	size_t n;
	char **names;
	char err[768];

	if (datadir_check(err, sizeof err) < 0) {
		msg_print(err);
		return APP_USAGE;
	}
	names = scenario_names(&n);
	printf("Scenarios (conviz run -s NAME):\n");
	for (size_t i = 0; i < n; i++) {
		struct scenario sc;
		if (scenario_load(names[i], &sc, err, sizeof err) < 0) {
			printf("  %-15s (unreadable: %s)\n", names[i], err);
			continue;
		}
		app_list_scenario(&sc);
	}
	if (n == 0)
		printf("  (none found in %s/scenarios: set CONVIZ_DATADIR)\n",
		       msg_quote_path(datadir_path(), &q));
	scenario_names_free(names);
	printf("\nModels (conviz run -m MODEL):\n");
	for (int m = 0; m < MODEL_COUNT; m++) {
		const struct model_ops *mo = model_get((enum model_id)m);
		printf("  %-15s %s\n", mo->name, mo->about);
	}
	return app_flushed();
}

static int app_run(const struct cli *cli, app_tui_fn tui)
{
	struct report_exports x = { cli->trace, cli->svg, cli->csv };
	struct run_config cfg;
	char err[768];
	int rc;

	if (app_config(cli, &cfg, err, sizeof err) < 0 ||
	    report_exports_check(&x, err, sizeof err) < 0) {
		msg_print(err);
		return APP_USAGE;
	}
	/* Before any thread: the forkserver must be forked from a process
	 * that has one. The TUI may switch to procs later, so always. */
	if (procs_init(run_procs_child, err, sizeof err) < 0 &&
	    cfg.model == MODEL_PROCS && cfg.start == PROCS_FORKSERVER) {
		msg_print(err);
		return APP_FAILED;
	}
	if (cli->headless || !isatty(STDOUT_FILENO))
		rc = report_headless(&cfg, stdout, &x);
	else
		rc = tui(&cfg,
			 &(struct app_tui_start){ .no_mouse = cli->no_mouse,
						  .exports = x });
	urllist_free(&app_urls);
	return rc;
}

static volatile sig_atomic_t serve_stop;

/* Only a flag: the server's loop looks at it (STYLE.md, as tmux does). */
static void serve_on_signal(int sig)
{
	(void)sig;
	serve_stop = 1;
}

/* Sets sa as the action of sig. 0, or -1 after saying so. */
static int app_sigaction(int sig, const struct sigaction *sa)
{
	if (sigaction(sig, sa, NULL) == 0)
		return 0;
	msg_errorf("please report it, with the command line that did it",
		   "cannot set up signal %d (%s)", sig, strerror(errno));
	return -1;
}

/* Sets fn as the action of sig. 0, or -1 after saying so. */
static int app_signal(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	return app_sigaction(sig, &sa);
}

/* On the loop thread's signal stack (the coroutine pool set it up): the
 * coroutine's own is full. SA_RESETHAND has put the default action
 * back: raised again, the signal waits until we return, then ends the
 * program with its usual status. */
static void app_on_crash(int sig, siginfo_t *si, void *uc)
{
	const char *line = coro_crash_line(sig, si ? si->si_addr : NULL);

	(void)uc;
	if (line) {
		ssize_t n = write(STDERR_FILENO, line, strlen(line));
		(void)n; /* nothing more can be done about a failed write */
	}
	raise(sig);
}

int app_catch_overflow(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = app_on_crash;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (app_sigaction(sigs[i], &sa) != 0)
			return -1;
	return 0;
}

/* Where the class reaches the server: the first URL, then the others
 * (bound to 0.0.0.0 or ::, one an address of this machine), loopback
 * ones last and marked. */
static void app_serve_urls(const struct server *s)
{
	struct server_reach at[SERVER_REACH_MAX];
	int n = server_urls(s, at, SERVER_REACH_MAX);

	printf("conviz: serving %s (Ctrl-C stops)\n", at[0].url);
	for (int i = 1; i < n; i++)
		printf("conviz: also serving %s%s\n", at[i].url,
		       at[i].loopback ? " (this machine only)" : "");
}

/* `conviz serve`: the embedded server alone, in the foreground, one log
 * line per request on stdout, until Ctrl-C (or SIGTERM). */
static int app_serve(const struct cli *cli)
{
	struct server_config cfg = { .bind = cli->bind,
				     .port = cli->port < 0 ? 0 : cli->port,
				     .seed = cli->have_seed ? cli->seed : 1,
				     .log = stdout };
	char err[768];
	struct server *s;
	int rc;

	if (cli->bind && server_check_bind(cli->bind, err, sizeof err) < 0) {
		msg_print(err);
		return APP_USAGE;
	}
	/* Bad data is an input error; a port in use, below, is not. No
	 * data directory at all says more than the file missing from it. */
	if (server_check_data(&cfg, err, sizeof err) < 0) {
		datadir_check(err, sizeof err);
		msg_print(err);
		return APP_USAGE;
	}
	if (app_signal(SIGINT, serve_on_signal) != 0 ||
	    app_signal(SIGTERM, serve_on_signal) != 0)
		return APP_FAILED;
	s = server_open(&cfg, err, sizeof err);
	if (s == NULL) {
		msg_print(err);
		return APP_FAILED;
	}
	if (!server_loopback(s))
		msg_error("the server is reachable from other machines "
			  "(--bind)",
			  "use --bind 127.0.0.1 unless the class should reach "
			  "it");
	app_serve_urls(s);
	server_print_routes(s, stdout);
	fflush(stdout);
	rc = server_run(s, &serve_stop);
	server_close(s);
	return rc == 0 ? app_flushed() : APP_FAILED;
}

/* Keeps 0, 1 and 2 taken: a file, socket or memfd conviz opens must never
 * become its stdout because stdout was closed. A closed one gets
 * /dev/null opened the wrong way round (stdin for writing, stdout and
 * stderr for reading), so using it fails as on a closed one. */
static void app_hold_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

/* conviz compare: every model on the scenario, one after the other. */
/* What compare's -m, --sweep and --gil/--no-gil say together: NULL if
 * they make sense, else why not. */
static const char *app_sweep_check(const struct cli *cli, char *err,
				   size_t errlen)
{
	enum model_id m = (enum model_id)cli->model;

	if (cli->model >= 0 && !cli->sweep_to)
		return "-m picks the model whose workers --sweep varies: add "
		       "--sweep A..B (e.g. --sweep 1..16), or leave -m out "
		       "to compare every model";
	if (cli->sweep_to && cli->model < 0)
		return "--sweep needs the model whose workers it varies: add "
		       "-m threads or -m procs";
	if (cli->gil >= 0 && !cli->sweep_to)
		return "--gil and --no-gil set the GIL of the model --sweep "
		       "varies; compare alone runs threads with and without "
		       "it: leave them out";
	if (!cli->sweep_to)
		return NULL;
	if (!model_get(m)->pooled) {
		msg_fmt(err, errlen,
			"--sweep varies the workers of a pool, and %s runs on "
			"one thread: use -m threads or -m procs",
			model_get(m)->name);
		return err;
	}
	if (cli->sweep_to > run_workers_max(m)) {
		msg_fmt(err, errlen,
			"--sweep %d..%d asks for %d worker processes, and this "
			"machine allows %d: end the range at %d or less",
			cli->sweep_from, cli->sweep_to, cli->sweep_to,
			run_workers_max(m), run_workers_max(m));
		return err;
	}
	return NULL;
}

/* conviz compare: every model on the scenario, one after the other; or
 * with --sweep, one model over a range of worker counts. Headless unless
 * stdout is a terminal, where the TUI shows it. */
static int app_compare(const struct cli *cli, app_tui_fn tui)
{
	struct app_tui_start start = {
		.compare = 1,
		.sweep_from = cli->sweep_from,
		.sweep_to = cli->sweep_to,
		.no_mouse = cli->no_mouse,
		.exports = { cli->trace, cli->svg, cli->csv },
	};
	struct run_config cfg;
	char err[768];
	const char *why = app_sweep_check(cli, err, sizeof err);

	if (why) {
		msg_print(why);
		return APP_USAGE;
	}
	if (app_config(cli, &cfg, err, sizeof err) < 0 ||
	    report_exports_check(&start.exports, err, sizeof err) < 0) {
		msg_print(err);
		return APP_USAGE;
	}
	/* Before any thread, as app_run: the procs row needs the
	 * forkserver; if it cannot start, that row says why. */
	(void)procs_init(run_procs_child, err, sizeof err);
	if (!cli->headless && isatty(STDOUT_FILENO)) {
		if (cli->sweep_to - cli->sweep_from + 1 > APP_TUI_SWEEP_MAX) {
			msg_fmt(err, sizeof err,
				"--sweep %d..%d is %d counts, and the TUI "
				"charts %d at most: add --headless, or use a "
				"shorter range",
				cli->sweep_from, cli->sweep_to,
				cli->sweep_to - cli->sweep_from + 1,
				APP_TUI_SWEEP_MAX);
			msg_print(err);
			return APP_USAGE;
		}
		return tui(&cfg, &start);
	}
	if (cli->sweep_to)
		return compare_sweep(&cfg, cli->sweep_from, cli->sweep_to,
				     stdout, &start.exports);
	return compare_headless(&cfg, stdout, &start.exports);
}

/* conviz replay FILE: the saved runs shown (the TUI plays them) or
 * reported (headless) as they were, nothing run. */
static int app_replay(const struct cli *cli, app_tui_fn tui)
{
	struct app_tui_start start = {
		.no_mouse = cli->no_mouse,
		.exports = { cli->trace, cli->svg, cli->csv },
		.replay_from = cli->replay,
	};
	struct recording **recs = NULL;
	char err[PATH_MAX + 512];
	int n = 0, rc;

	if (report_exports_check(&start.exports, err, sizeof err) < 0 ||
	    replay_load(cli->replay, &recs, &n, err, sizeof err) < 0) {
		msg_print(err);
		return APP_USAGE;
	}
	if (cli->headless || !isatty(STDOUT_FILENO)) {
		rc = report_replay(recs, n, stdout, &start.exports);
		replay_free(recs, n);
		return rc;
	}
	start.replay = recs;
	start.nreplay = n;
	rc = tui(&recs[0]->cfg, &start);
	free(recs); /* the TUI took the recordings over */
	return rc;
}

int app_main(int argc, char **argv, app_tui_fn tui)
{
	struct cli cli;
	char err[768];

	/* SIGPIPE ignored for every subcommand, before any thread starts (the
	 * threads inherit it): libcurl runs with CURLOPT_NOSIGNAL and the
	 * server writes with MSG_NOSIGNAL, yet a peer closing a socket must
	 * never kill conviz, nor a reader of stdout that goes away; writes
	 * then fail with EPIPE, which app_flushed and report_headless see. */
	/* A worker process of -m procs --start spawn: conviz run again,
	 * with nothing of the program's usual start. */
	if (argc >= 2 && strcmp(argv[1], PROCS_WORKER_ARG) == 0)
		return procs_spawned_main(argc - 2, argv + 2, run_procs_child);
	app_hold_std_fds();
	if (app_signal(SIGPIPE, SIG_IGN) != 0 || app_catch_overflow() != 0)
		return APP_FAILED;
	app_raise_files();
	if (cli_parse(argc, argv, &cli, err, sizeof err) < 0) {
		msg_print(err);
		return APP_USAGE;
	}
	switch (cli.cmd) {
	case CLI_HELP:
		cli_usage(stdout);
		return app_flushed();
	case CLI_VERSION:
		printf("conviz %s\n", PACKAGE_VERSION);
		return app_flushed();
	case CLI_LIST:
		return app_list();
	case CLI_SERVE:
		return app_serve(&cli);
	case CLI_COMPARE:
		return app_compare(&cli, tui);
	case CLI_REPLAY:
		return app_replay(&cli, tui);
	default:
		return app_run(&cli, tui);
	}
}
