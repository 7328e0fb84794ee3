/* ev.h - the event that flows from the runtime to the timeline.
 *
 * Folder core/, the bottom layer (this is its main header): data and
 * plumbing that know no workload, model, curses or socket. Events (ev),
 * the event ring (evring), the timeline store, the clock, messages (msg),
 * small text files (textfile), the number and URL-list parsers (num,
 * urllist), finding the data directory (datadir).
 * May include: core/ only (tests/layers.sh checks every rule of this kind).
 *
 * An event is a state change of one lane (a worker) or a marker on it.
 * Events are plain values, copied into and out of the ring; no pointer to
 * an event in the ring ever escapes it.
 */
#ifndef CONVIZ_EV_H
#define CONVIZ_EV_H

#include <stdint.h>

/* Kinds. States come first (they are what a lane *is* between two events),
 * markers after (instants on a lane). EV_STATE_COUNT splits the two. */
enum ev_kind {
	EV_IDLE = 0,  /* nothing to do: waiting for a task */
	EV_STARTUP,   /* a worker is being started */
	EV_CPU,	      /* computing (arg unused; task = the task run) */
	EV_IO,	      /* waiting on I/O or a sleep */
	EV_LOCK_WAIT, /* waiting for a lock of the program */
	EV_GIL_WAIT,  /* waiting for the (simulated) GIL */
	EV_DONE,      /* the worker has finished for good */
	EV_READY,     /* runnable, but waiting for a core: measured as the
			 shortfall of the thread's CPU time against the
			 wall time while it was meant to compute */
	EV_STALL,     /* the worker waited for room in a full event ring:
			 the display (the ring's consumer) held it up */
	EV_STATE_COUNT,
	EV_READ = EV_STATE_COUNT, /* marker: a shared value was read */
	EV_WRITE,		  /* marker: a shared value was written */
	EV_LOST_UPDATE,		  /* marker: a write overwrote another's */
	EV_ERROR,		  /* marker: a task failed (arg = code) */
	EV_KIND_COUNT
};

/* A kind as a bit of a set of kinds (what a workload or model may
 * emit, what the legend shows). */
#define EV_BIT(kind) (1u << (kind))

/* Task number carried by events that belong to no task. */
#define EV_NO_TASK UINT32_MAX

struct ev {
	int64_t ts_ns; /* CLOCK_MONOTONIC, nanoseconds */
	int64_t arg;   /* kind-specific */
	uint32_t task; /* task index, or EV_NO_TASK */
	uint16_t lane; /* worker lane */
	uint16_t kind; /* enum ev_kind */
};

/* Is this kind a state (as opposed to a marker)? */
static inline int ev_is_state(unsigned kind)
{
	return kind < EV_STATE_COUNT;
}

/* Short lower-case name of a kind ("cpu", "gil-wait", ...); "?" if out of
 * range. Any thread. */
const char *ev_kind_name(unsigned kind);

/* The glyph that draws a state: a UTF-8 block pattern, or its ASCII
 * fallback. Patterns differ per state so a monochrome screen still reads. */
const char *ev_state_glyph(unsigned kind, int utf8);

#endif
