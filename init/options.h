/* Command line and environment, turned into one struct opts. Pure: no I/O, no
 * exit, no allocation; errors come back as a code and a one-line message. */
#ifndef MINIT_OPTIONS_H
#define MINIT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/parse.h"
#include "../base/status.h"
#include "../spawn/privs.h"
#include "listen.h"
#include "supervise.h"

#define STOP_TIMEOUT_DEFAULT_MS	  9000  /* under docker stop's 10 s */
#define LEFTOVER_GRACE_DEFAULT_MS 2000
#define BACKOFF_MIN_DEFAULT_MS	  100
#define BACKOFF_MAX_DEFAULT_MS	  10000
#define RESTART_MAX_DEFAULT	  5
#define RESTART_WINDOW_DEFAULT_MS 60000

enum opts_result { OPTS_OK = 0, OPTS_USAGE = EXIT_USAGE, OPTS_INVALID = EXIT_INVALID };
enum opts_action { ACT_RUN, ACT_HELP, ACT_VERSION, ACT_LICENSE, ACT_HEALTH, ACT_STATUS, ACT_INSTALL };
/* Installed as tini (or docker-init) or as dumb-init, minit behaves as that
 * program does, wherever a user could tell the difference (README.md). */
enum personality { PERS_MINIT, PERS_TINI, PERS_DUMB_INIT };

struct opts {
	enum opts_action action;
	enum personality personality;
	char *const *argv;		/* the command; NULL with --pause */
	int verbosity;
	bool warn_on_reap, subreaper, group, setsid, pause, no_new_privs;
	int pdeathsig;			/* 0 = none */
	bool remap_exit[EXIT_CODE_COUNT];
	int rewrite[SIG_MAX + 1];	/* rewrite[s] = signal to send for s, 0 drops */
	bool stop_on[SIG_MAX + 1];
	int ladder[LADDER_MAX];
	size_t ladder_len;		/* 0 = received signal, then KILL */
	uint64_t stop_timeout_ms, leftover_grace_ms;
	bool stop_given;		/* --stop-timeout or --stop-ladder (or their MINIT_*) given */
	bool leftover_given;		/* --leftover-grace (or MINIT_LEFTOVER_GRACE) given */
	enum restart_mode restart;
	uint64_t backoff_min_ms, backoff_max_ms, restart_window_ms;
	unsigned restart_max;
	const char *pidfile;
	struct listen_addr listen[LISTEN_MAX];
	size_t listen_len;
	const char *user;		/* USER[:GROUP], resolved at set-up */
	const char *cap_drop, *cap_add;	/* comma lists, resolved by spawn/privs */
	enum privs_seccomp seccomp;
	bool notify;			/* --notify (or --ready-timeout) */
	uint64_t ready_timeout_ms, watchdog_ms, stop_delay_ms; /* 0: none */
	const char *termination_log;	/* NULL: /dev/termination-log when it exists */
	const char *control;		/* the control socket's name, NULL: the default */
	bool json;			/* --status --json */
	const char *cgroup;		/* --cgroup: NULL auto, "off", or a cgroup v2 directory */
	const char *install_dir;	/* --install DIR */
};

/* Fills o from the program name, the environment (NULL-terminated) and argv.
 * Options win over MINIT_* variables, which win over TINI_* and DUMB_INIT_*.
 * On error returns OPTS_USAGE or OPTS_INVALID with a message in err. */
enum opts_result opts_parse(struct opts *o, int argc, char *const *argv, char *const *envp,
			    char *err, size_t errlen);

enum personality opts_personality(const char *argv0);

/* Help text for --help. */
const char *opts_help(void);

#endif
