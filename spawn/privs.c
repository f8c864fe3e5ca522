#include "privs.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/parse.h"

#define ID_MAX	      0xfffffffeU /* (uid_t)-1 means "no change" to set*id */
#define NAME_MAX_LEN  64
#define HOME_FALLBACK "/"	  /* HOME for a uid with no passwd entry, as gosu */
#define CAP_PREFIX    "cap_"
#define CAP_NAME_MAX  40	  /* "cap_" + the longest name, with room */
#define CAP_BITS_MAX  64	  /* capability sets here are 64-bit masks */
#define ARRAY_LEN(a)  (sizeof(a) / sizeof((a)[0]))

static const char *const step_names[] = {
	[PRIVS_STEP_INHERITABLE] = "clear the inheritable and ambient capabilities",
	[PRIVS_STEP_BOUNDING] = "drop capabilities from the bounding set",
	[PRIVS_STEP_GROUPS] = "set the supplementary groups",
	[PRIVS_STEP_GID] = "set the group id",
	[PRIVS_STEP_KEEPCAPS] = "keep the capabilities across setuid",
	[PRIVS_STEP_UID] = "set the user id",
	[PRIVS_STEP_CAPS] = "set the capabilities",
	[PRIVS_STEP_AMBIENT] = "set the ambient capabilities",
	[PRIVS_STEP_NO_NEW_PRIVS] = "set no_new_privs",
	[PRIVS_STEP_SECCOMP] = "install the seccomp filter",
};

/* --seccomp default's program, compiled at build time from the deny list in
 * spawn/seccomp_gen.c for this architecture and its compatible ones:
 * seccomp_default_filter[] and SECCOMP_DENIED. */
#include "seccomp_filter.h"

struct self_caps {
	int count;		/* capabilities the kernel knows */
	uint64_t bound, permitted, effective;
};

