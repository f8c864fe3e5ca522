/* The child's identity and privileges: --user, --cap-drop/--cap-add,
 * --no-new-privs, --seccomp. Resolved in the parent (names looked up once, so
 * a restart keeps the same identity), applied in the child before exec. */
#ifndef MINIT_PRIVS_H
#define MINIT_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PRIVS_GROUPS_MAX 64
#define PRIVS_HOME_MAX	 256

enum privs_step {
	PRIVS_STEP_GROUPS, PRIVS_STEP_GID, PRIVS_STEP_UID, PRIVS_STEP_CAPS,
	PRIVS_STEP_NO_NEW_PRIVS, PRIVS_STEP_SECCOMP,
};

struct privs {
	bool set_user;
	uid_t uid;
	gid_t gid;
	gid_t groups[PRIVS_GROUPS_MAX];
	size_t ngroups;
	char home[PRIVS_HOME_MAX];	/* HOME for the child when unset, "" = leave */
	bool caps;			/* shape the child's capability sets */
	unsigned long long keep_caps;	/* bit per capability kept for the child */
	bool no_new_privs;
	bool seccomp;			/* install the default deny list */
};

/* Resolves user, group and capability names from the options' strings.
 * Returns 0, or -EINVAL with a one-line reason in err (exit 2). */
int privs_prepare(struct privs *p, const char *user, const char *cap_drop, const char *cap_add,
		  bool no_new_privs, int seccomp_mode, char *err, size_t errlen);

/* In the child, before exec. Returns 0 or -errno with the failing step. */
int privs_apply(const struct privs *p, enum privs_step *step);

const char *privs_step_name(enum privs_step step);

#endif
