/* timeline.c - events turned into per-lane segments, queried at any zoom.
 *
 * Each lane keeps its segments in one array sorted by start time (events of
 * a lane arrive in time order, and older ones are clamped), so every query
 * starts with a binary search. The UI asks for every screen column of every
 * lane 30 times a second, on lanes of tens of thousands of segments, and a
 * column of a zoomed-out view can span thousands of them: walking them
 * would not keep up either. So a lane also keeps a prefix index (struct
 * cum): beside segment i, what segments 0..i-1 add up to. A window's shares
 * are then the difference of two such sums, each completed by the part of
 * one segment, and a column costs two binary searches however wide it is.
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
/* A lane gets its prefix index once it has this many segments. Below it a
 * query sums the few segments there are: most task lanes hold two or three
 * and so cost no index at all. */
#define INDEX_FROM 16

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

/* What segments 0..i-1 of a lane add up to, kept for segment i: the time
 * spent in each state, and the number of task changes among them (segment
 * j > 0 whose task differs from segment j-1's, neither EV_NO_TASK). It
 * depends on nothing after segment i's start, so the in-place replacement
 * of the last segment never touches it, and dropping a merged segment
 * drops its entry. */
struct cum {
	int64_t in[EV_STATE_COUNT];
	uint64_t changes;
};

