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

struct recording *recording_new_cfg(const struct run_config *cfg,
				    int64_t origin_ns)
{
	struct recording *rec = xcalloc(1, sizeof *rec);
	size_t slots;

	rec->cfg = *cfg;
	rec->origin_ns = origin_ns;
	rec->tl = timeline_new(origin_ns);
	if (!rec->tl)
		oom();
	if (cfg->sc.tasks > 0 && (uint64_t)cfg->sc.tasks <= UINT32_MAX)
		rec->ntasks = (uint32_t)cfg->sc.tasks;
	slots = rec->ntasks ? rec->ntasks : 1;
	rec->result = xcalloc(slots, sizeof *rec->result);
	rec->what = xcalloc(slots, sizeof *rec->what);
	rec->status = xcalloc(slots, sizeof *rec->status); /* TASK_PENDING */
	return rec;
}

struct recording *recording_new(const struct run *r)
{
	struct recording *rec =
		recording_new_cfg(run_config(r), run_origin_ns(r));
	struct ledger lg;

	run_ledger_init(r, &lg);
	if (model_get(rec->cfg.model)->processes)
		ledger_own_copies(&lg);
	recording_set_ledger(rec, &lg);
	ledger_free(&lg);
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
	free(rec->status);
	free(rec->urls_from);
	ledger_free(&rec->ledger0);
	timeline_free(rec->tl);
	free(rec->ev);
	free(rec);
}

void recording_set_ledger(struct recording *rec, const struct ledger *lg)
{
	ledger_free(&rec->ledger0);
	rec->ledger0 = *lg;
	rec->ledger0.waiter = NULL;
	rec->ledger0.nwaiter = rec->ledger0.capwaiter = 0;
	rec->has_ledger = lg->nvars > 0 || lg->nlocks > 0;
}

void recording_set_result(struct recording *rec, uint32_t task,
			  enum task_status status, const char *text)
{
	if (task >= rec->ntasks)
		return;
	rec->status[task] = (unsigned char)status;
	free(rec->result[task]);
	rec->result[task] = dup_or_null(text);
}

void recording_set_what(struct recording *rec, uint32_t task, const char *text)
{
	if (task >= rec->ntasks)
		return;
	free(rec->what[task]);
	rec->what[task] = dup_or_null(text);
}

void recording_set_end(struct recording *rec, const struct run_stats *st,
		       int64_t end_ns)
{
	rec->ended = 1;
	rec->st = *st;
	rec->end_ns = end_ns;
}

void recording_set_urls_from(struct recording *rec, const char *from)
{
	free(rec->urls_from);
	rec->urls_from = from ? xstrdup(from) : NULL;
	rec->cfg.urls_from = rec->urls_from;
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

	/* The workers it really had, after the model's rules (sync: 1), as
	 * the summary line says. */
	rec->cfg.workers = run_workers(r);
	recording_set_end(rec, st,
			  st->end_ns > rec->origin_ns
				  ? st->end_ns - rec->origin_ns
				  : timeline_end(rec->tl));
	for (uint32_t i = 0; i < rec->ntasks; i++) {
		const struct task_result *res = run_result(r, i);
		if (!res || res->status == TASK_PENDING)
			continue;
		/* Why it failed, as the report lists it: a workload's format
		 * shows values (fib's "0" for a task that never finished). */
		if (res->status == TASK_FAILED)
			msg_fmt(buf, sizeof buf, "%s", res->text);
		else
			work_format(&rec->cfg.sc, i, res, buf, sizeof buf);
		recording_set_result(rec, i, (enum task_status)res->status,
				     buf);
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

enum task_status recording_status(const struct recording *rec, uint32_t task)
{
	return task < rec->ntasks ? (enum task_status)rec->status[task]
				  : TASK_PENDING;
}

int64_t recording_now(const struct recording *rec)
{
	int64_t last = timeline_end(rec->tl);

	return rec->ended && rec->end_ns > last ? rec->end_ns : last;
}
