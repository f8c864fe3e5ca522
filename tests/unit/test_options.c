/* opts_parse: the CLI contract of README.md (options, MINIT_* variables,
 * tini/dumb-init compatibility, program-name personalities, exit codes 1/2). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../../init/options.h"
#include "unit.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define NOENV	  ((char *[]){ NULL })

static char err[256];

static enum opts_result parse(struct opts *o, char **argv, char **envp)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	memset(err, 0, sizeof(err));
	return opts_parse(o, argc, argv, envp, err, sizeof(err));
}

/* Parse that must succeed; reports the error message when it does not. A
 * function, not a block, so that ARGV's compound literal outlives the call. */
static void parse_ok(struct opts *o, char **argv, char **envp, int line)
{
	enum opts_result r = parse(o, argv, envp);

	if (r != OPTS_OK)
		unit_fail(__FILE__, line, "expected OPTS_OK got %d (%s): argv[1] \"%s\"", r, err,
			  argv[0] && argv[1] ? argv[1] : "");
}
#define PARSE_OK(o, argv, envp) parse_ok(o, argv, envp, __LINE__)

static size_t count_true(const bool *v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += v[i];
	return k;
}

static void defaults(void)
{
	struct opts o;
	int s;

	PARSE_OK(&o, ARGV("minit", "server", "--port", "80"), NOENV);
	CHECK_INT(o.action, ACT_RUN);
	CHECK_INT(o.personality, PERS_MINIT);
	CHECK_STR(o.argv[0], "server");
	CHECK_STR(o.argv[1], "--port");
	CHECK_STR(o.argv[2], "80");
	CHECK(o.argv[3] == NULL);
	CHECK_INT(o.verbosity, 1);
	CHECK(!o.warn_on_reap && !o.subreaper && !o.group && !o.setsid && !o.pause);
	CHECK(!o.no_new_privs);
	CHECK_INT(o.pdeathsig, 0);
	CHECK_INT(count_true(o.remap_exit, EXIT_CODE_COUNT), 0);
	for (s = 0; s <= SIG_MAX; s++)
		if (o.rewrite[s] != s)
			unit_fail(__FILE__, __LINE__, "expected %d got %d: o.rewrite[%d]", s,
				  o.rewrite[s], s);
	CHECK_INT(count_true(o.stop_on, SIG_MAX + 1), 3);
	CHECK(o.stop_on[SIGTERM] && o.stop_on[SIGINT] && o.stop_on[SIGQUIT]);
	CHECK_INT(o.ladder_len, 0);
	CHECK_U64(o.stop_timeout_ms, 9000);
	CHECK_U64(o.leftover_grace_ms, 2000);
	CHECK_INT(o.restart, RESTART_ON_CRASH);
	CHECK_U64(o.backoff_min_ms, 100);
	CHECK_U64(o.backoff_max_ms, 10000);
	CHECK_INT(o.restart_max, 5);
	CHECK_U64(o.restart_window_ms, 60000);
	CHECK(o.pidfile == NULL);
	CHECK_INT(o.listen_len, 0);
	CHECK(o.user == NULL && o.cap_drop == NULL && o.cap_add == NULL);
	CHECK_INT(o.seccomp, PRIVS_SECCOMP_OFF);
}

static void personalities(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("/usr/bin/dumb-init", "server"), NOENV);
	CHECK_INT(o.personality, PERS_DUMB_INIT);
	CHECK(o.setsid);
	CHECK(o.group);
	CHECK_INT(o.restart, RESTART_NO);
	PARSE_OK(&o, ARGV("dumb-init", "-c", "server"), NOENV);
	CHECK(!o.setsid);
	CHECK(!o.group);

	PARSE_OK(&o, ARGV("docker-init", "server"), NOENV);
	CHECK_INT(o.personality, PERS_TINI);
	CHECK_INT(o.restart, RESTART_NO);
	CHECK(!o.setsid && !o.group);
	PARSE_OK(&o, ARGV("tini", "server"), NOENV);
	CHECK_INT(o.personality, PERS_TINI);
	CHECK_INT(o.restart, RESTART_NO);
	CHECK(!o.setsid && !o.group);
	PARSE_OK(&o, ARGV("/sbin/tini", "server"), NOENV);
	CHECK_INT(o.restart, RESTART_NO);
	PARSE_OK(&o, ARGV("/usr/bin/docker-init", "server"), NOENV);
	CHECK_INT(o.restart, RESTART_NO);

	PARSE_OK(&o, ARGV("minit", "server"), NOENV);
	CHECK_INT(o.personality, PERS_MINIT);
	CHECK_INT(o.restart, RESTART_ON_CRASH);
	PARSE_OK(&o, ARGV("/sbin/minit", "server"), NOENV);
	CHECK_INT(o.restart, RESTART_ON_CRASH);
	CHECK(!o.setsid && !o.group);

	/* the base name decides, not a directory on the way */
	CHECK_INT(opts_personality("/opt/tini/minit"), PERS_MINIT);
	CHECK_INT(opts_personality("/opt/dumb-init/bin/tini"), PERS_TINI);
	CHECK_INT(opts_personality(NULL), PERS_MINIT);
	CHECK_INT(opts_personality(""), PERS_MINIT);

	/* options still win over the personality's defaults */
	PARSE_OK(&o, ARGV("tini", "--restart", "always", "server"), NOENV);
	CHECK_INT(o.restart, RESTART_ALWAYS);
}

