/* svtool: timing and client probes for the supervision tests (tests/30-35),
 * built by make test-helpers.
 *   svtool now                   CLOCK_MONOTONIC in ms (3 decimals)
 *   svtool kill SIGNUM PID       print the time, then send the signal
 *   svtool watch FILE PID...     a pidfd per PID; appends "watching N" once
 *                                all are open ("gone PID" for one already
 *                                reaped), then "exit PID TIME_MS" as each
 *                                ends (becomes a zombie or is reaped)
 *   svtool freeport              a currently free TCP port on 127.0.0.1
 *   svtool req PORT TEXT         connect to 127.0.0.1:PORT, send TEXT, print
 *                                the reply up to EOF; exit 1 on an error
 *   svtool client PORT STOP MAXN MAXMS [REQUEST EXPECT]
 *                                connect, send REQUEST (default "ping\n"), read
 *                                the reply (ok if it starts with EXPECT, default
 *                                "pong "), every ~1 ms until the file STOP
 *                                exists, MAXN tries or MAXMS ms; prints
 *                                "fail TIME_MS WHAT" per failure, then
 *                                "total N ok N refused N other N"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int tcp_connect(int port, int timeout_ms)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

	if (fd < 0)
		return -errno;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* Sends text, reads the reply into buf up to EOF. 0 or -errno. */
static int exchange(int fd, const char *text, char *buf, size_t len, size_t *got)
{
	size_t off = 0, tl = strlen(text);
	ssize_t n;

	*got = 0;
	buf[0] = '\0';
	while (off < tl) {
		n = write(fd, text + off, tl - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	for (;;) {
		n = read(fd, buf + *got, len - 1 - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		*got += (size_t)n;
		if (*got == len - 1)
			break;
	}
	buf[*got] = '\0';
	return 0;
}

static int do_watch(int argc, char **argv)
{
	int n = argc - 3, left = 0;
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	FILE *out = fopen(argv[2], "a");

	if (!p || !out)
		return 2;
	setvbuf(out, NULL, _IOLBF, 0);
	for (int i = 0; i < n; i++) {
		p[i].fd = (int)syscall(SYS_pidfd_open, atoi(argv[3 + i]), 0);
		p[i].events = POLLIN;
		if (p[i].fd < 0)
			fprintf(out, "gone %s %.3f\n", argv[3 + i], now_ms());
		else
			left++;
	}
	fprintf(out, "watching %d\n", left);
	while (left > 0) {
		double t;

		if (poll(p, (nfds_t)n, -1) < 0)
			continue;
		t = now_ms();
		for (int i = 0; i < n; i++) {
			if (p[i].fd >= 0 && p[i].revents) {
				fprintf(out, "exit %s %.3f\n", argv[3 + i], t);
				close(p[i].fd);
				p[i].fd = -1;
				left--;
			}
		}
	}
	return 0;
}

static int do_client(int argc, char **argv)
{
	int port = atoi(argv[2]);
	const char *stop = argv[3];
	const char *req = argc > 6 ? argv[6] : "ping\n", *expect = argc > 7 ? argv[7] : "pong ";
	long maxn = atol(argv[4]), total = 0, ok = 0, refused = 0, other = 0;
	double end = now_ms() + atof(argv[5]);
	char buf[256];
	size_t got;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (total < maxn && now_ms() < end && access(stop, F_OK) != 0) {
		int fd = tcp_connect(port, 3000), r;

		total++;
		if (fd < 0) {
			if (fd == -ECONNREFUSED)
				refused++;
			else
				other++;
			printf("fail %.3f connect: %s\n", now_ms(), strerror(-fd));
		} else {
			r = exchange(fd, req, buf, sizeof(buf), &got);
			close(fd);
			if (r == 0 && !strncmp(buf, expect, strlen(expect))) {
				ok++;
			} else {
				other++;
				printf("fail %.3f reply: %s\n", now_ms(),
				       r ? strerror(-r) : got ? "unexpected reply" : "empty reply");
			}
		}
		usleep(1000);
	}
	printf("total %ld ok %ld refused %ld other %ld\n", total, ok, refused, other);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%.3f\n", now_ms());
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "kill")) {
		double t = now_ms();

		if (kill(atoi(argv[3]), atoi(argv[2])) < 0) {
			perror("svtool: kill");
			return 1;
		}
		printf("%.3f\n", t);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "watch"))
		return do_watch(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "freeport")) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		socklen_t sl = sizeof(sin);
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0)
			return 1;
		printf("%d\n", ntohs(sin.sin_port));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "req")) {
		static char buf[1 << 16];
		size_t got;
		int fd = tcp_connect(atoi(argv[2]), 5000), r;

		if (fd < 0) {
			fprintf(stderr, "svtool: connect: %s\n", strerror(-fd));
			return 1;
		}
		r = exchange(fd, argv[3], buf, sizeof(buf), &got);
		fwrite(buf, 1, got, stdout);
		if (r < 0) {
			fprintf(stderr, "svtool: exchange: %s\n", strerror(-r));
			return 1;
		}
		return 0;
	}
	if ((argc == 6 || argc == 8) && !strcmp(argv[1], "client"))
		return do_client(argc, argv);
	fprintf(stderr, "usage: svtool now | kill SIGNUM PID | watch FILE PID... | freeport |"
			" req PORT TEXT | client PORT STOPFILE MAXN MAXMS [REQUEST EXPECT]\n");
	return 2;
}
