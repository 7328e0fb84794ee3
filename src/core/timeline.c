/* timeline.c - events turned into per-lane segments, queried at any zoom.
 *
 * Each lane keeps its segments in one array sorted by start time (events of
 * a lane arrive in time order, and older ones are clamped), so every query
 * starts with a binary search and then walks only the segments inside the
 * window. The UI asks for every screen column of every lane 30 times a
 * second, on lanes of tens of thousands of segments: a scan from the start
 * of the lane would not keep up.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/evring.h"
#include "core/msg.h"
#include "core/timeline.h"

#define MARKER_KINDS (EV_KIND_COUNT - EV_STATE_COUNT)
#define MIN_CAP 4 /* small: a run of 15,000 tasks has 15,000 task lanes */
/* Task lanes are made for task numbers below this only: a corrupt event
 * must not make the timeline allocate gigabytes of lane pointers. */
#define TASK_LANES_MAX (1u << 24)

/* One stretch of a lane in one state for one task; it lasts until the next
 * segment starts (the last one until "now"). */
struct seg {
	int64_t start;
	uint32_t task;
	uint8_t state;
};

/* The times of one kind of marker on a lane, in order. One array per kind
 * makes "is there an error in this column" one binary search, however many
 * reads and writes a counter race leaves around it. */
/* A lane's markers of one kind: their times (searched), and beside each
 * its task and arg (the code of an error, the value read or written). */
struct marks {
	int64_t *t;
	struct mark_of {
		int64_t arg;
		uint32_t task;
	} * of;
	size_t n, cap, capof;
};

struct lane {
	struct seg *seg;
	size_t nseg, capseg;
	struct marks marks[MARKER_KINDS];
	uint32_t *tasks; /* distinct tasks seen, sorted */
	size_t ntasks, captasks;
	int64_t last; /* latest event time, for clamping */
	int64_t pid;  /* the process on the lane (EV_STARTUP's arg), or 0 */
};

/* The lanes of one view: by worker (the event's lane) or by task. */
struct lanes {
	struct lane **lanes; /* NULL where no event named the lane yet */
	int nlanes;
	size_t caplanes;
};

struct timeline {
	int64_t origin;
	int64_t end;
	struct lanes by[TIMELINE_VIEW_COUNT];
	enum timeline_view view; /* what the queries read */
	uint64_t events;
	uint64_t markers[MARKER_KINDS];
};

/* Ties in timeline_dominant go to the state that teaches most: a column
 * where a worker waited for a lock as long as it computed shows the wait. */
static const enum ev_kind dominance[] = {
	EV_STALL, EV_LOCK_WAIT, EV_GIL_WAIT, EV_IO,   EV_READY,
	EV_CPU,	  EV_STARTUP,	EV_IDLE,     EV_DONE,
};
_Static_assert(sizeof dominance / sizeof dominance[0] == EV_STATE_COUNT,
	       "every state needs a rank in dominance[]");

/* Returns arr with room for element n (doubling), or NULL when out of
 * memory, in which case arr and *cap are untouched. */
static void *grow(void *arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : MIN_CAP;
	if (ncap < n + 1)
		ncap = n + 1;
	if (ncap > SIZE_MAX / size)
		return NULL;
	void *p = realloc(arr, ncap * size);
	if (p == NULL)
		return NULL;
	*cap = ncap;
	return p;
}

struct timeline *timeline_new(int64_t origin_ns)
{
	struct timeline *tl = calloc(1, sizeof *tl);
	if (tl == NULL)
		return NULL;
	tl->origin = origin_ns;
	return tl;
}

static void lane_free(struct lane *ln)
{
	if (ln == NULL)
		return;
	free(ln->seg);
	for (int k = 0; k < MARKER_KINDS; k++) {
		free(ln->marks[k].t);
		free(ln->marks[k].of);
	}
	free(ln->tasks);
	free(ln);
}

void timeline_free(struct timeline *tl)
{
	if (tl == NULL)
		return;
	for (int v = 0; v < TIMELINE_VIEW_COUNT; v++) {
		for (int i = 0; i < tl->by[v].nlanes; i++)
			lane_free(tl->by[v].lanes[i]);
		free(tl->by[v].lanes);
	}
	free(tl);
}

/* The lane numbered idx of a view, created if new. Only the pointer
 * array covers the lanes below it: a lane itself is made when an event
 * names it, so a view of 15,000 tasks costs one small lane per task. */