static void actions(void)
{
	struct opts o;

	CHECK_INT(parse(&o, ARGV("minit", "-h"), NOENV), OPTS_OK);
	CHECK_INT(o.action, ACT_HELP);
	CHECK_INT(parse(&o, ARGV("minit", "--help"), NOENV), OPTS_OK);
	CHECK_INT(o.action, ACT_HELP);
	CHECK_INT(parse(&o, ARGV("minit", "-V"), NOENV), OPTS_OK);
	CHECK_INT(o.action, ACT_VERSION);
	CHECK_INT(parse(&o, ARGV("minit", "--version"), NOENV), OPTS_OK);
	CHECK_INT(o.action, ACT_VERSION);
	CHECK_INT(parse(&o, ARGV("minit", "-l"), NOENV), OPTS_OK);
	CHECK_INT(o.action, ACT_LICENSE);
	CHECK_INT(parse(&o, ARGV("minit", "--license"), NOENV), OPTS_OK);
	CHECK_INT(o.action, ACT_LICENSE);
	CHECK_INT(parse(&o, ARGV("minit", "-vh"), NOENV), OPTS_OK);
	CHECK_INT(o.action, ACT_HELP);
	/* after the command, --help belongs to the command */
	PARSE_OK(&o, ARGV("minit", "cmd", "--help"), NOENV);
	CHECK_INT(o.action, ACT_RUN);
	CHECK_STR(o.argv[1], "--help");
	CHECK(opts_help() && strstr(opts_help(), "--stop-ladder"));
}

static void install(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "--install", "/mnt/bin"), NOENV);
	CHECK_INT(o.action, ACT_INSTALL);
	CHECK_STR(o.install_dir, "/mnt/bin");
	PARSE_OK(&o, ARGV("minit", "-v", "--install=/mnt/bin"), NOENV);
	CHECK_INT(o.action, ACT_INSTALL);
	CHECK_STR(o.install_dir, "/mnt/bin");
	/* the pause image's MINIT_PAUSE=1 does not get in the way */
	PARSE_OK(&o, ARGV("minit", "--install", "/d"), ((char *[]){ "MINIT_PAUSE=1", NULL }));
	CHECK_INT(o.action, ACT_INSTALL);
	CHECK_INT(parse(&o, ARGV("minit", "--install"), NOENV), OPTS_USAGE);
	CHECK(strstr(err, "option --install needs a value"));
	CHECK_INT(parse(&o, ARGV("minit", "--install="), NOENV), OPTS_INVALID);
	CHECK_INT(parse(&o, ARGV("minit", "--install", "/d", "cmd"), NOENV), OPTS_USAGE);
	CHECK(strstr(err, "--install takes no command, but got 'cmd'"));
	/* never from the environment */
	PARSE_OK(&o, ARGV("minit", "cmd"), ((char *[]){ "MINIT_INSTALL=/d", NULL }));
	CHECK_INT(o.action, ACT_RUN);
	CHECK(strstr(opts_help(), "--install DIR"));
}

static void flags(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "-v", "cmd"), NOENV);
	CHECK_INT(o.verbosity, 2);
	PARSE_OK(&o, ARGV("minit", "--verbose", "cmd"), NOENV);
	CHECK_INT(o.verbosity, 2);
	PARSE_OK(&o, ARGV("minit", "-w", "cmd"), NOENV);
	CHECK(o.warn_on_reap);
	PARSE_OK(&o, ARGV("minit", "--warn-on-reap", "cmd"), NOENV);
	CHECK(o.warn_on_reap);
	PARSE_OK(&o, ARGV("minit", "-s", "cmd"), NOENV);
	CHECK(o.subreaper);
	PARSE_OK(&o, ARGV("minit", "--subreaper", "cmd"), NOENV);
	CHECK(o.subreaper);
	PARSE_OK(&o, ARGV("minit", "-g", "cmd"), NOENV);
	CHECK(o.group && !o.setsid);
	PARSE_OK(&o, ARGV("minit", "--group", "cmd"), NOENV);
	CHECK(o.group);
	PARSE_OK(&o, ARGV("minit", "--setsid", "cmd"), NOENV);
	CHECK(o.setsid);
	CHECK(o.group); /* implied */
	PARSE_OK(&o, ARGV("minit", "--setsid", "-c", "cmd"), NOENV);
	CHECK(!o.setsid && !o.group);
	PARSE_OK(&o, ARGV("minit", "-g", "--single-child", "cmd"), NOENV);
	CHECK(!o.setsid && !o.group);
	PARSE_OK(&o, ARGV("minit", "--no-new-privs", "cmd"), NOENV);
	CHECK(o.no_new_privs);
	PARSE_OK(&o, ARGV("minit", "--pause"), NOENV);
	CHECK(o.pause);
	/* a flag takes no value */
	CHECK(parse(&o, ARGV("minit", "--group=1", "cmd"), NOENV) != OPTS_OK);
}

