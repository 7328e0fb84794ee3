/* bench_evring.c - what a push into the event ring costs, against the
 * simplest mutex-protected ring one could write.
 *
 * Prints name=value lines (`make bench`), ns per event:
 *   bare_push_ns             the bare ring, 1 producer
 *   evring_push_ns           evring_emit, 1 producer
 *   evring_vs_bare           evring_push_ns / bare_push_ns (target <= 1.5)
 *   bare_push_ns_contended   the bare ring, 4 producers, wall / events
 *   evring_push_ns_contended evring_emit, 4 producers, wall / events
 *   bare_push_ns_eager       1 producer, consumer that never pauses
 *   evring_push_ns_eager     1 producer, consumer in evring_wait at once
 *   procs_push_ns            evring_emit from a child process into a ring of
 *                            evring_new_shared (robust, process-shared lock),
 *                            the consumer in the parent, paced
 *   procs_vs_evring          procs_push_ns / evring_push_ns (goal <= 1.5)
 *
 * In every run a consumer thread drains concurrently and the producers'
 * time is measured from a common start until the last producer is done.
 *
 * The consumer loop is the same for both rings. In the main figures the
 * consumer drains batches and, once it has emptied the ring, pauses 50 us
 * (as the UI does between frames, only far more often) before it looks
 * again: on the bare ring by polling, on evring by evring_wait. The _eager
 * figures show a consumer that goes straight back for more: on the bare
 * ring it spins on the lock, fighting the producer for the lock's cache
 * line. evring_wait paces its caller by itself (at most one wake-up per
 * few ms while the ring is under half full, see evring.c), so on evring
 * both loops cost about the same, and can cost less than the bare ring,
 * whose consumer takes the lock every 50 us.
 *
 * Each figure is the best of REPS runs (noise only ever adds time), and
 * the runs of the two rings alternate so a slow phase of the machine hits
 * both alike.
 */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/ev.h"
#include "core/evring.h"

#define RING_CAPACITY 16384
#define DRAIN_BATCH 1024
#define EVENTS_SOLO 3000000u
#define EVENTS_PER_PRODUCER 1000000u
#define CONTENDED_PRODUCERS 4
#define MAX_PRODUCERS 8
#define REPS 3
/* The consumer's pause after emptying the ring (paced policy). */
#define PAUSE_NS 50000

enum policy {
	POLICY_PACED,
	POLICY_EAGER,
};

/* --- the bare baseline ---------------------------------------------------
 * A mutex, a clock read, a 24-byte copy, an unlock. When full, the producer
 * yields and retries; the consumer polls. No condvars, no counters: the
 * least a locked ring can do. */

struct bare_ev {
	int64_t ts_ns;
	int64_t arg;
	uint32_t task;
	uint16_t lane;
	uint16_t kind;
};

_Static_assert(sizeof(struct bare_ev) == sizeof(struct ev),
	       "the baseline copies as much as the ring does");

struct bare {
	pthread_mutex_t lock;
	uint64_t head, tail;
	size_t mask;
	struct bare_ev *slots;
};

static int bare_init(struct bare *b, size_t capacity)
{
	b->slots = calloc(capacity, sizeof(*b->slots));
	if (b->slots == NULL)
		return -1;
	pthread_mutex_init(&b->lock, NULL);
	b->head = 0;
	b->tail = 0;
	b->mask = capacity - 1;
	return 0;
}

static void bare_destroy(struct bare *b)
{
	pthread_mutex_destroy(&b->lock);
	free(b->slots);
}

static void bare_push(struct bare *b, uint16_t lane, uint32_t task,
		      uint16_t kind, int64_t arg)
{
	for (;;) {
		pthread_mutex_lock(&b->lock);
		if (b->tail - b->head <= b->mask)
			break;
		pthread_mutex_unlock(&b->lock);
		sched_yield();
	}
	struct timespec ts;
	struct bare_ev *e = &b->slots[b->tail & b->mask];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	e->ts_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	e->arg = arg;
	e->task = task;
	e->lane = lane;
	e->kind = kind;
	b->tail++;
	pthread_mutex_unlock(&b->lock);
}

static size_t bare_drain(struct bare *b, struct bare_ev *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&b->lock);
	while (n < max && b->head != b->tail) {
		out[n++] = b->slots[b->head & b->mask];
		b->head++;
	}
	pthread_mutex_unlock(&b->lock);
	return n;
}

