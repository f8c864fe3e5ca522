/*
 * nopidfd: run a command as if the kernel had no pidfds: a seccomp filter
 * makes pidfd_open, pidfd_send_signal and pidfd_getfd fail with ENOSYS (a
 * kernel before 5.3), or with EPERM given -p (a seccomp profile that denies
 * them), for the command and everything it starts.
 *
 * Usage: nopidfd [-p] CMD [ARG...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NATIVE_ARCH AUDIT_ARCH_I386
#elif defined(__arm__)
#define NATIVE_ARCH AUDIT_ARCH_ARM
#endif

#define NR_PIDFD_SEND_SIGNAL 424 /* the same on every architecture since 5.1 */
#define NR_PIDFD_OPEN	     434
#define NR_PIDFD_GETFD	     438

int main(int argc, char **argv)
{
	int err = ENOSYS, first = 1;

	if (argc > 1 && !strcmp(argv[1], "-p")) {
		err = EPERM;
		first = 2;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: nopidfd [-p] CMD [ARG...]\n");
		return 2;
	}
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_PIDFD_OPEN, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_PIDFD_SEND_SIGNAL, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_PIDFD_GETFD, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0)) {
		perror("nopidfd: seccomp");
		return 125;
	}
	execvp(argv[first], argv + first);
	perror("nopidfd: exec");
	return 127;
}