static void values_long_short_equals(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "-p", "TERM", "cmd"), NOENV);
	CHECK_INT(o.pdeathsig, SIGTERM);
	PARSE_OK(&o, ARGV("minit", "-pKILL", "cmd"), NOENV);
	CHECK_INT(o.pdeathsig, SIGKILL);
	PARSE_OK(&o, ARGV("minit", "--pdeathsig", "9", "cmd"), NOENV);
	CHECK_INT(o.pdeathsig, 9);
	PARSE_OK(&o, ARGV("minit", "--pdeathsig=SIGHUP", "cmd"), NOENV);
	CHECK_INT(o.pdeathsig, SIGHUP);

	PARSE_OK(&o, ARGV("minit", "-e", "3", "cmd"), NOENV);
	CHECK(o.remap_exit[3]);
	CHECK_INT(count_true(o.remap_exit, EXIT_CODE_COUNT), 1);
	PARSE_OK(&o, ARGV("minit", "--remap-exit", "0", "--remap-exit=255", "-e7", "cmd"),
		 NOENV);
	CHECK(o.remap_exit[0] && o.remap_exit[255] && o.remap_exit[7]);
	CHECK_INT(count_true(o.remap_exit, EXIT_CODE_COUNT), 3);

	PARSE_OK(&o, ARGV("minit", "-r", "TERM:QUIT", "-rHUP:USR1", "--rewrite=INT:0",
			  "--rewrite", "15:3", "cmd"),
		 NOENV);
	CHECK_INT(o.rewrite[SIGTERM], SIGQUIT); /* 15:3 is TERM:QUIT again */
	CHECK_INT(o.rewrite[SIGHUP], SIGUSR1);
	CHECK_INT(o.rewrite[SIGINT], 0);
	CHECK_INT(o.rewrite[SIGUSR2], SIGUSR2);

	PARSE_OK(&o, ARGV("minit", "--stop-on", "HUP,USR1", "cmd"), NOENV);
	CHECK_INT(count_true(o.stop_on, SIG_MAX + 1), 2);
	CHECK(o.stop_on[SIGHUP] && o.stop_on[SIGUSR1] && !o.stop_on[SIGTERM]);
	PARSE_OK(&o, ARGV("minit", "--stop-on=TERM", "cmd"), NOENV);
	CHECK_INT(count_true(o.stop_on, SIG_MAX + 1), 1);

	PARSE_OK(&o, ARGV("minit", "--stop-ladder", "QUIT,TERM,KILL", "cmd"), NOENV);
	CHECK_INT(o.ladder_len, 3);
	CHECK_INT(o.ladder[0], SIGQUIT);
	CHECK_INT(o.ladder[1], SIGTERM);
	CHECK_INT(o.ladder[2], SIGKILL);
	PARSE_OK(&o, ARGV("minit", "--stop-ladder=KILL", "cmd"), NOENV);
	CHECK_INT(o.ladder_len, 1);

	PARSE_OK(&o, ARGV("minit", "--stop-timeout", "5s", "--leftover-grace=500ms", "cmd"),
		 NOENV);
	CHECK_U64(o.stop_timeout_ms, 5000);
	CHECK_U64(o.leftover_grace_ms, 500);
	PARSE_OK(&o, ARGV("minit", "--stop-timeout=1.5", "--leftover-grace", "0", "cmd"), NOENV);
	CHECK_U64(o.stop_timeout_ms, 1500);
	CHECK_U64(o.leftover_grace_ms, 0);

	PARSE_OK(&o, ARGV("minit", "--restart", "no", "cmd"), NOENV);
	CHECK_INT(o.restart, RESTART_NO);
	PARSE_OK(&o, ARGV("minit", "--restart=on-failure", "cmd"), NOENV);
	CHECK_INT(o.restart, RESTART_ON_FAILURE);
	PARSE_OK(&o, ARGV("minit", "--restart", "always", "cmd"), NOENV);
	CHECK_INT(o.restart, RESTART_ALWAYS);
	PARSE_OK(&o, ARGV("dumb-init", "--restart", "on-crash", "cmd"), NOENV);
	CHECK_INT(o.restart, RESTART_ON_CRASH);

	PARSE_OK(&o, ARGV("minit", "--backoff-min", "1s", "--backoff-max=1m",
			  "--restart-max", "0", "--restart-window=5m", "cmd"),
		 NOENV);
	CHECK_U64(o.backoff_min_ms, 1000);
	CHECK_U64(o.backoff_max_ms, 60000);
	CHECK_INT(o.restart_max, 0);
	CHECK_U64(o.restart_window_ms, 300000);
	PARSE_OK(&o, ARGV("minit", "--restart-max=1000", "cmd"), NOENV);
	CHECK_INT(o.restart_max, 1000);

	PARSE_OK(&o, ARGV("minit", "--pidfile", "/run/app.pid", "cmd"), NOENV);
	CHECK_STR(o.pidfile, "/run/app.pid");
	PARSE_OK(&o, ARGV("minit", "--pidfile=/run/b.pid", "cmd"), NOENV);
	CHECK_STR(o.pidfile, "/run/b.pid");

	PARSE_OK(&o, ARGV("minit", "--listen", "http=tcp::80", "--listen=unix:/run/a.sock",
			  "cmd"),
		 NOENV);
	CHECK_INT(o.listen_len, 2);
	CHECK_STR(o.listen[0].name, "http");
	CHECK_STR(o.listen[0].text, "http=tcp::80");
	CHECK_INT(o.listen[1].ss.ss_family, AF_UNIX);

	PARSE_OK(&o, ARGV("minit", "--user", "nobody", "cmd"), NOENV);
	CHECK_STR(o.user, "nobody");
	PARSE_OK(&o, ARGV("minit", "--user=1000:1000", "cmd"), NOENV);
	CHECK_STR(o.user, "1000:1000");
	PARSE_OK(&o, ARGV("minit", "--cap-drop", "all", "--cap-add=NET_BIND_SERVICE,CHOWN",
			  "cmd"),
		 NOENV);
	CHECK_STR(o.cap_drop, "all");
	CHECK_STR(o.cap_add, "NET_BIND_SERVICE,CHOWN");
	PARSE_OK(&o, ARGV("minit", "--seccomp", "default", "cmd"), NOENV);
	CHECK_INT(o.seccomp, PRIVS_SECCOMP_DEFAULT);
	PARSE_OK(&o, ARGV("minit", "--seccomp=auto", "cmd"), NOENV);
	CHECK_INT(o.seccomp, PRIVS_SECCOMP_AUTO);
	PARSE_OK(&o, ARGV("minit", "--seccomp", "off", "cmd"), NOENV);
	CHECK_INT(o.seccomp, PRIVS_SECCOMP_OFF);
}

