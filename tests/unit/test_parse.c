/* init/parse.c: signals, durations, counts, booleans, lists. Expectations come
 * from the README ("Values") and parse.h, not from the implementation. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../../base/parse.h"
#include "unit.h"

#define BAD (-EINVAL)

/* parse_signal result, or BAD; *sig untouched on failure is not required. */
static int sig_of(const char *s)
{
	int sig = -999;

	return parse_signal(s, &sig) ? BAD : sig;
}

static long long dur_of(const char *s)
{
	uint64_t ms = 12345;

	return parse_duration_ms(s, &ms) ? BAD : (long long)ms;
}

static void signal_names(void)
{
	CHECK_INT(sig_of("TERM"), SIGTERM);
	CHECK_INT(sig_of("SIGTERM"), SIGTERM);
	CHECK_INT(sig_of("sigterm"), SIGTERM);
	CHECK_INT(sig_of("term"), SIGTERM);
	CHECK_INT(sig_of("SigTerm"), SIGTERM);
	CHECK_INT(sig_of("HUP"), SIGHUP);
	CHECK_INT(sig_of("INT"), SIGINT);
	CHECK_INT(sig_of("QUIT"), SIGQUIT);
	CHECK_INT(sig_of("KILL"), SIGKILL);
	CHECK_INT(sig_of("SIGKILL"), SIGKILL);
	CHECK_INT(sig_of("USR1"), SIGUSR1);
	CHECK_INT(sig_of("SIGUSR2"), SIGUSR2);
	CHECK_INT(sig_of("WINCH"), SIGWINCH);
	CHECK_INT(sig_of("CHLD"), SIGCHLD);
	CHECK_INT(sig_of("CLD"), SIGCHLD);
	CHECK_INT(sig_of("IOT"), SIGABRT);
	CHECK_INT(sig_of("STOP"), SIGSTOP);
	CHECK_INT(sig_of("SYS"), SIGSYS);
	CHECK_INT(sig_of("PWR"), SIGPWR);
}

static void signal_numbers(void)
{
	CHECK_INT(sig_of("1"), 1);
	CHECK_INT(sig_of("9"), 9);
	CHECK_INT(sig_of("15"), 15);
	CHECK_INT(sig_of("64"), 64);
	CHECK_INT(sig_of("015"), 15);
	CHECK_INT(sig_of("0"), BAD);
	CHECK_INT(sig_of("00"), BAD);
	CHECK_INT(sig_of("65"), BAD);
	CHECK_INT(sig_of("100"), BAD);
	CHECK_INT(sig_of("99999999999999999999999"), BAD);
	CHECK_INT(sig_of("-1"), BAD);
	CHECK_INT(sig_of("+15"), BAD);
	CHECK_INT(sig_of("15 "), BAD);
	CHECK_INT(sig_of(" 15"), BAD);
	CHECK_INT(sig_of("1x"), BAD);
	CHECK_INT(sig_of("0x0f"), BAD);
}

static void signal_realtime(void)
{
	CHECK_INT(sig_of("RTMIN"), SIGRTMIN);
	CHECK_INT(sig_of("SIGRTMIN"), SIGRTMIN);
	CHECK_INT(sig_of("rtmin+2"), SIGRTMIN + 2);
	CHECK_INT(sig_of("SIGRTMIN+2"), SIGRTMIN + 2);
	CHECK_INT(sig_of("RTMIN+0"), SIGRTMIN);
	CHECK_INT(sig_of("RTMAX"), SIGRTMAX);
	CHECK_INT(sig_of("RTMAX-1"), SIGRTMAX - 1);
	CHECK_INT(sig_of("RTMAX-0"), SIGRTMAX);
	/* the bounds: RTMIN+n and RTMAX-n stay within [RTMIN, RTMAX] */
	{
		char buf[32];
		int span = SIGRTMAX - SIGRTMIN;

		snprintf(buf, sizeof(buf), "RTMIN+%d", span);
		CHECK_INT(sig_of(buf), SIGRTMAX);
		snprintf(buf, sizeof(buf), "RTMIN+%d", span + 1);
		CHECK_INT(sig_of(buf), BAD);
		snprintf(buf, sizeof(buf), "RTMAX-%d", span);
		CHECK_INT(sig_of(buf), SIGRTMIN);
		snprintf(buf, sizeof(buf), "RTMAX-%d", span + 1);
		CHECK_INT(sig_of(buf), BAD);
	}
	CHECK_INT(sig_of("RTMIN-1"), BAD);
	CHECK_INT(sig_of("RTMAX+1"), BAD);
	CHECK_INT(sig_of("RTMIN+"), BAD);
	CHECK_INT(sig_of("RTMAX-"), BAD);
	CHECK_INT(sig_of("RTMIN+x"), BAD);
	CHECK_INT(sig_of("RTMIN+99999999999999999999"), BAD);
	CHECK_INT(sig_of("RTMIN2"), BAD);
	CHECK_INT(sig_of("RTMIDDLE"), BAD);
}

