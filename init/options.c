#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "notify.h"

#define ENV_PREFIX "MINIT_"
#define ENV_NAME_MAX 40

enum opt_id {
	O_HELP, O_VERSION, O_LICENSE, O_VERBOSE, O_WARN_ON_REAP, O_SUBREAPER, O_GROUP,
	O_SINGLE_CHILD, O_SETSID, O_PDEATHSIG, O_REMAP_EXIT, O_REWRITE, O_PAUSE, O_STOP_ON,
	O_STOP_LADDER, O_STOP_TIMEOUT, O_LEFTOVER_GRACE, O_RESTART, O_BACKOFF_MIN, O_BACKOFF_MAX,
	O_RESTART_MAX, O_RESTART_WINDOW, O_PIDFILE, O_LISTEN, O_USER, O_CAP_DROP, O_CAP_ADD,
	O_NO_NEW_PRIVS, O_SECCOMP, O_NOTIFY, O_READY_TIMEOUT, O_WATCHDOG, O_STOP_DELAY,
	O_TERMINATION_LOG, O_CONTROL, O_HEALTH, O_STATUS, O_JSON, O_CGROUP, O_INSTALL, O_COUNT
};

enum opt_kind {
	K_ACTION,	/* help, version, licence end parsing; health, status, install do not;
			 * never read from the environment */
	K_FLAG,		/* no value; a boolean in the environment */
	K_VALUE,	/* one value; the last one wins */
	K_REPEAT,	/* repeatable; a comma list in the environment */
};

/* One entry per option: parsing, the MINIT_* name, messages and --help all
 * come from here. */
struct opt_def {
	const char *name;
	char shortc;
	enum opt_kind kind;
	const char *arg;	/* the value's name in --help */
	const char *help;	/* --help's line, default in parentheses */
	const char *expect;	/* what a valid value looks like, for messages */
};