static void clusters(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "-vv", "cmd"), NOENV);
	CHECK_INT(o.verbosity, 3);
	PARSE_OK(&o, ARGV("minit", "-vvv", "cmd"), NOENV);
	CHECK_INT(o.verbosity, 3); /* capped at debug */
	PARSE_OK(&o, ARGV("minit", "-v", "-v", "-v", "-v", "cmd"), NOENV);
	CHECK_INT(o.verbosity, 3);
	PARSE_OK(&o, ARGV("minit", "-e3", "cmd"), NOENV);
	CHECK(o.remap_exit[3]);
	PARSE_OK(&o, ARGV("minit", "-wsg", "cmd"), NOENV);
	CHECK(o.warn_on_reap && o.subreaper && o.group);
	PARSE_OK(&o, ARGV("minit", "-ve3", "cmd"), NOENV);
	CHECK_INT(o.verbosity, 2);
	CHECK(o.remap_exit[3]);
	CHECK(!o.remap_exit[0]);
	PARSE_OK(&o, ARGV("minit", "-wp", "TERM", "cmd"), NOENV); /* value from the next word */
	CHECK(o.warn_on_reap);
	CHECK_INT(o.pdeathsig, SIGTERM);
	CHECK_STR(o.argv[0], "cmd");
	PARSE_OK(&o, ARGV("minit", "-e", "3", "-e4", "cmd"), NOENV);
	CHECK(o.remap_exit[3] && o.remap_exit[4]);
	CHECK_INT(parse(&o, ARGV("minit", "-vx", "cmd"), NOENV), OPTS_USAGE);
	CHECK_INT(parse(&o, ARGV("minit", "-ev", "cmd"), NOENV), OPTS_INVALID);
}

static void double_dash_and_first_non_option(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "--", "-v"), NOENV);
	CHECK_STR(o.argv[0], "-v");
	CHECK_INT(o.verbosity, 1);
	PARSE_OK(&o, ARGV("minit", "-v", "--", "cmd", "--", "-x"), NOENV);
	CHECK_INT(o.verbosity, 2);
	CHECK_STR(o.argv[0], "cmd");
	CHECK_STR(o.argv[1], "--");
	CHECK_STR(o.argv[2], "-x");
	PARSE_OK(&o, ARGV("minit", "cmd", "-x"), NOENV);
	CHECK_STR(o.argv[0], "cmd");
	CHECK_STR(o.argv[1], "-x");
	CHECK(o.argv[2] == NULL);
	PARSE_OK(&o, ARGV("minit", "-v", "cmd", "-v", "--restart", "bogus"), NOENV);
	CHECK_INT(o.verbosity, 2);
	CHECK_INT(o.restart, RESTART_ON_CRASH);
	CHECK_STR(o.argv[1], "-v");
	/* a value that looks like an option is still the value */
	PARSE_OK(&o, ARGV("minit", "--pidfile", "--", "cmd"), NOENV);
	CHECK_STR(o.pidfile, "--");
	CHECK_STR(o.argv[0], "cmd");
	CHECK_INT(parse(&o, ARGV("minit", "--"), NOENV), OPTS_USAGE);
}

static void usage_errors(void)
{
	struct opts o;

	CHECK_INT(parse(&o, ARGV("minit"), NOENV), OPTS_USAGE);
	CHECK_CONTAINS(err, "command");
	CHECK_INT(parse(&o, ARGV("minit", "-v", "-g"), NOENV), OPTS_USAGE);
	CHECK_INT(opts_parse(&o, 0, ARGV(NULL), NOENV, err, sizeof(err)), OPTS_USAGE);

	CHECK_INT(parse(&o, ARGV("minit", "-p"), NOENV), OPTS_USAGE);
	CHECK_CONTAINS(err, "-p");
	CHECK_INT(parse(&o, ARGV("minit", "--pdeathsig"), NOENV), OPTS_USAGE);
	CHECK_CONTAINS(err, "--pdeathsig");
	CHECK_INT(parse(&o, ARGV("minit", "-e"), NOENV), OPTS_USAGE);
	CHECK_INT(parse(&o, ARGV("minit", "-ve"), NOENV), OPTS_USAGE);
	CHECK_INT(parse(&o, ARGV("minit", "--listen"), NOENV), OPTS_USAGE);
	CHECK_INT(parse(&o, ARGV("minit", "--stop-timeout"), NOENV), OPTS_USAGE);

	CHECK_INT(parse(&o, ARGV("minit", "-x", "cmd"), NOENV), OPTS_USAGE);
	CHECK_CONTAINS(err, "-x");
	CHECK_INT(parse(&o, ARGV("minit", "--nope", "cmd"), NOENV), OPTS_USAGE);
	CHECK_CONTAINS(err, "--nope");
	CHECK_INT(parse(&o, ARGV("minit", "--nope=1", "cmd"), NOENV), OPTS_USAGE);
	CHECK_INT(parse(&o, ARGV("minit", "--verb", "cmd"), NOENV), OPTS_USAGE);
	CHECK_INT(parse(&o, ARGV("minit", "--=x", "cmd"), NOENV), OPTS_USAGE);
	CHECK_INT(parse(&o, ARGV("minit", "---", "cmd"), NOENV), OPTS_USAGE);

	CHECK_INT(parse(&o, ARGV("minit", "--pause", "cmd"), NOENV), OPTS_USAGE);
	CHECK_INT(parse(&o, ARGV("minit", "--pause", "--", "cmd"), NOENV), OPTS_USAGE);
}

