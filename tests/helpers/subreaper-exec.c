/*
 * subreaper-exec: become a child subreaper, then exec a program.
 *
 * Usage: subreaper-exec PROGRAM [ARG...]
 *
 * The subreaper attribute survives execve(2). tests/lib/cross.bash starts an
 * emulated minit through this native probe: Debian 12's qemu-user 7.2 answers
 * the emulated program's own PR_SET_CHILD_SUBREAPER with EINVAL without
 * asking the kernel, so without it minit, when not PID 1, is no subreaper
 * and orphans go past it. Exit 127 (with one line) if the exec fails, 125
 * if the prctl does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: subreaper-exec PROGRAM [ARG...]\n", stderr);
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		fprintf(stderr, "subreaper-exec: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
		return 125;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "subreaper-exec: unable to execute %s: %s\n", argv[1], strerror(errno));
	return 127;
}
