/* The supervision policy (init/supervise.c) driven with fake ops: spawn returns
 * scripted results, send records (target, signal, fake time), handoff returns
 * scripted pids. Expectations follow the README contract: the stop ladder,
 * exit codes, restart policies and back-off, --pause, --pidfile hand-off. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../../base/status.h"
#include "../../init/config.h"
#include "../../init/options.h"
#include "../../init/notify_msg.h"
#include "../../init/supervise.h"
#include "unit.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define NOENV	  ((char *[]){ NULL })

#define EXITED(code)   (((code) & 0xff) << 8)
#define SIGNALED(sig)  ((sig) & 0x7f)
#define FIRST_PID      100
#define MAX_CALLS      512
#define SCRIPT_MAX     64
#define UNBORN         (-2)

struct sent {
	enum sup_target to;
	int sig;
	uint64_t t;
};

static struct fake {
	uint64_t now;
	int spawn_ret[SCRIPT_MAX];	/* scripted results: -1 fork failed; 0 (a new pid; past the
					 * script too); N > 0 a new pid whose start fails with N;
					 * UNBORN a new pid killed at birth */
	int fail_code;			/* what reaped returns for the current child */
	size_t spawn_script, spawns;
	pid_t next_pid;
	struct sent sent[MAX_CALLS];
	size_t nsent;
	pid_t handoff_ret[SCRIPT_MAX];	/* scripted results; 0 past the script */
	size_t handoff_script, handoffs;
	pid_t handoff_old;
} F;

static struct opts O;
static struct sup_cfg C;
static struct supervisor S;

static int fake_spawn(void *ctx, pid_t *pid)
{
	struct fake *f = ctx;
	int r = f->spawns < f->spawn_script ? f->spawn_ret[f->spawns] : 0;

	f->spawns++;
	if (r == -1)
		return -1;
	*pid = f->next_pid++;
	f->fail_code = r == UNBORN ? SUP_UNBORN : r;
	return 0;
}

static char finished_why[SUP_WHY_MAX];
static unsigned finished_calls;

static void fake_finished(void *ctx, const char *why)
{
	(void)ctx;
	snprintf(finished_why, sizeof(finished_why), "%s", why);
	finished_calls++;
}

static int fake_reaped(void *ctx, int status, char *note, size_t len)
{
	(void)status;
	(void)note;
	(void)len;
	struct fake *f = ctx;
	int r = f->fail_code;

	f->fail_code = 0;
	return r;
}

static void fake_send(void *ctx, enum sup_target to, int sig, const union sigval *value)
{
	(void)value;
	struct fake *f = ctx;

	if (f->nsent < MAX_CALLS)
		f->sent[f->nsent] = (struct sent){ to, sig, f->now };
	f->nsent++;
}

static pid_t fake_handoff(void *ctx, pid_t old, pid_t hint)
{
	if (hint == 4242 && old != hint) /* the MAINPID= of the tests: a child of minit's */
		return hint;
	struct fake *f = ctx;
	pid_t r = f->handoffs < f->handoff_script ? f->handoff_ret[f->handoffs] : 0;

	f->handoffs++;
	f->handoff_old = old;
	return r;
}

/* The fake clock: every call into the supervisor passes at(t). */
static uint64_t at(uint64_t t)
{
	F.now = t;
	return t;
}

/* Parses the options (argv ends with the command), resets the fakes and the
 * supervisor; start() also starts it at t = 0. */
static void setup(char **argv)
{
	static const struct sup_ops ops = { &F, fake_spawn, fake_send, fake_handoff, fake_reaped, fake_finished };
	char err[256];
	int argc = 0;

	while (argv[argc])
		argc++;
	if (opts_parse(&O, argc, argv, NOENV, err, sizeof(err)) != OPTS_OK)
		unit_fail(__FILE__, __LINE__, "expected OPTS_OK got an error: %s", err);
	memset(&F, 0, sizeof(F));
	F.next_pid = FIRST_PID;
	finished_why[0] = '\0';
	finished_calls = 0;
	config_supervisor(&O, false, &C);
	sup_init(&S, &C, &ops);
}

static void start(char **argv)
{
	setup(argv);
	sup_start(&S, at(0));
}

static void script_spawn(int r)
{
	F.spawn_ret[F.spawn_script++] = r;
}

static void script_handoff(pid_t pid)
{
	F.handoff_ret[F.handoff_script++] = pid;
}

/* The loop's view of a reap: the main child's status, then whether any child is left. */
static void main_exits(int status, bool none_left, uint64_t t)
{
	sup_main_exited(&S, status, none_left, at(t));
	sup_children(&S, none_left, t);
}

static void tick(uint64_t t)
{
	sup_tick(&S, at(t));
}

static const char *target_name(enum sup_target to)
{
	return to == SUP_TO_MAIN ? "main" : to == SUP_TO_TREE ? "tree" : "all";
}

/* Checks the sends from index i on: (target, signal, time) triples, and no more. */
#define CHECK_SENT_FROM(i, ...)                                                           \
	check_sent(__FILE__, __LINE__, i, (const struct sent[]){ __VA_ARGS__ },            \
		   sizeof((const struct sent[]){ __VA_ARGS__ }) / sizeof(struct sent))
#define CHECK_NO_SENDS_FROM(i) check_sent(__FILE__, __LINE__, i, NULL, 0)

static void check_sent(const char *file, int line, size_t from, const struct sent *want,
		       size_t n)
{
	char a[SIGNAL_NAME_MAX], b[SIGNAL_NAME_MAX];
	size_t i, have = F.nsent > from ? F.nsent - from : 0;

	for (i = 0; i < n || i < have; i++) {
		const struct sent *g = i < have && from + i < MAX_CALLS ? &F.sent[from + i] : NULL;

		if (i >= n) {
			unit_fail(file, line, "expected no more sends got %s to %s at %llu (send %zu)",
				  signal_name(g->sig, a), target_name(g->to),
				  (unsigned long long)g->t, from + i);
		} else if (!g) {
			unit_fail(file, line, "expected %s to %s at %llu got nothing (send %zu)",
				  signal_name(want[i].sig, a), target_name(want[i].to),
				  (unsigned long long)want[i].t, from + i);
		} else if (g->to != want[i].to || g->sig != want[i].sig || g->t != want[i].t) {
			unit_fail(file, line, "expected %s to %s at %llu got %s to %s at %llu (send %zu)",
				  signal_name(want[i].sig, a), target_name(want[i].to),
				  (unsigned long long)want[i].t, signal_name(g->sig, b),
				  target_name(g->to), (unsigned long long)g->t, from + i);
		}
	}
}

static size_t count_sent(enum sup_target to, int sig)
{
	size_t i, n = 0;

	for (i = 0; i < F.nsent && i < MAX_CALLS; i++)
		n += F.sent[i].to == to && F.sent[i].sig == sig;
	return n;
}