struct cap_list {
	uint64_t allowed, set;
	char *err;
	size_t errlen;
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
 * /etc/group; a numeric one, or an explicit group, gets none beyond the
 * primary one (as gosu and su-exec). A uid with no passwd entry gets the gid
 * of the same number, never root's group by accident, and HOME=/. */
static int resolve_user(struct privs *p, const char *spec, char *err, size_t errlen)
{
	char name[NAME_MAX_LEN];
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	const struct passwd *pw;
	const char *home;
	int ngroups = PRIVS_GROUPS_MAX;
	bool numeric;
	unsigned v;

	if (len >= sizeof(name)) {
		snprintf(err, errlen, "user name too long in '%s'", spec);
		return -EINVAL;
	}
	memcpy(name, spec, len);
	name[len] = '\0';
	numeric = !parse_uint(name, ID_MAX, &v);
	pw = numeric ? getpwuid((uid_t)v) : getpwnam(name);
	if (!pw && !numeric) {
		snprintf(err, errlen, "unknown user '%s'", name);
		return -EINVAL;
	}
	p->set_user = true;
	p->uid = pw ? pw->pw_uid : (uid_t)v;
	p->gid = pw ? pw->pw_gid : (gid_t)v;
	/* copied now: the group look-ups below may reuse pw's static storage */
	home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : HOME_FALLBACK;
	if (snprintf(p->home, sizeof(p->home), "%s", home) >= (int)sizeof(p->home)) {
		snprintf(err, errlen, "home directory of user '%s' is too long", name);
		return -EINVAL;
	}
	if (colon && resolve_group(colon + 1, &p->gid, err, errlen))
		return -EINVAL;
	p->groups[0] = p->gid;
	p->ngroups = 1;
	if (!numeric && !colon) {
		if (getgrouplist(name, p->gid, p->groups, &ngroups) < 0) {
			snprintf(err, errlen, "user '%s' is in more than %d groups", name,
				 PRIVS_GROUPS_MAX);
			return -EINVAL;
		}
		p->ngroups = (size_t)ngroups;
	}
	return 0;
}

/* "net_bind_service", "NET_BIND_SERVICE" or "CAP_NET_BIND_SERVICE" to its
 * number. Letters and '_' only: cap_from_name alone takes numbers and stops
 * at the first other character, so "chown2" would pass as chown. */
static int cap_parse_name(const char *item, int *cap)
{
	char name[CAP_NAME_MAX] = CAP_PREFIX;
	size_t len = strlen(CAP_PREFIX), i;
	cap_value_t v;

	if (!strncasecmp(item, CAP_PREFIX, len))
		item += len;
	if (!*item)
		return -EINVAL;
	for (i = 0; item[i]; i++) {
		if (len + 1 >= sizeof(name) || !(isalpha((unsigned char)item[i]) || item[i] == '_'))
			return -EINVAL;
		name[len++] = (char)tolower((unsigned char)item[i]);
	}
	name[len] = '\0';
	if (cap_from_name(name, &v) || v < 0 || v >= CAP_BITS_MAX)
		return -EINVAL;
	*cap = v;
	return 0;
}

static int add_cap(void *ctx, const char *item)
{
	struct cap_list *l = ctx;
	int cap;

	if (!strcasecmp(item, "all")) {
		l->set |= l->allowed;
		return 0;
	}
	if (cap_parse_name(item, &cap)) {
		snprintf(l->err, l->errlen, "unknown capability '%s'", item);
		return -EINVAL;
	}
	if (!(l->allowed >> cap & 1)) {
		snprintf(l->err, l->errlen, "cannot add capability '%s': minit does not have it",
			 item);
		return -EINVAL;
	}
	l->set |= 1ULL << cap;
	return 0;
}

int privs_parse_caps(const char *list, uint64_t allowed, uint64_t *set, char *err, size_t errlen)
{
	struct cap_list l = { allowed, 0, err, errlen };

	if (errlen)
		err[0] = '\0';
	if (parse_each(list, add_cap, &l)) {
		if (errlen && !err[0])
			snprintf(err, errlen, "invalid capability list '%s'", list ? list : "");
		return -EINVAL;
	}
	*set = l.set;
	return 0;
}

static int read_self_caps(struct self_caps *s)
{
	cap_flag_value_t v;
	cap_t cur;
	int c;

	memset(s, 0, sizeof(*s));
	cur = cap_get_proc();
	if (!cur)
		return -errno;
	s->count = cap_max_bits() < CAP_BITS_MAX ? cap_max_bits() : CAP_BITS_MAX;
	for (c = 0; c < s->count; c++) {
		if (cap_get_bound(c) > 0)
			s->bound |= 1ULL << c;
		if (!cap_get_flag(cur, c, CAP_PERMITTED, &v) && v == CAP_SET)
			s->permitted |= 1ULL << c;
		if (!cap_get_flag(cur, c, CAP_EFFECTIVE, &v) && v == CAP_SET)
			s->effective |= 1ULL << c;
	}
	cap_free(cur);
	return 0;
}

static int set_flags(cap_t caps, cap_flag_t flag, uint64_t set, int count)
{
	cap_value_t c;

	for (c = 0; c < count; c++)
		if ((set >> c & 1) && cap_set_flag(caps, flag, 1, &c, CAP_SET))
			return -errno;
	return 0;
}

/* Like docker: start from what minit has (bounding and permitted), drop, add
 * back. A root child gets the result as bounding, permitted and effective
 * set. A non-root child gets the same bounding set, but only the capabilities
 * named in --cap-add as permitted, effective, inheritable and ambient: a user
 * given every capability would be root in all but name. Inheritable stays
 * empty for root (CVE-2022-24769). *effective: the child's effective set. */
static int prepare_caps(struct privs *p, const struct self_caps *self, bool child_root,
			uint64_t drop, uint64_t add, uint64_t *effective, char *err, size_t errlen)
{
	uint64_t keep = (self->bound & self->permitted & ~drop) | add;

	p->caps = true;
	p->keepcaps = !child_root;
	p->drop_bound = self->bound & ~keep;
	p->ambient = child_root ? 0 : add;
	*effective = child_root ? keep : add;
	p->proc_caps = cap_init();
	if (!p->proc_caps || set_flags(p->proc_caps, CAP_PERMITTED, *effective, self->count) ||
	    set_flags(p->proc_caps, CAP_EFFECTIVE, *effective, self->count) ||
	    set_flags(p->proc_caps, CAP_INHERITABLE, p->ambient, self->count)) {
		snprintf(err, errlen, "unable to prepare the capability sets: %s", strerror(errno));
		return -ENOMEM;
	}
	return 0;
}

/* auto: only when minit itself runs with no filter, i.e. the runtime left the
 * container unconfined. */
static bool seccomp_wanted(enum privs_seccomp mode)
{
	int state;

	if (mode != PRIVS_SECCOMP_AUTO)
		return mode == PRIVS_SECCOMP_DEFAULT;
	state = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	if (state != 0)
		log_msg(LOG_INFO, "--seccomp auto: %s, adding no filter",
			state < 0 ? "this kernel has no seccomp" : "minit already runs under a filter");
	return state == 0;
}

/* Loading a filter takes no_new_privs or CAP_SYS_ADMIN: a child without the
 * capability gets no_new_privs (as systemd does). */
static void prepare_seccomp(struct privs *p, uint64_t effective)
{
	p->filter.filter = seccomp_default_filter;
	p->filter.len = (unsigned short)ARRAY_LEN(seccomp_default_filter);
	if (!p->no_new_privs && !(effective >> CAP_SYS_ADMIN & 1)) {
		p->no_new_privs = true;
		log_msg(LOG_INFO, "--seccomp: no_new_privs for the child, which lacks CAP_SYS_ADMIN");
	}
	log_msg(LOG_DEBUG, "--seccomp: %d syscalls denied, %u BPF instructions", SECCOMP_DENIED,
		p->filter.len);
}

/* A root child confined by a filter or a dropped capability must not keep
 * CAP_SYS_PTRACE: with it, it could attach to minit (dumpable or not) and
 * do through minit what it may not do itself. Returns the bit to drop. */
static uint64_t ptrace_drop(const struct self_caps *self, bool child_root, bool confined,
			    uint64_t add)
{
	const uint64_t bit = 1ULL << CAP_SYS_PTRACE;

	if (!child_root || !confined || (add & bit) || !(self->bound & self->permitted & bit))
		return 0;
	if (!(self->effective >> CAP_SETPCAP & 1)) {
		log_msg(LOG_WARN, "the confined child keeps CAP_SYS_PTRACE (minit lacks CAP_SETPCAP "
				  "to drop it): it could attach to minit");
		return 0;
	}
	log_msg(LOG_INFO, "dropping CAP_SYS_PTRACE from the confined child (--cap-add sys_ptrace keeps it)");
	return bit;
}

int privs_prepare(struct privs *p, const struct privs_req *req, char *err, size_t errlen)
{
	struct self_caps self;
	uint64_t effective, drop = 0, add = 0, implicit;
	bool child_root, filter;
	int rc;

	memset(p, 0, sizeof(*p));
	p->no_new_privs = req->no_new_privs;
	if (req->user && resolve_user(p, req->user, err, errlen))
		return -EINVAL;
	filter = seccomp_wanted(req->seccomp);
	if (!req->cap_drop && !req->cap_add && !filter)
		return 0;
	rc = read_self_caps(&self);
	if (rc) {
		snprintf(err, errlen, "unable to read minit's capabilities: %s", strerror(-rc));
		return rc == -EINVAL ? -ENOTRECOVERABLE : rc;
	}
	p->cap_count = self.count;
	if (req->cap_drop && privs_parse_caps(req->cap_drop, PRIVS_CAPS_ALL, &drop, err, errlen))
		return -EINVAL;
	if (req->cap_add &&
	    privs_parse_caps(req->cap_add, self.bound & self.permitted, &add, err, errlen))
		return -EINVAL;
	child_root = p->set_user ? p->uid == 0 : geteuid() == 0;
	effective = p->set_user && !child_root ? 0 : self.effective;
	implicit = ptrace_drop(&self, child_root, filter || req->cap_drop, add);
	if (req->cap_drop || req->cap_add || implicit) {
		rc = prepare_caps(p, &self, child_root, drop | implicit, add, &effective, err, errlen);
		if (rc)
			return rc;
	}
	if (filter)
		prepare_seccomp(p, effective);
	return 0;
}

/* Drops what is in drop_bound and still in this process's bounding set:
 * PR_CAPBSET_DROP needs CAP_SETPCAP even for a capability already gone. */
static int drop_bound(const struct privs *p)
{
	int c;

	for (c = 0; c < p->cap_count; c++)
		if ((p->drop_bound >> c & 1) && cap_get_bound(c) > 0 && cap_drop_bound(c))
			return -errno;
	return 0;
}

int privs_narrow_self(const struct privs *p)
{
	return drop_bound(p);
}

/* Without --cap-*, no inheritable or ambient capability passes on from minit. */
static int clear_inheritable(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].inheritable = data[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno; /* EINVAL: a kernel without ambient capabilities (< 4.3) */
	return 0;
}

/* The order matters: the bounding set while CAP_SETPCAP is still there,
 * groups before the uid that loses the right to set them, keepcaps before
 * setuid, capabilities after it (setuid clears the effective set), seccomp
 * last so the filter sees none of the set-up. */
int privs_apply(const struct privs *p, enum privs_step *step)
{
	int c, rc;

	*step = PRIVS_STEP_INHERITABLE;
	if (!p->caps && (rc = clear_inheritable()))
		return rc;
	*step = PRIVS_STEP_BOUNDING;
	rc = drop_bound(p);
	if (rc)
		return rc;
	if (p->set_user) {
		*step = PRIVS_STEP_GROUPS;
		if (setgroups(p->ngroups, p->groups))
			return -errno;
		*step = PRIVS_STEP_GID;
		if (setgid(p->gid))
			return -errno;
		*step = PRIVS_STEP_KEEPCAPS;
		if (p->caps && p->keepcaps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
			return -errno;
		*step = PRIVS_STEP_UID;
		if (setuid(p->uid))
			return -errno;
		if (setenv("HOME", p->home, 1))
			return -errno;
	}
	if (p->caps) {
		*step = PRIVS_STEP_CAPS;
		if (cap_set_proc(p->proc_caps))
			return -errno;
		*step = PRIVS_STEP_AMBIENT;
		if (cap_reset_ambient())
			return -errno;
		for (c = 0; c < p->cap_count; c++)
			if ((p->ambient >> c & 1) && cap_set_ambient(c, CAP_SET))
				return -errno;
	}
	*step = PRIVS_STEP_NO_NEW_PRIVS;
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	*step = PRIVS_STEP_SECCOMP;
	if (p->filter.len && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p->filter, 0, 0))
		return -errno;
	return 0;
}
