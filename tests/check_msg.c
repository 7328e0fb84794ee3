/* check_msg.c - messages: a fatal error is told once, by the thread that
 * owns the terminal, whichever thread hits it; a reader that went away is
 * told apart from a real write error.
 *
 * msg_fatal ends the process, so each fatal case runs in a child of its
 * own (fork), stderr captured through a pipe; the parent asserts on the
 * child's exit status and on every byte it wrote. The fatal hook writes
 * "HOOK" so the order (terminal restored, then the message) shows. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_suites.h"
#include "core/msg.h"

/* Exit statuses of a child whose scene went wrong. */
enum { SCENE_RETURNED = 90, SCENE_NO_PENDING, SCENE_SETUP };

struct outcome {
	int status;	/* as waitpid gives it */
	char err[4096]; /* everything the child wrote to stderr */
};

static void hook_mark(void)
{
	ssize_t w = write(STDERR_FILENO, "HOOK\n", 5);
	(void)w;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Runs scene in a child with stderr into a pipe and no core dump; fills
 * *o once the child is gone. */
static void run_scene(void (*scene)(void), struct outcome *o)
{
	int fds[2];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		close(fds[0]);
		if (dup2(fds[1], STDERR_FILENO) < 0)
			_exit(SCENE_SETUP);
		setrlimit(RLIMIT_CORE, &no_core);
		alarm(20); /* a scene that hangs ends (SIGALRM) and fails */
		scene();
		_exit(SCENE_RETURNED);
	}
	close(fds[1]);
	for (;;) {
		n = read(fds[0], o->err + len, sizeof o->err - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	o->err[len] = '\0';
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &o->status, 0), pid);
}

static void expect_exit(const struct outcome *o, int code)
{
	ck_assert_msg(WIFEXITED(o->status) && WEXITSTATUS(o->status) == code,
		      "child: status %#x, expected exit %d; stderr: %s",
		      o->status, code, o->err);
}

/* --- worker threads that hit a fatal error ------------------------------ */

struct worker {
	const char *what, *todo;
	pthread_barrier_t *start; /* NULL: go at once */
	pthread_t thread;
};

static void *worker_fatal(void *arg)
{
	struct worker *w = arg;

	if (w->start)
		pthread_barrier_wait(w->start);
	msg_fatal(w->what, w->todo);
}

static void worker_start(struct worker *w)
{
	if (pthread_create(&w->thread, NULL, worker_fatal, w) != 0)
		_exit(SCENE_SETUP);
}

/* The owner's side: waits (up to 5 s) until a worker's error is pending,
 * then a little longer, so a worker that wrongly printed or exited would
 * have done so. */
static void owner_wait_pending(void)
{
	for (int i = 0; i < 500 && !msg_fatal_pending(); i++)
		sleep_ms(10);
	if (!msg_fatal_pending())
		_exit(SCENE_NO_PENDING);
	sleep_ms(50);
}

/* --- the scenes (run in the child) ------------------------------------ */

static struct worker w_oom = { "out of memory",
			       "close other programs or use fewer workers",
			       NULL, 0 };

/* A worker's fatal error waits for the owner, which delivers it. */
static void scene_routed(void)
{
	msg_set_fatal_hook(hook_mark);
	msg_fatal_poll(); /* nothing pending: returns */
	if (msg_fatal_pending())
		_exit(SCENE_SETUP);
	worker_start(&w_oom);
	owner_wait_pending();
	msg_fatal_poll();
}

/* Two workers fail at once: one message. */
static void scene_two_workers(void)
{
	static pthread_barrier_t start;
	static struct worker a = { "first", "one", &start, 0 };
	static struct worker b = { "second", "two", &start, 0 };

	if (pthread_barrier_init(&start, NULL, 2) != 0)
		_exit(SCENE_SETUP);
	msg_set_fatal_hook(hook_mark);
	worker_start(&a);
	worker_start(&b);
	owner_wait_pending();
	msg_fatal_poll();
}

