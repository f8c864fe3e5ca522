/*
 * syscall-probe: try each syscall of minit's --seccomp default deny list
 * (the ones with a native x86_64 number) with harmless, invalid arguments
 * and print one line per syscall: `NAME ERRNO`, ERRNO a symbolic name
 * (EPERM, EFAULT, EINVAL, ENOSYS, ...) or 0 when the call succeeded.
 *
 * Usage: syscall-probe [NAME...]   (default: every native syscall in the table)
 *   NAME         a native (x86_64) syscall from the table
 *   x32:NAME     the same through the x32 ABI (number | 0x40000000)
 *   i386:NAME    reboot, umount, stime or swapoff through int $0x80 (i386 ABI),
 *                in a forked child: prints SIGSEGV where the kernel has no
 *                IA32 emulation
 *   bind:PORT    bind a TCP socket to 127.0.0.1:PORT (0 or EACCES, ...)
 *   pdeathsig    prints `pdeathsig N`: the parent-death signal, 0 = none
 *
 * Under the filter every line says EPERM. Without it, run as root, none does:
 * the arguments are refused by the kernel's own checks (bad pointer, bad
 * flags, bad fd, bad magic) or the syscall is not built in (ENOSYS), and
 * nothing changes. vhangup takes no arguments: it runs in a forked child with
 * no controlling terminal (after setsid), where it does nothing.
 * Exit: 0, or 2 for an unknown NAME.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD_PTR	    ((void *)1)	/* faults on copy_from_user */
#define BAD_FD	    (-1)
#define BAD_FLAGS   (~0UL)
#define IO_PORTS    0x10000UL	/* ioperm: first port past the last one */
#define IOPL_BAD    4		/* iopl: levels are 0..3 */
#define X32_BIT	    0x40000000L	/* __X32_SYSCALL_BIT */
#define CHILD_FAIL  255		/* exit status: the child's own set-up failed */
#define SIGNALLED   (-3)	/* in_child: the child died of signal errno */
#define UNKNOWN	    (-2)

/* i386 syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl) */
static const struct {
	const char *name;
	long nr;
	long arg;
} i386_calls[] = {
	{ "reboot", 88, 0 },		/* bad magic: EINVAL */
	{ "umount", 22, 0 },		/* NULL path: EFAULT */
	{ "stime", 25, 1 },		/* bad pointer: EFAULT */
	{ "swapoff", 115, 0 },		/* NULL path: EFAULT */
};

static long int80(long nr, long arg)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(arg), "c"(0L), "d"(0L) : "memory");
	return r;
}

/* Runs fn(arg) in a forked child; returns 0, -1 with errno, or SIGNALLED
 * with the signal in errno. */
static long in_child(long (*fn)(long), long arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit((int)fn(arg));
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFSIGNALED(status)) {
		errno = WTERMSIG(status);
		return SIGNALLED;
	}
	if (WEXITSTATUS(status) == CHILD_FAIL)
		return -1;
	errno = WEXITSTATUS(status);
	return errno ? -1 : 0;
}

/* in a child: no controlling terminal, so vhangup has nothing to hang up */
static long vhangup_child(long unused)
{
	(void)unused;
	if (setsid() < 0)
		return CHILD_FAIL;
	return syscall(SYS_vhangup) ? errno : 0;
}

static long i386_child(long i)
{
	long r = int80(i386_calls[i].nr, i386_calls[i].arg);

	return r < 0 ? -r : 0;
}

static long probe_i386(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(i386_calls) / sizeof(i386_calls[0]); i++)
		if (!strcmp(name, i386_calls[i].name))
			return in_child(i386_child, (long)i);
	return UNKNOWN;
}

static long try_bind(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	long r;

	if (fd < 0)
		return -1;
	a.sin_port = htons((unsigned short)atoi(port));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r;
}

