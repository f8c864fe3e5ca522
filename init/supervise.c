#include "supervise.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "../base/log.h"
#include "../base/status.h"

#define STATUS_TEXT_MAX 64
#define US_PER_MS	1000

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void sup_init(struct supervisor *s, const struct sup_cfg *cfg, const struct sup_ops *ops)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->ops = *ops;
	s->deadline = SUP_NEVER;
	s->backoff_ms = cfg->backoff_min_ms;
	s->ready_by = s->watchdog_by = SUP_NEVER;
}

/* The last exit's reason first, for --status. */
static void note_reason(struct supervisor *s, const char *what)
{
	memmove(s->reasons[1], s->reasons[0], sizeof(s->reasons[0]) * (SUP_REASONS - 1));
	snprintf(s->reasons[0], sizeof(s->reasons[0]), "%.*s", SUP_REASON_MAX - 1, what);
}

static void finish(struct supervisor *s)
{
	s->state = SUP_DONE;
	s->deadline = SUP_NEVER;
	if (!s->why[0])
		snprintf(s->why, sizeof(s->why), "minit exited %d", s->exit_code);
	s->ops.finished(s->ops.ctx, s->why);
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
	if (s->killing) { /* the KILL went out: it is repeated at its own pace */
		s->deadline = min_u64(s->deadline, now + KILL_REPEAT_MS);
		return;
	}
	if (kill_at <= now) {
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

/* RUNNING's deadline: --ready-timeout and --watchdog, whichever is first. */
static void running_deadline(struct supervisor *s)
{
	s->deadline = min_u64(s->ready ? SUP_NEVER : s->ready_by, s->watchdog_by);
}

/* A new main child. A fresh start has said nothing yet; a followed one
 * (--pidfile, MAINPID=) carries on where its predecessor was. */
static void begin_running(struct supervisor *s, pid_t pid, bool fresh, uint64_t now)
{
	s->main = s->last = pid;
	s->sent_kill = false;
	s->started_ms = now;
	s->state = SUP_RUNNING;
	s->mainpid_hint = 0;
	if (!fresh) {
		running_deadline(s);
		return;
	}
	s->ready = !s->cfg->notify;
	s->notified = s->reloading = s->winding_down = false;
	s->status_text[0] = '\0';
	s->ready_by = s->cfg->ready_timeout_ms ? now + s->cfg->ready_timeout_ms : SUP_NEVER;
	s->watchdog_by = s->cfg->watchdog_ms ? now + s->cfg->watchdog_ms : SUP_NEVER;
	running_deadline(s);
}

static void start_child(struct supervisor *s, uint64_t now)
{
	pid_t pid = 0;

	if (s->ops.spawn(s->ops.ctx, &pid) == 0) {
		begin_running(s, pid, true, now);
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
	snprintf(s->why, sizeof(s->why), "unable to start %s", s->cfg->name);
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

/* --stop-delay, within the stop timeout */
static uint64_t stop_delay(const struct supervisor *s)
{
	return min_u64(s->cfg->stop_delay_ms, s->cfg->stop_timeout_ms);
}


/* The first rung (after --stop-delay, if any): now. */
static void first_rung(struct supervisor *s, uint64_t now)
{
	bool escalate = s->cfg->stop_timeout_ms != SUP_NEVER;

	s->delaying = false;
	/* on time even when the loop woke late, and the KILL at the stop
	 * timeout whenever the delay ended: the ladder has the time left */
	s->ladder_ms = min_u64(now, s->stop_ms + stop_delay(s));
	s->ladder_span = escalate ? s->stop_ms + s->cfg->stop_timeout_ms - s->ladder_ms : 0;
	if (s->ladder[0] == SIGKILL) {
		kill_everything(s, now);
		return;
	}
	send_stop(s, s->ladder[0]);
	s->deadline = escalate ? s->ladder_ms + sup_rung_offset_ms(s->ladder_span, s->ladder_len, 1)
			       : SUP_NEVER;
}

/* A stop (received is the signal that asked for it; 0 when minit ends the
 * child for a restart, with ending saying why). */
static void begin_stop(struct supervisor *s, int sig, int received, enum sup_end ending,
		       uint64_t now)
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
	s->stop_signal = received;
	s->ending = ending;
	if (received)
		log_msg(LOG_INFO, "stop requested by SIG%s: sending %s to pid %d%s%llu ms%s",
			signal_name(received, a), signal_name(s->ladder[0], b), (int)s->main,
			stop_delay(s) ? " after " : escalate ? ", KILL in " : "",
			(unsigned long long)(stop_delay(s) ? stop_delay(s)
					     : escalate	    ? c->stop_timeout_ms
							    : 0),
			stop_delay(s) && escalate ? " (stop delay), KILL at the stop timeout" : "");
	if (stop_delay(s) && received) {
		s->delaying = true;
		s->deadline = now + stop_delay(s);
		return;
	}
	first_rung(s, now);
}

static void climb(struct supervisor *s, uint64_t now)
{
	char name[SIGNAL_NAME_MAX];
	int sig;

	if (s->delaying) {
		log_msg(LOG_INFO, "stop delay over: sending %s to pid %d", signal_name(s->ladder[0], name),
			(int)s->main);
		first_rung(s, now);
		return;
	}
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
	s->deadline = s->ladder_ms + sup_rung_offset_ms(s->ladder_span, s->ladder_len, s->rung + 1);
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
			snprintf(s->why, sizeof(s->why), "--pause ended by SIG%s", signal_name(sig, a));
			finish(s);
		}
		return;
	case SUP_RUNNING:
		if (stop) {
			begin_stop(s, fwd, sig, SUP_END_NONE, now);
			return;
		}
		forward(s, sig, fwd, value);
		return;
	case SUP_STOPPING:
		if (stop && !s->stop_signal) { /* minit was ending it for a restart: now a stop */
			s->stop_signal = sig;
			s->ending = SUP_END_NONE;
		} else if (stop && s->delaying) { /* a second stop request ends the delay */
			log_msg(LOG_INFO, "SIG%s again: no more stop delay", signal_name(sig, a));
			first_rung(s, now);
			return;
		}
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

	if (s->note[0]) /* the OOM killer's KILL, even after minit sent one */
		return true;
	if (!WIFSIGNALED(status) || (WTERMSIG(status) == SIGKILL && s->sent_kill))
		return false;
	for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		if (WTERMSIG(status) == crash_signals[i])
			return true;
	return false;
}

/* ending: minit ended the child for a watchdog or readiness failure, which
 * counts as a crash. */
static bool wants_restart(const struct supervisor *s, int status, enum sup_end ending)
{
	int code = status_exit_code(status);

	if (WIFEXITED(status) && (code == EXIT_NOT_EXECUTABLE || code == EXIT_NOT_FOUND))
		return false; /* could not execute: restarting would only loop */
	switch (s->cfg->restart) {
	case RESTART_ALWAYS: return true;
	case RESTART_ON_FAILURE: return ending || status_code(s, status) != 0;
	case RESTART_ON_CRASH: return ending || crashed(s, status);
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
		snprintf(s->why, sizeof(s->why), "gave up after %u restarts in %llu s: %s",
			 c->restart_max, (unsigned long long)(c->restart_window_ms / 1000), what);
		drain(s, none_left, now + c->leftover_grace_ms, now);
		return;
	}
	if (now - s->started_ms >= BACKOFF_RESET_MS)
		s->backoff_ms = c->backoff_min_ms;
	delay = take_backoff(s);
	s->killing = false; /* the stragglers get theirs when the back-off ends */
	s->restarts[s->restart_count++ % RESTART_HISTORY] = now + delay;
	log_msg(LOG_WARN, "pid %d %s; restart %zu of %u in %llu ms", (int)s->last, what,
		recent_restarts(s, now + delay), c->restart_max, (unsigned long long)delay);
	s->state = SUP_BACKOFF;
	s->deadline = now + delay;
	if (!none_left)
		send_with_cont(s, SUP_TO_TREE, SIGTERM); /* the crashed server's workers */
}

/* "killed by SIGTERM (watchdog: no WATCHDOG=1 in 1000 ms)" */
static void describe_exit(const struct supervisor *s, int status, enum sup_end ending, char *buf,
			  size_t len)
{
	char what[STATUS_TEXT_MAX];

	status_describe(status, what, sizeof(what));
	if (ending == SUP_END_WATCHDOG)
		snprintf(buf, len, "%s (watchdog: no WATCHDOG=1 in %llu ms)", what,
			 (unsigned long long)s->cfg->watchdog_ms);
	else if (ending == SUP_END_NOT_READY)
		snprintf(buf, len, "%s (not ready: no READY=1 in %llu ms)", what,
			 (unsigned long long)s->cfg->ready_timeout_ms);
	else if (s->note[0])
		snprintf(buf, len, "%s (%s)", what, s->note);
	else
		snprintf(buf, len, "%s", what);
}

/* The main child is gone and no successor was found: restart or end. */
static void after_exit(struct supervisor *s, int status, enum sup_end ending, bool none_left,
		       uint64_t now)
{
	char what[SUP_REASON_MAX * 3];

	describe_exit(s, status, ending, what, sizeof(what));
	note_reason(s, what);
	if (wants_restart(s, status, ending)) {
		schedule_restart(s, what, none_left, now);
		return;
	}
	log_msg(WIFSIGNALED(status) || ending ? LOG_WARN : LOG_INFO, "pid %d %s", (int)s->last,
		what);
	snprintf(s->why, sizeof(s->why), "%s %s", s->cfg->name, what);
	drain(s, none_left, now + s->cfg->leftover_grace_ms, now);
}

static bool try_handoff(struct supervisor *s, uint64_t now)
{
	pid_t next = s->ops.handoff(s->ops.ctx, s->last, s->mainpid_hint);
	pid_t old = s->last;
	bool said = s->mainpid_hint == next;

	if (!next)
		return false;
	log_msg(LOG_INFO, "pid %d %s; following pid %d from %s", (int)old,
		s->main ? "handed over" : "exited", (int)next,
		said ? "MAINPID=" : s->cfg->follow_from);
	begin_running(s, next, false, now);
	return true;
}

/* When the leftovers of a stop must be gone: the stop's own deadline, or the
 * leftover grace if that comes first. */
static uint64_t stop_kill_at(const struct supervisor *s, uint64_t now)
{
	uint64_t grace = now + s->cfg->leftover_grace_ms;

	if (s->cfg->stop_timeout_ms == SUP_NEVER)
		return grace;
	return min_u64(s->stop_ms + s->cfg->stop_timeout_ms, grace);
}

/* The main child exited while minit was stopping it. */
static void stopped(struct supervisor *s, int status, bool none_left, uint64_t now)
{
	char what[SUP_REASON_MAX * 3], a[SIGNAL_NAME_MAX], b[SIGNAL_NAME_MAX];

	describe_exit(s, status, SUP_END_NONE, what, sizeof(what));
	log_msg(LOG_INFO, "pid %d %s after %llu ms", (int)s->last, what,
		(unsigned long long)(now - s->stop_ms));
	if (s->ending) { /* minit ended it for a restart */
		after_exit(s, status, s->ending, none_left, now);
		return;
	}
	note_reason(s, what);
	if (s->delaying)
		snprintf(s->why, sizeof(s->why), "%s %s during the stop delay (stop requested by SIG%s)",
			 s->cfg->name, what, signal_name(s->stop_signal, b));
	else
		snprintf(s->why, sizeof(s->why), "%s %s after SIG%s (stop requested by SIG%s)",
			 s->cfg->name, what, signal_name(s->killing ? SIGKILL : s->ladder[s->rung], a),
			 signal_name(s->stop_signal, b));
	drain(s, none_left, stop_kill_at(s, now), now);
}

void sup_main_exited(struct supervisor *s, int status, bool none_left, uint64_t now)
{
	int failed;

	s->note[0] = '\0';
	failed = s->ops.reaped(s->ops.ctx, status, s->note, sizeof(s->note));
	s->main = 0;
	if (failed == SUP_UNBORN) {
		if (s->state == SUP_RUNNING) { /* not a crash: it never ran */
			start_child(s, now);
			return;
		}
		failed = 0;
	}
	s->status = status;
	s->exit_code = failed ? failed : status_code(s, status);
	if (failed) {
		/* it never ran: a restart would fail the same way */
		snprintf(s->why, sizeof(s->why), "unable to start %s (exit %d)", s->cfg->name, failed);
		drain(s, none_left,
		      s->state == SUP_STOPPING ? stop_kill_at(s, now) : now + s->cfg->leftover_grace_ms,
		      now);
		return;
	}
	switch (s->state) {
	case SUP_RUNNING:
		if ((s->cfg->follow || s->mainpid_hint) && !none_left) {
			if (try_handoff(s, now))
				return;
			/* a launcher that daemonised exits 0 before its daemon writes the
			 * pid file: only then is a successor worth waiting for */
			if (!s->cfg->follow || !WIFEXITED(status) || WEXITSTATUS(status)) {
				after_exit(s, status, SUP_END_NONE, none_left, now);
				return;
			}
			s->state = SUP_HANDOFF;
			s->handoff_until = now + HANDOFF_WAIT_MS;
			s->deadline = now + HANDOFF_POLL_MS;
			return;
		}
		after_exit(s, status, SUP_END_NONE, none_left, now);
		return;
	case SUP_STOPPING:
		stopped(s, status, none_left, now);
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
		after_exit(s, s->status, SUP_END_NONE, true, now);
}

/* RUNNING's own deadlines: a readiness or watchdog failure ends the child
 * through the ladder, for a restart. */
static void running_tick(struct supervisor *s, uint64_t now)
{
	enum sup_end why = SUP_END_NONE;

	if (!s->ready && now >= s->ready_by) {
		log_msg(LOG_WARN, "pid %d not ready after %llu ms (no READY=1): ending it", (int)s->main,
			(unsigned long long)s->cfg->ready_timeout_ms);
		why = SUP_END_NOT_READY;
	} else if (now >= s->watchdog_by) {
		log_msg(LOG_WARN, "watchdog: no WATCHDOG=1 from pid %d in %llu ms: ending it",
			(int)s->main, (unsigned long long)s->cfg->watchdog_ms);
		why = SUP_END_WATCHDOG;
	}
	if (why) {
		begin_stop(s, s->cfg->rewrite[SIGTERM] ? s->cfg->rewrite[SIGTERM] : SIGTERM, 0, why,
			   now);
		return;
	}
	running_deadline(s);
}

void sup_tick(struct supervisor *s, uint64_t now)
{
	switch (s->state) {
	case SUP_RUNNING:
		running_tick(s, now);
		return;
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
		after_exit(s, s->status, SUP_END_NONE, false, now);
		return;
	default:
		s->deadline = SUP_NEVER;
		return;
	}
}

/* EXTEND_TIMEOUT_USEC during a stop: the final KILL no sooner than that
 * from now; the rungs still to come move with it. */
static void extend_stop(struct supervisor *s, uint64_t usec, uint64_t now)
{
	uint64_t want = now + usec / US_PER_MS, kill_at = s->ladder_ms + s->ladder_span;

	if (s->delaying || s->cfg->stop_timeout_ms == SUP_NEVER || s->killing || want <= kill_at)
		return;
	log_msg(LOG_INFO, "pid %d asked for %llu ms more to stop", (int)s->main,
		(unsigned long long)(want - kill_at));
	s->ladder_ms += want - kill_at;
	s->deadline = s->ladder_ms + sup_rung_offset_ms(s->ladder_span, s->ladder_len, s->rung + 1);
}

bool sup_notify(struct supervisor *s, const struct notify_msg *m, uint64_t now)
{
	if (s->state != SUP_RUNNING && s->state != SUP_STOPPING)
		return false;
	s->notified = true;
	if (m->has_status) {
		memcpy(s->status_text, m->status, sizeof(s->status_text));
		log_msg(LOG_INFO, "pid %d: %s", (int)s->main, s->status_text);
	}
	if (m->reloading)
		s->ready = false, s->reloading = true;
	if (m->stopping)
		s->winding_down = true;
	if (m->ready) {
		if (!s->ready || s->reloading)
			log_msg(LOG_INFO, "pid %d is ready", (int)s->main);
		s->ready = true;
		s->reloading = s->winding_down = false;
	}
	if (m->extend_usec && s->state == SUP_STOPPING)
		extend_stop(s, m->extend_usec, now);
	if (s->state != SUP_RUNNING)
		return true;
	if (m->watchdog && s->cfg->watchdog_ms)
		s->watchdog_by = now + s->cfg->watchdog_ms;
	if (m->watchdog_trigger && s->cfg->watchdog_ms)
		s->watchdog_by = now;
	if (m->mainpid && m->mainpid != s->main) {
		s->mainpid_hint = m->mainpid;
		if (try_handoff(s, now)) /* already minit's child: it is the main child now */
			return true;
	}
	running_deadline(s);
	return true;
}

bool sup_healthy(const struct supervisor *s, const char **why)
{
	switch (s->state) {
	case SUP_RUNNING:
		break;
	case SUP_STOPPING:
		*why = s->stop_signal ? "stopping" : "being ended (watchdog or readiness)";
		return false;
	case SUP_BACKOFF:
		*why = "restarting after a crash";
		return false;
	default:
		*why = "no main child running";
		return false;
	}
	if (s->winding_down) {
		*why = "the child said STOPPING=1";
		return false;
	}
	if ((s->cfg->notify || s->notified) && !s->ready) {
		*why = s->reloading ? "reloading (RELOADING=1)" : "not ready yet (no READY=1)";
		return false;
	}
	return true;
}

const char *sup_state_name(const struct supervisor *s)
{
	switch (s->state) {
	case SUP_PAUSED: return "paused";
	case SUP_RUNNING:
		if (s->winding_down)
			return "stopping";
		if (s->reloading)
			return "reloading";
		return (s->cfg->notify || s->notified) && !s->ready ? "starting" : "running";
	case SUP_STOPPING: return s->stop_signal ? "stopping" : "restarting";
	case SUP_BACKOFF: return "backoff";
	case SUP_HANDOFF: return "handoff";
	case SUP_DRAINING: return "draining";
	case SUP_DONE: return "done";
	}
	return "?";
}
