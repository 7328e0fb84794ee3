/* ui_term.h - the one owner of the terminal: init, styles, signals, teardown.
 *
 * Like htop's CRT.c, this module alone starts and ends curses and knows
 * which signals are caught. Every exit path restores the terminal:
 *   - normal exit: the caller runs ui_term_end;
 *   - SIGINT, SIGTERM, SIGHUP: the handler only records the signal; the
 *     loop sees it through ui_term_signal, ends curses and exits with
 *     128 + signal;
 *   - signals whose default action ends the program at once: the handler
 *     restores the terminal, writes one line to stderr and re-raises with
 *     the default action (often a core), so the status is 128 + signal:
 *       SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSYS, SIGTRAP:
 *         "conviz: crashed (SIGx): please report it, ...", except a
 *         SIGSEGV or SIGBUS in a coroutine's guard page, a task that
 *         overflowed its stack (-m async): CORO_OVERFLOW_LINE (rt/coro.h);
 *         the handler runs on the signal stack the loop's thread has;
 *       SIGQUIT (Ctrl-\): no line, the person asked for it (as Ctrl-C);
 *       SIGXCPU, SIGXFSZ: which resource limit, and how to raise it;
 *   - a fatal error (msg_fatal, out of memory): on the UI thread, the
 *     fatal hook restores the terminal, then the message, then exit 1. On
 *     a worker it waits for the UI thread, which sees it at its next
 *     ui_term_signal (within a frame) and does the same: curses is only
 *     ever called by the UI thread. Two at once print one message.
 * SIGPIPE is ignored by the whole program (app_main). SIGTSTP (Ctrl-Z) is
 * handled at a quiet point of the loop (ui_term_suspend_pending);
 * SIGWINCH stays with curses (KEY_RESIZE).
 *
 * Threads: everything here is for the UI thread, except what the signal
 * handlers do on their own.
 */
#ifndef CONVIZ_UI_TERM_H
#define CONVIZ_UI_TERM_H

#include <signal.h>

/* How a piece of the screen looks. Each style has a colour form and a
 * monochrome form; state patterns carry the meaning either way. */
enum ui_style {
	UI_STYLE_NORMAL = 0,
	UI_STYLE_CPU,	  /* blue */
	UI_STYLE_IO,	  /* red */
	UI_STYLE_WAIT,	  /* yellow: lock-wait and gil-wait */
	UI_STYLE_STARTUP, /* grey */
	UI_STYLE_READY,	  /* cyan: runnable, waiting for a core */
	UI_STYLE_STALL,	  /* magenta: held up by the display */
	UI_STYLE_MARK,	  /* error and lost-update markers: red bold */
	UI_STYLE_TITLE,	  /* bold */
	UI_STYLE_DIM,	  /* secondary text */
	UI_STYLE_BAR,	  /* the key bar */
	UI_STYLE_BAR_KEY, /* a key letter in the key bar */
	UI_STYLE_ALERT,	  /* a message that needs attention */
	UI_STYLE_COUNT
};

/* Sets the locale, starts curses on stdin/stdout (cbreak, noecho, keypad,
 * no cursor, getch timeout `timeout_ms`), sets up colours and installs the
 * signal handlers and the fatal hook, whose owner the calling thread
 * becomes (msg_set_fatal_hook). Returns 0, or -1 after telling the person
 * (msg_error) that this terminal cannot be used, or that a signal handler
 * could not be installed; the terminal and the handlers are as before
 * then. Call once. */
int ui_term_init(int timeout_ms);

/* For benchmarks only: starts curses as ui_term_init does (locale,
 * modes, colours) on a virtual screen instead of the terminal: terminal
 * type `term` (e.g. "xterm-256color"), `cols` x `lines`, drawing into
 * /dev/null and reading keys from it. No signal handlers, no fatal hook:
 * there is no terminal to give back. Returns 0, or -1 when `term` is
 * unknown or /dev/null cannot be opened. End with ui_term_virtual_end,
 * not ui_term_end. */
int ui_term_virtual_init(const char *term, int cols, int lines);
void ui_term_virtual_end(void);

/* Restores the terminal, the signal handlers and the fatal hook. Safe to
 * call twice and after a failed init. A worker's fatal error pending at
 * that moment is told then: the message, and exit 1 (no return). */
void ui_term_end(void);

/* 1 when the locale's codeset is UTF-8 (block glyphs), 0 for ASCII. */
int ui_term_utf8(void);

/* Asks the terminal for the mouse's presses and wheel (on) or leaves it
 * to the terminal (off: its own selection works). Reports come as
 * KEY_MOUSE; curses turns reporting off again when it ends. */
void ui_term_mouse(int on);

/* Current size of the screen. */
void ui_term_size(int *cols, int *lines);

/* Sets the attributes of what is drawn next on the screen. */
void ui_term_style(enum ui_style style);

/* Bytes of s that fit in `cols` columns, one column per code point: the
 * glyphs and texts conviz draws are all one column wide. *ncols gets the
 * columns used. Any thread. */
int ui_term_fit(const char *s, int cols, int *ncols);

/* Columns all of s takes, as ui_term_fit counts them. Any thread. */
int ui_term_width(const char *s);

/* The terminating signal caught since init (SIGINT, SIGTERM, SIGHUP), or
 * 0. The loop polls this, at least once a frame, and exits with 128 + the
 * signal. UI thread only: if a worker's fatal error is pending, this
 * restores the terminal, prints its message and exits 1 (no return). */
int ui_term_signal(void);

/* If Ctrl-Z was pressed since the last call: restores the terminal, stops
 * the process, and on `fg` takes the screen back. Returns 1 when that
 * happened (everything must be redrawn), else 0. UI thread only. */
int ui_term_suspend_pending(void);

/* Blocks the signals the UI thread handles, saving the old mask in *old.
 * Call around creating a thread (threads inherit the mask) so that Ctrl-C,
 * SIGTERM, SIGHUP, Ctrl-Z, Ctrl-\, SIGXCPU, SIGXFSZ and resizes reach the
 * UI thread and never interrupt a worker's sleep or I/O. Undo with
 * ui_term_unblock. */
void ui_term_block(sigset_t *old);
void ui_term_unblock(const sigset_t *old);

#endif
