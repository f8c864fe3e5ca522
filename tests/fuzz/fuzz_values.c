/* libFuzzer target for the value parsers. Byte 0 picks the parser, byte 1 a
 * parameter (parse_uint's maximum, status_describe's buffer size); the rest,
 * copied into an exactly sized NUL-terminated buffer, is the text. Each
 * parser is checked against a small independent model of the README grammar. */
#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "../../init/dgram.h"
#include "../../init/listen.h"
#include "../../base/log.h"
#include "../../init/options.h"
#include "../../base/parse.h"
#include "../../base/status.h"

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz", -1, false);
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Value of a digit string, saturated at UINT64_MAX. */
static uint64_t digits_value(const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return UINT64_MAX;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v;
}

static void check_signal(const char *s, bool or_zero)
{
	char buf[SIGNAL_NAME_MAX];
	const char *name;
	int sig = -1, back = -1;
	int r = or_zero ? parse_signal_or_zero(s, &sig) : parse_signal(s, &sig);

	if (r) {
		ASSERT(!(all_digits(s) && digits_value(s, strlen(s)) >= 1 &&
			 digits_value(s, strlen(s)) <= SIG_MAX));
		return;
	}
	if (or_zero && sig == 0) {
		ASSERT(!strcmp(s, "0"));
		return;
	}
	ASSERT(sig >= 1 && sig <= SIG_MAX);
	if (all_digits(s))
		ASSERT(digits_value(s, strlen(s)) == (uint64_t)sig);
	name = signal_name(sig, buf);
	ASSERT(strlen(name) < SIGNAL_NAME_MAX);
	ASSERT(parse_signal(name, &back) == 0 && back == sig);
}

/* README: a number with a unit ms, s, m (bare = seconds), a fraction works;
 * parse.c keeps six fraction digits ("finer than a microsecond is noise"). */
static void check_duration(const char *s)
{
	const char *p = s, *frac = NULL, *unit;
	size_t whole_len, frac_len = 0, i;
	uint64_t whole, f6 = 0, div = 1, unit_ms, ms = 0, want;
	bool valid = true;
	int r = parse_duration_ms(s, &ms);

	while (isdigit((unsigned char)*p))
		p++;
	whole_len = (size_t)(p - s);
	if (!whole_len)
		valid = false;
	if (*p == '.') {
		frac = ++p;
		while (isdigit((unsigned char)*p))
			p++;
		frac_len = (size_t)(p - frac);
		if (!frac_len)
			valid = false;
	}
	unit = p;
	if (!strcmp(unit, "") || !strcmp(unit, "s"))
		unit_ms = 1000;
	else if (!strcmp(unit, "ms"))
		unit_ms = 1;
	else if (!strcmp(unit, "m"))
		unit_ms = 60000;
	else
		unit_ms = 0;
	if (!unit_ms)
		valid = false;
	if (!valid) {
		ASSERT(r != 0);
		return;
	}
	whole = digits_value(s, whole_len);
	for (i = 0; i < frac_len && i < 6; i++) {
		f6 = f6 * 10 + (uint64_t)(frac[i] - '0');
		div *= 10;
	}
	if (whole > DURATION_MAX_MS / unit_ms) {
		ASSERT(r != 0);
		return;
	}
	want = whole * unit_ms + f6 * unit_ms / div;
	if (want > DURATION_MAX_MS) {
		ASSERT(r != 0);
		return;
	}
	ASSERT(r == 0 && ms == want);
}

static void check_uint(const char *s, uint8_t param)
{
	static const unsigned maxes[] = { 0, 1, 3, 255, 1000, 65535, 4294967294u, UINT_MAX };
	unsigned max = maxes[param % (sizeof(maxes) / sizeof(maxes[0]))], u = 7;
	int r = parse_uint(s, max, &u);

	if (all_digits(s) && digits_value(s, strlen(s)) <= max)
		ASSERT(r == 0 && u == digits_value(s, strlen(s)));
	else
		ASSERT(r != 0 && u == 7);
}

static void check_bool(const char *s)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	bool b = false, want_ok = false, want = false;
	size_t i;
	int r = parse_bool(s, &b);

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			want_ok = want = true;
		if (!strcasecmp(s, no[i]))
			want_ok = true;
	}
	ASSERT(want_ok ? r == 0 && b == want : r != 0);
}

struct each_ctx {
	char joined[8192];
	size_t len, n;
	unsigned stop_at;
};

