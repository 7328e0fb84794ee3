/* check_report.c - the summary line and the ASCII diagram, drawn from
 * hand-built timelines into memory streams; plus the glyph table of ev.c
 * the diagram draws with. No real runs here (check_run.c does those). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "ev.h"
#include "report.h"
#include "run.h"
#include "timeline.h"

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
				.stalls = 3 };
	char buf[512];

	report_summary(buf, sizeof buf, &cfg, &st);
	ck_assert_str_eq(buf, "summary: scenario=fib model=threads workers=2 "
			      "gil=off tasks=20 ok=20 failed=0 wall_s=1.235 "
			      "cpu_s=2.500 events=120 dropped=0 stalls=3");

	cfg.gil = 1;
	cfg.model = MODEL_SYNC;
	cfg.workers = 1;
	st.ok = 18;
	st.failed = 2;
	st.wrong = 4;
	st.stalls = 0;
	report_summary(buf, sizeof buf, &cfg, &st);
	ck_assert_str_eq(buf, "summary: scenario=fib model=sync workers=1 "
			      "gil=on tasks=20 ok=18 failed=2 wall_s=1.235 "
			      "cpu_s=2.500 events=120 dropped=0 stalls=0 "
			      "wrong=4");
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
	ck_assert_str_eq(line, "# cpu  . io  = lock-wait  : gil-wait  "
			       "- startup  ! error  X lost-update");
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
	suite_add_tcase(s, tc);

	tc = tcase_create("diagram");
	tcase_add_test(tc, test_diagram_cells);
	tcase_add_test(tc, test_diagram_axis_legend);
	tcase_add_test(tc, test_diagram_many_lanes);
	tcase_add_test(tc, test_diagram_empty);
	tcase_add_test(tc, test_glyphs);
	suite_add_tcase(s, tc);
	return s;
}
