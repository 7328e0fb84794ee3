/* check_evring.c - the event ring: order, no loss, wrap-around,
 * back-pressure, the consumer's wait, capacity rounding.
 *
 * Timing is never asserted as an upper bound tighter than "well before the
 * timeout": the tests must pass on a loaded CI machine and under valgrind.
 * Helper threads never call ck_assert (it is not meant for other threads);
 * they record what they saw and the test's own thread asserts on it.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_suites.h"
#include "core/clock.h"
#include "core/ev.h"
#include "core/evring.h"

#define MAX_PRODUCERS 8
/* How long a test polls for something that must happen before failing. */
#define POLL_LIMIT_MS 60000

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* One event whose fields all derive from (producer, seq), so a receiver can
 * tell a lost, duplicated, reordered or torn event from a good one. */
static struct ev make_ev(uint16_t producer, uint32_t seq)
{
	struct ev e = {
		.ts_ns = (int64_t)seq * 3,
		.arg = ((int64_t)producer << 32) | seq,
		.task = seq,
		.lane = producer,
		.kind = (uint16_t)(seq % EV_KIND_COUNT),
	};

	return e;
}

static int ev_matches(const struct ev *e, uint16_t producer, uint32_t seq)
{
	struct ev want = make_ev(producer, seq);

	return e->ts_ns == want.ts_ns && e->arg == want.arg &&
	       e->task == want.task && e->lane == want.lane &&
	       e->kind == want.kind;
}

/* --- producers and the consumer thread ---------------------------------- */

struct producer {
	pthread_t thread;
	struct evring *ring;
	uint16_t id;
	uint32_t count;
	int use_emit;	      /* evring_emit instead of evring_push */
	atomic_uint progress; /* events pushed so far */
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;

	for (uint32_t seq = 0; seq < p->count; seq++) {
		if (p->use_emit) {
			evring_emit(p->ring, p->id, seq, EV_CPU,
				    ((int64_t)p->id << 32) | seq);
		} else {
			struct ev e = make_ev(p->id, seq);

			evring_push(p->ring, &e);
		}
		atomic_store(&p->progress, seq + 1);
	}
	return NULL;
}

static void producer_start(struct producer *p, struct evring *ring, uint16_t id,
			   uint32_t count, int use_emit)
{
	p->ring = ring;
	p->id = id;
	p->count = count;
	p->use_emit = use_emit;
	atomic_init(&p->progress, 0);
	ck_assert_int_eq(pthread_create(&p->thread, NULL, producer_main, p), 0);
}

struct consumer {
	pthread_t thread;
	struct evring *ring;
	unsigned producers;
	uint64_t expected;	   /* total events the producers push */
	int emitted;		   /* events came from evring_emit */
	atomic_int producers_done; /* set once every producer was joined */
	uint64_t received;
	uint64_t annotations; /* stall events the ring added (and skipped) */
	uint64_t bad;	      /* out of order, duplicated, torn or unknown */
	int skip_next[MAX_PRODUCERS]; /* the state after a stall comes next */
	uint32_t next[MAX_PRODUCERS];
	int64_t last_ts[MAX_PRODUCERS];
};

/* Is e one of the two events the ring adds after a stalled push (an
 * EV_STALL with arg 0, then the lane's state again)? Producers' own
 * EV_STALL events never have arg 0 (their arg carries seq >= 1). */
static int consumer_annotation(struct consumer *c, const struct ev *e)
{
	uint16_t id = e->lane;

	if (id >= c->producers)
		return 0;
	if (c->skip_next[id]) {
		c->skip_next[id] = 0;
		return 1;
	}
	if (e->kind == EV_STALL && e->arg == 0) {
		c->skip_next[id] = 1;
		return 1;
	}
	return 0;
}

static int consumer_check(struct consumer *c, const struct ev *e)
{
	uint16_t id = e->lane;
	uint32_t seq;

	if (id >= c->producers)
		return 0;
	seq = c->next[id]++;
	if (c->emitted) {
		int ok = e->task == seq && e->kind == EV_CPU &&
			 e->arg == (((int64_t)id << 32) | seq) &&
			 e->ts_ns >= c->last_ts[id];

		c->last_ts[id] = e->ts_ns;
		return ok;
	}
	return ev_matches(e, id, seq);
}

