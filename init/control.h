/* minit --health and minit --status: a control socket (abstract datagram,
 * named after the mount and PID namespaces, so `docker exec` into the same
 * container finds it and another container in the pod does not) that
 * answers the same user or root, and the client side of it. */
#ifndef MINIT_CONTROL_H
#define MINIT_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "notify.h"
#include "supervise.h"

#define CONTROL_REPLY_MAX  2048 /* bytes of a reply */
#define CONTROL_TIMEOUT_MS 2000 /* how long --health and --status wait for one */

enum control_req { CONTROL_BAD, CONTROL_HEALTH, CONTROL_STATUS, CONTROL_STATUS_JSON };

/* Pure: the request in a datagram ("health", "status", "status json"). */
enum control_req control_parse(const char *buf, size_t len);

/* Pure: the reply to r, from the supervisor's state at now. "healthy" or
 * "unhealthy: why"; a line a person reads; one JSON object. Returns its
 * length (the reply is cut to len - 1). */
size_t control_format(const struct supervisor *s, const struct notifier *n, enum control_req r,
		      uint64_t now, char *out, size_t len);

/* The socket's default name for this mount and PID namespace. */
void control_default_name(char *buf, size_t len);

struct control {
	struct dgram_sock sock;
	const struct supervisor *sup;
	const struct notifier *notify;
};

/* Opens and watches the socket (name: --control, or NULL for the default).
 * 0 or -errno: minit runs on without it. */
int control_open(struct control *c, const char *name, struct loop *l,
		 const struct supervisor *sup, const struct notifier *n);

/* The client: sends request to the minit at name (or the default), waits
 * up to CONTROL_TIMEOUT_MS for its reply. 0, or -errno: -EPERM when the
 * answer came from a process outside this PID namespace or of another user
 * (not this container's minit); otherwise no minit answers. */
int control_query(const char *name, const char *request, char *reply, size_t len);

#endif
