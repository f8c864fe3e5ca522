/* reaper/reaper.c's pure status decoding, and init/log.c's format and levels. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "../../init/log.h"
#include "../../reaper/reaper.h"
#include "unit.h"

#define EXITED(code)  (((code) & 0xff) << 8)
#define SIGNALED(sig) ((sig) & 0x7f)
#define CORE	      0x80

static void exit_codes(void)
{
	CHECK_INT(reap_exit_code(EXITED(0)), 0);
	CHECK_INT(reap_exit_code(EXITED(3)), 3);
	CHECK_INT(reap_exit_code(EXITED(255)), 255);
	CHECK_INT(reap_exit_code(SIGNALED(SIGTERM)), 143);
	CHECK_INT(reap_exit_code(SIGNALED(SIGKILL)), 137);
	CHECK_INT(reap_exit_code(SIGNALED(SIGSEGV) | CORE), 139);
	CHECK_INT(reap_exit_code(SIGNALED(SIGRTMAX)), 128 + SIGRTMAX);
}

static void describe(void)
{
	char buf[64], tiny[8];

	CHECK_STR(reap_describe(EXITED(3), buf, sizeof(buf)), "exited with status 3");
	CHECK_STR(reap_describe(EXITED(0), buf, sizeof(buf)), "exited with status 0");
	CHECK_STR(reap_describe(SIGNALED(SIGSEGV), buf, sizeof(buf)), "killed by SIGSEGV");
	CHECK_STR(reap_describe(SIGNALED(SIGSEGV) | CORE, buf, sizeof(buf)),
		  "killed by SIGSEGV (core dumped)");
	CHECK_STR(reap_describe(SIGNALED(SIGRTMIN + 1), buf, sizeof(buf)), "killed by SIGRTMIN+1");
	CHECK(reap_describe(EXITED(3), buf, sizeof(buf)) == buf);
	memset(tiny, 'X', sizeof(tiny));
	reap_describe(SIGNALED(SIGSEGV), tiny, sizeof(tiny));
	CHECK_INT(strnlen(tiny, sizeof(tiny)), sizeof(tiny) - 1);
}

/* Runs log_msg with stderr on a pipe and returns what was written. */
static const char *captured(int verbosity, enum log_level level, const char *msg)
{
	static char out[1024];
	int fds[2], saved;
	ssize_t n;

	out[0] = '\0';
	fflush(stderr);
	if (pipe(fds))
		return "(pipe failed)";
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	close(fds[1]);
	log_init("minit", verbosity);
	log_msg(level, "%s", msg);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = read(fds[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	log_init("unit", -1);
	return out;
}

static void log_format_and_levels(void)
{
	char big[2000];
	const char *line;

	CHECK_STR(captured(LOG_WARN, LOG_ERROR, "boom"), "minit: error: boom\n");
	CHECK_STR(captured(LOG_WARN, LOG_WARN, "careful"), "minit: warning: careful\n");
	CHECK_STR(captured(LOG_WARN, LOG_INFO, "hidden"), "");
	CHECK_STR(captured(LOG_DEBUG, LOG_INFO, "shown"), "minit: info: shown\n");
	CHECK_STR(captured(LOG_DEBUG, LOG_DEBUG, "dbg"), "minit: debug: dbg\n");
	CHECK_STR(captured(LOG_ERROR, LOG_WARN, "hidden"), "");
	CHECK_STR(captured(-1, LOG_ERROR, "silenced"), "");
	/* a long message is cut to one line that still ends in a newline */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	line = captured(LOG_WARN, LOG_ERROR, big);
	CHECK(strlen(line) > 100 && strlen(line) < sizeof(big));
	CHECK(strchr(line, '\n') == line + strlen(line) - 1);

	log_init("minit", LOG_WARN);
	CHECK(log_enabled(LOG_ERROR));
	CHECK(log_enabled(LOG_WARN));
	CHECK(!log_enabled(LOG_INFO));
	log_init("minit", -1);
	CHECK(!log_enabled(LOG_ERROR));
	log_init("unit", -1);
}

void suite_reaper_log(void)
{
	RUN(exit_codes, "reap_exit_code: the code, or 128+N for signal N");
	RUN(describe, "reap_describe: exited with status N, killed by SIGNAME");
	RUN(log_format_and_levels, "log_msg: \"minit: LEVEL: message\", filtered by verbosity");
}