/* Drains until it has every event, or until the producers are done and the
 * ring is empty: a ring that lost events then fails the test at once
 * instead of leaving the consumer waiting for them until the timeout. */
static void *consumer_main(void *arg)
{
	struct consumer *c = arg;
	struct ev buf[1024];

	while (c->received < c->expected) {
		/* Read before looking at the ring: if it is set, every
		 * push has returned, so an empty ring now means nothing more
		 * is coming. */
		int done = atomic_load(&c->producers_done);
		size_t n = 0;

		if (evring_wait(c->ring, 100) > 0)
			n = evring_drain(c->ring, buf,
					 sizeof(buf) / sizeof(buf[0]));
		for (size_t i = 0; i < n; i++) {
			if (consumer_annotation(c, &buf[i])) {
				c->annotations++;
				continue;
			}
			c->bad += !consumer_check(c, &buf[i]);
			c->received++;
		}
		if (done && n == 0)
			break;
	}
	return NULL;
}

/* Runs `producers` threads of `count` events each through a ring of
 * `capacity` while a consumer thread drains it, then checks that every
 * producer's sequence arrived exactly once and in order. */
static void run_concurrent(size_t capacity, unsigned producers, uint32_t count,
			   int use_emit)
{
	struct evring *ring = evring_new(capacity);
	struct producer prod[MAX_PRODUCERS];
	struct consumer c = { 0 };

	ck_assert_ptr_nonnull(ring);
	ck_assert_uint_le(producers, MAX_PRODUCERS);
	c.ring = ring;
	c.producers = producers;
	c.expected = (uint64_t)producers * count;
	c.emitted = use_emit;
	atomic_init(&c.producers_done, 0);
	ck_assert_int_eq(pthread_create(&c.thread, NULL, consumer_main, &c), 0);
	for (unsigned i = 0; i < producers; i++)
		producer_start(&prod[i], ring, (uint16_t)i, count, use_emit);
	for (unsigned i = 0; i < producers; i++)
		pthread_join(prod[i].thread, NULL);
	atomic_store(&c.producers_done, 1);
	pthread_join(c.thread, NULL);

	ck_assert_uint_eq(c.bad, 0);
	ck_assert_uint_eq(c.received, c.expected);
	for (unsigned i = 0; i < producers; i++)
		ck_assert_uint_eq(c.next[i], count);
	/* Each stall added two events, and the consumer got them all. */
	ck_assert_uint_eq(c.annotations, 2 * evring_stalls(ring));
	ck_assert_uint_eq(evring_pushed(ring), c.expected + c.annotations);
	/* Nothing is left over, and nothing extra appeared. */
	ck_assert_uint_eq(evring_wait(ring, 0), 0);
	evring_free(ring);
}

/* --- capacity ----------------------------------------------------------- */

