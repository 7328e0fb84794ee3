/* clock.h - the one clock of conviz: CLOCK_MONOTONIC in nanoseconds. */
#ifndef CONVIZ_CLOCK_H
#define CONVIZ_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on CLOCK_MONOTONIC. Any thread; async-signal-safe. */
static inline int64_t clock_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time the calling thread has used, in nanoseconds (user + system;
 * a system call, unlike clock_now_ns: sample it, never call it per tick).
 * 0 if the clock cannot be read. */
static inline int64_t clock_thread_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* An absolute CLOCK_REALTIME-free deadline for pthread_cond_timedwait on a
 * condvar set up with CLOCK_MONOTONIC: now + ns. */
static inline struct timespec clock_deadline(int64_t ns_from_now)
{
	int64_t t = clock_now_ns() + ns_from_now;
	struct timespec ts = { .tv_sec = t / 1000000000,
			       .tv_nsec = t % 1000000000 };
	return ts;
}

#endif
