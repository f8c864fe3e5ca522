/* base/status.c: exit codes and wait-status decoding; base/log.c: format, levels, and a full stderr that never blocks. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "../../base/log.h"
#include "../../base/status.h"
#include "unit.h"

#define EXITED(code)  (((code) & 0xff) << 8)
#define SIGNALED(sig) ((sig) & 0x7f)
#define CORE	      0x80

static void exit_codes(void)
{
	CHECK_INT(status_exit_code(EXITED(0)), 0);
	CHECK_INT(status_exit_code(EXITED(3)), 3);
	CHECK_INT(status_exit_code(EXITED(255)), 255);
	CHECK_INT(status_exit_code(SIGNALED(SIGTERM)), 143);
	CHECK_INT(status_exit_code(SIGNALED(SIGKILL)), 137);
	CHECK_INT(status_exit_code(SIGNALED(SIGSEGV) | CORE), 139);
	CHECK_INT(status_exit_code(SIGNALED(SIGRTMAX)), 128 + SIGRTMAX);
}

static void describe(void)
{
	char buf[64], tiny[8];

	CHECK_STR(status_describe(EXITED(3), buf, sizeof(buf)), "exited with status 3");
	CHECK_STR(status_describe(EXITED(0), buf, sizeof(buf)), "exited with status 0");
	CHECK_STR(status_describe(SIGNALED(SIGSEGV), buf, sizeof(buf)), "killed by SIGSEGV");
	CHECK_STR(status_describe(SIGNALED(SIGSEGV) | CORE, buf, sizeof(buf)),
		  "killed by SIGSEGV (core dumped)");
	CHECK_STR(status_describe(SIGNALED(SIGRTMIN + 1), buf, sizeof(buf)), "killed by SIGRTMIN+1");
	CHECK(status_describe(EXITED(3), buf, sizeof(buf)) == buf);
	memset(tiny, 'X', sizeof(tiny));
	status_describe(SIGNALED(SIGSEGV), tiny, sizeof(tiny));
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
	log_init("minit", verbosity, true);
	log_msg(level, "%s", msg);
	dup2(saved, STDERR_FILENO);
	close(saved);
	log_init("unit", -1, true); /* lets go of the pipe: its reader sees EOF */
	n = read(fds[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fds[0]);
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

	log_init("minit", LOG_WARN, false);
	CHECK(log_enabled(LOG_ERROR));
	CHECK(log_enabled(LOG_WARN));
	CHECK(!log_enabled(LOG_INFO));
	log_init("minit", -1, false);
	CHECK(!log_enabled(LOG_ERROR));
	log_init("unit", -1, false);
}

/* stderr on a pipe nobody reads: a line that does not fit is dropped, not
 * waited for; once there is room, the count goes out first, then the line.
 * The pipe stays blocking for everyone else (minit writes through a
 * descriptor of its own). */
static void log_full_pipe(void)
{
	static char junk[1 << 16], out[1 << 17];
	int fds[2], saved, flags;
	ssize_t n, got = 0;

	fflush(stderr);
	if (pipe(fds))
		unit_fail(__FILE__, __LINE__, "pipe failed");
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	log_init("minit", LOG_WARN, true);
	/* fill it from our side, without blocking */
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	while (write(fds[1], junk, sizeof(junk)) > 0 || write(fds[1], junk, 1) > 0)
		;
	fcntl(fds[1], F_SETFL, 0);
	log_msg(LOG_ERROR, "lost one");
	log_msg(LOG_ERROR, "lost two");
	flags = fcntl(STDERR_FILENO, F_GETFL);
	CHECK(!(flags & O_NONBLOCK));
	/* drain, then log again */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	while (read(fds[0], out, sizeof(out)) > 0)
		;
	log_msg(LOG_ERROR, "through");
	while ((n = read(fds[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	CHECK_STR(out, "minit: warning: 2 log lines dropped: stderr was full\nminit: error: through\n");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[0]);
	close(fds[1]);
	log_init("unit", -1, true);
}

void suite_status_log(void)
{
	RUN(exit_codes, "status_exit_code: the code, or 128+N for signal N");
	RUN(describe, "status_describe: exited with status N, killed by SIGNAME");
	RUN(log_format_and_levels, "log_msg: \"minit: LEVEL: message\", filtered by verbosity");
	RUN(log_full_pipe, "log_msg: a full stderr pipe drops lines, counts them, never blocks");
}