START_TEST(test_capacity_rounding)
{
	static const size_t cases[][2] = {
		{ 0, 2 },	  { 1, 2 },	  { 2, 2 },
		{ 3, 4 },	  { 4, 4 },	  { 5, 8 },
		{ 1000, 1024 },	  { 1024, 1024 }, { 1025, 2048 },
		{ 65536, 65536 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct evring *ring = evring_new(cases[i][0]);

		ck_assert_ptr_nonnull(ring);
		ck_assert_uint_eq(evring_capacity(ring), cases[i][1]);
		ck_assert_uint_eq(evring_pushed(ring), 0);
		ck_assert_uint_eq(evring_stalls(ring), 0);
		evring_free(ring);
	}
}
END_TEST

START_TEST(test_capacity_too_large)
{
	ck_assert_ptr_null(evring_new(SIZE_MAX));
	evring_free(NULL);
}
END_TEST

/* --- single thread ------------------------------------------------------ */

START_TEST(test_order_single_producer)
{
	struct evring *ring = evring_new(128);
	struct ev out[128];
	uint32_t seq = 0;
	size_t n;

	ck_assert_ptr_nonnull(ring);
	for (uint32_t i = 0; i < 100; i++) {
		struct ev e = make_ev(3, i);

		evring_push(ring, &e);
	}
	ck_assert_uint_eq(evring_pushed(ring), 100);
	ck_assert_uint_eq(evring_wait(ring, 0), 100);
	/* max = 0 moves nothing. */
	ck_assert_uint_eq(evring_drain(ring, out, 0), 0);
	/* Odd-sized drains: each returns the oldest events, oldest first. */
	while ((n = evring_drain(ring, out, 7)) > 0) {
		ck_assert_uint_le(n, 7);
		for (size_t i = 0; i < n; i++)
			ck_assert(ev_matches(&out[i], 3, seq++));
	}
	ck_assert_uint_eq(seq, 100);
	ck_assert_uint_eq(evring_drain(ring, out, 128), 0);
	ck_assert_uint_eq(evring_stalls(ring), 0);
	evring_free(ring);
}
END_TEST

START_TEST(test_emit_fields_and_timestamps)
{
	struct evring *ring = evring_new(16);
	struct ev out[16];
	int64_t before, after;

	ck_assert_ptr_nonnull(ring);
	before = clock_now_ns();
	evring_emit(ring, 2, 41, EV_IO, -7);
	evring_emit(ring, 2, EV_NO_TASK, EV_LOST_UPDATE, INT64_MAX);
	evring_emit(ring, 5, 0, EV_DONE, 0);
	after = clock_now_ns();

	ck_assert_uint_eq(evring_drain(ring, out, 16), 3);
	ck_assert_uint_eq(out[0].lane, 2);
	ck_assert_uint_eq(out[0].task, 41);
	ck_assert_uint_eq(out[0].kind, EV_IO);
	ck_assert_int_eq(out[0].arg, -7);
	ck_assert_uint_eq(out[1].task, EV_NO_TASK);
	ck_assert_uint_eq(out[1].kind, EV_LOST_UPDATE);
	ck_assert_int_eq(out[1].arg, INT64_MAX);
	ck_assert_uint_eq(out[2].lane, 5);
	ck_assert_uint_eq(out[2].kind, EV_DONE);
	/* Stamped on CLOCK_MONOTONIC, in the order emitted. */
	ck_assert_int_ge(out[0].ts_ns, before);
	ck_assert_int_ge(out[1].ts_ns, out[0].ts_ns);
	ck_assert_int_ge(out[2].ts_ns, out[1].ts_ns);
	ck_assert_int_le(out[2].ts_ns, after);
	evring_free(ring);
}
END_TEST

START_TEST(test_wrap_around)
{
	struct evring *ring = evring_new(5);
	struct ev out[8];
	uint32_t pushed = 0, drained = 0;

	ck_assert_ptr_nonnull(ring);
	ck_assert_uint_eq(evring_capacity(ring), 8);
	/* Batches of 1..8 events (up to a full ring) drained 3 at a time, so
	 * the read and write positions cross the end of the array at every
	 * offset, thousands of times. */
	for (unsigned round = 0; round < 5000; round++) {
		unsigned batch = round % 8 + 1;
		size_t n;

		for (unsigned i = 0; i < batch; i++) {
			struct ev e = make_ev(1, pushed++);

			evring_push(ring, &e);
		}
		ck_assert_uint_eq(evring_wait(ring, 0), batch);
		while ((n = evring_drain(ring, out, 3)) > 0) {
			for (size_t i = 0; i < n; i++)
				ck_assert(ev_matches(&out[i], 1, drained++));
		}
		ck_assert_uint_eq(drained, pushed);
	}
	ck_assert_uint_gt(pushed, 100 * evring_capacity(ring));
	ck_assert_uint_eq(evring_pushed(ring), pushed);
	/* The ring was never more than full, so nobody ever waited. */
	ck_assert_uint_eq(evring_stalls(ring), 0);
	evring_free(ring);
}
END_TEST

START_TEST(test_wrap_around_partial_drain)
{
	struct evring *ring = evring_new(4);
	struct ev out[4];
	uint32_t pushed = 0, drained = 0;

	ck_assert_ptr_nonnull(ring);
	/* Keep the ring between 1 and 4 full: push 3, drain 2, push 1, drain
	 * 2... so a drain often spans the end of the array. */
	for (unsigned round = 0; round < 3000; round++) {
		while (pushed - drained < 4) {
			struct ev e = make_ev(0, pushed++);

			evring_push(ring, &e);
		}
		size_t n = evring_drain(ring, out, round % 3 + 1);

		ck_assert_uint_eq(n, round % 3 + 1);
		for (size_t i = 0; i < n; i++)
			ck_assert(ev_matches(&out[i], 0, drained++));
	}
	ck_assert_uint_eq(evring_stalls(ring), 0);
	evring_free(ring);
}
END_TEST

/* --- back-pressure ------------------------------------------------------ */

/* Polls until the producer has pushed `progress` events and stalled
 * `stalls` times: it is then asleep, waiting for room. */
static int wait_blocked(struct producer *p, unsigned progress, uint64_t stalls)
{
	for (int ms = 0; ms < POLL_LIMIT_MS; ms++) {
		if (atomic_load(&p->progress) == progress &&
		    evring_stalls(p->ring) == stalls)
			return 1;
		sleep_ms(1);
	}
	return 0;
}

/* Have all `n` producers returned from their last push? If so, and the
 * ring is empty, no more events will come: a loop waiting for events the
 * ring lost stops and fails instead of hanging until the timeout. */
static int producers_finished(struct producer *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (atomic_load(&p[i].progress) != p[i].count)
			return 0;
	}
	return 1;
}

