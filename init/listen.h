/* Listening sockets that minit holds across restarts and passes to the child
 * with the systemd protocol (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES). */
#ifndef MINIT_LISTEN_H
#define MINIT_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

#define LISTEN_MAX	   16
#define LISTEN_NAME_MAX	   32
#define LISTEN_BACKLOG	   4096
#define LISTEN_TEXT_MAX	   160

struct listen_addr {
	char name[LISTEN_NAME_MAX];	/* LISTEN_FDNAMES entry */
	struct sockaddr_storage ss;
	socklen_t len;
	char text[LISTEN_TEXT_MAX];	/* as the user wrote it, for messages */
};

/* Pure: "[NAME=]tcp:HOST:PORT", "[NAME=]tcp6:[HOST]:PORT", "[NAME=]unix:PATH". */
int listen_parse(const char *text, struct listen_addr *out);

/* Binds and listens on every address; on failure closes what it opened,
 * describes the failure in err and returns -errno. Sockets are close-on-exec. */
int listen_open(const struct listen_addr *addrs, size_t n, int *fds, char *err, size_t errlen);

#endif
