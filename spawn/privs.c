#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "../init/parse.h"

#define ID_MAX	   0xfffffffeU /* (uid_t)-1 means "no change" to set*id */
#define NAME_MAX_LEN 64

static const char *const step_names[] = {
	[PRIVS_STEP_GROUPS] = "set the supplementary groups",
	[PRIVS_STEP_GID] = "set the group id",
	[PRIVS_STEP_UID] = "set the user id",
	[PRIVS_STEP_CAPS] = "set the capabilities",
	[PRIVS_STEP_NO_NEW_PRIVS] = "set no_new_privs",
	[PRIVS_STEP_SECCOMP] = "install the seccomp filter",
};

const char *privs_step_name(enum privs_step step)
{
	return step_names[step];
}

static int resolve_group(const char *g, gid_t *gid, char *err, size_t errlen)
{
	const struct group *gr;
	unsigned v;

	if (!parse_uint(g, ID_MAX, &v)) {
		*gid = (gid_t)v;
		return 0;
	}
	gr = getgrnam(g);
	if (!gr) {
		snprintf(err, errlen, "unknown group '%s'", g);
		return -EINVAL;
	}
	*gid = gr->gr_gid;
	return 0;
}

/* NAME or UID, then :GROUP or :GID. A named user gets its groups from
 * /etc/group; a numeric one gets none beyond its primary group. */
static int resolve_user(struct privs *p, const char *spec, char *err, size_t errlen)
{
	char name[NAME_MAX_LEN];
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	const struct passwd *pw = NULL;
	int ngroups = PRIVS_GROUPS_MAX;
	unsigned v;

	if (len >= sizeof(name)) {
		snprintf(err, errlen, "user name too long in '%s'", spec);
		return -EINVAL;
	}
	memcpy(name, spec, len);
	name[len] = '\0';
	p->set_user = true;
	if (!parse_uint(name, ID_MAX, &v)) {
		p->uid = (uid_t)v;
		pw = getpwuid(p->uid);
		p->gid = pw ? pw->pw_gid : (gid_t)v;
	} else {
		pw = getpwnam(name);
		if (!pw) {
			snprintf(err, errlen, "unknown user '%s'", name);
			return -EINVAL;
		}
		p->uid = pw->pw_uid;
		p->gid = pw->pw_gid;
	}
	if (colon && resolve_group(colon + 1, &p->gid, err, errlen))
		return -EINVAL;
	p->groups[0] = p->gid;
	p->ngroups = 1;
	if (pw && parse_uint(name, ID_MAX, &v)) {
		if (getgrouplist(pw->pw_name, p->gid, p->groups, &ngroups) < 0) {
			snprintf(err, errlen, "user '%s' is in more than %d groups", name,
				 PRIVS_GROUPS_MAX);
			return -EINVAL;
		}
		p->ngroups = (size_t)ngroups;
	}
	if (pw && pw->pw_dir && strlen(pw->pw_dir) < sizeof(p->home))
		strcpy(p->home, pw->pw_dir);
	return 0;
}

int privs_prepare(struct privs *p, const char *user, const char *cap_drop, const char *cap_add,
		  bool no_new_privs, int seccomp_mode, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->no_new_privs = no_new_privs;
	if (cap_drop || cap_add || seccomp_mode) {
		snprintf(err, errlen, "%s is not available in this build",
			 seccomp_mode ? "--seccomp" : "--cap-drop/--cap-add");
		return -EINVAL;
	}
	if (user && resolve_user(p, user, err, errlen))
		return -EINVAL;
	return 0;
}

int privs_apply(const struct privs *p, enum privs_step *step)
{
	if (p->set_user) {
		*step = PRIVS_STEP_GROUPS;
		if (setgroups(p->ngroups, p->groups))
			return -errno;
		*step = PRIVS_STEP_GID;
		if (setgid(p->gid))
			return -errno;
		*step = PRIVS_STEP_UID;
		if (setuid(p->uid))
			return -errno;
		if (p->home[0] && !getenv("HOME"))
			(void)setenv("HOME", p->home, 1);
	}
	*step = PRIVS_STEP_NO_NEW_PRIVS;
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}
