/* recording.c - one run kept in full (see recording.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app/recording.h"
#include "core/evring.h"
#include "core/msg.h"
#include "core/timeline.h"
#include "models/model.h"
#include "work/work.h"

static void oom(void)
{
	msg_fatal("out of memory while recording the run",
		  "use fewer tasks or a smaller --scale");
}

static char *dup_or_null(const char *s)
{
	char *p;

	if (!s || !s[0])
		return NULL;
	p = strdup(s);
	if (!p)
		oom();
	return p;
}

/* What each task asks for, while the run's input lives. */
static void keep_whats(struct recording *rec, const struct run *r)
{
	char buf[512];

	for (uint32_t i = 0; i < rec->ntasks; i++)
		if (run_task_what(r, i, buf, sizeof buf) == 0)
			rec->what[i] = dup_or_null(buf);
}

struct recording *recording_new(const struct run *r)
{
	struct recording *rec = xcalloc(1, sizeof *rec);

	rec->cfg = *run_config(r);
	rec->origin_ns = run_origin_ns(r);
	rec->tl = timeline_new(rec->origin_ns);
	if (!rec->tl)
		oom();
	run_ledger_init(r, &rec->ledger0);
	if (model_get(rec->cfg.model)->processes)
		ledger_own_copies(&rec->ledger0);
	rec->has_ledger = rec->ledger0.nvars > 0 || rec->ledger0.nlocks > 0;
	rec->ntasks = (uint32_t)rec->cfg.sc.tasks;
	rec->result =
		xcalloc(rec->ntasks ? rec->ntasks : 1, sizeof *rec->result);
	rec->what = xcalloc(rec->ntasks ? rec->ntasks : 1, sizeof *rec->what);
	keep_whats(rec, r);
	return rec;
}

void recording_free(struct recording *rec)
{
	if (!rec)
		return;
	for (uint32_t i = 0; i < rec->ntasks; i++) {
		free(rec->result[i]);
		free(rec->what[i]);
	}
	free(rec->result);
	free(rec->what);
	ledger_free(&rec->ledger0);
	timeline_free(rec->tl);
	free(rec->ev);
	free(rec);
}

/* Keeps e raw, as drained. */
static void keep_raw(struct recording *rec, const struct ev *e)
{
	if (rec->nev == rec->capev) {
		size_t cap = rec->capev ? rec->capev * 2 : 4096;
		struct ev *p = cap < SIZE_MAX / sizeof *p
				       ? realloc(rec->ev, cap * sizeof *p)
				       : NULL;
		if (!p)
			oom();
		rec->ev = p;
		rec->capev = cap;
	}
	rec->ev[rec->nev++] = *e;
}

void recording_add(struct recording *rec, const struct ev *e)
{
	keep_raw(rec, e);
	if (timeline_add(rec->tl, e) != 0)
		oom();
}

/* What recording_drain hands each event to, after the timeline. */
struct drain {
	struct recording *rec;
	void (*also)(void *ctx, const struct ev *ev);
	void *ctx;
};

static void drained(void *p, const struct ev *e)
{
	struct drain *d = p;

	keep_raw(d->rec, e);
	if (d->also)
		d->also(d->ctx, e);
}

size_t recording_drain(struct recording *rec, struct evring *ring, size_t max,
		       void (*also)(void *ctx, const struct ev *ev), void *ctx)
{
	struct drain d = { rec, also, ctx };

	return timeline_drain_also(rec->tl, ring, max, drained, &d);
}

void recording_end(struct recording *rec, const struct run *r,
		   const struct run_stats *st)
{
	char buf[WORK_TEXT_MAX + 64];

	rec->ended = 1;
	rec->st = *st;
	rec->end_ns = st->end_ns > rec->origin_ns ? st->end_ns - rec->origin_ns
						  : timeline_end(rec->tl);
	for (uint32_t i = 0; i < rec->ntasks; i++) {
		const struct task_result *res = run_result(r, i);
		if (!res || res->status == TASK_PENDING)
			continue;
		work_format(&rec->cfg.sc, i, res, buf, sizeof buf);
		free(rec->result[i]);
		rec->result[i] = dup_or_null(buf);
	}
}

int recording_ledger_at(const struct recording *rec, int64_t t,
			struct ledger *lg)
{
	int64_t until = rec->origin_ns + t;

	if (!rec->has_ledger)
		return -1;
	ledger_free(lg);
	*lg = rec->ledger0; /* no waiters yet: nothing shared */
	for (size_t i = 0; i < rec->nev; i++)
		if (rec->ev[i].ts_ns <= until)
			ledger_add(lg, &rec->ev[i]);
	return 0;
}

const char *recording_result(const struct recording *rec, uint32_t task)
{
	return task < rec->ntasks ? rec->result[task] : NULL;
}

const char *recording_what(const struct recording *rec, uint32_t task)
{
	return task < rec->ntasks ? rec->what[task] : NULL;
}

int64_t recording_now(const struct recording *rec)
{
	int64_t last = timeline_end(rec->tl);

	return rec->ended && rec->end_ns > last ? rec->end_ns : last;
}