static int each_item(void *ctx, const char *item)
{
	struct each_ctx *c = ctx;
	size_t n = strlen(item);

	ASSERT(n > 0 && n < 256 && !strchr(item, ','));
	if (c->n)
		c->joined[c->len++] = ',';
	ASSERT(c->len + n < sizeof(c->joined));
	memcpy(c->joined + c->len, item, n + 1);
	c->len += n;
	return ++c->n == c->stop_at ? -1234 : 0;
}

static void check_each(const char *s, uint8_t param)
{
	struct each_ctx c = { .stop_at = param % 8 };
	const char *p = s, *comma;
	bool valid = *s != '\0';
	size_t items = 0;
	int r;

	if (strlen(s) >= sizeof(c.joined) - 1)
		return;
	while (valid) {
		comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (!n || n >= 256)
			valid = false;
		items++;
		if (!comma)
			break;
		p = comma + 1;
	}
	r = parse_each(s, each_item, &c);
	if (c.stop_at && c.stop_at <= c.n) {
		ASSERT(r == -1234 && c.n == c.stop_at);
		return;
	}
	if (!valid) {
		ASSERT(r != 0);
		return;
	}
	ASSERT(r == 0 && c.n == items && !strcmp(c.joined, s));
}

static void check_listen(const char *s)
{
	struct listen_addr a;
	size_t n;

	if (listen_parse(s, &a))
		return;
	ASSERT(strcmp(a.text, s) == 0);
	n = strnlen(a.name, sizeof(a.name));
	ASSERT(n > 0 && n < sizeof(a.name) && !strchr(a.name, ':'));
	switch (a.ss.ss_family) {
	case AF_INET:
		ASSERT(a.len == sizeof(struct sockaddr_in) && strstr(s, "tcp:"));
		break;
	case AF_INET6:
		ASSERT(a.len == sizeof(struct sockaddr_in6) && strstr(s, "tcp6:["));
		break;
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)&a.ss;
		size_t plen = strnlen(sun->sun_path, sizeof(sun->sun_path));

		ASSERT(plen > 0 && plen < sizeof(sun->sun_path));
		ASSERT(strstr(s, sun->sun_path) && strstr(s, "unix:"));
		break;
	}
	default:
		ASSERT(!"unknown family");
	}
}

static void check_names(const uint8_t *data, size_t size, uint8_t param)
{
	char buf[SIGNAL_NAME_MAX], *out;
	int v = 0;
	size_t len = param;

	memcpy(&v, data, size < sizeof(v) ? size : sizeof(v));
	ASSERT(strlen(signal_name(v, buf)) < SIGNAL_NAME_MAX);
	out = malloc(len ? len : 1);
	out[0] = 'X';
	ASSERT(status_describe(v, out, (size_t)len) == out);
	if (len)
		ASSERT(strnlen(out, len) < len);
	else
		ASSERT(out[0] == 'X');
	(void)status_exit_code(v);
	free(out);
}

/* NOTIFY_SOCKET: "@name" or "/path", 2 to 108 bytes, else refused */
static void check_notify_address(const char *s)
{
	struct sockaddr_un sun;
	size_t n = strlen(s);
	bool ok = n >= 2 && n <= sizeof(sun.sun_path) && (s[0] == '@' || s[0] == '/');
	socklen_t len = 0;
	int rc = dgram_address(s, &sun, &len);

	if (ok != !rc)
		abort();
	if (!ok)
		return;
	if (sun.sun_family != AF_UNIX || len != offsetof(struct sockaddr_un, sun_path) + n ||
	    memcmp(sun.sun_path + 1, s + 1, n - 1) || sun.sun_path[0] != (s[0] == '@' ? '\0' : '/'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t which, param;
	char *s;

	if (size < 2)
		return 0;
	which = data[0];
	param = data[1];
	data += 2;
	size -= 2;
	if (which % 10 == 9) {
		check_names(data, size, param);
		return 0;
	}
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	/* (an embedded NUL just ends the text early, as it would in argv) */
	switch (which % 10) {
	case 0: check_signal(s, false); break;
	case 1: check_signal(s, true); break;
	case 2: check_duration(s); break;
	case 3: check_uint(s, param); break;
	case 4: check_bool(s); break;
	case 5: check_each(s, param); break;
	case 6: check_listen(s); break;
	case 7: (void)opts_personality(s); break;
	case 8: check_duration(s); break;
	case 9: check_notify_address(s); break;
	}
	free(s);
	return 0;
}
