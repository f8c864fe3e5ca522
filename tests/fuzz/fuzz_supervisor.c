/* libFuzzer target for the supervision state machine. The first bytes pick
 * the options (program name, PID 1 or not, restart policy, stop ladder,
 * rewrites, timings or none (the peers' never-escalating stop), --pidfile,
 * --pause); the rest is a sequence of events as the loop would
 * deliver them: a signal, the main child's exit (with the reap's none_left),
 * a fork or exits among other processes, time passing (sup_tick when the
 * deadline has come). Fake ops model the process tree and check, after every
 * call, invariants of the contract:
 *  - never spawns while a main child is alive, and never after a stop request;
 *    (processes appear only by forking from a live one, as for a subreaper;
 *    under --pause orphans may be adopted at any time)
 *  - signals go to the main child only while one is alive;
 *  - DONE is terminal, happens only with nothing left (or from --pause, or
 *    where the leftovers are left to themselves, as tini and dumb-init do),
 *    and ends with the last child's code (or the failed start's, or 0 for
 *    pause);
 *  - the deadline is NEVER exactly when nothing is due, and bounded by the
 *    state's own limit (stop timeout, back-off max, leftover grace, poll);
 *  - the exit code stays within 0..255. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../../base/log.h"
#include "../../base/status.h"
#include "../../init/config.h"
#include "../../init/options.h"
#include "../../init/supervise.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASSERT(cond)                                                                       \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s (state %d, t=%llu)\n", \
				__FILE__, __LINE__, #cond, w.s.state,                      \
				(unsigned long long)w.now);                                \
			abort();                                                           \
		}                                                                          \
	} while (0)

#define PICK(b, arr) (arr)[(b) % (sizeof(arr) / sizeof((arr)[0]))]
#define OTHERS_MAX   1000
#define NO_CODE	     (-1)

static struct world {
	const uint8_t *data;
	size_t size, pos;
	struct opts o;
	struct sup_cfg c;
	bool pid1;
	struct supervisor s;
	uint64_t now;
	pid_t main;		/* the live main child, or 0 */
	unsigned others;	/* other live processes in the tree */
	pid_t next_pid;
	bool stop_requested;
	uint64_t stop_at;
	unsigned spawns;	/* spawn attempts */
	int want_code;		/* what minit must exit with, as far as known */
	int start_fails;	/* the main child's start fails with this code (0: it runs) */
	pid_t announced;	/* a MAINPID= the child sent, of one of the others */
	uint64_t extended_to;	/* EXTEND_TIMEOUT_USEC asked for the final KILL no sooner */
	char *argv[32];		/* o.argv points in here */
} w;

/* FUZZ_TRACE=1 prints every event and effect, and minit's own log, to stderr:
 * run a crash input with it to read the story. */
static bool trace;
#define TRACE(...) (trace ? (void)fprintf(stderr, __VA_ARGS__) : (void)0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	trace = getenv("FUZZ_TRACE") != NULL;
	log_init("fuzz", trace ? LOG_DEBUG : -1, false);
	return 0;
}

static uint8_t byte(void)
{
	return w.pos < w.size ? w.data[w.pos++] : 0;
}

static int fake_spawn(void *ctx, pid_t *pid)
{
	uint8_t b = byte();

	(void)ctx;
	ASSERT(w.main == 0);		/* never two main children */
	ASSERT(!w.stop_requested);	/* never a new child after a stop request */
	ASSERT(w.s.state != SUP_DONE);
	TRACE("t=%llu spawn -> %s\n", (unsigned long long)w.now,
	      b % 10 == 7 ? "-1" : b % 10 == 8 ? "127" : b % 10 == 9 ? "126" : "ok");
	switch (b % 10) {
	case 7: /* fork failed: fatal (125) at the first start, retried on restarts */
		if (!w.spawns++)
			w.want_code = 125;
		return -1;
	default: /* 8, 9: exec fails (127, 126); the child exits with that code */
		w.spawns++;
		w.main = w.next_pid++;
		*pid = w.main;
		w.want_code = NO_CODE;
		w.start_fails = b % 10 == 8 ? 127 : b % 10 == 9 ? 126 : 0;
		return 0;
	}
}

static void fake_finished(void *ctx, const char *why)
{
	(void)ctx;
	(void)why;
}

static int fake_reaped(void *ctx, int status, char *note, size_t len)
{
	(void)status;
	(void)note;
	(void)len;
	int code = w.start_fails;

	(void)ctx;
	ASSERT(w.main == 0);
	w.start_fails = 0;
	return code;
}

