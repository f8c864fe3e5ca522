/*
 * sigqueue: send a signal with a value, as sigqueue(3) does (si_code
 * SI_QUEUE), to test that minit passes the value on.
 *
 * Usage: sigqueue PID SIGNUM VALUE
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	union sigval v;

	if (argc != 4) {
		fprintf(stderr, "usage: sigqueue PID SIGNUM VALUE\n");
		return 2;
	}
	v.sival_int = atoi(argv[3]);
	if (sigqueue(atoi(argv[1]), atoi(argv[2]), v)) {
		perror("sigqueue");
		return 1;
	}
	return 0;
}