static void rung_offsets(void)
{
	size_t len;

	CHECK_U64(sup_rung_offset_ms(9000, 3, 0), 0);
	CHECK_U64(sup_rung_offset_ms(9000, 3, 1), 3000);
	CHECK_U64(sup_rung_offset_ms(9000, 3, 2), 9000);
	CHECK_U64(sup_rung_offset_ms(9000, 2, 0), 0);
	CHECK_U64(sup_rung_offset_ms(9000, 2, 1), 9000);
	CHECK_U64(sup_rung_offset_ms(9000, 1, 0), 0);
	CHECK_U64(sup_rung_offset_ms(7000, 4, 1), 1000);
	CHECK_U64(sup_rung_offset_ms(7000, 4, 2), 3000);
	CHECK_U64(sup_rung_offset_ms(7000, 4, 3), 7000);
	CHECK_U64(sup_rung_offset_ms(0, 3, 2), 0);
	/* the last rung is always at the timeout, earlier ones in increasing order */
	for (len = 2; len <= LADDER_MAX; len++) {
		size_t k;

		CHECK_U64(sup_rung_offset_ms(DURATION_MAX_MS, len, len - 1), DURATION_MAX_MS);
		CHECK_U64(sup_rung_offset_ms(9000, len, len - 1), 9000);
		for (k = 1; k < len; k++)
			if (sup_rung_offset_ms(9000, len, k) < sup_rung_offset_ms(9000, len, k - 1))
				unit_fail(__FILE__, __LINE__, "expected rung %zu >= rung %zu (len %zu)",
					  k, k - 1, len);
	}
}

static void ladder_schedule(void)
{
	start(ARGV("minit", "--stop-ladder", "QUIT,TERM,KILL", "server"));
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_INT(S.main, FIRST_PID);
	CHECK_U64(S.deadline, SUP_NEVER);
	sup_signal(&S, SIGTERM, NULL, at(500));
	CHECK_INT(S.state, SUP_STOPPING);
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGQUIT, 500 }, { SUP_TO_MAIN, SIGCONT, 500 });
	CHECK_U64(S.deadline, 3500);
	tick(3500);
	CHECK_SENT_FROM(2, { SUP_TO_MAIN, SIGTERM, 3500 }, { SUP_TO_MAIN, SIGCONT, 3500 });
	CHECK_U64(S.deadline, 9500);
	tick(9500);
	CHECK_SENT_FROM(4, { SUP_TO_ALL, SIGKILL, 9500 });
	/* KILL goes out again until the main child is reaped */
	CHECK(S.deadline > 9500 && S.deadline <= 9500 + KILL_REPEAT_MS);
	tick(S.deadline);
	CHECK_INT(count_sent(SUP_TO_ALL, SIGKILL), 2);
	main_exits(SIGNALED(SIGKILL), true, 9610);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 137);
	CHECK_INT(F.spawns, 1);

	/* README's PostgreSQL ladder: TERM at 0 s, INT at 3 s, QUIT at 9 s, KILL at 21 s */
	start(ARGV("minit", "--stop-ladder", "TERM,INT,QUIT,KILL", "--stop-timeout", "21s",
		   "postgres"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	tick(S.deadline);
	tick(S.deadline);
	tick(S.deadline);
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGTERM, 0 }, { SUP_TO_MAIN, SIGCONT, 0 },
			{ SUP_TO_MAIN, SIGINT, 3000 }, { SUP_TO_MAIN, SIGCONT, 3000 },
			{ SUP_TO_MAIN, SIGQUIT, 9000 }, { SUP_TO_MAIN, SIGCONT, 9000 },
			{ SUP_TO_ALL, SIGKILL, 21000 });
}

static void default_ladder(void)
{
	start(ARGV("minit", "server"));
	sup_signal(&S, SIGTERM, NULL, at(1000));
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGTERM, 1000 }, { SUP_TO_MAIN, SIGCONT, 1000 });
	CHECK_U64(S.deadline, 10000);
	tick(10000);
	CHECK_SENT_FROM(2, { SUP_TO_ALL, SIGKILL, 10000 });

	/* INT and QUIT stop too, with themselves as the first rung */
	start(ARGV("minit", "--stop-timeout", "2s", "server"));
	sup_signal(&S, SIGINT, NULL, at(0));
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGINT, 0 }, { SUP_TO_MAIN, SIGCONT, 0 });
	CHECK_U64(S.deadline, 2000);
	start(ARGV("minit", "server"));
	sup_signal(&S, SIGQUIT, NULL, at(0));
	CHECK_INT(S.state, SUP_STOPPING);
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGQUIT, 0 }, { SUP_TO_MAIN, SIGCONT, 0 });

	/* the received signal after rewriting */
	start(ARGV("minit", "-r", "TERM:QUIT", "--stop-timeout", "3s", "server"));
	sup_signal(&S, SIGTERM, NULL, at(10));
	CHECK_INT(S.state, SUP_STOPPING);
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGQUIT, 10 }, { SUP_TO_MAIN, SIGCONT, 10 });
	CHECK_U64(S.deadline, 3010);
	tick(3010);
	CHECK_SENT_FROM(2, { SUP_TO_ALL, SIGKILL, 3010 });

	/* a ladder of KILL alone kills at once */
	start(ARGV("minit", "--stop-ladder", "KILL", "server"));
	sup_signal(&S, SIGTERM, NULL, at(5));
	CHECK_SENT_FROM(0, { SUP_TO_ALL, SIGKILL, 5 });

	/* --stop-on decides what is a stop request */
	start(ARGV("minit", "--stop-on", "HUP", "server"));
	sup_signal(&S, SIGTERM, NULL, at(5));
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGTERM, 5 });
	sup_signal(&S, SIGHUP, NULL, at(6));
	CHECK_INT(S.state, SUP_STOPPING);
	CHECK_SENT_FROM(1, { SUP_TO_MAIN, SIGHUP, 6 }, { SUP_TO_MAIN, SIGCONT, 6 });
}

static void forwarding(void)
{
	start(ARGV("minit", "server"));
	sup_signal(&S, SIGHUP, NULL, at(1));
	sup_signal(&S, SIGUSR1, NULL, at(2));
	sup_signal(&S, SIGWINCH, NULL, at(3));
	sup_signal(&S, SIGRTMIN + 3, NULL, at(4));
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGHUP, 1 }, { SUP_TO_MAIN, SIGUSR1, 2 },
			{ SUP_TO_MAIN, SIGWINCH, 3 }, { SUP_TO_MAIN, SIGRTMIN + 3, 4 });
	CHECK_U64(S.deadline, SUP_NEVER);

	start(ARGV("minit", "-r", "USR1:USR2", "-r", "HUP:TERM", "server"));
	sup_signal(&S, SIGUSR1, NULL, at(1));
	sup_signal(&S, SIGHUP, NULL, at(2)); /* rewritten to TERM, but HUP is no stop request */
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGUSR2, 1 }, { SUP_TO_MAIN, SIGTERM, 2 });
}

