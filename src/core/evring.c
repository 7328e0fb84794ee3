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
 *
 * Processes: the whole ring (its state, its slots, the lanes' last
 * states) lives in one MAP_SHARED mapping of a memfd, so worker processes
 * (the procs model) push into the very ring the UI reads: after fork they
 * have it, and evring_attach maps it from the fd in any other process.
 * The lock of a ring made by evring_new_shared is a process-shared,
 * robust mutex (evring_new's, for threads only, a plain one: it costs a
 * push less): if a process dies holding it,
 * the next locker gets EOWNERDEAD, marks it consistent and goes on (see
 * ring_lock for why the state is always consistent then). Sleeping is not
 * done on condition variables, which are not robust (a waiter that dies
 * can leave one counting a waiter that is gone), but on futexes: two
 * 32-bit sequence numbers in the mapping, one bumped when the consumer is
 * to wake, one when room was made. A sleeper reads the number under the
 * lock, unlocks and sleeps only while it is unchanged; a dead process
 * leaves nothing behind but a counter.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/evring.h"

/* A producer waiting for room looks again at least this often. */
#define ROOM_WAIT_MAX_NS 100000000

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

/* The ring's state, at the start of the shared mapping; the slots and
 * the lanes' last states follow it. Everything is read and written under
 * the lock only, but the futex words, which sleepers also read (atomically)
 * in the kernel. */
struct ring_shared {
	pthread_mutex_t lock; /* process-shared, robust */
	uint32_t wake_seq;    /* futex: bumped to wake the consumer */
	uint32_t room_seq;    /* futex: bumped when a drain made room */
	uint64_t mask;	      /* capacity - 1 */
	unsigned lose_every;  /* the test hook: lose one push in this many */
	unsigned processes;   /* 1: made by evring_new_shared */
	/* Even the counters are under the lock: a reader of evring_pushed or
	 * evring_stalls (a status line, a few times a second) pays for it, so
	 * that a push adds no atomic instruction to the lock's own. */
	uint64_t head;		      /* events ever drained */
	uint64_t tail;		      /* events ever stored */
	uint64_t lost;		      /* pushes lost (test hook only) */
	uint64_t seq;		      /* pushes, for the test hook */
	uint64_t stalls;	      /* pushes that had to wait for room */
	int64_t stall_ns;	      /* how long they waited, in all */
	uint64_t owner_deaths;	      /* lock holders that died holding it */
	enum wake_when consumer_wake; /* the consumer sleeps */
	unsigned producers_waiting;   /* producers asleep for room */
};

/* A process's handle on a ring: where the shared parts are mapped here. */
struct evring {
	struct ring_shared *sh;
	struct ev *slots;
	/* Each lane's last state and its task, so a stall that interrupts a
	 * marker can put the lane back in the state it was in. Indexed by
	 * the 16-bit lane; zero pages until a lane is used. */
	uint8_t *lane_state;
	uint32_t *lane_task;
	size_t map_len;
	int fd;	   /* the memfd behind the mapping, or -1 */
	int owner; /* made by evring_new here (not attached) */
	/* Consumer only, this process: when its next wait stops napping. */
	int64_t quiet_until;
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

/* Sizes of the mapping's parts, each rounded to 64 bytes. */
static size_t part(size_t n)
{
	return (n + 63) / 64 * 64;
}

static size_t map_size(size_t cap)
{
	return part(sizeof(struct ring_shared)) +
	       part(cap * sizeof(struct ev)) + part(EVRING_LANES) +
	       EVRING_LANES * sizeof(uint32_t);
}

/* Points the handle's parts into a mapping of map_size(cap) bytes. */
static void place(struct evring *ring, char *base, size_t cap)
{
	char *p = base + part(sizeof(struct ring_shared));

	ring->sh = (struct ring_shared *)(void *)base;
	ring->slots = (struct ev *)(void *)p;
	p += part(cap * sizeof(struct ev));
	ring->lane_state = (uint8_t *)p;
	p += part(EVRING_LANES);
	ring->lane_task = (uint32_t *)(void *)p;
}

/* A ring for processes gets a process-shared, robust lock. A robust lock
 * costs a push some 15-30% more (glibc keeps a list of the robust locks a
 * thread holds, to release them when it dies), so a ring that threads
 * alone use keeps a plain one. */
static int init_lock(pthread_mutex_t *lock, int processes)
{
	pthread_mutexattr_t attr;
	int rc = 0;

	if (pthread_mutexattr_init(&attr) != 0)
		return -1;
	if (processes)
		rc = pthread_mutexattr_setpshared(&attr,
						  PTHREAD_PROCESS_SHARED);
	if (rc == 0 && processes)
		rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (rc == 0)
		rc = pthread_mutex_init(lock, &attr);
	pthread_mutexattr_destroy(&attr);
	return rc == 0 ? 0 : -1;
}

/* A zeroed shared mapping of `len` bytes: a memfd's (its fd in *fd), so
 * that other processes can map it too, or, where memfds are missing, an
 * anonymous one that only children made by fork share (*fd = -1). */
static void *map_shared(size_t len, int *fd)
{
	void *base;

	*fd = memfd_create("conviz-events", MFD_CLOEXEC);
	if (*fd >= 0 && ftruncate(*fd, (off_t)len) != 0) {
		close(*fd);
		*fd = -1;
		return NULL;
	}
	base = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    *fd >= 0 ? MAP_SHARED : MAP_SHARED | MAP_ANONYMOUS, *fd, 0);
	if (base == MAP_FAILED) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return NULL;
	}
	return base;
}

