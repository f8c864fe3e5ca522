/* minit: parse, set up, hand over to the loop. The only place allowed to die:
 * once loop_run starts, no error ends minit while a child is alive. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../reaper/reaper.h"
#include "../spawn/spawn.h"
#include "log.h"
#include "loop.h"
#include "options.h"

#ifndef MINIT_VERSION
#define MINIT_VERSION "0.1.0"
#endif
#ifndef MINIT_COMMIT
#define MINIT_COMMIT "unknown"
#endif

#define ERR_MAX		    256
#define FIRST_OWN_FD	    3 /* minit's own fds stay clear of 0, 1 and 2, even when closed */
#define KERNEL_SIGSET_BYTES (64 / 8) /* the kernel's sigset_t: 64 signals */

_Static_assert(LISTEN_MAX <= SPAWN_LISTEN_MAX, "spawn must take every listen socket");

extern char **environ;

static const char license_text[] =
	"minit is distributed under the MIT License.\n"
	"Copyright (c) 2026 The minit authors. See the LICENSE file for the full text:\n"
	"permission is granted, free of charge, to deal in the software without restriction,\n"
	"provided the copyright notice and permission notice are included. THE SOFTWARE IS\n"
	"PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND.\n";

static int print_version(const struct opts *o)
{
	/* docker info parses "tini version X - git.Y" from its docker-init */
	printf("%s version %s - git.%s\n", o->personality == PERS_TINI ? "tini" : "minit",
	       o->personality == PERS_TINI ? "minit-" MINIT_VERSION : MINIT_VERSION, MINIT_COMMIT);
	return 0;
}

static int action(const struct opts *o)
{
	switch (o->action) {
	case ACT_HELP:
		fputs(opts_help(), stdout);
		return 0;
	case ACT_VERSION:
		return print_version(o);
	case ACT_LICENSE:
		fputs(license_text, stdout);
		return 0;
	case ACT_RUN:
		break;
	}
	return -1;
}

static int own_fd(int fd)
{
	int moved;

	if (fd < 0 || fd >= FIRST_OWN_FD)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, FIRST_OWN_FD);
	close(fd);
	return moved;
}

/* Every signal blocked, to be taken by the loop's sigtimedwait. That includes
 * 32-34, which sigfillset and glibc's sigprocmask leave out because libc keeps
 * them for threads: minit has one thread, and a sender using glibc's numbering
 * means 34 as SIGRTMIN. Faults raised by minit's own code are still fatal (the
 * kernel forces them); sent ones are forwarded. */
static int setup_signals(struct runtime *rt)
{
	memset(&rt->signals, 0xff, sizeof(rt->signals)); /* the kernel skips KILL and STOP */
	return syscall(SYS_rt_sigprocmask, SIG_SETMASK, &rt->signals, &rt->spawn.mask,
		       KERNEL_SIGSET_BYTES)
		       ? -errno
		       : 0;
}

/* Subreaper and parent-death signal. Returns 1 when the parent is already gone. */
static int setup_process(struct runtime *rt)
{
	const struct opts *o = rt->o;
	pid_t parent = getppid();
	char name[SIGNAL_NAME_MAX];

	rt->self = getpid();
	rt->pid1 = rt->self == 1;
	if (!rt->pid1 || o->subreaper) {
		if (!reap_become_subreaper()) {
			log_msg(LOG_INFO, "%s (pid %d): registered as child subreaper",
				rt->pid1 ? "PID 1" : "not PID 1", (int)rt->self);
		} else if (o->subreaper || errno != EINVAL) {
			log_msg(LOG_ERROR, "unable to become a child subreaper: %s", strerror(errno));
			return -1;
		} else {
			/* Automatic, and the kernel (before 3.4) or an emulator (Debian
			 * 12's qemu-user 7.2) does not know the request: run the child
			 * anyway, as tini does; orphans then go to PID 1 or the nearest
			 * subreaper. An explicit --subreaper that fails is an error. */
			log_msg(LOG_WARN, "not PID 1 (pid %d) and unable to become a child subreaper: "
				"%s: orphans are not reaped by minit", (int)rt->self, strerror(errno));
		}
	}
	if (o->pdeathsig) {
		if (prctl(PR_SET_PDEATHSIG, o->pdeathsig)) {
			log_msg(LOG_ERROR, "unable to set the parent-death signal: %s",
				strerror(errno));
			return -1;
		}
		/* the parent may have died before prctl took effect */
		if (getppid() != parent) {
			log_msg(LOG_WARN, "parent already gone: acting on SIG%s",
				signal_name(o->pdeathsig, name));
			return 1;
		}
	}
	return 0;
}