START_TEST(test_full_ring_blocks_producer)
{
	struct evring *ring = evring_new(4);
	struct producer p;
	struct ev out[16];
	uint32_t drained = 0;
	size_t n;

	ck_assert_ptr_nonnull(ring);
	producer_start(&p, ring, 0, 10, 0);

	/* Four events fill the ring; the fifth push waits for room. */
	ck_assert(wait_blocked(&p, 4, 1));
	/* And it stays there: only a drain lets it go on. (Were it not
	 * blocked, 50 ms would be ample to push the other six.) */
	sleep_ms(50);
	ck_assert_uint_eq(atomic_load(&p.progress), 4);
	ck_assert_uint_eq(evring_pushed(ring), 4);
	ck_assert_uint_eq(evring_wait(ring, 0), 4);

	/* Room for one: the fifth goes in, the sixth waits again. */
	ck_assert_uint_eq(evring_drain(ring, out, 1), 1);
	ck_assert(ev_matches(&out[0], 0, drained++));
	ck_assert(wait_blocked(&p, 5, 2));
	ck_assert_uint_eq(evring_pushed(ring), 5);

	/* Drain everything; the producer finishes, nothing lost. */
	while (drained < 10) {
		int done = producers_finished(&p, 1);

		n = 0;
		if (evring_wait(ring, 100) > 0)
			n = evring_drain(ring, out, 16);
		for (size_t i = 0; i < n; i++)
			ck_assert(ev_matches(&out[i], 0, drained++));
		if (done && n == 0)
			break;
	}
	pthread_join(p.thread, NULL);
	ck_assert_uint_eq(drained, 10);
	ck_assert_uint_eq(atomic_load(&p.progress), 10);
	ck_assert_uint_eq(evring_pushed(ring), 10);
	ck_assert_uint_ge(evring_stalls(ring), 2);
	ck_assert_uint_eq(evring_drain(ring, out, 16), 0);
	evring_free(ring);
}
END_TEST

/* Fills a ring of 64 with cpu events, then pushes `last` from a producer
 * thread, which stalls; the test holds the display up for 30 ms. Returns
 * what came out after the 64. */
struct stall_push {
	struct evring *ring;
	struct ev last;
	atomic_int done;
};

static void *stall_push_main(void *arg)
{
	struct stall_push *sp = arg;

	evring_push(sp->ring, &sp->last);
	atomic_store(&sp->done, 1);
	return NULL;
}

static size_t stall_case(struct ev last, struct ev *out, int64_t *stall_ns)
{
	struct evring *ring = evring_new(64);
	struct stall_push sp = { .ring = ring, .last = last };
	struct ev fill[64];
	pthread_t t;
	size_t n;

	ck_assert_ptr_nonnull(ring);
	for (uint32_t i = 0; i < 64; i++)
		evring_emit(ring, 3, i, EV_CPU, 0);
	atomic_init(&sp.done, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, stall_push_main, &sp), 0);
	for (int ms = 0; ms < POLL_LIMIT_MS && evring_stalls(ring) == 0; ms++)
		sleep_ms(1);
	ck_assert_uint_eq(evring_stalls(ring), 1);
	sleep_ms(30);
	ck_assert_int_eq(atomic_load(&sp.done), 0);
	ck_assert_uint_eq(evring_drain(ring, fill, 64), 64);
	pthread_join(t, NULL);
	n = evring_drain(ring, out, 8);
	*stall_ns = evring_stall_ns(ring);
	ck_assert_uint_eq(evring_pushed(ring), 64 + n);
	evring_free(ring);
	return n;
}