static void second_stop_keeps_ladder(void)
{
	size_t i;

	start(ARGV("minit", "--stop-ladder", "QUIT,TERM,KILL", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	sup_signal(&S, SIGTERM, NULL, at(1000));
	sup_signal(&S, SIGINT, NULL, at(2000));
	CHECK_INT(S.state, SUP_STOPPING);
	CHECK_U64(S.deadline, 3000);
	CHECK_INT(count_sent(SUP_TO_MAIN, SIGQUIT), 1);
	tick(3000);
	sup_signal(&S, SIGTERM, NULL, at(8000));
	CHECK_U64(S.deadline, 9000);
	tick(9000);
	CHECK_INT(count_sent(SUP_TO_ALL, SIGKILL), 1);
	for (i = 0; i < F.nsent; i++)
		if (F.sent[i].to == SUP_TO_ALL && F.sent[i].sig == SIGKILL)
			CHECK_U64(F.sent[i].t, 9000);
	CHECK_INT(count_sent(SUP_TO_MAIN, SIGQUIT), 1);
}

static void graceful_stop(void)
{
	/* the child handles TERM and exits 0: minit exits 0 */
	start(ARGV("minit", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	main_exits(EXITED(0), true, 400);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);
	CHECK_SENT_FROM(2);
	CHECK_INT(F.spawns, 1);

	/* leftovers get TERM (+CONT) and KILL by the stop deadline at the latest */
	start(ARGV("minit", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	main_exits(EXITED(0), false, 8000);
	CHECK_INT(S.state, SUP_DRAINING);
	CHECK_SENT_FROM(2, { SUP_TO_ALL, SIGTERM, 8000 }, { SUP_TO_ALL, SIGCONT, 8000 });
	CHECK_U64(S.deadline, 9000);
	tick(9000);
	CHECK_SENT_FROM(4, { SUP_TO_ALL, SIGKILL, 9000 });
	sup_children(&S, true, at(9001));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_U64(S.deadline, SUP_NEVER);
	CHECK_INT(S.exit_code, 0);

	/* early exit: the leftover grace applies */
	start(ARGV("minit", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	main_exits(EXITED(0), false, 100);
	CHECK_U64(S.deadline, 2100);
	sup_children(&S, true, at(500));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_SENT_FROM(2, { SUP_TO_ALL, SIGTERM, 100 }, { SUP_TO_ALL, SIGCONT, 100 });

	/* dies of the TERM: 143; a stopped child is never restarted, whatever the policy */
	start(ARGV("minit", "--restart", "always", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	main_exits(SIGNALED(SIGTERM), true, 10);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 143);
	CHECK_INT(F.spawns, 1);
	start(ARGV("minit", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	main_exits(SIGNALED(SIGSEGV), true, 10);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 139);
	CHECK_INT(F.spawns, 1);
}

static void exit_and_drain(void)
{
	/* nothing left: done at once, nobody signalled */
	start(ARGV("minit", "server"));
	main_exits(EXITED(3), true, 1000);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 3);
	CHECK_NO_SENDS_FROM(0);

	/* leftovers: TERM (+CONT) now, KILL after the leftover grace, repeated */
	start(ARGV("minit", "server"));
	main_exits(EXITED(0), false, 1000);
	CHECK_INT(S.state, SUP_DRAINING);
	CHECK_SENT_FROM(0, { SUP_TO_ALL, SIGTERM, 1000 }, { SUP_TO_ALL, SIGCONT, 1000 });
	CHECK_U64(S.deadline, 3000);
	sup_children(&S, false, at(1500));
	CHECK_INT(S.state, SUP_DRAINING);
	tick(3000);
	CHECK_SENT_FROM(2, { SUP_TO_ALL, SIGKILL, 3000 });
	tick(S.deadline);
	CHECK_INT(count_sent(SUP_TO_ALL, SIGKILL), 2);
	sup_children(&S, true, at(3150));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);

	/* --leftover-grace 0: KILL at once, no TERM */
	start(ARGV("minit", "--leftover-grace", "0", "server"));
	main_exits(EXITED(0), false, 1000);
	CHECK_SENT_FROM(0, { SUP_TO_ALL, SIGKILL, 1000 });
	sup_children(&S, true, at(1001));
	CHECK_INT(S.state, SUP_DONE);

	/* a stop request while draining ends it at once */
	start(ARGV("minit", "server"));
	main_exits(EXITED(0), false, 1000);
	sup_signal(&S, SIGTERM, NULL, at(1200));
	CHECK_SENT_FROM(2, { SUP_TO_ALL, SIGKILL, 1200 });
	sup_children(&S, true, at(1201));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);
}

/* Crashes the main child at crash_at (nothing else left) and checks the back-off. */
static void crash_and_restart(uint64_t crash_at, uint64_t delay, const char *file, int line)
{
	size_t spawns = F.spawns;

	main_exits(SIGNALED(SIGSEGV), true, crash_at);
	if (S.state != SUP_BACKOFF) {
		unit_fail(file, line, "expected state BACKOFF (%d) got %d", SUP_BACKOFF, S.state);
		return;
	}
	if (S.deadline != crash_at + delay)
		unit_fail(file, line, "expected a restart %llu ms after the crash got %llu",
			  (unsigned long long)delay, (unsigned long long)(S.deadline - crash_at));
	CHECK_INT(F.spawns, spawns); /* not before the deadline */
	tick(S.deadline);
	if (S.state != SUP_RUNNING || F.spawns != spawns + 1)
		unit_fail(file, line, "expected a restart got state %d, %zu spawns", S.state,
			  F.spawns - spawns);
}
#define CRASH_AND_RESTART(at_, delay_) crash_and_restart(at_, delay_, __FILE__, __LINE__)

static void backoff_doubles_and_caps(void)
{
	static const uint64_t want[] = { 100, 200, 400, 800, 1000, 1000, 1000 };
	size_t i;

	start(ARGV("minit", "--backoff-max", "1s", "--restart-max", "100", "server"));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CRASH_AND_RESTART(F.now + 10, want[i]);
	CHECK_INT(F.spawns, 1 + sizeof(want) / sizeof(want[0]));
	CHECK_INT(S.main, FIRST_PID + (int)(sizeof(want) / sizeof(want[0])));

	/* the defaults: 100 ms doubling up to 10 s */
	start(ARGV("minit", "--restart-max", "100", "server"));
	{
		static const uint64_t d[] = { 100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000 };

		for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
			CRASH_AND_RESTART(F.now + 1, d[i]);
	}

	/* the crashed server's other processes get TERM (+CONT), and KILL before the
	 * restart: only minit's own tree, never what docker exec started beside it */
	start(ARGV("minit", "server"));
	main_exits(SIGNALED(SIGSEGV), false, 50);
	CHECK_INT(S.state, SUP_BACKOFF);
	CHECK_SENT_FROM(0, { SUP_TO_TREE, SIGTERM, 50 }, { SUP_TO_TREE, SIGCONT, 50 });
	tick(150);
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_SENT_FROM(2, { SUP_TO_TREE, SIGKILL, 150 });
}

static void backoff_resets_after_long_run(void)
{
	start(ARGV("minit", "--restart-max", "100", "server"));
	CRASH_AND_RESTART(50, 100);	  /* runs from 150 */
	CRASH_AND_RESTART(160, 200);	  /* runs from 360 */
	CRASH_AND_RESTART(370, 400);	  /* runs from 770 */
	CRASH_AND_RESTART(770 + BACKOFF_RESET_MS, 100); /* ran 10 s: back to the minimum */
	CRASH_AND_RESTART(F.now + 10, 200);
	/* 9.999 s is not enough */
	CRASH_AND_RESTART(F.now + BACKOFF_RESET_MS - 1, 400);
}

static void give_up_after_restart_max(void)
{
	int i;

	/* default: 5 restarts within 60 s, the 6th crash ends minit with the last status */
	start(ARGV("minit", "server"));
	for (i = 0; i < 5; i++)
		CRASH_AND_RESTART(F.now + 1, 100u << i);
	CHECK_INT(F.spawns, 6);
	main_exits(SIGNALED(SIGSEGV), true, F.now + 1);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 128 + SIGSEGV);
	CHECK_INT(F.spawns, 6);

	/* with leftovers: drained like any other end */
	start(ARGV("minit", "--restart-max", "1", "server"));
	CRASH_AND_RESTART(10, 100);
	main_exits(SIGNALED(SIGABRT), false, 200);
	CHECK_INT(S.state, SUP_DRAINING);
	CHECK_INT(S.exit_code, 128 + SIGABRT);
	CHECK_SENT_FROM(0, { SUP_TO_ALL, SIGTERM, 200 }, { SUP_TO_ALL, SIGCONT, 200 });
	sup_children(&S, true, at(300));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(F.spawns, 2);

	/* --restart-max 0: never restarts */
	start(ARGV("minit", "--restart-max", "0", "server"));
	main_exits(SIGNALED(SIGSEGV), true, 10);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 139);
	CHECK_INT(F.spawns, 1);

	/* restarts that fall out of the window no longer count */
	start(ARGV("minit", "--restart-max", "2", "--restart-window", "1s", "server"));
	for (i = 0; i < 6; i++)
		CRASH_AND_RESTART(F.now + 1500, 100u << i);
	CHECK_INT(F.spawns, 7);
}

/* One crash with status under argv's policy: restarted or not, and the exit code. */
static void one_exit(char **argv, int status, bool restarts, int code, const char *what,
		     int line)
{
	start(argv);
	main_exits(status, true, 1000);
	if (restarts) {
		if (S.state != SUP_BACKOFF)
			unit_fail(__FILE__, line, "expected a restart got state %d: %s", S.state,
				  what);
		return;
	}
	if (S.state != SUP_DONE)
		unit_fail(__FILE__, line, "expected state DONE (no restart) got %d: %s", S.state,
			  what);
	else if (S.exit_code != code)
		unit_fail(__FILE__, line, "expected exit code %d got %d: %s", code, S.exit_code,
			  what);
	if (F.spawns != 1)
		unit_fail(__FILE__, line, "expected 1 spawn got %zu: %s", F.spawns, what);
}
#define RESTARTS(argv, status) one_exit(argv, status, true, 0, #argv " " #status, __LINE__)
#define ENDS(argv, status, code) one_exit(argv, status, false, code, #argv " " #status, __LINE__)

static void policy_on_crash(void)
{
	ENDS(ARGV("minit", "server"), EXITED(0), 0);
	ENDS(ARGV("minit", "server"), EXITED(1), 1);
	ENDS(ARGV("minit", "server"), EXITED(2), 2);
	ENDS(ARGV("minit", "server"), SIGNALED(SIGTERM), 143);
	ENDS(ARGV("minit", "server"), SIGNALED(SIGINT), 130);
	ENDS(ARGV("minit", "server"), SIGNALED(SIGHUP), 129);
	RESTARTS(ARGV("minit", "server"), SIGNALED(SIGKILL)); /* the OOM killer */
	RESTARTS(ARGV("minit", "server"), SIGNALED(SIGSEGV));
	RESTARTS(ARGV("minit", "server"), SIGNALED(SIGSEGV) | 0x80); /* core dumped */
	RESTARTS(ARGV("minit", "server"), SIGNALED(SIGABRT));
	RESTARTS(ARGV("minit", "server"), SIGNALED(SIGBUS));
	RESTARTS(ARGV("minit", "server"), SIGNALED(SIGILL));
	RESTARTS(ARGV("minit", "server"), SIGNALED(SIGFPE));
	RESTARTS(ARGV("minit", "server"), SIGNALED(SIGSYS));
	RESTARTS(ARGV("minit", "server"), SIGNALED(SIGTRAP));
	RESTARTS(ARGV("minit", "--restart", "on-crash", "server"), SIGNALED(SIGSEGV));
	ENDS(ARGV("minit", "server"), EXITED(126), 126);
	ENDS(ARGV("minit", "server"), EXITED(127), 127);
}

/* README: on-crash restarts "a KILL that minit did not send (the OOM killer)". */
static void kill_sent_by_minit_is_no_crash(void)
{
	start(ARGV("minit", "-r", "HUP:KILL", "server"));
	sup_signal(&S, SIGHUP, NULL, at(100));
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGKILL, 100 });
	main_exits(SIGNALED(SIGKILL), true, 101);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 137);
	CHECK_INT(F.spawns, 1);
}

static void policy_on_failure_always_no(void)
{
	ENDS(ARGV("minit", "--restart", "on-failure", "server"), EXITED(0), 0);
	RESTARTS(ARGV("minit", "--restart", "on-failure", "server"), EXITED(1));
	RESTARTS(ARGV("minit", "--restart", "on-failure", "server"), EXITED(255));
	RESTARTS(ARGV("minit", "--restart", "on-failure", "server"), SIGNALED(SIGTERM));
	RESTARTS(ARGV("minit", "--restart", "on-failure", "server"), SIGNALED(SIGSEGV));
	ENDS(ARGV("minit", "--restart", "on-failure", "server"), EXITED(126), 126);
	ENDS(ARGV("minit", "--restart", "on-failure", "server"), EXITED(127), 127);

	RESTARTS(ARGV("minit", "--restart", "always", "server"), EXITED(0));
	RESTARTS(ARGV("minit", "--restart", "always", "server"), EXITED(1));
	RESTARTS(ARGV("minit", "--restart", "always", "server"), SIGNALED(SIGTERM));
	ENDS(ARGV("minit", "--restart", "always", "server"), EXITED(126), 126);
	ENDS(ARGV("minit", "--restart", "always", "server"), EXITED(127), 127);

	ENDS(ARGV("minit", "--restart", "no", "server"), SIGNALED(SIGSEGV), 139);
	ENDS(ARGV("minit", "--restart", "no", "server"), SIGNALED(SIGKILL), 137);
	ENDS(ARGV("minit", "--restart", "no", "server"), EXITED(1), 1);
	ENDS(ARGV("tini", "server"), SIGNALED(SIGSEGV), 139);
	ENDS(ARGV("dumb-init", "server"), SIGNALED(SIGSEGV), 139);
	ENDS(ARGV("docker-init", "server"), SIGNALED(SIGKILL), 137);
}

static void remap_exit(void)
{
	ENDS(ARGV("minit", "-e", "3", "server"), EXITED(3), 0);
	ENDS(ARGV("minit", "-e", "3", "server"), EXITED(4), 4);
	ENDS(ARGV("minit", "-e", "3", "-e", "4", "server"), EXITED(4), 0);
	ENDS(ARGV("minit", "-e", "1", "--restart", "no", "server"), EXITED(1), 0);
	ENDS(ARGV("minit", "-e", "0", "server"), EXITED(0), 0);
}

/* tini -e 143 (the common "Java exits 143 on TERM" idiom): tini remaps the
 * code after computing 128+N, so a child killed by TERM exits 0. */
static void remap_exit_signal_code(void)
{
	start(ARGV("tini", "-e", "143", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	main_exits(SIGNALED(SIGTERM), true, 50);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);
}

/* "-e CODE: child exit CODE counts as 0": so not a failure for on-failure. */
static void remap_exit_on_failure(void)
{
	ENDS(ARGV("minit", "-e", "3", "--restart", "on-failure", "server"), EXITED(3), 0);
}

static void spawn_failures(void)
{
	/* exec failed at the first spawn: that code, no restart whatever the policy */
	setup(ARGV("minit", "--restart", "always", "nope"));
	script_spawn(127);
	sup_start(&S, at(0));
	CHECK_INT(S.state, SUP_RUNNING);
	main_exits(EXITED(127), true, 1);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 127);
	CHECK_INT(F.spawns, 1);

	setup(ARGV("minit", "--restart", "always", "./not-executable"));
	script_spawn(126);
	sup_start(&S, at(0));
	main_exits(EXITED(126), true, 1);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 126);
	CHECK_INT(F.spawns, 1);

	/* the child's set-up failed before exec (identity, capabilities): 125 */
	setup(ARGV("minit", "--restart", "always", "server"));
	script_spawn(125);
	sup_start(&S, at(0));
	main_exits(EXITED(125), true, 1);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 125);
	CHECK_INT(F.spawns, 1);

	/* fork failed at the first spawn: minit failed, 125, no retry */
	setup(ARGV("minit", "--restart", "always", "server"));
	script_spawn(-1);
	sup_start(&S, at(0));
	if (S.state != SUP_DONE && S.deadline != SUP_NEVER)
		tick(S.deadline);
	sup_children(&S, true, at(S.deadline == SUP_NEVER ? 1 : S.deadline));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 125);
	CHECK_INT(F.spawns, 1);
}