struct lane {
	struct seg *seg;
	size_t nseg, capseg;
	struct cum *cum; /* cum[i] for segment i: none yet (ncum 0) or all */
	size_t ncum, capcum;
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
	free(ln->cum);
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

/* Index of the first of the lane's tasks that is >= task. */
static size_t task_lower(const struct lane *ln, uint32_t task)
{
	size_t lo = 0, hi = ln->ntasks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ln->tasks[mid] < task)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Records that `task` reached a state on the lane. Tasks are handed out in
 * increasing order, so a task new to the lane is nearly always the largest
 * seen and goes at the end; only interleaved ones (async) need a search. */
static int lane_note_task(struct lane *ln, uint32_t task)
{
	size_t n = ln->ntasks;
	size_t lo = n > 0 && ln->tasks[n - 1] < task ? n : task_lower(ln, task);
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

/* Does segment i of ln begin a task right after another one? */
static int seg_task_change(const struct lane *ln, size_t i)
{
	uint32_t task = ln->seg[i].task;
	uint32_t prev = i > 0 ? ln->seg[i - 1].task : EV_NO_TASK;

	return task != EV_NO_TASK && prev != EV_NO_TASK && task != prev;
}

/* Turns c, the sums before segment i, into the sums before segment i + 1
 * (which must exist: segment i's end is its start). */
static void cum_step(const struct lane *ln, size_t i, struct cum *c)
{
	c->in[ln->seg[i].state] += ln->seg[i + 1].start - ln->seg[i].start;
	c->changes += (uint64_t)seg_task_change(ln, i);
}

/* Brings the prefix index up to the lane's segments after one was
 * appended: the entries it lacks (all of them when the lane has just grown
 * long enough to get one). lane_add_state reserved their room. */
static void lane_index(struct lane *ln)
{
	if (ln->ncum == 0 && ln->nseg < INDEX_FROM)
		return;
	if (ln->ncum == 0)
		memset(&ln->cum[0], 0, sizeof ln->cum[0]);
	for (size_t i = ln->ncum ? ln->ncum : 1; i < ln->nseg; i++) {
		ln->cum[i] = ln->cum[i - 1];
		cum_step(ln, i - 1, &ln->cum[i]);
	}
	ln->ncum = ln->nseg;
}

/* Room for one more segment and, once the lane is long enough, for its
 * prefix entry. On failure nothing has changed. */
static int lane_reserve(struct lane *ln)
{
	struct seg *p = grow(ln->seg, &ln->capseg, ln->nseg, sizeof *p);
	if (p == NULL)
		return -1;
	ln->seg = p;
	if (ln->ncum == 0 && ln->nseg + 1 < INDEX_FROM)
		return 0;
	struct cum *c = grow(ln->cum, &ln->capcum, ln->nseg, sizeof *c);
	if (c == NULL)
		return -1;
	ln->cum = c;
	return 0;
}

/* The last segment lasted no time (a clock tie or a clamped event): it
 * becomes the new state rather than stay as an invisible one, and merges
 * with the one before if that makes them equal. Its prefix entry holds
 * only what came before it, so it stays right; a merged one goes with its
 * segment. */
static void lane_replace_last(struct lane *ln, unsigned state, uint32_t task)
{
	struct seg *last = &ln->seg[ln->nseg - 1];

	last->state = (uint8_t)state;
	last->task = task;
	if (ln->nseg > 1 && last[-1].state == state && last[-1].task == task) {
		ln->nseg--;
		if (ln->ncum > ln->nseg)
			ln->ncum = ln->nseg;
	}
}

/* A state event at (clamped) time t. Memory is reserved before anything
 * changes, so a failure leaves the lane as it was. */
static int lane_add_state(struct lane *ln, int64_t t, unsigned state,
			  uint32_t task)
{
	if (lane_reserve(ln) != 0)
		return -1;
	struct seg *p = ln->seg;
	struct seg *last = ln->nseg > 0 ? &p[ln->nseg - 1] : NULL;
	if (task != EV_NO_TASK && (last == NULL || last->task != task) &&
	    lane_note_task(ln, task) != 0)
		return -1;
	if (last != NULL && last->state == state && last->task == task)
		return 0;
	if (last != NULL && last->start == t) {
		lane_replace_last(ln, state, task);
		return 0;
	}
	p[ln->nseg].start = t;
	p[ln->nseg].state = (uint8_t)state;
	p[ln->nseg].task = task;
	ln->nseg++;
	lane_index(ln);
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

/* Index of the first time in arr[0..n) that is > t. */
static size_t time_upper(const int64_t *arr, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (arr[mid] <= t)
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

/* What segments 0..i-1 of ln add up to (i < nseg): read from the index,
 * or summed on a lane too short to have one. */
static void lane_cum_before(const struct lane *ln, size_t i, struct cum *out)
{
	if (ln->ncum != 0) {
		*out = ln->cum[i];
		return;
	}
	memset(out, 0, sizeof *out);
	for (size_t j = 0; j < i; j++)
		cum_step(ln, j, out);
}

/* The stretch of a non-empty lane that holds t, i being seg_upper(t):
 * its state, and its time up to t, counted from 0 before the lane's first
 * event (negative for t < 0: only differences mean anything) and from
 * the segment's start after it. The open last segment stops at `now`,
 * and has no time if `now` is not past its start. */
static int64_t lane_part(const struct lane *ln, size_t i, int64_t t,
			 int64_t now, unsigned *state)
{
	if (i == 0) {
		*state = EV_IDLE;
		return t;
	}
	const struct seg *s = &ln->seg[i - 1];
	int64_t until = i < ln->nseg || t < now ? t : now;
	*state = s->state;
	return until > s->start ? until - s->start : 0;
}

/* The time of a non-empty lane in each state up to t (i = seg_upper(t)):
 * idle before its first event, then its segments, the one holding t in
 * part. Only differences mean anything; changes is not filled in. */
static void lane_cum_at(const struct lane *ln, size_t i, int64_t t, int64_t now,
			struct cum *out)
{
	unsigned state;
	int64_t part = lane_part(ln, i, t, now, &state);

	if (i == 0) {
		memset(out, 0, sizeof *out);
	} else {
		lane_cum_before(ln, i - 1, out);
		out->in[EV_IDLE] += ln->seg[0].start;
	}
	out->in[state] += part;
}

void timeline_shares(const struct timeline *tl, int lane, int64_t t0,
		     int64_t t1, int64_t now, int64_t shares[EV_STATE_COUNT])
{
	struct cum c0, c1;
	unsigned k;

	memset(shares, 0, EV_STATE_COUNT * sizeof shares[0]);
	const struct lane *ln = lane_find(tl, lane);
	if (ln == NULL || ln->nseg == 0 || t1 <= t0)
		return;
	size_t i0 = seg_upper(ln, t0), i1 = seg_upper(ln, t1);
	if (i0 == i1) {
		/* One stretch holds the whole window (zoomed in, or past a
		 * short lane's end): what came before it cancels out. */
		int64_t before = lane_part(ln, i0, t0, now, &k);
		shares[k] = lane_part(ln, i1, t1, now, &k) - before;
		return;
	}
	lane_cum_at(ln, i0, t0, now, &c0);
	lane_cum_at(ln, i1, t1, now, &c1);
	for (k = 0; k < EV_STATE_COUNT; k++)
		shares[k] = c1.in[k] - c0.in[k];
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

/* timeline_cell for a cell whose shares are known. */
static enum ev_kind cell_of(const int64_t shares[EV_STATE_COUNT], int phase)
{
	int first = -1, second = -1;

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
	/* In doubles: shares of a long run times 100 overflow int64. */
	if (second < 0 ||
	    (double)shares[second] * 100 <
		    ((double)shares[first] + (double)shares[second]) *
			    TIMELINE_MIXED_PCT)
		return (enum ev_kind)first;
	int lo = first < second ? first : second;
	int hi = first < second ? second : first;
	return (enum ev_kind)((phase & 1) ? hi : lo);
}

enum ev_kind timeline_cell(const struct timeline *tl, int lane, int64_t t0,
			   int64_t t1, int64_t now, int phase)
{
	int64_t shares[EV_STATE_COUNT];

	timeline_shares(tl, lane, t0, t1, now, shares);
	return cell_of(shares, phase);
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

/* Task changes at segments 0..i-1 of a non-empty lane (i <= nseg). */
static uint64_t lane_changes_before(const struct lane *ln, size_t i)
{
	struct cum c;

	if (i == 0)
		return 0;
	lane_cum_before(ln, i - 1, &c);
	return c.changes + (uint64_t)seg_task_change(ln, i - 1);
}

int timeline_task_starts(const struct timeline *tl, int lane, int64_t t0,
			 int64_t t1)
{
	const struct lane *ln = lane_find(tl, lane);
	if (ln == NULL || ln->nseg == 0 || t1 <= t0)
		return 0;
	/* A task's segments are contiguous until another task's begin (its
	 * own end, EV_IDLE, still carries it), so a change of task between
	 * two neighbouring segments is where one task gave way to the next.
	 * The segments that start in the window are from..to-1: one of them
	 * is such a change when more changes come before `to` than before
	 * `from`. */
	size_t from = seg_lower(ln, t0);
	if (from == ln->nseg || ln->seg[from].start >= t1)
		return 0; /* no segment starts in the window: the usual case */
	size_t to = seg_lower(ln, t1);
	return lane_changes_before(ln, to) > lane_changes_before(ln, from);
}

int timeline_cell_boundary(const struct timeline *tl, int lane, int64_t t0,
			   int64_t t1, int64_t now, int phase)
{
	int64_t shares[EV_STATE_COUNT];
	enum ev_kind k;

	if (!timeline_task_starts(tl, lane, t0, t1))
		return 0;
	timeline_shares(tl, lane, t0, t1, now, shares);
	k = cell_of(shares, phase);
	return k != EV_IDLE && k == cell_of(shares, phase + 1);
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

/* Where segment i of ln ends: where the next starts, or for the open last
 * one `now` (never before its start). */
static int64_t seg_end(const struct lane *ln, size_t i, int64_t now)
{
	if (i + 1 < ln->nseg)
		return ln->seg[i + 1].start;
	return now > ln->seg[i].start ? now : ln->seg[i].start;
}

/* Segment i of ln as the queries give it. */
static void seg_fill(const struct lane *ln, size_t i, int64_t now,
		     struct timeline_seg *out)
{
	*out = (struct timeline_seg){ .start = ln->seg[i].start,
				      .end = seg_end(ln, i, now),
				      .task = ln->seg[i].task,
				      .state = (enum ev_kind)ln->seg[i].state };
}

int timeline_seg_at(const struct timeline *tl, int lane, int64_t t, int64_t now,
		    struct timeline_seg *out)
{
	const struct lane *ln = lane_find(tl, lane);
	size_t i = ln != NULL ? seg_upper(ln, t) : 0;

	if (i == 0) {
		/* Nothing yet: the lane idles until its first event. */
		int64_t end =
			ln != NULL && ln->nseg > 0 ? ln->seg[0].start : now;
		*out = (struct timeline_seg){ .start = 0,
					      .end = end,
					      .task = EV_NO_TASK,
					      .state = EV_IDLE };
		return -1;
	}
	seg_fill(ln, i - 1, now, out);
	return 0;
}

int timeline_seg_nth(const struct timeline *tl, int lane, size_t i, int64_t now,
		     struct timeline_seg *out)
{
	const struct lane *ln = lane_find(tl, lane);

	if (ln == NULL || i >= ln->nseg)
		return -1;
	seg_fill(ln, i, now, out);
	return 0;
}

/* The earlier of two event times, -1 standing for none. */
static int64_t earlier(int64_t a, int64_t b)
{
	return a < 0 || (b >= 0 && b < a) ? b : a;
}

/* The first time after t at which something happens on lane ln, or -1. */
static int64_t lane_next(const struct lane *ln, int64_t t)
{
	size_t i = seg_upper(ln, t);
	int64_t best = i < ln->nseg ? ln->seg[i].start : -1;

	for (int k = 0; k < MARKER_KINDS; k++) {
		const struct marks *m = &ln->marks[k];
		size_t j = time_upper(m->t, m->n, t);
		if (j < m->n)
			best = earlier(best, m->t[j]);
	}
	return best;
}

/* The last time before t at which something happens on lane ln, or -1
 * (times are never negative, so the larger one is the later). */
static int64_t lane_prev(const struct lane *ln, int64_t t)
{
	size_t i = seg_lower(ln, t);
	int64_t best = i > 0 ? ln->seg[i - 1].start : -1;

	for (int k = 0; k < MARKER_KINDS; k++) {
		const struct marks *m = &ln->marks[k];
		size_t j = time_lower(m->t, m->n, t);
		if (j > 0 && m->t[j - 1] > best)
			best = m->t[j - 1];
	}
	return best;
}

int64_t timeline_next_event(const struct timeline *tl, int64_t t)
{
	const struct lanes *ls = &tl->by[tl->view];
	int64_t best = -1;

	for (int l = 0; l < ls->nlanes; l++)
		if (ls->lanes[l] != NULL)
			best = earlier(best, lane_next(ls->lanes[l], t));
	return best;
}

int64_t timeline_prev_event(const struct timeline *tl, int64_t t)
{
	const struct lanes *ls = &tl->by[tl->view];
	int64_t best = -1;

	for (int l = 0; l < ls->nlanes; l++) {
		if (ls->lanes[l] == NULL)
			continue;
		int64_t p = lane_prev(ls->lanes[l], t);
		if (p > best)
			best = p;
	}
	return best;
}

/* Where `task` is in the lane's sorted list of tasks, or ln->ntasks when
 * it is not there. */
static size_t lane_task_pos(const struct lane *ln, uint32_t task)
{
	size_t lo = task_lower(ln, task);
	return lo < ln->ntasks && ln->tasks[lo] == task ? lo : ln->ntasks;
}

/* Adds segment i of ln to its task's entry acc[pos], opening the entry
 * (and noting its place in order[]) the first time. Returns how many
 * entries are open now, n before. */
static size_t task_add_seg(const struct lane *ln, size_t i, int64_t now,
			   struct timeline_task *acc, size_t pos, size_t *order,
			   size_t n)
{
	const struct seg *s = &ln->seg[i];
	struct timeline_task *a = &acc[pos];

	if (a->task == EV_NO_TASK) {
		*a = (struct timeline_task){ .task = s->task,
					     .start = s->start,
					     .end = s->start };
		order[n++] = pos;
	}
	/* Idle and done are the task's end, not its time. */
	if (s->state != EV_IDLE && s->state != EV_DONE) {
		int64_t end = seg_end(ln, i, now);
		a->in[s->state] += end - s->start;
		a->end = end;
	}
	return n;
}

/* Fills acc[] (indexed like ln->tasks, entries not seen left with task
 * EV_NO_TASK) from the lane's segments, and order[] with the entries in
 * the order their tasks first started. Returns how many there are. */
static size_t tasks_gather(const struct lane *ln, int64_t now,
			   struct timeline_task *acc, size_t *order)
{
	size_t n = 0, pos = ln->ntasks;
	uint32_t cur = EV_NO_TASK;

	for (size_t i = 0; i < ln->nseg; i++) {
		uint32_t task = ln->seg[i].task;
		if (task == EV_NO_TASK)
			continue;
		/* A worker runs a task's segments one after another: search
		 * only where the task changes. */
		if (task != cur) {
			pos = lane_task_pos(ln, task);
			cur = task;
		}
		if (pos < ln->ntasks)
			n = task_add_seg(ln, i, now, acc, pos, order, n);
	}
	return n;
}

/* Counts the lane's error markers into the entries of their tasks. */
static void tasks_count_errors(const struct lane *ln, struct timeline_task *acc)
{
	const struct marks *m = &ln->marks[EV_ERROR - EV_STATE_COUNT];

	for (size_t i = 0; i < m->n; i++) {
		size_t pos = m->of[i].task == EV_NO_TASK
				     ? ln->ntasks
				     : lane_task_pos(ln, m->of[i].task);
		if (pos < ln->ntasks && acc[pos].task != EV_NO_TASK)
			acc[pos].errors++;
	}
}

size_t timeline_lane_task_list(const struct timeline *tl, int lane, int64_t now,
			       struct timeline_task *out, size_t max)
{
	const struct lane *ln = lane_find(tl, lane);

	if (ln == NULL || ln->ntasks == 0)
		return 0;
	/* One entry per task of the lane, found by its place in ln->tasks:
	 * interleaved tasks (the async loop) add up in their own entries. */
	struct timeline_task *acc = malloc(ln->ntasks * sizeof *acc);
	size_t *order = malloc(ln->ntasks * sizeof *order);
	if (acc == NULL || order == NULL)
		msg_fatal("out of memory while listing a lane's tasks",
			  "use fewer tasks or a smaller --scale");
	for (size_t p = 0; p < ln->ntasks; p++)
		acc[p].task = EV_NO_TASK;
	size_t n = tasks_gather(ln, now, acc, order);
	tasks_count_errors(ln, acc);
	for (size_t k = 0; k < n && k < max; k++)
		out[k] = acc[order[k]];
	free(acc);
	free(order);
	return n;
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
