/*
 * sigrec: record every signal received, one line each; ignore them by default.
 *
 * Usage: sigrec [-o FILE] [-x SIG:CODE]... [-c N] [-g]
 *   -o FILE     append lines to FILE (created 0644) instead of stdout
 *   -x SIG:CODE exit with CODE after recording SIG (repeatable)
 *   -c N        fork N children running the same loop with the same options
 *               (a TERM-ignoring tree); each child writes its own ready line
 *   -g          the children call setsid() first (own session and group)
 * SIG is a name (TERM, SIGTERM, term, RTMIN+2, RTMAX-1) or a number.
 *
 * Lines (each written with one write(2) on an O_APPEND fd, so lines of
 * several processes sharing FILE never interleave):
 *   ready <pid> <pgid> <sid>
 *   sig <NAME> <num> <time_ms> <si_pid> <si_code> <pid> <value>
 * NAME has no SIG prefix (TERM); real-time signals are RTMIN+n with glibc's
 * SIGRTMIN (34), as printed by `kill -l`. time_ms is CLOCK_MONOTONIC in ms
 * with 3 decimals; si_code is numeric (0 SI_USER, -1 SI_QUEUE, -6 SI_TKILL,
 * 128 SI_KERNEL); then the pid of the recording process, and the signal's
 * sigqueue value (si_int) when si_code is SI_QUEUE, else "-".
 * With -c the parent writes its ready line after all children wrote theirs.
 *
 * Every catchable signal 1..64 except SIGCHLD gets a handler (so /proc shows
 * it caught, not ignored) and stays blocked; the main loop takes them with
 * sigwaitinfo(), so none is lost. 32 and 33, which glibc keeps for itself
 * (no handler, and sigfillset and sigprocmask leave them out), are blocked
 * with the raw system call and recorded too, even when inherited ignored
 * (GNU make ignores them): a blocked signal is never discarded. Signals not named by -x (TERM, INT, QUIT,
 * HUP included) are recorded and otherwise ignored. SIGCHLD is not recorded:
 * it only reaps the -c children. Only SIGKILL (or -x) ends sigrec.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int outfd = STDOUT_FILENO;
static int exit_code[65]; /* -1: keep running */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void put_line(const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(outfd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(3);
		off += (size_t)n;
	}
}

static void sig_name(int sig, char *buf, size_t len)
{
	const char *abbr = sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;

	if (abbr)
		snprintf(buf, len, "%s", abbr);
	else if (sig >= SIGRTMIN)
		snprintf(buf, len, "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, len, "%d", sig);
}

static int parse_sig(const char *s)
{
	char *end;
	long n;

	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (!strncasecmp(s, "RTMIN", 5) || !strncasecmp(s, "RTMAX", 5)) {
		n = s[5] ? strtol(s + 5, &end, 10) : 0;
		if (s[5] && *end)
			return -1;
		n = toupper((unsigned char)s[4]) == 'N' ? SIGRTMIN + n : SIGRTMAX + n;
		return n >= SIGRTMIN && n <= SIGRTMAX ? (int)n : -1;
	}
	n = strtol(s, &end, 10);
	if (*s && !*end)
		return n >= 1 && n <= 64 ? (int)n : -1;
	for (int i = 1; i < SIGRTMIN; i++)
		if (sigabbrev_np(i) && !strcasecmp(s, sigabbrev_np(i)))
			return i;
	return -1;
}

/* Every signal, 32 and 33 included (the kernel skips KILL and STOP). */
static void every_signal(sigset_t *set)
{
	memset(set, 0xff, sizeof(*set));
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc; /* never runs: all signals stay blocked */
}

static void usage(void)
{
	fprintf(stderr, "usage: sigrec [-o FILE] [-x SIG:CODE]... [-c N] [-g]\n");
	exit(2);
}

/* Record signals until an -x signal arrives; never returns. */
static void record_loop(void)
{
	sigset_t all;
	siginfo_t si;
	char name[32], line[160], value[16];

	every_signal(&all);
	for (;;) {
		int sig = sigwaitinfo(&all, &si);

		if (sig < 0)
			continue; /* EINTR */
		if (sig == SIGCHLD) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			continue;
		}
		sig_name(sig, name, sizeof(name));
		if (si.si_code == SI_QUEUE)
			snprintf(value, sizeof(value), "%d", si.si_value.sival_int);
		else
			snprintf(value, sizeof(value), "-");
		snprintf(line, sizeof(line), "sig %s %d %.3f %d %d %d %s\n", name, sig, now_ms(),
			 (int)si.si_pid, si.si_code, (int)getpid(), value);
		put_line(line);
		if (exit_code[sig] >= 0)
			_exit(exit_code[sig]);
	}
}

static void write_ready(void)
{
	char line[96];

	snprintf(line, sizeof(line), "ready %d %d %d\n", (int)getpid(), (int)getpgrp(),
		 (int)getsid(0));
	put_line(line);
}

int main(int argc, char **argv)
{
	const char *file = NULL;
	int nchild = 0, newsid = 0, opt, pfd[2];
	struct sigaction sa;
	sigset_t all;

	for (int i = 0; i <= 64; i++)
		exit_code[i] = -1;
	while ((opt = getopt(argc, argv, "o:x:c:g")) != -1) {
		char *colon, *end;
		int sig;

		switch (opt) {
		case 'o':
			file = optarg;
			break;
		case 'x':
			colon = strchr(optarg, ':');
			if (!colon)
				usage();
			*colon = '\0';
			sig = parse_sig(optarg);
			if (sig < 0 || sig == SIGCHLD || sig == SIGKILL || sig == SIGSTOP)
				usage();
			exit_code[sig] = (int)strtol(colon + 1, &end, 10);
			*colon = ':';
			if (!colon[1] || *end)
				usage();
			break;
		case 'c':
			nchild = atoi(optarg);
			break;
		case 'g':
			newsid = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (file) {
		outfd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (outfd < 0) {
			perror(file);
			return 2;
		}
	}

	/* Block everything first, then install the handlers. */
	every_signal(&all);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 64 / 8);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGCHLD && sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL); /* fails for 32, 33: glibc-internal */

	if (pipe(pfd) < 0) {
		perror("pipe");
		return 2;
	}
	for (int i = 0; i < nchild; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			close(pfd[0]);
			if (newsid)
				setsid();
			write_ready();
			close(pfd[1]); /* tells the parent this child is ready */
			record_loop();
		}
	}
	close(pfd[1]);
	while (read(pfd[0], &opt, 1) < 0 && errno == EINTR)
		; /* EOF once every child has closed its write end */
	close(pfd[0]);
	write_ready();
	record_loop();
}
