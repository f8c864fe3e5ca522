#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../base/fd.h"
#include "../base/log.h"
#include "../base/status.h"

#define FIRST_LISTEN_FD	    3 /* sd_listen_fds(3): passed sockets start at 3 */
#define DEFAULT_PATH	    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define EXEC_PATH_MAX	    4096
#define PID_TEXT_MAX	    24
#define KERNEL_SIGSET_BYTES (64 / 8) /* the kernel's sigset: 64 signals */
#ifndef SYS_clone3
#define SYS_clone3 435 /* the same number on every architecture */
#endif
#define CLONE_INTO_CGROUP_FLAG 0x200000000ULL /* Linux 5.7 */

/* clone3's argument, up to its cgroup field (CLONE_ARGS_SIZE_VER2) */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

enum child_step { STEP_CGROUP, STEP_SESSION, STEP_LISTEN, STEP_CWD, STEP_PRIVS, STEP_MASK, STEP_EXEC };

struct child_report {
	int step;	/* enum child_step */
	int sub;	/* enum privs_step, with STEP_PRIVS */
	int err;
};

static int exec_code(const struct spawn_cfg *c, int err)
{
	return err == ENOENT ? c->exec_codes.not_found
	       : err == EACCES ? c->exec_codes.denied
			       : c->exec_codes.other;
}

/* Only in the child: reports why it could not exec, then ends with the code
 * minit will exit with, so the status says it even if the report is lost. */
static void __attribute__((noreturn)) child_fail(const struct spawn_cfg *c, int fd,
						 enum child_step step, int sub, int err)
{
	struct child_report rep = { step, sub, err };
	ssize_t n;

