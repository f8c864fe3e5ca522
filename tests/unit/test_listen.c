/* listen_parse: "[NAME=]tcp:HOST:PORT", "[NAME=]tcp6:[HOST]:PORT",
 * "[NAME=]unix:PATH" (README, "Values"). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include "../../init/listen.h"
#include "unit.h"

#define BAD (-EINVAL)

static const struct sockaddr_in *in4(const struct listen_addr *a)
{
	return (const struct sockaddr_in *)&a->ss;
}

static const struct sockaddr_in6 *in6(const struct listen_addr *a)
{
	return (const struct sockaddr_in6 *)&a->ss;
}

static const struct sockaddr_un *un(const struct listen_addr *a)
{
	return (const struct sockaddr_un *)&a->ss;
}

static void tcp4(void)
{
	struct listen_addr a;
	const char *text = "tcp:127.0.0.1:8080";

	CHECK_INT(listen_parse(text, &a), 0);
	CHECK_INT(a.ss.ss_family, AF_INET);
	CHECK_INT(a.len, sizeof(struct sockaddr_in));
	CHECK_INT(ntohs(in4(&a)->sin_port), 8080);
	CHECK_INT(ntohl(in4(&a)->sin_addr.s_addr), INADDR_LOOPBACK);
	CHECK_STR(a.name, "listen"); /* the default LISTEN_FDNAMES entry */
	CHECK_STR(a.text, text); /* kept for messages, owned by the struct */

	CHECK_INT(listen_parse("tcp::80", &a), 0);
	CHECK_INT(ntohl(in4(&a)->sin_addr.s_addr), INADDR_ANY);
	CHECK_INT(ntohs(in4(&a)->sin_port), 80);
	CHECK_INT(listen_parse("tcp:*:65535", &a), 0);
	CHECK_INT(ntohl(in4(&a)->sin_addr.s_addr), INADDR_ANY);
	CHECK_INT(ntohs(in4(&a)->sin_port), 65535);
	CHECK_INT(listen_parse("tcp:localhost:1", &a), 0);
	CHECK_INT(ntohl(in4(&a)->sin_addr.s_addr), INADDR_LOOPBACK);
	CHECK_INT(listen_parse("tcp:10.1.2.3:443", &a), 0);
	CHECK_INT(ntohl(in4(&a)->sin_addr.s_addr), 0x0a010203);
}

static void tcp6(void)
{
	struct listen_addr a;
	struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;

	CHECK_INT(listen_parse("tcp6:[::1]:8080", &a), 0);
	CHECK_INT(a.ss.ss_family, AF_INET6);
	CHECK_INT(a.len, sizeof(struct sockaddr_in6));
	CHECK_INT(ntohs(in6(&a)->sin6_port), 8080);
	CHECK(!memcmp(&in6(&a)->sin6_addr, &lo, sizeof(lo)));
	CHECK_INT(listen_parse("tcp6:[]:80", &a), 0);
	CHECK(!memcmp(&in6(&a)->sin6_addr, &in6addr_any, sizeof(lo)));
	CHECK_INT(listen_parse("tcp6:[*]:80", &a), 0);
	CHECK(!memcmp(&in6(&a)->sin6_addr, &in6addr_any, sizeof(lo)));
	CHECK_INT(listen_parse("tcp6:[2001:db8::1]:443", &a), 0);
	CHECK_INT(ntohs(in6(&a)->sin6_port), 443);
}

static void unix_path(void)
{
	struct listen_addr a;
	char text[200];
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

	CHECK_INT(listen_parse("unix:/run/app.sock", &a), 0);
	CHECK_INT(a.ss.ss_family, AF_UNIX);
	CHECK_STR(un(&a)->sun_path, "/run/app.sock");
	CHECK_INT(a.len, offsetof(struct sockaddr_un, sun_path) + strlen("/run/app.sock") + 1);
	/* a path may hold '=' and ':' after the scheme */
	CHECK_INT(listen_parse("unix:/tmp/a=b:c", &a), 0);
	CHECK_STR(un(&a)->sun_path, "/tmp/a=b:c");
	CHECK_STR(a.name, "listen");
	/* the longest path sun_path holds with its NUL, and one more */
	memcpy(text, "unix:", 5);
	memset(text + 5, 'p', max);
	text[5 + max] = '\0';
	CHECK_INT(listen_parse(text, &a), 0);
	CHECK_INT(strlen(un(&a)->sun_path), max);
	text[5 + max] = 'p';
	text[6 + max] = '\0';
	CHECK_INT(listen_parse(text, &a), BAD);
	CHECK_INT(listen_parse("unix:", &a), BAD);
}

