/* evring.h - the event ring: many producers, one consumer, one mutex.
 *
 * Fixed capacity; events are copied in and out by value under the lock.
 * No event is ever dropped: when the ring is full a producer waits until
 * the consumer has drained some, and every such wait is counted as a stall.
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

#include "ev.h"

struct evring;

/* A ring holding `capacity` events (rounded up to a power of two, at least
 * 2). Returns NULL when out of memory. */
struct evring *evring_new(size_t capacity);

/* Frees the ring. No thread may use it any more. NULL is fine. */
void evring_free(struct evring *ring);

/* Copies *e into the ring. Blocks while the ring is full (a stall). Any
 * thread; takes and releases the ring's lock. */
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

/* Counters, any thread: events ever pushed, and how many pushes had to
 * wait for room (stalls). Events are never dropped, so there is no
 * dropped counter to read: it is 0 by construction. */
uint64_t evring_pushed(struct evring *ring);
uint64_t evring_stalls(struct evring *ring);

/* Capacity in events (a power of two). */
size_t evring_capacity(const struct evring *ring);

#endif