static struct evring *ring_create(size_t capacity, int processes)
{
	size_t cap = round_capacity(capacity);
	struct evring *ring;
	char *base;

	if (cap == 0 || cap > (SIZE_MAX - map_size(0)) / sizeof(struct ev))
		return NULL;
	ring = calloc(1, sizeof(*ring));
	if (ring == NULL)
		return NULL;
	ring->map_len = map_size(cap);
	base = map_shared(ring->map_len, &ring->fd);
	if (base == NULL) {
		free(ring);
		return NULL;
	}
	place(ring, base, cap);
	ring->owner = 1;
	if (init_lock(&ring->sh->lock, processes) != 0) {
		evring_free(ring);
		return NULL;
	}
	ring->sh->mask = cap - 1;
	ring->sh->processes = processes != 0;
	ring->sh->lose_every = atomic_load(&test_lose_every);
	return ring;
}

struct evring *evring_new(size_t capacity)
{
	return ring_create(capacity, 0);
}

struct evring *evring_new_shared(size_t capacity)
{
	return ring_create(capacity, 1);
}

struct evring *evring_attach(int fd)
{
	struct ring_shared head;
	struct evring *ring;
	void *base;

	/* The capacity first, then the whole: what the owner mapped. */
	if (pread(fd, &head, sizeof head, 0) != (ssize_t)sizeof head ||
	    head.mask == 0 || (head.mask & (head.mask + 1)) != 0)
		return NULL;
	ring = calloc(1, sizeof(*ring));
	if (ring == NULL)
		return NULL;
	ring->map_len = map_size((size_t)head.mask + 1);
	base = mmap(NULL, ring->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    0);
	if (base == MAP_FAILED) {
		free(ring);
		return NULL;
	}
	place(ring, base, (size_t)head.mask + 1);
	ring->fd = -1; /* the caller's */
	return ring;
}

int evring_fd(const struct evring *ring)
{
	return ring->sh->processes ? ring->fd : -1;
}

/* The owner (evring_new's caller) destroys the lock; a process that only
 * attached unmaps its view. The mapping itself goes with the last one. */
void evring_free(struct evring *ring)
{
	if (ring == NULL)
		return;
	if (ring->owner)
		pthread_mutex_destroy(&ring->sh->lock);
	if (ring->fd >= 0)
		close(ring->fd);
	munmap(ring->sh, ring->map_len);
	free(ring);
}

/* Takes the lock. A holder that died (a worker process killed in the
 * middle of a push) leaves it EOWNERDEAD: the state is still whole,
 * because every change under the lock is made in an order whose every
 * prefix is consistent (a slot is written before tail counts it; the
 * counters are single stores), so the worst a death does is lose the
 * event being pushed. Mark it consistent and count the death. */
