/* The child's identity and privileges: --user, --cap-drop/--cap-add,
 * --no-new-privs, --seccomp. Resolved in the parent (names looked up, the
 * capability sets computed and the seccomp filter compiled once, so a restart
 * gets exactly the same), applied in the child before exec with syscalls only.
 * Every child loses the inheritable and ambient capabilities it was not asked
 * to get (a file-capability binary must not gain what minit could pass on),
 * and a child confined by seccomp or a dropped capability loses
 * CAP_SYS_PTRACE too unless --cap-add names it: minit is not dumpable, and
 * without that capability its child cannot attach to it and escape the
 * confinement through minit. */
#ifndef MINIT_PRIVS_H
#define MINIT_PRIVS_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/types.h>

#define PRIVS_GROUPS_MAX 64
#define PRIVS_HOME_MAX	 256
#define PRIVS_CAPS_ALL	 (~0ULL) /* "all" in a capability list */

enum privs_seccomp { PRIVS_SECCOMP_OFF, PRIVS_SECCOMP_DEFAULT, PRIVS_SECCOMP_AUTO };

/* What the options ask for; the strings are resolved by privs_prepare. */
struct privs_req {
	const char *user;		/* USER[:GROUP], NULL = keep minit's */
	const char *cap_drop, *cap_add;	/* comma lists, NULL = none */
	bool no_new_privs;
	enum privs_seccomp seccomp;
};

enum privs_step {
	PRIVS_STEP_INHERITABLE, PRIVS_STEP_BOUNDING, PRIVS_STEP_GROUPS, PRIVS_STEP_GID, PRIVS_STEP_KEEPCAPS,
	PRIVS_STEP_UID, PRIVS_STEP_CAPS, PRIVS_STEP_AMBIENT, PRIVS_STEP_NO_NEW_PRIVS,
	PRIVS_STEP_SECCOMP,
};

struct privs {
	bool set_user;
	uid_t uid;
	gid_t gid;
	gid_t groups[PRIVS_GROUPS_MAX];
	size_t ngroups;
	char home[PRIVS_HOME_MAX];	/* HOME for the child (the user's, as gosu) */
	bool caps;			/* shape the child's capability sets */
	bool keepcaps;			/* non-root child: keep permitted across setuid */
	int cap_count;			/* capabilities this kernel knows (0..cap_count-1) */
	uint64_t drop_bound;		/* dropped from the bounding set (minit's too) */
	uint64_t ambient;		/* raised in the ambient set (non-root child) */
	cap_t proc_caps;		/* permitted, effective, inheritable to set */
	bool no_new_privs;
	struct sock_fprog filter;	/* .len == 0: no seccomp filter */
};

/* Resolves user, group and capability names and compiles the seccomp
 * filter. Returns 0; -EINVAL with a one-line reason in err for invalid input
 * (exit 2); another -errno with a reason when minit itself failed (exit 125). */
int privs_prepare(struct privs *p, const struct privs_req *req, char *err, size_t errlen);

/* Pure: a comma-separated list of capability names ("net_bind_service",
 * "NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE", or "all") to a bit set. Names
 * outside allowed are refused as ones minit does not have. 0 or -EINVAL. */
int privs_parse_caps(const char *list, uint64_t allowed, uint64_t *set, char *err, size_t errlen);

/* In minit, once after privs_prepare: drops from minit's own bounding set
 * what the child will never get, so no later exec can regain it. Keeps what
 * restarts need. Returns 0 or -errno. */
int privs_narrow_self(const struct privs *p);

/* In the child, before exec. Returns 0 or -errno with the failing step. */
int privs_apply(const struct privs *p, enum privs_step *step);

const char *privs_step_name(enum privs_step step);

#endif
