#include "install.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define INSTALL_MODE 0755
#define COPY_CHUNK   65536 /* bytes per read */
#define TEMP_NAME_MAX 40

static int copy_all(int from, int to)
{
	char buf[COPY_CHUNK];
	ssize_t n, w, off;

	for (;;) {
		n = read(from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		for (off = 0; off < n; off += w) {
			w = write(to, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				return w < 0 ? -errno : -EIO;
		}
	}
}

/* The running binary, as a regular file; -errno. */
static int open_self(const char *self)
{
	struct stat st;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0 && self && strchr(self, '/'))
		fd = open(self, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOEXEC;
	}
	return fd;
}

static int fail(int err, char *why, size_t len, const char *what, const char *dir)
{
	snprintf(why, len, "unable to %s %s: %s", what, dir, strerror(-err));
	return err;
}

int install_self(const char *dir, const char *self, char *why, size_t len)
{
	char tmp[TEMP_NAME_MAX];
	unsigned rnd = 0;
	int dirfd, from, to, rc;

	from = open_self(self);
	if (from < 0)
		return fail(from, why, len, "read the running binary for", dir);
	/* a directory, followed if it is a link; a FIFO or a file is refused
	 * without blocking */
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (dirfd < 0) {
		rc = -errno;
		close(from);
		return fail(rc, why, len, "open the directory", dir);
	}
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) < 0)
		rnd = (unsigned)getpid();
	snprintf(tmp, sizeof(tmp), ".%s.%d.%08x", INSTALL_NAME, (int)getpid(), rnd);
	to = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (to < 0) {
		rc = fail(-errno, why, len, "create a file in", dir);
		goto out;
	}
	rc = copy_all(from, to);
	if (!rc && fchmod(to, INSTALL_MODE))
		rc = -errno;
	if (!rc && fsync(to))
		rc = -errno;
	if (close(to) && !rc)
		rc = -errno;
	if (rc) {
		fail(rc, why, len, "write a copy into", dir);
	} else if (renameat(dirfd, tmp, dirfd, INSTALL_NAME)) {
		rc = -errno;
		snprintf(why, len, "unable to replace %s/%s: %s", dir, INSTALL_NAME, strerror(-rc));
	} else {
		(void)fsync(dirfd);
		snprintf(why, len, "installed %s/%s", dir, INSTALL_NAME);
	}
	if (rc)
		(void)unlinkat(dirfd, tmp, 0);
out:
	close(dirfd);
	close(from);
	return rc;
}
