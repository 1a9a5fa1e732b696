/*
 * attach-below.c — lesson 07: when the kernel refuses to attach a device
 * program to a cgroup because of the program of the cgroup above it.
 *
 * A cgroup's program is attached in one of three modes, its flags:
 * 0 (exclusive: nothing below may attach one), BPF_F_ALLOW_OVERRIDE (a
 * program below replaces this one for its subtree) or BPF_F_ALLOW_MULTI
 * (programs below run too, all of them). For each mode this attaches an
 * allow-all device program to CGROUP2/attach-demo, then tries to attach
 * one, as stepbox does (BPF_F_ALLOW_MULTI), to attach-demo/sub below it:
 * under an exclusive parent the kernel says EPERM (kernel/bpf/cgroup.c,
 * hierarchy_allows_attach). Both cgroups are removed again each time.
 *
 *   cc -o /var/tmp/attach-below docs/demos/attach-below.c
 *   sudo /var/tmp/attach-below /sys/fs/cgroup     (a cgroup v2 mount)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* r0 = 1; exit: every device, every access */
static int load_allow_all(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t) "GPL";
	return (int)sys_bpf(BPF_PROG_LOAD, &attr);
}

static int attach(int prog, int cgroup, unsigned int flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (unsigned int)cgroup;
	attr.attach_bpf_fd = (unsigned int)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = flags;
	return (int)sys_bpf(BPF_PROG_ATTACH, &attr);
}

static void detach(int prog, int cgroup, const char *path)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (unsigned int)cgroup;
	attr.attach_bpf_fd = (unsigned int)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_DETACH, &attr) < 0)
		fprintf(stderr, "attach-below: bpf(BPF_PROG_DETACH) on %s: %m\n", path);
}

static int make_cgroup(const char *path)
{
	int fd;

	if (mkdir(path, 0755) < 0) {
		fprintf(stderr, "attach-below: mkdir %s: %m%s\n", path,
			errno == EEXIST ? " (left by an earlier run? rmdir it)" : "");
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "attach-below: open %s: %m\n", path);
		rmdir(path);
	}
	return fd;
}

static void remove_cgroup(int fd, const char *path)
{
	if (fd >= 0)
		close(fd);
	if (rmdir(path) < 0 && errno != ENOENT)
		fprintf(stderr, "attach-below: rmdir %s: %m\n", path);
}

/* One mode: the parent's attach with FLAGS, then stepbox's attach below. */
static int try_mode(int prog, const char *base, unsigned int flags, const char *name)
{
	char parent[4096], sub[4096];
	int pfd, sfd = -1, ok = -1;

	snprintf(parent, sizeof(parent), "%s/attach-demo", base);
	snprintf(sub, sizeof(sub), "%s/attach-demo/sub", base);
	pfd = make_cgroup(parent);
	if (pfd < 0)
		return -1;
	sfd = make_cgroup(sub); /* on failure, out removes the parent */
	if (sfd < 0)
		goto out;
	if (attach(prog, pfd, flags) < 0) {
		fprintf(stderr, "attach-below: bpf(BPF_PROG_ATTACH) on %s: %m\n", parent);
		goto out;
	}
	printf("above, %s: attached\n", name);
	if (attach(prog, sfd, BPF_F_ALLOW_MULTI) == 0) {
		printf("  below, BPF_F_ALLOW_MULTI: attached\n");
		detach(prog, sfd, sub);
	} else {
		printf("  below, BPF_F_ALLOW_MULTI: bpf(BPF_PROG_ATTACH) = -1 %m\n");
	}
	detach(prog, pfd, parent);
	ok = 0;
out:
	remove_cgroup(sfd, sub);
	remove_cgroup(pfd, parent);
	return ok;
}

int main(int argc, char **argv)
{
	int prog, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: attach-below CGROUP2-MOUNT (e.g. /sys/fs/cgroup)\n");
		return 2;
	}
	prog = load_allow_all();
	if (prog < 0) {
		fprintf(stderr, "attach-below: bpf(BPF_PROG_LOAD): %m (run it as root)\n");
		return 1;
	}
	if (try_mode(prog, argv[1], 0, "exclusive (flags 0)") < 0 ||
	    try_mode(prog, argv[1], BPF_F_ALLOW_OVERRIDE, "BPF_F_ALLOW_OVERRIDE") < 0 ||
	    try_mode(prog, argv[1], BPF_F_ALLOW_MULTI, "BPF_F_ALLOW_MULTI") < 0)
		rc = 1;
	close(prog);
	return rc;
}
