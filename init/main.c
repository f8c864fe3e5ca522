/* minit: parse, set up, hand over to the loop. The only place allowed to
 * die: once loop_run starts, minit ends only when the supervisor says so. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../base/fd.h"
#include "../base/log.h"
#include "../base/status.h"
#include "../reaper/reaper.h"
#include "config.h"
#include "control.h"
#include "effects.h"
#include "install.h"
#include "loop.h"
#include "options.h"

#ifndef MINIT_VERSION
#define MINIT_VERSION "0.1.0"
#endif
#ifndef MINIT_COMMIT
#define MINIT_COMMIT "unknown"
#endif

#define ERR_MAX		    256
#define KERNEL_SIGSET_BYTES (64 / 8) /* the kernel's sigset_t: 64 signals */
#define KERNEL_SIGACTION_MAX 64	     /* bytes: more than any architecture's struct */
#define LISTEN_NAMES_MAX    (LISTEN_MAX * LISTEN_NAME_MAX)

_Static_assert(LISTEN_MAX <= SPAWN_LISTEN_MAX, "spawn must take every listen socket");

extern char **environ;

/* Everything main sets up and hands to the loop. */
struct runtime {
	struct opts o;
	bool pid1;
	int listen_fds[LISTEN_MAX];
	char listen_names[LISTEN_NAMES_MAX];
	struct privs privs;
	struct spawn_cfg spawn;
	struct sup_cfg sup_cfg;
	struct supervisor sup;
	struct effects fx;
	struct loop loop;
	struct notifier notify;
	struct control control;
	struct cgroup cgroup;
	struct cgroup_places places;
	struct oom oom;
};

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

/* minit --health, --status: ask the running minit (control.h). */
static int ask(const struct opts *o)
{
	char reply[CONTROL_REPLY_MAX];
	const char *req = o->action == ACT_HEALTH ? "health" : o->json ? "status json" : "status";
	int rc = control_query(o->control, req, reply, sizeof(reply));

	if (rc == -EPERM) {
		log_msg(LOG_ERROR, "the answer came from outside this PID namespace or from another "
				   "user: not this container's minit");
		return 1;
	}
	if (rc) {
		log_msg(LOG_ERROR, "no minit answers here: %s", strerror(-rc));
		return 1;
	}
	fputs(reply, stdout);
	return o->action == ACT_HEALTH && strncmp(reply, "healthy", 7) != 0 ? 1 : 0;
}

/* minit --install DIR (install.h): exit 0, or 125 with one line why. */
static int install(const struct opts *o, const char *self)
{
	char why[INSTALL_WHY_MAX];

	if (install_self(o->install_dir, self, why, sizeof(why))) {
		log_msg(LOG_ERROR, "%s", why);
		return EXIT_MINIT_FAILED;
	}
	log_msg(LOG_INFO, "%s", why);
	return 0;
}

static int action(const struct opts *o, const char *self)
{
	switch (o->action) {
	case ACT_INSTALL:
		return install(o, self);
	case ACT_HEALTH:
	case ACT_STATUS:
		return ask(o);
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

/* Every signal blocked, to be taken by the loop's signalfd. That includes
 * 32-34, which sigfillset and glibc's sigprocmask leave out because libc keeps
 * them for threads: minit has one thread, and a sender using glibc's numbering
 * means 34 as SIGRTMIN. Then every disposition minit's caller left behind is
 * reset: an ignored signal is discarded even while blocked (an ignored
 * SIGCHLD would even reap minit's children behind its back), and the child
 * inherits ignored signals across exec. Raw system calls, since libc refuses
 * 32 and 33. Faults raised by minit's own code are still fatal (the kernel
 * forces them); sent ones are forwarded. */
static int setup_signals(void)
{
	const unsigned char dfl[KERNEL_SIGACTION_MAX] = { 0 }; /* SIG_DFL, no flags, empty mask */
	unsigned char all[KERNEL_SIGSET_BYTES];
	int sig;

	memset(all, 0xff, sizeof(all)); /* the kernel skips KILL and STOP */
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, all, NULL, KERNEL_SIGSET_BYTES))
		return -errno;
	for (sig = 1; sig <= SIG_MAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)syscall(SYS_rt_sigaction, sig, dfl, NULL, KERNEL_SIGSET_BYTES);
	return 0;
}