static const struct opt_def defs[O_COUNT] = {
	[O_HELP] = { "help", 'h', K_ACTION, NULL, "print this help and exit", NULL },
	[O_VERSION] = { "version", 'V', K_ACTION, NULL, "print the version and exit", NULL },
	[O_LICENSE] = { "license", 'l', K_ACTION, NULL, "print the licence and exit", NULL },
	[O_VERBOSE] = { "verbose", 'v', K_FLAG, NULL, "more messages (repeat; MINIT_VERBOSITY=0..3)",
			"a level from 0 to 3" },
	[O_WARN_ON_REAP] = { "warn-on-reap", 'w', K_FLAG, NULL, "warn when an orphan is reaped", NULL },
	[O_SUBREAPER] = { "subreaper", 's', K_FLAG, NULL,
			  "register as child subreaper (automatic if not PID 1)", NULL },
	[O_GROUP] = { "group", 'g', K_FLAG, NULL, "send signals to the child's process group", NULL },
	[O_SINGLE_CHILD] = { "single-child", 'c', K_FLAG, NULL,
			     "no new session, signals to the child only", NULL },
	[O_SETSID] = { "setsid", 0, K_FLAG, NULL, "run the child in a new session (implies -g)", NULL },
	[O_PDEATHSIG] = { "pdeathsig", 'p', K_VALUE, "SIG",
			  "signal for minit and its child when the parent dies",
			  "a signal such as TERM or 15" },
	[O_REMAP_EXIT] = { "remap-exit", 'e', K_REPEAT, "CODE", "treat exit CODE as 0 (repeatable)",
			   "an exit code from 0 to 255" },
	[O_REWRITE] = { "rewrite", 'r', K_REPEAT, "S:R",
			"forward signal S as R, R = 0 drops it (repeatable)",
			"S:R with signals S and R (R = 0 drops S)" },
	[O_PAUSE] = { "pause", 0, K_FLAG, NULL, "no command: reap, exit 0 on TERM or INT", NULL },
	[O_STOP_ON] = { "stop-on", 0, K_VALUE, "LIST", "signals that stop the child (TERM,INT,QUIT)",
			"a list of catchable signals such as TERM,INT" },
	[O_STOP_LADDER] = { "stop-ladder", 0, K_VALUE, "LIST", "signals sent on stop, ending in KILL",
			    "a list of up to 8 signals ending in KILL, such as QUIT,TERM,KILL" },
	[O_STOP_TIMEOUT] = { "stop-timeout", 0, K_VALUE, "DUR", "stop request to final KILL (9s)",
			     "a duration such as 500ms, 9s or 2m" },
	[O_LEFTOVER_GRACE] = { "leftover-grace", 0, K_VALUE, "DUR",
			       "TERM to KILL for leftovers after the child exits (2s)",
			       "a duration such as 500ms, 2s or 1m" },
	[O_RESTART] = { "restart", 0, K_VALUE, "MODE", "no, on-crash, on-failure or always (on-crash)",
			"no, on-crash, on-failure or always" },
	[O_BACKOFF_MIN] = { "backoff-min", 0, K_VALUE, "DUR", "first restart delay (100ms)",
			    "a duration such as 100ms or 1s" },
	[O_BACKOFF_MAX] = { "backoff-max", 0, K_VALUE, "DUR", "largest restart delay (10s)",
			    "a duration such as 10s or 1m" },
	[O_RESTART_MAX] = { "restart-max", 0, K_VALUE, "N", "restarts allowed within the window (5)",
			    "a count from 0 to 1000" },
	[O_RESTART_WINDOW] = { "restart-window", 0, K_VALUE, "DUR", "the window for --restart-max (60s)",
			       "a duration such as 60s or 5m" },
	[O_PIDFILE] = { "pidfile", 0, K_VALUE, "PATH",
			"follow the process PATH names when the child exits", "a file path" },
	[O_LISTEN] = { "listen", 0, K_REPEAT, "ADDR", "hold a listening socket for the child (repeatable)",
		       "[NAME=]tcp:HOST:PORT, [NAME=]tcp6:[HOST]:PORT or [NAME=]unix:PATH" },
	[O_USER] = { "user", 0, K_VALUE, "USER[:GROUP]", "run the child as USER",
		     "USER or UID, optionally :GROUP or :GID" },
	[O_CAP_DROP] = { "cap-drop", 0, K_VALUE, "LIST", "drop capabilities from the child (or all)",
			 "a list of capabilities or all" },
	[O_CAP_ADD] = { "cap-add", 0, K_VALUE, "LIST", "keep capabilities for the child",
			"a list of capabilities or all" },
	[O_NO_NEW_PRIVS] = { "no-new-privs", 0, K_FLAG, NULL, "set no_new_privs for the child", NULL },
	[O_SECCOMP] = { "seccomp", 0, K_VALUE, "MODE", "off, default or auto (off)",
			"off, default or auto" },
	[O_NOTIFY] = { "notify", 0, K_FLAG, NULL, "the child says READY=1 (sd_notify) when it is", NULL },
	[O_READY_TIMEOUT] = { "ready-timeout", 0, K_VALUE, "DUR",
			      "not READY=1 by then: ended and restarted (implies --notify)",
			      "a duration such as 30s or 2m" },
	[O_WATCHDOG] = { "watchdog", 0, K_VALUE, "DUR",
			 "no WATCHDOG=1 for that long: ended and restarted",
			 "a duration such as 10s or 1m" },
	[O_STOP_DELAY] = { "stop-delay", 0, K_VALUE, "DUR",
			   "wait before the first stop signal, within --stop-timeout (0)",
			   "a duration such as 5s" },
	[O_TERMINATION_LOG] = { "termination-log", 0, K_VALUE, "PATH",
				"why minit exited, one line (/dev/termination-log if there)",
				"a file path" },
	[O_CONTROL] = { "control", 0, K_VALUE, "@NAME", "the control socket's name (one per container)",
			"an abstract socket name starting with @" },
	[O_HEALTH] = { "health", 0, K_ACTION, NULL,
		       "ask the running minit: exit 0 if its child is healthy", NULL },
	[O_STATUS] = { "status", 0, K_ACTION, NULL, "ask the running minit for its state (--json)",
		       NULL },
	[O_JSON] = { "json", 0, K_FLAG, NULL, "--status as one JSON object", NULL },
	[O_CGROUP] = { "cgroup", 0, K_VALUE, "MODE", "auto (a cgroup of its own for the server where possible), off, or a cgroup v2 PATH",
		       "auto, off or an absolute path" },
	[O_INSTALL] = { "install", 0, K_ACTION, "DIR", "copy this binary to DIR/minit (0755) and exit",
			"a directory" },
};

