#include "status.h"

#include <stdio.h>
#include <sys/wait.h>

#include "parse.h"

int status_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return EXIT_SIGNAL_BASE + WTERMSIG(status);
	return WEXITSTATUS(status);
}

const char *status_describe(int status, char *buf, size_t len)
{
	char name[SIGNAL_NAME_MAX];

	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s%s", signal_name(WTERMSIG(status), name),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	return buf;
}
