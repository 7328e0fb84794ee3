/* check_report.c - the summary line and the ASCII diagram, drawn from
 * hand-built timelines into memory streams; plus the glyph table of ev.c
 * the diagram draws with. No real runs here (check_run.c does those). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_suites.h"
#include "app/report.h"
#include "app/run.h"
#include "core/ev.h"
#include "core/evring.h"
#include "core/timeline.h"

#define SEC 1000000000LL
#define ORIGIN (5 * SEC)

static void add(struct timeline *tl, int lane, int64_t t, enum ev_kind kind)
{
	struct ev e = { .ts_ns = ORIGIN + t,
			.arg = 0,
			.task = (uint32_t)lane,
			.lane = (uint16_t)lane,
			.kind = (uint16_t)kind };
	ck_assert_int_eq(timeline_add(tl, &e), 0);
}

/* Draws the diagram into a string (caller frees). */
static char *draw(const struct timeline *tl, int64_t end, int width)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	ck_assert_ptr_nonnull(f);
	report_diagram(f, tl, end, width);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* Line n (from 0) of text into out, without its newline. */
static void nth_line(const char *text, int n, char *out, size_t len)
{
	for (; n > 0 && text != NULL; n--) {
		text = strchr(text, '\n');
		if (text != NULL)
			text++;
	}
	ck_assert_msg(text != NULL && *text != '\0', "no line %d", n);
	size_t l = strcspn(text, "\n");
	ck_assert_uint_lt(l, len);
	memcpy(out, text, l);
	out[l] = '\0';
}

