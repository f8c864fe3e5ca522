#include "supervise.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "../reaper/reaper.h"
#include "../spawn/spawn.h"
#include "log.h"

#define STATUS_TEXT_MAX 64

void sup_init(struct supervisor *s, const struct opts *o, const struct sup_ops *ops)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->ops = *ops;
	s->deadline = SUP_NEVER;
	s->backoff_ms = o->backoff_min_ms;
}

static void finish(struct supervisor *s)
{
	s->state = SUP_DONE;
	s->deadline = SUP_NEVER;
}

uint64_t sup_rung_offset_ms(uint64_t timeout_ms, size_t len, size_t k)
{
	uint64_t units = len > 1 ? (1ULL << (len - 1)) - 1 : 0; /* t + 2t + ... over len - 1 waits */

	return units ? timeout_ms * ((1ULL << k) - 1) / units : 0;
}

static void send_with_cont(struct supervisor *s, enum sup_target to, int sig)
{
	s->ops.send(s->ops.ctx, to, sig);
	if (sig != SIGKILL && sig != SIGCONT)
		s->ops.send(s->ops.ctx, to, SIGCONT);
}

static void kill_everything(struct supervisor *s, uint64_t now)
{
	if (!s->killing)
		log_msg(LOG_WARN, "sending KILL to every remaining process");
	s->killing = true;
	s->ops.send(s->ops.ctx, SUP_TO_ALL, SIGKILL);
	s->deadline = now + KILL_REPEAT_MS;
}

/* Main child gone for good: TERM (+CONT) the rest, KILL them at kill_at. */
static void drain(struct supervisor *s, bool none_left, uint64_t kill_at, uint64_t now)
{
	s->main = 0;
	if (none_left) {
		finish(s);
		return;
	}
	s->state = SUP_DRAINING;
	if (s->killing || kill_at <= now) {
		kill_everything(s, now);
		return;
	}
	log_msg(LOG_INFO, "sending TERM to remaining processes, KILL in %llu ms",
		(unsigned long long)(kill_at - now));
	send_with_cont(s, SUP_TO_ALL, SIGTERM);
	s->deadline = kill_at;
}

/* This restart's delay; the next one doubles, up to --backoff-max. */
static uint64_t take_backoff(struct supervisor *s)
{
	uint64_t delay = s->backoff_ms;

	s->backoff_ms = delay * 2 > s->o->backoff_max_ms ? s->o->backoff_max_ms : delay * 2;
	return delay;
}

static void start_child(struct supervisor *s, uint64_t now)
{
	pid_t pid = 0;
	int r = s->ops.spawn(s->ops.ctx, &pid);

	if (r == 0) {
		s->main = pid;
		s->sent_kill = false;
		s->started_ms = now;
		s->state = SUP_RUNNING;
		s->deadline = SUP_NEVER;
		log_msg(LOG_INFO, "started %s as pid %d", s->o->argv[0], (int)pid);
		return;
	}
	if (r < 0 && s->restart_count) {
		/* fork failed while restarting: keep trying, paced by the back-off */
		s->state = SUP_BACKOFF;
		s->deadline = now + take_backoff(s);
		log_msg(LOG_WARN, "retrying in %llu ms", (unsigned long long)(s->deadline - now));
		return;
	}
	s->exit_code = r < 0 ? EXIT_MINIT_FAILED : r;
	drain(s, false, now + s->o->leftover_grace_ms, now);
}

void sup_start(struct supervisor *s, uint64_t now)
{
	if (s->o->pause) {
		s->state = SUP_PAUSED;
		return;
	}
	start_child(s, now);
}

static void begin_stop(struct supervisor *s, int sig, int received, uint64_t now)
{
	char a[SIGNAL_NAME_MAX], b[SIGNAL_NAME_MAX];
	const struct opts *o = s->o;

	if (o->ladder_len) {
		memcpy(s->ladder, o->ladder, sizeof(o->ladder));
		s->ladder_len = o->ladder_len;
	} else {
		s->ladder[0] = sig;
		s->ladder[1] = SIGKILL;
		s->ladder_len = sig == SIGKILL ? 1 : 2;
	}
	s->state = SUP_STOPPING;
	s->stop_ms = now;
	s->rung = 0;
	log_msg(LOG_INFO, "stop requested by SIG%s: sending %s to pid %d, KILL in %llu ms",
		signal_name(received, a), signal_name(s->ladder[0], b), (int)s->main,
		(unsigned long long)o->stop_timeout_ms);
	if (s->ladder[0] == SIGKILL) {
		kill_everything(s, now);
		return;
	}
	send_with_cont(s, SUP_TO_MAIN, s->ladder[0]);
	s->deadline = now + sup_rung_offset_ms(o->stop_timeout_ms, s->ladder_len, 1);
}

