#include "supervise.h"

#include <string.h>
#include <sys/wait.h>

#include "../base/log.h"
#include "../base/status.h"

#define STATUS_TEXT_MAX 64

void sup_init(struct supervisor *s, const struct sup_cfg *cfg, const struct sup_ops *ops)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->ops = *ops;
	s->deadline = SUP_NEVER;
	s->backoff_ms = cfg->backoff_min_ms;
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

static void send(struct supervisor *s, enum sup_target to, int sig)
{
	s->ops.send(s->ops.ctx, to, sig, NULL);
}

static void send_with_cont(struct supervisor *s, enum sup_target to, int sig)
{
	send(s, to, sig);
	if (sig != SIGKILL && sig != SIGCONT)
		send(s, to, SIGCONT);
}

/* A stop signal: with CONT after it unless the peer being replaced sends none. */
static void send_stop(struct supervisor *s, int sig)
{
	if (s->cfg->stop_cont)
		send_with_cont(s, SUP_TO_MAIN, sig);
	else
		send(s, SUP_TO_MAIN, sig);
}

static void kill_everything(struct supervisor *s, uint64_t now)
{
	if (!s->killing) {
		log_msg(LOG_WARN, "sending KILL to every remaining process");
		s->killing = true;
		s->kill_ms = now;
	} else if (!s->main && now - s->kill_ms >= KILL_GIVE_UP_MS) {
		/* the main child is gone; what minit cannot find or end is not waited for */
		log_msg(LOG_ERROR, "processes left %llu ms after KILL cannot be ended: exiting",
			(unsigned long long)(now - s->kill_ms));
		finish(s);
		return;
	}
	send(s, SUP_TO_ALL, SIGKILL);
	s->deadline = now + KILL_REPEAT_MS;
}

/* The main child is gone for good: deal with the rest as the configuration
 * says; for SUP_LEFT_END, TERM (+CONT) them now and KILL them at kill_at. */
