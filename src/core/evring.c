/* evring.c - the event ring: many producers, one consumer, one mutex.
 *
 * The ring is on the hot path of tracing, so a push must cost no more than
 * the simplest mutex-protected ring: read the clock outside the lock, copy
 * 24 bytes in under it, and make no system call unless somebody sleeps.
 * Both condition variables are signalled only when a flag or count, read
 * under the lock, says a thread waits on them; otherwise a push is a lock,
 * a store and an unlock.
 *
 * The consumer is paced here too. A consumer that loops on evring_wait and
 * evring_drain would otherwise be woken by almost every push while events
 * trickle in (one per few microseconds in a traced run of short tasks): a
 * system call for the producer and a context switch each time, on a machine
 * whose cores the workers already use. So a wait that starts within
 * WAIT_GAP_NS of the last one that returned events first naps: it lets
 * events gather for the rest of the gap and is woken early only if the ring
 * fills halfway, so producers never stall because of it. A consumer that
 * was idle is still woken by the very first push.
 *
 * head and tail count events ever taken and ever put, so tail - head is the
 * fill level and `index & mask` the slot; 64 bits do not wrap in practice.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/evring.h"

/* At most one consumer wake-up per this many ns while events trickle in.
 * A sixth of a frame (33 ms), so no screen shows the delay; measured on 2
 * cores, 15,000 traced tasks of 10 us cost 1-3% with 5 ms against 30% with
 * a wake-up per push (and 0-5% with 1 ms). */
#define WAIT_GAP_NS 5000000

/* What a push must do for a consumer asleep in evring_wait. */
enum wake_when {
	WAKE_NEVER = 0, /* the consumer is not asleep */
	WAKE_ON_PUSH,	/* it waits for the first event */
	WAKE_ON_HALF,	/* it naps: wake it only if the ring is half full */
};

struct evring {
	pthread_mutex_t lock;
	pthread_cond_t not_empty; /* the consumer waits here (evring_wait) */
	pthread_cond_t not_full;  /* producers wait here while it is full */
	struct ev *slots;
	size_t mask; /* capacity - 1 */
	/* Each lane's last state and its task, so a stall that interrupts a
	 * marker can put the lane back in the state it was in. Indexed by
	 * the 16-bit lane; zero pages until a lane is used. Under the lock. */
	uint8_t *lane_state;
	uint32_t *lane_task;
	unsigned lose_every; /* the test hook: lose one push in this many */
	/* Consumer thread only, no lock: when its next wait stops napping. */
	int64_t quiet_until;
	/* Everything below is read and written under the lock only. Even the
	 * counters: a reader of evring_pushed/evring_stalls (a status line,
	 * a few times a second) pays for the lock, so that a push adds no
	 * atomic instruction to the lock's own, and race detectors see plain
	 * data that one lock guards. */
	uint64_t head;		      /* events ever drained */
	uint64_t tail;		      /* events ever stored */
	uint64_t lost;		      /* pushes lost (test hook only) */
	uint64_t seq;		      /* pushes, for the test hook */
	uint64_t stalls;	      /* pushes that had to wait for room */
	int64_t stall_ns;	      /* how long they waited, in all */
	enum wake_when consumer_wake; /* the consumer sleeps on not_empty */
	unsigned producers_waiting;   /* producers asleep on not_full */
};

/* evring_test_lose_every: copied into each new ring. */
static atomic_uint test_lose_every;

static size_t round_capacity(size_t capacity)
{
	size_t cap = 2;

	while (cap < capacity) {
		if (cap > SIZE_MAX / 2)
			return 0;
		cap *= 2;
	}
	return cap;
}

/* The consumer's condvar measures timeouts on CLOCK_MONOTONIC, the clock of
 * every timestamp in conviz, so a change of the wall clock cannot stretch
 * or cut a wait short. */
static int init_sync(struct evring *ring)
{
	pthread_condattr_t attr;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0)
		goto fail_attr;
	if (pthread_mutex_init(&ring->lock, NULL) != 0)
		goto fail_attr;
	if (pthread_cond_init(&ring->not_empty, &attr) != 0)
		goto fail_lock;
	if (pthread_cond_init(&ring->not_full, NULL) != 0)
		goto fail_empty;
	pthread_condattr_destroy(&attr);
	return 0;

fail_empty:
	pthread_cond_destroy(&ring->not_empty);
fail_lock:
	pthread_mutex_destroy(&ring->lock);
fail_attr:
	pthread_condattr_destroy(&attr);
	return -1;
}

struct evring *evring_new(size_t capacity)
{
	size_t cap = round_capacity(capacity);
	struct evring *ring;