static struct lane *lane_get(struct lanes *ls, unsigned idx)
{
	if (idx >= ls->caplanes) {
		size_t cap = ls->caplanes;
		struct lane **p = grow(ls->lanes, &cap, idx, sizeof *p);
		if (p == NULL)
			return NULL;
		memset(p + ls->caplanes, 0, (cap - ls->caplanes) * sizeof *p);
		ls->lanes = p;
		ls->caplanes = cap;
	}
	if (ls->lanes[idx] == NULL) {
		ls->lanes[idx] = calloc(1, sizeof *ls->lanes[idx]);
		if (ls->lanes[idx] == NULL)
			return NULL;
	}
	if ((int)idx >= ls->nlanes)
		ls->nlanes = (int)idx + 1;
	return ls->lanes[idx];
}

static const struct lane *lane_find(const struct timeline *tl, int lane)
{
	const struct lanes *ls = &tl->by[tl->view];

	if (lane < 0 || lane >= ls->nlanes)
		return NULL;
	return ls->lanes[lane];
}

/* Records that `task` reached a state on the lane. Tasks are handed out in
 * increasing order, so a task new to the lane is nearly always the largest
 * seen and goes at the end; only interleaved ones (async) need a search. */
static int lane_note_task(struct lane *ln, uint32_t task)
{
	size_t n = ln->ntasks, lo = 0, hi = n;
	if (n > 0 && ln->tasks[n - 1] < task)
		lo = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ln->tasks[mid] < task)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && ln->tasks[lo] == task)
		return 0;
	uint32_t *p = grow(ln->tasks, &ln->captasks, n, sizeof *p);
	if (p == NULL)
		return -1;
	ln->tasks = p;
	memmove(p + lo + 1, p + lo, (n - lo) * sizeof *p);
	p[lo] = task;
	ln->ntasks = n + 1;
	return 0;
}

/* A state event at (clamped) time t. Memory is reserved before anything
 * changes, so a failure leaves the lane as it was. */
static int lane_add_state(struct lane *ln, int64_t t, unsigned state,
			  uint32_t task)
{
	struct seg *p = grow(ln->seg, &ln->capseg, ln->nseg, sizeof *p);
	if (p == NULL)
		return -1;
	ln->seg = p;
	struct seg *last = ln->nseg > 0 ? &p[ln->nseg - 1] : NULL;
	if (task != EV_NO_TASK && (last == NULL || last->task != task) &&
	    lane_note_task(ln, task) != 0)
		return -1;
	if (last != NULL && last->state == state && last->task == task)
		return 0;
	if (last != NULL && last->start == t) {
		/* The last segment lasted no time (a clock tie or a clamped
		 * event): replace it rather than keep an invisible one, and
		 * merge with the one before if that makes them equal. */
		last->state = (uint8_t)state;
		last->task = task;
		if (ln->nseg > 1 && last[-1].state == state &&
		    last[-1].task == task)
			ln->nseg--;
		return 0;
	}
	p[ln->nseg].start = t;
	p[ln->nseg].state = (uint8_t)state;
	p[ln->nseg].task = task;
	ln->nseg++;
	return 0;
}

static int lane_add_marker(struct lane *ln, int64_t t, const struct ev *e)
{
	struct marks *m = &ln->marks[e->kind - EV_STATE_COUNT];
	int64_t *p = grow(m->t, &m->cap, m->n, sizeof *p);
	if (p == NULL)
		return -1;
	m->t = p;
	struct mark_of *of = grow(m->of, &m->capof, m->n, sizeof *of);
	if (of == NULL)
		return -1;
	m->of = of;
	of[m->n].arg = e->arg;
	of[m->n].task = e->task;
	p[m->n++] = t;
	return 0;
}

/* Puts event e, at time t after the origin, on one lane. */
static int lane_add(struct lane *ln, const struct ev *e, int64_t t)
{
	if (t < ln->last)
		t = ln->last;
	int rc = ev_is_state(e->kind) ? lane_add_state(ln, t, e->kind, e->task)
				      : lane_add_marker(ln, t, e);
	if (rc == 0)
		ln->last = t;
	return rc;
}

int timeline_add(struct timeline *tl, const struct ev *e)
{
	/* A kind this build does not know has nothing to draw; it is not an
	 * out-of-memory condition, so it is skipped, not reported. */
	if (e->kind >= EV_KIND_COUNT)
		return 0;
	struct lane *ln = lane_get(&tl->by[TIMELINE_BY_WORKER], e->lane);
	if (ln == NULL)
		return -1;
	int64_t t = e->ts_ns - tl->origin;
	if (t < 0)
		t = 0; /* stamped before the run's origin was read */
	if (lane_add(ln, e, t) != 0)
		return -1;
	if (e->kind == EV_STARTUP && e->arg > 0)
		ln->pid = e->arg;
	/* The same event on its task's lane: a task's lane is in the state
	 * its last event gave it, whichever worker (or coroutine on the
	 * loop's one thread) ran it, until its EV_IDLE ends it. */
	if (e->task != EV_NO_TASK && e->task < TASK_LANES_MAX) {
		ln = lane_get(&tl->by[TIMELINE_BY_TASK], e->task);
		if (ln == NULL || lane_add(ln, e, t) != 0)
			return -1;
	}
	if (t > tl->end)
		tl->end = t;
	tl->events++;
	if (!ev_is_state(e->kind))
		tl->markers[e->kind - EV_STATE_COUNT]++;
	return 0;
}