static void signal_junk(void)
{
	int sig = 77;

	CHECK_INT(sig_of(""), BAD);
	CHECK_INT(sig_of("SIG"), BAD);
	CHECK_INT(sig_of("sig"), BAD);
	CHECK_INT(sig_of("SIGSIGTERM"), BAD);
	CHECK_INT(sig_of("TERMX"), BAD);
	CHECK_INT(sig_of("TER"), BAD);
	CHECK_INT(sig_of(" TERM"), BAD);
	CHECK_INT(sig_of("TERM "), BAD);
	CHECK_INT(sig_of("SIG TERM"), BAD);
	CHECK_INT(sig_of("FOO"), BAD);
	CHECK_INT(parse_signal(NULL, &sig), BAD);
	CHECK_INT(sig, 77); /* untouched */
}

static void signal_or_zero(void)
{
	int sig = -1;

	CHECK_INT(parse_signal_or_zero("0", &sig), 0);
	CHECK_INT(sig, 0);
	CHECK_INT(parse_signal_or_zero("TERM", &sig), 0);
	CHECK_INT(sig, SIGTERM);
	CHECK_INT(parse_signal_or_zero("", &sig), BAD);
	CHECK_INT(parse_signal_or_zero(NULL, &sig), BAD);
	CHECK_INT(parse_signal_or_zero("65", &sig), BAD);
}

static void signal_names_out(void)
{
	char buf[SIGNAL_NAME_MAX], want[32];
	int sig;

	CHECK_STR(signal_name(SIGTERM, buf), "TERM");
	CHECK_STR(signal_name(SIGKILL, buf), "KILL");
	CHECK_STR(signal_name(SIGCHLD, buf), "CHLD");
	CHECK_STR(signal_name(SIGABRT, buf), "ABRT");
	CHECK_STR(signal_name(SIGIO, buf), "IO");
	CHECK_STR(signal_name(SIGRTMIN + 2, buf), "RTMIN+2");
	CHECK_STR(signal_name(0, buf), "0");
	CHECK_STR(signal_name(99, buf), "99");
	snprintf(want, sizeof(want), "%d", SIGRTMIN - 1);
	CHECK_STR(signal_name(SIGRTMIN - 1, buf), want); /* reserved by libc: a number */
	/* every name printed parses back to its number */
	for (sig = 1; sig <= SIG_MAX; sig++) {
		const char *name = signal_name(sig, buf);
		int back = sig_of(name);

		if (back != sig)
			unit_fail(__FILE__, __LINE__, "expected %d got %d: parse_signal(\"%s\")", sig,
				  back, name);
		if (strlen(name) >= SIGNAL_NAME_MAX)
			unit_fail(__FILE__, __LINE__, "expected < %d got %zu: strlen(\"%s\")",
				  SIGNAL_NAME_MAX, strlen(name), name);
	}
}

static void duration_units(void)
{
	CHECK_INT(dur_of("500ms"), 500);
	CHECK_INT(dur_of("9s"), 9000);
	CHECK_INT(dur_of("2m"), 120000);
	CHECK_INT(dur_of("9"), 9000); /* bare number = seconds */
	CHECK_INT(dur_of("1.5s"), 1500);
	CHECK_INT(dur_of("1.5"), 1500);
	CHECK_INT(dur_of("0.25s"), 250);
	CHECK_INT(dur_of("1.5m"), 90000);
	CHECK_INT(dur_of("0.001s"), 1);
	CHECK_INT(dur_of("2.5ms"), 2); /* below a millisecond: truncated */
	CHECK_INT(dur_of("0"), 0);
	CHECK_INT(dur_of("0s"), 0);
	CHECK_INT(dur_of("0ms"), 0);
	CHECK_INT(dur_of("0m"), 0);
	CHECK_INT(dur_of("007s"), 7000);
	CHECK_INT(dur_of("1.000000000001s"), 1000);
}

