/*
 * mounts.c — the container's mount table: what it shares with the host
 * (propagation), a /proc of its own, and what it mounts over its tree:
 * /sys, /tmp, the volumes, and from step08 the root filesystem itself.
 *
 * Brought by step03, with the least a private /proc needs (a mount
 * namespace whose mounts no longer travel to the host's); step04 is the
 * lesson on mounts and makes it what it is; step08 mounts everything by
 * fd inside the rootfs and ends with pivot_root. main.c's child calls
 * setup_mounts (step03: make_mounts_private, mount_proc); the parent
 * calls check_volumes before clone.
 *
 *   sudo ./step04-mount/run -v -V /tmp:/mnt:ro -- cat /proc/self/mountinfo
 */
#define _GNU_SOURCE
#include <sys/mount.h>

#include "common.h"
#include "container.h"
#include "mounts.h"

/*
 * Just enough of the mount namespace for a private /proc. CLONE_NEWNS gave
 * us a copy of the host's mounts, but on systemd hosts "/" is a shared
 * mount: a mount made in our copy would propagate back to the host, and
 * our /proc would cover the host's. MS_PRIVATE cuts that link, for every
 * mount below "/" too (MS_REC). step04 explains propagation properly.
 */
void make_mounts_private(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_errno("mount(\"/\", MS_REC|MS_PRIVATE)");
	trace("mount(\"/\", MS_REC|MS_PRIVATE) = 0");
}

/*
 * A proc filesystem shows the PID namespace of whoever mounts it. We are
 * PID 1 of the new one, so this /proc lists only the container's
 * processes, and `ps` (which reads /proc) agrees with `echo $$`.
 */
void mount_proc(void)
{
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_errno_hint("mounting proc needs CAP_SYS_ADMIN over the new PID namespace "
			       "(inside Docker: --privileged) and, in a user namespace, a fully "
			       "visible /proc mounted already (Docker's is masked)",
			       "mount(\"proc\", \"/proc\")");
	trace("mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC) = 0");
}