void timeline_set_view(struct timeline *tl, enum timeline_view view)
{
	if ((unsigned)view < TIMELINE_VIEW_COUNT)
		tl->view = view;
}

enum timeline_view timeline_get_view(const struct timeline *tl)
{
	return tl->view;
}

int64_t timeline_lane_pid(const struct timeline *tl, int lane)
{
	const struct lanes *ls = &tl->by[TIMELINE_BY_WORKER];

	if (lane < 0 || lane >= ls->nlanes || !ls->lanes[lane])
		return 0;
	return ls->lanes[lane]->pid;
}

int timeline_lanes(const struct timeline *tl)
{
	return tl->by[tl->view].nlanes;
}

int64_t timeline_end(const struct timeline *tl)
{
	return tl->end;
}

size_t timeline_segments(const struct timeline *tl, int lane)
{
	const struct lane *ln = lane_find(tl, lane);
	return ln != NULL ? ln->nseg : 0;
}

/* Number of segments that start at or before t. */
static size_t seg_upper(const struct lane *ln, int64_t t)
{
	size_t lo = 0, hi = ln->nseg;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ln->seg[mid].start <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first time in arr[0..n) that is >= t. */
static size_t time_lower(const int64_t *arr, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (arr[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum ev_kind timeline_state_at(const struct timeline *tl, int lane, int64_t t)
{
	const struct lane *ln = lane_find(tl, lane);
	if (ln == NULL)
		return EV_IDLE;
	size_t i = seg_upper(ln, t);
	return i == 0 ? EV_IDLE : (enum ev_kind)ln->seg[i - 1].state;
}

void timeline_shares(const struct timeline *tl, int lane, int64_t t0,
		     int64_t t1, int64_t now, int64_t shares[EV_STATE_COUNT])
{
	memset(shares, 0, EV_STATE_COUNT * sizeof shares[0]);
	const struct lane *ln = lane_find(tl, lane);
	if (ln == NULL || ln->nseg == 0 || t1 <= t0)
		return;
	size_t i = seg_upper(ln, t0);
	if (i == 0) {
		/* Before its first event the lane had nothing to do. */
		int64_t e = ln->seg[0].start < t1 ? ln->seg[0].start : t1;
		shares[EV_IDLE] += e - t0;
	} else {
		i--;
	}
	for (; i < ln->nseg && ln->seg[i].start < t1; i++) {
		int64_t s = ln->seg[i].start > t0 ? ln->seg[i].start : t0;
		int64_t e = i + 1 < ln->nseg ? ln->seg[i + 1].start : now;
		if (e > t1)
			e = t1;
		if (e > s)
			shares[ln->seg[i].state] += e - s;
	}
}

enum ev_kind timeline_dominant(const struct timeline *tl, int lane, int64_t t0,
			       int64_t t1, int64_t now)
{
	int64_t shares[EV_STATE_COUNT];
	timeline_shares(tl, lane, t0, t1, now, shares);
	enum ev_kind best = EV_IDLE;
	int64_t most = 0;
	for (size_t r = 0; r < EV_STATE_COUNT; r++) {
		if (shares[dominance[r]] > most) {
			most = shares[dominance[r]];
			best = dominance[r];
		}
	}
	return best;
}

enum ev_kind timeline_cell(const struct timeline *tl, int lane, int64_t t0,
			   int64_t t1, int64_t now, int phase)
{
	int64_t shares[EV_STATE_COUNT];
	int first = -1, second = -1;

	timeline_shares(tl, lane, t0, t1, now, shares);
	/* The two largest shares; ties go by dominance[], like
	 * timeline_dominant. */
	for (size_t r = 0; r < EV_STATE_COUNT; r++) {
		int k = (int)dominance[r];
		if (shares[k] <= 0)
			continue;
		if (first < 0 || shares[k] > shares[first]) {
			second = first;
			first = k;
		} else if (second < 0 || shares[k] > shares[second]) {
			second = k;
		}
	}
	if (first < 0)
		return EV_IDLE;
	if (second < 0 ||
	    shares[second] * 100 <
		    (shares[first] + shares[second]) * TIMELINE_MIXED_PCT)
		return (enum ev_kind)first;
	int lo = first < second ? first : second;
	int hi = first < second ? second : first;
	return (enum ev_kind)((phase & 1) ? hi : lo);
}

unsigned timeline_markers(const struct timeline *tl, int lane, int64_t t0,
			  int64_t t1)
{
	const struct lane *ln = lane_find(tl, lane);
	unsigned mask = 0;
	if (ln == NULL || t1 <= t0)
		return 0;
	for (unsigned k = 0; k < MARKER_KINDS; k++) {
		const struct marks *m = &ln->marks[k];
		size_t i = time_lower(m->t, m->n, t0);
		if (i < m->n && m->t[i] < t1)
			mask |= 1u << k;
	}
	return mask;
}

size_t timeline_marker_list(const struct timeline *tl, int lane,
			    enum ev_kind kind, int64_t t0, int64_t t1,
			    struct timeline_marker *out, size_t max)
{
	const struct lane *ln = lane_find(tl, lane);
	size_t n = 0;

	if (ln == NULL || t1 <= t0 || ev_is_state(kind) ||
	    kind >= EV_KIND_COUNT)
		return 0;
	const struct marks *m = &ln->marks[kind - EV_STATE_COUNT];
	for (size_t i = time_lower(m->t, m->n, t0); i < m->n && m->t[i] < t1;
	     i++, n++)
		if (n < max)
			out[n] = (struct timeline_marker){
				.t = m->t[i],
				.arg = m->of[i].arg,
				.task = m->of[i].task
			};
	return n;
}

/* Index of the first segment that starts at or after t. */
static size_t seg_lower(const struct lane *ln, int64_t t)
{
	size_t lo = 0, hi = ln->nseg;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ln->seg[mid].start < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int timeline_task_starts(const struct timeline *tl, int lane, int64_t t0,
			 int64_t t1)
{
	const struct lane *ln = lane_find(tl, lane);
	if (ln == NULL || t1 <= t0)
		return 0;
	/* A task's segments are contiguous until another task's begin (its
	 * own end, EV_IDLE, still carries it), so a change of task between
	 * two neighbouring segments is where one task gave way to the next. */
	for (size_t i = seg_lower(ln, t0);
	     i < ln->nseg && ln->seg[i].start < t1; i++) {
		uint32_t task = ln->seg[i].task;
		uint32_t prev = i > 0 ? ln->seg[i - 1].task : EV_NO_TASK;
		if (task != EV_NO_TASK && prev != EV_NO_TASK && task != prev)
			return 1;
	}
	return 0;
}

int timeline_cell_boundary(const struct timeline *tl, int lane, int64_t t0,
			   int64_t t1, int64_t now, int phase)
{
	enum ev_kind k;

	if (!timeline_task_starts(tl, lane, t0, t1))
		return 0;
	k = timeline_cell(tl, lane, t0, t1, now, phase);
	return k != EV_IDLE &&
	       k == timeline_cell(tl, lane, t0, t1, now, phase + 1);
}

uint64_t timeline_events(const struct timeline *tl)
{
	return tl->events;
}

uint64_t timeline_marker_count(const struct timeline *tl, enum ev_kind kind)
{
	if (ev_is_state(kind) || kind >= EV_KIND_COUNT)
		return 0;
	return tl->markers[kind - EV_STATE_COUNT];
}

uint64_t timeline_lane_tasks(const struct timeline *tl, int lane)
{
	const struct lane *ln = lane_find(tl, lane);
	return ln != NULL ? ln->ntasks : 0;
}

#define DRAIN_BATCH 1024

size_t timeline_drain(struct timeline *tl, struct evring *ring, size_t max)
{
	return timeline_drain_also(tl, ring, max, NULL, NULL);
}

size_t timeline_drain_also(struct timeline *tl, struct evring *ring, size_t max,
			   void (*also)(void *ctx, const struct ev *ev),
			   void *ctx)
{
	struct ev buf[DRAIN_BATCH];
	size_t total = 0, n;

	do {
		size_t want =
			max - total < DRAIN_BATCH ? max - total : DRAIN_BATCH;
		n = evring_drain(ring, buf, want);
		for (size_t i = 0; i < n; i++) {
			if (timeline_add(tl, &buf[i]) != 0)
				msg_fatal(
					"out of memory while recording the run",
					"use fewer tasks or a smaller --scale");
			if (also)
				also(ctx, &buf[i]);
		}
		total += n;
	} while (n == DRAIN_BATCH && total < max);
	return total;
}
