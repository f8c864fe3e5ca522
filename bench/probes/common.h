/* Shared helpers for minit's benchmark probes (bench/probes/). */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* CLOCK_MONOTONIC in ns; the same clock in every PID namespace. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Write one 8-byte record to a FIFO (atomic: below PIPE_BUF). */
static inline void put_rec(int fd, uint64_t v)
{
	ssize_t r = write(fd, &v, sizeof(v));

	(void)r;
}

/* Open the report FIFO given on the command line, or die. */
static inline int open_report(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "probe: open %s: %s\n", path, strerror(errno));
		exit(125);
	}
	return fd;
}

#endif