static void fake_send(void *ctx, enum sup_target to, int sig, const union sigval *value)
{
	static const char *const names[] = { "main", "group", "tree", "all", "self" };

	(void)ctx;
	(void)value;
	TRACE("t=%llu send %d to %s\n", (unsigned long long)w.now, sig, names[to]);
	ASSERT(sig >= 1 && sig <= SIG_MAX);
	if (to == SUP_TO_MAIN)
		ASSERT(w.main != 0 && w.s.main == w.main);
	if (to == SUP_TO_SELF) /* job control: only dumb-init, not as PID 1 */
		ASSERT(w.c.job_control && sig == SIGSTOP);
	if (to == SUP_TO_GROUP) /* the leftovers, as dumb-init: minit is done then */
		ASSERT(w.c.leftovers == SUP_LEFT_TERM_GROUP && w.main == 0);
	else
		ASSERT(w.s.state != SUP_DONE);
}

static pid_t fake_handoff(void *ctx, pid_t old, pid_t hint)
{
	uint8_t b = byte();

	(void)ctx;
	ASSERT(old > 0);
	ASSERT(!w.stop_requested);
	if (hint && hint == w.announced && w.others) { /* MAINPID= names a child of minit's */
		w.others--;
		if (w.main) /* handed over while alive: the old one is just another process now */
			w.others++;
		w.main = hint;
		w.announced = 0;
		return hint;
	}
	ASSERT(w.main == 0);
	TRACE("t=%llu handoff(%d), %u others\n", (unsigned long long)w.now, (int)old, w.others);
	if (!w.others || b % 3)
		return 0;
	w.others--;
	w.main = w.next_pid++;
	return w.main;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void check(void)
{
	const struct supervisor *s = &w.s;
	const struct sup_cfg *o = &w.c;

	ASSERT(s->exit_code >= 0 && s->exit_code <= 255);
	switch (s->state) {
	case SUP_PAUSED:
		ASSERT(o->pause && s->deadline == SUP_NEVER && w.main == 0);
		break;
	case SUP_RUNNING:
		ASSERT(!w.stop_requested);
		ASSERT(w.main != 0 && s->main == w.main);
		/* only --ready-timeout and --watchdog set a deadline while running */
		ASSERT(s->deadline == SUP_NEVER ||
		       s->deadline <= w.now + max_u64(o->ready_timeout_ms, o->watchdog_ms));
		break;
	case SUP_STOPPING:
		ASSERT(w.stop_requested || s->ending); /* or ended for a restart (watchdog, ready) */
		ASSERT(w.main != 0 && s->main == w.main);
		if (o->stop_timeout_ms == SUP_NEVER) { /* the peers: the orchestrator decides */
			ASSERT(s->deadline == SUP_NEVER || s->killing || s->delaying);
			break;
		}
		ASSERT(s->deadline != SUP_NEVER);
		ASSERT(s->deadline <= max_u64(max_u64(s->stop_ms + o->stop_timeout_ms, w.extended_to),
					      w.now + KILL_REPEAT_MS));
		break;
	case SUP_BACKOFF:
		ASSERT(!w.stop_requested && w.main == 0 && s->main == 0);
		ASSERT(s->deadline != SUP_NEVER && s->deadline <= w.now + o->backoff_max_ms);
		break;
	case SUP_HANDOFF:
		ASSERT(o->follow && !w.stop_requested && w.main == 0);
		ASSERT(s->deadline != SUP_NEVER && s->deadline <= w.now + HANDOFF_POLL_MS);
		break;
	case SUP_DRAINING:
		ASSERT(w.main == 0 && s->deadline != SUP_NEVER);
		ASSERT(o->leftovers == SUP_LEFT_END);
		if (w.stop_requested && o->stop_timeout_ms != SUP_NEVER) /* bounded by the stop's timeout */
			ASSERT(s->deadline <= max_u64(w.stop_at + o->stop_timeout_ms,
						      w.now + KILL_REPEAT_MS));
		else
			ASSERT(s->deadline <= w.now + max_u64(o->leftover_grace_ms, KILL_REPEAT_MS));
		break;
	case SUP_DONE:
		ASSERT(s->deadline == SUP_NEVER);
		if (o->pause) {
			ASSERT(s->exit_code == 0);
		} else {
			ASSERT(w.main == 0);
			/* only the peers leave the rest to themselves; and minit gives up on
			 * what it cannot end KILL_GIVE_UP_MS after the final KILL */
			ASSERT(w.others == 0 || o->leftovers != SUP_LEFT_END ||
			       (s->killing && w.now - s->kill_ms >= KILL_GIVE_UP_MS));
			ASSERT(w.want_code != NO_CODE && s->exit_code == w.want_code);
		}
		break;
	default:
		ASSERT(!"unknown state");
	}
}

/* Whether sig is a stop request in the current state, as the contract has it. */
static bool is_stop(int sig)
{
	switch (w.s.state) {
	case SUP_STOPPING: /* ending the child for a restart: a stop request makes it a stop */
		if (!w.s.ending)
			return false;
		/* fall through */
	case SUP_RUNNING:
	case SUP_BACKOFF:
	case SUP_HANDOFF:
	case SUP_DRAINING:
		return w.o.stop_on[sig] && w.o.rewrite[sig]; /* rewritten to 0: dropped */
	default:
		return false;
	}
}

static void notify_event(void)
{
	struct notify_msg m;
	uint8_t a = byte(), b = byte();

	memset(&m, 0, sizeof(m));
	m.ready = a & 1;
	m.stopping = a & 2;
	m.reloading = a & 4;
	m.watchdog = a & 8;
	m.watchdog_trigger = (a & 0x30) == 0x30;
	if (a & 0x40) {
		m.has_status = true;
		strcpy(m.status, "serving");
	}
	if ((a & 0x80) && w.others) {
		w.announced = m.mainpid = 10000 + b;
	}
	if (b & 1) {
		m.extend_usec = (uint64_t)b * 100000;
		if (w.s.state == SUP_STOPPING && !w.s.delaying && !w.s.killing &&
		    w.s.cfg->stop_timeout_ms != SUP_NEVER)
			w.extended_to = max_u64(w.extended_to, w.now + m.extend_usec / 1000);
	}
	TRACE("t=%llu notify 0x%02x pid %d\n", (unsigned long long)w.now, a, (int)m.mainpid);
	sup_notify(&w.s, &m, w.now);
}

static int status_from(uint8_t a, uint8_t b)
{
	if (a & 1)
		return (1 + b % SIG_MAX) | (a & 2 ? 0x80 : 0); /* killed, maybe dumped core */
	return b << 8;
}

static void event(void)
{
	uint8_t op = byte(), a, b;
	bool none_left;
	int sig, status;
	uint64_t delta;

	TRACE("t=%llu event %d (state %d, main %d, others %u)\n", (unsigned long long)w.now,
	      op % 7, w.s.state, (int)w.main, w.others);
	switch (op % 7) {
	case 0: /* a signal (never CHLD: the loop only reaps on it) */
		sig = 1 + byte() % SIG_MAX;
		if (sig == SIGCHLD)
			break;
		if (is_stop(sig) && !w.stop_requested) {
			w.stop_requested = true;
			w.stop_at = w.now;
		}
		sup_signal(&w.s, sig, NULL, w.now);
		break;
	case 1: /* the main child exits; other processes may go in the same reap */
		if (!w.main)
			break;
		a = byte();
		b = byte();
		status = status_from(a, b);
		if (a & 4)
			w.others = 0;
		w.main = 0;
		w.want_code = w.start_fails ? w.start_fails
			    : w.o.remap_exit[status_exit_code(status)] ? 0
								     : status_exit_code(status);
		none_left = w.others == 0;
		sup_main_exited(&w.s, status, none_left, w.now);
		check();
		sup_children(&w.s, none_left && w.main == 0, w.now);
		break;
	case 2: /* a process in the tree forks; under --pause, orphans are adopted */
		b = byte();
		if ((w.main || w.others || w.s.state == SUP_PAUSED) && w.others < OTHERS_MAX)
			w.others += 1 + b % 4;
		break;
	case 3: /* other processes exit */
		b = byte();
		w.others -= b < w.others ? b : w.others;
		sup_children(&w.s, w.main == 0 && w.others == 0, w.now);
		break;
	case 4: /* time passes; the loop ticks when the deadline has come */
		b = byte();
		delta = (uint64_t)b * b + ((uint64_t)1 << (b % 24));
		w.now += delta;
		if (w.s.state != SUP_DONE && w.now >= w.s.deadline)
			sup_tick(&w.s, w.now);
		break;
	case 6: /* a notify datagram from the main child */
		notify_event();
		break;
	case 5: /* the loop wakes exactly at the deadline */
		if (w.s.deadline == SUP_NEVER)
			break;
		w.now = max_u64(w.now, w.s.deadline);
		sup_tick(&w.s, w.now);
		break;
	}
	check();
}

static void options(void)
{
	static char *const progs[] = { "minit", "tini", "dumb-init" };
	static char *const restarts[] = { "no", "on-crash", "on-failure", "always" };
	static char *const ladders[] = { NULL, "QUIT,TERM,KILL", "KILL", "HUP,KILL",
					 "TERM,INT,HUP,USR1,USR2,QUIT,WINCH,KILL" };
	static char *const rewrites[] = { NULL, "TERM:0", "TERM:QUIT", "INT:0", "HUP:TERM",
					  "QUIT:KILL" };
	static char *const stop_ons[] = { NULL, "HUP", "TERM,USR1", "TERM,INT,QUIT" };
	static char *const timeouts[] = { "0", "50ms", "1s", "9s", "1m" };
	static char *const graces[] = { "0", "10ms", "2s" };
	static char *const bmins[] = { "0", "1ms", "100ms", "1s" };
	static char *const bmaxs[] = { "1s", "10s", "1m" };
	static char *const rmaxs[] = { "0", "1", "2", "5", "1000" };
	static char *const windows[] = { "100ms", "1s", "60s" };
	char **argv = w.argv, err[256];
	int argc = 0;
	uint8_t c0 = byte(), c1 = byte(), c2 = byte(), c3 = byte();

	argv[argc++] = PICK(c0, progs);
	argv[argc++] = "--restart";
	argv[argc++] = PICK(c0 >> 2, restarts);
	if (c0 & 0x10) {
		argv[argc++] = "--pidfile";
		argv[argc++] = "/run/server.pid";
	}
	if (PICK(c1, ladders)) {
		argv[argc++] = "--stop-ladder";
		argv[argc++] = PICK(c1, ladders);
	}
	if (PICK(c1 >> 3, rewrites)) {
		argv[argc++] = "-r";
		argv[argc++] = PICK(c1 >> 3, rewrites);
	}
	if (PICK(c1 >> 6, stop_ons)) {
		argv[argc++] = "--stop-on";
		argv[argc++] = PICK(c1 >> 6, stop_ons);
	}
	w.pid1 = c3 & 0x40;
	if (!(c3 & 0x80)) { /* without these, tini and dumb-init stop as they do */
		argv[argc++] = "--stop-timeout";
		argv[argc++] = PICK(c2, timeouts);
		argv[argc++] = "--leftover-grace";
		argv[argc++] = PICK(c2 >> 3, graces);
	}
	argv[argc++] = "--backoff-min";
	argv[argc++] = PICK(c3, bmins);
	argv[argc++] = "--backoff-max";
	argv[argc++] = PICK(c3 >> 2, bmaxs);
	argv[argc++] = "--restart-max";
	argv[argc++] = PICK(c3 >> 4, rmaxs);
	argv[argc++] = "--restart-window";
	argv[argc++] = PICK(c2 >> 5, windows);
	{
		uint8_t c4 = byte();

		if (c4 & 1)
			argv[argc++] = "--notify";
		if (c4 & 2) {
			argv[argc++] = "--watchdog";
			argv[argc++] = PICK(c4 >> 4, timeouts) [0] == '0' ? "10ms" : PICK(c4 >> 4, timeouts);
		}
		if (c4 & 4) {
			argv[argc++] = "--ready-timeout";
			argv[argc++] = "2s";
		}
		if (c4 & 8) {
			argv[argc++] = "--stop-delay";
			argv[argc++] = PICK(c4 >> 6, graces);
		}
	}
	if ((c0 & 0xe0) == 0xe0)
		argv[argc++] = "--pause";
	else
		argv[argc++] = "server";
	argv[argc] = NULL;
	if (opts_parse(&w.o, argc, argv, (char *[]){ NULL }, err, sizeof(err)) != OPTS_OK) {
		fprintf(stderr, "options rejected: %s\n", err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sup_ops ops = { NULL, fake_spawn, fake_send, fake_handoff, fake_reaped, fake_finished };

	memset(&w, 0, sizeof(w));
	w.data = data;
	w.size = size;
	w.now = 1000;
	w.next_pid = 100;
	w.want_code = NO_CODE;
	options();
	if (w.o.pause)
		w.want_code = 0;
	config_supervisor(&w.o, w.pid1, &w.c);
	sup_init(&w.s, &w.c, &ops);
	sup_start(&w.s, w.now);
	check();
	/* the loop reaps once before it first waits */
	sup_children(&w.s, w.main == 0 && w.others == 0, w.now);
	check();
	while (w.pos < w.size && w.s.state != SUP_DONE)
		event();
	if (w.s.state == SUP_DONE) {
		/* terminal: nothing more happens, whatever comes */
		sup_signal(&w.s, SIGTERM, NULL, w.now);
		sup_children(&w.s, true, w.now + 1);
		sup_tick(&w.s, w.now + 2);
		ASSERT(w.s.state == SUP_DONE && w.s.deadline == SUP_NEVER);
	}
	return 0;
}