/* Each of these values is invalid: OPTS_INVALID, with the option named. */
static void invalid_values(void)
{
	static char *const bad[][2] = {
		{ "--pdeathsig", "FOO" },	  { "--pdeathsig", "SIGFOO" },
		{ "--pdeathsig", "65" },	  { "--remap-exit", "256" },
		{ "--remap-exit", "-1" },	  { "--remap-exit", "x" },
		{ "--remap-exit", "3,4" },	  { "--rewrite", "TERM" },
		{ "--rewrite", "TERM:" },	  { "--rewrite", ":TERM" },
		{ "--rewrite", "TERM:FOO" },	  { "--rewrite", "KILL:TERM" },
		{ "--rewrite", "STOP:0" },	  { "--stop-on", "" },
		{ "--stop-on", "TERM,,INT" },	  { "--stop-on", "KILL" },
		{ "--stop-on", "STOP" },	  { "--stop-on", "CHLD" },
		{ "--stop-on", "TERM,KILL" },	  { "--stop-ladder", "QUIT,TERM" },
		{ "--stop-ladder", "" },	  { "--stop-ladder", "TERM,,KILL" },
		{ "--stop-ladder", "TERM,FOO,KILL" },
		{ "--stop-ladder", "TERM,TERM,TERM,TERM,TERM,TERM,TERM,TERM,KILL" },
		{ "--stop-timeout", "9x" },	  { "--stop-timeout", "" },
		{ "--stop-timeout", "8d" },	  { "--leftover-grace", "-1" },
		{ "--restart", "sometimes" },	  { "--restart", "" },
		{ "--backoff-min", "1." },
		{ "--backoff-max", ".5" },	  { "--restart-max", "1001" },
		{ "--restart-max", "-1" },	  { "--restart-window", "x" },
		{ "--pidfile", "" },		  { "--listen", "udp::53" },
		{ "--listen", "tcp::99999" },	  { "--listen", "tcp::80,tcp::81" },
		{ "--user", "" },		  { "--user", ":grp" },
		{ "--user", "usr:" },		  { "--user", "a:b:c" },
		{ "--cap-drop", "" },		  { "--cap-drop", "CHOWN,,KILL" },
		{ "--cap-add", "," },		  { "--seccomp", "strict" },
		{ "--seccomp", "" },
	};
	struct opts o;
	char eq[128];
	size_t i;
	enum opts_result r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = parse(&o, ARGV("minit", bad[i][0], bad[i][1], "cmd"), NOENV);
		if (r != OPTS_INVALID)
			unit_fail(__FILE__, __LINE__, "expected OPTS_INVALID got %d: %s '%s'", r,
				  bad[i][0], bad[i][1]);
		else if (!strstr(err, bad[i][0]))
			unit_fail(__FILE__, __LINE__, "expected a message naming %s got \"%s\"",
				  bad[i][0], err);
		snprintf(eq, sizeof(eq), "%s=%s", bad[i][0], bad[i][1]);
		r = parse(&o, ARGV("minit", eq, "cmd"), NOENV);
		if (r != OPTS_INVALID)
			unit_fail(__FILE__, __LINE__, "expected OPTS_INVALID got %d: %s", r, eq);
	}
	CHECK_INT(parse(&o, ARGV("minit", "-p", "FOO", "cmd"), NOENV), OPTS_INVALID);
	CHECK_CONTAINS(err, "-p");
	CHECK_CONTAINS(err, "FOO");
	CHECK_INT(parse(&o, ARGV("minit", "-e256", "cmd"), NOENV), OPTS_INVALID);
	CHECK_INT(parse(&o, ARGV("minit", "-r", "TERM", "cmd"), NOENV), OPTS_INVALID);
}

static void stop_ladder_and_stop_on(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "--stop-ladder", "TERM,TERM,TERM,TERM,TERM,TERM,TERM,KILL",
			  "cmd"),
		 NOENV);
	CHECK_INT(o.ladder_len, LADDER_MAX);
	CHECK_INT(o.ladder[LADDER_MAX - 1], SIGKILL);
	PARSE_OK(&o, ARGV("minit", "--stop-ladder", "SIGUSR1,9", "cmd"), NOENV);
	CHECK_INT(o.ladder_len, 2);
	CHECK_INT(o.ladder[0], SIGUSR1);
	/* the last --stop-ladder wins as a whole */
	PARSE_OK(&o, ARGV("minit", "--stop-ladder", "QUIT,TERM,KILL", "--stop-ladder", "KILL",
			  "cmd"),
		 NOENV);
	CHECK_INT(o.ladder_len, 1);
	CHECK_INT(parse(&o, ARGV("minit", "--stop-ladder", "KILL,TERM", "cmd"), NOENV),
		  OPTS_INVALID);

	PARSE_OK(&o, ARGV("minit", "--stop-on", "TERM,INT,QUIT,HUP,USR2", "cmd"), NOENV);
	CHECK_INT(count_true(o.stop_on, SIG_MAX + 1), 5);
	CHECK(!o.stop_on[SIGKILL] && !o.stop_on[SIGSTOP] && !o.stop_on[SIGCHLD]);
}

