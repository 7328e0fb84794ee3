/* ui_term.c - the one owner of the terminal (see ui_term.h). */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/msg.h"
#include "rt/coro.h"
#include "ui/ui_term.h"

/* Colour 8 is "bright black", a grey, on terminals with 16 colours. */
#define TERM_GREY 8

/* Signals that end the program through the loop. */
static const int term_stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
/* Signals whose default action ends the program at once, most with a
 * core: crashes, Ctrl-\ (SIGQUIT: a core asked for) and resource limits.
 * The handler restores the terminal and lets that action happen. */
static const int term_crash_sigs[] = { SIGSEGV, SIGABRT, SIGBUS,  SIGFPE,
				       SIGILL,	SIGSYS,	 SIGTRAP, SIGQUIT,
				       SIGXCPU, SIGXFSZ };
#define TERM_NSTOP (sizeof term_stop_sigs / sizeof term_stop_sigs[0])
#define TERM_NCRASH (sizeof term_crash_sigs / sizeof term_crash_sigs[0])

static struct sigaction term_old_stop[TERM_NSTOP];
static struct sigaction term_old_tstp;
static sigset_t term_old_mask;
static struct sigaction term_old_crash[TERM_NCRASH];

/* Written by handlers, read by the loop: sig_atomic_t, nothing else. */
static volatile sig_atomic_t term_caught;
/* 1 while curses owns the screen: whoever clears it calls endwin. */
static volatile sig_atomic_t term_active;

static SCREEN *term_screen;
static int term_cols, term_lines; /* the last frame's size */
static FILE *term_in;		  /* /dev/tty when stdin is not a terminal */
static FILE *term_out;		  /* /dev/null: a virtual screen's output */
static int term_is_utf8;
static int term_has_colour;

/* Each style: its colour (-1: none), attributes in colour, and in
 * monochrome, where bold and dim stand in for the colours. */
static const struct {
	short fg;
	attr_t colour;
	attr_t mono;
} term_styles[UI_STYLE_COUNT] = {
	[UI_STYLE_NORMAL] = { -1, A_NORMAL, A_NORMAL },
	[UI_STYLE_CPU] = { COLOR_BLUE, A_NORMAL, A_BOLD },
	[UI_STYLE_IO] = { COLOR_RED, A_NORMAL, A_NORMAL },
	[UI_STYLE_WAIT] = { COLOR_YELLOW, A_NORMAL, A_NORMAL },
	[UI_STYLE_STARTUP] = { TERM_GREY, A_NORMAL, A_DIM },
	[UI_STYLE_READY] = { COLOR_CYAN, A_NORMAL, A_NORMAL },
	[UI_STYLE_STALL] = { COLOR_MAGENTA, A_NORMAL, A_NORMAL },
	[UI_STYLE_MARK] = { COLOR_RED, A_BOLD, A_BOLD | A_UNDERLINE },
	[UI_STYLE_TITLE] = { -1, A_BOLD, A_BOLD },
	[UI_STYLE_DIM] = { -1, A_DIM, A_DIM },
	[UI_STYLE_BAR] = { -1, A_REVERSE, A_REVERSE },
	[UI_STYLE_BAR_KEY] = { -1, A_REVERSE | A_BOLD, A_REVERSE | A_BOLD },
	[UI_STYLE_ALERT] = { COLOR_RED, A_BOLD, A_BOLD | A_UNDERLINE },
};