static const char *const restart_names[] = { "no", "on-crash", "on-failure", "always" };
static const char *const seccomp_names[] = { "off", "default", "auto" };

static int pick(const char *s, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

enum personality opts_personality(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : (argv0 ? argv0 : "");
	if (!strcmp(base, "dumb-init"))
		return PERS_DUMB_INIT;
	if (!strcmp(base, "tini") || !strcmp(base, "tini-static") || !strcmp(base, "docker-init"))
		return PERS_TINI;
	return PERS_MINIT;
}

static void set_defaults(struct opts *o, enum personality p)
{
	int s;

	memset(o, 0, sizeof(*o));
	o->personality = p;
	o->verbosity = 1;
	for (s = 0; s <= SIG_MAX; s++)
		o->rewrite[s] = s;
	o->stop_on[SIGTERM] = o->stop_on[SIGINT] = o->stop_on[SIGQUIT] = true;
	o->stop_timeout_ms = STOP_TIMEOUT_DEFAULT_MS;
	o->leftover_grace_ms = LEFTOVER_GRACE_DEFAULT_MS;
	o->restart = p == PERS_MINIT ? RESTART_ON_CRASH : RESTART_NO;
	o->backoff_min_ms = BACKOFF_MIN_DEFAULT_MS;
	o->backoff_max_ms = BACKOFF_MAX_DEFAULT_MS;
	o->restart_max = RESTART_MAX_DEFAULT;
	o->restart_window_ms = RESTART_WINDOW_DEFAULT_MS;
	o->setsid = o->group = p == PERS_DUMB_INIT;
}

static bool catchable(int sig)
{
	return sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD;
}

static int add_remap(void *ctx, const char *item)
{
	unsigned code;

	if (parse_uint(item, EXIT_CODE_COUNT - 1, &code))
		return -EINVAL;
	((struct opts *)ctx)->remap_exit[code] = true;
	return 0;
}

static int add_rewrite(void *ctx, const char *item)
{
	char from[SIGNAL_NAME_MAX * 2];
	const char *colon = strchr(item, ':');
	size_t len = colon ? (size_t)(colon - item) : 0;
	int s, r;

	if (!colon || len >= sizeof(from))
		return -EINVAL;
	memcpy(from, item, len);
	from[len] = '\0';
	if (parse_signal(from, &s) || !catchable(s) || parse_signal_or_zero(colon + 1, &r))
		return -EINVAL;
	((struct opts *)ctx)->rewrite[s] = r;
	return 0;
}

static int add_stop_on(void *ctx, const char *item)
{
	int s;

	if (parse_signal(item, &s) || !catchable(s))
		return -EINVAL;
	((struct opts *)ctx)->stop_on[s] = true;
	return 0;
}

static int add_rung(void *ctx, const char *item)
{
	struct opts *o = ctx;
	int s;

	if (o->ladder_len == LADDER_MAX || parse_signal(item, &s))
		return -EINVAL;
	o->ladder[o->ladder_len++] = s;
	return 0;
}

static int add_listen(void *ctx, const char *item)
{
	struct opts *o = ctx;

	(void)item;
	return o->listen_len == LISTEN_MAX ? -EINVAL : 0;
}

static int check_list(void *ctx, const char *item)
{
	(void)ctx;
	return *item ? 0 : -EINVAL;
}

static int parse_user_spec(const char *s)
{
	const char *colon = strchr(s, ':');

	if (!*s || *s == ':' || (colon && (!colon[1] || strchr(colon + 1, ':'))))
		return -EINVAL;
	return 0;
}

/* Applies one value. val is NULL for a flag given on the command line. */
static int apply(struct opts *o, enum opt_id id, const char *val)
{
	bool on = true;
	unsigned u;
	int v;

	if (defs[id].kind == K_FLAG && val && id != O_VERBOSE && parse_bool(val, &on))
		return -EINVAL;
	switch (id) {
	case O_VERBOSE:
		if (!val) {
			o->verbosity += o->verbosity < LOG_LEVEL_TOP;
			return 0;
		}
		if (parse_uint(val, LOG_LEVEL_TOP, &u))
			return -EINVAL;
		o->verbosity = (int)u;
		return 0;
	case O_WARN_ON_REAP: o->warn_on_reap = on; return 0;
	case O_SUBREAPER: o->subreaper = on; return 0;
	case O_GROUP: o->group = on; return 0;
	case O_SINGLE_CHILD:
		if (on)
			o->setsid = o->group = false;
		return 0;
	case O_SETSID:
		o->setsid = on;
		o->group = o->group || on;
		return 0;
	case O_PAUSE: o->pause = on; return 0;
	case O_NOTIFY: o->notify = on; return 0;
	case O_JSON: o->json = on; return 0;
	case O_READY_TIMEOUT:
		o->notify = true;
		return parse_duration_ms(val, &o->ready_timeout_ms);
	case O_WATCHDOG: return parse_duration_ms(val, &o->watchdog_ms);
	case O_STOP_DELAY: return parse_duration_ms(val, &o->stop_delay_ms);
	case O_TERMINATION_LOG:
		o->termination_log = val;
		return *val ? 0 : -EINVAL;
	case O_CGROUP:
		o->cgroup = strcmp(val, "auto") ? val : NULL;
		return !strcmp(val, "auto") || !strcmp(val, "off") || val[0] == '/' ? 0 : -EINVAL;
	case O_CONTROL:
		o->control = val;
		return val[0] == '@' && val[1] && strlen(val) < NOTIFY_NAME_MAX ? 0 : -EINVAL;
	case O_NO_NEW_PRIVS: o->no_new_privs = on; return 0;
	case O_PDEATHSIG: return parse_signal(val, &o->pdeathsig);
	case O_REMAP_EXIT: return add_remap(o, val);
	case O_REWRITE: return add_rewrite(o, val);
	case O_STOP_ON:
		memset(o->stop_on, 0, sizeof(o->stop_on));
		return parse_each(val, add_stop_on, o);
	case O_STOP_LADDER:
		o->stop_given = true;
		o->ladder_len = 0;
		if (parse_each(val, add_rung, o) || o->ladder[o->ladder_len - 1] != SIGKILL)
			return -EINVAL;
		return 0;
	case O_STOP_TIMEOUT:
		o->stop_given = true;
		return parse_duration_ms(val, &o->stop_timeout_ms);
	case O_LEFTOVER_GRACE:
		o->leftover_given = true;
		return parse_duration_ms(val, &o->leftover_grace_ms);
	case O_BACKOFF_MIN: return parse_duration_ms(val, &o->backoff_min_ms);
	case O_BACKOFF_MAX: return parse_duration_ms(val, &o->backoff_max_ms);
	case O_RESTART_WINDOW: return parse_duration_ms(val, &o->restart_window_ms);
	case O_RESTART_MAX: return parse_uint(val, RESTART_MAX_LIMIT, &o->restart_max);
	case O_RESTART:
		v = pick(val, restart_names, sizeof(restart_names) / sizeof(restart_names[0]));
		o->restart = (enum restart_mode)v;
		return v < 0 ? -EINVAL : 0;
	case O_SECCOMP:
		v = pick(val, seccomp_names, sizeof(seccomp_names) / sizeof(seccomp_names[0]));
		o->seccomp = (enum privs_seccomp)v;
		return v < 0 ? -EINVAL : 0;
	case O_PIDFILE:
		o->pidfile = val;
		return *val ? 0 : -EINVAL;
	case O_LISTEN:
		if (add_listen(o, val) || listen_parse(val, &o->listen[o->listen_len]))
			return -EINVAL;
		o->listen_len++;
		return 0;
	case O_USER:
		o->user = val;
		return parse_user_spec(val);
	case O_CAP_DROP:
		o->cap_drop = val;
		return parse_each(val, check_list, NULL);
	case O_CAP_ADD:
		o->cap_add = val;
		return parse_each(val, check_list, NULL);
	case O_HELP: case O_VERSION: case O_LICENSE: case O_HEALTH: case O_STATUS: case O_INSTALL:
	case O_COUNT:
		break;
	}
	return -EINVAL;
}

static void env_name(enum opt_id id, char buf[ENV_NAME_MAX])
{
	const char *n = id == O_VERBOSE ? "verbosity" : defs[id].name;
	size_t i = strlen(ENV_PREFIX);

	memcpy(buf, ENV_PREFIX, i);
	for (; *n && i < ENV_NAME_MAX - 1; n++)
		buf[i++] = (char)(*n == '-' ? '_' : toupper((unsigned char)*n));
	buf[i] = '\0';
}

/* MINIT_VAR=value for a repeatable option: each comma-separated item applied in turn. */
struct env_item {
	struct opts *o;
	enum opt_id id;
};

static int apply_env_item(void *ctx, const char *item)
{
	struct env_item *e = ctx;

	return apply(e->o, e->id, item);
}

static enum opts_result fail(char *err, size_t errlen, enum opts_result r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum opts_result fail(char *err, size_t errlen, enum opts_result r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

static enum opts_result invalid(char *err, size_t errlen, const char *where, enum opt_id id,
				const char *val)
{
	return fail(err, errlen, OPTS_INVALID, "invalid value '%s' for %s: expected %s", val,
		    where, defs[id].expect ? defs[id].expect : "1/0, true/false, yes/no or on/off");
}

static enum opts_result apply_env(struct opts *o, char *const *envp, char *err, size_t errlen)
{
	char name[ENV_NAME_MAX];
	struct env_item item = { o, O_HELP };
	const char *val;
	size_t nlen;
	int id;
	char *const *e;

	for (id = O_VERBOSE; id < O_COUNT; id++) {
		if (defs[id].kind == K_ACTION)
			continue;
		env_name((enum opt_id)id, name);
		nlen = strlen(name);
		for (e = envp; e && *e; e++) {
			if (strncmp(*e, name, nlen) != 0 || (*e)[nlen] != '=')
				continue;
			item.id = (enum opt_id)id;
			val = *e + nlen + 1;
			if (!*val) /* docker run -e VAR= : an empty variable counts as unset */
				continue;
			if (defs[id].kind == K_REPEAT ? parse_each(val, apply_env_item, &item)
						      : apply(o, (enum opt_id)id, val))
				return invalid(err, errlen, name, (enum opt_id)id, val);
		}
	}
	return OPTS_OK;
}

static const char *getenv_from(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* tini's and dumb-init's variables, with their meaning. */
static enum opts_result apply_compat_env(struct opts *o, char *const *envp, char *err,
					 size_t errlen)
{
	const char *v;
	unsigned u;

	if (getenv_from(envp, "TINI_SUBREAPER"))
		o->subreaper = true;
	if (getenv_from(envp, "TINI_KILL_PROCESS_GROUP"))
		o->group = true;
	if ((v = getenv_from(envp, "TINI_VERBOSITY"))) {
		if (parse_uint(v, LOG_LEVEL_TOP, &u))
			return invalid(err, errlen, "TINI_VERBOSITY", O_VERBOSE, v);
		o->verbosity = (int)u;
	}
	if ((v = getenv_from(envp, "DUMB_INIT_SETSID")))
		apply(o, !strcmp(v, "0") ? O_SINGLE_CHILD : O_SETSID, NULL);
	if ((v = getenv_from(envp, "DUMB_INIT_DEBUG")) && !strcmp(v, "1"))
		o->verbosity = LOG_LEVEL_TOP;
	return OPTS_OK;
}

static int find_long(const char *name, size_t len)
{
	int id;

	for (id = 0; id < O_COUNT; id++)
		if (strlen(defs[id].name) == len && !strncmp(defs[id].name, name, len))
			return id;
	return -1;
}

static int find_short(char c)
{
	int id;

	for (id = 0; id < O_COUNT; id++)
		if (defs[id].shortc == c)
			return id;
	return -1;
}

/* help, version and licence: nothing after them matters */
static bool ends_parsing(const struct opts *o)
{
	return o->action == ACT_HELP || o->action == ACT_VERSION || o->action == ACT_LICENSE;
}

/* The first command-line use of a repeatable option replaces its env values. */
static void reset_repeat(struct opts *o, enum opt_id id)
{
	int s;

	if (id == O_REMAP_EXIT)
		memset(o->remap_exit, 0, sizeof(o->remap_exit));
	if (id == O_LISTEN)
		o->listen_len = 0;
	if (id == O_REWRITE)
		for (s = 0; s <= SIG_MAX; s++)
			o->rewrite[s] = s;
}

struct cursor {
	int argc, i;
	char *const *argv;
	bool seen[O_COUNT];
};

static enum opts_result take(struct opts *o, struct cursor *c, enum opt_id id, const char *val,
			     const char *shown, char *err, size_t errlen)
{
	char where[ENV_NAME_MAX];

	if ((defs[id].kind >= K_VALUE || defs[id].arg) && !val) {
		if (c->i + 1 >= c->argc)
			return fail(err, errlen, OPTS_USAGE, "option %s needs a value", shown);
		val = c->argv[++c->i];
	}
	if (defs[id].kind == K_ACTION) {
		o->action = id == O_HELP      ? ACT_HELP
			    : id == O_VERSION ? ACT_VERSION
			    : id == O_LICENSE ? ACT_LICENSE
			    : id == O_HEALTH  ? ACT_HEALTH
			    : id == O_STATUS  ? ACT_STATUS
					      : ACT_INSTALL;
		if (id != O_INSTALL)
			return OPTS_OK;
		o->install_dir = val;
		return *val ? OPTS_OK : invalid(err, errlen, shown, id, val);
	}
	if (defs[id].kind == K_REPEAT && !c->seen[id])
		reset_repeat(o, id);
	c->seen[id] = true;
	if (apply(o, id, val)) {
		snprintf(where, sizeof(where), "%s", shown);
		return invalid(err, errlen, where, id, val);
	}
	return OPTS_OK;
}

static enum opts_result parse_long(struct opts *o, struct cursor *c, const char *arg, char *err,
				   size_t errlen)
{
	const char *eq = strchr(arg + 2, '=');
	size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	int id = find_long(arg + 2, len);
	char shown[ENV_NAME_MAX];

	if (id < 0)
		return fail(err, errlen, OPTS_USAGE, "unknown option '%s'", arg);
	snprintf(shown, sizeof(shown), "--%s", defs[id].name);
	if (eq && defs[id].kind < K_VALUE && !defs[id].arg)
		return fail(err, errlen, OPTS_USAGE, "option %s takes no value", shown);
	return take(o, c, (enum opt_id)id, eq ? eq + 1 : NULL, shown, err, errlen);
}

static enum opts_result parse_short(struct opts *o, struct cursor *c, const char *arg, char *err,
				    size_t errlen)
{
	char shown[3] = { '-', 0, 0 };
	enum opts_result r;
	int id;

	for (arg++; *arg; arg++) {
		id = find_short(*arg);
		shown[1] = *arg;
		if (id < 0)
			return fail(err, errlen, OPTS_USAGE, "unknown option '%s'", shown);
		r = take(o, c, (enum opt_id)id, defs[id].kind >= K_VALUE && arg[1] ? arg + 1 : NULL,
			 shown, err, errlen);
		if (r != OPTS_OK || ends_parsing(o) || defs[id].kind >= K_VALUE)
			return r;
	}
	return OPTS_OK;
}

enum opts_result opts_parse(struct opts *o, int argc, char *const *argv, char *const *envp,
			    char *err, size_t errlen)
{
	struct cursor c = { .argc = argc, .i = 1, .argv = argv };
	enum opts_result r;
	const char *a;

	set_defaults(o, opts_personality(argc > 0 ? argv[0] : NULL));
	r = apply_compat_env(o, envp, err, errlen);
	if (r == OPTS_OK)
		r = apply_env(o, envp, err, errlen);
	for (; r == OPTS_OK && c.i < argc && !ends_parsing(o); c.i++) {
		a = argv[c.i];
		if (!strcmp(a, "--")) {
			c.i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		r = a[1] == '-' ? parse_long(o, &c, a, err, errlen)
				: parse_short(o, &c, a, err, errlen);
	}
	if (r != OPTS_OK || ends_parsing(o))
		return r;
	if (o->action != ACT_RUN) {
		if (c.i < argc)
			return fail(err, errlen, OPTS_USAGE, "--%s takes no command, but got '%s'",
				    o->action == ACT_HEALTH   ? "health"
				    : o->action == ACT_STATUS ? "status"
							      : "install",
				    argv[c.i]);
		return OPTS_OK;
	}
	if (o->backoff_min_ms > o->backoff_max_ms)
		return fail(err, errlen, OPTS_INVALID, "invalid back-off: --backoff-min is larger than --backoff-max");
	o->argv = c.i < argc ? argv + c.i : NULL;
	if (o->pause && o->argv)
		return fail(err, errlen, OPTS_USAGE, "--pause takes no command, but got '%s'",
			    o->argv[0]);
	if (!o->pause && !o->argv)
		return fail(err, errlen, OPTS_USAGE, "no command given");
	return OPTS_OK;
}

#define HELP_MAX	 6144
#define HELP_OPTION_COL	 27 /* where the description starts */

static const char help_head[] =
	"Usage: minit [OPTIONS] [--] COMMAND [ARG...]\n"
	"       minit --pause [OPTIONS]\n"
	"       minit --health | --status [--json]\n"
	"       minit --install DIR\n"
	"\n"
	"A tiny init for containers: runs COMMAND as its child, forwards signals to it,\n"
	"reaps orphans, stops the whole tree in bounded time and exits with COMMAND's\n"
	"status. Every option also reads MINIT_<NAME> from the environment.\n"
	"\n";
static const char help_tail[] =
	"\n"
	"Exit status: the child's, 128+N if it died of signal N; 1 usage error,\n"
	"2 invalid value, 125 minit failed, 126 not executable, 127 not found.\n";

/* Written once, from the table, into a buffer of this file's own. */
const char *opts_help(void)
{
	static char text[HELP_MAX];
	size_t used;
	int id, n;

	if (text[0])
		return text;
	used = (size_t)snprintf(text, sizeof(text), "%s", help_head);
	for (id = 0; id < O_COUNT && used < sizeof(text); id++) {
		n = snprintf(text + used, sizeof(text) - used, "  %c%c%s--%s%s%s", defs[id].shortc ? '-' : ' ',
			     defs[id].shortc ? defs[id].shortc : ' ', defs[id].shortc ? ", " : "  ",
			     defs[id].name, defs[id].arg ? " " : "", defs[id].arg ? defs[id].arg : "");
		used += (size_t)n;
		if (used < sizeof(text))
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%*s%s\n",
						 n < HELP_OPTION_COL ? HELP_OPTION_COL - n : 1, "",
						 defs[id].help);
	}
	if (used < sizeof(text))
		snprintf(text + used, sizeof(text) - used, "%s", help_tail);
	return text;
}