static void rewrite_to_zero(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "-r", "TERM:0", "cmd"), NOENV);
	CHECK_INT(o.rewrite[SIGTERM], 0);
	CHECK_INT(o.rewrite[SIGINT], SIGINT);
	PARSE_OK(&o, ARGV("minit", "-r", "2:0", "cmd"), NOENV);
	CHECK_INT(o.rewrite[SIGINT], 0);
	PARSE_OK(&o, ARGV("minit", "--rewrite", "SIGUSR1:SIGUSR2", "cmd"), NOENV);
	CHECK_INT(o.rewrite[SIGUSR1], SIGUSR2);
	PARSE_OK(&o, ARGV("minit", "--rewrite", "RTMIN+1:0", "cmd"), NOENV);
	CHECK_INT(o.rewrite[SIGRTMIN + 1], 0);
}

static void backoff_order(void)
{
	struct opts o;

	CHECK_INT(parse(&o, ARGV("minit", "--backoff-min", "2s", "--backoff-max", "1s", "cmd"),
			NOENV),
		  OPTS_INVALID);
	CHECK_CONTAINS(err, "backoff");
	PARSE_OK(&o, ARGV("minit", "--backoff-min", "1s", "--backoff-max", "1s", "cmd"), NOENV);
	/* a min above the default max alone is an error too */
	CHECK_INT(parse(&o, ARGV("minit", "--backoff-min", "20s", "cmd"), NOENV), OPTS_INVALID);
	PARSE_OK(&o, ARGV("minit", "--backoff-min", "20s", "--backoff-max", "30s", "cmd"), NOENV);
	CHECK_INT(parse(&o, ARGV("minit", "cmd"), ARGV("MINIT_BACKOFF_MAX=50ms")), OPTS_INVALID);
}

static void env_booleans(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "cmd"),
		 ARGV("MINIT_WARN_ON_REAP=1", "MINIT_SUBREAPER=true", "MINIT_GROUP=yes",
		      "MINIT_NO_NEW_PRIVS=on"));
	CHECK(o.warn_on_reap && o.subreaper && o.group && o.no_new_privs);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_SETSID=1"));
	CHECK(o.setsid && o.group);
	PARSE_OK(&o, ARGV("dumb-init", "cmd"), ARGV("MINIT_SINGLE_CHILD=1"));
	CHECK(!o.setsid && !o.group);
	PARSE_OK(&o, ARGV("dumb-init", "cmd"), ARGV("MINIT_SINGLE_CHILD=0"));
	CHECK(o.setsid && o.group);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_GROUP=off", "MINIT_SUBREAPER=FALSE"));
	CHECK(!o.group && !o.subreaper);
	PARSE_OK(&o, ARGV("minit"), ARGV("MINIT_PAUSE=1"));
	CHECK(o.pause);
	CHECK(o.argv == NULL);
	/* unknown MINIT_ variables and look-alikes are not options */
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_GROUPX=1", "MINIT_FOO=bar", "XMINIT_GROUP=1"));
	CHECK(!o.group);

	CHECK_INT(parse(&o, ARGV("minit", "cmd"), ARGV("MINIT_GROUP=2")), OPTS_INVALID);
	CHECK_CONTAINS(err, "MINIT_GROUP");
	CHECK_INT(parse(&o, ARGV("minit", "cmd"), ARGV("MINIT_WARN_ON_REAP=maybe")), OPTS_INVALID);
	CHECK_CONTAINS(err, "MINIT_WARN_ON_REAP");
	/* an empty variable counts as unset (docker run -e VAR=) */
	PARSE_OK(&o, ARGV("minit", "cmd"),
		 ARGV("MINIT_GROUP=", "MINIT_NO_NEW_PRIVS=", "MINIT_STOP_TIMEOUT=", "MINIT_LISTEN=",
		      "MINIT_PIDFILE=", "MINIT_CAP_DROP="));
	CHECK(!o.group && !o.no_new_privs && !o.pidfile && !o.cap_drop);
	CHECK(o.stop_timeout_ms == STOP_TIMEOUT_DEFAULT_MS);
	CHECK_INT(o.listen_len, 0);
}

static void env_values(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "cmd"),
		 ARGV("MINIT_VERBOSITY=3", "MINIT_PDEATHSIG=KILL", "MINIT_STOP_TIMEOUT=5s",
		      "MINIT_LEFTOVER_GRACE=250ms", "MINIT_RESTART=always",
		      "MINIT_BACKOFF_MIN=1s", "MINIT_BACKOFF_MAX=30s", "MINIT_RESTART_MAX=7",
		      "MINIT_RESTART_WINDOW=2m", "MINIT_PIDFILE=/run/x.pid",
		      "MINIT_USER=www:www", "MINIT_CAP_DROP=all", "MINIT_CAP_ADD=CHOWN",
		      "MINIT_SECCOMP=default", "MINIT_STOP_ON=HUP,TERM",
		      "MINIT_STOP_LADDER=TERM,INT,KILL"));
	CHECK_INT(o.verbosity, 3);
	CHECK_INT(o.pdeathsig, SIGKILL);
	CHECK_U64(o.stop_timeout_ms, 5000);
	CHECK_U64(o.leftover_grace_ms, 250);
	CHECK_INT(o.restart, RESTART_ALWAYS);
	CHECK_U64(o.backoff_min_ms, 1000);
	CHECK_U64(o.backoff_max_ms, 30000);
	CHECK_INT(o.restart_max, 7);
	CHECK_U64(o.restart_window_ms, 120000);
	CHECK_STR(o.pidfile, "/run/x.pid");
	CHECK_STR(o.user, "www:www");
	CHECK_STR(o.cap_drop, "all");
	CHECK_STR(o.cap_add, "CHOWN");
	CHECK_INT(o.seccomp, PRIVS_SECCOMP_DEFAULT);
	CHECK_INT(count_true(o.stop_on, SIG_MAX + 1), 2);
	CHECK(o.stop_on[SIGHUP] && o.stop_on[SIGTERM]);
	CHECK_INT(o.ladder_len, 3);
	CHECK_INT(o.ladder[1], SIGINT);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_VERBOSITY=0"));
	CHECK_INT(o.verbosity, 0);
}