static int count_lines(const char *text)
{
	int n = 0;
	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static struct run_config fib_config(void)
{
	struct run_config cfg = {
		.sc = { .name = "fib",
			.title = "fib(35) x20, naive recursion",
			.workload = "fib",
			.tasks = 20,
			.arg = 35,
			.scale = 1 },
		.model = MODEL_THREADS,
		.workers = 2,
		.gil = 0,
		.seed = 1,
		.scale = 1,
	};
	return cfg;
}

START_TEST(test_summary_exact)
{
	struct run_config cfg = fib_config();
	struct run_stats st = { .tasks = 20,
				.ok = 20,
				.failed = 0,
				.wall_s = 1.2346,
				.cpu_s = 2.5,
				.events = 120,
				.stalls = 3,
				.stall_s = 0.0125,
				.ready_s = 1.5 };
	char buf[512];

	report_summary(buf, sizeof buf, &cfg, &st);
	ck_assert_str_eq(buf, "summary: scenario=fib model=threads workers=2 "
			      "gil=off tasks=20 ok=20 failed=0 wall_s=1.235 "
			      "cpu_s=2.500 events=120 dropped=0 stalls=3 "
			      "stall_s=0.013 ready_s=1.500 wrong=0");

	cfg.gil = 1;
	cfg.model = MODEL_SYNC;
	cfg.workers = 1;
	st.ok = 18;
	st.failed = 2;
	st.wrong = 4;
	st.stalls = 0;
	st.stall_s = 0;
	st.ready_s = 0;
	st.dropped = 7;
	report_summary(buf, sizeof buf, &cfg, &st);
	ck_assert_str_eq(buf, "summary: scenario=fib model=sync workers=1 "
			      "gil=on tasks=20 ok=18 failed=2 wall_s=1.235 "
			      "cpu_s=2.500 events=120 dropped=7 stalls=0 "
			      "stall_s=0.000 ready_s=0.000 wrong=4");
}
END_TEST

/* Runs fib(20) x20 headless (threads, 2 workers) with stderr caught;
 * returns the exit status, the report in out[] and stderr in err[]. */
static int headless_caught(char *out, size_t outlen, char *err, size_t errlen)
{
	struct run_config cfg = fib_config();
	FILE *o = tmpfile(), *e = tmpfile();
	int saved = dup(STDERR_FILENO);
	int rc;
	size_t n;

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(e);
	cfg.sc.arg = 20;
	fflush(stderr);
	ck_assert_int_ge(dup2(fileno(e), STDERR_FILENO), 0);
	rc = report_headless(&cfg, o, NULL);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(o);
	n = fread(out, 1, outlen - 1, o);
	out[n] = '\0';
	rewind(e);
	n = fread(err, 1, errlen - 1, e);
	err[n] = '\0';
	fclose(o);
	fclose(e);
	return rc;
}

/* The summary's value of `key`, as a number (-1 if absent). */
static long long summary_field(const char *out, const char *key)
{
	const char *line = strstr(out, "summary: ");
	char pat[40];

	ck_assert_ptr_nonnull(line);
	snprintf(pat, sizeof pat, " %s=", key);
	const char *p = strstr(line, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

START_TEST(test_headless_dropped_is_measured)
{
	char out[8192], err[1024];
	long long events;

	/* A sound ring: nothing dropped. */
	ck_assert_int_eq(headless_caught(out, sizeof out, err, sizeof err), 0);
	ck_assert_int_eq(summary_field(out, "dropped"), 0);
	events = summary_field(out, "events");
	ck_assert_int_ge(events, 24); /* 2 startups, 20 tasks, 2 dones */
	/* A ring that loses one event in four: the summary must say so, so
	 * `dropped=0` is a measurement that can fail, not a constant. */
	evring_test_lose_every(4);
	ck_assert_int_eq(headless_caught(out, sizeof out, err, sizeof err), 0);
	evring_test_lose_every(0);
	events = summary_field(out, "events");
	ck_assert_int_eq(summary_field(out, "dropped"), events / 4);
	ck_assert_int_gt(summary_field(out, "dropped"), 0);
}
END_TEST

START_TEST(test_headless_wrong_answer_fails)
{
	char out[8192], err[1024];

	/* Task 7 returns a wrong fib(20): the run did not complete (exit 1),
	 * ok= counts only the right answers, and one conviz: line names the
	 * task, what it gave and what is right. */
	run_test_corrupt_task(7);
	int rc = headless_caught(out, sizeof out, err, sizeof err);
	run_test_corrupt_task(-1);
	ck_assert_int_eq(rc, 1);
	ck_assert_int_eq(summary_field(out, "ok"), 19);
	ck_assert_int_eq(summary_field(out, "wrong"), 1);
	ck_assert_int_eq(summary_field(out, "failed"), 0);
	ck_assert_str_eq(err, "conviz: task 7 of 'fib' gave 6766, but the "
			      "right answer is 6765 (1 wrong in all): conviz "
			      "itself is broken; please report it with this "
			      "command line\n");
	/* And without the hook, the same run passes. */
	ck_assert_int_eq(headless_caught(out, sizeof out, err, sizeof err), 0);
	ck_assert_int_eq(summary_field(out, "wrong"), 0);
	ck_assert_int_eq(summary_field(out, "ok"), 20);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_summary_truncates)
{
	struct run_config cfg = fib_config();
	struct run_stats st = { .tasks = 20, .ok = 20, .wrong = 1 };
	char buf[24];

	memset(buf, 'z', sizeof buf);
	report_summary(buf, sizeof buf, &cfg, &st);
	ck_assert_uint_eq(strlen(buf), sizeof buf - 1);
	ck_assert_str_eq(buf, "summary: scenario=fib m");
	report_summary(buf, 0, &cfg, &st); /* no room: writes nothing */
	ck_assert_str_eq(buf, "summary: scenario=fib m");
}
END_TEST

/* Three lanes over 10 s, drawn 40 columns wide (0.25 s a column):
 *   w0: cpu 0-5 s, io 5-10 s, an error at 3.1 s
 *   w1: startup 0-1, lock-wait 1-4, gil-wait 4-6, idle 6-9, cpu 9-10,
 *       a lost update at 7.6 s
 *   w2: cpu 0-0.1, io 0.1-0.2, cpu 0.2-0.25 (cpu dominates column 0),
 *       then done; an error at exactly 10 s, the end */
static struct timeline *three_lanes(void)
{
	struct timeline *tl = timeline_new(ORIGIN);
	ck_assert_ptr_nonnull(tl);
	add(tl, 0, 0, EV_CPU);
	add(tl, 0, 31 * SEC / 10, EV_ERROR);
	add(tl, 0, 5 * SEC, EV_IO);
	add(tl, 1, 0, EV_STARTUP);
	add(tl, 1, 1 * SEC, EV_LOCK_WAIT);
	add(tl, 1, 4 * SEC, EV_GIL_WAIT);
	add(tl, 1, 6 * SEC, EV_IDLE);
	add(tl, 1, 76 * SEC / 10, EV_LOST_UPDATE);
	add(tl, 1, 9 * SEC, EV_CPU);
	add(tl, 2, 0, EV_CPU);
	add(tl, 2, SEC / 10, EV_IO);
	add(tl, 2, 2 * SEC / 10, EV_CPU);
	add(tl, 2, 25 * SEC / 100, EV_DONE);
	add(tl, 2, 10 * SEC, EV_ERROR);
	return tl;
}

START_TEST(test_diagram_cells)
{
	struct timeline *tl = three_lanes();
	char *out = draw(tl, 10 * SEC, 40);
	char line[256];

	ck_assert_int_eq(count_lines(out), 3 + 2); /* lanes, axis, legend */
	nth_line(out, 0, line, sizeof line);
	ck_assert_str_eq(line, "w0 |############!#######"
			       "....................|");
	nth_line(out, 1, line, sizeof line);
	ck_assert_str_eq(line, "w1 |----============::::::::"
			       "      X     ####|");
	nth_line(out, 2, line, sizeof line);
	ck_assert_str_eq(line, "w2 |#                                      !|");
	free(out);
	timeline_free(tl);
}
END_TEST

START_TEST(test_diagram_axis_legend)
{
	struct timeline *tl = three_lanes();
	char *out = draw(tl, 10 * SEC, 40);
	char line[256];

	/* 40 columns of 10 s: a label every 5 s, under its column (the
	 * cells start after "w0 |", 4 characters in). */
	nth_line(out, 3, line, sizeof line);
	ck_assert_str_eq(line, "    0s                  5s"
			       "                  10s");
	nth_line(out, 4, line, sizeof line);
	ck_assert_str_eq(
		line, "# cpu  _ ready  . io  = lock-wait  : gil-wait  "
		      "^ stall  - startup  ! error  X lost-update  | new task");
	free(out);

	/* 1.2 s over 72 columns: a label every 0.2 s, 12 columns apart. */
	out = draw(tl, 12 * SEC / 10, 72);
	nth_line(out, 3, line, sizeof line);
	ck_assert_ptr_eq(strstr(line, "0s"), line + 4);
	ck_assert_ptr_eq(strstr(line, "0.2s"), line + 4 + 12);
	ck_assert_ptr_eq(strstr(line, "0.6s"), line + 4 + 36);
	ck_assert_ptr_eq(strstr(line, "1.2s"), line + 4 + 72);
	free(out);
	timeline_free(tl);
}
END_TEST

/* One worker runs tasks 0, 1 and 2 back to back (each ended by its
 * idle): by worker, '|' marks where tasks 1 and 2 begin; by task, three
 * lanes t0..t2, with no mark. */
START_TEST(test_diagram_tasks)
{
	struct timeline *tl = timeline_new(ORIGIN);
	char *out;
	char line[256];

	for (uint32_t t = 0; t < 3; t++) {
		struct ev e = { .ts_ns = ORIGIN + (int64_t)t * 10 * SEC,
				.task = t,
				.kind = EV_CPU };
		ck_assert_int_eq(timeline_add(tl, &e), 0);
		e.ts_ns += 10 * SEC - 1;
		e.kind = EV_IDLE;
		ck_assert_int_eq(timeline_add(tl, &e), 0);
	}
	out = draw(tl, 30 * SEC, 30);
	nth_line(out, 0, line, sizeof line);
	ck_assert_str_eq(line, "w0 |##########|#########|#########|");
	free(out);
	timeline_set_view(tl, TIMELINE_BY_TASK);
	out = draw(tl, 30 * SEC, 30);
	nth_line(out, 0, line, sizeof line);
	ck_assert_str_eq(line, "t0 |##########                    |");
	nth_line(out, 2, line, sizeof line);
	ck_assert_str_eq(line, "t2 |                    ##########|");
	ck_assert_ptr_null(strstr(out, "w0"));
	free(out);
	timeline_free(tl);
}
END_TEST

START_TEST(test_diagram_many_lanes)
{
	struct timeline *tl = timeline_new(ORIGIN);
	char line[256];

	for (int l = 0; l < 70; l++)
		add(tl, l, 0, (l % 2) ? EV_IO : EV_CPU);
	char *out = draw(tl, SEC, 20);

	/* 64 lanes, the axis, the "more" line, the legend. */
	ck_assert_int_eq(count_lines(out), 64 + 3);
	nth_line(out, 0, line, sizeof line);
	ck_assert_str_eq(line, "w0  |####################|");
	nth_line(out, 63, line, sizeof line);
	ck_assert_str_eq(line, "w63 |....................|");
	ck_assert_ptr_null(strstr(out, "w64"));
	ck_assert_ptr_nonnull(strstr(out, "(6 more lanes not shown)\n"));
	free(out);
	timeline_free(tl);
}
END_TEST

START_TEST(test_diagram_empty)
{
	struct timeline *tl = timeline_new(ORIGIN);
	char *out = draw(tl, 0, 30);
	char line[256];

	ck_assert_int_eq(count_lines(out), 2);
	nth_line(out, 0, line, sizeof line);
	ck_assert_str_eq(line, "    0s");
	ck_assert_ptr_nonnull(strstr(out, "# cpu"));
	free(out);
	timeline_free(tl);
}
END_TEST

START_TEST(test_glyphs)
{
	ck_assert_str_eq(ev_kind_name(EV_IDLE), "idle");
	ck_assert_str_eq(ev_kind_name(EV_GIL_WAIT), "gil-wait");
	ck_assert_str_eq(ev_kind_name(EV_LOST_UPDATE), "lost-update");
	ck_assert_str_eq(ev_kind_name(EV_ERROR), "error");
	ck_assert_str_eq(ev_kind_name(EV_KIND_COUNT), "?");
	ck_assert_str_eq(ev_state_glyph(EV_CPU, 1), "\u2588");
	ck_assert_str_eq(ev_state_glyph(EV_IO, 1), "\u2591");
	ck_assert_str_eq(ev_state_glyph(EV_LOCK_WAIT, 0), "=");
	ck_assert_str_eq(ev_state_glyph(EV_READ, 0), "?");

	/* Every state reads differently from every other on a monochrome
	 * screen, except idle and done, which are both blank. */
	for (unsigned a = 0; a < EV_STATE_COUNT; a++) {
		for (int utf8 = 0; utf8 <= 1; utf8++) {
			ck_assert_ptr_nonnull(ev_state_glyph(a, utf8));
			for (unsigned b = a + 1; b < EV_STATE_COUNT; b++) {
				int blank = (a == EV_IDLE || a == EV_DONE) &&
					    (b == EV_IDLE || b == EV_DONE);
				ck_assert_int_eq(
					strcmp(ev_state_glyph(a, utf8),
					       ev_state_glyph(b, utf8)) == 0,
					blank);
			}
		}
		ck_assert_uint_eq(strlen(ev_state_glyph(a, 0)), 1);
	}
	for (unsigned k = 0; k < EV_KIND_COUNT; k++)
		ck_assert_str_ne(ev_kind_name(k), "?");
}
END_TEST

Suite *suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("summary");
	tcase_add_test(tc, test_summary_exact);
	tcase_add_test(tc, test_summary_truncates);
	tcase_add_test(tc, test_headless_dropped_is_measured);
	tcase_add_test(tc, test_headless_wrong_answer_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("diagram");
	tcase_add_test(tc, test_diagram_cells);
	tcase_add_test(tc, test_diagram_axis_legend);
	tcase_add_test(tc, test_diagram_tasks);
	tcase_add_test(tc, test_diagram_many_lanes);
	tcase_add_test(tc, test_diagram_empty);
	tcase_add_test(tc, test_glyphs);
	suite_add_tcase(s, tc);
	return s;
}
