/* procs_start.c - how a worker process of the pool starts: the forkserver,
 * a direct fork, or spawn (fork, then exec conviz again); and the worker's
 * first steps, whichever way it came. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/evring.h"
#include "core/msg.h"
#include "core/num.h"
#include "models/procs.h"
#include "models/procs_int.h"

static procs_child_fn child_fn; /* what a worker runs (procs_init) */
static char self_exe[PATH_MAX]; /* this program, for spawn */
static int srv_sock = -1;	/* to the forkserver */
static pid_t srv_pid;		/* the forkserver, 0: none */
static pthread_mutex_t srv_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const start_names[PROCS_START_COUNT] = {
	[PROCS_FORKSERVER] = "forkserver",
	[PROCS_FORK] = "fork",
	[PROCS_SPAWN] = "spawn",
};

const char *procs_start_name(int start)
{
	return start >= 0 && start < PROCS_START_COUNT ? start_names[start]
						       : "?";
}

int procs_start_find(const char *name)
{
	for (int i = 0; i < PROCS_START_COUNT; i++)
		if (strcmp(start_names[i], name) == 0)
			return i;
	return -1;
}

int procs_workers_allowed(void)
{
	struct rlimit rl;
	long n = PROCS_WORKERS_MAX;

	/* The process limit counts every process of this user (threads
	 * too); leave room for what already runs. */
	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur / 2 < n)
		n = (long)rl.rlim_cur / 2;
	return n > 1 ? (int)n : 1;
}

/* --- the worker's first steps --------------------------------------- */

/* A worker keeps nothing of its parent's signal handling: no crash
 * handler that would restore the parent's terminal (a forked worker has
 * the TUI's), no blocked signals. Ctrl-C reaches the whole foreground
 * group; the parent decides what it means (the TUI quits, and ends its
 * run), so the worker ignores it, as SIGPIPE (its writes see EPIPE), and
 * dies with the parent (PDEATHSIG) if that never comes. */
static void child_reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		sa.sa_handler =
			sig == SIGINT || sig == SIGQUIT || sig == SIGPIPE
				? SIG_IGN
				: SIG_DFL;
		sigaction(sig, &sa, NULL); /* EINVAL for glibc's own: fine */
	}
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
}

int procs_child_main(int ctl_fd, int ring_fd, int sock, int lane)
{
	struct procs_child pc = { .sock = sock, .lane = lane };
	struct stat st;
	int rc = 1;

	child_reset_signals();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!child_fn || fstat(ctl_fd, &st) != 0 ||
	    (size_t)st.st_size < sizeof *pc.ctl)
		return 1;
	pc.ctl = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, ctl_fd, 0);
	if (pc.ctl == MAP_FAILED)
		return 1;
	close(ctl_fd);
	if (ring_fd >= 0) {
		pc.ring = evring_attach(ring_fd);
		close(ring_fd);
	}
	if (pc.ctl->magic == CTL_MAGIC &&
	    pc.ctl->size == (uint64_t)st.st_size && lane >= 0 &&
	    (uint32_t)lane < pc.ctl->workers && (ring_fd < 0 || pc.ring))
		rc = child_fn(&pc, (const char *)pc.ctl + pc.ctl->payload_off,
			      (size_t)pc.ctl->payload_len);
	/* Freed, though the process ends: valgrind's --trace-children
	 * counts what a worker leaves behind. */
	evring_free(pc.ring);
	munmap(pc.ctl, (size_t)st.st_size);
	close(sock);
	return rc;
}

int procs_spawned_main(int argc, char **argv, procs_child_fn fn)
{
	long v[4];

	child_fn = fn;
	if (argc != 4)
		return 2;
	/* The ring's fd is -1 when tracing is off. */
	for (int i = 0; i < 4; i++)
		if (num_parse_long(argv[i], i == 1 ? -1 : 0, INT_MAX, &v[i]) !=
		    0)
			return 2;
	return procs_child_main((int)v[0], (int)v[1], (int)v[2], (int)v[3]);
}

/* --- the forkserver -------------------------------------------------- */

static int srv_wake[2] = { -1, -1 }; /* SIGCHLD -> the server's poll */