/* The owner's own fatal error: hook, message, exit 1 (no abort). */
static void scene_owner_self(void)
{
	msg_set_fatal_hook(hook_mark);
	msg_fatal("out of memory for the event ring",
		  "close other programs and try again");
}

/* A hook that fails in turn (out of memory while restoring): the first
 * message, once, and no hang. */
static void hook_failing(void)
{
	hook_mark();
	msg_fatal("inside the hook", "never shown");
}

static void scene_hook_fails(void)
{
	msg_set_fatal_hook(hook_failing);
	msg_fatal("out of memory", "close other programs");
}

/* A worker's error is pending when the owner fails too: the first one is
 * told, once. */
static void scene_owner_second(void)
{
	msg_set_fatal_hook(hook_mark);
	worker_start(&w_oom);
	owner_wait_pending();
	msg_fatal("the owner's own", "never shown");
}

/* The owner lets go with a worker's error pending: told then. */
static void scene_release(void)
{
	msg_set_fatal_hook(hook_mark);
	worker_start(&w_oom);
	owner_wait_pending();
	msg_set_fatal_hook(NULL);
}

/* Headless (no owner): two threads fail at once; one message, abort. */
static void scene_headless_two(void)
{
	static pthread_barrier_t start;
	static struct worker a = { "first", "one", &start, 0 };
	static struct worker b = { "second", "two", &start, 0 };

	if (pthread_barrier_init(&start, NULL, 2) != 0)
		_exit(SCENE_SETUP);
	worker_start(&a);
	worker_start(&b);
	pthread_join(a.thread, NULL); /* never: the process aborts */
}

/* A child forked by the owner's process is not the owner: its fatal
 * error is told as headless, and never runs the parent's hook. */
static void scene_forked(void)
{
	int st;
	pid_t pid;

	msg_set_fatal_hook(hook_mark);
	pid = fork();
	if (pid < 0)
		_exit(SCENE_SETUP);
	if (pid == 0)
		msg_fatal("in a child", "of the owner");
	if (waitpid(pid, &st, 0) != pid)
		_exit(SCENE_SETUP);
	_exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT ? 3 : 4);
}

/* --- the tests --------------------------------------------------------- */

START_TEST(test_fatal_routed_to_owner)
{
	struct outcome o;

	run_scene(scene_routed, &o);
	expect_exit(&o, MSG_FATAL_STATUS);
	ck_assert_str_eq(o.err, "HOOK\nconviz: out of memory: close other "
				"programs or use fewer workers\n");
}
END_TEST

START_TEST(test_fatal_two_workers_one_message)
{
	struct outcome o;

	run_scene(scene_two_workers, &o);
	expect_exit(&o, MSG_FATAL_STATUS);
	ck_assert_msg(strcmp(o.err, "HOOK\nconviz: first: one\n") == 0 ||
			      strcmp(o.err, "HOOK\nconviz: second: two\n") == 0,
		      "stderr: %s", o.err);
}
END_TEST

START_TEST(test_fatal_on_owner)
{
	struct outcome o;

	run_scene(scene_owner_self, &o);
	expect_exit(&o, MSG_FATAL_STATUS);
	ck_assert_str_eq(o.err, "HOOK\nconviz: out of memory for the event "
				"ring: close other programs and try again\n");
	run_scene(scene_owner_second, &o);
	expect_exit(&o, MSG_FATAL_STATUS);
	ck_assert_str_eq(o.err, "HOOK\nconviz: out of memory: close other "
				"programs or use fewer workers\n");
	run_scene(scene_hook_fails, &o);
	expect_exit(&o, MSG_FATAL_STATUS);
	ck_assert_str_eq(o.err,
			 "HOOK\nconviz: out of memory: close other programs\n");
}
END_TEST