static void unborn_starts_again(void)
{
	/* killed at birth (clone3 into a cgroup the kernel kills children in):
	 * started again at once, whatever the policy, and no restart counted */
	setup(ARGV("minit", "server"));
	script_spawn(UNBORN);
	sup_start(&S, at(0));
	main_exits(SIGNALED(SIGKILL), true, 1);
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_INT(F.spawns, 2);
	CHECK_INT(S.main, FIRST_PID + 1);
	CHECK_INT(S.restart_count, 0);
	main_exits(EXITED(3), true, 2);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 3);

	/* a stop came first: the stop ends with no child to stop */
	setup(ARGV("minit", "server"));
	script_spawn(UNBORN);
	sup_start(&S, at(0));
	sup_signal(&S, SIGTERM, NULL, at(1));
	main_exits(SIGNALED(SIGKILL), true, 2);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(F.spawns, 1);
}

static void fork_failure_while_restarting(void)
{
	uint64_t t;
	int i;

	start(ARGV("minit", "server"));
	F.spawn_ret[1] = -1;
	F.spawn_ret[2] = -1;
	F.spawn_ret[3] = -1;
	F.spawn_script = 4; /* restart attempts 1..3 fail, the 4th works */
	main_exits(SIGNALED(SIGSEGV), true, 1000);
	CHECK_INT(S.state, SUP_BACKOFF);
	for (i = 0; i < 3; i++) {
		t = S.deadline;
		tick(t);
		CHECK_INT(S.state, SUP_BACKOFF);
		CHECK(S.deadline > t && S.deadline != SUP_NEVER);
		CHECK(S.deadline - t <= O.backoff_max_ms);
	}
	tick(S.deadline);
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_INT(F.spawns, 5);
	CHECK_INT(S.main, FIRST_PID + 1);
}