static void climb(struct supervisor *s, uint64_t now)
{
	char name[SIGNAL_NAME_MAX];
	int sig;

	if (s->killing) {
		kill_everything(s, now);
		return;
	}
	sig = s->ladder[++s->rung];
	if (sig == SIGKILL) {
		kill_everything(s, now);
		return;
	}
	log_msg(LOG_WARN, "pid %d still running after %llu ms: sending %s", (int)s->main,
		(unsigned long long)(now - s->stop_ms), signal_name(sig, name));
	send_with_cont(s, SUP_TO_MAIN, sig);
	s->deadline = s->stop_ms + sup_rung_offset_ms(s->o->stop_timeout_ms, s->ladder_len,
						      s->rung + 1);
}

void sup_signal(struct supervisor *s, int sig, uint64_t now)
{
	char a[SIGNAL_NAME_MAX], b[SIGNAL_NAME_MAX];
	int fwd = sig <= SIG_MAX ? s->o->rewrite[sig] : sig;
	bool stop = sig <= SIG_MAX && s->o->stop_on[sig] && fwd;

	switch (s->state) {
	case SUP_PAUSED:
		if (sig == SIGTERM || sig == SIGINT) {
			log_msg(LOG_INFO, "SIG%s received: leaving pause", signal_name(sig, a));
			finish(s);
		}
		return;
	case SUP_RUNNING:
		if (stop && fwd) {
			begin_stop(s, fwd, sig, now);
			return;
		}
		/* fall through */
	case SUP_STOPPING:
		if (log_enabled(LOG_DEBUG))
			log_msg(LOG_DEBUG, "%s SIG%s as SIG%s to pid %d", fwd ? "forwarding" : "dropping",
				signal_name(sig, a), signal_name(fwd, b), (int)s->main);
		if (fwd)
			s->ops.send(s->ops.ctx, SUP_TO_MAIN, fwd);
		s->sent_kill = s->sent_kill || fwd == SIGKILL;
		return;
	case SUP_HANDOFF:
		/* the successor may be starting up: stop the rest gracefully */
		if (stop)
			drain(s, false, now + s->o->stop_timeout_ms, now);
		return;
	case SUP_BACKOFF:
	case SUP_DRAINING:
		/* what is left already had its TERM: end it now */
		if (stop) {
			log_msg(LOG_INFO, "stop requested by SIG%s while no child runs",
				signal_name(sig, a));
			drain(s, s->empty, now, now);
		}
		return;
	case SUP_DONE:
		return;
	}
}

/* The exit code minit reports: 128+N for signal N, then -e remapping (as tini's -e 143). */
static int status_code(const struct supervisor *s, int status)
{
	int code = reap_exit_code(status);

	return s->o->remap_exit[code] ? 0 : code;
}

static bool crashed(const struct supervisor *s, int status)
{
	static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
					     SIGSYS, SIGTRAP, SIGKILL };
	size_t i;

	if (!WIFSIGNALED(status) || (WTERMSIG(status) == SIGKILL && s->sent_kill))
		return false;
	for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		if (WTERMSIG(status) == crash_signals[i])
			return true;
	return false;
}

static bool wants_restart(const struct supervisor *s, int status)
{
	int code = reap_exit_code(status);

	if (WIFEXITED(status) && (code == EXIT_NOT_EXECUTABLE || code == EXIT_NOT_FOUND))
		return false; /* could not execute: restarting would only loop */
	switch (s->o->restart) {
	case RESTART_ALWAYS: return true;
	case RESTART_ON_FAILURE: return status_code(s, status) != 0;
	case RESTART_ON_CRASH: return crashed(s, status);
	case RESTART_NO: break;
	}
	return false;
}

/* Restarts within the window, counting the one about to happen. */
static size_t recent_restarts(const struct supervisor *s, uint64_t now)
{
	size_t i, n = 0, have = s->restart_count < RESTART_HISTORY ? s->restart_count
								     : RESTART_HISTORY;

	for (i = 0; i < have; i++)
		if (now - s->restarts[i] < s->o->restart_window_ms)
			n++;
	return n;
}

