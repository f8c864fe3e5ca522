#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <sys/stat.h>

#include "../base/parse.h"

#define PORT_MAX 65535
#define HOST_MAX 64

static int parse_port(const char *s, in_port_t *port)
{
	unsigned v;

	if (parse_uint(s, PORT_MAX, &v))
		return -EINVAL;
	*port = htons((in_port_t)v);
	return 0;
}

static int parse_tcp4(const char *rest, struct listen_addr *out)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
	char host[HOST_MAX];
	const char *colon = strrchr(rest, ':');
	size_t hlen;

	if (!colon || (hlen = (size_t)(colon - rest)) >= sizeof(host))
		return -EINVAL;
	memcpy(host, rest, hlen);
	host[hlen] = '\0';
	sin->sin_family = AF_INET;
	if (!hlen || !strcmp(host, "*"))
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (!strcmp(host, "localhost"))
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -EINVAL;
	out->len = sizeof(*sin);
	return parse_port(colon + 1, &sin->sin_port);
}

static int parse_tcp6(const char *rest, struct listen_addr *out)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
	char host[HOST_MAX];
	const char *close = strchr(rest, ']');
	size_t hlen;

	if (rest[0] != '[' || !close || close[1] != ':')
		return -EINVAL;
	hlen = (size_t)(close - rest - 1);
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, rest + 1, hlen);
	host[hlen] = '\0';
	sin6->sin6_family = AF_INET6;
	if (!hlen || !strcmp(host, "*"))
		sin6->sin6_addr = in6addr_any;
	else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
		return -EINVAL;
	out->len = sizeof(*sin6);
	return parse_port(close + 2, &sin6->sin6_port);
}

static int parse_unix(const char *path, struct listen_addr *out)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;
	size_t len = strlen(path);

	if (!len || len >= sizeof(sun->sun_path))
		return -EINVAL;
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len + 1);
	out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	return 0;
}

int listen_parse(const char *text, struct listen_addr *out)
{
	const char *colon = strchr(text, ':');
	const char *eq = strchr(text, '=');
	const char *spec = text;
	size_t nlen;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(out->text))
		return -EINVAL;
	strcpy(out->text, text);
	strcpy(out->name, "listen");
	if (eq && colon && eq < colon) {
		nlen = (size_t)(eq - text);
		if (!nlen || nlen >= sizeof(out->name))
			return -EINVAL;
		memcpy(out->name, text, nlen);
		out->name[nlen] = '\0';
		spec = eq + 1;
	}
	if (!strncmp(spec, "tcp:", 4))
		return parse_tcp4(spec + 4, out);
	if (!strncmp(spec, "tcp6:", 5))
		return parse_tcp6(spec + 5, out);
	if (!strncmp(spec, "unix:", 5))
		return parse_unix(spec + 5, out);
	return -EINVAL;
}

/* What is at a unix socket's path before minit binds it: a socket file
 * that nobody listens on any more (left by an earlier run) is removed;
 * anything else (a file, a directory, a symbolic link, a socket another
 * server listens on) is refused with a reason in err. */
static int clear_unix_path(const struct listen_addr *a, char *err, size_t errlen)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;
	struct stat st;
	int fd, rc;

	if (lstat(sun->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "unable to listen on %s: %s exists and is not a socket (%s)",
			 a->text, sun->sun_path,
			 S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ? "a directory"
												: "a file");
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sun, a->len) ? errno : 0;
	close(fd);
	if (rc == ECONNREFUSED) /* stale: its server is gone */
		return unlink(sun->sun_path) && errno != ENOENT ? -errno : 0;
	if (rc == ENOENT)
		return 0;
	snprintf(err, errlen, "unable to listen on %s: %s", a->text,
		 rc == 0 || rc == EAGAIN ? "another server is listening on it" : strerror(rc));
	return -EADDRINUSE;
}

static int open_one(const struct listen_addr *a)
{
	const int on = 1;
	int family = a->ss.ss_family;
	int saved;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (family != AF_UNIX && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)))
		goto fail;
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)))
		goto fail;
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) || listen(fd, LISTEN_BACKLOG))
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	return -saved;
}

int listen_open(const struct listen_addr *addrs, size_t n, int *fds, char *err, size_t errlen)
{
	size_t i;
	int fd;

	for (i = 0; i < n; i++) {
		err[0] = '\0';
		fd = addrs[i].ss.ss_family == AF_UNIX ? clear_unix_path(&addrs[i], err, errlen) : 0;
		if (fd == 0)
			fd = open_one(&addrs[i]);
		if (fd < 0) {
			if (!err[0])
				snprintf(err, errlen, "unable to listen on %s: %s", addrs[i].text,
					 strerror(-fd));
			while (i--)
				close(fds[i]);
			return fd;
		}
		fds[i] = fd;
	}
	return 0;
}
