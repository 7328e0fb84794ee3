/* procs_int.h - inside the process pool: the shared control block, the
 * messages between the parent, the forkserver and the workers, and the
 * start methods (procs_start.c) that procs.c, the pool, uses. */
#ifndef CONVIZ_PROCS_INT_H
#define CONVIZ_PROCS_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "rt/locks.h"
#include "rt/task.h"

#define CTL_MAGIC 0x636f6e76u /* "conv" */

/* One lane's corner of the control block, written by its worker. */
struct ctl_slot {
	atomic_uint cur;       /* the task it runs, or EV_NO_TASK */
	atomic_llong ready_ns; /* ready time its workers drew, in all */
};

/* The control block: one memfd mapping, shared by the parent and every
 * worker (a worker maps it from the fd it was given). The header, then
 * `workers` slots, then `tasks` results, then the payload. Only the
 * parent hands out tasks (over each worker's socket), so a worker that
 * dies can spoil nothing here but its own slot and the result it was
 * writing, which the parent then marks failed. */
struct ctl_head {
	uint32_t magic, tasks, workers, gil_on;
	int64_t corrupt; /* job.corrupt */
	uint64_t size;	 /* bytes mapped */
	uint64_t slots_off, results_off, payload_off, payload_len;
	atomic_uint done;  /* tasks finished by workers */
	atomic_int cancel; /* set by the parent, or by a worker that found a
			      deadlock: stop at once */
	/* What the workers' locks did (each worker has its own locks, as
	 * each Python process has: only a task's deadlock with itself can
	 * happen in one); the parent adds it to the job's. */
	struct rt_lock_report lockrep;
};

static inline struct ctl_slot *ctl_slot(struct ctl_head *c, int lane)
{
	return (struct ctl_slot *)((char *)c + c->slots_off) + lane;
}

static inline struct task_result *ctl_results(struct ctl_head *c)
{
	return (struct task_result *)((char *)c + c->results_off);
}

/* A process's user+sys CPU time in ns, from wait4's figures. */
static inline int64_t rusage_cpu_ns(const struct rusage *ru)
{
	return ((int64_t)ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) *
		       1000000000 +
	       ((int64_t)ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000;
}

/* A worker asks its parent for work with this (any 4 bytes) and gets a
 * struct procs_chunk back; count 0: nothing left, end. */
struct procs_chunk {
	uint32_t first, count;
};

/* What the forkserver tells its client. */
enum { SRV_STARTED = 1, SRV_FAILED, SRV_EXITED };
struct srv_msg {
	int32_t type;
	int32_t pid;
	int32_t status; /* SRV_EXITED: as waitpid; SRV_FAILED: errno */
	int32_t pad;
	int64_t cpu_ns; /* SRV_EXITED: the worker's user+sys CPU */
};

/* What a worker process is given (struct procs_child's innards). */
struct procs_child {
	struct ctl_head *ctl;
	struct evring *ring; /* NULL: tracing off */
	int sock;	     /* to the parent: ask for work */
	int lane;
};

/* A worker process being started or running, seen from the parent. */
struct procs_proc {
	pid_t pid;
	int sock; /* the parent's end, -1 once closed */
};

/* Starts a worker for `lane` by method `start`, given the control
 * block's and the ring's fds (ring_fd -1: none). 0 with *proc filled, or
 * -1 with errno. procs_start.c. */
int procs_proc_start(int start, int ctl_fd, int ring_fd, int lane,
		     struct procs_proc *proc);

/* The forkserver's socket for exit reports (-1: none started). */
int procs_server_sock(void);

/* Takes the next message of the forkserver: 0, or -1 when it is gone. */
int procs_server_recv(struct srv_msg *m);

/* Keeps an exit report that came while a start waited for its answer
 * (procs.c: the pool handles it in turn). */
void procs_pending_exit(const struct srv_msg *m);

/* Lock the forkserver while a run uses it (its reports are the run's). */
void procs_server_lock(void);
void procs_server_unlock(void);

/* The worker's life once forked (or spawned): maps the block and the
 * ring, runs the program's procs_child_fn, returns its status. */
int procs_child_main(int ctl_fd, int ring_fd, int sock, int lane);

#endif
