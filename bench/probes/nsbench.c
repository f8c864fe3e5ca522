/*
 * nsbench: the measuring side of `make bench` (bench/run.sh drives it).
 *
 * Usage: nsbench SCENARIO [OPTIONS] -- NAME CMD [ARG...] [:: NAME CMD [ARG...]]...
 *
 * Every variant NAME runs CMD as PID 1 of a fresh PID and mount namespace
 * with a private /proc, as `unshare --pid --fork --mount-proc CMD` does, but
 * created here by clone(CLONE_NEWPID|CLONE_NEWNS) so that the clone's pid is
 * PID 1's host pid and no unshare process adds noise to the timings. In CMD,
 * `{fifo}` becomes a per-variant FIFO path the probes report to (8-byte
 * CLOCK_MONOTONIC records) and `{port}` a free 127.0.0.1 TCP port.
 *
 * Scenarios (figures are printed as "NAME<TAB>KEY<TAB>VALUE" lines):
 *   startup -n N        N interleaved rounds (after 3 warm-up rounds) of
 *                       spawn + wait; startup_us = median wall time;
 *                       startup_overhead_us = median minus the median of the
 *                       variant named "bare".
 *   siglat -n N         all variants up at once (CMD: sigchild {fifo}); N
 *                       interleaved rounds of kill(PID 1, SIGUSR1) and wait
 *                       for the child's handler time: sig_p50_us, sig_p99_us.
 *   idle -w MS [-S MS]  all variants up at once; after the settle time (-S,
 *                       default 1000) read VmRSS and the voluntary context
 *                       switches of PID 1, again after MS: rss_kib,
 *                       pss_kib, wakeups.
 *   storm -r R -c MS    (CMD: storm N P {fifo}) R interleaved reps; poll PID
 *                       1's children every 1 ms: storm_drain_ms (start to no
 *                       orphan left, median), storm_create_ms, storm_peak
 *                       (most orphans of PID 1 not yet reaped, max),
 *                       storm_left (zombies still there MS after the last
 *                       fork, max).
 *   stop -r R -c MS [-P] (CMD: ... {fifo} written when ready) SIGTERM to
 *                       PID 1, time until it exits: stop_ms (median) or
 *                       "never" at the cap MS. -P: all variants at once.
 *   restart -k K -b MS  (CMD serves on {port}: probes/server) K crashes
 *                       ('c' makes the server SIGSEGV); after each, connect
 *                       every 1 ms until a new server greets:
 *                       restart_gap_ms (median of time to greeting minus the
 *                       back-off MS), restart_gap_max_ms, refused (refused
 *                       or reset connections in all K crashes).
 * -A CPU pins nsbench and every namespace to that CPU.
 * A figure that could not be measured is printed as "na:REASON".
 * Every wait is bounded; PID 1 of each namespace dies with nsbench.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common.h"

#define MAXVAR 16
#define MS 1000000ull

struct var {
	const char *name;
	char **argv;
	int argc;
	pid_t pid;
	int pidfd;
	int fifo;
	char fifo_path[4096];
	int alive;
	int status;
	char reason[200];
	double *s;
	size_t ns, cap;
	/* per-scenario scratch */
	double extra[8];
	long count[4];
	uint64_t t0;
};

static struct var vars[MAXVAR];
static int nvars;
static char tmpdir[64];
static char portstr[16] = "0";
static long opt_n = 100, opt_r = 1, opt_w = 10000, opt_settle = 1000, opt_cap = 15000;
static long opt_k = 10, opt_b = 100;
static int opt_parallel;
static int opt_cpu = -1;