START_TEST(test_fatal_pending_at_release)
{
	struct outcome o;

	run_scene(scene_release, &o);
	expect_exit(&o, MSG_FATAL_STATUS);
	ck_assert_str_eq(o.err, "HOOK\nconviz: out of memory: close other "
				"programs or use fewer workers\n");
}
END_TEST

START_TEST(test_fatal_headless)
{
	struct outcome o;

	run_scene(scene_headless_two, &o);
	ck_assert_msg(WIFSIGNALED(o.status) && WTERMSIG(o.status) == SIGABRT,
		      "status %#x, stderr: %s", o.status, o.err);
	ck_assert_msg(strcmp(o.err, "conviz: first: one\n") == 0 ||
			      strcmp(o.err, "conviz: second: two\n") == 0,
		      "stderr: %s", o.err);
	run_scene(scene_forked, &o);
	expect_exit(&o, 3);
	ck_assert_str_eq(o.err, "conviz: in a child: of the owner\n");
}
END_TEST

/* Writes a line to f and flushes: 0, or -1 as fflush fails. */
static int put_line(FILE *f)
{
	fputs("a line\n", f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

START_TEST(test_reader_gone)
{
	int fds[2];
	FILE *f;

	/* Ignored in the program (app_main), so the write gets EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(fds), 0);
	f = fdopen(fds[1], "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(put_line(f), 0);
	errno = 0;
	ck_assert_int_eq(msg_reader_gone(f), 0); /* a reader, no error */
	close(fds[0]);
	ck_assert_int_eq(put_line(f), -1);
	ck_assert_int_eq(msg_reader_gone(f), 1); /* errno EPIPE */
	errno = 0;
	ck_assert_int_eq(msg_reader_gone(f), 1); /* later: the pipe says */
	fclose(f);
}
END_TEST

START_TEST(test_full_disk_is_no_reader_gone)
{
	FILE *f = fopen("/dev/full", "w");

	if (f == NULL)
		return; /* no /dev/full here */
	ck_assert_int_eq(put_line(f), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(msg_reader_gone(f), 0);
	errno = 0;
	ck_assert_int_eq(msg_reader_gone(f), 0);
	fclose(f);
}
END_TEST

/* --- quoting what a person typed, or a file held ------------------------ */

/* Printable ASCII is shown as it is; a control byte and any byte of 0x80
 * and above become '?', so neither an escape sequence, a C1 control of an
 * 8-bit terminal (0x9b) nor a binary file's bytes reach the terminal. */
START_TEST(test_quote_bytes)
{
	struct msg_quote q;
	const char *plain = "fib-small.scn ~!";

	ck_assert_ptr_eq(msg_quote(plain, &q), plain);
	ck_assert_str_eq(msg_quote("a\nb\x1b[2Jc\x7f", &q), "a?b?[2Jc?");
	ck_assert_str_eq(msg_quote("\x80\x9b\xff.scn", &q), "???.scn");
	/* UTF-8 text too: one '?' a byte. */
	ck_assert_str_eq(msg_quote("caf\xc3\xa9", &q), "caf??");
	ck_assert_str_eq(msg_quote_path("/tmp/\xe9t\xe9/f", &q), "/tmp/?t?/f");
	msg_at(q.s, sizeof q.s, "f\xff", 3, "bad ", "\x9b");
	ck_assert_str_eq(q.s, "f?:3: bad ?");
}
END_TEST

Suite *suite_msg(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("fatal");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fatal_routed_to_owner);
	tcase_add_test(tc, test_fatal_two_workers_one_message);
	tcase_add_test(tc, test_fatal_on_owner);
	tcase_add_test(tc, test_fatal_pending_at_release);
	tcase_add_test(tc, test_fatal_headless);
	suite_add_tcase(s, tc);
	tc = tcase_create("output");
	tcase_add_test(tc, test_reader_gone);
	tcase_add_test(tc, test_full_disk_is_no_reader_gone);
	tcase_add_test(tc, test_quote_bytes);
	suite_add_tcase(s, tc);
	return s;
}