START_TEST(test_stall_is_drawn)
{
	struct ev out[8];
	struct ev io = { .ts_ns = clock_now_ns(),
			 .task = 99,
			 .lane = 3,
			 .kind = EV_IO,
			 .arg = 7 };
	int64_t stall_ns;

	/* A state: the event as pushed, the stall from when the ring was
	 * found full, then the state again from when there was room. */
	ck_assert_uint_eq(stall_case(io, out, &stall_ns), 3);
	ck_assert_int_ge(stall_ns, 25 * 1000000);
	ck_assert(out[0].kind == EV_IO && out[0].arg == 7 &&
		  out[0].ts_ns == io.ts_ns && out[0].task == 99);
	ck_assert(out[1].kind == EV_STALL && out[1].lane == 3 &&
		  out[1].task == 99 && out[1].ts_ns >= io.ts_ns);
	ck_assert(out[2].kind == EV_IO && out[2].lane == 3 &&
		  out[2].task == 99);
	/* The stall drawn lasts as long as the one counted. */
	ck_assert_int_eq(out[2].ts_ns - out[1].ts_ns, stall_ns);
}
END_TEST

START_TEST(test_stall_after_marker_restores_state)
{
	struct ev out[8];
	struct ev err = { .ts_ns = clock_now_ns(),
			  .task = 5,
			  .lane = 3,
			  .kind = EV_ERROR,
			  .arg = -7 };
	int64_t stall_ns;

	/* A marker: the lane goes back to the state it was in (cpu, task 63
	 * of the fill) after the stall, not to a "marker state". */
	ck_assert_uint_eq(stall_case(err, out, &stall_ns), 3);
	ck_assert(out[0].kind == EV_ERROR && out[0].arg == -7);
	ck_assert(out[1].kind == EV_STALL && out[1].task == 5);
	ck_assert(out[2].kind == EV_CPU && out[2].task == 63);
	ck_assert_int_eq(out[2].ts_ns - out[1].ts_ns, stall_ns);
}
END_TEST

/* The test hook's lossy ring: dropped = pushed - consumed must see it. */
START_TEST(test_lossy_ring_counts_what_it_lost)
{
	struct evring *ring;
	struct ev out[64];
	size_t got;

	evring_test_lose_every(3);
	ring = evring_new(64);
	evring_test_lose_every(0);
	ck_assert_ptr_nonnull(ring);
	for (uint32_t i = 0; i < 30; i++)
		evring_emit(ring, 0, i, EV_CPU, 0);
	got = evring_drain(ring, out, 64);
	ck_assert_uint_eq(got, 20);
	ck_assert_uint_eq(evring_pushed(ring), 30);
	ck_assert_uint_eq(evring_pushed(ring) - got, 10);
	evring_free(ring);
	/* A ring made after the hook is off loses nothing. */
	ring = evring_new(64);
	for (uint32_t i = 0; i < 30; i++)
		evring_emit(ring, 0, i, EV_CPU, 0);
	ck_assert_uint_eq(evring_drain(ring, out, 64), 30);
	ck_assert_uint_eq(evring_pushed(ring), 30);
	evring_free(ring);
}
END_TEST

