/*
 * caps.c — capabilities: what root inside may still do.
 *
 * Since Linux 2.2 root's power is split into capabilities, one bit each:
 * CAP_CHOWN (chown any file), CAP_NET_ADMIN (configure the network),
 * CAP_SYS_ADMIN (mount, and a hundred other things), CAP_SYS_MODULE
 * (load kernel modules)... A process has five sets of them
 * (capabilities(7)):
 *
 *   effective    what the kernel checks right now;
 *   permitted    what the process may make effective;
 *   inheritable  what it may pass through execve to a program whose file
 *                says it inherits them (file capabilities);
 *   bounding     the ceiling: nothing outside it ever comes back, not
 *                through execve, not through a setuid-root binary. It is
 *                what matters for a root container: when uid 0 runs a
 *                program, the kernel gives it the whole bounding set as
 *                permitted and effective again;
 *   ambient      what a non-root program keeps through execve.
 *
 * A container's root keeps docker's default set, fourteen capabilities
 * that a Unix process needs (chown its files, bind port 80, setuid to a
 * service user, kill its processes...), and loses everything that acts
 * on the machine as a whole: modules, the clock, mounts, raw I/O,
 * tracing, rebooting. In a user namespace (step06) the capabilities are
 * the namespace's, not the host's; dropping them still matters, because
 * they reach every kernel interface the namespace owns (mount, the
 * network stack of its own netns, ...) and each of those is kernel code
 * a bug in which is a way out.
 *
 * Raw system calls, not libcap: capset(2) and prctl(2) are the kernel's
 * whole interface for this, three calls a reader can look up in
 * capabilities(7); libcap wraps them in cap_t objects and text formats
 * that hide the sets' layout (two 32-bit words per set) the lesson wants
 * to show. The names below come from <linux/capability.h> itself.
 *
 * Brought by step10; called by harden.c, which keeps the order of it all,
 * and rlimits.c; spec.c and process.c, for an OCI config's
 * process.capabilities; oci.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "common.h"

/* [CAP_CHOWN] = "CAP_CHOWN": the table is indexed by the kernel's own
 * numbers, so a name can never sit at the wrong bit. */
#define CAP(name) [CAP_##name] = "CAP_" #name

static const char *const cap_names[] = {
	CAP(CHOWN),
	CAP(DAC_OVERRIDE),
	CAP(DAC_READ_SEARCH),
	CAP(FOWNER),
	CAP(FSETID),
	CAP(KILL),
	CAP(SETGID),
	CAP(SETUID),
	CAP(SETPCAP),
	CAP(LINUX_IMMUTABLE),
	CAP(NET_BIND_SERVICE),
	CAP(NET_BROADCAST),
	CAP(NET_ADMIN),
	CAP(NET_RAW),
	CAP(IPC_LOCK),
	CAP(IPC_OWNER),
	CAP(SYS_MODULE),
	CAP(SYS_RAWIO),
	CAP(SYS_CHROOT),
	CAP(SYS_PTRACE),
	CAP(SYS_PACCT),
	CAP(SYS_ADMIN),
	CAP(SYS_BOOT),
	CAP(SYS_NICE),
	CAP(SYS_RESOURCE),
	CAP(SYS_TIME),
	CAP(SYS_TTY_CONFIG),
	CAP(MKNOD),
	CAP(LEASE),
	CAP(AUDIT_WRITE),
	CAP(AUDIT_CONTROL),
	CAP(SETFCAP),
	CAP(MAC_OVERRIDE),
	CAP(MAC_ADMIN),
	CAP(SYSLOG),
	CAP(WAKE_ALARM),
	CAP(BLOCK_SUSPEND),
	CAP(AUDIT_READ),
	CAP(PERFMON),
	CAP(BPF),
	CAP(CHECKPOINT_RESTORE),
};

#define NCAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