	if (cap == 0)
		return NULL;
	ring = calloc(1, sizeof(*ring));
	if (ring == NULL)
		return NULL;
	ring->slots = calloc(cap, sizeof(*ring->slots));
	ring->lane_state = calloc(EVRING_LANES, sizeof(*ring->lane_state));
	ring->lane_task = calloc(EVRING_LANES, sizeof(*ring->lane_task));
	if (ring->slots == NULL || ring->lane_state == NULL ||
	    ring->lane_task == NULL || init_sync(ring) != 0) {
		free(ring->lane_task);
		free(ring->lane_state);
		free(ring->slots);
		free(ring);
		return NULL;
	}
	ring->mask = cap - 1;
	ring->lose_every = atomic_load(&test_lose_every);
	return ring;
}

void evring_free(struct evring *ring)
{
	if (ring == NULL)
		return;
	pthread_cond_destroy(&ring->not_full);
	pthread_cond_destroy(&ring->not_empty);
	pthread_mutex_destroy(&ring->lock);
	free(ring->lane_task);
	free(ring->lane_state);
	free(ring->slots);
	free(ring);
}

/* Stores *e in the next slot and wakes a sleeping consumer if it asked to
 * be woken by now. The lock is held and there is room. */
static void store(struct evring *ring, const struct ev *e)
{
	ring->slots[ring->tail & ring->mask] = *e;
	ring->tail++;
	if (ev_is_state(e->kind)) {
		ring->lane_state[e->lane] = (uint8_t)e->kind;
		ring->lane_task[e->lane] = e->task;
	}
	/* Only a sleeping consumer costs a signal (a system call); clearing the
	 * flag makes it one signal per sleep, not one per event pushed while
	 * the consumer is still getting up. The signal is sent under the lock:
	 * measured, it costs no more than after the unlock, and it keeps
	 * helgrind and DRD quiet, so a real race would not drown in noise. */
	if (ring->consumer_wake != WAKE_NEVER &&
	    (ring->consumer_wake == WAKE_ON_PUSH ||
	     ring->tail - ring->head > ring->mask / 2)) {
		ring->consumer_wake = WAKE_NEVER;
		pthread_cond_signal(&ring->not_empty);
	}
}

/* Sleeps until the ring has room for `need` events. Called with the lock
 * held; returns with it held. A loop: another producer may take the room
 * before we get the lock back, and wake-ups may be spurious. */
static void wait_for_room(struct evring *ring, uint64_t need)
{
	ring->producers_waiting++;
	do {
		pthread_cond_wait(&ring->not_full, &ring->lock);
	} while (ring->mask + 1 - (ring->tail - ring->head) < need);
	ring->producers_waiting--;
}

/* The slow path: the ring is full. The producer waits, and the wait is
 * drawn as what it is: after *e (stored as it came), its lane goes to
 * EV_STALL from the moment the ring was found full until there was room,
 * then back to the lane's state (the one *e started, or the one before a
 * marker). Without this the wait would be folded into that state, and a
 * lane would claim it computed while the display held it up. The three
 * events are stored together under the lock, so a consumer sees them in a
 * row. Rings of fewer than EVRING_ANNOTATE_MIN slots (tests) only wait. */
static void push_stalled(struct evring *ring, const struct ev *e)
{
	int annotate = ring->mask + 1 >= EVRING_ANNOTATE_MIN;
	struct ev stall = *e, after = *e;

	stall.ts_ns = clock_now_ns();
	stall.kind = EV_STALL;
	stall.arg = 0;
	ring->stalls++;
	wait_for_room(ring, annotate ? 3 : 1);
	after.ts_ns = clock_now_ns();
	ring->stall_ns += after.ts_ns - stall.ts_ns;
	store(ring, e);
	if (!annotate)
		return;
	after.kind = ring->lane_state[e->lane];
	after.task = ring->lane_task[e->lane];
	after.arg = 0;
	store(ring, &stall);
	store(ring, &after);
}

void evring_push(struct evring *ring, const struct ev *e)
{
	pthread_mutex_lock(&ring->lock);
	if (ring->lose_every && ++ring->seq % ring->lose_every == 0) {
		ring->lost++; /* the test hook: a lossy ring */
	} else if (ring->tail - ring->head > ring->mask) {
		push_stalled(ring, e);
	} else {
		store(ring, e);
	}
	pthread_mutex_unlock(&ring->lock);
}

