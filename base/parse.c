#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LIST_ITEM_MAX 256

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
	{ "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CLD", SIGCHLD },    { "CONT", SIGCONT },
	{ "STOP", SIGSTOP },   { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },
	{ "URG", SIGURG },     { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },   { "WINCH", SIGWINCH },   { "IO", SIGIO },       { "POLL", SIGPOLL },
	{ "PWR", SIGPWR },     { "SYS", SIGSYS },
};

/* Digits only, no sign, no overflow past max. The bound is checked before
 * v * 10 + d is formed: with a 32-bit unsigned long and max = ULONG_MAX the
 * sum itself would wrap ("4294967296" read as 0). */
static int parse_digits(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0, d;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		d = (unsigned long)(*s - '0');
		if (d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int parse_uint(const char *s, unsigned max, unsigned *out)
{
	unsigned long v;

	if (parse_digits(s, max, &v))
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int parse_rt(const char *s, int *sig)
{
	unsigned long off = 0;
	int base, dir;

	if (!strncasecmp(s, "RTMIN", 5)) {
		base = SIGRTMIN;
		dir = 1;
	} else if (!strncasecmp(s, "RTMAX", 5)) {
		base = SIGRTMAX;
		dir = -1;
	} else {
		return -EINVAL;
	}
	s += 5;
	if (*s) {
		if (*s != (dir > 0 ? '+' : '-') || parse_digits(s + 1, SIG_MAX, &off))
			return -EINVAL;
	}
	base += dir * (int)off;
	if (base < SIGRTMIN || base > SIGRTMAX)
		return -EINVAL;
	*sig = base;
	return 0;
}

int parse_signal(const char *s, int *sig)
{
	unsigned long n;
	size_t i;

	if (!s)
		return -EINVAL;
	if (isdigit((unsigned char)*s)) {
		if (parse_digits(s, SIG_MAX, &n) || n == 0)
			return -EINVAL;
		*sig = (int)n;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++) {
		if (!strcasecmp(s, signal_names[i].name)) {
			*sig = signal_names[i].sig;
			return 0;
		}
	}
	return parse_rt(s, sig);
}

int parse_signal_or_zero(const char *s, int *sig)
{
	if (s && !strcmp(s, "0")) {
		*sig = 0;
		return 0;
	}
	return parse_signal(s, sig);
}

const char *signal_name(int sig, char buf[SIGNAL_NAME_MAX])
{
	size_t i;

	for (i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (signal_names[i].sig == sig)
			return signal_names[i].name;
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, SIGNAL_NAME_MAX, "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, SIGNAL_NAME_MAX, "%d", sig);
	return buf;
}

int parse_duration_ms(const char *s, uint64_t *ms)
{
	uint64_t whole = 0, frac = 0, frac_div = 1, unit_ms;
	const char *p = s;

	if (!s || !isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > DURATION_MAX_MS)
			return -EINVAL;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			if (frac_div < 1000000) { /* finer than a microsecond is noise */
				frac = frac * 10 + (uint64_t)(*p - '0');
				frac_div *= 10;
			}
		}
	}
	if (!*p || !strcmp(p, "s"))
		unit_ms = 1000;
	else if (!strcmp(p, "ms"))
		unit_ms = 1;
	else if (!strcmp(p, "m"))
		unit_ms = 60000;
	else
		return -EINVAL;
	if (whole > DURATION_MAX_MS / unit_ms)
		return -EINVAL;
	whole = whole * unit_ms + frac * unit_ms / frac_div;
	if (whole > DURATION_MAX_MS)
		return -EINVAL;
	*ms = whole;
	return 0;
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_each(const char *list, int (*fn)(void *ctx, const char *item), void *ctx)
{
	char item[LIST_ITEM_MAX];
	const char *end;
	size_t len;
	int err;

	if (!list || !*list)
		return -EINVAL;
	for (;;) {
		end = strchr(list, ',');
		len = end ? (size_t)(end - list) : strlen(list);
		if (len == 0 || len >= sizeof(item))
			return -EINVAL;
		memcpy(item, list, len);
		item[len] = '\0';
		err = fn(ctx, item);
		if (err)
			return err;
		if (!end)
			return 0;
		list = end + 1;
	}
}
