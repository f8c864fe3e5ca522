/*
 * server: a preforking server for the stop and restart figures.
 *
 * Usage: server [-w WORKERS] [-p PORT] [-i] [-r FIFO]
 *   -w N     fork N workers (default 0: the master serves by itself)
 *   -p PORT  listen on 127.0.0.1:PORT (SO_REUSEADDR) unless a socket is
 *            passed as fd 3 with LISTEN_FDS >= 1 (minit --listen)
 *   -i       ignore SIGTERM (master and workers)
 *   -r FIFO  when every worker is up, write the time (CLOCK_MONOTONIC ns)
 *
 * Serving: for each connection write "HELLO <pid>\n", then read one byte
 * (1 s timeout); the byte 'c' makes the process crash with SIGSEGV (no core
 * dump). SIGTERM: workers exit 0; the master passes TERM to its workers,
 * waits for them and exits 0. Workers die with the master (PDEATHSIG).
 * Everything ends after 10 minutes at the latest.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"

static volatile sig_atomic_t stop;

static void on_term_master(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_term_worker(int sig)
{
	(void)sig;
	_exit(0);
}

static void crash(void)
{
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
	_exit(139);
}

static void serve(int lfd)
{
	for (;;) {
		struct timeval tv = { 1, 0 };
		char buf[64], c = 0;
		int fd = accept(lfd, NULL, NULL);
		int len;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		len = snprintf(buf, sizeof(buf), "HELLO %d\n", (int)getpid());
		if (write(fd, buf, (size_t)len) == len) {
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			if (read(fd, &c, 1) == 1 && c == 'c')
				crash();
		}
		close(fd);
	}
}

static int listen_socket(int port)
{
	const char *fds = getenv("LISTEN_FDS");
	struct sockaddr_in sa;
	struct stat st;
	int one = 1, fd;

	if (fds && atoi(fds) >= 1 && fstat(3, &st) == 0 && S_ISSOCK(st.st_mode))
		return 3;
	if (port <= 0)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		fprintf(stderr, "server: listen 127.0.0.1:%d: %s\n", port, strerror(errno));
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct rlimit nocore = { 0, 0 };
	struct sigaction sa;
	sigset_t term, old;
	const char *fifo = NULL;
	int workers = 0, port = 0, ignore = 0, opt, lfd, up[2];
	pid_t pids[64];

	while ((opt = getopt(argc, argv, "w:p:ir:")) != -1) {
		switch (opt) {
		case 'w': workers = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 'i': ignore = 1; break;
		case 'r': fifo = optarg; break;
		default:
			fprintf(stderr, "usage: server [-w N] [-p PORT] [-i] [-r FIFO]\n");
			return 2;
		}
	}
	if (workers < 0 || workers > 64)
		return 2;
	setrlimit(RLIMIT_CORE, &nocore);
	signal(SIGPIPE, SIG_IGN);
	alarm(600);
	lfd = listen_socket(port);

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = ignore ? SIG_IGN : on_term_worker;
	sigaction(SIGTERM, &sa, NULL);

	if (pipe2(up, O_CLOEXEC) < 0)
		return 1;
	for (int i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return 1;
		if (pids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			alarm(600);
			sigprocmask(SIG_SETMASK, &old, NULL);
			if (write(up[1], "u", 1) != 1)
				_exit(1);
			if (lfd >= 0)
				serve(lfd);
			for (;;)
				pause();
		}
	}
	for (int i = 0; i < workers; i++) {
		char c;

		if (read(up[0], &c, 1) != 1)
			return 1;
	}
	if (fifo) {
		int fd = open_report(fifo);

		put_rec(fd, now_ns());
		close(fd);
	}
	if (workers == 0) {
		/* The master serves (or just waits); TERM ends it at once. */
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (lfd >= 0)
			serve(lfd);
		for (;;)
			pause();
	}
	if (!ignore) {
		sa.sa_handler = on_term_master;
		sigaction(SIGTERM, &sa, NULL);
	}
	while (!stop)
		sigsuspend(&old);
	for (int i = 0; i < workers; i++)
		kill(pids[i], SIGTERM);
	for (int i = 0; i < workers; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	return 0;
}