void evring_emit(struct evring *ring, uint16_t lane, uint32_t task,
		 enum ev_kind kind, int64_t arg)
{
	/* The clock is read before the lock: the timestamp is when the thing
	 * happened, not when the lock came free, and the lock is held for
	 * less time. */
	struct ev e = {
		.ts_ns = clock_now_ns(),
		.arg = arg,
		.task = task,
		.lane = lane,
		.kind = (uint16_t)kind,
	};

	evring_push(ring, &e);
}

/* Copies n events starting at head out of the ring, in at most two runs
 * because the oldest events may wrap around the end of slots[]. */
static void copy_out(const struct evring *ring, struct ev *out, size_t n)
{
	size_t cap = ring->mask + 1;
	size_t first = (size_t)(ring->head & ring->mask);
	size_t run = cap - first;

	if (run > n)
		run = n;
	memcpy(out, ring->slots + first, run * sizeof(*out));
	memcpy(out + run, ring->slots, (n - run) * sizeof(*out));
}

size_t evring_drain(struct evring *ring, struct ev *out, size_t max)
{
	uint64_t held;
	size_t n;

	pthread_mutex_lock(&ring->lock);
	held = ring->tail - ring->head;
	n = held < max ? (size_t)held : max;
	if (n > 0) {
		copy_out(ring, out, n);
		ring->head += n;
		/* Broadcast: n slots were freed, so up to n producers may go
		 * on. Those that find the ring full again go back to sleep. */
		if (ring->producers_waiting > 0)
			pthread_cond_broadcast(&ring->not_full);
	}
	pthread_mutex_unlock(&ring->lock);
	return n;
}

/* Sleeps on not_empty, with the lock held, until a push wakes the
 * consumer as `wake` says or until `until_ns` (INT64_MAX: no limit).
 * Returns the number of events held. */
static uint64_t sleep_until(struct evring *ring, enum wake_when wake,
			    int64_t until_ns)
{
	struct timespec until = { .tv_sec = until_ns / 1000000000,
				  .tv_nsec = until_ns % 1000000000 };
	uint64_t want = wake == WAKE_ON_HALF ? ring->mask / 2 + 1 : 1;
	uint64_t held = ring->tail - ring->head;
	int rc = 0;

	/* rc is 0 or ETIMEDOUT; any other error also ends the wait rather
	 * than spinning on it. Wake-ups may be spurious, hence the loop. */
	while (held < want && rc == 0) {
		ring->consumer_wake = wake;
		if (until_ns == INT64_MAX)
			rc = pthread_cond_wait(&ring->not_empty, &ring->lock);
		else
			rc = pthread_cond_timedwait(&ring->not_empty,
						    &ring->lock, &until);
		ring->consumer_wake = WAKE_NEVER;
		held = ring->tail - ring->head;
	}
	return held;
}

/* A negative timeout waits for as long as it takes. A wait that starts soon
 * after the last one that returned events may notice a new event up to
 * WAIT_GAP_NS late (see the top of this file). */
size_t evring_wait(struct evring *ring, int timeout_ms)
{
	int64_t now = clock_now_ns();
	int64_t deadline = INT64_MAX;
	uint64_t held;

	if (timeout_ms >= 0)
		deadline = now + (int64_t)timeout_ms * 1000000;
	pthread_mutex_lock(&ring->lock);
	held = ring->tail - ring->head;
	if (held == 0 && timeout_ms != 0 && now < ring->quiet_until)
		held = sleep_until(ring, WAKE_ON_HALF,
				   ring->quiet_until < deadline
					   ? ring->quiet_until
					   : deadline);
	if (held == 0 && timeout_ms != 0)
		held = sleep_until(ring, WAKE_ON_PUSH, deadline);
	pthread_mutex_unlock(&ring->lock);
	if (held > 0)
		ring->quiet_until = clock_now_ns() + WAIT_GAP_NS;
	return (size_t)held;
}

uint64_t evring_pushed(struct evring *ring)
{
	uint64_t n;

	pthread_mutex_lock(&ring->lock);
	n = ring->tail + ring->lost;
	pthread_mutex_unlock(&ring->lock);
	return n;
}

uint64_t evring_stalls(struct evring *ring)
{
	uint64_t n;

	pthread_mutex_lock(&ring->lock);
	n = ring->stalls;
	pthread_mutex_unlock(&ring->lock);
	return n;
}

int64_t evring_stall_ns(struct evring *ring)
{
	int64_t n;

	pthread_mutex_lock(&ring->lock);
	n = ring->stall_ns;
	pthread_mutex_unlock(&ring->lock);
	return n;
}

void evring_test_lose_every(unsigned n)
{
	atomic_store(&test_lose_every, n);
}

size_t evring_capacity(const struct evring *ring)
{
	return ring->mask + 1;
}
