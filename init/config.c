#include "config.h"

#include <string.h>

#define DUMB_INIT_EXEC_FAILED 2 /* dumb-init's child exits 2 when exec fails */
#define TINI_EXEC_FAILED      1 /* tini's, for an error other than ENOENT or EACCES */

/* tini and dumb-init never escalate a stop or send CONT: the orchestrator's
 * own timeout (docker stop -t, terminationGracePeriodSeconds) decides. An
 * explicit --stop-timeout or --stop-ladder asks for minit's ladder. */
static bool peer_stop(const struct opts *o)
{
	return o->personality != PERS_MINIT && !o->stop_given;
}

/* When the child exits, tini leaves the rest running and exits; dumb-init
 * sends TERM to the child's process group (in its setsid mode) and exits.
 * As PID 1 the kernel would KILL them all the moment minit exits, so there
 * minit keeps its own way: TERM, then KILL after the grace. */
static enum sup_leftovers leftovers(const struct opts *o, bool pid1)
{
	if (o->personality == PERS_MINIT || o->leftover_given || pid1)
		return SUP_LEFT_END;
	return o->personality == PERS_DUMB_INIT && o->setsid ? SUP_LEFT_TERM_GROUP : SUP_LEFT_LEAVE;
}

/* dumb-init in its setsid mode turns the terminal's stop signals into STOP
 * for the child's group (its own session has no terminal to stop it), unless
 * they were rewritten. */
static void dumb_init_rewrites(const struct opts *o, int rewrite[SIG_MAX + 1])
{
	static const int tty_stops[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	size_t i;

	if (o->personality != PERS_DUMB_INIT || !o->setsid)
		return;
	for (i = 0; i < sizeof(tty_stops) / sizeof(tty_stops[0]); i++)
		if (rewrite[tty_stops[i]] == tty_stops[i])
			rewrite[tty_stops[i]] = SIGSTOP;
}

void config_supervisor(const struct opts *o, bool pid1, struct sup_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->name = o->argv ? o->argv[0] : "";
	c->pause = o->pause;
	memcpy(c->rewrite, o->rewrite, sizeof(c->rewrite));
	dumb_init_rewrites(o, c->rewrite);
	memcpy(c->stop_on, o->stop_on, sizeof(c->stop_on));
	memcpy(c->ladder, o->ladder, sizeof(c->ladder));
	c->ladder_len = o->ladder_len;
	c->stop_timeout_ms = peer_stop(o) ? SUP_NEVER : o->stop_timeout_ms;
	c->stop_cont = !peer_stop(o);
	c->leftovers = leftovers(o, pid1);
	c->leftover_grace_ms = o->leftover_grace_ms;
	c->restart = o->restart;
	c->backoff_min_ms = o->backoff_min_ms;
	c->backoff_max_ms = o->backoff_max_ms;
	c->restart_window_ms = o->restart_window_ms;
	c->restart_max = o->restart_max;
	c->follow = o->pidfile != NULL;
	c->follow_from = o->pidfile;
	memcpy(c->remap_exit, o->remap_exit, sizeof(c->remap_exit));
	/* dumb-init stops itself after the terminal's stop signals, so the shell
	 * that started it sees it stopped (a no-op for PID 1) */
	c->job_control = o->personality == PERS_DUMB_INIT && !pid1;
	c->notify = o->notify;
	c->ready_timeout_ms = o->ready_timeout_ms;
	c->watchdog_ms = o->watchdog_ms;
	c->stop_delay_ms = o->stop_delay_ms;
}

bool config_notify_socket(const struct opts *o)
{
	return o->personality == PERS_MINIT || o->notify || o->watchdog_ms;
}

void config_privs(const struct opts *o, struct privs_req *r)
{
	r->user = o->user;
	r->cap_drop = o->cap_drop;
	r->cap_add = o->cap_add;
	r->no_new_privs = o->no_new_privs;
	r->seccomp = o->seccomp;
}

void config_spawn(const struct opts *o, struct spawn_cfg *c)
{
	c->argv = o->argv;
	/* dumb-init -c leaves the child in its own group and session */
	c->session = o->setsid			      ? SPAWN_OWN_SESSION
		     : o->personality == PERS_DUMB_INIT ? SPAWN_SHARED
							: SPAWN_OWN_GROUP;
	c->pdeathsig = o->pdeathsig;
	/* what execvp's failure turns into, as each program does it */
	switch (o->personality) {
	case PERS_MINIT:
		c->exec_codes.not_found = EXIT_NOT_FOUND;
		c->exec_codes.denied = c->exec_codes.other = EXIT_NOT_EXECUTABLE;
		break;
	case PERS_TINI:
		c->exec_codes.not_found = EXIT_NOT_FOUND;
		c->exec_codes.denied = EXIT_NOT_EXECUTABLE;
		c->exec_codes.other = TINI_EXEC_FAILED;
		break;
	case PERS_DUMB_INIT:
		c->exec_codes.not_found = c->exec_codes.denied = c->exec_codes.other =
			DUMB_INIT_EXEC_FAILED;
		break;
	}
	c->sh_fallback = o->personality != PERS_MINIT;
	c->watchdog_usec = o->watchdog_ms * 1000;
}

bool config_leaves_cwd(const struct opts *o)
{
	return o->personality != PERS_TINI;
}

int config_usage_code(const struct opts *o, enum opts_result r)
{
	return o->personality == PERS_MINIT ? (int)r : EXIT_USAGE;
}