/* base: 0 for x86_64, X32_BIT for x32 */
static long probe(const char *name, long base)
{
#define P(n, ...) if (!strcmp(name, #n)) return syscall(base + SYS_##n, __VA_ARGS__)
	P(kexec_load, 0UL, 0UL, NULL, BAD_FLAGS);
	P(kexec_file_load, BAD_FD, BAD_FD, 0UL, NULL, BAD_FLAGS);
	P(init_module, NULL, 0UL, NULL);
	P(finit_module, BAD_FD, NULL, 0);
	P(delete_module, NULL, 0);
	P(bpf, -1, NULL, 0);
	P(perf_event_open, NULL, 0, -1, BAD_FD, 0UL);
	P(userfaultfd, -1);
	P(lookup_dcookie, 0ULL, NULL, 0UL);
	P(keyctl, -1, 0UL, 0UL, 0UL, 0UL);
	P(add_key, NULL, NULL, NULL, 0UL, 0);
	P(request_key, NULL, NULL, NULL, 0);
	P(open_by_handle_at, BAD_FD, NULL, 0);
	P(name_to_handle_at, BAD_FD, NULL, NULL, NULL, -1);
	P(reboot, 0, 0, 0, NULL);
	P(swapon, NULL, -1);
	P(swapoff, NULL);
	P(acct, BAD_PTR);
	P(quotactl, -1, NULL, 0, NULL);
	P(quotactl_fd, BAD_FD, 0, 0, NULL);
	P(syslog, -1, NULL, 0);
	P(settimeofday, BAD_PTR, NULL);
	P(clock_settime, CLOCK_REALTIME, BAD_PTR);
	P(clock_adjtime, CLOCK_REALTIME, BAD_PTR);
	P(iopl, IOPL_BAD);
	P(ioperm, IO_PORTS, 1UL, 0);
	P(mount, NULL, NULL, NULL, 0UL, NULL);
	P(umount2, NULL, -1);
	P(pivot_root, NULL, NULL);
	P(fsopen, NULL, -1);
	P(fsconfig, BAD_FD, -1, NULL, NULL, 0);
	P(fsmount, BAD_FD, -1, 0);
	P(fspick, BAD_FD, NULL, -1);
	P(open_tree, BAD_FD, NULL, -1);
	P(move_mount, BAD_FD, NULL, BAD_FD, NULL, -1);
	P(mount_setattr, BAD_FD, NULL, 0, NULL, 0UL);
#undef P
	if (!strcmp(name, "vhangup") && !base)
		return in_child(vhangup_child, 0);
	return UNKNOWN;
}

static const char *const all[] = {
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"bpf", "perf_event_open", "userfaultfd", "lookup_dcookie",
	"keyctl", "add_key", "request_key",
	"open_by_handle_at", "name_to_handle_at",
	"reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog", "vhangup",
	"settimeofday", "clock_settime", "clock_adjtime",
	"iopl", "ioperm",
	"mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick",
	"open_tree", "move_mount", "mount_setattr",
};

int main(int argc, char **argv)
{
	const char *const *names = argc > 1 ? (const char *const *)argv + 1 : all;
	size_t i, n = argc > 1 ? (size_t)argc - 1 : sizeof(all) / sizeof(all[0]);
	const char *e;
	long r;

	for (i = 0; i < n; i++) {
		errno = 0;
		if (!strcmp(names[i], "pdeathsig")) {
			int sig = 0;

			(void)prctl(PR_GET_PDEATHSIG, &sig);
			printf("pdeathsig %d\n", sig);
			continue;
		}
		if (!strncmp(names[i], "i386:", 5))
			r = probe_i386(names[i] + 5);
		else if (!strncmp(names[i], "bind:", 5))
			r = try_bind(names[i] + 5);
		else if (!strncmp(names[i], "x32:", 4))
			r = probe(names[i] + 4, X32_BIT);
		else
			r = probe(names[i], 0);
		if (r == UNKNOWN) {
			fprintf(stderr, "syscall-probe: unknown syscall %s\n", names[i]);
			return 2;
		}
		if (r == SIGNALLED)
			e = sigabbrev_np(errno);
		else
			e = r < 0 ? strerrorname_np(errno) : "0";
		printf("%s %s%s\n", names[i], r == SIGNALLED ? "SIG" : "", e ? e : "?");
	}
	return 0;
}
