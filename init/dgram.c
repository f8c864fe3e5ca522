/* Abstract unix datagram sockets for the notify and control sockets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../base/fd.h"
#include "dgram.h"

#define NAME_TRIES  4	     /* new random names before giving up on EADDRINUSE */
#define CMSG_ROOM   256	     /* credentials and a few passed fds */

static uint64_t random_bits(void)
{
	struct timespec ts;
	uint64_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* no entropy yet: unique enough with the pid */
	return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
}

int dgram_address(const char *name, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 2 || (name[0] != '@' && name[0] != '/') || n > sizeof(sun->sun_path))
		return -EINVAL;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, name, n);
	if (name[0] == '@')
		sun->sun_path[0] = '\0'; /* abstract: the name is the bytes after it */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	return 0;
}

static int bind_name(int fd, const char *name)
{
	struct sockaddr_un sun;
	socklen_t len;

	if (name[0] != '@' || dgram_address(name, &sun, &len))
		return -EINVAL;
	return bind(fd, (struct sockaddr *)&sun, len) ? -errno : 0;
}

int dgram_open(struct dgram_sock *d, const char *prefix, const char *name)
{
	const int on = 1;
	int fd, rc = -EADDRINUSE, i;

	d->fd = -1;
	fd = fd_move_above(socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
			   FD_FIRST_OWN);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on))) {
		rc = -errno;
		goto fail;
	}
	for (i = 0; i < NAME_TRIES && rc == -EADDRINUSE; i++) {
		if (name)
			snprintf(d->name, sizeof(d->name), "%s", name);
		else
			snprintf(d->name, sizeof(d->name), "@%s-%016llx", prefix,
				 (unsigned long long)random_bits());
		rc = bind_name(fd, d->name);
		if (name)
			break;
	}
	if (rc)
		goto fail;
	d->fd = fd;
	return 0;
fail:
	close(fd);
	return rc;
}

static void close_passed_fds(struct msghdr *mh)
{
	struct cmsghdr *c;
	size_t i, n;
	int fd;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	}
}

ssize_t dgram_recv(const struct dgram_sock *d, char *buf, size_t len, struct dgram_from *from)
{
	union {
		struct cmsghdr align;
		char room[CMSG_ROOM];
	} ctl;
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_name = &from->addr, .msg_namelen = sizeof(from->addr),
			     .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.room,
			     .msg_controllen = sizeof(ctl.room) };
	struct cmsghdr *c;
	struct ucred cred;
	ssize_t n;

	from->pid = 0;
	from->uid = (uid_t)-1;
	do
		n = recvmsg(d->fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	from->addrlen = mh.msg_namelen;
	close_passed_fds(&mh);
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(cred))) {
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			from->pid = cred.pid;
			from->uid = cred.uid;
		}
	}
	if (mh.msg_flags & MSG_CTRUNC) /* more than credentials and a few fds: not trusted */
		from->pid = 0;
	return n;
}