/* write(2) of a C string; async-signal-safe. */
static void term_write(const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* Gives the screen back to the shell if curses still has it. Called from
 * signal handlers and the fatal hook too: endwin is not async-signal-safe,
 * but a dying program with a scrambled terminal is worse (htop does the
 * same). */
static void term_release(void)
{
	if (term_active) {
		term_active = 0;
		endwin();
	}
}

static void term_on_stop(int sig)
{
	if (!term_caught)
		term_caught = sig;
}

/* Never runs (SIGTSTP is blocked while it is installed): its only use is
 * to be there when newterm looks. */
static void term_on_tstp(int sig)
{
	(void)sig;
}

#define TERM_REPORT "please report it, with the command line that did it\n"

/* The line a crash signal gets on stderr, NULL for none. */
static const char *term_crash_line(int sig)
{
	static const struct {
		int sig;
		const char *line;
	} lines[] = {
		{ SIGSEGV, "conviz: crashed (SIGSEGV): " TERM_REPORT },
		{ SIGABRT, "conviz: crashed (SIGABRT): " TERM_REPORT },
		{ SIGBUS, "conviz: crashed (SIGBUS): " TERM_REPORT },
		{ SIGFPE, "conviz: crashed (SIGFPE): " TERM_REPORT },
		{ SIGILL, "conviz: crashed (SIGILL): " TERM_REPORT },
		{ SIGSYS, "conviz: crashed (SIGSYS): " TERM_REPORT },
		{ SIGTRAP, "conviz: crashed (SIGTRAP): " TERM_REPORT },
		/* Ctrl-\: asked for, like Ctrl-C; the shell says "Quit". */
		{ SIGQUIT, NULL },
		{ SIGXCPU, "conviz: CPU time limit reached (SIGXCPU): raise "
			   "it (ulimit -t) or use a smaller --scale\n" },
		{ SIGXFSZ, "conviz: file size limit reached (SIGXFSZ): raise "
			   "it (ulimit -f)\n" },
	};

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		if (lines[i].sig == sig)
			return lines[i].line;
	return "conviz: crashed (a fatal signal): " TERM_REPORT;
}

/* Restores the terminal, says what happened, and lets the default action
 * (most often a core dump) take over, so the exit status stays 128 + the
 * signal: the signal stays blocked until we return, then the re-raised
 * one is delivered with SIG_DFL. */
static void term_on_crash(int sig, siginfo_t *si, void *uc)
{
	/* A task that filled its coroutine stack is no bug of conviz: say
	 * what to do about it instead. (This runs on the signal stack the
	 * coroutine pool gave the loop's thread.) */
	const char *line = coro_crash_line(sig, si ? si->si_addr : NULL);

	(void)uc;
	if (!line)
		line = term_crash_line(sig);

	term_release();
	if (line)
		term_write(line);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* msg_fatal's hook: runs on the UI thread only (msg.h). */
static void term_fatal_hook(void)
{
	term_release();
}

/* Puts back actions sigaction itself gave us: for a valid signal and a
 * valid action it has no way to fail (EINVAL is its only error), so the
 * result is not looked at, here and in term_tstp_release. */
static void term_uncatch(const int *sigs, size_t n, const struct sigaction *old)
{
	for (size_t i = 0; i < n; i++)
		(void)sigaction(sigs[i], &old[i], NULL);
}

/* Installs sa for each of sigs, the old actions saved in old. 0, or -1
 * (errno set) with every one of sigs as it was. */
static int term_install(const int *sigs, size_t n, const struct sigaction *sa,
			struct sigaction *old)
{
	for (size_t i = 0; i < n; i++) {
		if (sigaction(sigs[i], sa, &old[i]) != 0) {
			int e = errno;
			term_uncatch(sigs, i, old);
			errno = e;
			return -1;
		}
	}
	return 0;
}

/* Installs fn for each of sigs, as term_install. */
static int term_catch(const int *sigs, size_t n, void (*fn)(int),
		      struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a stop signal interrupts getch's wait, so the loop
	 * sees it at once rather than at the next timeout. */
	sa.sa_flags = 0;
	return term_install(sigs, n, &sa, old);
}

/* The crash handler: with the fault's address, and on the thread's
 * signal stack when it has one (a full coroutine stack leaves no room). */
static int term_catch_crashes(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = term_on_crash;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	return term_install(term_crash_sigs, TERM_NCRASH, &sa, term_old_crash);
}

static int term_codeset_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs &&
	       (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

/* Colours unless the terminal has none or NO_COLOR (no-color.org) asks
 * for monochrome. */
static int term_colour_wanted(void)
{
	const char *no_colour = getenv("NO_COLOR");

	return has_colors() && !(no_colour && no_colour[0]);
}

/* Colour pairs: pair i draws style i. Grey needs 16 colours; with 8 it is
 * white made dim (see ui_term_style). */
static void term_colours(void)
{
	short bg = -1;

	term_has_colour = term_colour_wanted() && start_color() == OK;
	if (!term_has_colour)
		return;
	if (use_default_colors() != OK)
		bg = COLOR_BLACK;
	for (int i = 0; i < UI_STYLE_COUNT; i++) {
		short fg = term_styles[i].fg;
		if (fg == TERM_GREY && COLORS < 16)
			fg = COLOR_WHITE;
		if (fg >= 0)
			init_pair((short)i, fg, bg);
	}
}

/* Keys come from stdin, or from the terminal itself when stdin is a
 * pipe or a file (at its end getch would never wait). NULL: no terminal. */
static FILE *term_input(void)
{
	if (isatty(STDIN_FILENO))
		return stdin;
	term_in = fopen("/dev/tty", "r");
	return term_in;
}

static void term_cannot_start(int have_input)
{
	const char *term = getenv("TERM");
	struct msg_quote q;
	char what[160];

	if (!have_input) {
		msg_error("no terminal to read keys from (stdin is not one, "
			  "and there is no controlling terminal)",
			  "run conviz from a terminal, or use --headless");
		return;
	}
	if (term && term[0])
		msg_fmt(what, sizeof what, "cannot use this terminal (TERM=%s)",
			msg_quote(term, &q));
	else
		msg_fmt(what, sizeof what,
			"cannot use this terminal (TERM is not set)");
	msg_error(what, "set TERM (e.g. xterm-256color) or use --headless");
}

/* Can curses draw a full screen here? A terminal without cursor
 * addressing ("dumb", a printer) starts fine but would scroll garbage. */
static int term_can_draw(void)
{
	const char *cup = tigetstr("cup");

	return cup != NULL && cup != (const char *)-1;
}

static void term_close_input(void)
{
	if (term_in)
		fclose(term_in);
	term_in = NULL;
}

/* Characters from the environment, numbers as in C: "1.5" must stay a
 * number when a scenario file is read from the TUI, and printf must write
 * 1.5, whatever the person's locale. */
static void term_locale(void)
{
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	term_is_utf8 = term_codeset_utf8();
}

/* SIGTSTP blocked, and not at its default when newterm looks at it: curses
 * then leaves it alone for good. Else curses installs its own handler, and
 * sets SIGTSTP to SIG_IGN during every refresh, which drops a Ctrl-Z typed
 * meanwhile. 0, or -1 (errno set) with SIGTSTP as it was. */
static int term_tstp_hold(void)
{
	struct sigaction act;
	sigset_t tstp;

	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &tstp, &term_old_mask);
	memset(&act, 0, sizeof act);
	act.sa_handler = term_on_tstp;
	sigemptyset(&act.sa_mask);
	if (sigaction(SIGTSTP, &act, &term_old_tstp) != 0) {
		int e = errno;
		pthread_sigmask(SIG_SETMASK, &term_old_mask, NULL);
		errno = e;
		return -1;
	}
	return 0;
}

/* Undoes term_tstp_hold. A Ctrl-Z still pending is dropped (ignoring a
 * signal discards it), then everything is as before. */
static void term_tstp_release(void)
{
	signal(SIGTSTP, SIG_IGN);
	pthread_sigmask(SIG_SETMASK, &term_old_mask, NULL);
	(void)sigaction(SIGTSTP, &term_old_tstp, NULL);
}

/* Ctrl-Z: not curses' handler, which does its work inside the signal
 * handler and can be lost when the signal lands in the middle of drawing.
 * SIGTSTP keeps its default action (stop) but stays blocked (the run's
 * threads block it too, ui_term_block): a Ctrl-Z waits, pending, for a
 * quiet point of the loop, which restores the terminal and unblocks it
 * (ui_term_suspend_pending). A SIGCONT that comes first makes the kernel
 * discard the pending stop, so a TSTP/CONT pair never leaves us stopped
 * with nobody to wake us. 0, or -1 (errno set). */
static int term_tstp_default(void)
{
	struct sigaction act;

	memset(&act, 0, sizeof act);
	act.sa_handler = SIG_DFL;
	sigemptyset(&act.sa_mask);
	return sigaction(SIGTSTP, &act, NULL);
}

/* Our handlers, once curses has started: 0, or -1 (errno set) with every
 * handler as before. */
static int term_handlers(void)
{
	int e;

	/* After newterm, which installs curses' own SIGINT/SIGTERM cleanup
	 * when they are at their defaults: ours replace those. */
	if (term_catch(term_stop_sigs, TERM_NSTOP, term_on_stop,
		       term_old_stop) != 0)
		return -1;
	if (term_catch_crashes() == 0) {
		if (term_tstp_default() == 0)
			return 0;
		e = errno;
		term_uncatch(term_crash_sigs, TERM_NCRASH, term_old_crash);
		errno = e;
	}
	e = errno;
	term_uncatch(term_stop_sigs, TERM_NSTOP, term_old_stop);
	errno = e;
	return -1;
}

static void term_cannot_catch(int err)
{
	msg_errorf("please report it, with the command line that did it",
		   "cannot set up the signal handlers (%s)", strerror(err));
}

/* Ends the screen newterm made; the terminal is as before. */
static void term_drop_screen(void)
{
	term_active = 0;
	endwin();
	delscreen(term_screen);
	term_screen = NULL;
}

/* Curses' modes: cbreak, not raw: Ctrl-C and Ctrl-Z must stay signals. */
static void term_modes(int timeout_ms)
{
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	timeout(timeout_ms);
	term_colours();
}

/* Gives up a start: the terminal, SIGTSTP and the input as before. */
static void term_give_up(void)
{
	if (term_screen)
		term_drop_screen();
	term_tstp_release();
	term_close_input();
}

int ui_term_init(int timeout_ms)
{
	FILE *in;

	term_locale();
	term_caught = 0;
	/* newterm, not initscr: initscr exits the program on an unknown
	 * terminal; newterm returns NULL and we can say what to do. */
	in = term_input();
	if (term_tstp_hold() != 0) {
		term_cannot_catch(errno);
		term_close_input();
		return -1;
	}
	term_screen = in ? newterm(NULL, stdout, in) : NULL;
	if (term_screen && !term_can_draw())
		term_drop_screen();
	if (!term_screen) {
		term_give_up();
		term_cannot_start(in != NULL);
		return -1;
	}
	set_term(term_screen);
	term_active = 1;
	term_cols = term_lines = 0;
	term_modes(timeout_ms);
	if (term_handlers() != 0) {
		int e = errno;
		term_give_up();
		term_cannot_catch(e);
		return -1;
	}
	msg_set_fatal_hook(term_fatal_hook);
	return 0;
}

void ui_term_end(void)
{
	if (!term_screen)
		return;
	term_release();
	term_uncatch(term_crash_sigs, TERM_NCRASH, term_old_crash);
	term_uncatch(term_stop_sigs, TERM_NSTOP, term_old_stop);
	term_tstp_release();
	/* Last, once the terminal is back and the crash handlers are gone: a
	 * worker's fatal error still pending is told now (and the process
	 * ends); one that comes later is told as in headless mode. */
	msg_set_fatal_hook(NULL);
	delscreen(term_screen);
	term_screen = NULL;
	term_close_input();
}

int ui_term_virtual_init(const char *term, int cols, int lines)
{
	term_locale();
	term_in = fopen("/dev/null", "r");
	term_out = fopen("/dev/null", "w");
	if (term_in && term_out)
		term_screen = newterm(term, term_out, term_in);
	if (!term_screen) {
		ui_term_virtual_end();
		return -1;
	}
	set_term(term_screen);
	term_active = 1;
	term_cols = term_lines = 0;
	term_modes(0);
	/* /dev/null has no size: curses took the terminal type's own. */
	resizeterm(lines, cols);
	return 0;
}

void ui_term_virtual_end(void)
{
	if (term_screen) {
		term_release();
		delscreen(term_screen);
		term_screen = NULL;
	}
	term_close_input();
	if (term_out)
		fclose(term_out);
	term_out = NULL;
}

void ui_term_mouse(int on)
{
	mousemask(on ? BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
				  BUTTON5_PRESSED
		     : 0,
		  NULL);
}

int ui_term_utf8(void)
{
	return term_is_utf8;
}

/* The size of the last frame. When it changes, the terminal's scrolling
 * region may still be the one curses set for the old size (the terminal
 * can take its new size before we hear of it): curses would then move
 * rows with insert/delete-line inside that stale region and lose some for
 * good. Reset the region to the whole screen and repaint every cell. */
void ui_term_size(int *cols, int *lines)
{
	if (term_cols && (COLS != term_cols || LINES != term_lines)) {
		const char *csr = tigetstr("csr");
		if (csr && csr != (const char *)-1)
			putp(tiparm(csr, 0, LINES - 1));
		clearok(curscr, TRUE);
	}
	term_cols = COLS;
	term_lines = LINES;
	*cols = COLS;
	*lines = LINES;
}

int ui_term_fit(const char *s, int cols, int *ncols)
{
	int bytes = 0, used = 0;

	while (s[bytes] && used < cols) {
		bytes++;
		while (((unsigned char)s[bytes] & 0xC0) == 0x80)
			bytes++;
		used++;
	}
	*ncols = used;
	return bytes;
}

int ui_term_width(const char *s)
{
	int used;

	ui_term_fit(s, (int)strlen(s), &used);
	return used;
}

void ui_term_style(enum ui_style style)
{
	attr_t a;

	if ((unsigned)style >= UI_STYLE_COUNT)
		style = UI_STYLE_NORMAL;
	if (!term_has_colour) {
		attrset(term_styles[style].mono);
		return;
	}
	a = term_styles[style].colour;
	if (term_styles[style].fg == TERM_GREY && COLORS < 16)
		a |= A_DIM;
	if (term_styles[style].fg >= 0)
		a |= COLOR_PAIR(style);
	attrset(a);
}

int ui_term_suspend_pending(void)
{
	sigset_t pending, tstp;

	if (sigpending(&pending) != 0 || !sigismember(&pending, SIGTSTP))
		return 0;
	/* Give the shell its terminal back, stop as Ctrl-Z always does
	 * (unblocking the pending SIGTSTP stops us, unless a SIGCONT has
	 * discarded it meanwhile), and take the screen again when the shell
	 * says fg (SIGCONT). */
	term_release();
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	pthread_sigmask(SIG_UNBLOCK, &tstp, NULL);
	pthread_sigmask(SIG_BLOCK, &tstp, NULL);
	term_active = 1;
	clearok(curscr, TRUE);
	refresh();
	return 1;
}

int ui_term_signal(void)
{
	/* A worker's fatal error: restore, say it, exit (no return). */
	msg_fatal_poll();
	return term_caught;
}

void ui_term_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < TERM_NSTOP; i++)
		sigaddset(&set, term_stop_sigs[i]);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGWINCH);
	/* Sent by a person or a resource limit, never a worker's own fault
	 * (workers write no file, so no SIGXFSZ of theirs is lost): the UI
	 * thread takes them, so no worker calls endwin under its frame. */
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGXCPU);
	sigaddset(&set, SIGXFSZ);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void ui_term_unblock(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}
