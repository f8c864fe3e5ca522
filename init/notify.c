#include "notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/fd.h"
#include "../base/log.h"
#include "../reaper/tree.h"
#include "loop.h"
#include "supervise.h"

#define NOTIFY_PREFIX	 "minit-notify"
#define NOTIFY_PER_WAKE	 16 /* datagrams taken per wake-up: the rest wait their turn */
#define NOTIFY_UP_MAX	 (NOTIFY_STATUS_MAX + 192) /* bytes passed upstream at once */

/* What the child said of its state, to the launcher's socket; never
 * waited for (a full or missing socket loses the datagram, said once). */
static void pass_on(struct notify_upstream *up, const struct notify_msg *m)
{
	char buf[NOTIFY_UP_MAX]; /* all the keys fit: STATUS= is at most 255 bytes */
	struct timespec now;
	int len = 0;

	if (up->fd < 0)
		return;
	if (m->ready)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "READY=1\n");
	if (m->reloading) { /* systemd 253+ wants the time of the reload with it */
		clock_gettime(CLOCK_MONOTONIC, &now);
		len += snprintf(buf + len, sizeof(buf) - (size_t)len,
				"RELOADING=1\nMONOTONIC_USEC=%llu\n",
				(unsigned long long)now.tv_sec * 1000000ULL +
					(unsigned long long)now.tv_nsec / 1000);
	}
	if (m->stopping)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "STOPPING=1\n");
	if (m->watchdog)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "WATCHDOG=1\n");
	if (m->watchdog_trigger)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "WATCHDOG=trigger\n");
	if (m->extend_usec)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "EXTEND_TIMEOUT_USEC=%llu\n",
				(unsigned long long)m->extend_usec);
	if (m->has_status)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "STATUS=%s\n", m->status);
	if (!len || len >= (int)sizeof(buf))
		return;
	if (sendto(up->fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL,
		   (struct sockaddr *)&up->addr, up->addrlen) < 0 && !up->warned) {
		up->warned = true;
		log_msg(LOG_WARN, "notify: unable to pass %.*s on to %s: %s (not said again)",
			(int)strcspn(buf, "\n"), buf, up->name, strerror(errno));
	}
}

uint64_t notifier_watchdog_usec(const struct notifier *n)
{
	return n->up.fd < 0 ? 0
			    : notify_launcher_watchdog(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"),
						       getpid());
}

static void upstream_open(struct notify_upstream *up, const char *name)
{
	up->fd = -1;
	up->name = name;
	up->warned = false;
	if (!name)
		return;
	if (dgram_address(name, &up->addr, &up->addrlen)) {
		log_msg(LOG_WARN, "NOTIFY_SOCKET %s: not a unix socket address; nothing passed on", name);
		return;
	}
	up->fd = fd_move_above(socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
			       FD_FIRST_OWN);
	if (up->fd < 0)
		log_msg(LOG_WARN, "NOTIFY_SOCKET %s: nothing passed on: %s", name, strerror(errno));
}

static void take(struct notifier *n, const char *buf, ssize_t len, const struct dgram_from *from)
{
	struct notify_msg m;

	if (len > NOTIFY_MSG_MAX) {
		n->bad++;
		log_msg(LOG_DEBUG, "notify: dropped a datagram of %zd bytes from pid %d", len,
			(int)from->pid);
		return;
	}
	/* systemd-notify sends in its parent's name (it exits at once): minit's
	 * own pid when minit runs it */
	if (from->pid <= 0 || (from->pid != getpid() && !tree_has(from->pid))) {
		if (!n->outside++)
			log_msg(LOG_WARN, "notify: ignoring pid %d, not in minit's tree (and any later)",
				(int)from->pid);
		return;
	}
	if (notify_parse(buf, (size_t)len, &m)) {
		n->bad++;
		log_msg(LOG_DEBUG, "notify: nothing understood from pid %d", (int)from->pid);
		return;
	}
	if (sup_notify(n->sup, &m, loop_now_ms()))
		pass_on(&n->up, &m);
}

static void on_notify(void *ctx)
{
	struct notifier *n = ctx;
	char buf[NOTIFY_MSG_MAX + 1];
	struct dgram_from from;
	ssize_t len;
	int i;

	for (i = 0; i < NOTIFY_PER_WAKE; i++) {
		len = dgram_recv(&n->sock, buf, sizeof(buf), &from);
		if (len < 0)
			return;
		take(n, buf, len, &from);
	}
}

int notifier_open(struct notifier *n, struct loop *l, struct supervisor *sup, const char *upstream)
{
	int rc;

	upstream_open(&n->up, upstream);
	n->loop = l;
	n->sup = sup;
	n->outside = n->bad = 0;
	rc = dgram_open(&n->sock, NOTIFY_PREFIX, NULL);
	if (!rc && (rc = loop_watch(l, n->sock.fd, on_notify, n))) {
		close(n->sock.fd);
		n->sock.fd = -1;
	}
	if (rc)
		log_msg(LOG_WARN, "no notify socket for the child: %s", strerror(-rc));
	else
		log_msg(LOG_DEBUG, "NOTIFY_SOCKET=%s", n->sock.name);
	return rc;
}
