/* ui_race.c - the race lab's panel, as lines of text (ui_race.h). */
#include "config.h"

#include "ui/ui_race.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/ledger.h"

#define WAITERS_SHOWN 6

struct lines {
	struct ui_race_line *out;
	int n, max;
};

static struct ui_race_line *line_new(struct lines *l, enum ui_style style)
{
	struct ui_race_line *x;

	if (l->n >= l->max)
		return NULL;
	x = &l->out[l->n++];
	x->style = style;
	x->wrap = 0;
	x->text[0] = '\0';
	return x;
}

static void addf(struct ui_race_line *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends to a line's text, cut at its end. */
static void addf(struct ui_race_line *x, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (!x)
		return;
	n = strlen(x->text);
	va_start(ap, fmt);
	vsnprintf(x->text + n, sizeof x->text - n, fmt, ap);
	va_end(ap);
}

/* "x", or "bank 2". */
static void var_name(const struct ui_race *r, int var, char *buf, size_t len)
{
	if (r->lg->nvars == 1)
		snprintf(buf, len, "%s", r->label);
	else
		snprintf(buf, len, "%s %d", r->label, var);
}

/* The values and the invariant: red while broken. */
static void values_line(const struct ui_race *r, struct lines *l)
{
	const struct ledger *lg = r->lg;
	int64_t should = ledger_should(lg), off = lg->sum - should;
	int chance = !off && lg->lost > 0; /* lost updates that cancel out */
	struct ui_race_line *x =
		line_new(l, (off || chance) && !r->processes ? UI_STYLE_ALERT
							     : UI_STYLE_NORMAL);

	if (lg->nvars == 1) {
		addf(x, "%s = %" PRId64, r->label, lg->value[0]);
	} else {
		addf(x, "%ss", r->label);
		for (int i = 0; i < lg->nvars; i++)
			addf(x, " %" PRId64, lg->value[i]);
		addf(x, "  sum %" PRId64, lg->sum);
	}
	if (r->processes) {
		addf(x, " here, as at the start");
		return;
	}
	if (lg->counting)
		addf(x, "  stores %" PRIu64 ", must end at %" PRId64,
		     lg->writes, lg->expected);
	else
		addf(x, "  must stay %" PRId64, should);
	if (off)
		addf(x, "  %s %+" PRId64,
		     lg->counting || lg->lost ? "BROKEN:" : "INVALID STATE:",
		     off);
	else if (chance)
		addf(x, "  ok, by chance: updates were lost");
	else
		addf(x, "  ok");
}

/* The latest lost update, in words. */
static void lost_words(const struct ui_race *r, const struct ledger_lost *u,
		       struct ui_race_line *x)
{
	char name[48], victim[24];
	int bank = strcmp(r->label, "bank") == 0;

	var_name(r, u->var, name, sizeof name);
	if (u->victim == UINT32_MAX)
		snprintf(victim, sizeof victim, "another task");
	else
		snprintf(victim, sizeof victim, "task %u", (unsigned)u->victim);
	if (bank && u->amount >= 0)
		addf(x, "task %u overwrote %s's deposit to %s: %d lost",
		     (unsigned)u->task, victim, name, (int)u->amount);
	else if (bank)
		addf(x,
		     "task %u overwrote %s's withdrawal from %s: %d "
		     "came back",
		     (unsigned)u->task, victim, name, -(int)u->amount);
	else
		addf(x, "task %u overwrote %s's update of %s: %d lost",
		     (unsigned)u->task, victim, name, (int)u->amount);
}

/* Lost updates, or the invalid states a lock cannot prevent. */
static void lost_line(const struct ui_race *r, struct lines *l)
{
	const struct ledger *lg = r->lg;
	struct ui_race_line *x;

	if (r->processes) {
		x = line_new(l, UI_STYLE_WAIT);
		x->wrap = 1;
		addf(x,
		     "each worker process changes its own copy of the values: "
		     "processes share no memory, so nothing here moves");
		return;
	}
	if (lg->lost > 0) {
		x = line_new(l, UI_STYLE_MARK);
		x->wrap = 1;
		addf(x,
		     "X %" PRIu64 " lost update%s, %" PRId64 " in all; last: ",
		     lg->lost, lg->lost == 1 ? "" : "s", lg->lost_amount);
		lost_words(r, &lg->recent[0], x);
		return;
	}
	if (!lg->counting && lg->breaks > 0) {
		x = line_new(l, UI_STYLE_WAIT);
		x->wrap = 1;
		addf(x,
		     "no update lost; the sum was off %" PRIu64
		     " time%s (%.1f ms in all): between a transfer's two "
		     "updates, an invalid state only its lock holder sees",
		     lg->breaks, lg->breaks == 1 ? "" : "s",
		     (double)lg->broken_ns / 1e6);
		return;
	}
	x = line_new(l, UI_STYLE_DIM);
	addf(x, "no update lost%s", r->over ? "" : " so far");
}

static void holder_words(const struct ui_race *r, const struct ledger_lock *k,
			 struct ui_race_line *x)
{
	if (k->holder == UINT32_MAX) {
		addf(x, "free");
		return;
	}
	addf(x, "held by task %u", (unsigned)k->holder);
	if (!r->task_view)
		addf(x, " (w%u)", (unsigned)k->lane);
	if (k->depth > 1)
		addf(x, " x%u", (unsigned)k->depth);
}

static void waiters_words(const struct ledger *lg, int id,
			  struct ui_race_line *x, int brief)
{
	uint32_t w[WAITERS_SHOWN];
	size_t n = ledger_waiters(lg, id, w, WAITERS_SHOWN);

	if (n == 0)
		return;
	addf(x, brief ? "<-" : "; waiting: ");
	for (size_t i = 0; i < n && i < WAITERS_SHOWN; i++)
		addf(x, brief ? "%s%u" : "%stask %u", i ? "," : "",
		     (unsigned)w[i]);
	if (n > WAITERS_SHOWN)
		addf(x, brief ? ",+%zu" : " and %zu more", n - WAITERS_SHOWN);
}

/* A line per lock, or one for all when they do not fit. */
static void lock_lines(const struct ui_race *r, int rows, struct lines *l)
{
	const struct ledger *lg = r->lg;
	struct ui_race_line *x;

	if (lg->nlocks <= rows) {
		for (int id = 0; id < lg->nlocks; id++) {
			x = line_new(l, lg->lock[id].holder == UINT32_MAX
						? UI_STYLE_DIM
						: UI_STYLE_WAIT);
			addf(x, "L%d ", id);
			holder_words(r, &lg->lock[id], x);
			waiters_words(lg, id, x, 0);
		}
		return;
	}
	x = line_new(l, UI_STYLE_WAIT);
	addf(x, "locks:");
	for (int id = 0; id < lg->nlocks; id++) {
		const struct ledger_lock *k = &lg->lock[id];
		if (k->holder == UINT32_MAX)
			addf(x, "  L%d free", id);
		else
			addf(x, "  L%d t%u", id, (unsigned)k->holder);
		waiters_words(lg, id, x, 1);
	}
}

int ui_race_lines(const struct ui_race *r, int lock_rows,
		  struct ui_race_line *out, int max)
{
	struct lines l = { out, 0, max };

	if (r->cycle && r->cycle[0]) {
		struct ui_race_line *x = line_new(&l, UI_STYLE_ALERT);
		x->wrap = 1;
		addf(x, "DEADLOCK, found and stopped: %s", r->cycle);
	}
	if (r->lg->nvars > 0) {
		values_line(r, &l);
		lost_line(r, &l);
	}
	if (r->lg->nlocks > 0 && r->processes)
		addf(line_new(&l, UI_STYLE_DIM),
		     "locks: each worker process has its own (processes share "
		     "no locks)");
	else if (r->lg->nlocks > 0)
		lock_lines(r, lock_rows, &l);
	return l.n;
}
