/* Pure parsers for option and environment values. None of them allocates,
 * prints or exits: each returns 0 on success or -EINVAL, so they can be unit
 * tested and fuzzed on their own. */
#ifndef MINIT_PARSE_H
#define MINIT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIG_MAX		   64		   /* highest Linux signal number */
#define DURATION_MAX_MS	   (7ULL * 86400000ULL) /* a week: longer is a typo */
#define SIGNAL_NAME_MAX	   16

int parse_signal(const char *s, int *sig);            /* name, SIGNAME, number, RTMIN+n */
int parse_signal_or_zero(const char *s, int *sig);    /* as above, and "0" for none */
const char *signal_name(int sig, char buf[SIGNAL_NAME_MAX]); /* "TERM", "RTMIN+2", "64" */
int parse_duration_ms(const char *s, uint64_t *ms);   /* 500ms, 9s, 1.5s, 2m, bare = s */
int parse_uint(const char *s, unsigned max, unsigned *out);
int parse_bool(const char *s, bool *out);             /* 1/0 true/false yes/no on/off */
/* Calls fn for each comma-separated item (empty items are an error). */
int parse_each(const char *list, int (*fn)(void *ctx, const char *item), void *ctx);

#endif