/* Docker's default set (moby daemon/pkg/oci/caps/defaults.go). */
capset_t caps_default(void)
{
	return CAPS_BIT(CAP_CHOWN) | CAPS_BIT(CAP_DAC_OVERRIDE) | CAPS_BIT(CAP_FSETID) |
	       CAPS_BIT(CAP_FOWNER) | CAPS_BIT(CAP_MKNOD) | CAPS_BIT(CAP_NET_RAW) |
	       CAPS_BIT(CAP_SETGID) | CAPS_BIT(CAP_SETUID) | CAPS_BIT(CAP_SETFCAP) |
	       CAPS_BIT(CAP_SETPCAP) | CAPS_BIT(CAP_NET_BIND_SERVICE) | CAPS_BIT(CAP_SYS_CHROOT) |
	       CAPS_BIT(CAP_KILL) | CAPS_BIT(CAP_AUDIT_WRITE);
}

int caps_from_name(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	for (int cap = 0; cap < NCAPS; cap++)
		if (name[0] && strcasecmp(name, cap_names[cap] + 4) == 0)
			return cap;
	return -1;
}

const char *caps_name(int cap, char *buf, size_t size)
{
	if (cap >= 0 && cap < NCAPS)
		snprintf(buf, size, "%s", cap_names[cap]);
	else
		snprintf(buf, size, "CAP_%d", cap);
	return buf;
}

const char *caps_list(capset_t set, char *buf, size_t size)
{
	size_t used = 0;

	snprintf(buf, size, "none");
	for (int cap = 0; cap < 64 && used < size; cap++) {
		char name[32];

		if (!(set & CAPS_BIT(cap)))
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "," : "",
					 caps_name(cap, name, sizeof(name)));
	}
	return buf;
}

void caps_request_parse(struct caps_request *r, const char *name, bool add)
{
	const char *option = add ? "--cap-add" : "--cap-drop";
	int cap;

	if (strcasecmp(name, "ALL") == 0) {
		if (add)
			r->add_all = true;
		else
			r->drop_all = true;
		return;
	}
	cap = caps_from_name(name);
	if (cap < 0)
		usage_error("%s: '%s' is not a capability (a name from capabilities(7), with or "
			    "without CAP_, in any case, e.g. NET_ADMIN; or ALL)",
			    option, name);
	if (add)
		r->add |= CAPS_BIT(cap);
	else
		r->drop |= CAPS_BIT(cap);
}

/* As docker's TweakCapabilities: ALL added wins, then ALL dropped, then
 * the default set less the drops plus the adds. */
capset_t caps_wanted(const struct caps_request *r, capset_t held)
{
	if (r->add_all)
		return held & ~r->drop;
	if (r->drop_all)
		return r->add;
	return (caps_default() & ~r->drop) | r->add;
}

/*
 * The bounding set, read bit by bit: PR_CAPBSET_READ says EINVAL past
 * the last capability this kernel knows, so this also finds how many
 * there are, with no file to read (/proc/sys/kernel/cap_last_cap is
 * inside the container's /proc by now). *LAST: the highest number.
 */
static capset_t read_bounding(int *last)
{
	capset_t set = 0;
	int cap;

	for (cap = 0; cap < 64; cap++) {
		int on = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (on < 0 && errno == EINVAL)
			break;
		if (on < 0)
			die_errno("prctl(PR_CAPBSET_READ, %d)", cap);
		if (on)
			set |= CAPS_BIT(cap);
	}
	/* Every kernel this runs on knows CAP_AUDIT_READ (3.16): an EINVAL
	 * before it is not the end of the list, and an empty set read here
	 * would drop nothing, silently. */
	if (cap <= CAP_AUDIT_READ)
		die("prctl(PR_CAPBSET_READ, %d): Invalid argument, though the kernel knows "
		    "capability %d (a seccomp filter around this runtime answering EINVAL "
		    "for prctl?)",
		    cap, cap);
	*last = cap - 1;
	return set;
}

/* Version 3 of the interface: each set is 64 bits, as two 32-bit words
 * (data[0] the low one, data[1] the high one). */
static void get_sets(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };

	if (syscall(SYS_capget, &header, data) < 0)
		die_errno("capget");
}

capset_t caps_held(void)
{
	struct __user_cap_data_struct data[2];
	int last;
	capset_t bounding = read_bounding(&last);

	get_sets(data);
	return bounding & ((capset_t)data[1].permitted << 32 | data[0].permitted);
}