	do
		n = write(fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	_exit(step == STEP_EXEC ? exec_code(c, err) : EXIT_MINIT_FAILED);
}

/* Own process group (or session) and, on a terminal, the foreground: then
 * Ctrl-C goes to the application, not to minit. With a session, the
 * terminal becomes the child's controlling one (minit gave it up first).
 * Errors on the terminal are not fatal: stdin may be a terminal that is not
 * ours to control. Shared: nothing to do, the child is in minit's group. */
static int child_session(const struct spawn_cfg *c)
{
	if (c->session == SPAWN_SHARED)
		return 0;
	if (c->session == SPAWN_OWN_SESSION ? setsid() < 0 : setpgid(0, 0) < 0)
		return -errno;
	if (isatty(STDIN_FILENO)) {
		if (c->session == SPAWN_OWN_SESSION)
			(void)ioctl(STDIN_FILENO, TIOCSCTTY, 0);
		(void)tcsetpgrp(STDIN_FILENO, getpgrp());
	}
	return 0;
}

static int set_env_int(const char *name, unsigned long long v)
{
	char buf[PID_TEXT_MAX];

	snprintf(buf, sizeof(buf), "%llu", v);
	return setenv(name, buf, 1) ? -errno : 0;
}

/* sd_notify(3): where the child reports, and how often it must say it is
 * alive (WATCHDOG_PID is its own pid: exec keeps it). */
static int child_notify(const struct spawn_cfg *c)
{
	if (c->notify_socket && setenv("NOTIFY_SOCKET", c->notify_socket, 1))
		return -errno;
	if (!c->watchdog_usec)
		return 0;
	if (set_env_int("WATCHDOG_USEC", c->watchdog_usec) ||
	    set_env_int("WATCHDOG_PID", (unsigned long long)getpid()))
		return -errno;
	return 0;
}

/* sd_listen_fds(3): the held sockets become fds 3.. of the child. They are
 * first moved above the target range so no dup2 overwrites a source. */
static int child_listen(const struct spawn_cfg *c)
{
	const char *inherited;
	int high[SPAWN_LISTEN_MAX];
	size_t i;

	if (!c->listen_len) {
		/* Passed down from systemd to minit: the child is now the listener. */
		inherited = getenv("LISTEN_PID");
		if (inherited && atol(inherited) == (long)getppid())
			return set_env_int("LISTEN_PID", (unsigned long long)getpid());
		return 0;
	}
	for (i = 0; i < c->listen_len; i++) {
		high[i] = fcntl(c->listen_fds[i], F_DUPFD_CLOEXEC,
				FIRST_LISTEN_FD + (int)c->listen_len);
		if (high[i] < 0)
			return -errno;
	}
	for (i = 0; i < c->listen_len; i++)
		if (dup2(high[i], FIRST_LISTEN_FD + (int)i) < 0)
			return -errno;
	if (set_env_int("LISTEN_FDS", c->listen_len) ||
	    set_env_int("LISTEN_PID", (unsigned long long)getpid()) ||
	    setenv("LISTEN_FDNAMES", c->listen_names, 1))
		return -errno;
	return 0;
}

/* glibc's execvp runs a file the kernel cannot execute (ENOEXEC: a script
 * with no #! line) with /bin/sh; musl's does not. */
static void exec_sh(char *path, char *const *argv)
{
	static char sh[] = "/bin/sh";
	size_t n = 0;
	char **args;

	while (argv[n])
		n++;
	args = calloc(n + 2, sizeof(*args));
	if (!args)
		return;
	args[0] = sh;
	args[1] = path;
	memcpy(args + 2, argv + 1, n * sizeof(*args)); /* argv[1..n-1] and its NULL */
	execve(args[0], args, environ);
	free(args);
	errno = ENOEXEC;
}

static void exec_one(const struct spawn_cfg *c, char *path)
{
	execve(path, c->argv, environ);
	if (errno == ENOEXEC && c->sh_fallback)
		exec_sh(path, c->argv);
}

/* execvp with the same errors whatever the libc: the /bin/sh fallback only
 * where configured (the peers, built with glibc, have it). An empty name is
 * not found (ENOENT, as execvp says), a name longer than NAME_MAX is
 * ENAMETOOLONG. Returns the errno to report. */
static int exec_command(const struct spawn_cfg *c)
{
	char *const *argv = c->argv;
	const char *dir = getenv("PATH"), *end;
	char path[EXEC_PATH_MAX];
	bool denied = false;
	size_t len;

	if (!argv[0][0])
		return ENOENT;
	if (strchr(argv[0], '/')) {
		exec_one(c, argv[0]);
		return errno;
	}
	if (strlen(argv[0]) > NAME_MAX)
		return ENAMETOOLONG;
	if (!dir || !*dir)
		dir = DEFAULT_PATH;
	for (;; dir = end + 1) {
		end = strchrnul(dir, ':');
		len = (size_t)(end - dir);
		if (snprintf(path, sizeof(path), "%.*s%s%s", (int)len, dir, len ? "/" : "",
			     argv[0]) < (int)sizeof(path)) {
			exec_one(c, path);
			if (errno == EACCES)
				denied = true;
			else if (errno != ENOENT && errno != ENOTDIR)
				return errno;
		}
		if (!*end)
			return denied ? EACCES : ENOENT;
	}
}

/* Every signal unblocked, 32-34 included (libc's sigprocmask leaves them
 * out). Dispositions need nothing: minit reset every one it inherited. */
static int unblock_all(void)
{
	const unsigned char none[KERNEL_SIGSET_BYTES] = { 0 };

	return syscall(SYS_rt_sigprocmask, SIG_SETMASK, none, NULL, KERNEL_SIGSET_BYTES) ? errno
											   : 0;
}

/* The server's own cgroup, first: everything it starts is in it. Started
 * there (clone3), one byte on the report pipe says the child lives (see
 * spawn_report); else it joins the cgroup itself. */
static int child_cgroup(const struct spawn_cfg *c, bool placed, int report_fd)
{
	char num[PID_TEXT_MAX];
	int len;

	if (placed)
		return write(report_fd, "", 1) == 1 ? 0 : -errno;
	if (c->cgroup_procs_fd < 0)
		return 0;
	len = snprintf(num, sizeof(num), "%d", (int)getpid());
	return write(c->cgroup_procs_fd, num, (size_t)len) == len ? 0 : -errno;
}

static void __attribute__((noreturn)) child_run(const struct spawn_cfg *c, int report_fd,
						       bool placed)
{
	enum privs_step sub = PRIVS_STEP_BOUNDING;
	int err;

	if ((err = child_cgroup(c, placed, report_fd)))
		child_fail(c, report_fd, STEP_CGROUP, 0, -err);
	if ((err = child_session(c)))
		child_fail(c, report_fd, STEP_SESSION, 0, -err);
	if ((err = child_listen(c)) || (err = child_notify(c)))
		child_fail(c, report_fd, STEP_LISTEN, 0, -err);
	if (c->cwd_fd >= 0 && fchdir(c->cwd_fd))
		child_fail(c, report_fd, STEP_CWD, 0, errno);
	if ((err = privs_apply(c->privs, &sub)))
		child_fail(c, report_fd, STEP_PRIVS, (int)sub, -err);
	/* after privs: a change of uid or gid clears the parent-death signal */
	if (c->pdeathsig)
		(void)prctl(PR_SET_PDEATHSIG, c->pdeathsig);
	if ((err = unblock_all()))
		child_fail(c, report_fd, STEP_MASK, 0, err);
	child_fail(c, report_fd, STEP_EXEC, 0, exec_command(c));
}

static const char *const step_names[] = {
	[STEP_SESSION] = "start a new process group or session",
	[STEP_LISTEN] = "pass the listening and notify sockets",
	[STEP_CWD] = "change to the working directory",
	[STEP_PRIVS] = "",
	[STEP_MASK] = "unblock the signals",
	[STEP_EXEC] = "execute",
};

enum spawn_report spawn_report(const struct spawn_cfg *c, struct spawn_child *child, int *code)
{
	char buf[1 + sizeof(struct child_report)];
	struct child_report rep;
	ssize_t n;