static void schedule_restart(struct supervisor *s, const char *what, bool none_left, uint64_t now)
{
	const struct opts *o = s->o;
	uint64_t delay;

	if (recent_restarts(s, now) >= o->restart_max) {
		log_msg(LOG_ERROR, "pid %d %s; giving up after %u restarts in %llu ms", (int)s->main,
			what, o->restart_max, (unsigned long long)o->restart_window_ms);
		drain(s, none_left, now + o->leftover_grace_ms, now);
		return;
	}
	if (now - s->started_ms >= BACKOFF_RESET_MS)
		s->backoff_ms = o->backoff_min_ms;
	delay = take_backoff(s);
	s->restarts[s->restart_count++ % RESTART_HISTORY] = now + delay;
	log_msg(LOG_WARN, "pid %d %s; restart %zu of %u in %llu ms", (int)s->main, what,
		recent_restarts(s, now + delay), o->restart_max, (unsigned long long)delay);
	s->main = 0;
	s->state = SUP_BACKOFF;
	s->deadline = now + delay;
	if (!none_left)
		send_with_cont(s, SUP_TO_TREE, SIGTERM); /* the crashed server's workers */
}

/* The main child is gone and no successor was found: restart or end. */
static void after_exit(struct supervisor *s, int status, bool none_left, uint64_t now)
{
	char what[STATUS_TEXT_MAX];

	reap_describe(status, what, sizeof(what));
	if (wants_restart(s, status)) {
		schedule_restart(s, what, none_left, now);
		return;
	}
	log_msg(WIFSIGNALED(status) ? LOG_WARN : LOG_INFO, "pid %d %s",
		(int)s->main, what);
	drain(s, none_left, now + s->o->leftover_grace_ms, now);
}

static bool try_handoff(struct supervisor *s, uint64_t now)
{
	pid_t next = s->ops.handoff(s->ops.ctx, s->main);

	if (!next)
		return false;
	log_msg(LOG_INFO, "pid %d exited; following pid %d from %s", (int)s->main, (int)next,
		s->o->pidfile);
	s->main = next;
	s->sent_kill = false;
	s->started_ms = now;
	s->state = SUP_RUNNING;
	s->deadline = SUP_NEVER;
	return true;
}

void sup_main_exited(struct supervisor *s, int status, bool none_left, uint64_t now)
{
	char what[STATUS_TEXT_MAX];

	s->status = status;
	s->exit_code = status_code(s, status);
	switch (s->state) {
	case SUP_RUNNING:
		if (s->o->pidfile && !none_left) {
			if (try_handoff(s, now))
				return;
			/* a launcher that daemonised exits 0 before its daemon writes the
			 * pid file: only then is a successor worth waiting for */
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				after_exit(s, status, none_left, now);
				return;
			}
			s->state = SUP_HANDOFF;
			s->handoff_until = now + HANDOFF_WAIT_MS;
			s->deadline = now + HANDOFF_POLL_MS;
			return;
		}
		after_exit(s, status, none_left, now);
		return;
	case SUP_STOPPING:
		log_msg(LOG_INFO, "pid %d %s after %llu ms", (int)s->main,
			reap_describe(status, what, sizeof(what)),
			(unsigned long long)(now - s->stop_ms));
		drain(s, none_left, s->stop_ms + s->o->stop_timeout_ms < now + s->o->leftover_grace_ms
					    ? s->stop_ms + s->o->stop_timeout_ms
					    : now + s->o->leftover_grace_ms,
		      now);
		return;
	default:
		return;
	}
}

void sup_children(struct supervisor *s, bool none_left, uint64_t now)
{
	s->empty = none_left;
	if (!none_left)
		return;
	if (s->state == SUP_DRAINING)
		finish(s);
	else if (s->state == SUP_HANDOFF) /* nothing alive can be named by the pid file now */
		after_exit(s, s->status, true, now);
}

void sup_tick(struct supervisor *s, uint64_t now)
{
	switch (s->state) {
	case SUP_STOPPING:
		climb(s, now);
		return;
	case SUP_DRAINING:
		kill_everything(s, now);
		return;
	case SUP_BACKOFF:
		if (!s->empty) /* stragglers of the crashed child */
			s->ops.send(s->ops.ctx, SUP_TO_TREE, SIGKILL);
		start_child(s, now);
		return;
	case SUP_HANDOFF:
		if (try_handoff(s, now))
			return;
		if (now < s->handoff_until) {
			s->deadline = now + HANDOFF_POLL_MS;
			return;
		}
		after_exit(s, s->status, false, now);
		return;
	default:
		s->deadline = SUP_NEVER;
		return;
	}
}