static void drain(struct supervisor *s, bool none_left, uint64_t kill_at, uint64_t now)
{
	int term = s->cfg->rewrite[SIGTERM];

	s->main = 0;
	if (none_left || s->cfg->leftovers != SUP_LEFT_END) {
		if (!none_left && s->cfg->leftovers == SUP_LEFT_TERM_GROUP && term)
			send(s, SUP_TO_GROUP, term);
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

	s->backoff_ms = delay * 2 > s->cfg->backoff_max_ms ? s->cfg->backoff_max_ms : delay * 2;
	return delay;
}

static void start_child(struct supervisor *s, uint64_t now)
{
	pid_t pid = 0;

	if (s->ops.spawn(s->ops.ctx, &pid) == 0) {
		s->main = s->last = pid;
		s->sent_kill = false;
		s->started_ms = now;
		s->state = SUP_RUNNING;
		s->deadline = SUP_NEVER;
		log_msg(LOG_INFO, "started %s as pid %d", s->cfg->name, (int)pid);
		return;
	}
	if (s->restart_count) {
		/* fork failed while restarting: keep trying, paced by the back-off */
		s->state = SUP_BACKOFF;
		s->deadline = now + take_backoff(s);
		log_msg(LOG_WARN, "retrying in %llu ms", (unsigned long long)(s->deadline - now));
		return;
	}
	s->exit_code = EXIT_MINIT_FAILED;
	drain(s, false, now + s->cfg->leftover_grace_ms, now);
}

void sup_start(struct supervisor *s, uint64_t now)
{
	if (s->cfg->pause) {
		s->state = SUP_PAUSED;
		return;
	}
	start_child(s, now);
}

static void begin_stop(struct supervisor *s, int sig, int received, uint64_t now)
{
	char a[SIGNAL_NAME_MAX], b[SIGNAL_NAME_MAX];
	const struct sup_cfg *c = s->cfg;
	bool escalate = c->stop_timeout_ms != SUP_NEVER;

	if (c->ladder_len) {
		memcpy(s->ladder, c->ladder, sizeof(c->ladder));
		s->ladder_len = c->ladder_len;
	} else {
		s->ladder[0] = sig;
		s->ladder[1] = SIGKILL;
		s->ladder_len = sig == SIGKILL || !escalate ? 1 : 2;
	}
	s->state = SUP_STOPPING;
	s->stop_ms = now;
	s->rung = 0;
	if (escalate)
		log_msg(LOG_INFO, "stop requested by SIG%s: sending %s to pid %d, KILL in %llu ms",
			signal_name(received, a), signal_name(s->ladder[0], b), (int)s->main,
			(unsigned long long)c->stop_timeout_ms);
	else
		log_msg(LOG_INFO, "stop requested by SIG%s: sending %s to pid %d", signal_name(received, a),
			signal_name(s->ladder[0], b), (int)s->main);
	if (s->ladder[0] == SIGKILL) {
		kill_everything(s, now);
		return;
	}
	send_stop(s, s->ladder[0]);
	s->deadline = escalate ? now + sup_rung_offset_ms(c->stop_timeout_ms, s->ladder_len, 1)
			       : SUP_NEVER;
}

static void climb(struct supervisor *s, uint64_t now)
{
	char name[SIGNAL_NAME_MAX];
	int sig;

	if (s->killing || s->rung + 1 >= s->ladder_len) {
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
	send_stop(s, sig);
	s->deadline = s->stop_ms + sup_rung_offset_ms(s->cfg->stop_timeout_ms, s->ladder_len,
						      s->rung + 1);
}

static bool is_tty_stop(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void forward(struct supervisor *s, int sig, int fwd, const union sigval *value)
{
	char a[SIGNAL_NAME_MAX], b[SIGNAL_NAME_MAX];

	if (log_enabled(LOG_DEBUG))
		log_msg(LOG_DEBUG, "%s SIG%s as SIG%s to pid %d", fwd ? "forwarding" : "dropping",
			signal_name(sig, a), signal_name(fwd, b), (int)s->main);
	if (fwd)
		s->ops.send(s->ops.ctx, SUP_TO_MAIN, fwd, value);
	s->sent_kill = s->sent_kill || fwd == SIGKILL;
	/* dumb-init: the terminal's stop suspends minit too, so the shell sees it stopped */
	if (s->cfg->job_control && is_tty_stop(sig))
		send(s, SUP_TO_SELF, SIGSTOP);
}

void sup_signal(struct supervisor *s, int sig, const union sigval *value, uint64_t now)
{
	char a[SIGNAL_NAME_MAX];
	int fwd = sig <= SIG_MAX ? s->cfg->rewrite[sig] : sig;
	bool stop = sig <= SIG_MAX && s->cfg->stop_on[sig] && fwd;

	switch (s->state) {
	case SUP_PAUSED:
		if (sig == SIGTERM || sig == SIGINT) {
			log_msg(LOG_INFO, "SIG%s received: leaving pause", signal_name(sig, a));
			finish(s);
		}
		return;
	case SUP_RUNNING:
		if (stop) {
			begin_stop(s, fwd, sig, now);
			return;
		}
		forward(s, sig, fwd, value);
		return;
	case SUP_STOPPING:
		forward(s, sig, fwd, value);
		return;
	case SUP_HANDOFF:
		/* the successor may be starting up: stop the rest gracefully */
		if (stop)
			drain(s, false,
			      s->cfg->stop_timeout_ms == SUP_NEVER ? now + s->cfg->leftover_grace_ms
								  : now + s->cfg->stop_timeout_ms,
			      now);
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
	int code = status_exit_code(status);

	return s->cfg->remap_exit[code] ? 0 : code;
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
	int code = status_exit_code(status);

	if (WIFEXITED(status) && (code == EXIT_NOT_EXECUTABLE || code == EXIT_NOT_FOUND))
		return false; /* could not execute: restarting would only loop */
	switch (s->cfg->restart) {
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
		if (now - s->restarts[i] < s->cfg->restart_window_ms)
			n++;
	return n;
}

static void schedule_restart(struct supervisor *s, const char *what, bool none_left, uint64_t now)
{
	const struct sup_cfg *c = s->cfg;
	uint64_t delay;

	if (recent_restarts(s, now) >= c->restart_max) {
		log_msg(LOG_ERROR, "pid %d %s; giving up after %u restarts in %llu ms", (int)s->last,
			what, c->restart_max, (unsigned long long)c->restart_window_ms);
		drain(s, none_left, now + c->leftover_grace_ms, now);
		return;
	}
	if (now - s->started_ms >= BACKOFF_RESET_MS)
		s->backoff_ms = c->backoff_min_ms;
	delay = take_backoff(s);
	s->restarts[s->restart_count++ % RESTART_HISTORY] = now + delay;
	log_msg(LOG_WARN, "pid %d %s; restart %zu of %u in %llu ms", (int)s->last, what,
		recent_restarts(s, now + delay), c->restart_max, (unsigned long long)delay);
	s->state = SUP_BACKOFF;
	s->deadline = now + delay;
	if (!none_left)
		send_with_cont(s, SUP_TO_TREE, SIGTERM); /* the crashed server's workers */
}

/* The main child is gone and no successor was found: restart or end. */
static void after_exit(struct supervisor *s, int status, bool none_left, uint64_t now)
{
	char what[STATUS_TEXT_MAX];

	status_describe(status, what, sizeof(what));
	if (wants_restart(s, status)) {
		schedule_restart(s, what, none_left, now);
		return;
	}
	log_msg(WIFSIGNALED(status) ? LOG_WARN : LOG_INFO, "pid %d %s", (int)s->last, what);
	drain(s, none_left, now + s->cfg->leftover_grace_ms, now);
}

static bool try_handoff(struct supervisor *s, uint64_t now)
{
	pid_t next = s->ops.handoff(s->ops.ctx, s->last);

	if (!next)
		return false;
	log_msg(LOG_INFO, "pid %d exited; following pid %d from %s", (int)s->last, (int)next,
		s->cfg->follow_from);
	s->main = s->last = next;
	s->sent_kill = false;
	s->started_ms = now;
	s->state = SUP_RUNNING;
	s->deadline = SUP_NEVER;
	return true;
}

/* When the leftovers of a stop must be gone: the stop's own deadline, or the
 * leftover grace if that comes first. */
static uint64_t stop_kill_at(const struct supervisor *s, uint64_t now)
{
	uint64_t grace = now + s->cfg->leftover_grace_ms;

	if (s->cfg->stop_timeout_ms == SUP_NEVER)
		return grace;
	return s->stop_ms + s->cfg->stop_timeout_ms < grace ? s->stop_ms + s->cfg->stop_timeout_ms
							   : grace;
}

void sup_main_exited(struct supervisor *s, int status, bool none_left, uint64_t now)
{
	char what[STATUS_TEXT_MAX];
	int failed = s->ops.reaped(s->ops.ctx);

	s->main = 0;
	s->status = status;
	s->exit_code = failed ? failed : status_code(s, status);
	if (failed) {
		/* it never ran: a restart would fail the same way */
		drain(s, none_left,
		      s->state == SUP_STOPPING ? stop_kill_at(s, now) : now + s->cfg->leftover_grace_ms,
		      now);
		return;
	}
	switch (s->state) {
	case SUP_RUNNING:
		if (s->cfg->follow && !none_left) {
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
		log_msg(LOG_INFO, "pid %d %s after %llu ms", (int)s->last,
			status_describe(status, what, sizeof(what)),
			(unsigned long long)(now - s->stop_ms));
		drain(s, none_left, stop_kill_at(s, now), now);
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
			send(s, SUP_TO_TREE, SIGKILL);
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