static int setup_listen(struct runtime *rt)
{
	const struct opts *o = rt->o;
	char err[ERR_MAX];
	size_t i, used = 0;

	for (i = 0; i < o->listen_len; i++) {
		used += (size_t)snprintf(rt->listen_names + used, sizeof(rt->listen_names) - used,
					 "%s%s", i ? ":" : "", o->listen[i].name);
		if (used >= sizeof(rt->listen_names))
			return -1;
	}
	if (listen_open(o->listen, o->listen_len, rt->listen_fds, err, sizeof(err))) {
		log_msg(LOG_ERROR, "%s", err);
		return -1;
	}
	for (i = 0; i < o->listen_len; i++)
		rt->listen_fds[i] = own_fd(rt->listen_fds[i]);
	rt->spawn.listen_fds = rt->listen_fds;
	rt->spawn.listen_len = o->listen_len;
	rt->spawn.listen_names = rt->listen_names;
	return 0;
}

int main(int argc, char **argv)
{
	static struct opts o;
	static struct runtime rt;
	char err[ERR_MAX];
	enum opts_result r;
	int code, orphaned;

	r = opts_parse(&o, argc, argv, environ, err, sizeof(err));
	log_init("minit", r == OPTS_OK ? o.verbosity : LOG_DEFAULT_VERBOSITY);
	if (r != OPTS_OK) {
		log_msg(LOG_ERROR, "%s (try 'minit --help')", err);
		return (int)r;
	}
	if ((code = action(&o)) >= 0)
		return code;
	code = privs_prepare(&rt.privs, o.user, o.cap_drop, o.cap_add, o.no_new_privs, o.seccomp,
			     err, sizeof(err));
	if (code) {
		log_msg(LOG_ERROR, "%s%s", err, code == -EINVAL ? " (try 'minit --help')" : "");
		return code == -EINVAL ? OPTS_INVALID : EXIT_MINIT_FAILED;
	}
	/* minit never keeps in its bounding set what it drops for the child */
	if ((code = privs_narrow_self(&rt.privs))) {
		log_msg(LOG_ERROR, "unable to narrow minit's bounding set: %s", strerror(-code));
		return EXIT_MINIT_FAILED;
	}
	rt.o = &o;
	rt.spawn.argv = o.argv;
	rt.spawn.setsid = o.setsid;
	rt.spawn.pdeathsig = o.pdeathsig;
	rt.spawn.privs = o.user || o.no_new_privs || o.cap_drop || o.cap_add || o.seccomp
				 ? &rt.privs
				 : NULL;
	if (setup_signals(&rt)) {
		log_msg(LOG_ERROR, "unable to set up signal handling: %s", strerror(errno));
		return EXIT_MINIT_FAILED;
	}
	orphaned = setup_process(&rt);
	if (orphaned < 0 || setup_listen(&rt))
		return EXIT_MINIT_FAILED;
	/* No fatal error past this point: the loop owns the child. */
	loop_start(&rt);
	if (orphaned)
		sup_signal(&rt.sup, o.pdeathsig, loop_now_ms());
	return loop_run(&rt);
}