static void rewrite_drops(void)
{
	/* TERM rewritten to 0: dropped, so it neither reaches the child nor stops */
	start(ARGV("minit", "-r", "TERM:0", "server"));
	sup_signal(&S, SIGTERM, NULL, at(10));
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_NO_SENDS_FROM(0);
	CHECK_U64(S.deadline, SUP_NEVER);
	sup_signal(&S, SIGINT, NULL, at(20)); /* still a stop */
	CHECK_INT(S.state, SUP_STOPPING);
	sup_signal(&S, SIGTERM, NULL, at(30)); /* and still dropped while stopping */
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGINT, 20 }, { SUP_TO_MAIN, SIGCONT, 20 });

	start(ARGV("minit", "-r", "HUP:0", "server"));
	sup_signal(&S, SIGHUP, NULL, at(10));
	CHECK_NO_SENDS_FROM(0);
}

/* Nor does a dropped stop signal stop minit while a restart is pending. */
static void rewrite_drops_in_backoff(void)
{
	start(ARGV("minit", "-r", "TERM:0", "server"));
	main_exits(SIGNALED(SIGSEGV), true, 100);
	CHECK_INT(S.state, SUP_BACKOFF);
	sup_signal(&S, SIGTERM, NULL, at(150));
	CHECK_INT(S.state, SUP_BACKOFF);
	if (S.state == SUP_BACKOFF) {
		tick(S.deadline);
		CHECK_INT(S.state, SUP_RUNNING);
	}
}