static void env_invalid_names_variable(void)
{
	static char *const bad[] = {
		"MINIT_VERBOSITY=4",	      "MINIT_VERBOSITY=debug",
		"MINIT_PDEATHSIG=X",	      "MINIT_REMAP_EXIT=256",
		"MINIT_REMAP_EXIT=3,,4",      "MINIT_REMAP_EXIT=3,x",
		"MINIT_REWRITE=TERM",	      "MINIT_REWRITE=TERM:0,KILL:0",
		"MINIT_STOP_ON=KILL",	      "MINIT_STOP_LADDER=QUIT,TERM",
		"MINIT_STOP_TIMEOUT=9x",      "MINIT_LEFTOVER_GRACE=1.",
		"MINIT_RESTART=sometimes",    "MINIT_BACKOFF_MIN=x",
		"MINIT_BACKOFF_MAX=-1",	      "MINIT_RESTART_MAX=1001",
		"MINIT_RESTART_WINDOW=.5",    "MINIT_GROUP=0x",
		"MINIT_LISTEN=udp::53",	      "MINIT_USER=:x",
		"MINIT_CAP_DROP=,",	      "MINIT_CAP_ADD=a,",
		"MINIT_SECCOMP=strict",	      "MINIT_PAUSE=2",
		"MINIT_SETSID=x",	      "MINIT_SINGLE_CHILD=x",
		"MINIT_SUBREAPER=x",
	};
	struct opts o;
	char name[64];
	size_t i;
	enum opts_result r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "%.*s", (int)(strchr(bad[i], '=') - bad[i]), bad[i]);
		r = parse(&o, ARGV("minit", "cmd"), ARGV(bad[i]));
		if (r != OPTS_INVALID)
			unit_fail(__FILE__, __LINE__, "expected OPTS_INVALID got %d: %s", r, bad[i]);
		else if (!strstr(err, name))
			unit_fail(__FILE__, __LINE__, "expected a message naming %s got \"%s\"",
				  name, err);
	}
}

static void env_lists_for_repeatables(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_REMAP_EXIT=3,4"));
	CHECK(o.remap_exit[3] && o.remap_exit[4]);
	CHECK_INT(count_true(o.remap_exit, EXIT_CODE_COUNT), 2);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_REWRITE=TERM:QUIT,INT:0"));
	CHECK_INT(o.rewrite[SIGTERM], SIGQUIT);
	CHECK_INT(o.rewrite[SIGINT], 0);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_LISTEN=http=tcp::80"));
	CHECK_INT(o.listen_len, 1);
	CHECK_STR(o.listen[0].name, "http");
	CHECK_STR(o.listen[0].text, "http=tcp::80");
}

/* README: "repeatable options take a comma-separated list in their variable". */
static void env_listen_list(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_LISTEN=http=tcp::80,unix:/run/a.sock"));
	CHECK_INT(o.listen_len, 2);
	if (o.listen_len == 2) {
		CHECK_STR(o.listen[0].name, "http");
		CHECK_INT(o.listen[1].ss.ss_family, AF_UNIX);
		CHECK_STR(o.listen[1].text, "unix:/run/a.sock");
	}
}

static void compat_env(void)
{
	struct opts o;

	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("TINI_SUBREAPER=1"));
	CHECK(o.subreaper);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("TINI_SUBREAPER=")); /* tini: set at all */
	CHECK(o.subreaper);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("TINI_KILL_PROCESS_GROUP=1"));
	CHECK(o.group);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("TINI_VERBOSITY=3"));
	CHECK_INT(o.verbosity, 3);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("TINI_VERBOSITY=0"));
	CHECK_INT(o.verbosity, 0);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("DUMB_INIT_SETSID=1"));
	CHECK(o.setsid && o.group);
	PARSE_OK(&o, ARGV("dumb-init", "cmd"), ARGV("DUMB_INIT_SETSID=0"));
	CHECK(!o.setsid && !o.group);
	PARSE_OK(&o, ARGV("dumb-init", "cmd"), ARGV("DUMB_INIT_SETSID=1"));
	CHECK(o.setsid && o.group);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("DUMB_INIT_DEBUG=1"));
	CHECK_INT(o.verbosity, 3);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("DUMB_INIT_DEBUG=0"));
	CHECK_INT(o.verbosity, 1);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("TINI_SUBREAPERX=1", "XTINI_SUBREAPER=1"));
	CHECK(!o.subreaper);
}

