/* A tiny TAP test runner for the pure modules. Each test case is one TAP
 * point; every failed check inside it adds a "# file:line: ..." diagnostic
 * and makes the point "not ok". main.c runs the suites in order. */
#ifndef MINIT_UNIT_H
#define MINIT_UNIT_H

#include <stdbool.h>
#include <stdint.h>

void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void unit_run(const char *name, void (*fn)(void));

/* The suites, one per test_*.c file. */
void suite_parse(void);
void suite_listen(void);
void suite_options(void);
void suite_supervise(void);
void suite_status_log(void);

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond))                                                              \
			unit_fail(__FILE__, __LINE__, "expected true got false: %s", #cond); \
	} while (0)

#define CHECK_INT(actual, expected)                                                       \
	do {                                                                              \
		long long a_ = (long long)(actual), e_ = (long long)(expected);          \
		if (a_ != e_)                                                             \
			unit_fail(__FILE__, __LINE__, "expected %lld got %lld: %s", e_, a_,  \
				  #actual);                                               \
	} while (0)

#define CHECK_U64(actual, expected)                                                       \
	do {                                                                              \
		unsigned long long a_ = (actual), e_ = (expected);                        \
		if (a_ != e_)                                                             \
			unit_fail(__FILE__, __LINE__, "expected %llu got %llu: %s", e_, a_,  \
				  #actual);                                               \
	} while (0)

#define CHECK_STR(actual, expected)                                                       \
	do {                                                                              \
		const char *a_ = (actual), *e_ = (expected);                              \
		if (!a_ || strcmp(a_, e_))                                                \
			unit_fail(__FILE__, __LINE__, "expected \"%s\" got \"%s\": %s", e_,  \
				  a_ ? a_ : "(null)", #actual);                           \
	} while (0)

#define CHECK_CONTAINS(haystack, needle)                                                  \
	do {                                                                              \
		const char *h_ = (haystack), *n_ = (needle);                              \
		if (!h_ || !strstr(h_, n_))                                               \
			unit_fail(__FILE__, __LINE__, "expected text with \"%s\" got \"%s\": %s", \
				  n_, h_ ? h_ : "(null)", #haystack);                     \
	} while (0)

#define RUN(fn, name) unit_run(name, fn)

#endif