START_TEST(test_full_ring_many_producers)
{
	/* Several producers on a ring of two: almost every push waits, and
	 * the wake-ups of the slow path are exercised hard. */
	struct evring *ring = evring_new(2);
	struct producer prod[3];
	struct ev out[2];
	uint32_t next[3] = { 0, 0, 0 };
	uint64_t bad = 0, got = 0;

	ck_assert_ptr_nonnull(ring);
	for (unsigned i = 0; i < 3; i++)
		producer_start(&prod[i], ring, (uint16_t)i, 20000, 0);
	while (got < 3 * 20000) {
		int done = producers_finished(prod, 3);
		size_t n = 0;

		if (evring_wait(ring, 100) > 0)
			n = evring_drain(ring, out, 2);

		for (size_t i = 0; i < n; i++) {
			uint16_t id = out[i].lane;

			bad += id >= 3 || !ev_matches(&out[i], id, next[id]++);
		}
		got += n;
		if (done && n == 0)
			break;
	}
	for (unsigned i = 0; i < 3; i++)
		pthread_join(prod[i].thread, NULL);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(got, 3 * 20000);
	ck_assert_uint_eq(evring_pushed(ring), 3 * 20000);
	ck_assert_uint_gt(evring_stalls(ring), 0);
	evring_free(ring);
}
END_TEST

/* --- the consumer's wait ------------------------------------------------ */

START_TEST(test_wait_times_out_when_empty)
{
	struct evring *ring = evring_new(8);
	int64_t t0, elapsed;

	ck_assert_ptr_nonnull(ring);
	ck_assert_uint_eq(evring_wait(ring, 0), 0);
	t0 = clock_now_ns();
	ck_assert_uint_eq(evring_wait(ring, 50), 0);
	elapsed = clock_now_ns() - t0;
	/* A lower bound only: the wait may not end before its deadline. */
	ck_assert_int_ge(elapsed, 50 * 1000000 - 1000);
	ck_assert_uint_eq(evring_pushed(ring), 0);
	evring_free(ring);
}
END_TEST

START_TEST(test_wait_returns_at_once_when_not_empty)
{
	struct evring *ring = evring_new(8);
	int64_t t0;

	ck_assert_ptr_nonnull(ring);
	evring_emit(ring, 0, 1, EV_CPU, 0);
	evring_emit(ring, 0, 2, EV_IDLE, 0);
	t0 = clock_now_ns();
	ck_assert_uint_eq(evring_wait(ring, 60000), 2);
	ck_assert_uint_eq(evring_wait(ring, -1), 2);
	/* Nowhere near the 60 s timeout. */
	ck_assert_int_lt(clock_now_ns() - t0, (int64_t)30 * 1000000000);
	evring_free(ring);
}
END_TEST

struct late_emitter {
	struct evring *ring;
	long delay_ms;
};

static void *late_emit_main(void *arg)
{
	struct late_emitter *l = arg;

	sleep_ms(l->delay_ms);
	evring_emit(l->ring, 7, 99, EV_WRITE, 1);
	return NULL;
}

static void check_wait_wakes(int timeout_ms)
{
	struct evring *ring = evring_new(8);
	struct late_emitter l = { .delay_ms = 50 };
	pthread_t thread;
	struct ev out[8];
	int64_t t0, elapsed;

	ck_assert_ptr_nonnull(ring);
	l.ring = ring;
	t0 = clock_now_ns();
	ck_assert_int_eq(pthread_create(&thread, NULL, late_emit_main, &l), 0);
	ck_assert_uint_eq(evring_wait(ring, timeout_ms), 1);
	elapsed = clock_now_ns() - t0;
	pthread_join(thread, NULL);
	/* Woken by the push, not by a 120 s timeout. */
	ck_assert_int_lt(elapsed, (int64_t)60 * 1000000000);
	ck_assert_uint_eq(evring_drain(ring, out, 8), 1);
	ck_assert_uint_eq(out[0].lane, 7);
	ck_assert_uint_eq(out[0].task, 99);
	ck_assert_uint_eq(out[0].kind, EV_WRITE);
	evring_free(ring);
}

START_TEST(test_wait_wakes_on_push)
{
	check_wait_wakes(120000);
}
END_TEST

START_TEST(test_wait_forever_wakes_on_push)
{
	check_wait_wakes(-1);
}
END_TEST

struct trickle {
	struct evring *ring;
	uint32_t count;
};

/* Pushes events one at a time with a short sleep between them, the way a
 * traced run of short tasks does. */
static void *trickle_main(void *arg)
{
	struct trickle *t = arg;
	const struct timespec pause = { .tv_sec = 0, .tv_nsec = 10000 };

	for (uint32_t seq = 0; seq < t->count; seq++) {
		struct ev e = make_ev(0, seq);

		evring_push(t->ring, &e);
		nanosleep(&pause, NULL);
	}
	return NULL;
}

