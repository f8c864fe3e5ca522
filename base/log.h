/* One log function for all of minit: stderr only, one line per event,
 * "minit: LEVEL: message".
 *
 * PID 1 must never wait on its stderr (docker's log pipe backs up, a terminal
 * is paused with Ctrl-S). log_init gives minit a descriptor of its own that
 * cannot block: a pipe, FIFO or terminal is opened again through
 * /proc/self/fd/2 with O_NONBLOCK (a new open file description: the child
 * keeps the blocking one it shares with minit's caller), a socket is written
 * with MSG_DONTWAIT, a regular file as it is; where none of that works, a
 * line is written only when poll says it fits. A line that would block is
 * dropped and counted; the count goes out before the next line that fits. A
 * closed or broken stderr is left alone for good. */
#ifndef MINIT_LOG_H
#define MINIT_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

#define LOG_DEFAULT_VERBOSITY LOG_WARN
#define LOG_LEVEL_TOP	      LOG_DEBUG

/* Sets the program name and verbosity; with own_fd, also takes minit's own
 * non-blocking descriptor for stderr (once, at start-up). */
void log_init(const char *prog, int verbosity, bool own_fd);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
