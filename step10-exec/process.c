/*
 * process.c — a container's process from its terminal to execve, as the
 * runtime-spec's "process" object has it: what every process of an OCI
 * container goes through, the first one (oci.c, create and start) and
 * each that exec adds (exec.c, the same joiner as step 10's own exec).
 *
 * Brought by step10, with the OCI mode: step 10's own run and exec
 * harden their processes with harden.c, from the command line's options;
 * a config.json says more (a user, additional groups, all five
 * capability sets, a umask, a seccomp profile of its own), and this is
 * where that is applied. The order is runc's
 * (libcontainer/standard_init_linux.go and setns_init_linux.go, Init);
 * crun's is in src/libcrun/container.c (container_init_setup).
 *
 *   sudo ./step10-exec/run exec --process p.json ID     # as podman exec does
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "caps.h"
#include "common.h"
#include "harden.h"
#include "process.h"
#include "rlimits.h"
#include "rootfs.h"

/* Tell the runtime (REPORT: start's socket, exec's pipe) that execve of
 * PATH failed with ERR, and end. */
void write_exec_error(int report, int err, const char *path)
{
	struct exec_error e = { .err = err };
	size_t size;

	snprintf(e.path, sizeof(e.path), "%s", path);
	size = offsetof(struct exec_error, path) + strlen(e.path) + 1;
	if (report >= 0 && write(report, &e, size) != (ssize_t)size)
		_exit(EXIT_NOEXEC);
	errno = err;
	warn_errno("execve %s", path);
	_exit(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
}

/* Read what write_exec_error wrote to FD, if anything: false at EOF
 * (the other side closed it: execve succeeded, or it died). */
bool read_exec_error(int fd, struct exec_error *e)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*e) && (n = read(fd, (char *)e + got, sizeof(*e) - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("read (the report of the container's process)");
		got += (size_t)n;
	}
	if (got == 0)
		return false;
	if (got <= offsetof(struct exec_error, path))
		die("the container's process reported half an error (%zu bytes)", got);
	((char *)e)[got < sizeof(*e) ? got : sizeof(*e) - 1] = '\0';
	return true;
}

/*
 * Find a program as execvp would, in the container's PATH (its env, not
 * ours): create fails now, with the reason, rather than start later.
 */
bool find_program(const char *name, char *const env[], char *full, size_t size)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

	if (strchr(name, '/')) {
		snprintf(full, size, "%s", name);
		return access(full, X_OK) == 0;
	}
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			path = env[i] + 5;
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(full, size, "%.*s%s%s", (int)len, path, len ? "/" : "", name);
		if (access(full, X_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/*
 * The command, with the container's environment; PATH is what
 * find_program found, before the filter was loaded. REPORT
 * (close-on-exec) tells the caller whether execve worked, by closing
 * (it did) or by what write_exec_error writes to it (it did not).
 */
void exec_process(const char *path, char **argv, char **env, int report)
{
	execve(path, argv, env);
	write_exec_error(report, errno, path);
}

/* --- who the process is: ids, capabilities, limits ---------------------- */

/*
 * process.user, then process.capabilities, with caps.c's functions as
 * step 10's own run uses them: the bounding set first (dropping from it
 * takes CAP_SETPCAP, which a non-root uid has lost from its effective
 * set); setuid to a uid other than 0 clears the permitted set, unless
 * PR_SET_KEEPCAPS says keep it; then the sets as config.json lists them,
 * all five as given, as runc's. Ambient ones are what a non-root
 * program keeps through execve.
 */
static void become_user(const struct spec_process *p)
{
	caps_drop_bounding(p->caps.bounding);
	if (setgroups(p->ngroups, p->groups) < 0)
		die_errno("setgroups (process.user.additionalGids)");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_KEEPCAPS)");
	if (setresgid(p->gid, p->gid, p->gid) < 0 || setresuid(p->uid, p->uid, p->uid) < 0)
		die_errno("setresgid(%u)/setresuid(%u) (process.user)", (unsigned)p->gid,
			  (unsigned)p->uid);
	trace("setgroups(%zu), setresgid(%u), setresuid(%u) = 0", p->ngroups, (unsigned)p->gid,
	      (unsigned)p->uid);
	caps_set(&p->caps, "process.capabilities");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_KEEPCAPS, 0)");
}

/* Every fd from 3 up close-on-exec, not closed (the report fd must stay
 * until execve): nothing of ours crosses execve. What is opened after
 * this is opened close-on-exec. */
static void mark_fds_cloexec(void)
{
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		die_errno("close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)");
	trace("close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) = 0");
}

/*
 * What every process of the container goes through before execve, the
 * first one and those exec adds. The fds first, and process.cwd opened,
 * before any filter: a profile may refuse close_range, and openat2 (a
 * deny-by-default profile written for runc, which chdirs by name, need
 * not list it); the fchdir comes after the user change, so that the
 * user's permission on the directory is checked. Then linux.seccomp, when
 * noNewPrivileges is false: the kernel takes a filter without
 * no_new_privs only from a process that holds CAP_SYS_ADMIN, which
 * become_user may drop. With noNewPrivileges, lock_down loads it as late
 * as can be. That is runc's order (libcontainer/standard_init_linux.go,
 * Init: seccomp.InitSeccomp before finalizeNamespace when
 * !NoNewPrivileges, else just before the exec).
 */
void prepare_process(const struct spec_process *p, void *seccomp)
{
	int cwd;

	ulimits_apply(p->rlimits, p->nrlimits);
	if (p->has_umask)
		umask(p->umask);
	mark_fds_cloexec();
	cwd = rootfs_open_dir(p->cwd, "process.cwd");
	if (!p->no_new_privileges)
		spec_seccomp_load(seccomp);
	become_user(p);
	rootfs_fchdir(cwd, p->cwd, "process.cwd");
}

/* Last, just before execve: after these nothing may be asked of the
 * kernel that the filter denies. */
void lock_down(const struct spec_process *p, void *seccomp)
{
	if (!p->no_new_privileges)
		return; /* the filter is in already (prepare_process) */
	harden_no_new_privs();
	spec_seccomp_load(seccomp);
}

/*
 * process.oomScoreAdj: how soon the kernel's OOM killer picks the
 * container's processes. The runtime writes its own, before it makes the
 * process, which inherits it (fork and execve keep it): through the
 * host's /proc, which no mount of the container's can redirect, and with
 * the host's CAP_SYS_RESOURCE, which lowering it needs and a process in
 * a user namespace never has. runc does the same in
 * nsexec.c (update_oom_score_adj, before it forks its children).
 */
void set_oom_score_adj(int value, const char *field)
{
	char text[16];

	snprintf(text, sizeof(text), "%d", value);
	if (write_file("/proc/self/oom_score_adj", text) < 0)
		die_errno_hint(errno == EACCES ? "lowering it needs CAP_SYS_RESOURCE" : NULL,
			       "%s: write /proc/self/oom_score_adj \"%s\"", field, text);
	trace("write /proc/self/oom_score_adj \"%s\" (%s; inherited)", text, field);
}

void write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], text[16];
	int fd;

	if (!path)
		return;
	if (snprintf(tmp, sizeof(tmp), "%s.stepbox-tmp", path) >= (int)sizeof(tmp))
		die("--pid-file %s: too long", path);
	snprintf(text, sizeof(text), "%d", (int)pid);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0 ||
	    rename(tmp, path) < 0)
		die_errno("--pid-file %s", path);
	trace("write %s \"%s\"", path, text);
}