static void stop_during_backoff(void)
{
	/* nothing left: minit ends at once, no restart */
	start(ARGV("minit", "server"));
	main_exits(SIGNALED(SIGSEGV), true, 100);
	CHECK_INT(S.state, SUP_BACKOFF);
	sup_signal(&S, SIGTERM, NULL, at(150));
	CHECK(S.state == SUP_DONE || S.state == SUP_DRAINING);
	CHECK(S.deadline <= 150 + KILL_REPEAT_MS || S.deadline == SUP_NEVER);
	sup_children(&S, true, at(150));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(F.spawns, 1);

	/* leftovers of the crashed server: KILLed now, not at the stop timeout */
	start(ARGV("minit", "--backoff-min", "5s", "server"));
	main_exits(SIGNALED(SIGSEGV), false, 100);
	sup_signal(&S, SIGINT, NULL, at(200));
	CHECK_INT(S.state, SUP_DRAINING);
	CHECK_SENT_FROM(2, { SUP_TO_ALL, SIGKILL, 200 });
	sup_children(&S, true, at(210));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(F.spawns, 1);

	/* a non-stop signal while no child runs is not a stop */
	start(ARGV("minit", "server"));
	main_exits(SIGNALED(SIGSEGV), true, 100);
	sup_signal(&S, SIGHUP, NULL, at(150));
	CHECK_INT(S.state, SUP_BACKOFF);
	tick(S.deadline);
	CHECK_INT(S.state, SUP_RUNNING);
}

static void pause_mode(void)
{
	static const int ignored[] = { SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM };
	size_t i;

	start(ARGV("minit", "--pause"));
	CHECK_INT(S.state, SUP_PAUSED);
	CHECK_INT(F.spawns, 0);
	CHECK_U64(S.deadline, SUP_NEVER);
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sup_signal(&S, ignored[i], NULL, at(10 + i));
	sup_children(&S, false, at(50)); /* orphans come and go */
	sup_children(&S, true, at(60));
	CHECK_INT(S.state, SUP_PAUSED);
	CHECK_NO_SENDS_FROM(0);
	sup_signal(&S, SIGTERM, NULL, at(100));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);
	CHECK_INT(F.spawns, 0);

	start(ARGV("minit", "--pause"));
	sup_signal(&S, SIGINT, NULL, at(100));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);
	CHECK_NO_SENDS_FROM(0);
}

static void handoff(void)
{
	/* the pid file names the successor at once */
	start(ARGV("minit", "--pidfile", "/run/app.pid", "server"));
	script_handoff(555);
	main_exits(EXITED(0), false, 1000);
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_INT(S.main, 555);
	CHECK_INT(F.handoff_old, FIRST_PID);
	CHECK_U64(S.deadline, SUP_NEVER);
	CHECK_INT(F.spawns, 1);
	CHECK_NO_SENDS_FROM(0);
	/* the successor is the main child now: signals and stops go to it */
	sup_signal(&S, SIGTERM, NULL, at(2000));
	CHECK_INT(S.state, SUP_STOPPING);
	main_exits(EXITED(0), true, 2100);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);

	/* not yet written: polled until it is */
	start(ARGV("minit", "--pidfile", "/run/app.pid", "server"));
	script_handoff(0);
	script_handoff(0);
	script_handoff(777);
	main_exits(EXITED(0), false, 1000);
	CHECK_INT(S.state, SUP_HANDOFF);
	CHECK(S.deadline > 1000 && S.deadline <= 1000 + HANDOFF_POLL_MS);
	tick(S.deadline);
	CHECK_INT(S.state, SUP_HANDOFF);
	tick(S.deadline);
	CHECK_INT(S.state, SUP_RUNNING);
	CHECK_INT(S.main, 777);
	CHECK_INT(F.spawns, 1);

	/* never written: after HANDOFF_WAIT_MS the exit counts (exit 0 under on-crash: end) */
	start(ARGV("minit", "--pidfile", "/run/app.pid", "server"));
	main_exits(EXITED(0), false, 1000);
	while (S.state == SUP_HANDOFF && F.now < 1000 + 2 * HANDOFF_WAIT_MS)
		tick(S.deadline);
	CHECK_INT(S.state, SUP_DRAINING);
	CHECK(F.now >= 1000 + HANDOFF_WAIT_MS);
	CHECK(F.now <= 1000 + HANDOFF_WAIT_MS + HANDOFF_POLL_MS);
	CHECK_INT(count_sent(SUP_TO_ALL, SIGTERM), 1);
	sup_children(&S, true, at(F.now + 1));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);

	/* never written, and then nothing is left at all: the normal exit path */
	start(ARGV("minit", "--pidfile", "/run/app.pid", "server"));
	main_exits(EXITED(0), false, 1000);
	CHECK_INT(S.state, SUP_HANDOFF);
	sup_children(&S, true, at(1010));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);

	/* only a clean exit (a launcher that daemonised) waits for a successor:
	 * a failure goes straight to the leftovers ... */
	start(ARGV("minit", "--pidfile", "/run/app.pid", "server"));
	main_exits(EXITED(4), false, 1000);
	CHECK_INT(S.state, SUP_DRAINING);
	sup_children(&S, true, at(1010));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 4);

	/* ... and a crash that is not handed off is restarted after the back-off */
	start(ARGV("minit", "--pidfile", "/run/app.pid", "server"));
	main_exits(SIGNALED(SIGSEGV), false, 1000);
	CHECK_INT(S.state, SUP_BACKOFF);
	CHECK(S.deadline == 1000 + 100);

	/* a stop request while waiting for the pid file: the rest is stopped gracefully,
	 * TERM (+CONT) now and KILL at the stop timeout, and nothing is followed any more */
	start(ARGV("minit", "--pidfile", "/run/app.pid", "server"));
	main_exits(EXITED(0), false, 1000);
	CHECK_INT(S.state, SUP_HANDOFF);
	sup_signal(&S, SIGTERM, NULL, at(1005));
	CHECK_INT(S.state, SUP_DRAINING);
	CHECK_SENT_FROM(0, { SUP_TO_ALL, SIGTERM, 1005 }, { SUP_TO_ALL, SIGCONT, 1005 });
	CHECK_U64(S.deadline, 1005 + 9000);
	tick(S.deadline);
	CHECK_SENT_FROM(2, { SUP_TO_ALL, SIGKILL, 10005 });
	sup_children(&S, true, at(10010));
	CHECK_INT(S.state, SUP_DONE);
	CHECK_INT(S.exit_code, 0);
	CHECK_INT(F.handoffs, 1);

	/* nothing left when the main child exits: no hand-off to wait for */
	start(ARGV("minit", "--pidfile", "/run/app.pid", "server"));
	main_exits(EXITED(0), true, 1000);
	CHECK_INT(S.state, SUP_DONE);
}