static void srv_on_child(int sig)
{
	int saved = errno;
	char c = 0;

	(void)sig;
	if (write(srv_wake[1], &c, 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
	errno = saved;
}

static void srv_send(int sock, int type, pid_t pid, int status, int64_t cpu_ns)
{
	struct srv_msg m = {
		.type = type, .pid = pid, .status = status, .cpu_ns = cpu_ns
	};

	if (send(sock, &m, sizeof m, MSG_NOSIGNAL) < 0) {
		/* the client is gone: the loop sees it next */
	}
}

/* Reaps every worker that ended and reports each. */
static void srv_reap(int sock)
{
	struct rusage ru;
	int status;
	pid_t pid;

	while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0)
		srv_send(sock, SRV_EXITED, pid, status, rusage_cpu_ns(&ru));
}

/* A request: the lane in the bytes, the fds (control block, worker's
 * socket, and the ring if any) alongside. Forks the worker and says its
 * pid. */
static int srv_request(int sock)
{
	char buf[CMSG_SPACE(3 * sizeof(int))];
	int32_t lane;
	struct iovec io = { .iov_base = &lane, .iov_len = sizeof lane };
	struct msghdr mh = { .msg_iov = &io,
			     .msg_iovlen = 1,
			     .msg_control = buf,
			     .msg_controllen = sizeof buf };
	int fds[3] = { -1, -1, -1 };
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	size_t nfd;
	pid_t pid;

	if (n <= 0)
		return -1; /* the client is gone: so is the server */
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return 0;
	nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	memcpy(fds, CMSG_DATA(cm), (nfd < 3 ? nfd : 3) * sizeof(int));
	pid = n == sizeof lane && nfd >= 2 ? fork() : -1;
	if (pid == 0) {
		close(sock);
		close(srv_wake[0]);
		close(srv_wake[1]);
		_exit(procs_child_main(fds[0], nfd > 2 ? fds[2] : -1, fds[1],
				       lane));
	}
	srv_send(sock, pid > 0 ? SRV_STARTED : SRV_FAILED, pid,
		 pid > 0 ? 0 : errno, 0);
	for (size_t i = 0; i < nfd && i < 3; i++)
		close(fds[i]);
	return 0;
}

/* The forkserver's whole life: one thread, forking workers on request
 * and reporting their exits, until its client closes the socket. */
static void srv_main(int sock)
{
	struct sigaction sa;
	struct pollfd pf[2];

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (pipe2(srv_wake, O_CLOEXEC | O_NONBLOCK) != 0)
		_exit(1);
	sa.sa_handler = srv_on_child;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	pf[0] = (struct pollfd){ .fd = sock, .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = srv_wake[0], .events = POLLIN };
	for (;;) {
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[1].revents) {
			char drain[64];
			while (read(srv_wake[0], drain, sizeof drain) > 0)
				;
			srv_reap(sock);
		}
		if (pf[0].revents && srv_request(sock) < 0)
			break;
	}
	_exit(0);
}

