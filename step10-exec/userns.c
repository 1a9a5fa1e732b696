/*
 * userns.c — the user namespace: the parent writes the child's uid and
 * gid maps, the child becomes root of its namespace, and when clone is
 * refused, which of the host's switches said no.
 *
 * Brought by step06; main.c calls write_id_maps from the parent while the
 * child waits, become_root in the child once the maps exist, and
 * userns_hint when clone(CLONE_NEWUSER) fails. In step 10 oci.c's create
 * calls userns_hint and write_map (the config's maps), and exec.c's
 * joiner and oci.c's first process become_root_ids.
 *
 *   sudo ./step06-user/run -v -- id    # the maps written, then uid=0 inside
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "userns.h"

/*
 * Why a user namespace could not be made, from the sysctls that forbid it
 * (Debian's old patch, the generic limit, Ubuntu 23.10's AppArmor rule).
 */
const char *userns_hint(void)
{
	char value[16];

	if (read_file("/proc/sys/kernel/unprivileged_userns_clone", value, sizeof(value)) > 0 &&
	    value[0] == '0')
		return "kernel.unprivileged_userns_clone is 0: as root, sysctl -w "
		       "kernel.unprivileged_userns_clone=1";
	if (read_file("/proc/sys/user/max_user_namespaces", value, sizeof(value)) > 0 &&
	    value[0] == '0')
		return "user.max_user_namespaces is 0: as root, sysctl -w "
		       "user.max_user_namespaces=15000";
	if (read_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", value,
		      sizeof(value)) > 0 &&
	    value[0] == '1')
		return "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu): as root, "
		       "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give this "
		       "binary an AppArmor profile that allows userns";
	return "a chrooted process may not create a user namespace; otherwise user "
	       "namespaces may be off in this kernel (CONFIG_USER_NS) or a security module";
}

/*
 * uid and gid 0 of the user namespace we are in, which our capabilities
 * there allow in either order (the gid first is only the habit of
 * switches away from root, which would lose CAP_SETGID with the uid).
 * Step 10 has three callers: become_root below, a joiner of the
 * container's namespace (exec.c), and an OCI container's first process
 * (oci.c).
 */
void become_root_ids(void)
{
	if (setresgid(0, 0, 0) < 0)
		die_errno_hint("gid 0 must be in gid_map", "setresgid(0, 0, 0)");
	if (setresuid(0, 0, 0) < 0)
		die_errno_hint("uid 0 must be in uid_map", "setresuid(0, 0, 0)");
	trace("setresgid(0, 0, 0) = 0, setresuid(0, 0, 0) = 0");
}

/*
 * The child's ids on entry are its host ids, which mean nothing in the
 * new namespace (they show as 65534) until it moves to an id the map
 * names. Having been created with the namespace, it holds every
 * capability in it, so it may: setresgid/setresuid to 0.
 */
void become_root(const struct container *c)
{
	/* Drop host root's supplementary groups; a rootless container
	 * cannot (setgroups is denied) and keeps them, shown as 65534. */
	if (!c->rootless && setgroups(0, NULL) < 0)
		die_errno("setgroups(0, NULL)");
	become_root_ids();
	/* A change of uid clears the parent-death signal: ask again. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die_errno("prctl(PR_SET_PDEATHSIG)");
}

/* Write /proc/PID/{setgroups,uid_map,gid_map}: one line here, an OCI
 * config's lines in step 10 (oci.c's create). */
void write_map(pid_t pid, const char *file, const char *line)
{
	size_t len = strlen(line);
	char path[64];

	/* the trace without an OCI map's closing newline */
	while (len > 0 && line[len - 1] == '\n')
		len--;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (write_file(path, line) < 0) {
		if (errno == EPERM && strcmp(file, "gid_map") == 0)
			die_errno_hint("an unprivileged writer must write \"deny\" to "
				       "/proc/PID/setgroups before gid_map",
				       "write %s \"%.*s\"", path, (int)len, line);
		if (errno == EPERM)
			die_errno_hint("a map can be written once, and only by a process "
				       "with CAP_SETUID/CAP_SETGID over the ids it names",
				       "write %s \"%.*s\"", path, (int)len, line);
		die_errno("write %s \"%.*s\"", path, (int)len, line);
	}
	trace("write %s \"%.*s\"", path, (int)len, line);
}

/*
 * The maps are written from outside, by the parent: a map is checked
 * against the writer's privileges in the parent namespace, and the child,
 * whose ids are not mapped yet, has none there. Root maps a whole range;
 * anyone else one line, their own id, and must first give up setgroups(2)
 * (else it could drop a group that denies it access: CVE-2014-8989).
 */
void write_id_maps(const struct container *c, pid_t pid)
{
	char line[64];

	if (c->rootless) {
		write_map(pid, "setgroups", "deny");
		snprintf(line, sizeof(line), "0 %u 1", (unsigned)geteuid());
		write_map(pid, "uid_map", line);
		snprintf(line, sizeof(line), "0 %u 1", (unsigned)getegid());
		write_map(pid, "gid_map", line);
		return;
	}
	snprintf(line, sizeof(line), "0 %llu %llu", (unsigned long long)c->map_base,
		 (unsigned long long)c->map_size);
	write_map(pid, "uid_map", line);
	write_map(pid, "gid_map", line);
}