static struct notify_msg say(const char *text)
{
	struct notify_msg m;

	if (notify_parse(text, strlen(text), &m))
		unit_fail(__FILE__, __LINE__, "expected '%s' to parse", text);
	return m;
}

static void notify_messages(void)
{
	struct notify_msg m;
	const char big_status[] = "STATUS=\x01tab\there";

	m = say("READY=1\nSTATUS=serving 42 requests\nMAINPID=77\n");
	CHECK(m.ready && m.has_status && m.mainpid == 77);
	CHECK_STR(m.status, "serving 42 requests");
	m = say("WATCHDOG=1");
	CHECK(m.watchdog && !m.watchdog_trigger && !m.ready);
	m = say("WATCHDOG=trigger\nEXTEND_TIMEOUT_USEC=2500000\nX_UNKNOWN=1");
	CHECK(m.watchdog_trigger && m.extend_usec == 2500000 && m.ignored == 1);
	/* a launcher's WATCHDOG_USEC and WATCHDOG_PID, for process 42 */
	CHECK_U64(notify_launcher_watchdog("30000000", NULL, 42), 30000000);
	CHECK_U64(notify_launcher_watchdog("7200000000", "42", 42), 7200000000ULL); /* 2 h */
	CHECK_U64(notify_launcher_watchdog("30000000", "43", 42), 0);	/* another's */
	CHECK_U64(notify_launcher_watchdog("30000000", "42x", 42), 0);
	CHECK_U64(notify_launcher_watchdog("+300", NULL, 42), 0);
	CHECK_U64(notify_launcher_watchdog("", NULL, 42), 0);
	CHECK_U64(notify_launcher_watchdog(NULL, "42", 42), 0);
	CHECK_U64(notify_launcher_watchdog("99999999999999999999", NULL, 42), 0);
	m = say(big_status);
	CHECK_STR(m.status, "?tab?here");
	m = say("STATUS=");
	CHECK(m.has_status && !m.status[0]);
	CHECK(notify_parse("READY=2", 7, &m) != 0);	 /* only 1 */
	CHECK(notify_parse("MAINPID=1", 9, &m) != 0);	 /* never minit itself as PID 1 */
	CHECK(notify_parse("MAINPID=x7", 10, &m) != 0);
	CHECK(notify_parse("READY=1\0x", 9, &m) != 0); /* a NUL in the line */
	CHECK(notify_parse("", 0, &m) != 0);
	m = say("RELOADING=1\n\nSTOPPING=1");
	CHECK(m.reloading && m.stopping);
}

/* --notify: starting until READY=1; --ready-timeout ends it for a restart */
static void readiness(void)
{
	const char *why = "";
	struct notify_msg m = say("READY=1");

	start(ARGV("minit", "--notify", "server"));
	CHECK(!sup_healthy(&S, &why));
	CHECK_STR(sup_state_name(&S), "starting");
	sup_notify(&S, &m, at(500));
	CHECK(sup_healthy(&S, &why));
	CHECK_STR(sup_state_name(&S), "running");
	m = say("RELOADING=1");
	CHECK(sup_notify(&S, &m, at(600))); /* taken: passed on to a launcher's socket */
	CHECK(!sup_healthy(&S, &why));
	CHECK_STR(sup_state_name(&S), "reloading");

	/* without --notify a child that says nothing is healthy */
	start(ARGV("minit", "server"));
	CHECK(sup_healthy(&S, &why));

	start(ARGV("minit", "--ready-timeout", "2s", "--restart", "on-crash", "server"));
	CHECK_U64(S.deadline, 2000);
	tick(2000);
	CHECK_INT(S.state, SUP_STOPPING);
	CHECK_INT(S.ending, SUP_END_NOT_READY);
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGTERM, 2000 }, { SUP_TO_MAIN, SIGCONT, 2000 });
	main_exits(EXITED(0), true, 2100);
	CHECK_INT(S.state, SUP_BACKOFF); /* counts as a crash */
	CHECK(strstr(S.reasons[0], "not ready") != NULL);
	m = say("READY=1");
	CHECK(!sup_notify(&S, &m, at(2200))); /* no child runs: dropped, not passed on */
}

/* --watchdog: each WATCHDOG=1 moves the deadline; a missed one ends the
 * child through the ladder and restarts it; WATCHDOG=trigger at once */
static void watchdog(void)
{
	struct notify_msg beat = say("WATCHDOG=1"), trigger = say("WATCHDOG=trigger");

	start(ARGV("minit", "--watchdog", "1s", "--restart", "no", "server"));
	CHECK_U64(S.deadline, 1000);
	sup_notify(&S, &beat, at(800));
	CHECK_U64(S.deadline, 1800);
	tick(1800);
	CHECK_INT(S.state, SUP_STOPPING);
	CHECK_INT(S.ending, SUP_END_WATCHDOG);
	main_exits(SIGNALED(SIGTERM), true, 1810);
	CHECK_INT(S.state, SUP_DONE); /* --restart no: minit exits with its status */
	CHECK_INT(S.exit_code, 143);
	CHECK_STR(finished_why, "server killed by SIGTERM (watchdog: no WATCHDOG=1 in 1000 ms)");

	start(ARGV("minit", "--watchdog", "1s", "server"));
	sup_notify(&S, &trigger, at(100));
	CHECK_U64(S.deadline, 100);
	tick(100);
	CHECK_INT(S.ending, SUP_END_WATCHDOG);
	/* a stop request while minit ends it: a stop, no restart after */
	sup_signal(&S, SIGTERM, NULL, at(150));
	CHECK_INT(S.ending, SUP_END_NONE);
	main_exits(SIGNALED(SIGTERM), true, 200);
	CHECK_INT(S.state, SUP_DONE);
}