static void duration_limits(void)
{
	/* DURATION_MAX_MS (a week) is the largest accepted */
	CHECK_INT(dur_of("604800"), DURATION_MAX_MS);
	CHECK_INT(dur_of("604800s"), DURATION_MAX_MS);
	CHECK_INT(dur_of("10080m"), DURATION_MAX_MS);
	CHECK_INT(dur_of("604800000ms"), DURATION_MAX_MS);
	CHECK_INT(dur_of("604801"), BAD);
	CHECK_INT(dur_of("604800.5s"), BAD);
	CHECK_INT(dur_of("604800001ms"), BAD);
	CHECK_INT(dur_of("10081m"), BAD);
	CHECK_INT(dur_of("18446744073709551616"), BAD);
	CHECK_INT(dur_of("99999999999999999999999999999999ms"), BAD);
	CHECK_INT(dur_of("307445734561825861m"), BAD); /* would wrap 64 bits times 60000 */
}

static void duration_junk(void)
{
	uint64_t ms = 4242;

	CHECK_INT(dur_of(""), BAD);
	CHECK_INT(dur_of("9x"), BAD);
	CHECK_INT(dur_of("1."), BAD);
	CHECK_INT(dur_of("1.s"), BAD);
	CHECK_INT(dur_of(".5"), BAD);
	CHECK_INT(dur_of("-1"), BAD);
	CHECK_INT(dur_of("+1"), BAD);
	CHECK_INT(dur_of("s"), BAD);
	CHECK_INT(dur_of("ms"), BAD);
	CHECK_INT(dur_of("1h"), BAD);
	CHECK_INT(dur_of("1sec"), BAD);
	CHECK_INT(dur_of("1 s"), BAD);
	CHECK_INT(dur_of(" 1s"), BAD);
	CHECK_INT(dur_of("1s "), BAD);
	CHECK_INT(dur_of("1.5.5"), BAD);
	CHECK_INT(dur_of("1,5"), BAD);
	CHECK_INT(dur_of("1e3"), BAD);
	CHECK_INT(dur_of("1ss"), BAD);
	CHECK_INT(dur_of("1mss"), BAD);
	CHECK_INT(parse_duration_ms(NULL, &ms), BAD);
	CHECK_INT(ms, 4242); /* untouched on error */
	CHECK_INT(parse_duration_ms("9x", &ms), BAD);
	CHECK_INT(ms, 4242);
}

static void uints(void)
{
	unsigned u = 99;

	CHECK_INT(parse_uint("0", 10, &u), 0);
	CHECK_INT(u, 0);
	CHECK_INT(parse_uint("10", 10, &u), 0);
	CHECK_INT(u, 10);
	CHECK_INT(parse_uint("0010", 10, &u), 0);
	CHECK_INT(u, 10);
	CHECK_INT(parse_uint("4294967295", 4294967295u, &u), 0);
	CHECK_U64(u, 4294967295u);
	u = 99;
	CHECK_INT(parse_uint("11", 10, &u), BAD);
	CHECK_INT(parse_uint("4294967296", 4294967295u, &u), BAD);
	CHECK_INT(parse_uint("99999999999999999999999", 4294967295u, &u), BAD);
	CHECK_INT(parse_uint("", 10, &u), BAD);
	CHECK_INT(parse_uint(NULL, 10, &u), BAD);
	CHECK_INT(parse_uint("-1", 10, &u), BAD);
	CHECK_INT(parse_uint("+1", 10, &u), BAD);
	CHECK_INT(parse_uint(" 1", 10, &u), BAD);
	CHECK_INT(parse_uint("1 ", 10, &u), BAD);
	CHECK_INT(parse_uint("1a", 10, &u), BAD);
	CHECK_INT(parse_uint("0x1", 10, &u), BAD);
	CHECK_INT(u, 99); /* untouched on error */
}

