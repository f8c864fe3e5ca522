/*
 * sigprobe: print this process's blocked and ignored signal sets.
 *
 * Usage: sigprobe
 *
 * Output: exactly two lines, copied from /proc/self/status:
 *     SigBlk:\t<16 hex digits>
 *     SigIgn:\t<16 hex digits>
 * (bit N-1 set = signal N). Exit 0, or 1 if /proc/self/status is unreadable.
 * Run it as minit's child to check that minit restored an empty mask and
 * default dispositions before exec: both masks are then 0000000000000000.
 */
#include <stdio.h>
#include <string.h>

int main(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int found = 0;

	if (!f) {
		perror("sigprobe: /proc/self/status");
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7)) {
			fputs(line, stdout);
			found++;
		}
	}
	fclose(f);
	if (found != 2) {
		fprintf(stderr, "sigprobe: SigBlk/SigIgn not found\n");
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
