/* libFuzzer target for opts_parse. Input: byte 0 picks argv[0] ("minit",
 * "tini", "dumb-init", with or without a directory), byte 1 the size of the
 * error buffer (0..255), the rest is NUL-separated words: argv until the first
 * empty word, the environment after it. Checks that a parsed struct opts keeps
 * the contract's invariants and that the message fits its buffer. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "../../base/log.h"
#include "../../init/options.h"

#define WORDS_MAX 64
#define CANARY	  0x5a

#include "fuzz.h"

static const char *const prog_names[] = { "minit", "tini", "dumb-init", "/usr/local/bin/minit",
					   "/sbin/tini", "/usr/bin/dumb-init", "docker-init", "" };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz", -1, false); /* options.c does not log, but stay quiet anyway */
	return 0;
}

static void check_listen(const struct listen_addr *a)
{
	struct listen_addr again;
	size_t nlen = strnlen(a->name, sizeof(a->name));

	ASSERT(nlen > 0 && nlen < sizeof(a->name));
	ASSERT(!strchr(a->name, ':')); /* LISTEN_FDNAMES is colon-separated */
	ASSERT(strnlen(a->text, sizeof(a->text)) < sizeof(a->text));
	switch (a->ss.ss_family) {
	case AF_INET:
		ASSERT(a->len == sizeof(struct sockaddr_in));
		break;
	case AF_INET6:
		ASSERT(a->len == sizeof(struct sockaddr_in6));
		break;
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;

		ASSERT(strnlen(sun->sun_path, sizeof(sun->sun_path)) < sizeof(sun->sun_path));
		ASSERT(a->len <= sizeof(struct sockaddr_un));
		break;
	}
	default:
		ASSERT(!"unknown address family");
	}
	/* the text the address came from parses to the same address */
	ASSERT(listen_parse(a->text, &again) == 0);
	ASSERT(again.len == a->len && !memcmp(&again.ss, &a->ss, a->len));
	ASSERT(!strcmp(again.name, a->name));
}

static void check_opts(const struct opts *o, char *const *argv, size_t argc)
{
	size_t i;
	int s;

	ASSERT(o->personality == opts_personality(argv[0]));
	if (o->action != ACT_RUN)
		return;
	ASSERT(o->pause == (o->argv == NULL));
	if (o->argv) {
		ASSERT(o->argv > argv && o->argv < argv + argc && o->argv[0]);
		ASSERT(argv[argc] == NULL);
	}
	ASSERT(o->verbosity >= 0 && o->verbosity <= LOG_LEVEL_TOP);
	ASSERT(o->pdeathsig >= 0 && o->pdeathsig <= SIG_MAX);
	ASSERT(o->ladder_len <= LADDER_MAX);
	if (o->ladder_len)
		ASSERT(o->ladder[o->ladder_len - 1] == SIGKILL);
	for (i = 0; i < o->ladder_len; i++)
		ASSERT(o->ladder[i] >= 1 && o->ladder[i] <= SIG_MAX);
	ASSERT(!o->stop_on[0] && !o->stop_on[SIGKILL] && !o->stop_on[SIGSTOP] &&
	       !o->stop_on[SIGCHLD]);
	for (s = 0; s <= SIG_MAX; s++)
		ASSERT(o->rewrite[s] >= 0 && o->rewrite[s] <= SIG_MAX);
	ASSERT(o->rewrite[SIGKILL] == SIGKILL && o->rewrite[SIGSTOP] == SIGSTOP);
	ASSERT(o->stop_timeout_ms <= DURATION_MAX_MS && o->leftover_grace_ms <= DURATION_MAX_MS);
	ASSERT(o->backoff_min_ms <= o->backoff_max_ms && o->backoff_max_ms <= DURATION_MAX_MS);
	ASSERT(o->restart_window_ms <= DURATION_MAX_MS);
	ASSERT(o->restart_max <= RESTART_MAX_LIMIT);
	ASSERT(o->restart >= RESTART_NO && o->restart <= RESTART_ALWAYS);
	ASSERT(o->seccomp >= PRIVS_SECCOMP_OFF && o->seccomp <= PRIVS_SECCOMP_AUTO);
	ASSERT(o->listen_len <= LISTEN_MAX);
	for (i = 0; i < o->listen_len; i++)
		check_listen(&o->listen[i]);
	if (o->pidfile)
		ASSERT(*o->pidfile);
	if (o->user)
		ASSERT(*o->user && *o->user != ':');
	if (o->cap_drop)
		ASSERT(*o->cap_drop);
	if (o->cap_add)
		ASSERT(*o->cap_add);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[WORDS_MAX + 2], *envp[WORDS_MAX + 1], *err;
	size_t argc = 1, envc = 0, errlen, i, start, len;
	bool in_env = false;
	enum opts_result r;
	struct opts o;

	if (size < 2)
		return 0;
	argv[0] = strdup(prog_names[data[0] % (sizeof(prog_names) / sizeof(prog_names[0]))]);
	errlen = data[1];
	data += 2;
	size -= 2;
	/* each word in a buffer of its own, so that ASan sees any overread */
	for (start = 0, i = 0; i <= size; i++) {
		if (i < size && data[i])
			continue;
		len = i - start;
		if (!len && !in_env && i < size) {
			in_env = true;
		} else if (len || i < size) {
			char *w = malloc(len + 1);

			memcpy(w, data + start, len);
			w[len] = '\0';
			if (!in_env && argc < WORDS_MAX + 1)
				argv[argc++] = w;
			else if (in_env && envc < WORDS_MAX)
				envp[envc++] = w;
			else
				free(w);
		}
		start = i + 1;
	}
	argv[argc] = NULL;
	envp[envc] = NULL;

	err = malloc(errlen ? errlen : 1); /* exactly errlen: ASan catches overflows */
	memset(err, CANARY, errlen ? errlen : 1);
	r = opts_parse(&o, (int)argc, argv, envp, err, errlen);
	ASSERT(r == OPTS_OK || r == OPTS_USAGE || r == OPTS_INVALID);
	if (r != OPTS_OK && errlen)
		ASSERT(strnlen(err, errlen) < errlen && (errlen == 1 || err[0]));
	if (!errlen)
		ASSERT(err[0] == CANARY);
	if (r == OPTS_OK)
		check_opts(&o, argv, argc);

	free(err);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	for (i = 0; i < envc; i++)
		free(envp[i]);
	return 0;
}
