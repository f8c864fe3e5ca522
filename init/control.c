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
#define CONTROL_CLIENT_PREFIX "minit-ask" /* --health's and --status's own socket */

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

/* minit's own user or root: who is answered, and whose answer is believed */
static bool same_user_or_root(uid_t uid)
{
	return uid == 0 || uid == getuid();
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
		if (!same_user_or_root(from.uid) || n > (ssize_t)sizeof(req) ||
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

/* The answer is from the socket asked, and from a process of this PID
 * namespace (the kernel gives pid 0 for one it cannot name here: another
 * container's, which may hold the name first on a shared network
 * namespace) of this user or root. */
static bool answer_trusted(const struct dgram_from *from, const struct sockaddr_un *to,
			   socklen_t tolen)
{
	return from->addrlen == tolen && !memcmp(&from->addr, to, tolen) && from->pid > 0 &&
	       same_user_or_root(from->uid);
}

int control_query(const char *name, const char *request, char *reply, size_t len)
{
	char def[NOTIFY_NAME_MAX];
	struct sockaddr_un to;
	struct dgram_sock me;
	struct dgram_from from;
	struct pollfd p;
	socklen_t tolen;
	ssize_t n;
	int rc;

	if (!name) {
		control_default_name(def, sizeof(def));
		name = def;
	}
	if (name[0] != '@' || dgram_address(name, &to, &tolen))
		return -EINVAL;
	/* an address of its own for the reply, taking the replier's credentials */
	if ((rc = dgram_open(&me, CONTROL_CLIENT_PREFIX, NULL)))
		return rc;
	if (sendto(me.fd, request, strlen(request), 0, (struct sockaddr *)&to, tolen) < 0) {
		rc = -errno;
		goto out;
	}
	p = (struct pollfd){ me.fd, POLLIN, 0 };
	if (poll(&p, 1, CONTROL_TIMEOUT_MS) != 1) {
		rc = -ETIMEDOUT;
		goto out;
	}
	n = dgram_recv(&me, reply, len - 1, &from);
	if (n < 0) {
		rc = (int)n;
		goto out;
	}
	if (!answer_trusted(&from, &to, tolen)) {
		rc = -EPERM;
		goto out;
	}
	reply[(size_t)n < len - 1 ? (size_t)n : len - 1] = '\0';
out:
	close(me.fd);
	return rc;
}