/* --stop-delay: the first rung after the delay, the KILL still at the timeout */
static void stop_delay(void)
{
	start(ARGV("minit", "--stop-delay", "2s", "--stop-ladder", "QUIT,TERM,KILL", "--stop-timeout",
		   "8s", "server"));
	sup_signal(&S, SIGTERM, NULL, at(1000));
	CHECK_INT(S.state, SUP_STOPPING);
	CHECK_NO_SENDS_FROM(0);
	CHECK_U64(S.deadline, 3000);
	tick(3000);
	/* the ladder over the remaining 6 s: QUIT now, TERM at +2 s, KILL at +6 s */
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGQUIT, 3000 }, { SUP_TO_MAIN, SIGCONT, 3000 });
	CHECK_U64(S.deadline, 5000);
	tick(5000);
	CHECK_U64(S.deadline, 9000);

	/* a second stop request ends the delay at once */
	start(ARGV("minit", "--stop-delay", "2s", "server"));
	sup_signal(&S, SIGTERM, NULL, at(100));
	sup_signal(&S, SIGINT, NULL, at(400));
	CHECK_SENT_FROM(0, { SUP_TO_MAIN, SIGTERM, 400 }, { SUP_TO_MAIN, SIGCONT, 400 });
	CHECK_U64(S.deadline, 100 + 9000);

	/* the child exiting during the delay ends it too */
	start(ARGV("minit", "--stop-delay", "2s", "server"));
	sup_signal(&S, SIGTERM, NULL, at(100));
	main_exits(EXITED(0), true, 500);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_STR(finished_why, "server exited with status 0 during the stop delay (stop requested by SIGTERM)");

	/* a delay longer than the timeout is cut to it */
	start(ARGV("minit", "--stop-delay", "20s", "--stop-timeout", "5s", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	CHECK_U64(S.deadline, 5000);
}

/* EXTEND_TIMEOUT_USEC during a stop moves the final KILL (and the rungs left) */
static void extend_timeout(void)
{
	struct notify_msg m = say("EXTEND_TIMEOUT_USEC=20000000");

	start(ARGV("minit", "--stop-timeout", "9s", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	CHECK_U64(S.deadline, 9000);
	sup_notify(&S, &m, at(1000));
	CHECK_U64(S.deadline, 21000);
	m = say("EXTEND_TIMEOUT_USEC=1000"); /* sooner than planned: nothing changes */
	sup_notify(&S, &m, at(2000));
	CHECK_U64(S.deadline, 21000);
}

/* MAINPID=: a child of minit's becomes the main child at once */
static void mainpid(void)
{
	struct notify_msg m = say("MAINPID=4242");

	start(ARGV("minit", "server"));
	sup_notify(&S, &m, at(10));
	CHECK_INT(S.main, 4242);
	CHECK_INT(S.state, SUP_RUNNING);
	m = say("MAINPID=5000"); /* not minit's child (yet): remembered only */
	sup_notify(&S, &m, at(20));
	CHECK_INT(S.main, 4242);
	CHECK_INT(S.mainpid_hint, 5000);
}

/* the termination message for a stop, a give-up and --pause */
static void termination_messages(void)
{
	start(ARGV("minit", "--stop-ladder", "QUIT,KILL", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	main_exits(EXITED(0), true, 100);
	CHECK_STR(finished_why, "server exited with status 0 after SIGQUIT (stop requested by SIGTERM)");
	CHECK_INT(finished_calls, 1);

	start(ARGV("minit", "--restart-max", "0", "server"));
	main_exits(SIGNALED(SIGSEGV), true, 100);
	CHECK_STR(finished_why, "gave up after 0 restarts in 60 s: killed by SIGSEGV");

	start(ARGV("minit", "--pause"));
	sup_signal(&S, SIGTERM, NULL, at(5));
	CHECK_STR(finished_why, "--pause ended by SIGTERM");
}

static void done_is_terminal(void)
{
	start(ARGV("minit", "--restart", "always", "server"));
	sup_signal(&S, SIGTERM, NULL, at(0));
	main_exits(EXITED(0), true, 10);
	CHECK_INT(S.state, SUP_DONE);
	sup_signal(&S, SIGTERM, NULL, at(20));
	sup_signal(&S, SIGHUP, NULL, at(30));
	sup_children(&S, true, at(40));
	tick(50);
	CHECK_INT(S.state, SUP_DONE);
	CHECK_U64(S.deadline, SUP_NEVER);
	CHECK_INT(F.spawns, 1);
	CHECK_SENT_FROM(2);
}

void suite_supervise(void)
{
	RUN(rung_offsets, "supervisor: sup_rung_offset_ms t, 2t, 4t... summing to the timeout");
	RUN(ladder_schedule, "supervisor: QUIT,TERM,KILL over 9 s: QUIT+CONT, TERM+CONT at 3 s, KILL at 9 s");
	RUN(default_ladder, "supervisor: default ladder = received (rewritten) signal, KILL at timeout");
	RUN(forwarding, "supervisor: other signals are forwarded (rewritten) to the child");
	RUN(second_stop_keeps_ladder, "supervisor: a second stop request does not restart the ladder");
	RUN(graceful_stop, "supervisor: child exits after a stop: its code, leftovers drained");
	RUN(exit_and_drain, "supervisor: leftovers get TERM then KILL after the grace; DONE when none left");
	RUN(backoff_doubles_and_caps, "supervisor: restart back-off 100, 200, 400... capped");
	RUN(backoff_resets_after_long_run, "supervisor: back-off resets after a 10 s run");
	RUN(give_up_after_restart_max, "supervisor: gives up after restart-max in the window");
	RUN(policy_on_crash, "supervisor: on-crash restarts KILL/SEGV/ABRT/BUS/ILL/FPE/SYS/TRAP only");
	RUN(kill_sent_by_minit_is_no_crash, "supervisor: on-crash does not restart after a KILL minit forwarded");
	RUN(policy_on_failure_always_no, "supervisor: on-failure, always, no; 126/127 never restart");
	RUN(remap_exit, "supervisor: -e CODE makes the exit code 0");
	RUN(remap_exit_signal_code, "supervisor: -e 143 makes a TERM death exit 0, as tini -e");
	RUN(remap_exit_on_failure, "supervisor: on-failure does not restart an exit code given to -e");
	RUN(spawn_failures, "supervisor: exec failure ends with its code, fork failure with 125");
	RUN(unborn_starts_again, "supervisor: a child killed at birth starts again at once, no crash");
	RUN(fork_failure_while_restarting, "supervisor: fork failure while restarting retries with back-off");
	RUN(rewrite_drops, "supervisor: a signal rewritten to 0 is dropped and does not stop");
	RUN(rewrite_drops_in_backoff, "supervisor: a stop signal rewritten to 0 does not stop during back-off");
	RUN(stop_during_backoff, "supervisor: a stop during back-off ends at once");
	RUN(pause_mode, "supervisor: --pause exits 0 on TERM/INT, ignores the rest");
	RUN(handoff, "supervisor: --pidfile hand-off to the successor");
	RUN(done_is_terminal, "supervisor: DONE is terminal");
	RUN(notify_messages, "notify_parse: the keys understood, values checked, the rest counted");
	RUN(readiness, "supervisor: --notify until READY=1, RELOADING=1, --ready-timeout");
	RUN(watchdog, "supervisor: --watchdog, WATCHDOG=1 and =trigger, a stop while ending");
	RUN(stop_delay, "supervisor: --stop-delay, within the timeout; a second request or an exit ends it");
	RUN(extend_timeout, "supervisor: EXTEND_TIMEOUT_USEC moves the final KILL");
	RUN(mainpid, "supervisor: MAINPID= of a child of minit's is followed at once");
	RUN(termination_messages, "supervisor: the termination message for a stop, a give-up, --pause");
}