START_TEST(test_eager_consumer_is_paced)
{
	/* A consumer looping on wait + drain while events trickle in must not
	 * be woken once per event (a system call and a context switch each):
	 * evring_wait lets events gather between two wake-ups. Only a loose
	 * ratio is asserted: it fails only if the producer's 10 us sleeps
	 * took over a millisecond on average. */
	struct evring *ring = evring_new(1024);
	struct trickle t = { .count = 2000 };
	struct ev out[1024];
	pthread_t thread;
	uint32_t drained = 0, wakes = 0;

	ck_assert_ptr_nonnull(ring);
	t.ring = ring;
	ck_assert_int_eq(pthread_create(&thread, NULL, trickle_main, &t), 0);
	while (drained < t.count) {
		size_t n;

		if (evring_wait(ring, 1000) == 0)
			continue;
		wakes++;
		n = evring_drain(ring, out, 1024);
		for (size_t i = 0; i < n; i++)
			ck_assert(ev_matches(&out[i], 0, drained++));
	}
	pthread_join(thread, NULL);
	ck_assert_uint_lt(wakes * 4, t.count);
	ck_assert_uint_eq(evring_stalls(ring), 0);
	evring_free(ring);
}
END_TEST

/* --- concurrency -------------------------------------------------------- */

START_TEST(test_four_producers_million_each)
{
	/* 4 x 1,000,000 events through a ring much smaller than the run,
	 * drained concurrently: none lost, none duplicated, each producer's
	 * events in its own order with non-decreasing timestamps. */
	run_concurrent(4096, 4, 1000000, 1);
}
END_TEST

START_TEST(test_producers_push_small_ring)
{
	run_concurrent(64, 4, 100000, 0);
}
END_TEST

/* --- other processes ---------------------------------------------------- */

/* In a child: pushes make_ev(lane, 0..count-1) into the ring, through its
 * own mapping of the fd when attach is set (as a spawned worker would),
 * else through the one fork gave it; then ends. count 0: for ever. */
static void child_pushes(struct evring *ring, uint16_t lane, uint32_t count,
			 int attach)
{
	struct evring *mine = attach ? evring_attach(evring_fd(ring)) : ring;

	if (mine == NULL)
		_exit(2);
	for (uint32_t seq = 0; count == 0 || seq < count; seq++) {
		struct ev e = make_ev(lane, seq);
		evring_push(mine, &e);
	}
	if (attach)
		evring_free(mine); /* its view only (valgrind counts leaks) */
	_exit(0);
}

static pid_t fork_pusher(struct evring *ring, uint16_t lane, uint32_t count,
			 int attach)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_pushes(ring, lane, count, attach);
	return pid;
}

/* Drains what is there (waiting up to wait_ms for more) and checks that
 * lane's events continue its sequence from *next. Returns how many. */
static size_t drain_lane(struct evring *ring, uint16_t lane, uint32_t *next,
			 int wait_ms)
{
	struct ev buf[256];
	size_t got, total = 0;

	while (evring_wait(ring, wait_ms) > 0) {
		got = evring_drain(ring, buf, 256);
		for (size_t i = 0; i < got; i++) {
			/* A stall's two events (EV_STALL, then the lane's
			 * state back) have arg 0; make_ev's args are not 0. */
			if (buf[i].lane != lane || buf[i].arg == 0)
				continue;
			ck_assert_msg(ev_matches(&buf[i], lane, *next),
				      "lane %u: event %u lost, torn or out of "
				      "order (got task %u)",
				      lane, *next, buf[i].task);
			(*next)++;
		}
		total += got;
	}
	return total;
}

/* A child process pushes into the ring the parent reads, through the fd
 * (evring_attach) or through what fork shared; a 64-slot ring makes it
 * wait for room many times, woken across processes. */
START_TEST(test_other_process_pushes)
{
	for (int attach = 0; attach <= 1; attach++) {
		struct evring *ring = evring_new_shared(64);
		uint32_t next = 0;
		int status = 0;
		pid_t pid;

		ck_assert_ptr_nonnull(ring);
		ck_assert_int_ge(evring_fd(ring), 0);
		pid = fork_pusher(ring, 7, 20000, attach);
		while (next < 20000)
			drain_lane(ring, 7, &next, 50);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert_uint_gt(evring_stalls(ring), 0);
		evring_free(ring);
	}
}
END_TEST

