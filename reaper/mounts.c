#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_LEN 4096
#define READ_CHUNK   1024 /* the kernel generates a seq_file's lines as they are read */

/* Lines of a /proc file through read(2), a little at a time: stdio's fclose
 * seeks back over what it buffered, which on a seq_file (mountinfo) makes
 * the kernel generate every line up to there again, and a reader that stops
 * early spares the kernel the rest. */
struct lines {
	int fd;
	bool skipping;		/* in a line longer than buf: dropped */
	size_t next, have;	/* buf[next, have): not yet returned */
	char buf[LINE_MAX_LEN + 1];
};

static int lines_open(struct lines *r, const char *path)
{
	r->skipping = false;
	r->next = r->have = 0;
	r->fd = openat(AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return r->fd < 0 ? -errno : 0;
}

/* The next line without its newline, or NULL at the end (or on an error). */
static char *lines_next(struct lines *r)
{
	char *line, *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(r->buf + r->next, '\n', r->have - r->next);
		if (nl) {
			*nl = '\0';
			line = r->buf + r->next;
			r->next = (size_t)(nl - r->buf) + 1;
			if (!r->skipping)
				return line;
			r->skipping = false;
			continue;
		}
		memmove(r->buf, r->buf + r->next, r->have - r->next);
		r->have -= r->next;
		r->next = 0;
		if (r->have == LINE_MAX_LEN) { /* no newline in a full buffer */
			r->skipping = true;
			r->have = 0;
		}
		do
			n = read(r->fd, r->buf + r->have,
				 LINE_MAX_LEN - r->have < READ_CHUNK ? LINE_MAX_LEN - r->have : READ_CHUNK);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			break;
		r->have += (size_t)n;
	}
	if (r->have == 0 || r->skipping)
		return NULL;
	r->buf[r->have] = '\0'; /* the last line had no newline */
	r->next = r->have;
	return r->buf;
}

static void lines_close(struct lines *r)
{
	close(r->fd);
}

/* one line of /proc/self/mountinfo: root, mount point, type, super options */
struct mount {
	char root[LINE_MAX_LEN / 4], point[LINE_MAX_LEN / 4], type[64], opts[LINE_MAX_LEN / 4];
};

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static bool parse_mount(char *line, struct mount *m)
{
	char *sep = strstr(line, " - ");

	if (!sep || sscanf(line, "%*s %*s %*s %1023s %1023s", m->root, m->point) != 2 ||
	    sscanf(sep + 3, "%63s %*s %1023s", m->type, m->opts) != 2)
		return false;
	unescape(m->root);
	unescape(m->point);
	return true;
}

/* has ",word," in ",opts," */
static bool has_opt(const char *opts, const char *word)
{
	size_t n = strlen(word);
	const char *p = opts;

	for (p = strstr(p, word); p; p = strstr(p + 1, word))
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* The mount m serves path when its root is a prefix of path: abs = its mount
 * point + the rest of path. 0, -ENOENT (not this mount) or -ENAMETOOLONG. */
static int resolve(const struct mount *m, const char *path, char *abs, size_t alen)
{
	size_t rl = strcmp(m->root, "/") != 0 ? strlen(m->root) : 0;

	if (strncmp(path, m->root, rl) != 0 || (path[rl] && path[rl] != '/'))
		return -ENOENT;
	/* the mount point itself for its root: no "//" after it */
	return snprintf(abs, alen, "%s%s", m->point, strcmp(path + rl, "/") ? path + rl : "") >=
			       (int)alen
		       ? -ENAMETOOLONG
		       : 0;
}

/* The type of a mountinfo line, cheaply: most lines are not cgroups. */
static bool of_type(const char *line, const char *type)
{
	const char *sep = strstr(line, " - ");
	size_t n = strlen(type);

	return sep && !strncmp(sep + 3, type, n) && sep[3 + n] == ' ';
}

/* One pass over mountinfo for the first cgroup2 mount serving v2_path and
 * the first v1 memory mount serving mem_path ("": not looked for). */
static void find(struct cgroup_places *p, const char *v2_path, const char *mem_path)
{
	struct lines r;
	struct mount m;
	bool want_v2 = v2_path[0], want_mem = mem_path[0];
	char *line;
	int rc = lines_open(&r, "/proc/self/mountinfo");

	if (rc) {
		p->v2_rc = want_v2 ? rc : p->v2_rc;
		p->memory_v1_rc = want_mem ? rc : p->memory_v1_rc;
		return;
	}
	while ((want_v2 || want_mem) && (line = lines_next(&r))) {
		if (want_v2 && of_type(line, "cgroup2") && parse_mount(line, &m)) {
			p->v2_rc = resolve(&m, v2_path, p->v2, sizeof(p->v2));
			want_v2 = p->v2_rc == -ENOENT;
		} else if (want_mem && of_type(line, "cgroup") && parse_mount(line, &m) &&
			   has_opt(m.opts, "memory")) {
			p->memory_v1_rc = resolve(&m, mem_path, p->memory_v1, sizeof(p->memory_v1));
			want_mem = p->memory_v1_rc == -ENOENT;
		}
	}
	lines_close(&r);
}

/* minit's lines of /proc/self/cgroup for the v2 hierarchy (prefix "0::")
 * and for the v1 memory controller; "" where there is none. */
static int own_paths(char *v2, char *mem, size_t len)
{
	struct lines r;
	char *line, *c1, *c2, *to;
	int rc = lines_open(&r, "/proc/self/cgroup");

	v2[0] = mem[0] = '\0';
	if (rc)
		return rc;
	while ((line = lines_next(&r))) {
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0'; /* c1 + 1: the controllers, "" for the v2 hierarchy ("0::") */
		if (c1 == line + 1 && line[0] == '0' && c2 == c1 + 1)
			to = v2;
		else if (has_opt(c1 + 1, "memory"))
			to = mem;
		else
			continue;
		if (snprintf(to, len, "%s", c2 + 1) >= (int)len)
			to[0] = '\0';
	}
	lines_close(&r);
	return 0;
}

void mounts_find(struct cgroup_places *p)
{
	char v2[LINE_MAX_LEN], mem[LINE_MAX_LEN];
	int rc = own_paths(v2, mem, sizeof(v2));

	memset(p, 0, sizeof(*p));
	p->found = true;
	p->v2_rc = p->memory_v1_rc = rc ? rc : -ENOENT;
	if (!rc && (v2[0] || mem[0]))
		find(p, v2, mem);
}

int mounts_cgroup2_rel(const char *abs, char *rel, size_t rlen)
{
	struct lines r;
	struct mount m;
	size_t pl;
	char *line;
	int rc = lines_open(&r, "/proc/self/mountinfo");

	if (rc)
		return rc;
	rc = -ENOENT;
	while (rc && (line = lines_next(&r))) {
		if (!of_type(line, "cgroup2") || !parse_mount(line, &m))
			continue;
		pl = strlen(m.point);
		if (strncmp(abs, m.point, pl) != 0 || (abs[pl] && abs[pl] != '/'))
			continue;
		rc = snprintf(rel, rlen, "%s%s", strcmp(m.root, "/") ? m.root : "",
			      abs[pl] ? abs + pl : (strcmp(m.root, "/") ? "" : "/")) >= (int)rlen
			     ? -ENAMETOOLONG
			     : 0;
	}
	lines_close(&r);
	return rc;
}
