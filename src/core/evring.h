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
 * Threads: any number of producers may call evring_push*; exactly one
 * thread (the UI thread, or the headless collector) calls evring_drain and
 * evring_wait. Creation and evring_free happen when no other thread uses
 * the ring.
 */
#ifndef CONVIZ_EVRING_H
#define CONVIZ_EVRING_H

#include <stddef.h>
#include <stdint.h>

#include "core/ev.h"

struct evring;

/* A ring holding `capacity` events (rounded up to a power of two, at least
 * 2). Returns NULL when out of memory. */
struct evring *evring_new(size_t capacity);

/* Frees the ring. No thread may use it any more. NULL is fine. */
void evring_free(struct evring *ring);

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

/* Test hook: rings created after this call silently lose one push in
 * every n (still counted as pushed), so a test can show that dropped=
 * really counts; 0 (the default) turns it off. Never used by conviz. */
void evring_test_lose_every(unsigned n);

/* Capacity in events (a power of two). */
size_t evring_capacity(const struct evring *ring);

#endif
