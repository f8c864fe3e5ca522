/* Command line and environment, turned into one struct opts. Pure: no I/O, no
 * exit, no allocation; errors come back as a code and a one-line message. */
#ifndef MINIT_OPTIONS_H
#define MINIT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "listen.h"
#include "parse.h"

#define LADDER_MAX	       8
#define CAP_LIST_MAX	       64
#define EXIT_CODE_COUNT	       256

#define STOP_TIMEOUT_DEFAULT_MS	  9000  /* under docker stop's 10 s */
#define LEFTOVER_GRACE_DEFAULT_MS 2000
#define BACKOFF_MIN_DEFAULT_MS	  100
#define BACKOFF_MAX_DEFAULT_MS	  10000
#define RESTART_MAX_DEFAULT	  5
#define RESTART_WINDOW_DEFAULT_MS 60000
#define RESTART_MAX_LIMIT	  1000

enum opts_result { OPTS_OK = 0, OPTS_USAGE = 1, OPTS_INVALID = 2 };
enum opts_action { ACT_RUN, ACT_HELP, ACT_VERSION, ACT_LICENSE };
enum personality { PERS_MINIT, PERS_TINI, PERS_DUMB_INIT };
enum restart_mode { RESTART_NO, RESTART_ON_CRASH, RESTART_ON_FAILURE, RESTART_ALWAYS };
enum seccomp_mode { SECCOMP_OFF, SECCOMP_DEFAULT, SECCOMP_AUTO };

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
	enum restart_mode restart;
	uint64_t backoff_min_ms, backoff_max_ms, restart_window_ms;
	unsigned restart_max;
	const char *pidfile;
	struct listen_addr listen[LISTEN_MAX];
	size_t listen_len;
	const char *user;		/* USER[:GROUP], resolved at set-up */
	const char *cap_drop, *cap_add;	/* comma lists, resolved by spawn/privs */
	enum seccomp_mode seccomp;
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