static void precedence(void)
{
	struct opts o;

	/* argv over MINIT_* */
	PARSE_OK(&o, ARGV("minit", "--restart", "no", "cmd"), ARGV("MINIT_RESTART=always"));
	CHECK_INT(o.restart, RESTART_NO);
	PARSE_OK(&o, ARGV("minit", "--stop-timeout=1s", "cmd"), ARGV("MINIT_STOP_TIMEOUT=5s"));
	CHECK_U64(o.stop_timeout_ms, 1000);
	PARSE_OK(&o, ARGV("minit", "-p", "TERM", "cmd"), ARGV("MINIT_PDEATHSIG=KILL"));
	CHECK_INT(o.pdeathsig, SIGTERM);
	PARSE_OK(&o, ARGV("minit", "-c", "cmd"), ARGV("MINIT_GROUP=1"));
	CHECK(!o.group);
	PARSE_OK(&o, ARGV("minit", "-g", "cmd"), ARGV("MINIT_GROUP=0"));
	CHECK(o.group);
	PARSE_OK(&o, ARGV("minit", "--stop-on", "HUP", "cmd"), ARGV("MINIT_STOP_ON=USR1"));
	CHECK(o.stop_on[SIGHUP] && !o.stop_on[SIGUSR1]);
	/* repeatables: the command line replaces the variable's list */
	PARSE_OK(&o, ARGV("minit", "-e", "5", "cmd"), ARGV("MINIT_REMAP_EXIT=3,4"));
	CHECK(o.remap_exit[5] && !o.remap_exit[3] && !o.remap_exit[4]);
	PARSE_OK(&o, ARGV("minit", "-r", "TERM:0", "cmd"), ARGV("MINIT_REWRITE=INT:0"));
	CHECK_INT(o.rewrite[SIGTERM], 0);
	CHECK_INT(o.rewrite[SIGINT], SIGINT);
	PARSE_OK(&o, ARGV("minit", "--listen", "tcp::81", "cmd"), ARGV("MINIT_LISTEN=tcp::80"));
	CHECK_INT(o.listen_len, 1);
	CHECK_STR(o.listen[0].text, "tcp::81");
	/* a MINIT_* value that the command line replaces is still checked? not asserted */

	/* MINIT_* over TINI_* and DUMB_INIT_*, whatever the order in the environment */
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_SUBREAPER=0", "TINI_SUBREAPER=1"));
	CHECK(!o.subreaper);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("TINI_KILL_PROCESS_GROUP=1", "MINIT_GROUP=0"));
	CHECK(!o.group);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("MINIT_VERBOSITY=0", "TINI_VERBOSITY=3"));
	CHECK_INT(o.verbosity, 0);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("DUMB_INIT_DEBUG=1", "MINIT_VERBOSITY=1"));
	CHECK_INT(o.verbosity, 1);
	PARSE_OK(&o, ARGV("minit", "cmd"), ARGV("DUMB_INIT_SETSID=1", "MINIT_SINGLE_CHILD=1"));
	CHECK(!o.setsid && !o.group);
	PARSE_OK(&o, ARGV("dumb-init", "cmd"), ARGV("MINIT_SETSID=1", "DUMB_INIT_SETSID=0"));
	CHECK(o.setsid);

	/* argv over TINI_* and DUMB_INIT_* */
	PARSE_OK(&o, ARGV("minit", "-c", "cmd"), ARGV("TINI_KILL_PROCESS_GROUP=1"));
	CHECK(!o.group);
	PARSE_OK(&o, ARGV("dumb-init", "--setsid", "cmd"), ARGV("DUMB_INIT_SETSID=0"));
	CHECK(o.setsid && o.group);
	PARSE_OK(&o, ARGV("minit", "-v", "cmd"), ARGV("TINI_VERBOSITY=0"));
	CHECK_INT(o.verbosity, 1);
}

static void error_buffer(void)
{
	struct opts o;
	char small[8];

	memset(small, 'X', sizeof(small));
	CHECK_INT(opts_parse(&o, 2, ARGV("minit", "--definitely-unknown"), NOENV, small,
			     sizeof(small)),
		  OPTS_USAGE);
	CHECK_INT(strnlen(small, sizeof(small)), sizeof(small) - 1); /* truncated, terminated */
	memset(small, 'X', sizeof(small));
	CHECK_INT(opts_parse(&o, 1, ARGV("minit"), NOENV, small, 1), OPTS_USAGE);
	CHECK_INT(small[0], '\0');
	CHECK_INT(small[1], 'X'); /* nothing past errlen */
}

void suite_options(void)
{
	RUN(defaults, "opts_parse: defaults for minit");
	RUN(personalities, "opts_parse: program name decides the defaults");
	RUN(actions, "opts_parse: -h/-V/-l and long forms");
	RUN(install, "opts_parse: --install DIR, --install=DIR; not from MINIT_INSTALL");
	RUN(flags, "opts_parse: each flag, long and short");
	RUN(values_long_short_equals, "opts_parse: each value option, -x V, -xV, --x V, --x=V");
	RUN(clusters, "opts_parse: short clusters like -vvv, -e3, -wp TERM");
	RUN(double_dash_and_first_non_option, "opts_parse: -- and stop at the first non-option");
	RUN(usage_errors, "opts_parse: missing value, unknown option, no command = OPTS_USAGE");
	RUN(invalid_values, "opts_parse: bad values = OPTS_INVALID naming the option");
	RUN(stop_ladder_and_stop_on, "opts_parse: stop ladder ends in KILL, up to 8; stop-on");
	RUN(rewrite_to_zero, "opts_parse: --rewrite S:R and S:0");
	RUN(backoff_order, "opts_parse: backoff-min > backoff-max = OPTS_INVALID");
	RUN(env_booleans, "opts_parse: MINIT_* booleans");
	RUN(env_values, "opts_parse: MINIT_* values");
	RUN(env_invalid_names_variable, "opts_parse: invalid MINIT_* = OPTS_INVALID naming it");
	RUN(env_lists_for_repeatables, "opts_parse: MINIT_* lists for repeatable options");
	RUN(env_listen_list, "opts_parse: MINIT_LISTEN takes a comma-separated list");
	RUN(compat_env, "opts_parse: TINI_* and DUMB_INIT_* variables");
	RUN(precedence, "opts_parse: argv over MINIT_* over TINI_*/DUMB_INIT_*");
	RUN(error_buffer, "opts_parse: error message fits the buffer");
}