/* A process that dies holding the lock (EOWNERDEAD) does not wedge the
 * ring: the next push and drain go through, and the death is counted. */
START_TEST(test_dead_holder_recovered)
{
	struct evring *ring = evring_new_shared(64);
	struct ev e = make_ev(1, 0), out;
	int status = 0;
	pid_t pid;

	ck_assert_ptr_nonnull(ring);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		evring_test_die_locked(ring);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	evring_push(ring, &e);
	ck_assert_uint_eq(evring_drain(ring, &out, 1), 1);
	ck_assert(ev_matches(&out, 1, 0));
	ck_assert_uint_eq(evring_owner_deaths(ring), 1);
	evring_free(ring);
}
END_TEST

/* A producer killed with SIGKILL at a random moment, 20 times, with a
 * ring small enough that it is often waiting for room: the reader never
 * hangs, every event it got is whole and in order, and the ring goes on
 * working for the others. */
START_TEST(test_killed_producer)
{
	struct evring *ring = evring_new_shared(64);
	unsigned seed = (unsigned)clock_now_ns();

	ck_assert_ptr_nonnull(ring);
	for (int round = 0; round < 20; round++) {
		uint16_t lane = (uint16_t)(100 + round);
		uint32_t next = 0, mine = 0;
		pid_t pid = fork_pusher(ring, lane, 0, round % 2);
		int status = 0;

		/* Let it run a moment (draining some, so it stalls and goes
		 * on), then kill it wherever it is. */
		drain_lane(ring, lane, &next, 0);
		sleep_ms(1 + (long)(rand_r(&seed) % 5));
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		drain_lane(ring, lane, &next, 0);
		/* The ring still works: this process's events all come (in
		 * fewer than it holds at once: nobody else drains it). */
		for (uint32_t i = 0; i < 100; i++) {
			struct ev e = make_ev(9, i);
			evring_push(ring, &e);
			if (i % 10 == 9)
				drain_lane(ring, 9, &mine, 0);
		}
		ck_assert_uint_eq(mine, 100);
	}
	evring_free(ring);
}
END_TEST

Suite *suite_evring(void)
{
	Suite *s = suite_create("evring");
	TCase *tc_basic = tcase_create("basic");
	TCase *tc_block = tcase_create("blocking");
	TCase *tc_conc = tcase_create("concurrent");

	tcase_add_test(tc_basic, test_capacity_rounding);
	tcase_add_test(tc_basic, test_capacity_too_large);
	tcase_add_test(tc_basic, test_order_single_producer);
	tcase_add_test(tc_basic, test_emit_fields_and_timestamps);
	tcase_add_test(tc_basic, test_wrap_around);
	tcase_add_test(tc_basic, test_wrap_around_partial_drain);
	suite_add_tcase(s, tc_basic);

	/* Generous: these wait on other threads, maybe under valgrind. */
	tcase_set_timeout(tc_block, 300);
	tcase_add_test(tc_block, test_full_ring_blocks_producer);
	tcase_add_test(tc_block, test_full_ring_many_producers);
	tcase_add_test(tc_block, test_stall_is_drawn);
	tcase_add_test(tc_block, test_stall_after_marker_restores_state);
	tcase_add_test(tc_basic, test_lossy_ring_counts_what_it_lost);
	tcase_add_test(tc_block, test_wait_times_out_when_empty);
	tcase_add_test(tc_block, test_wait_returns_at_once_when_not_empty);
	tcase_add_test(tc_block, test_wait_wakes_on_push);
	tcase_add_test(tc_block, test_wait_forever_wakes_on_push);
	tcase_add_test(tc_block, test_eager_consumer_is_paced);
	suite_add_tcase(s, tc_block);

	tcase_set_timeout(tc_conc, 600);
	tcase_add_test(tc_conc, test_four_producers_million_each);
	tcase_add_test(tc_conc, test_producers_push_small_ring);
	tcase_add_test(tc_conc, test_other_process_pushes);
	tcase_add_test(tc_conc, test_dead_holder_recovered);
	tcase_add_test(tc_conc, test_killed_producer);
	suite_add_tcase(s, tc_conc);
	return s;
}
