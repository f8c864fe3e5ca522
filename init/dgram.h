/* Abstract unix datagram sockets that take each sender's credentials: the
 * notify socket and the control socket. */
#ifndef MINIT_DGRAM_H
#define MINIT_DGRAM_H

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "notify_msg.h"

/* A socket minit receives datagrams on, with each sender's credentials. */
struct dgram_sock {
	int fd;				/* -1: none */
	char name[NOTIFY_NAME_MAX];	/* "@..." (abstract), as NOTIFY_SOCKET says it */
};

/* The address name says: "@name" (abstract) or "/path", as NOTIFY_SOCKET
 * gives it. 0, or -EINVAL for anything else (too long, relative, "vsock:"). */
int dgram_address(const char *name, struct sockaddr_un *sun, socklen_t *len);

/* Binds an abstract datagram socket: name, or when name is NULL a unique
 * one made from prefix and random bits. 0 or -errno. */
int dgram_open(struct dgram_sock *d, const char *prefix, const char *name);

/* One datagram without waiting: its length (a datagram longer than len is
 * cut, its whole length returned), the sender's pid, uid and address.
 * -EAGAIN when there is none. Descriptors passed along are closed. */
struct dgram_from {
	pid_t pid;
	uid_t uid;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};
ssize_t dgram_recv(const struct dgram_sock *d, char *buf, size_t len, struct dgram_from *from);

#endif
