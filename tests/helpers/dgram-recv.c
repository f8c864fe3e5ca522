/*
 * dgram-recv: a notify socket as systemd or podman holds one, for a test to
 * see what arrives on it.
 *
 * Usage: dgram-recv ADDR FILE
 *   ADDR  a unix datagram address: /path (made, a stale socket replaced) or
 *         @name (abstract)
 *   FILE  one line appended per datagram: "from PID TEXT", the sender's
 *         pid (SCM_CREDENTIALS, as the receiver's PID namespace names it)
 *         and the text with each newline made '|'
 * The line "listening" goes to FILE once the socket is bound. Runs until
 * killed.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DGRAM_MAX 8192

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	union {
		struct cmsghdr align;
		char room[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	char buf[DGRAM_MAX + 1];
	struct ucred cred;
	const int on = 1;
	size_t len;
	ssize_t n, i;
	FILE *out;
	int fd;

	if (argc != 3 || (argv[1][0] != '/' && argv[1][0] != '@') ||
	    (len = strlen(argv[1])) > sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: dgram-recv /path|@name FILE\n");
		return 2;
	}
	memcpy(sun.sun_path, argv[1], len);
	if (argv[1][0] == '@')
		sun.sun_path[0] = '\0';
	else
		unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) ||
	    bind(fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len))) {
		perror("dgram-recv");
		return 1;
	}
	out = fopen(argv[2], "a");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	setvbuf(out, NULL, _IOLBF, 0);
	fprintf(out, "listening\n");
	for (;;) {
		struct iovec iov = { buf, DGRAM_MAX };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.room,
				     .msg_controllen = sizeof(ctl.room) };
		struct cmsghdr *c;

		n = recvmsg(fd, &mh, 0);
		if (n < 0)
			continue;
		cred.pid = 0;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
				memcpy(&cred, CMSG_DATA(c), sizeof(cred));
		for (i = 0; i < n; i++)
			if (buf[i] == '\n')
				buf[i] = '|';
		buf[n] = '\0';
		fprintf(out, "from %d %s\n", (int)cred.pid, buf);
	}
}
