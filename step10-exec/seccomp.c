/*
 * seccomp.c — a system call filter: what the container may ask the kernel.
 *
 * Namespaces change what the container sees, capabilities what it may
 * do; both leave every system call reachable, and each one is kernel
 * code that runs with the container's arguments. seccomp (secure
 * computing, "filter" mode, Linux 3.5) attaches a small BPF program to
 * the process that the kernel runs on every system call before the call
 * itself: it reads the call's number, architecture and arguments (not
 * memory they point to) and says allow, fail with an errno, or kill. The
 * filter is inherited by every child and kept across execve, and can
 * never be removed, only made stricter by another one.
 *
 * libseccomp (seccomp_init, seccomp_rule_add, seccomp_load) writes the
 * BPF program for us from rules by name, as runc and crun use it.
 *
 * This filter is a deny-list: everything is allowed but the calls docker
 * refuses a container that lacks the capability they would need. Docker's
 * real profile is the other way round, an allow-list of some 350 calls:
 * a call added to the kernel next year is refused until someone decides
 * it is safe, where a deny-list lets it through. A deny-list of about
 * thirty names is what a lesson can show whole; runc and crun load
 * either kind, as the OCI config describes it.
 *
 * Brought by step10; called by harden.c, last of all before execve.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h> /* libseccomp's (ours is "seccomp.h") */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "seccomp.h"

#define ADMIN CAPS_BIT(CAP_SYS_ADMIN)

/*
 * Docker's default profile (moby/profiles seccomp/default_linux.go),
 * turned round: each call it leaves out of its allow-list, and the
 * capabilities under which it allows it after all (0: under none).
 * Those need the capability in the kernel too; the filter is the second
 * lock, for when a kernel bug skips the first.
 */
static const struct {
	const char *name;
	capset_t lifted_by; /* any one of these lets the call through */
} denied_calls[] = {
	/* Load another kernel, or change this one. */
	{ "kexec_load", 0 },
	{ "kexec_file_load", 0 },
	{ "init_module", CAPS_BIT(CAP_SYS_MODULE) },
	{ "finit_module", CAPS_BIT(CAP_SYS_MODULE) },
	{ "delete_module", CAPS_BIT(CAP_SYS_MODULE) },
	{ "bpf", ADMIN | CAPS_BIT(CAP_BPF) },
	{ "perf_event_open", ADMIN | CAPS_BIT(CAP_PERFMON) },
	/* Files by handle: past the rootfs to any inode of the file system
	 * (the "shocker" escape of 2014). */
	{ "open_by_handle_at", CAPS_BIT(CAP_DAC_READ_SEARCH) },
	/* The kernel keyrings are not namespaced. */
	{ "keyctl", 0 },
	{ "add_key", 0 },
	{ "request_key", 0 },
	/* Namespaces and mounts: the container's are made; no more. */
	{ "unshare", ADMIN },
	{ "setns", ADMIN },
	{ "mount", ADMIN },
	{ "umount2", ADMIN },
	{ "pivot_root", 0 },
	{ "fsopen", ADMIN },
	{ "fsconfig", ADMIN },
	{ "fsmount", ADMIN },
	{ "fspick", ADMIN },
	{ "move_mount", ADMIN },
	{ "open_tree", ADMIN },
	{ "mount_setattr", ADMIN },
	/* The machine as a whole. */
	{ "reboot", CAPS_BIT(CAP_SYS_BOOT) },
	{ "swapon", 0 },
	{ "swapoff", 0 },
	{ "acct", CAPS_BIT(CAP_SYS_PACCT) },
	{ "settimeofday", CAPS_BIT(CAP_SYS_TIME) },
	{ "clock_settime", CAPS_BIT(CAP_SYS_TIME) },
	/* io_uring: a ring of requests (open, read, connect, ...) that the
	 * kernel carries out without a system call per request, so past
	 * every rule above, and the door of many kernel exploits since 2021.
	 * docker and containerd refuse it since 2023 (moby/moby#46762,
	 * containerd/containerd#9320). */
	{ "io_uring_setup", 0 },
	{ "io_uring_enter", 0 },
	{ "io_uring_register", 0 },
};

