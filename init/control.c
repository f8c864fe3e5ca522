#include "control.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../base/log.h"
#include "loop.h"

#define CONTROL_PREFIX	  "@minit-control"
#define CONTROL_REQ_MAX	  64 /* bytes of a request */
#define CONTROL_PER_WAKE  8  /* requests answered per wake-up */

static unsigned long long ns_inode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned long long)st.st_ino;
}

void control_default_name(char *buf, size_t len)
{
	snprintf(buf, len, "%s-%llx-%llx", CONTROL_PREFIX, ns_inode("/proc/self/ns/mnt"),
		 ns_inode("/proc/self/ns/pid"));
}

/* Only minit's own user and root are answered; the reply never waits. */
static void on_request(void *ctx)
{
	struct control *c = ctx;
	char req[CONTROL_REQ_MAX], reply[CONTROL_REPLY_MAX];
	struct dgram_from from;
	ssize_t n;
	size_t len;
	int i;

	for (i = 0; i < CONTROL_PER_WAKE; i++) {
		n = dgram_recv(&c->sock, req, sizeof(req), &from);
		if (n < 0)
			return;
		if ((from.uid != 0 && from.uid != getuid()) || n > (ssize_t)sizeof(req) ||
		    from.addrlen <= sizeof(sa_family_t))
			continue;
		len = control_format(c->sup, c->notify, control_parse(req, (size_t)n), loop_now_ms(),
				     reply, sizeof(reply));
		(void)sendto(c->sock.fd, reply, len, MSG_DONTWAIT | MSG_NOSIGNAL,
			     (struct sockaddr *)&from.addr, from.addrlen);
	}
}

int control_open(struct control *c, const char *name, struct loop *l,
		 const struct supervisor *sup, const struct notifier *n)
{
	char def[NOTIFY_NAME_MAX];
	int rc;

	c->sup = sup;
	c->notify = n;
	if (!name) {
		control_default_name(def, sizeof(def));
		name = def;
	}
	rc = dgram_open(&c->sock, NULL, name);
	if (!rc && (rc = loop_watch(l, c->sock.fd, on_request, c))) {
		close(c->sock.fd);
		c->sock.fd = -1;
	}
	if (rc)
		log_msg(LOG_INFO, "no control socket %s (minit --health, --status): %s", name,
			strerror(-rc));
	return rc;
}

int control_query(const char *name, const char *request, char *reply, size_t len)
{
	struct sockaddr_un to = { .sun_family = AF_UNIX };
	const sa_family_t autobind = AF_UNIX;
	char def[NOTIFY_NAME_MAX];
	struct pollfd p;
	size_t nlen;
	ssize_t n;
	int fd, rc = 0;

	if (!name) {
		control_default_name(def, sizeof(def));
		name = def;
	}
	nlen = strlen(name);
	if (name[0] != '@' || nlen < 2 || nlen > sizeof(to.sun_path))
		return -EINVAL;
	memcpy(to.sun_path + 1, name + 1, nlen - 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* an address of its own (autobind), for the reply */
	if (bind(fd, (const struct sockaddr *)&autobind, sizeof(autobind)) ||
	    sendto(fd, request, strlen(request), 0, (struct sockaddr *)&to,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + nlen)) < 0) {
		rc = -errno;
		goto out;
	}
	p = (struct pollfd){ fd, POLLIN, 0 };
	if (poll(&p, 1, CONTROL_TIMEOUT_MS) != 1) {
		rc = -ETIMEDOUT;
		goto out;
	}
	n = recv(fd, reply, len - 1, 0);
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	reply[n] = '\0';
out:
	close(fd);
	return rc;
}
