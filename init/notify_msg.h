/* What the child says on the notify socket (sd_notify(3)), and the pure
 * parser of it: newline-separated KEY=VALUE in one datagram. */
#ifndef MINIT_NOTIFY_MSG_H
#define MINIT_NOTIFY_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NOTIFY_MSG_MAX	  4096 /* bytes: a longer datagram is dropped whole */
#define NOTIFY_STATUS_MAX 256  /* bytes of STATUS= kept, NUL included */
#define NOTIFY_NAME_MAX	  108  /* sockaddr_un's sun_path */

/* What one datagram says. */
struct notify_msg {
	bool ready;		/* READY=1 */
	bool stopping;		/* STOPPING=1 */
	bool reloading;		/* RELOADING=1 */
	bool watchdog;		/* WATCHDOG=1 */
	bool watchdog_trigger;	/* WATCHDOG=trigger */
	bool has_status;	/* STATUS=... (control characters made '?') */
	char status[NOTIFY_STATUS_MAX];
	pid_t mainpid;		/* MAINPID=N, 0 if none */
	uint64_t extend_usec;	/* EXTEND_TIMEOUT_USEC=N, 0 if none */
	unsigned ignored;	/* lines not understood (other keys, bad values) */
};

/* Pure: parses len bytes (newline-separated KEY=VALUE, no NUL needed).
 * Returns 0 when at least one line was understood, else -EINVAL. */
int notify_parse(const char *buf, size_t len, struct notify_msg *m);

/* Pure: the watchdog a launcher set for process self, from its
 * WATCHDOG_USEC and WATCHDOG_PID (NULL: unset, meaning any process), in
 * microseconds; 0 when none is set, or it is for another process, or
 * either is not plain decimal digits. */
uint64_t notify_launcher_watchdog(const char *usec, const char *pid, pid_t self);

#endif