/* Subreaper, parent-death signal, and no way for the child to attach to
 * minit: not dumpable, so ptrace, process_vm_writev and /proc/PID/mem need
 * CAP_SYS_PTRACE, which a confined child does not have. Returns 1 when the
 * parent is already gone. */
static int setup_process(struct runtime *rt)
{
	const struct opts *o = &rt->o;
	pid_t parent = getppid(), self = getpid();
	char name[SIGNAL_NAME_MAX];

	rt->pid1 = self == 1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		log_msg(LOG_ERROR, "unable to make minit undumpable: %s", strerror(errno));
		return -1;
	}
	if (!rt->pid1 || o->subreaper) {
		if (!reap_become_subreaper()) {
			log_msg(LOG_INFO, "%s (pid %d): registered as child subreaper",
				rt->pid1 ? "PID 1" : "not PID 1", (int)self);
		} else if (o->subreaper || errno != EINVAL) {
			log_msg(LOG_ERROR, "unable to become a child subreaper: %s", strerror(errno));
			return -1;
		} else {
			/* Automatic, and the kernel (before 3.4) or an emulator (Debian
			 * 12's qemu-user 7.2) does not know the request: run the child
			 * anyway, as tini does; orphans then go to PID 1 or the nearest
			 * subreaper. An explicit --subreaper that fails is an error. */
			log_msg(LOG_WARN, "not PID 1 (pid %d) and unable to become a child subreaper: "
				"%s: orphans are not reaped by minit", (int)self, strerror(errno));
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
	const struct opts *o = &rt->o;
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
		rt->listen_fds[i] = fd_move_above(rt->listen_fds[i], FD_FIRST_OWN);
	rt->spawn.listen_fds = rt->listen_fds;
	rt->spawn.listen_len = o->listen_len;
	rt->spawn.listen_names = rt->listen_names;
	return 0;
}

/* minit holds no directory: it moves to / (as dumb-init; not as tini), and
 * keeps the one it was started in for the child's every start and for
 * --pidfile. */
static void setup_cwd(struct runtime *rt)
{
	int fd = fd_move_above(open(".", O_PATH | O_DIRECTORY | O_CLOEXEC), FD_FIRST_OWN);

	rt->spawn.cwd_fd = fd;
	if (fd >= 0 && config_leaves_cwd(&rt->o) && chdir("/"))
		log_msg(LOG_DEBUG, "unable to change to /: %s", strerror(errno));
}

/* With --setsid the child's new session takes the terminal as its
 * controlling one (job control for `dumb-init bash`), so minit gives it up
 * first. A session leader that does so gets SIGHUP and SIGCONT from the
 * kernel: those two are not the user's, and are not forwarded. */
static void release_terminal(const struct runtime *rt)
{
	const struct timespec now = { 0, 0 };
	sigset_t hupcont;
	siginfo_t si;

	if (!rt->o.setsid || !isatty(STDIN_FILENO) || ioctl(STDIN_FILENO, TIOCNOTTY))
		return;
	if (getsid(0) != getpid())
		return;
	sigemptyset(&hupcont);
	sigaddset(&hupcont, SIGHUP);
	sigaddset(&hupcont, SIGCONT);
	while (sigtimedwait(&hupcont, &si, &now) > 0 && si.si_code == SI_KERNEL)
		;
}

/* The server in a cgroup of its own where minit may make one (--cgroup). */
static void setup_cgroup(struct runtime *rt)
{
	char why[ERR_MAX];

	rt->cgroup = (struct cgroup){ .dir_fd = -1, .procs_fd = -1, .events_fd = -1 };
	if (rt->o.cgroup && !strcmp(rt->o.cgroup, "off"))
		log_msg(LOG_INFO, "no cgroup mode (--cgroup off): minit's tree from /proc");
	else {
		if (!rt->o.cgroup) /* auto: below minit's own cgroup */
			mounts_find(&rt->places);
		cgroup_setup(&rt->cgroup, rt->o.cgroup, &rt->places, why, sizeof(why));
		log_msg(rt->cgroup.active ? LOG_INFO : LOG_DEBUG, "%s%s",
			rt->cgroup.active ? "cgroup mode: " : "no cgroup mode: ", why);
		if (!rt->cgroup.active && rt->o.cgroup)
			log_msg(LOG_WARN, "--cgroup %s: %s", rt->o.cgroup, why);
	}
	rt->spawn.cgroup_fd = rt->spawn.cgroup_procs_fd = -1;
	if (rt->cgroup.active) { /* clone3 where it can, else the child joins */
		rt->spawn.cgroup_fd = rt->cgroup.dir_fd;
		rt->spawn.cgroup_procs_fd = rt->cgroup.procs_fd;
	}
}

/* Once the child is on its way: the OOM-kill counter (every mode), 40-250 us
 * of reads it need not wait for. Not the control socket: its name is
 * known in advance, and a child could bind it first and answer --health. */
static void after_start(void *ctx)
{
	struct runtime *rt = ctx;

	if (!rt->places.found)
		mounts_find(&rt->places);
	oom_setup(&rt->oom, &rt->places);
	fx_oom_ready(&rt->fx);
}

static int prepare_privs(struct runtime *rt)
{
	struct privs_req req;
	char err[ERR_MAX];
	int code;

	config_privs(&rt->o, &req);
	code = privs_prepare(&rt->privs, &req, err, sizeof(err));
	if (code) {
		log_msg(LOG_ERROR, "%s%s", err, code == -EINVAL ? " (try 'minit --help')" : "");
		return code == -EINVAL ? config_usage_code(&rt->o, OPTS_INVALID) : EXIT_MINIT_FAILED;
	}
	/* minit never keeps in its bounding set what it drops for the child */
	if ((code = privs_narrow_self(&rt->privs))) {
		log_msg(LOG_ERROR, "unable to narrow minit's bounding set: %s", strerror(-code));
		return EXIT_MINIT_FAILED;
	}
	rt->spawn.privs = &rt->privs;
	return 0;
}

int main(int argc, char **argv)
{
	static struct runtime rt;
	struct sup_ops ops;
	char err[ERR_MAX];
	enum opts_result r;
	int code, orphaned;

	r = opts_parse(&rt.o, argc, argv, environ, err, sizeof(err));
	log_init("minit", r == OPTS_OK ? rt.o.verbosity : LOG_DEFAULT_VERBOSITY, true);
	if (r != OPTS_OK) {
		log_msg(LOG_ERROR, "%s (try 'minit --help')", err);
		return config_usage_code(&rt.o, r);
	}
	if ((code = action(&rt.o, argv[0])) >= 0)
		return code;
	config_spawn(&rt.o, &rt.spawn);
	config_supervisor(&rt.o, getpid() == 1, &rt.sup_cfg);
	if ((code = prepare_privs(&rt)))
		return code;
	if (setup_signals()) {
		log_msg(LOG_ERROR, "unable to set up signal handling: %s", strerror(errno));
		return EXIT_MINIT_FAILED;
	}
	orphaned = setup_process(&rt);
	if (orphaned < 0 || setup_listen(&rt))
		return EXIT_MINIT_FAILED;
	setup_cwd(&rt);
	release_terminal(&rt);
	if ((code = loop_init(&rt.loop, &rt.sup, rt.o.warn_on_reap))) {
		log_msg(LOG_ERROR, "unable to set up the event loop: %s", strerror(-code));
		return EXIT_MINIT_FAILED;
	}
	setup_cgroup(&rt); /* after the last fatal error: the loop's end removes it */
	if (config_notify_socket(&rt.o) &&
	    !notifier_open(&rt.notify, &rt.loop, &rt.sup, getenv("NOTIFY_SOCKET"))) {
		rt.spawn.notify_socket = rt.notify.sock.name;
		if (!rt.spawn.watchdog_usec) /* the launcher's watchdog, fed by the child */
			rt.spawn.watchdog_usec = notifier_watchdog_usec(&rt.notify);
	}
	(void)control_open(&rt.control, rt.o.control, &rt.loop, &rt.sup, &rt.notify);
	rt.oom = OOM_NONE; /* until after_start */
	fx_init(&rt.fx,
		&(struct fx_cfg){ &rt.spawn, &rt.loop, rt.pid1, rt.o.group, rt.o.pidfile,
				  rt.o.termination_log,
				  rt.spawn.cwd_fd >= 0 ? rt.spawn.cwd_fd : AT_FDCWD, &rt.cgroup, &rt.oom },
		&ops);
	sup_init(&rt.sup, &rt.sup_cfg, &ops);
	/* No fatal error past this point: the loop owns the child. */
	return loop_run(&rt.loop, orphaned ? rt.o.pdeathsig : 0, after_start, &rt);
}
