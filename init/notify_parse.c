#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "../base/parse.h"
#include "notify_msg.h"

#define PID_DIGITS_MAX 10
#define USEC_MAX       (UINT64_MAX / 1000) /* as ms later, without overflow */

static bool is_key(const char *line, size_t len, const char *key, const char **val, size_t *vlen)
{
	size_t klen = strlen(key);

	if (len <= klen || memcmp(line, key, klen) != 0 || line[klen] != '=')
		return false;
	*val = line + klen + 1;
	*vlen = len - klen - 1;
	return true;
}

static bool is_value(const char *val, size_t vlen, const char *want)
{
	return vlen == strlen(want) && !memcmp(val, want, vlen);
}

/* Decimal digits only, within max; 0 on success. */
static int decimal(const char *val, size_t vlen, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!vlen)
		return -EINVAL;
	for (i = 0; i < vlen; i++) {
		if (!isdigit((unsigned char)val[i]))
			return -EINVAL;
		if (v > (max - (uint64_t)(val[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(val[i] - '0');
	}
	*out = v;
	return 0;
}

static void set_status(struct notify_msg *m, const char *val, size_t vlen)
{
	size_t i, n = vlen < NOTIFY_STATUS_MAX - 1 ? vlen : NOTIFY_STATUS_MAX - 1;

	for (i = 0; i < n; i++) {
		m->status[i] = val[i];
		if ((unsigned char)val[i] < 0x20 || val[i] == 0x7f)
			m->status[i] = '?';
	}
	m->status[n] = '\0';
	m->has_status = true;
}

/* One line; true when understood. */
static bool take_line(struct notify_msg *m, const char *line, size_t len)
{
	const char *val;
	size_t vlen;
	uint64_t n;

	if (memchr(line, '\0', len))
		return false;
	if (is_key(line, len, "READY", &val, &vlen))
		return is_value(val, vlen, "1") && (m->ready = true);
	if (is_key(line, len, "STOPPING", &val, &vlen))
		return is_value(val, vlen, "1") && (m->stopping = true);
	if (is_key(line, len, "RELOADING", &val, &vlen))
		return is_value(val, vlen, "1") && (m->reloading = true);
	if (is_key(line, len, "WATCHDOG", &val, &vlen)) {
		if (is_value(val, vlen, "trigger"))
			return (m->watchdog_trigger = true);
		return is_value(val, vlen, "1") && (m->watchdog = true);
	}
	if (is_key(line, len, "STATUS", &val, &vlen)) {
		set_status(m, val, vlen);
		return true;
	}
	if (is_key(line, len, "MAINPID", &val, &vlen)) {
		if (vlen > PID_DIGITS_MAX || decimal(val, vlen, INT32_MAX, &n) || n <= 1)
			return false;
		m->mainpid = (pid_t)n;
		return true;
	}
	if (is_key(line, len, "EXTEND_TIMEOUT_USEC", &val, &vlen)) {
		if (decimal(val, vlen, USEC_MAX, &n) || !n)
			return false;
		m->extend_usec = n;
		return true;
	}
	return false;
}

int notify_parse(const char *buf, size_t len, struct notify_msg *m)
{
	const char *end = buf + len, *nl;
	bool any = false;

	memset(m, 0, sizeof(*m));
	while (buf < end) {
		nl = memchr(buf, '\n', (size_t)(end - buf));
		if (!nl)
			nl = end;
		if (nl > buf) {
			if (take_line(m, buf, (size_t)(nl - buf)))
				any = true;
			else
				m->ignored++;
		}
		buf = nl + 1;
	}
	return any ? 0 : -EINVAL;
}

uint64_t notify_launcher_watchdog(const char *usec, const char *pid, pid_t self)
{
	uint64_t v, p;

	if (!usec || decimal(usec, strlen(usec), USEC_MAX, &v))
		return 0;
	if (pid && (decimal(pid, strlen(pid), INT32_MAX, &p) || p != (uint64_t)self))
		return 0;
	return v;
}
