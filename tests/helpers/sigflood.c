/*
 * sigflood: a signal flood sender, and a child that takes the flood.
 *
 * Usage:
 *   sigflood send [-g FILE] [-u FILE] PID N SIGLIST
 *       send N signals to PID, cycling through SIGLIST, through a pidfd
 *       (pidfd_send_signal: once PID has ended, a new process that gets its
 *       number is never hit; plain kill(2) on kernels without pidfds). A
 *       send failing with EAGAIN (the real-time queue is full) is counted
 *       and the flood goes on; ESRCH (PID is gone) ends it early. With -g the
 *       flood starts only once FILE exists (a start gate shared by several
 *       senders; at most 10 s of waiting). With -u the flood goes on past N
 *       until FILE holds a line "exit ..." (sigflood child's last line,
 *       looked for every UNTIL_EVERY sends; at most UNTIL_MAX_MS more), so a
 *       child that ends itself after K forwarded signals ends mid-flood
 *       however slowly the signals are forwarded. Prints one line:
 *         sent S eagain E esrch 0|1 start T0 end T1
 *       (T0, T1: CLOCK_MONOTONIC in ms with 3 decimals, around the flood).
 *       Exit 0; 1 if kill failed otherwise (EPERM ...); 2 usage error.
 *   sigflood child -o FILE -n K -t MS -x CODE SIGLIST
 *       block the signals of SIGLIST, append "ready PID" to FILE, then take
 *       them one by one with sigtimedwait(2); after K of them, or MS ms after
 *       ready, append "exit COUNT T" (T as above) and exit with CODE.
 * SIGLIST is comma-separated: names with or without SIG (USR1, SIGHUP,
 * winch), RTMIN+n, RTMAX-n (the C library's SIGRTMIN/SIGRTMAX), or numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIGS	64
#define UNTIL_EVERY	1000	/* sends between two looks at the -u file */
#define UNTIL_MAX_MS	60000.0	/* the -u flood's longest overrun */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: sigflood send [-g FILE] [-u FILE] PID N SIGLIST\n"
			"       sigflood child -o FILE -n K -t MS -x CODE SIGLIST\n");
	exit(2);
}

static long number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || errno)
		usage();
	return v;
}

static const struct {
	const char *name;
	int num;
} names[] = {
	{ "HUP", SIGHUP },     { "INT", SIGINT },	{ "QUIT", SIGQUIT }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },	{ "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CONT", SIGCONT },   { "URG", SIGURG },	{ "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "PWR", SIGPWR },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "TSTP", SIGTSTP },
};

static int parse_sig(const char *s)
{
	size_t i;

	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (!strncasecmp(s, "RTMIN+", 6))
		return SIGRTMIN + (int)number(s + 6);
	if (!strncasecmp(s, "RTMAX-", 6))
		return SIGRTMAX - (int)number(s + 6);
	if (!strcasecmp(s, "RTMIN"))
		return SIGRTMIN;
	if (!strcasecmp(s, "RTMAX"))
		return SIGRTMAX;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].num;
	return (int)number(s);
}

/* Fills sigs from a comma-separated list; returns how many. */
static int parse_list(char *list, int *sigs)
{
	int n = 0;

	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		int s = parse_sig(tok);

		if (n == MAX_SIGS || s < 1 || s > SIGRTMAX || s == SIGKILL || s == SIGSTOP)
			usage();
		sigs[n++] = s;
	}
	if (!n)
		usage();
	return n;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* kill(pid, sig) through the pidfd when there is one */
static int send_sig(int pidfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (pidfd >= 0)
		return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
	(void)pidfd;
#endif
	return kill(pid, sig);
}

/* FILE holds a line that starts "exit " */
static int has_exit_line(const char *file)
{
	char line[256];
	FILE *f = fopen(file, "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "exit ", 5);
	if (f)
		fclose(f);
	return found;
}

static int do_send(int argc, char **argv)
{
	const char *gate = NULL, *until = NULL;
	int sigs[MAX_SIGS], nsigs, i = 2, esrch = 0, pidfd = -1;
	long n, sent = 0, eagain = 0;
	pid_t pid;
	double t0, t1;

	for (;;) {
		if (argc > i + 1 && !strcmp(argv[i], "-g"))
			gate = argv[i + 1];
		else if (argc > i + 1 && !strcmp(argv[i], "-u"))
			until = argv[i + 1];
		else
			break;
		i += 2;
	}
	if (argc != i + 3)
		usage();
	pid = (pid_t)number(argv[i]);
	n = number(argv[i + 1]);
	nsigs = parse_list(argv[i + 2], sigs);
	if (pid < 1)
		usage();
#ifdef SYS_pidfd_open
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 && errno == ESRCH) {
		printf("sent 0 eagain 0 esrch 1 start %.3f end %.3f\n", now_ms(), now_ms());
		return 0;
	}
#endif
	if (gate) {
		for (long waited = 0; access(gate, F_OK); waited++) {
			if (waited >= 50000) {
				fprintf(stderr, "sigflood: no start gate %s after 10 s\n", gate);
				return 1;
			}
			sleep_us(200);
		}
	}
	t0 = now_ms();
	for (long k = 0; k < n || until; k++) {
		if (k >= n && k % UNTIL_EVERY == 0 &&
		    (has_exit_line(until) || now_ms() - t0 > UNTIL_MAX_MS))
			break;
		if (send_sig(pidfd, pid, sigs[k % nsigs]) == 0) {
			sent++;
		} else if (errno == EAGAIN) {
			eagain++;
		} else if (errno == ESRCH) {
			esrch = 1;
			break;
		} else {
			perror("sigflood: kill");
			return 1;
		}
	}
	t1 = now_ms();
	printf("sent %ld eagain %ld esrch %d start %.3f end %.3f\n", sent, eagain, esrch, t0, t1);
	return 0;
}

static void put(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t w = write(fd, s + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			exit(3);
		off += (size_t)w;
	}
}

static int do_child(int argc, char **argv)
{
	const char *out = NULL;
	long k = -1, ms = -1, code = -1, count = 0;
	int sigs[MAX_SIGS], nsigs, fd, i;
	char line[128];
	sigset_t set;
	double end;

	for (i = 2; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-o"))
			out = argv[i + 1];
		else if (!strcmp(argv[i], "-n"))
			k = number(argv[i + 1]);
		else if (!strcmp(argv[i], "-t"))
			ms = number(argv[i + 1]);
		else if (!strcmp(argv[i], "-x"))
			code = number(argv[i + 1]);
		else
			usage();
	}
	if (!out || k < 0 || ms < 0 || code < 0 || code > 255 || i != argc - 1)
		usage();
	nsigs = parse_list(argv[i], sigs);
	sigemptyset(&set);
	for (i = 0; i < nsigs; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
		perror("sigflood: sigprocmask");
		return 1;
	}
	fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror("sigflood: open");
		return 1;
	}
	snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
	put(fd, line);
	end = now_ms() + (double)ms;
	while (count < k) {
		double left = end - now_ms();
		struct timespec ts;

		if (left <= 0)
			break;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)((left - (double)ts.tv_sec * 1000) * 1e6);
		if (sigtimedwait(&set, NULL, &ts) > 0)
			count++;
		else if (errno != EINTR && errno != EAGAIN)
			return 1;
	}
	snprintf(line, sizeof(line), "exit %ld %.3f\n", count, now_ms());
	put(fd, line);
	return (int)code;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return do_send(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "child"))
		return do_child(argc, argv);
	usage();
	return 2;
}
