/* minit's own descriptors stay clear of 0, 1 and 2 even when minit was
 * started with them closed: a later open must never become the child's
 * stdin, stdout or stderr, nor catch minit's log lines. */
#ifndef MINIT_FD_H
#define MINIT_FD_H

#include <stddef.h>
#include <sys/types.h>

#define FD_FIRST_OWN 3

/* fd itself if it is at min or above, else a close-on-exec copy there (fd is
 * closed). -1 with errno on failure (fd is closed too); fd < 0 passes through. */
int fd_move_above(int fd, int min);

/* A small kernel file (/proc, cgroupfs) read at once: up to len - 1 bytes
 * into buf, NUL-terminated; how many, or -1. Opened non-blocking: a FIFO
 * mounted over it (a root child can, even over /proc/PID/stat) is never
 * waited for. */
ssize_t fd_read_small(const char *path, char *buf, size_t len);

#endif
