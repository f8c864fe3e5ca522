#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../init/log.h"

#define FIRST_LISTEN_FD 3 /* sd_listen_fds(3): passed sockets start at 3 */
#define DEFAULT_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define EXEC_PATH_MAX	4096
#define PID_TEXT_MAX	24

enum child_step { STEP_SESSION, STEP_LISTEN, STEP_PRIVS, STEP_MASK, STEP_EXEC };

struct child_report {
	int step;	/* enum child_step */
	int sub;	/* enum privs_step, with STEP_PRIVS */
	int err;
};

/* Only in the child: reports why it could not exec, then ends. */
static void __attribute__((noreturn)) child_fail(int fd, enum child_step step, int sub, int err)
{
	struct child_report rep = { step, sub, err };
	ssize_t n;

	do
		n = write(fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	_exit(EXIT_MINIT_FAILED);
}

/* Own process group (or session) and, on a terminal, the foreground: then
 * Ctrl-C goes to the application, not to minit. Errors on the terminal are
 * not fatal: stdin may be a terminal that is not ours to control. */
static int child_session(const struct spawn_cfg *c)
{
	if (c->setsid ? setsid() < 0 : setpgid(0, 0) < 0)
		return -errno;
	if (isatty(STDIN_FILENO)) {
		if (c->setsid)
			(void)ioctl(STDIN_FILENO, TIOCSCTTY, 0);
		(void)tcsetpgrp(STDIN_FILENO, getpgrp());
	}
	return 0;
}

static int set_env_int(const char *name, long v)
{
	char buf[PID_TEXT_MAX];

	snprintf(buf, sizeof(buf), "%ld", v);
	return setenv(name, buf, 1) ? -errno : 0;
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
			return set_env_int("LISTEN_PID", getpid());
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
	if (set_env_int("LISTEN_FDS", (long)c->listen_len) || set_env_int("LISTEN_PID", getpid()) ||
	    setenv("LISTEN_FDNAMES", c->listen_names, 1))
		return -errno;
	return 0;
}

/* execvp without its fallback: glibc runs a file it cannot execute (ENOEXEC)
 * through /bin/sh, musl does not. minit reports "Exec format error" with 126
 * whatever libc it was built with. Returns the errno to report. */
static int exec_command(char *const *argv)
{
	const char *dir = getenv("PATH"), *end;
	char path[EXEC_PATH_MAX];
	bool denied = false;
	size_t len;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, environ);
		return errno;
	}
	if (!dir || !*dir)
		dir = DEFAULT_PATH;
	for (;; dir = end + 1) {
		end = strchrnul(dir, ':');
		len = (size_t)(end - dir);
		if (snprintf(path, sizeof(path), "%.*s%s%s", (int)len, dir, len ? "/" : "",
			     argv[0]) < (int)sizeof(path)) {
			execve(path, argv, environ);
			if (errno == EACCES)
				denied = true;
			else if (errno != ENOENT && errno != ENOTDIR)
				return errno;
		}
		if (!*end)
			return denied ? EACCES : ENOENT;
	}
}

static void __attribute__((noreturn)) child_run(const struct spawn_cfg *c, int report_fd)
{
	enum privs_step sub = PRIVS_STEP_GROUPS;
	int err;

	if ((err = child_session(c)))
		child_fail(report_fd, STEP_SESSION, 0, -err);
	if ((err = child_listen(c)))
		child_fail(report_fd, STEP_LISTEN, 0, -err);
	if (c->privs && (err = privs_apply(c->privs, &sub)))
		child_fail(report_fd, STEP_PRIVS, (int)sub, -err);
	/* after privs: a change of uid or gid clears the parent-death signal */
	if (c->pdeathsig)
		(void)prctl(PR_SET_PDEATHSIG, c->pdeathsig);
	if (sigprocmask(SIG_SETMASK, &c->mask, NULL))
		child_fail(report_fd, STEP_MASK, 0, errno);
	child_fail(report_fd, STEP_EXEC, 0, exec_command(c->argv));
}

static const char *const step_names[] = {
	[STEP_SESSION] = "start a new process group or session",
	[STEP_LISTEN] = "pass the listening sockets",
	[STEP_PRIVS] = "",
	[STEP_MASK] = "restore the signal mask",
	[STEP_EXEC] = "execute",
};

/* Reads the child's report: none (EOF) means exec succeeded. */
static enum spawn_status collect(const struct spawn_cfg *c, int fd, struct spawn_result *r)
{
	struct child_report rep;
	ssize_t n;
	int status;

	do
		n = read(fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(rep))
		return SPAWN_OK;
	while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
		;
	r->pid = 0;
	if (rep.step == STEP_EXEC) {
		r->exit_code = rep.err == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
		log_msg(LOG_ERROR, "unable to execute %s: %s", c->argv[0], strerror(rep.err));
	} else {
		r->exit_code = EXIT_MINIT_FAILED;
		log_msg(LOG_ERROR, "unable to %s for %s: %s",
			rep.step == STEP_PRIVS ? privs_step_name((enum privs_step)rep.sub)
					       : step_names[rep.step],
			c->argv[0], strerror(rep.err));
	}
	return SPAWN_FAILED;
}

enum spawn_status spawn_child(const struct spawn_cfg *c, struct spawn_result *r)
{
	enum spawn_status st;
	int pipefd[2];

	r->pid = 0;
	r->exit_code = EXIT_MINIT_FAILED;
	if (pipe2(pipefd, O_CLOEXEC)) {
		log_msg(LOG_ERROR, "unable to create a pipe for %s: %s", c->argv[0], strerror(errno));
		return SPAWN_RETRY;
	}
	r->pid = fork();
	if (r->pid == 0) {
		close(pipefd[0]);
		child_run(c, pipefd[1]);
	}
	close(pipefd[1]);
	if (r->pid < 0) {
		log_msg(LOG_ERROR, "unable to fork for %s: %s", c->argv[0], strerror(errno));
		r->pid = 0;
		close(pipefd[0]);
		return SPAWN_RETRY;
	}
	/* Also from this side, so a signal to the group cannot race the child's setpgid. */
	if (!c->setsid)
		(void)setpgid(r->pid, r->pid);
	st = collect(c, pipefd[0], r);
	close(pipefd[0]);
	return st;
}