int procs_init(procs_child_fn fn, char *err, size_t errlen)
{
	int sv[2];
	ssize_t n;

	child_fn = fn;
	n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
	self_exe[n > 0 ? n : 0] = '\0';
	if (srv_pid > 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		goto fail;
	srv_pid = fork();
	if (srv_pid == 0) {
		close(sv[0]);
		srv_main(sv[1]);
	}
	close(sv[1]);
	if (srv_pid < 0) {
		srv_pid = 0;
		close(sv[0]);
		goto fail;
	}
	srv_sock = sv[0];
	return 0;
fail:
	msg_fmt(err, errlen,
		"cannot start the forkserver (%s): use --start fork or "
		"--start spawn",
		strerror(errno));
	return -1;
}

int procs_server_sock(void)
{
	return srv_sock;
}

int procs_server_recv(struct srv_msg *m)
{
	ssize_t n;

	do
		n = recv(srv_sock, m, sizeof *m, 0);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof *m ? 0 : -1;
}

void procs_server_lock(void)
{
	pthread_mutex_lock(&srv_lock);
}

void procs_server_unlock(void)
{
	pthread_mutex_unlock(&srv_lock);
}

/* --- the parent's side of each method ---------------------------------- */

static int start_forkserver(int ctl_fd, int ring_fd, int lane, int child_end,
			    struct procs_proc *proc)
{
	int fds[3] = { ctl_fd, child_end, ring_fd };
	int nfd = ring_fd >= 0 ? 3 : 2;
	char buf[CMSG_SPACE(3 * sizeof(int))];
	int32_t l = lane;
	struct iovec io = { .iov_base = &l, .iov_len = sizeof l };
	struct msghdr mh = { .msg_iov = &io,
			     .msg_iovlen = 1,
			     .msg_control = buf,
			     .msg_controllen = CMSG_SPACE(nfd * sizeof(int)) };
	struct cmsghdr *cm;
	struct srv_msg m;

	if (srv_sock < 0) {
		errno = ENOSYS;
		return -1;
	}
	memset(buf, 0, sizeof buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nfd * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, nfd * sizeof(int));
	if (sendmsg(srv_sock, &mh, MSG_NOSIGNAL) < 0)
		return -1;
	/* Exit reports of this run's earlier workers may come first: the
	 * pool keeps them (procs.c reads them through procs_proc_pending). */
	for (;;) {
		if (procs_server_recv(&m) < 0) {
			errno = EPIPE;
			return -1;
		}
		if (m.type != SRV_EXITED)
			break;
		procs_pending_exit(&m);
	}
	if (m.type != SRV_STARTED) {
		errno = m.status;
		return -1;
	}
	proc->pid = m.pid;
	return 0;
}

/* A direct fork from the run's thread, while other threads run (the UI,
 * the embedded server's). What makes it safe: until it ends, the child
 * takes no lock that one of those threads could have held at the fork.
 * It only maps fresh shared memory, allocates (glibc's fork resets
 * malloc's locks in the child), makes its own libcurl handle (the global
 * set-up was done before any thread), and pushes events into the shared
 * ring, whose robust lock lives in shared memory: a parent's thread that
 * held it at the fork releases it there, for the child too. It never
 * touches stdio, the terminal, the timeline or the server. Everything
 * else it inherited it closes (its fds) or ignores. */
static int start_fork(int ctl_fd, int ring_fd, int lane, int child_end,
		      struct procs_proc *proc)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int keep = ctl_fd > child_end ? ctl_fd : child_end;
		keep = ring_fd > keep ? ring_fd : keep;
		for (int fd = 3; fd <= keep; fd++)
			if (fd != ctl_fd && fd != ring_fd && fd != child_end)
				close(fd);
		close_range((unsigned)keep + 1, ~0u, 0);
		_exit(procs_child_main(ctl_fd, ring_fd, child_end, lane));
	}
	proc->pid = pid;
	return 0;
}

/* Spawn: fork, then exec at once, calling only async-signal-safe
 * functions in between (the argument strings are made before). */
static int start_spawn(int ctl_fd, int ring_fd, int lane, int child_end,
		       struct procs_proc *proc)
{
	char a[4][16];
	char *argv[] = { "conviz", PROCS_WORKER_ARG, a[0], a[1], a[2], a[3],
			 NULL };
	pid_t pid;

	if (self_exe[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	snprintf(a[0], sizeof a[0], "%d", ctl_fd);
	snprintf(a[1], sizeof a[1], "%d", ring_fd);
	snprintf(a[2], sizeof a[2], "%d", child_end);
	snprintf(a[3], sizeof a[3], "%d", lane);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fcntl(ctl_fd, F_SETFD, 0);
		fcntl(child_end, F_SETFD, 0);
		if (ring_fd >= 0)
			fcntl(ring_fd, F_SETFD, 0);
		execv(self_exe, argv);
		_exit(127);
	}
	proc->pid = pid;
	return 0;
}

int procs_proc_start(int start, int ctl_fd, int ring_fd, int lane,
		     struct procs_proc *proc)
{
	int sv[2];
	int rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	if (start == PROCS_FORKSERVER)
		rc = start_forkserver(ctl_fd, ring_fd, lane, sv[1], proc);
	else if (start == PROCS_FORK)
		rc = start_fork(ctl_fd, ring_fd, lane, sv[1], proc);
	else
		rc = start_spawn(ctl_fd, ring_fd, lane, sv[1], proc);
	close(sv[1]);
	if (rc < 0) {
		int saved = errno;
		close(sv[0]);
		errno = saved;
		return -1;
	}
	proc->sock = sv[0];
	return 0;
}
