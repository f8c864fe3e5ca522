/* sd_notify(3) for the child: minit's notify socket (an abstract datagram
 * socket with a name unique to this minit, passed to every start as
 * NOTIFY_SOCKET). A datagram is accepted only from a process of minit's own
 * tree (SCM_CREDENTIALS); the rest, and anything malformed or too long, is
 * counted and dropped. */
#ifndef MINIT_NOTIFY_H
#define MINIT_NOTIFY_H

#include "dgram.h"
#include "notify_msg.h"

struct loop;
struct supervisor;

/* The notify socket, watched by the loop: what arrives from minit's tree
 * goes to the supervisor. */
struct notifier {
	struct dgram_sock sock;
	struct loop *loop;
	struct supervisor *sup;
	unsigned outside;	/* datagrams from processes outside minit's tree, dropped */
	unsigned bad;		/* too long, or nothing understood in them, dropped */
};

/* Opens the socket and watches it. 0 or -errno (minit runs on without it). */
int notifier_open(struct notifier *n, struct loop *l, struct supervisor *sup);

#endif
