/* minit's own descriptors stay clear of 0, 1 and 2 even when minit was
 * started with them closed: a later open must never become the child's
 * stdin, stdout or stderr, nor catch minit's log lines. */
#ifndef MINIT_FD_H
#define MINIT_FD_H

#define FD_FIRST_OWN 3

/* fd itself if it is at min or above, else a close-on-exec copy there (fd is
 * closed). -1 with errno on failure (fd is closed too); fd < 0 passes through. */
int fd_move_above(int fd, int min);

#endif
