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

/* The first mount of type (cgroup2) or of cgroup with option ctrl, whose
 * root is a prefix of path: abs = its mount point + the rest of path. */
static int find(const char *type, const char *ctrl, const char *path, char *abs, size_t alen)
{
	char line[LINE_MAX_LEN];
	struct mount m;
	size_t rl;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		if (!parse_mount(line, &m) || strcmp(m.type, type) != 0 || (ctrl && !has_opt(m.opts, ctrl)))
			continue;
		rl = strcmp(m.root, "/") != 0 ? strlen(m.root) : 0;
		if (strncmp(path, m.root, rl) != 0 || (path[rl] && path[rl] != '/'))
			continue;
		/* the mount point itself for its root: no "//" after it */
		if (snprintf(abs, alen, "%s%s", m.point, strcmp(path + rl, "/") ? path + rl : "") >=
		    (int)alen)
			rc = -ENAMETOOLONG;
		else
			rc = 0;
	}
	fclose(f);
	return rc;
}

/* minit's line of /proc/self/cgroup for the v2 hierarchy (prefix "0::") or
 * for the v1 controller ctrl */
static int own_path(const char *ctrl, char *path, size_t len)
{
	char line[LINE_MAX_LEN], *c1, *c2;
	FILE *f = fopen("/proc/self/cgroup", "re");
	int rc = -ENOENT;

	path[0] = '\0';
	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0'; /* c1 + 1: the controllers, "" for the v2 hierarchy ("0::") */
		if (ctrl ? !has_opt(c1 + 1, ctrl) : c1 != line + 1 || line[0] != '0' || c2 != c1 + 1)
			continue;
		rc = snprintf(path, len, "%s", c2 + 1) >= (int)len ? -ENAMETOOLONG : 0;
	}
	fclose(f);
	return rc;
}

int mounts_own_cgroup2(char *abs, size_t alen, char *rel, size_t rlen)
{
	int rc = own_path(NULL, rel, rlen);

	return rc ? rc : find("cgroup2", NULL, rel, abs, alen);
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

int mounts_own_memory_v1(char *abs, size_t alen)
{
	char path[LINE_MAX_LEN];
	int rc = own_path("memory", path, sizeof(path));

	return rc ? rc : find("cgroup", "memory", path, abs, alen);
}
