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
	EV_READ = EV_STATE_COUNT, /* marker: a shared value was read
				     (arg: ev_access) */
	EV_WRITE,		  /* marker: a shared value was written
				     (arg: ev_access) */
	EV_LOST_UPDATE,		  /* marker: a write overwrote another's
				     (arg: ev_lost) */
	EV_ERROR,		  /* marker: a task failed (arg = code) */
	EV_ACQUIRE,		  /* marker: a program lock was taken
				     (arg = its id) */
	EV_RELEASE,		  /* marker: it was let go (arg = its id,
				     | EV_RELEASE_ALL: every take at once) */
	EV_DEADLOCK,		  /* marker: this task's wait for lock arg
				     closed a cycle of waits: a deadlock */
	EV_KIND_COUNT
};

/* A kind as a bit of a set of kinds (what a workload or model may
 * emit, what the legend shows). */
#define EV_BIT(kind) (1u << (kind))

/* Task number carried by events that belong to no task. */
#define EV_NO_TASK UINT32_MAX

/* EV_RELEASE's arg when a task ended holding the lock: every take goes. */
#define EV_RELEASE_ALL ((int64_t)1 << 32)

/* The arg of a read or a write of a shared value: which value (0..63),
 * the version read or written (its low 26 bits: ev_newer compares them)
 * and the value (32 bits). */
#define EV_VERSION_BITS 26

static inline int64_t ev_access(unsigned var, uint32_t version, int32_t value)
{
	uint64_t v = (uint64_t)(version & ((1u << EV_VERSION_BITS) - 1));

	return (int64_t)(v << 38 | (uint64_t)(var & 63u) << 32 |
			 (uint32_t)value);
}

static inline unsigned ev_access_var(int64_t arg)
{
	return (unsigned)((uint64_t)arg >> 32) & 63u;
}

static inline uint32_t ev_access_version(int64_t arg)
{
	return (uint32_t)((uint64_t)arg >> 38);
}

static inline int32_t ev_access_value(int64_t arg)
{
	return (int32_t)(uint32_t)arg;
}

/* Is version a (26 bits) later than b, across a wrap? */
static inline int ev_newer(uint32_t a, uint32_t b)
{
	uint32_t d = (a - b) & ((1u << EV_VERSION_BITS) - 1);

	return d != 0 && d < (1u << (EV_VERSION_BITS - 1));
}

/* The arg of a lost update: the value (0..63), the amount lost (32 bits),
 * the other task (its low 24 bits; all ones: unknown), and whether this
 * lane's task is the one whose update was lost (1) or the one that
 * overwrote it (0). */
#define EV_LOST_TASK_NONE 0xffffffu

static inline int64_t ev_lost(unsigned var, int32_t amount, uint32_t other,
			      int victim)
{
	uint64_t o = other == EV_NO_TASK ? EV_LOST_TASK_NONE
					 : (uint64_t)(other & 0xffffffu);

	return (int64_t)((uint64_t)(victim != 0) << 62 | o << 38 |
			 (uint64_t)(var & 63u) << 32 | (uint32_t)amount);
}

static inline uint32_t ev_lost_other(int64_t arg)
{
	uint32_t o = (uint32_t)((uint64_t)arg >> 38) & 0xffffffu;

	return o == EV_LOST_TASK_NONE ? EV_NO_TASK : o;
}

static inline int ev_lost_victim(int64_t arg)
{
	return (int)((uint64_t)arg >> 62) & 1;
}

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
