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

ssize_t fd_read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? n : -1;
}
