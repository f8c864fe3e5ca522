/* minit's exit codes, and what a wait status means: the shell's convention
 * (128+N for death by signal N) and a description for log lines. */
#ifndef MINIT_STATUS_H
#define MINIT_STATUS_H

#include <stddef.h>

#define EXIT_USAGE	    1	/* unknown option, missing argument, no command */
#define EXIT_INVALID	    2	/* invalid value in an option or a MINIT_* variable */
#define EXIT_MINIT_FAILED   125 /* minit itself, or the child's set-up before exec, failed */
#define EXIT_NOT_EXECUTABLE 126 /* the command was found but could not be executed */
#define EXIT_NOT_FOUND	    127 /* the command was not found */
#define EXIT_SIGNAL_BASE    128 /* + N: the child died of signal N */

/* 0..255 for an exit, 128+N for death by signal N. */
int status_exit_code(int status);

/* "exited with status 3", "killed by SIGSEGV (core dumped)". Returns buf. */
const char *status_describe(int status, char *buf, size_t len);

#endif
