#include "notify.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../base/log.h"
#include "../reaper/tree.h"
#include "loop.h"
#include "supervise.h"

#define NOTIFY_PREFIX	 "minit-notify"
#define NOTIFY_PER_WAKE	 16 /* datagrams taken per wake-up: the rest wait their turn */

static void take(struct notifier *n, const char *buf, ssize_t len, const struct dgram_from *from)
{
	struct notify_msg m;

	if (len > NOTIFY_MSG_MAX) {
		n->bad++;
		log_msg(LOG_DEBUG, "notify: dropped a datagram of %zd bytes from pid %d", len,
			(int)from->pid);
		return;
	}
	if (from->pid <= 0 || !tree_has(from->pid)) {
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
	sup_notify(n->sup, &m, loop_now_ms());
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

int notifier_open(struct notifier *n, struct loop *l, struct supervisor *sup)
{
	int rc;

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