static void names(void)
{
	struct listen_addr a;
	char text[100];

	CHECK_INT(listen_parse("http=tcp::80", &a), 0);
	CHECK_STR(a.name, "http");
	CHECK_INT(a.ss.ss_family, AF_INET);
	CHECK_INT(ntohs(in4(&a)->sin_port), 80);
	CHECK_INT(listen_parse("admin=tcp6:[::1]:9000", &a), 0);
	CHECK_STR(a.name, "admin");
	CHECK_INT(a.ss.ss_family, AF_INET6);
	CHECK_INT(listen_parse("ctl=unix:/run/ctl.sock", &a), 0);
	CHECK_STR(a.name, "ctl");
	CHECK_STR(un(&a)->sun_path, "/run/ctl.sock");
	/* LISTEN_NAME_MAX - 1 characters fit, LISTEN_NAME_MAX do not */
	memset(text, 'n', LISTEN_NAME_MAX - 1);
	strcpy(text + LISTEN_NAME_MAX - 1, "=tcp::80");
	CHECK_INT(listen_parse(text, &a), 0);
	CHECK_INT(strlen(a.name), LISTEN_NAME_MAX - 1);
	memset(text, 'n', LISTEN_NAME_MAX);
	strcpy(text + LISTEN_NAME_MAX, "=tcp::80");
	CHECK_INT(listen_parse(text, &a), BAD);
	CHECK_INT(listen_parse("=tcp::80", &a), BAD);
	CHECK_INT(listen_parse("a=b=tcp::80", &a), BAD);
}

static void bad_ports(void)
{
	static const char *const bad[] = {
		"tcp:1.2.3.4:", "tcp:1.2.3.4:65536", "tcp:1.2.3.4:-1", "tcp:1.2.3.4:80x",
		"tcp:1.2.3.4:x", "tcp:1.2.3.4: 80", "tcp:1.2.3.4:99999999999999999999",
		"tcp6:[::1]:", "tcp6:[::1]:65536", "tcp6:[::1]:http", "tcp::+80",
	};
	struct listen_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (listen_parse(bad[i], &a) != BAD)
			unit_fail(__FILE__, __LINE__, "expected -EINVAL got 0: listen_parse(\"%s\")",
				  bad[i]);
}

static void missing_parts(void)
{
	static const char *const bad[] = {
		"", "tcp", "tcp:", "tcp:80", "tcp:1.2.3.4", "tcp6:", "tcp6:::1:80",
		"tcp6:[::1]80", "tcp6:[::1", "tcp6:::1]:80", "tcp6:[1.2.3.4]:80",
		"tcp:::1:80", "tcp:example.com:80", "tcp:1.2.3:80", "tcp:256.1.1.1:80",
		"udp::53", "TCP::80", "unix", "http=", "http=tcp", "tcp4::80", "sctp::80",
		"tcp:[::1]:80",
	};
	struct listen_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (listen_parse(bad[i], &a) != BAD)
			unit_fail(__FILE__, __LINE__, "expected -EINVAL got 0: listen_parse(\"%s\")",
				  bad[i]);
}

void suite_listen(void)
{
	RUN(tcp4, "listen_parse: tcp:HOST:PORT, empty, * and localhost hosts");
	RUN(tcp6, "listen_parse: tcp6:[HOST]:PORT");
	RUN(unix_path, "listen_parse: unix:PATH, up to sun_path's size");
	RUN(names, "listen_parse: NAME= prefixes, bounded length");
	RUN(bad_ports, "listen_parse: bad ports are errors");
	RUN(missing_parts, "listen_parse: missing parts and unknown schemes are errors");
}
