#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOG_LINE_MAX 512

/* Private to this file: the log's own configuration, not shared state. */
static struct {
	const char *prog;
	int verbosity;
	int dead;
} log_cfg = { "minit", LOG_DEFAULT_VERBOSITY, 0 };

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void log_init(const char *prog, int verbosity)
{
	log_cfg.prog = prog;
	log_cfg.verbosity = verbosity;
	log_cfg.dead = fcntl(STDERR_FILENO, F_GETFD) < 0;
}

int log_enabled(enum log_level level)
{
	return !log_cfg.dead && (int)level <= log_cfg.verbosity;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	int saved = errno;
	int len;
	va_list ap;

	if (!log_enabled(level))
		goto out;
	len = snprintf(line, sizeof(line), "%s: %s: ", log_cfg.prog, level_names[level]);
	va_start(ap, fmt);
	len += vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 2)
		len = (int)sizeof(line) - 2;
	line[len++] = '\n';
	/* One attempt (plus EINTR): a full, closed or broken stderr must never stall PID 1. */
	for (;;) {
		if (write(STDERR_FILENO, line, (size_t)len) >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			log_cfg.dead = 1;
		break;
	}
out:
	errno = saved;
}