/* The flags that make clone create namespaces; CLONE_NEWTIME has no room
 * in clone's flags (only unshare and clone3 take it). */
static const int namespace_flags[] = {
	CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,    CLONE_NEWUSER,
	CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};

/* libseccomp returns -errno; die_errno wants it in errno. */
static void check(int rc, const char *what, const char *name)
{
	if (rc == 0)
		return;
	errno = -rc;
	die_errno("%s(%s)", what, name);
}

static void deny(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		die("seccomp: libseccomp %u.%u.%u does not know the system call %s: a newer "
		    "libseccomp is needed",
		    SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO, name);
	check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0), "seccomp_rule_add", name);
}

/*
 * clone(CLONE_NEWUSER) needs no capability at all: refusing unshare
 * alone would leave that door open. A filter sees clone's flags (its
 * first argument on x86_64; the second on s390, which docker's profile
 * handles apart), so one rule per flag: "flags & FLAG == FLAG" fails.
 * clone3 takes its flags in a struct in memory, which a filter cannot
 * read: it is refused with ENOSYS, so that glibc falls back to clone.
 */
static void deny_namespace_clones(scmp_filter_ctx ctx)
{
	for (size_t i = 0; i < sizeof(namespace_flags) / sizeof(namespace_flags[0]); i++)
		check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, (scmp_datum_t)namespace_flags[i],
					       (scmp_datum_t)namespace_flags[i])),
		      "seccomp_rule_add", "clone");
	check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0),
	      "seccomp_rule_add", "clone3");
}

/* The rules, in a filter that allows the rest. */
static scmp_filter_ctx build_filter(capset_t caps, char *names, size_t size)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	size_t used = 0;

	if (!ctx)
		die("seccomp_init: out of memory");
	/* Errors as the kernel's errno, not libseccomp's -ECANCELED. */
	check(seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1), "seccomp_attr_set",
	      "SCMP_FLTATR_API_SYSRAWRC");
	/* We set no_new_privs ourselves (harden.c); libseccomp would do it
	 * unasked inside seccomp_load. */
	check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0), "seccomp_attr_set",
	      "SCMP_FLTATR_CTL_NNP");
	/*
	 * The filter checks the architecture first. On x86_64 the same
	 * process can also make i386 calls (int $0x80), whose numbers mean
	 * other calls: the i386 number of umount2 is not x86_64's. Rules for
	 * the native architecture only, and any other one is killed.
	 */
	check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS),
	      "seccomp_attr_set", "SCMP_FLTATR_ACT_BADARCH");
	names[0] = '\0';
	for (size_t i = 0; i < sizeof(denied_calls) / sizeof(denied_calls[0]); i++) {
		if (caps & denied_calls[i].lifted_by)
			continue;
		deny(ctx, denied_calls[i].name);
		if (used < size)
			used += (size_t)snprintf(names + used, size - used, "%s%s", used ? "," : "",
						 denied_calls[i].name);
	}
	if (!(caps & ADMIN))
		deny_namespace_clones(ctx);
	return ctx;
}

void seccomp_deny(capset_t caps)
{
	char names[1024];
	scmp_filter_ctx ctx = build_filter(caps, names, sizeof(names));
	int rc = seccomp_load(ctx);

	seccomp_release(ctx);
	if (rc == -EACCES) {
		errno = EACCES;
		die_errno_hint("without CAP_SYS_ADMIN the kernel takes a filter only from a "
			       "process with no_new_privs set: prctl(PR_SET_NO_NEW_PRIVS) first",
			       "seccomp_load");
	}
	check(rc, "seccomp_load", "the filter");
	trace("seccomp_load(default allow; EPERM: %s%s; other architectures: kill) = 0", names,
	      caps & ADMIN ? "" : "; clone(CLONE_NEW*): EPERM, clone3: ENOSYS");
}
