/* sd_notify(3) for the child: minit's notify socket (an abstract datagram
 * socket with a name unique to this minit, passed to every start as
 * NOTIFY_SOCKET). A datagram is accepted only from a process of minit's own
 * tree (SCM_CREDENTIALS); the rest, and anything malformed or too long, is
 * counted and dropped. */
#ifndef MINIT_NOTIFY_H
#define MINIT_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "dgram.h"
#include "notify_msg.h"

struct loop;
struct supervisor;

/* The launcher's own NOTIFY_SOCKET (systemd's for a unit of Type=notify,
 * podman's for --sdnotify=container): what the child says of its state is
 * passed on from minit, the process the launcher knows. */
struct notify_upstream {
	int fd;				/* -1: none */
	struct sockaddr_un addr;
	socklen_t addrlen;
	const char *name;
	bool warned;			/* a send failed: said once */
};

/* The notify socket, watched by the loop: what arrives from minit's tree
 * goes to the supervisor, and upstream. */
struct notifier {
	struct dgram_sock sock;
	struct notify_upstream up;
	struct loop *loop;
	struct supervisor *sup;
	unsigned outside;	/* datagrams from processes outside minit's tree, dropped */
	unsigned bad;		/* too long, or nothing understood in them, dropped */
};

/* Opens the socket and watches it; upstream: the NOTIFY_SOCKET minit was
 * given, or NULL. 0 or -errno (minit runs on without it). */
int notifier_open(struct notifier *n, struct loop *l, struct supervisor *sup, const char *upstream);

/* The watchdog the launcher set for minit (WATCHDOG_USEC, with WATCHDOG_PID
 * minit's own or unset), which the child's WATCHDOG=1 passed on keeps
 * fed; 0 without one, or without a socket to pass it on to. */
uint64_t notifier_watchdog_usec(const struct notifier *n);

#endif
