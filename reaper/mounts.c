#include "mounts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX_LEN 4096

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
	char line[LINE_MAX_LEN];
	struct mount m;
	bool want_v2 = v2_path[0], want_mem = mem_path[0];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f) {
		p->v2_rc = want_v2 ? -errno : p->v2_rc;
		p->memory_v1_rc = want_mem ? -errno : p->memory_v1_rc;
		return;
	}
	while ((want_v2 || want_mem) && fgets(line, sizeof(line), f)) {
		if (want_v2 && of_type(line, "cgroup2") && parse_mount(line, &m)) {
			p->v2_rc = resolve(&m, v2_path, p->v2, sizeof(p->v2));
			want_v2 = p->v2_rc == -ENOENT;
		} else if (want_mem && of_type(line, "cgroup") && parse_mount(line, &m) &&
			   has_opt(m.opts, "memory")) {
			p->memory_v1_rc = resolve(&m, mem_path, p->memory_v1, sizeof(p->memory_v1));
			want_mem = p->memory_v1_rc == -ENOENT;
		}
	}
	fclose(f);
}

/* minit's lines of /proc/self/cgroup for the v2 hierarchy (prefix "0::")
 * and for the v1 memory controller; "" where there is none. */
static int own_paths(char *v2, char *mem, size_t len)
{
	char line[LINE_MAX_LEN], *c1, *c2, *to;
	FILE *f = fopen("/proc/self/cgroup", "re");

	v2[0] = mem[0] = '\0';
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
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
	fclose(f);
	return 0;
}

void mounts_find(struct cgroup_places *p)
{
	char v2[LINE_MAX_LEN], mem[LINE_MAX_LEN];
	int rc = own_paths(v2, mem, sizeof(v2));

	memset(p, 0, sizeof(*p));
	p->v2_rc = p->memory_v1_rc = rc ? rc : -ENOENT;
	if (!rc && (v2[0] || mem[0]))
		find(p, v2, mem);
}

int mounts_cgroup2_rel(const char *abs, char *rel, size_t rlen)
{
	char line[LINE_MAX_LEN];
	struct mount m;
	size_t pl;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		if (!parse_mount(line, &m) || strcmp(m.type, "cgroup2") != 0)
			continue;
		pl = strlen(m.point);
		if (strncmp(abs, m.point, pl) != 0 || (abs[pl] && abs[pl] != '/'))
			continue;
		rc = snprintf(rel, rlen, "%s%s", strcmp(m.root, "/") ? m.root : "",
			      abs[pl] ? abs + pl : (strcmp(m.root, "/") ? "" : "/")) >= (int)rlen
			     ? -ENAMETOOLONG
			     : 0;
	}
	fclose(f);
	return rc;
}
