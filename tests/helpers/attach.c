/*
 * attach: what a hostile child would try against its init: attach to it
 * with ptrace, read its memory with process_vm_readv, open /proc/PID/mem for
 * writing, take one of its fds with pidfd_getfd. One line per attempt,
 * "NAME ok" or "NAME ERRNO-NAME"; exit 0 when every attempt was refused.
 *
 * Usage: attach PID
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int allowed;

static void report(const char *what, int rc)
{
	if (rc >= 0)
		allowed++;
	printf("%s %s\n", what, rc >= 0 ? "ok" : strerrorname_np(errno));
}

int main(int argc, char **argv)
{
	pid_t pid;
	char byte, path[64];
	struct iovec local = { &byte, 1 }, remote;
	unsigned long start;
	FILE *maps;
	int fd, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: attach PID\n");
		return 2;
	}
	pid = atoi(argv[1]);
	rc = (int)ptrace(PTRACE_SEIZE, pid, NULL, NULL);
	report("ptrace-seize", rc);
	if (rc == 0)
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	/* an address that is mapped in the target: the one its maps list first,
	 * or, when its maps cannot be read either, its usual text address */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	if (!maps || fscanf(maps, "%lx", &start) != 1)
		start = 0x400000;
	if (maps)
		fclose(maps);
	remote.iov_base = (void *)start;
	remote.iov_len = 1;
	report("process_vm_readv", (int)process_vm_readv(pid, &local, 1, &remote, 1, 0));
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR);
	report("proc-mem", fd);
	if (fd >= 0)
		close(fd);
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	rc = fd < 0 ? fd : (int)syscall(SYS_pidfd_getfd, fd, 0, 0);
	report("pidfd_getfd", rc);
	return allowed ? 1 : 0;
}