static void ring_lock(struct evring *ring)
{
	if (pthread_mutex_lock(&ring->sh->lock) == EOWNERDEAD) {
		pthread_mutex_consistent(&ring->sh->lock);
		ring->sh->owner_deaths++;
	}
}

static void ring_unlock(struct evring *ring)
{
	pthread_mutex_unlock(&ring->sh->lock);
}

/* Wakes up to n sleepers on a futex word of the mapping (not private:
 * sleepers may be in other processes). */
static void futex_wake(uint32_t *word, int n)
{
	syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

/* Sleeps while *word == seen, until woken or until_ns (CLOCK_MONOTONIC;
 * INT64_MAX: no limit). Returns at once if *word has changed already. */
static void futex_sleep(uint32_t *word, uint32_t seen, int64_t until_ns)
{
	struct timespec until = { .tv_sec = until_ns / 1000000000,
				  .tv_nsec = until_ns % 1000000000 };

	syscall(SYS_futex, word, FUTEX_WAIT_BITSET, seen,
		until_ns == INT64_MAX ? NULL : &until, NULL,
		FUTEX_BITSET_MATCH_ANY);
}

/* Bumps a futex word: under the lock, but read by the kernel. */
static uint32_t seq_bump(uint32_t *word)
{
	return __atomic_add_fetch(word, 1, __ATOMIC_RELEASE);
}

static uint32_t seq_read(uint32_t *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

/* Stores *e in the next slot and wakes a sleeping consumer if it asked to
 * be woken by now. The lock is held and there is room. */
static void store(struct evring *ring, const struct ev *e)
{
	struct ring_shared *sh = ring->sh;

	ring->slots[sh->tail & sh->mask] = *e;
	sh->tail++;
	if (ev_is_state(e->kind)) {
		ring->lane_state[e->lane] = (uint8_t)e->kind;
		ring->lane_task[e->lane] = e->task;
	}
	/* Only a sleeping consumer costs a wake-up (a system call); clearing
	 * the flag makes it one per sleep, not one per event pushed while the
	 * consumer is still getting up. */
	if (sh->consumer_wake != WAKE_NEVER &&
	    (sh->consumer_wake == WAKE_ON_PUSH ||
	     sh->tail - sh->head > sh->mask / 2)) {
		sh->consumer_wake = WAKE_NEVER;
		seq_bump(&sh->wake_seq);
		futex_wake(&sh->wake_seq, 1);
	}
}

/* Sleeps until the ring has room for `need` events. Called with the lock
 * held; returns with it held. A loop: another producer may take the room
 * before we get the lock back, and wake-ups may be spurious. Each sleep
 * is bounded (ROOM_WAIT_MAX_NS): a drainer killed between making room and
 * waking the sleepers costs them that long at most. */
static void wait_for_room(struct evring *ring, uint64_t need)
{
	struct ring_shared *sh = ring->sh;

	sh->producers_waiting++;
	do {
		uint32_t seen = seq_read(&sh->room_seq);
		ring_unlock(ring);
		futex_sleep(&sh->room_seq, seen,
			    clock_now_ns() + ROOM_WAIT_MAX_NS);
		ring_lock(ring);
	} while (sh->mask + 1 - (sh->tail - sh->head) < need);
	sh->producers_waiting--;
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
	struct ring_shared *sh = ring->sh;
	int annotate = sh->mask + 1 >= EVRING_ANNOTATE_MIN;
	struct ev stall = *e, after = *e;

	stall.ts_ns = clock_now_ns();
	stall.kind = EV_STALL;
	stall.arg = 0;
	sh->stalls++;
	wait_for_room(ring, annotate ? 3 : 1);
	after.ts_ns = clock_now_ns();
	sh->stall_ns += after.ts_ns - stall.ts_ns;
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
	struct ring_shared *sh = ring->sh;

	ring_lock(ring);
	if (sh->lose_every && ++sh->seq % sh->lose_every == 0) {
		sh->lost++; /* the test hook: a lossy ring */
	} else if (sh->tail - sh->head > sh->mask) {
		push_stalled(ring, e);
	} else {
		store(ring, e);
	}
	ring_unlock(ring);
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
	size_t cap = ring->sh->mask + 1;
	size_t first = (size_t)(ring->sh->head & ring->sh->mask);
	size_t run = cap - first;

	if (run > n)
		run = n;
	memcpy(out, ring->slots + first, run * sizeof(*out));
	memcpy(out + run, ring->slots, (n - run) * sizeof(*out));
}

size_t evring_drain(struct evring *ring, struct ev *out, size_t max)
{
	struct ring_shared *sh = ring->sh;
	uint64_t held;
	size_t n;

	ring_lock(ring);
	held = sh->tail - sh->head;
	n = held < max ? (size_t)held : max;
	if (n > 0) {
		copy_out(ring, out, n);
		sh->head += n;
		/* Wake them all: n slots were freed, so up to n producers may
		 * go on. Those that find the ring full again sleep again. */
		if (sh->producers_waiting > 0) {
			seq_bump(&sh->room_seq);
			futex_wake(&sh->room_seq, INT_MAX);
		}
	}
	ring_unlock(ring);
	return n;
}

/* Sleeps, the lock let go meanwhile, until a push wakes the consumer as
 * `wake` says or until `until_ns` (INT64_MAX: no limit). Called and
 * returns with the lock held. Returns the number of events held. */
static uint64_t sleep_until(struct evring *ring, enum wake_when wake,
			    int64_t until_ns)
{
	struct ring_shared *sh = ring->sh;
	uint64_t want = wake == WAKE_ON_HALF ? sh->mask / 2 + 1 : 1;
	uint64_t held = sh->tail - sh->head;

	/* Wake-ups may be spurious (or a signal), hence the loop. */
	while (held < want &&
	       (until_ns == INT64_MAX || clock_now_ns() < until_ns)) {
		uint32_t seen = seq_read(&sh->wake_seq);
		sh->consumer_wake = wake;
		ring_unlock(ring);
		futex_sleep(&sh->wake_seq, seen, until_ns);
		ring_lock(ring);
		sh->consumer_wake = WAKE_NEVER;
		held = sh->tail - sh->head;
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
	ring_lock(ring);
	held = ring->sh->tail - ring->sh->head;
	if (held == 0 && timeout_ms != 0 && now < ring->quiet_until)
		held = sleep_until(ring, WAKE_ON_HALF,
				   ring->quiet_until < deadline
					   ? ring->quiet_until
					   : deadline);
	if (held == 0 && timeout_ms != 0)
		held = sleep_until(ring, WAKE_ON_PUSH, deadline);
	ring_unlock(ring);
	if (held > 0)
		ring->quiet_until = clock_now_ns() + WAIT_GAP_NS;
	return (size_t)held;
}

/* One counter of the shared state, read under the lock. */
static uint64_t counter(struct evring *ring, const uint64_t *c)
{
	uint64_t n;

	ring_lock(ring);
	n = *c;
	ring_unlock(ring);
	return n;
}

uint64_t evring_pushed(struct evring *ring)
{
	uint64_t n;

	ring_lock(ring);
	n = ring->sh->tail + ring->sh->lost;
	ring_unlock(ring);
	return n;
}

uint64_t evring_stalls(struct evring *ring)
{
	return counter(ring, &ring->sh->stalls);
}

int64_t evring_stall_ns(struct evring *ring)
{
	return (int64_t)counter(ring, (const uint64_t *)&ring->sh->stall_ns);
}

uint64_t evring_owner_deaths(struct evring *ring)
{
	return counter(ring, &ring->sh->owner_deaths);
}

void evring_test_lose_every(unsigned n)
{
	atomic_store(&test_lose_every, n);
}

void evring_test_die_locked(struct evring *ring)
{
	ring_lock(ring);
	_exit(0);
}

size_t evring_capacity(const struct evring *ring)
{
	return ring->sh->mask + 1;
}