static void bools(void)
{
	static const char *const yes[] = { "1", "true", "yes", "on", "TRUE", "Yes", "ON" };
	static const char *const no[] = { "0", "false", "no", "off", "FALSE", "No", "OFF" };
	static const char *const junk[] = { "", "2", "y", "n", "truex", "enable", " 1", "1 ",
					    "-1", "01", "nope" };
	bool b;
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		if (parse_bool(yes[i], &b) || !b)
			unit_fail(__FILE__, __LINE__, "expected true got %s: parse_bool(\"%s\")",
				  b ? "an error" : "false", yes[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = true;
		if (parse_bool(no[i], &b) || b)
			unit_fail(__FILE__, __LINE__, "expected false got %s: parse_bool(\"%s\")",
				  b ? "true or an error" : "an error", no[i]);
	}
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (parse_bool(junk[i], &b) != BAD)
			unit_fail(__FILE__, __LINE__, "expected -EINVAL got 0: parse_bool(\"%s\")",
				  junk[i]);
	CHECK_INT(parse_bool(NULL, &b), BAD);
}

struct collect {
	char items[8][300];
	size_t n;
	int fail_on; /* return an error for this item index, or -1 */
};

static int collect_item(void *ctx, const char *item)
{
	struct collect *c = ctx;

	if (c->n < 8)
		snprintf(c->items[c->n], sizeof(c->items[0]), "%s", item);
	if ((int)c->n++ == c->fail_on)
		return -ERANGE;
	return 0;
}

static int each(const char *list, struct collect *c, int fail_on)
{
	memset(c, 0, sizeof(*c));
	c->fail_on = fail_on;
	return parse_each(list, collect_item, c);
}

static void lists(void)
{
	struct collect c;
	char big[400];

	CHECK_INT(each("TERM", &c, -1), 0);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.items[0], "TERM");
	CHECK_INT(each("TERM,INT,QUIT", &c, -1), 0);
	CHECK_INT(c.n, 3);
	CHECK_STR(c.items[0], "TERM");
	CHECK_STR(c.items[1], "INT");
	CHECK_STR(c.items[2], "QUIT");
	CHECK_INT(each("a b,c", &c, -1), 0); /* no trimming: items are taken as written */
	CHECK_STR(c.items[0], "a b");
	/* empty items are an error */
	CHECK_INT(each("", &c, -1), BAD);
	CHECK_INT(each(",", &c, -1), BAD);
	CHECK_INT(each(",a", &c, -1), BAD);
	CHECK_INT(each("a,", &c, -1), BAD);
	CHECK_INT(each("a,,b", &c, -1), BAD);
	CHECK_INT(parse_each(NULL, collect_item, &c), BAD);
	/* the callback's error stops the walk and comes back as is */
	CHECK_INT(each("a,b,c", &c, 1), -ERANGE);
	CHECK_INT(c.n, 2);
	/* an item of 255 characters fits, a longer one is an error */
	memset(big, 'x', sizeof(big));
	big[255] = '\0';
	CHECK_INT(each(big, &c, -1), 0);
	CHECK_INT(strlen(c.items[0]), 255);
	big[255] = 'x';
	big[300] = '\0';
	CHECK_INT(each(big, &c, -1), BAD);
}

void suite_parse(void)
{
	RUN(signal_names, "parse_signal: names with and without SIG, any case");
	RUN(signal_numbers, "parse_signal: numbers 1..64, not 0 or 65");
	RUN(signal_realtime, "parse_signal: RTMIN+n and RTMAX-n within bounds");
	RUN(signal_junk, "parse_signal: junk, empty and NULL are errors");
	RUN(signal_or_zero, "parse_signal_or_zero: 0 means none");
	RUN(signal_names_out, "signal_name: names, RTMIN+n, numbers; round trip 1..64");
	RUN(duration_units, "parse_duration_ms: ms/s/m, bare seconds, fractions, zero");
	RUN(duration_limits, "parse_duration_ms: a week is the limit, no overflow");
	RUN(duration_junk, "parse_duration_ms: junk is an error");
	RUN(uints, "parse_uint: digits only, bounded");
	RUN(bools, "parse_bool: 1/0 true/false yes/no on/off");
	RUN(lists, "parse_each: items in order, empty items are errors");
}