capset_t caps_effective(void)
{
	struct __user_cap_data_struct data[2];

	get_sets(data);
	return (capset_t)data[1].effective << 32 | data[0].effective;
}

/*
 * Out of the bounding set first, while CAP_SETPCAP, which PR_CAPBSET_DROP
 * needs, is still effective: a --cap-drop SETPCAP takes it away next.
 */
void caps_drop_bounding(capset_t keep)
{
	char name[32];
	int last, dropped = 0;
	capset_t bounding = read_bounding(&last);

	for (int cap = 0; cap <= last; cap++) {
		if (!(bounding & CAPS_BIT(cap)) || (keep & CAPS_BIT(cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			die_errno_hint("dropping from the bounding set needs CAP_SETPCAP",
				       "prctl(PR_CAPBSET_DROP, %s)",
				       caps_name(cap, name, sizeof(name)));
		dropped++;
	}
	trace("prctl(PR_CAPBSET_DROP) for %d capabilities = 0", dropped);
}

/*
 * The sets a process keeps through execve, after the bounding set:
 * ambient emptied, then permitted, effective and inheritable (capset),
 * then C's ambient ones raised. The kernel raises an ambient capability
 * only if it is permitted and inheritable too; one it refuses is a
 * warning, as in runc (libcontainer/capabilities ApplyCaps): configs that
 * list ambient without inheritable run there, the capability left out.
 */
void caps_set(const struct capsets *c, const char *what)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	char prm[1024], eff[1024], inh[1024], names[1024];

	/* Ambient capabilities survive execve of a non-root program; none
	 * stays but C's (a user namespace's creator has none, but --userns
	 * off inherits the caller's). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		die_errno("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)");
	trace("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL) = 0");
	data[0].permitted = (uint32_t)c->permitted;
	data[1].permitted = (uint32_t)(c->permitted >> 32);
	data[0].effective = (uint32_t)c->effective;
	data[1].effective = (uint32_t)(c->effective >> 32);
	data[0].inheritable = (uint32_t)c->inheritable;
	data[1].inheritable = (uint32_t)(c->inheritable >> 32);
	caps_list(c->permitted, prm, sizeof(prm));
	caps_list(c->effective, eff, sizeof(eff));
	caps_list(c->inheritable, inh, sizeof(inh));
	if (syscall(SYS_capset, &header, data) < 0)
		die_errno_hint("permitted, effective and inheritable must lie within what the "
			       "process holds, inheritable within the bounding set too",
			       "capset(permitted=%s, effective=%s, inheritable=%s)%s%s%s", prm, eff,
			       inh, what ? " (" : "", what ? what : "", what ? ")" : "");
	if (c->permitted == c->effective && !c->inheritable)
		trace("capset(permitted=effective=%s, inheritable=none) = 0", prm);
	else
		trace("capset(permitted=%s, effective=%s, inheritable=%s) = 0", prm, eff, inh);
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (!(c->ambient & CAPS_BIT(cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) == 0) {
			trace("prctl(PR_CAP_AMBIENT_RAISE, %s) = 0",
			      caps_name(cap, names, sizeof(names)));
			continue;
		}
		warn_errno("%s%sambient: %s not raised (it must be in permitted and inheritable "
			   "too): prctl(PR_CAP_AMBIENT_RAISE)",
			   what ? what : "", what ? "." : "", caps_name(cap, names, sizeof(names)));
	}
}

void caps_apply(capset_t keep)
{
	capset_t missing = keep & ~caps_held();
	char names[1024];

	/* capset may only take away; the kernel would say EPERM. */
	if (missing)
		die("cannot give the container %s: the runtime does not hold %s itself (not in "
		    "its bounding and permitted sets; `grep Cap /proc/self/status` shows them)",
		    caps_list(missing, names, sizeof(names)),
		    missing & (missing - 1) ? "them" : "it");
	caps_drop_bounding(keep);
	/*
	 * Inheritable stays empty, as docker's since 20.10.14: a set there
	 * let a non-root program whose file has inheritable capabilities
	 * (setcap cap_net_admin+i) gain them through execve (CVE-2022-24769).
	 */
	caps_set(&(struct capsets){ .bounding = keep, .permitted = keep, .effective = keep }, NULL);
}
