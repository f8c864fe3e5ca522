#include "fd.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int fd_move_above(int fd, int min)
{
	int moved, saved;

	if (fd < 0 || fd >= min)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, min);
	saved = errno;
	close(fd);
	errno = saved;
	return moved;
}