static void die(const char *what)
{
	fprintf(stderr, "nsbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void push(struct var *v, double x)
{
	if (v->ns == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 256;
		v->s = realloc(v->s, v->cap * sizeof(double));
		if (!v->s)
			die("realloc");
	}
	v->s[v->ns++] = x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentile with linear interpolation between closest ranks. */
static double pct(struct var *v, double p)
{
	double pos, frac;
	size_t i;

	if (!v->ns)
		return -1;
	qsort(v->s, v->ns, sizeof(double), cmp_double);
	pos = p / 100.0 * (double)(v->ns - 1);
	i = (size_t)pos;
	frac = pos - (double)i;
	if (i + 1 >= v->ns)
		return v->s[v->ns - 1];
	return v->s[i] + frac * (v->s[i + 1] - v->s[i]);
}

static void out(struct var *v, const char *key, double x)
{
	printf("%s\t%s\t%.3f\n", v->name, key, x);
}

static void out_na(struct var *v, const char *key, const char *why)
{
	printf("%s\t%s\tna:%s\n", v->name, key, why);
}

static void shuffle(int *order, int n)
{
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j = rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

/* ---- namespaces ---------------------------------------------------------- */

static char *subst(const char *arg, struct var *v)
{
	const char *keys[2] = { "{fifo}", "{port}" };
	const char *vals[2] = { v->fifo_path, portstr };
	char buf[8192];
	size_t o = 0;

	while (*arg && o < sizeof(buf) - 1) {
		int hit = 0;

		for (int k = 0; k < 2; k++) {
			size_t kl = strlen(keys[k]), vl = strlen(vals[k]);

			if (!strncmp(arg, keys[k], kl) && o + vl < sizeof(buf) - 1) {
				memcpy(buf + o, vals[k], vl);
				o += vl;
				arg += kl;
				hit = 1;
				break;
			}
		}
		if (!hit)
			buf[o++] = *arg++;
	}
	buf[o] = 0;
	return strdup(buf);
}

static void drain_fifo(struct var *v)
{
	uint64_t junk[64];

	while (read(v->fifo, junk, sizeof(junk)) > 0)
		;
}

/* Start v's command as PID 1 of a new PID + mount namespace. */
static void spawn(struct var *v)
{
	char **argv = calloc((size_t)v->argc + 1, sizeof(char *));
	pid_t pid;

	if (!argv)
		die("calloc");
	for (int i = 0; i < v->argc; i++)
		argv[i] = subst(v->argv[i], v);
	drain_fifo(v);
	fflush(stdout);
	fflush(stderr);
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		die("clone");
	if (pid == 0) {
		sigset_t none;
		int nul;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
			perror("nsbench: mount");
			_exit(125);
		}
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		syscall(SYS_close_range, 3u, ~0u, 0u);
		execv(argv[0], argv);
		fprintf(stderr, "nsbench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < v->argc; i++)
		free(argv[i]);
	free(argv);
	v->pid = pid;
	v->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (v->pidfd < 0)
		die("pidfd_open");
	v->alive = 1;
}

/* Wait up to ms for v's PID 1 to exit; returns 1 and reaps it if it did. */
static int wait_exit(struct var *v, long ms)
{
	struct pollfd p = { v->pidfd, POLLIN, 0 };

	if (!v->alive)
		return 1;
	if (poll(&p, 1, (int)ms) <= 0)
		return 0;
	while (waitpid(v->pid, &v->status, 0) < 0 && errno == EINTR)
		;
	close(v->pidfd);
	v->alive = 0;
	return 1;
}

/* TERM, then KILL after ms; always reaps. */
static void finish(struct var *v, long ms)
{
	if (!v->alive)
		return;
	kill(v->pid, SIGTERM);
	if (!wait_exit(v, ms)) {
		kill(v->pid, SIGKILL);
		wait_exit(v, 5000);
	}
}

static void describe_exit(struct var *v, char *buf, size_t len)
{
	if (WIFEXITED(v->status))
		snprintf(buf, len, "PID 1 exited with %d", WEXITSTATUS(v->status));
	else
		snprintf(buf, len, "PID 1 killed by signal %d", WTERMSIG(v->status));
}

/* Read one record from v's FIFO within ms. */
static int get_rec(struct var *v, long ms, uint64_t *val)
{
	uint64_t deadline = now_ns() + (uint64_t)ms * MS;

	for (;;) {
		struct pollfd p[2] = { { v->fifo, POLLIN, 0 }, { v->pidfd, POLLIN, 0 } };
		uint64_t now = now_ns();
		int np = v->alive ? 2 : 1;

		if (read(v->fifo, val, sizeof(*val)) == (ssize_t)sizeof(*val))
			return 1;
		if (now >= deadline)
			return 0;
		if (poll(p, (nfds_t)np, (int)((deadline - now) / MS) + 1) < 0 && errno != EINTR)
			return 0;
		if (np == 2 && (p[1].revents & POLLIN) && !(p[0].revents & POLLIN)) {
			if (read(v->fifo, val, sizeof(*val)) == (ssize_t)sizeof(*val))
				return 1;
			wait_exit(v, 0);
			return 0;
		}
	}
}

/* Wait for the "ready" record; on failure fill v->reason and clean up. */
static int wait_ready(struct var *v, long ms)
{
	uint64_t val;

	if (get_rec(v, ms, &val))
		return 1;
	if (!v->alive)
		describe_exit(v, v->reason, sizeof(v->reason));
	else
		snprintf(v->reason, sizeof(v->reason), "child not ready within %ld ms", ms);
	finish(v, 1000);
	return 0;
}

/* ---- /proc --------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	static char *buf;
	static size_t cap;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r;

		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				die("realloc");
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static long status_field(pid_t pid, const char *key)
{
	char path[64], *s, *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	s = slurp(path, NULL);
	if (!s || !(p = strstr(s, key)))
		return -1;
	return atol(p + strlen(key));
}

/* Voluntary (vol=1) or involuntary context switches, summed over threads. */
static long ctxt_switches(pid_t pid, int vol)
{
	char path[64], tpath[384];
	struct dirent *d;
	long sum = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		char *s, *p;
		const char *key = vol ? "\nvoluntary_ctxt_switches:" : "nonvoluntary_ctxt_switches:";

		if (d->d_name[0] == '.')
			continue;
		snprintf(tpath, sizeof(tpath), "%s/%s/status", path, d->d_name);
		s = slurp(tpath, NULL);
		if (s && (p = strstr(s, key)))
			sum += atol(p + strlen(key));
	}
	closedir(dir);
	return sum;
}

static long pss_kib(pid_t pid)
{
	char path[64], *s, *p;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	s = slurp(path, NULL);
	if (!s || !(p = strstr(s, "\nPss:")))
		return -1;
	return atol(p + 5);
}

/* Children of pid (host pids), at most max; returns the count. */
static int children(pid_t pid, pid_t *kids, int max)
{
	char path[64], *s, *e;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	s = slurp(path, NULL);
	if (!s)
		return -1;
	for (;;) {
		long k = strtol(s, &e, 10);

		if (e == s)
			break;
		if (n < max)
			kids[n] = (pid_t)k;
		n++;
		s = e;
	}
	return n;
}

static char proc_state(pid_t pid)
{
	char path[64], *s, *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	s = slurp(path, NULL);
	if (!s || !(p = strrchr(s, ')')) || !p[1] || !p[2])
		return '?';
	return p[2];
}

/* ---- scenarios ----------------------------------------------------------- */

static int sc_startup(void)
{
	int order[MAXVAR], bare = -1;
	double med[MAXVAR];

	for (int r = -3; r < opt_n; r++) {
		shuffle(order, nvars);
		for (int i = 0; i < nvars; i++) {
			struct var *v = &vars[order[i]];
			uint64_t t0 = now_ns(), t1;

			spawn(v);
			while (waitpid(v->pid, &v->status, 0) < 0 && errno == EINTR)
				;
			t1 = now_ns();
			close(v->pidfd);
			v->alive = 0;
			if (!WIFEXITED(v->status) || WEXITSTATUS(v->status) != 0) {
				v->count[0]++;
				describe_exit(v, v->reason, sizeof(v->reason));
			} else if (r >= 0) {
				push(v, (double)(t1 - t0) / 1e3);
			}
		}
	}
	for (int i = 0; i < nvars; i++) {
		med[i] = pct(&vars[i], 50);
		if (!strcmp(vars[i].name, "bare"))
			bare = i;
	}
	for (int i = 0; i < nvars; i++) {
		struct var *v = &vars[i];

		if (v->count[0]) {
			out_na(v, "startup_us", v->reason);
			out_na(v, "startup_overhead_us", v->reason);
			continue;
		}
		out(v, "startup_us", med[i]);
		if (bare >= 0 && !vars[bare].count[0] && i != bare)
			out(v, "startup_overhead_us", med[i] - med[bare]);
	}
	return 0;
}

static int sc_siglat(void)
{
	int order[MAXVAR];

	for (int i = 0; i < nvars; i++) {
		spawn(&vars[i]);
		if (!wait_ready(&vars[i], 5000))
			vars[i].count[1] = -1;
	}
	for (long r = 0; r < opt_n; r++) {
		shuffle(order, nvars);
		for (int i = 0; i < nvars; i++) {
			struct var *v = &vars[order[i]];
			uint64_t t0, t1;

			if (v->count[1] < 0)
				continue;
			drain_fifo(v);
			t0 = now_ns();
			kill(v->pid, SIGUSR1);
			if (get_rec(v, 1000, &t1) && t1 >= t0) {
				push(v, (double)(t1 - t0) / 1e3);
			} else if (++v->count[0] >= 5 || !v->alive) {
				if (v->alive)
					snprintf(v->reason, sizeof(v->reason), "%ld signals not delivered within 1 s", v->count[0]);
				else
					describe_exit(v, v->reason, sizeof(v->reason));
				v->count[1] = -1;
			}
			sleep_ns(100000);
		}
	}
	for (int i = 0; i < nvars; i++) {
		struct var *v = &vars[i];

		finish(v, 2000);
		if (v->count[1] < 0) {
			out_na(v, "sig_p50_us", v->reason);
			out_na(v, "sig_p99_us", v->reason);
			continue;
		}
		out(v, "sig_p50_us", pct(v, 50));
		out(v, "sig_p99_us", pct(v, 99));
		out(v, "sig_max_us", pct(v, 100));
		out(v, "sig_lost", (double)v->count[0]);
	}
	return 0;
}

static int sc_idle(void)
{
	long rss0[MAXVAR], vcs0[MAXVAR], ivcs0[MAXVAR];

	for (int i = 0; i < nvars; i++)
		spawn(&vars[i]);
	sleep_ns((uint64_t)opt_settle * MS);
	for (int i = 0; i < nvars; i++) {
		rss0[i] = status_field(vars[i].pid, "VmRSS:");
		vcs0[i] = ctxt_switches(vars[i].pid, 1);
		ivcs0[i] = ctxt_switches(vars[i].pid, 0);
	}
	sleep_ns((uint64_t)opt_w * MS);
	for (int i = 0; i < nvars; i++) {
		struct var *v = &vars[i];
		long rss = status_field(v->pid, "VmRSS:"), pss = pss_kib(v->pid);
		long vcs = ctxt_switches(v->pid, 1), ivcs = ctxt_switches(v->pid, 0);

		if (wait_exit(v, 0) || rss0[i] < 0 || rss < 0 || vcs < 0) {
			if (!v->alive)
				describe_exit(v, v->reason, sizeof(v->reason));
			else
				snprintf(v->reason, sizeof(v->reason), "cannot read /proc/%d", (int)v->pid);
			out_na(v, "rss_kib", v->reason);
			out_na(v, "wakeups", v->reason);
			continue;
		}
		out(v, "rss_kib", (double)(rss > rss0[i] ? rss : rss0[i]));
		out(v, "pss_kib", (double)pss);
		out(v, "wakeups", (double)(vcs - vcs0[i]));
		out(v, "wakeups_involuntary", (double)(ivcs - ivcs0[i]));
	}
	for (int i = 0; i < nvars; i++)
		finish(&vars[i], 2000);
	return 0;
}

static int in_set(pid_t p, const pid_t *set, int n)
{
	for (int i = 0; i < n; i++)
		if (set[i] == p)
			return 1;
	return 0;
}

/* One storm under v; returns 0 and pushes figures, or -1 with v->reason. */
static int storm_once(struct var *v, double *drain, double *create, long *peak, long *left)
{
	static pid_t kids[65536];
	pid_t base[16];
	int nbase, n;
	uint64_t tstart, tdone = 0, tend = 0, val;

	spawn(v);
	if (!wait_ready(v, 5000))
		return -1;
	nbase = children(v->pid, base, 16);
	if (nbase < 0 || nbase > 16) {
		snprintf(v->reason, sizeof(v->reason), "cannot list PID 1's children");
		finish(v, 1000);
		return -1;
	}
	v->extra[1] = (double)ctxt_switches(v->pid, 1);
	kill(v->pid, SIGUSR1); /* forwarded to the storm probe: go */
	if (!get_rec(v, 5000, &tstart)) {
		snprintf(v->reason, sizeof(v->reason), "storm did not start (SIGUSR1 not forwarded?)");
		finish(v, 1000);
		return -1;
	}
	*peak = 0;
	*left = 0;
	for (;;) {
		uint64_t now;
		int orphans = 0;

		if (!tdone && read(v->fifo, &val, sizeof(val)) == (ssize_t)sizeof(val))
			tdone = val;
		n = children(v->pid, kids, 65536);
		now = now_ns();
		if (n < 0) {
			snprintf(v->reason, sizeof(v->reason), "PID 1 vanished during the storm");
			finish(v, 1000);
			return -1;
		}
		for (int i = 0; i < n && i < 65536; i++)
			orphans += !in_set(kids[i], base, nbase);
		if (orphans > *peak)
			*peak = orphans;
		if (tdone && orphans == 0) {
			tend = now;
			break;
		}
		if (tdone && now > tdone + (uint64_t)opt_cap * MS) {
			for (int i = 0; i < n && i < 65536; i++)
				if (!in_set(kids[i], base, nbase) && proc_state(kids[i]) == 'Z')
					(*left)++;
			tend = 0;
			break;
		}
		if (!tdone && now > tstart + 300000 * MS) {
			snprintf(v->reason, sizeof(v->reason), "storm not done within 300 s");
			finish(v, 1000);
			return -1;
		}
		sleep_ns(MS);
	}
	v->extra[2] += (double)ctxt_switches(v->pid, 1) - v->extra[1];
	v->extra[3] += 1;
	*create = (double)(tdone - tstart) / 1e6;
	*drain = tend ? (double)(tend - tstart) / 1e6 : -1;
	finish(v, 3000);
	return 0;
}

static int sc_storm(void)
{
	int order[MAXVAR];
	struct var creates[MAXVAR];

	memset(creates, 0, sizeof(creates));
	for (long r = 0; r < opt_r; r++) {
		shuffle(order, nvars);
		for (int i = 0; i < nvars; i++) {
			int k = order[i];
			struct var *v = &vars[k];
			double drain, create;
			long peak, left;

			if (v->count[1] < 0)
				continue;
			if (storm_once(v, &drain, &create, &peak, &left) < 0) {
				v->count[1] = -1;
				continue;
			}
			if (drain >= 0)
				push(v, drain);
			else
				v->count[3]++;
			push(&creates[k], create);
			if (peak > v->count[0])
				v->count[0] = peak;
			if (left > v->count[2])
				v->count[2] = left;
		}
	}
	for (int i = 0; i < nvars; i++) {
		struct var *v = &vars[i];

		if (v->count[1] < 0) {
			out_na(v, "storm_drain_ms", v->reason);
			out_na(v, "storm_peak", v->reason);
			out_na(v, "storm_left", v->reason);
			continue;
		}
		if (v->count[3])
			printf("%s\tstorm_drain_ms\tnever\n", v->name);
		else {
			out(v, "storm_drain_ms", pct(v, 50));
			out(v, "storm_drain_min_ms", pct(v, 0));
			out(v, "storm_drain_max_ms", pct(v, 100));
		}
		creates[i].name = v->name;
		out(v, "storm_create_ms", pct(&creates[i], 50));
		out(v, "storm_wakeups", v->extra[3] ? v->extra[2] / v->extra[3] : -1);
		out(v, "storm_peak", (double)v->count[0]);
		out(v, "storm_left", (double)v->count[2]);
	}
	return 0;
}

/* Start the variants in group, wait until ready, TERM them, time the exits. */
static void stop_group(const int *group, int ng)
{
	for (int g = 0; g < ng; g++) {
		struct var *w = &vars[group[g]];

		spawn(w);
		if (!wait_ready(w, 5000))
			w->count[1] = -1;
	}
	sleep_ns(50 * MS);
	for (int g = 0; g < ng; g++) {
		struct var *w = &vars[group[g]];

		if (w->count[1] < 0)
			continue;
		w->t0 = now_ns();
		kill(w->pid, SIGTERM);
	}
	/* poll every pidfd at once so each exit is timed when it happens */
	for (;;) {
		struct pollfd p[MAXVAR];
		int idx[MAXVAR], np = 0;
		uint64_t now = now_ns(), first = UINT64_MAX;

		for (int g = 0; g < ng; g++) {
			struct var *w = &vars[group[g]];
			uint64_t deadline = w->t0 + (uint64_t)opt_cap * MS;

			if (w->count[1] < 0 || !w->alive)
				continue;
			if (now >= deadline) {
				w->count[0]++;
				push(w, 1e18); /* never: sorts last */
				kill(w->pid, SIGKILL);
				wait_exit(w, 5000);
				continue;
			}
			if (deadline < first)
				first = deadline;
			p[np].fd = w->pidfd;
			p[np].events = POLLIN;
			p[np].revents = 0;
			idx[np++] = group[g];
		}
		if (!np)
			break;
		if (poll(p, (nfds_t)np, (int)((first - now) / MS) + 1) < 0 && errno != EINTR)
			die("poll");
		now = now_ns();
		for (int j = 0; j < np; j++) {
			struct var *w = &vars[idx[j]];

			if (!(p[j].revents & (POLLIN | POLLHUP)))
				continue;
			push(w, (double)(now - w->t0) / 1e6);
			wait_exit(w, 5000);
			w->extra[0] = WIFEXITED(w->status) ? WEXITSTATUS(w->status) : 128 + WTERMSIG(w->status);
		}
	}
}

static int sc_stop(void)
{
	int order[MAXVAR];

	for (long r = 0; r < opt_r; r++) {
		int group[MAXVAR], ng = 0;

		shuffle(order, nvars);
		for (int i = 0; i < nvars; i++) {
			if (vars[order[i]].count[1] < 0)
				continue;
			group[ng++] = order[i];
			if (!opt_parallel) {
				stop_group(group, ng);
				ng = 0;
			}
		}
		if (ng)
			stop_group(group, ng);
	}
	for (int i = 0; i < nvars; i++) {
		struct var *v = &vars[i];
		double med;

		if (v->count[1] < 0) {
			out_na(v, "stop_ms", v->reason);
			continue;
		}
		med = pct(v, 50);
		if (med >= (double)opt_cap)
			printf("%s\tstop_ms\tnever\n", v->name);
		else
			out(v, "stop_ms", med);
		out(v, "stop_never", (double)v->count[0]);
		if (v->ns > (size_t)v->count[0])
			out(v, "stop_exit", v->extra[0]);
	}
	return 0;
}

static int free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("free port");
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/*
 * Connect to 127.0.0.1:port and read the greeting; returns the server's pid
 * (>0), -1 refused, -2 reset/closed/timed out before a greeting. On success
 * the socket is left in *fdp.
 */
static long hello(int port, int *fdp)
{
	struct timeval tv = { 3, 0 };
	struct sockaddr_in sa;
	char buf[64];
	ssize_t n = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return e == ECONNREFUSED ? -1 : -2;
	}
	while (n < (ssize_t)sizeof(buf) - 1) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
		if (memchr(buf, '\n', (size_t)n))
			break;
	}
	buf[n] = 0;
	if (strncmp(buf, "HELLO ", 6) || !strchr(buf, '\n')) {
		close(fd);
		return -2;
	}
	*fdp = fd;
	return atol(buf + 6);
}

static int sc_restart(void)
{
	for (int i = 0; i < nvars; i++) {
		struct var *v = &vars[i];
		int port = free_port(), fd = -1, crashes = 0;
		long refused = 0, resets = 0, pid = -1;
		uint64_t deadline;

		snprintf(portstr, sizeof(portstr), "%d", port);
		spawn(v);
		deadline = now_ns() + 5000 * MS;
		while (now_ns() < deadline && !wait_exit(v, 0)) {
			pid = hello(port, &fd);
			if (pid > 0)
				break;
			sleep_ns(MS);
		}
		if (pid <= 0) {
			if (!v->alive)
				describe_exit(v, v->reason, sizeof(v->reason));
			else
				snprintf(v->reason, sizeof(v->reason), "server not accepting within 5 s");
			goto fail;
		}
		close(fd);
		for (crashes = 0; crashes < opt_k; crashes++) {
			long old, now_pid = -1;
			uint64_t t0;

			old = hello(port, &fd);
			if (old <= 0) {
				snprintf(v->reason, sizeof(v->reason), "server not serving before crash %d", crashes + 1);
				goto fail;
			}
			t0 = now_ns();
			if (write(fd, "c", 1) != 1) {
				snprintf(v->reason, sizeof(v->reason), "cannot send the crash request");
				close(fd);
				goto fail;
			}
			close(fd);
			deadline = t0 + ((uint64_t)opt_b + 5000) * MS;
			while (now_ns() < deadline) {
				if (wait_exit(v, 0)) {
					char why[160];

					describe_exit(v, why, sizeof(why));
					snprintf(v->reason, sizeof(v->reason), "no restart: %s after the crash", why);
					goto fail;
				}
				now_pid = hello(port, &fd);
				if (now_pid > 0) {
					close(fd);
					if (now_pid != old)
						break;
					now_pid = -1; /* the old server is still up */
				} else if (now_pid == -1) {
					refused++;
				} else {
					resets++;
				}
				sleep_ns(MS);
			}
			if (now_pid <= 0) {
				snprintf(v->reason, sizeof(v->reason), "no new server within back-off + 5 s");
				goto fail;
			}
			push(v, (double)(now_ns() - t0) / 1e6 - (double)opt_b);
		}
		out(v, "restart_gap_ms", pct(v, 50));
		out(v, "restart_gap_max_ms", pct(v, 100));
		out(v, "refused", (double)(refused + resets));
		out(v, "refused_only", (double)refused);
		out(v, "resets", (double)resets);
		finish(v, 2000);
		continue;
fail:
		out_na(v, "restart_gap_ms", v->reason);
		out_na(v, "refused", v->reason);
		finish(v, 2000);
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: nsbench startup|siglat|idle|storm|stop|restart [-n N] [-r R] [-w MS] [-S MS]\n"
			"       [-c MS] [-k K] [-b MS] [-P] [-A CPU] -- NAME CMD [ARG...] [:: NAME CMD [ARG...]]...\n");
	exit(2);
}

static void cleanup(void)
{
	for (int i = 0; i < nvars; i++) {
		if (vars[i].fifo_path[0])
			unlink(vars[i].fifo_path);
	}
	if (tmpdir[0])
		rmdir(tmpdir);
}

int main(int argc, char **argv)
{
	const char *sc;
	int i;

	if (argc < 2)
		usage();
	sc = argv[1];
	for (i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-P")) {
			opt_parallel = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(o, "-A"))
			opt_cpu = atoi(argv[++i]);
		else if (!strcmp(o, "-n"))
			opt_n = atol(argv[++i]);
		else if (!strcmp(o, "-r"))
			opt_r = atol(argv[++i]);
		else if (!strcmp(o, "-w"))
			opt_w = atol(argv[++i]);
		else if (!strcmp(o, "-S"))
			opt_settle = atol(argv[++i]);
		else if (!strcmp(o, "-c"))
			opt_cap = atol(argv[++i]);
		else if (!strcmp(o, "-k"))
			opt_k = atol(argv[++i]);
		else if (!strcmp(o, "-b"))
			opt_b = atol(argv[++i]);
		else
			usage();
	}
	if (i >= argc || opt_n < 1 || opt_r < 1 || opt_k < 1 || opt_cap < 1)
		usage();
	for (i++; i < argc;) {
		struct var *v;

		if (nvars == MAXVAR || i + 1 >= argc || !strcmp(argv[i + 1], "::"))
			usage();
		v = &vars[nvars++];
		v->name = argv[i++];
		v->argv = &argv[i];
		while (i < argc && strcmp(argv[i], "::"))
			i++, v->argc++;
		if (i < argc)
			argv[i++] = NULL;
	}
	if (!nvars)
		usage();

	if (opt_cpu >= 0) {
		/* pin nsbench and (by inheritance) every namespace to one CPU */
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(opt_cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			die("sched_setaffinity");
	}
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)now_ns());
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nsbench.XXXXXX");
	if (!mkdtemp(tmpdir))
		die("mkdtemp");
	atexit(cleanup);
	for (i = 0; i < nvars; i++) {
		struct var *v = &vars[i];

		snprintf(v->fifo_path, sizeof(v->fifo_path), "%s/fifo%d", tmpdir, i);
		if (mkfifo(v->fifo_path, 0600) < 0)
			die("mkfifo");
		v->fifo = open(v->fifo_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (v->fifo < 0)
			die("open fifo");
	}
	if (!strcmp(sc, "startup"))
		return sc_startup();
	if (!strcmp(sc, "siglat"))
		return sc_siglat();
	if (!strcmp(sc, "idle"))
		return sc_idle();
	if (!strcmp(sc, "storm"))
		return sc_storm();
	if (!strcmp(sc, "stop"))
		return sc_stop();
	if (!strcmp(sc, "restart"))
		return sc_restart();
	usage();
	return 2;
}
