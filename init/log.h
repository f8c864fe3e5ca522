/* One log function for all of minit: stderr only, one line per event,
 * "minit: LEVEL: message". Writes never raise SIGPIPE (it is blocked and its
 * self-sent instance dropped by the loop) and never loop: a failed write marks
 * stderr dead and later messages are discarded. */
#ifndef MINIT_LOG_H
#define MINIT_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

#define LOG_DEFAULT_VERBOSITY LOG_WARN
#define LOG_LEVEL_TOP	      LOG_DEBUG

void log_init(const char *prog, int verbosity);
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