/* --- one run ------------------------------------------------------------ */

struct run {
	int use_evring;
	enum policy policy;
	struct evring *ring;
	struct bare bare;
	unsigned producers;
	uint32_t per_producer;
	uint64_t expected;
	pthread_barrier_t start;
	uint64_t received; /* consumer only, read after join */
	int64_t checksum;  /* keeps the consumer's reads from being elided */
};

struct producer_arg {
	struct run *run;
	uint16_t id;
};

static void *producer_main(void *arg)
{
	struct producer_arg *pa = arg;
	struct run *r = pa->run;

	pthread_barrier_wait(&r->start);
	if (r->use_evring) {
		for (uint32_t i = 0; i < r->per_producer; i++)
			evring_emit(r->ring, pa->id, i, EV_CPU, i);
	} else {
		for (uint32_t i = 0; i < r->per_producer; i++)
			bare_push(&r->bare, pa->id, i, EV_CPU, i);
	}
	return NULL;
}

static void pause_briefly(void)
{
	const struct timespec pause = { .tv_sec = 0, .tv_nsec = PAUSE_NS };

	nanosleep(&pause, NULL);
}

static void consume_evring(struct run *r)
{
	static struct ev buf[DRAIN_BATCH];
	uint64_t got = 0, stalls = 0;

	/* A stalled push adds two events of arg 0 (EV_STALL, then the lane's
	 * state again): they are not the producers', so they are not counted
	 * as received (and add nothing to the checksum). */
	while (got - 2 * stalls < r->expected) {
		size_t n;

		if (evring_wait(r->ring, 100) == 0)
			continue;
		n = evring_drain(r->ring, buf, DRAIN_BATCH);
		for (size_t i = 0; i < n; i++) {
			r->checksum += buf[i].arg;
			stalls += buf[i].kind == EV_STALL && buf[i].arg == 0;
		}
		got += n;
		r->received = got - 2 * stalls;
		if (n < DRAIN_BATCH && r->policy == POLICY_PACED)
			pause_briefly();
	}
}

static void consume_bare(struct run *r)
{
	static struct bare_ev buf[DRAIN_BATCH];

	while (r->received < r->expected) {
		size_t n = bare_drain(&r->bare, buf, DRAIN_BATCH);

		for (size_t i = 0; i < n; i++)
			r->checksum += buf[i].arg;
		r->received += n;
		if (n < DRAIN_BATCH) {
			if (r->policy == POLICY_PACED)
				pause_briefly();
			else if (n == 0)
				sched_yield();
		}
	}
}

static void *consumer_main(void *arg)
{
	struct run *r = arg;

	if (r->use_evring)
		consume_evring(r);
	else
		consume_bare(r);
	return NULL;
}

static int run_setup(struct run *r, int use_evring, enum policy policy,
		     unsigned producers, uint32_t per_producer)
{
	memset(r, 0, sizeof(*r));
	r->use_evring = use_evring;
	r->policy = policy;
	r->producers = producers;
	r->per_producer = per_producer;
	r->expected = (uint64_t)producers * per_producer;
	if (use_evring) {
		/* 2: the ring of a process pool (a producer in a child). */
		r->ring = use_evring == 2 ? evring_new_shared(RING_CAPACITY)
					  : evring_new(RING_CAPACITY);
		if (r->ring == NULL)
			return -1;
	} else if (bare_init(&r->bare, RING_CAPACITY) != 0) {
		return -1;
	}
	pthread_barrier_init(&r->start, NULL, producers + 1);
	return 0;
}

static void run_teardown(struct run *r)
{
	pthread_barrier_destroy(&r->start);
	if (r->use_evring)
		evring_free(r->ring);
	else
		bare_destroy(&r->bare);
}

