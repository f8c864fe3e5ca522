#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"

#define LOG_LINE_MAX  512
#define STDERR_AGAIN  "/proc/self/fd/2"

enum log_sink {
	SINK_DEAD,	/* closed or broken: discard everything */
	SINK_WRITE,	/* a non-blocking descriptor of minit's own, or a regular file */
	SINK_SEND,	/* a socket: send with MSG_DONTWAIT */
	SINK_POLL,	/* shared and blocking: write only what poll says fits */
};

/* Private to this file: the log's own configuration, not shared state. */
static struct {
	const char *prog;
	int verbosity;
	enum log_sink sink;
	int fd;
	unsigned long dropped;	/* lines that would have blocked, not yet reported */
} log_cfg = { "minit", LOG_DEFAULT_VERBOSITY, SINK_WRITE, STDERR_FILENO, 0 };

static const char *const level_names[] = { "error", "warning", "info", "debug" };

/* A pipe, FIFO or terminal opened again: a description of minit's own, so
 * O_NONBLOCK changes nothing for the child. -1 when that is not possible
 * (no /proc, a FIFO with no reader left). */
static int reopen_nonblocking(void)
{
	return fd_move_above(open(STDERR_AGAIN, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC),
			     FD_FIRST_OWN);
}

static void take_stderr(void)
{
	struct stat st;
	int flags = fcntl(STDERR_FILENO, F_GETFL);

	if (log_cfg.fd > STDERR_FILENO)
		close(log_cfg.fd); /* taken before (the unit tests take it again) */
	log_cfg.fd = STDERR_FILENO;
	log_cfg.dropped = 0;
	if (flags < 0 || fstat(STDERR_FILENO, &st)) {
		log_cfg.sink = SINK_DEAD;
		return;
	}
	if (S_ISSOCK(st.st_mode)) {
		log_cfg.sink = SINK_SEND;
		return;
	}
	log_cfg.sink = SINK_WRITE;
	if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return; /* a regular file (or a block device) never makes a writer wait */
	if (flags & O_NONBLOCK)
		return;
	log_cfg.fd = reopen_nonblocking();
	if (log_cfg.fd < 0) {
		log_cfg.fd = STDERR_FILENO;
		log_cfg.sink = SINK_POLL;
	}
}

void log_init(const char *prog, int verbosity, bool own_fd)
{
	log_cfg.prog = prog;
	log_cfg.verbosity = verbosity;
	if (own_fd)
		take_stderr();
}

bool log_enabled(enum log_level level)
{
	return log_cfg.sink != SINK_DEAD && (int)level <= log_cfg.verbosity;
}

/* One attempt (plus EINTR). False when the line did not go out; a line that
 * would have blocked is counted. */
static bool emit(const char *line, size_t len)
{
	struct pollfd p = { log_cfg.fd, POLLOUT, 0 };
	ssize_t n;

	for (;;) {
		if (log_cfg.sink == SINK_POLL && (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))) {
			if (!(p.revents & (POLLERR | POLLHUP | POLLNVAL)))
				break; /* full: would block */
			log_cfg.sink = SINK_DEAD;
			return false;
		}
		n = log_cfg.sink == SINK_SEND
			    ? send(log_cfg.fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL)
			    : write(log_cfg.fd, line, len);
		if (n >= 0)
			return true;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			log_cfg.sink = SINK_DEAD;
			return false;
		}
		break;
	}
	log_cfg.dropped++;
	return false;
}

static size_t __attribute__((format(printf, 3, 0)))
format(char *line, enum log_level level, const char *fmt, va_list ap)
{
	int len = snprintf(line, LOG_LINE_MAX, "%s: %s: ", log_cfg.prog, level_names[level]);

	len += vsnprintf(line + len, LOG_LINE_MAX - (size_t)len, fmt, ap);
	if (len > LOG_LINE_MAX - 2)
		len = LOG_LINE_MAX - 2;
	line[len++] = '\n';
	return (size_t)len;
}

/* The lines dropped so far, said before the next one. True once said. */
static bool report_dropped(void)
{
	char line[LOG_LINE_MAX];
	unsigned long n = log_cfg.dropped;
	int len = snprintf(line, sizeof(line), "%s: warning: %lu log line%s dropped: stderr was full\n",
			   log_cfg.prog, n, n == 1 ? "" : "s");

	log_cfg.dropped = 0;
	if (emit(line, (size_t)len))
		return true;
	log_cfg.dropped = n + (log_cfg.dropped ? 1 : 0); /* still full: the next line waits too */
	return false;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	int saved = errno;
	size_t len;
	va_list ap;

	if (!log_enabled(level))
		goto out;
	if (log_cfg.dropped && !report_dropped())
		goto out;
	va_start(ap, fmt);
	len = format(line, level, fmt, ap);
	va_end(ap);
	emit(line, len);
out:
	errno = saved;
}
