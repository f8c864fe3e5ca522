/* Runs every unit test suite and prints TAP. With an argument, runs only the
 * cases whose name contains it. Exits 1 if any case failed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/log.h"
#include "unit.h"

static struct {
	const char *filter;
	unsigned run, failed;
	unsigned case_failures;
} unit;

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	unit.case_failures++;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void unit_run(const char *name, void (*fn)(void))
{
	if (unit.filter && !strstr(name, unit.filter))
		return;
	unit.case_failures = 0;
	fflush(stdout);
	fn();
	unit.run++;
	if (unit.case_failures)
		unit.failed++;
	printf("%sok %u - %s\n", unit.case_failures ? "not " : "", unit.run, name);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unit.filter = argc > 1 ? argv[1] : NULL;
	/* The supervisor logs through log_msg: keep the TAP stream clean. */
	log_init("unit", -1, false);
	suite_parse();
	suite_listen();
	suite_options();
	suite_supervise();
	suite_status_log();
	printf("1..%u\n", unit.run);
	if (unit.failed)
		printf("# %u of %u failed\n", unit.failed, unit.run);
	return unit.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