	if (child->report_fd < 0)
		return SPAWN_RUNNING;
	for (;;) {
		n = read(child->report_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0 && child->placed && !child->began) { /* its first word */
			child->began = true;
			memmove(buf, buf + 1, (size_t)--n);
			if (!n)
				continue; /* the report, or the end, comes next */
		}
		break;
	}
	if (n < 0 && errno == EAGAIN)
		return SPAWN_PENDING;
	close(child->report_fd);
	child->report_fd = -1;
	if (n == 0 && child->placed && !child->began)
		return SPAWN_UNBORN;
	if (n != (ssize_t)sizeof(rep))
		return SPAWN_RUNNING;
	memcpy(&rep, buf, sizeof(rep));
	if (rep.step == STEP_CGROUP) {
		*code = rep.err;
		return SPAWN_UNPLACED;
	}
	if (rep.step == STEP_EXEC) {
		*code = exec_code(c, rep.err);
		log_msg(LOG_ERROR, "unable to execute %s: %s", c->argv[0], strerror(rep.err));
	} else {
		*code = EXIT_MINIT_FAILED;
		log_msg(LOG_ERROR, "unable to %s for %s: %s",
			rep.step == STEP_PRIVS ? privs_step_name((enum privs_step)rep.sub)
					       : step_names[rep.step],
			c->argv[0], strerror(rep.err));
	}
	return SPAWN_FAILED;
}

/* The pipe's ends stay clear of 0-2 and of the fds the child's listen
 * sockets are moved to. */
static int report_pipe(const struct spawn_cfg *c, int pipefd[2])
{
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pipefd[0] = fd_move_above(pipefd[0], FD_FIRST_OWN);
	pipefd[1] = fd_move_above(pipefd[1], FIRST_LISTEN_FD + (int)c->listen_len);
	if (pipefd[0] >= 0 && pipefd[1] >= 0)
		return 0;
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return -EMFILE;
}

/* A fork that starts the child in the server's cgroup: no migration
 * afterwards, which waits out an RCU grace period (8-11 ms here). -1 with
 * errno where it cannot (no cgroup to start in, clone3 or
 * CLONE_INTO_CGROUP missing: before 5.7, valgrind, Docker's seccomp
 * profile says ENOSYS); the child then joins by itself. */
static pid_t fork_into(int cgroup_fd, uint64_t exit_signal)
{
	struct clone3_args args = { .flags = CLONE_INTO_CGROUP_FLAG,
				    .exit_signal = exit_signal,
				    .cgroup = (uint64_t)cgroup_fd };

	if (cgroup_fd < 0) {
		errno = EBADF;
		return -1;
	}
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

int spawn_start(const struct spawn_cfg *c, struct spawn_child *child)
{
	int pipefd[2], err;

	child->pid = 0;
	child->report_fd = -1;
	child->began = false;
	if ((err = report_pipe(c, pipefd))) {
		log_msg(LOG_ERROR, "unable to create a pipe for %s: %s", c->argv[0], strerror(-err));
		return err;
	}
	child->pid = fork_into(c->cgroup_fd, SIGCHLD);
	child->placed = child->pid >= 0;
	if (!child->placed)
		child->pid = fork();
	if (child->pid == 0) {
		close(pipefd[0]);
		child_run(c, pipefd[1], child->placed);
	}
	err = errno;
	close(pipefd[1]);
	if (child->pid < 0) {
		log_msg(LOG_ERROR, "unable to fork for %s: %s", c->argv[0], strerror(err));
		child->pid = 0;
		close(pipefd[0]);
		return -err;
	}
	/* Also from this side, so a signal to the group cannot race the child's setpgid. */
	if (c->session == SPAWN_OWN_GROUP)
		(void)setpgid(child->pid, child->pid);
	(void)fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	child->report_fd = pipefd[0];
	return 0;
}
