/* libFuzzer target for what arrives on minit's sockets: a notify datagram
 * (notify_parse) and a control request (control_parse), then the
 * supervisor taking the parsed message and the control socket's replies
 * to the state it is left in. Invariants: the parser never reads past the
 * datagram, STATUS= is NUL-terminated with no control characters, MAINPID is
 * a plausible pid, the supervisor's deadline is consistent, every reply is
 * one NUL-terminated text within its buffer. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/log.h"
#include "../../init/config.h"
#include "../../init/control.h"
#include "../../init/notify_msg.h"
#include "../../init/options.h"
#include "../../init/supervise.h"
#include "fuzz.h"

static pid_t next_pid = 100;

static int fake_spawn(void *ctx, pid_t *pid)
{
	(void)ctx;
	*pid = next_pid++;
	return 0;
}

static void fake_send(void *ctx, enum sup_target to, int sig, const union sigval *v)
{
	(void)ctx, (void)to, (void)v;
	ASSERT(sig > 0 && sig <= SIG_MAX);
}

static pid_t fake_handoff(void *ctx, pid_t old, pid_t hint)
{
	(void)ctx;
	return hint && hint != old && hint % 2 ? hint : 0; /* odd pids are minit's children */
}

static int fake_reaped(void *ctx, int status, char *note, size_t len)
{
	(void)status;
	(void)note;
	(void)len;
	(void)ctx;
	return 0;
}

static void fake_finished(void *ctx, const char *why)
{
	(void)ctx;
	ASSERT(strlen(why) < SUP_WHY_MAX);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz", -1, false);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sup_ops ops = { NULL, fake_spawn, fake_send, fake_handoff, fake_reaped,
					    fake_finished };
	static char *argv[] = { "minit", "--watchdog", "1s", "--ready-timeout", "5s", "--stop-delay",
				"100ms", "--stop-timeout", "2s", "server", NULL };
	char *buf, reply[CONTROL_REPLY_MAX];
	struct notify_msg m;
	struct opts o;
	struct sup_cfg c;
	struct supervisor s;
	char err[256];
	size_t i, n;
	uint64_t now = 1000;

	/* an exact-size copy: ASan catches any read past the datagram */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (opts_parse(&o, 10, argv, (char *[]){ NULL }, err, sizeof(err)) != OPTS_OK)
		abort();
	config_supervisor(&o, false, &c);
	sup_init(&s, &c, &ops);
	sup_start(&s, now);
	if (notify_parse(buf, size, &m) == 0) {
		n = strlen(m.status);
		ASSERT(n < NOTIFY_STATUS_MAX);
		for (i = 0; i < n; i++)
			ASSERT((unsigned char)m.status[i] >= 0x20 && m.status[i] != 0x7f);
		ASSERT(m.mainpid == 0 || m.mainpid > 1);
		if (size && data[0] & 1) { /* during a stop too */
			sup_signal(&s, SIGTERM, NULL, now);
			now += 200;
			sup_tick(&s, now);
		}
		sup_notify(&s, &m, now);
		ASSERT(s.state == SUP_RUNNING || s.state == SUP_STOPPING);
		ASSERT(s.deadline >= now || s.deadline == SUP_NEVER || s.state == SUP_RUNNING);
		if (s.state == SUP_RUNNING)
			ASSERT(s.deadline <= now + c.watchdog_ms);
	}
	for (i = CONTROL_BAD; i <= CONTROL_STATUS_JSON; i++) {
		n = control_format(&s, NULL, (enum control_req)i, now, reply, sizeof(reply));
		ASSERT(n < sizeof(reply) && strlen(reply) == n);
	}
	(void)control_parse(buf, size);
	free(buf);
	return 0;
}
