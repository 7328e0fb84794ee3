/* evring.h - the event ring: many producers, one consumer, one mutex.
 *
 * Fixed capacity; events are copied in and out by value under the lock.
 * No event is ever dropped: when the ring is full a producer waits until
 * the consumer has drained some. Every such wait is a stall: counted, timed,
 * and drawn on the producer's lane as an EV_STALL state (see evring_push).
 *
 * The ring counts what producers pushed; the consumer counts what it took.
 * Their difference is what was dropped, measured rather than assumed: 0
 * unless the ring is broken (or made lossy by evring_test_lose_every).
 *
 * Threads and processes: any number of producers may call evring_push*,
 * from this process or from others that share the ring (a child made by
 * fork has it; another process maps it with evring_attach); exactly one
 * thread (the UI thread, or the headless collector) calls evring_drain and
 * evring_wait. Creation and evring_free happen when no other thread uses
 * the ring. A producer that dies, even in the middle of a push (a worker
 * process killed), never hangs the others: the lock is robust and nobody
 * sleeps on a condition variable (evring.c).
 */
#ifndef CONVIZ_EVRING_H
#define CONVIZ_EVRING_H

#include <stddef.h>
#include <stdint.h>

#include "core/ev.h"

struct evring;

/* A ring holding `capacity` events (rounded up to a power of two, at least
 * 2), for producers that are threads of this process. Returns NULL when
 * out of memory. */
struct evring *evring_new(size_t capacity);

/* The same, for producers in other processes too (children made by fork,
 * or processes that evring_attach): its lock is process-shared and robust,
 * so a producer that dies holding it does not wedge the ring. A push costs
 * a little more. */
struct evring *evring_new_shared(size_t capacity);

/* Frees the ring. No thread may use it any more. NULL is fine. In a
 * process that attached, this unmaps its view only. */
void evring_free(struct evring *ring);

/* The file descriptor behind the ring's shared memory (a memfd, closed on
 * exec), to hand to a process that will evring_attach; -1 for a ring of
 * evring_new (its lock is for threads only), or when the system has no
 * memfds (then only children made by fork share the ring). */
int evring_fd(const struct evring *ring);

/* The ring behind fd (evring_fd of its owner), mapped into this process:
 * pushes from here reach the owner's consumer. NULL if fd is not such a
 * ring or it cannot be mapped. evring_free unmaps it. */
struct evring *evring_attach(int fd);

/* Lanes a ring can tell apart (lane numbers are 16 bits). */
#define EVRING_LANES 65536
/* Rings this big or bigger draw a stall on the stalled lane. */
#define EVRING_ANNOTATE_MIN 64

/* Copies *e into the ring. Blocks while the ring is full (a stall): then
 * *e is followed by two events of its lane, EV_STALL stamped when the wait
 * began and the lane's last state (arg 0) stamped when it ended, stored in
 * a row (rings of at least EVRING_ANNOTATE_MIN slots; smaller ones, for
 * tests, only wait). Any thread; takes and releases the ring's lock. */
void evring_push(struct evring *ring, const struct ev *e);

/* Stamps an event with clock_now_ns() (taken before the lock, so each
 * producer's events stay in its own order) and pushes it. Any thread. */
void evring_emit(struct evring *ring, uint16_t lane, uint32_t task,
		 enum ev_kind kind, int64_t arg);

/* Moves up to `max` of the oldest events to out[], oldest first, and wakes
 * producers that wait for room. Never blocks. Returns how many it moved.
 * Consumer thread only. */
size_t evring_drain(struct evring *ring, struct ev *out, size_t max);

/* Waits until the ring holds at least one event or `timeout_ms` passed (a
 * negative timeout waits without limit, 0 only looks). Returns the number
 * of events held. A wait that starts within 5 ms of one that returned
 * events first lets events gather for the rest of those 5 ms (unless the
 * ring fills halfway), so a consumer looping on wait and drain is not woken
 * once per push. Consumer thread only. */
size_t evring_wait(struct evring *ring, int timeout_ms);

/* Counters, any thread: events ever pushed (the stall states included),
 * how many pushes had to wait for room (stalls), and how long those waits
 * took in all (ns). What was dropped is evring_pushed minus what the
 * consumer took out (timeline_drain counts it). */
uint64_t evring_pushed(struct evring *ring);
uint64_t evring_stalls(struct evring *ring);
int64_t evring_stall_ns(struct evring *ring);

/* How many times a process died holding the ring's lock (and the next
 * locker took over). Any thread. */
uint64_t evring_owner_deaths(struct evring *ring);

/* Test hook: takes the ring's lock and ends the process at once, as a
 * worker killed in the middle of a push. Never used by conviz. */
void evring_test_die_locked(struct evring *ring) __attribute__((noreturn));

/* Test hook: rings created after this call silently lose one push in
 * every n (still counted as pushed), so a test can show that dropped=
 * really counts; 0 (the default) turns it off. Never used by conviz. */
void evring_test_lose_every(unsigned n);

/* Capacity in events (a power of two). */
size_t evring_capacity(const struct evring *ring);

#endif