/* Nanoseconds per event of one run, or -1 on failure. */
static double run_once(int use_evring, enum policy policy, unsigned producers,
		       uint32_t per_producer)
{
	struct run r;
	pthread_t consumer, prod[MAX_PRODUCERS];
	struct producer_arg pa[MAX_PRODUCERS];
	int64_t t0, t1;
	double ns;

	if (run_setup(&r, use_evring, policy, producers, per_producer) != 0)
		return -1;
	pthread_create(&consumer, NULL, consumer_main, &r);
	for (unsigned i = 0; i < producers; i++) {
		pa[i].run = &r;
		pa[i].id = (uint16_t)i;
		pthread_create(&prod[i], NULL, producer_main, &pa[i]);
	}
	pthread_barrier_wait(&r.start);
	t0 = clock_now_ns();
	for (unsigned i = 0; i < producers; i++)
		pthread_join(prod[i], NULL);
	t1 = clock_now_ns();
	pthread_join(consumer, NULL);

	ns = (double)(t1 - t0) / (double)r.expected;
	if (r.received != r.expected) {
		fprintf(stderr, "bench_evring: lost events: %llu of %llu\n",
			(unsigned long long)r.received,
			(unsigned long long)r.expected);
		ns = -1;
	}
	run_teardown(&r);
	return ns;
}

/* Nanoseconds per event when the producer is a child process (made by
 * fork, before the consumer thread: it has the shared ring), or -1 on
 * failure. Timed from the fork to the child's end, both seen here. */
static double run_process(void)
{
	struct run r;
	pthread_t consumer;
	int64_t t0, t1;
	int status = -1;
	pid_t pid;
	double ns;

	if (run_setup(&r, 2, POLICY_PACED, 1, EVENTS_SOLO) != 0)
		return -1;
	t0 = clock_now_ns();
	pid = fork();
	if (pid == 0) {
		for (uint32_t i = 0; i < r.per_producer; i++)
			evring_emit(r.ring, 0, i, EV_CPU, i);
		_exit(0);
	}
	if (pid < 0) {
		run_teardown(&r);
		return -1;
	}
	pthread_create(&consumer, NULL, consumer_main, &r);
	waitpid(pid, &status, 0);
	t1 = clock_now_ns();
	pthread_join(consumer, NULL);
	ns = (double)(t1 - t0) / (double)r.expected;
	if (status != 0 || r.received != r.expected)
		ns = -1;
	run_teardown(&r);
	return ns;
}

/* Best of REPS runs of each ring, alternating; -1 if a run failed. */
static int run_pair(enum policy policy, unsigned producers,
		    uint32_t per_producer, double *bare, double *evr)
{
	*bare = -1;
	*evr = -1;
	for (int i = 0; i < REPS; i++) {
		double b = run_once(0, policy, producers, per_producer);
		double e = run_once(1, policy, producers, per_producer);

		if (b < 0 || e < 0)
			return -1;
		if (*bare < 0 || b < *bare)
			*bare = b;
		if (*evr < 0 || e < *evr)
			*evr = e;
	}
	return 0;
}

/* The in-process ring against the process pool's, alternating, best of
 * REPS each. */
static int run_procs(double *evr, double *procs)
{
	*evr = -1;
	*procs = -1;
	for (int i = 0; i < REPS; i++) {
		double e = run_once(1, POLICY_PACED, 1, EVENTS_SOLO);
		double p = run_process();

		if (e < 0 || p < 0)
			return -1;
		if (*evr < 0 || e < *evr)
			*evr = e;
		if (*procs < 0 || p < *procs)
			*procs = p;
	}
	return 0;
}

int main(void)
{
	double bare, evr, bare_c, evr_c, bare_e, evr_e, evr_p, procs;

	if (run_pair(POLICY_PACED, 1, EVENTS_SOLO, &bare, &evr) != 0 ||
	    run_pair(POLICY_PACED, CONTENDED_PRODUCERS, EVENTS_PER_PRODUCER,
		     &bare_c, &evr_c) != 0 ||
	    run_pair(POLICY_EAGER, 1, EVENTS_SOLO, &bare_e, &evr_e) != 0 ||
	    run_procs(&evr_p, &procs) != 0) {
		fprintf(stderr, "bench_evring: a run failed\n");
		return EXIT_FAILURE;
	}
	printf("bare_push_ns=%.1f\n", bare);
	printf("evring_push_ns=%.1f\n", evr);
	printf("evring_vs_bare=%.2f\n", evr / bare);
	printf("bare_push_ns_contended=%.1f\n", bare_c);
	printf("evring_push_ns_contended=%.1f\n", evr_c);
	printf("bare_push_ns_eager=%.1f\n", bare_e);
	printf("evring_push_ns_eager=%.1f\n", evr_e);
	printf("procs_push_ns=%.1f\n", procs);
	/* Against the in-process figure of the same rounds. */
	printf("procs_vs_evring=%.2f\n", procs / evr_p);
	return EXIT_SUCCESS;
}
