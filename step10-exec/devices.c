/*
 * devices.c — which device nodes the container may use.
 *
 * A process with CAP_MKNOD can create a node for any device number, and
 * root can open any node it finds: the host's disk, its memory (/dev/mem),
 * its keyboard. File permissions do not stop root; the device controller
 * does. It is asked at every open(2) and mknod(2) of a character or block
 * device node: type ('c' or 'b'), major:minor, and what is wanted (read,
 * write, mknod). It does not look at paths, only at numbers.
 *
 * Brought by step07; called by cgroup.c, which attaches the program (v2)
 * or writes the rules (v1).
 *
 *   v1: three files in the devices tree. devices.deny "a" empties the
 *       list (deny all), then one devices.allow line per device:
 *       "c 1:3 rwm" is /dev/null, read, write and mknod; "*" is any.
 *   v2: no file at all. The kernel runs an eBPF program of type
 *       BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup, which gets
 *       the request and returns 1 (allow) or 0 (deny, EPERM). We write
 *       that program here as an array of instructions, load it with
 *       bpf(BPF_PROG_LOAD) and attach it with bpf(BPF_PROG_ATTACH).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "devices.h"

/* docker's defaults (runc's specconv AllowedDevices, crun's
 * default_devices), plus /dev/console. tun (10:200) is left out. */
const struct device_rule devices_default[] = {
	{ 'c', DEVICE_ANY, DEVICE_ANY, ACCESS_MKNOD },		  /* mknod of any node... */
	{ 'b', DEVICE_ANY, DEVICE_ANY, ACCESS_MKNOD },		  /* ...but open only these: */
	{ 'c', 1, 3, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD }, /* /dev/null */
	{ 'c', 1, 5, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD }, /* /dev/zero */
	{ 'c', 1, 7, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD }, /* /dev/full */
	{ 'c', 1, 8, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD }, /* /dev/random */
	{ 'c', 1, 9, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD }, /* /dev/urandom */
	{ 'c', 5, 0, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD }, /* /dev/tty */
	{ 'c', 5, 1, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD }, /* /dev/console */
	{ 'c', 5, 2, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD }, /* /dev/ptmx */
	{ 'c', 136, DEVICE_ANY, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD }, /* /dev/pts/N */
};
const size_t devices_ndefault = sizeof(devices_default) / sizeof(devices_default[0]);

void device_rule_text(const struct device_rule *rule, char *text, size_t size)
{
	char major[16] = "*", minor[16] = "*";

	if (rule->major != DEVICE_ANY)
		snprintf(major, sizeof(major), "%d", rule->major);
	if (rule->minor != DEVICE_ANY)
		snprintf(minor, sizeof(minor), "%d", rule->minor);
	snprintf(text, size, "%c %s:%s %s%s%s", rule->type, major, minor,
		 rule->access & ACCESS_READ ? "r" : "", rule->access & ACCESS_WRITE ? "w" : "",
		 rule->access & ACCESS_MKNOD ? "m" : "");
}

/* --- v2: the eBPF program ---------------------------------------------- */

/*
 * An eBPF instruction is 8 bytes: an opcode, a destination and a source
 * register (r0..r10), a 16-bit offset and a 32-bit immediate. The kernel's
 * own headers build them with macros of these names (its
 * include/linux/filter.h); <linux/bpf.h> gives only the opcode bits.
 */
#define INSN(CODE, DST, SRC, OFF, IMM)                                                             \
	((struct bpf_insn){                                                                        \
	    .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), .off = (OFF), .imm = (IMM) })
/* DST = *(u32 *)(SRC + OFF): load a 32-bit word from memory */
#define LDX_MEM_W(DST, SRC, OFF) INSN(BPF_LDX | BPF_MEM | BPF_W, DST, SRC, OFF, 0)
/* DST = (u32)DST OP IMM: 32-bit arithmetic with a constant */
#define ALU32_IMM(OP, DST, IMM) INSN(BPF_ALU | (OP) | BPF_K, DST, 0, 0, IMM)
/* DST = (u32)SRC: copy a register */
#define MOV32_REG(DST, SRC) INSN(BPF_ALU | BPF_MOV | BPF_X, DST, SRC, 0, 0)
/* DST = IMM: load a constant */
#define MOV64_IMM(DST, IMM) INSN(BPF_ALU64 | BPF_MOV | BPF_K, DST, 0, 0, IMM)
/* if (DST != IMM) skip the next OFF instructions (OFF filled in later) */
#define JNE_IMM(DST, IMM) INSN(BPF_JMP | BPF_JNE | BPF_K, DST, 0, 0, IMM)
/* return r0 */
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* The rule's access bits in the kernel's numbering (BPF_DEVCG_ACC_*). */
static int bpf_access(unsigned access)
{
	return (access & ACCESS_MKNOD ? BPF_DEVCG_ACC_MKNOD : 0) |
	       (access & ACCESS_READ ? BPF_DEVCG_ACC_READ : 0) |
	       (access & ACCESS_WRITE ? BPF_DEVCG_ACC_WRITE : 0);
}

/*
 * The block of one rule: every test that fails jumps past the block, to
 * the next rule; falling through all of them reaches "allow". A wildcard
 * ("*", or all of rwm) needs no test. Returns the number of instructions;
 * *ALWAYS: it tests nothing ("a *:* rwm"), so it allows whatever comes.
 */
static size_t emit_rule(struct bpf_insn *p, const struct device_rule *rule, bool *always)
{
	const int all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
	size_t n = 0, jumps[4], njumps = 0;

	/* type: r2 must be the rule's BPF_DEVCG_DEV_CHAR or _BLOCK ('a':
	 * either, as v1's "a *:* rwm") */
	if (rule->type != 'a') {
		jumps[njumps++] = n;
		p[n++] = JNE_IMM(BPF_REG_2,
				 rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	}
	if (bpf_access(rule->access) != all) {
		/* access: r1 = what was asked (r3) minus what the rule
		 * gives; anything left over means "not this rule" */
		p[n++] = MOV32_REG(BPF_REG_1, BPF_REG_3);
		p[n++] = ALU32_IMM(BPF_AND, BPF_REG_1, ~bpf_access(rule->access) & all);
		jumps[njumps++] = n;
		p[n++] = JNE_IMM(BPF_REG_1, 0);
	}
	if (rule->major != DEVICE_ANY) {
		/* major: r4 must be the rule's */
		jumps[njumps++] = n;
		p[n++] = JNE_IMM(BPF_REG_4, rule->major);
	}
	if (rule->minor != DEVICE_ANY) {
		/* minor: r5 must be the rule's */
		jumps[njumps++] = n;
		p[n++] = JNE_IMM(BPF_REG_5, rule->minor);
	}
	/* every test passed: return 1, allow */
	p[n++] = MOV64_IMM(BPF_REG_0, 1);
	p[n++] = EXIT_INSN();
	/* a jump's offset counts from the instruction after it */
	for (size_t i = 0; i < njumps; i++)
		p[jumps[i]].off = (short)(n - jumps[i] - 1);
	*always = njumps == 0;
	return n;
}

/*
 * The whole program. The kernel calls it with r1 pointing at a
 * struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; },
 * where access_type is (access << 16) | type. A prologue unpacks it into
 * r2..r5, one block per rule follows, and the end denies.
 */
static size_t build_program(struct bpf_insn *p, const struct device_rule *rules, size_t nrules)
{
	size_t n = 0;

	p[n++] = LDX_MEM_W(BPF_REG_2, BPF_REG_1, 0);	/* r2 = access_type */
	p[n++] = ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff); /* r2 &= 0xffff: the type */
	p[n++] = LDX_MEM_W(BPF_REG_3, BPF_REG_1, 0);	/* r3 = access_type */
	p[n++] = ALU32_IMM(BPF_RSH, BPF_REG_3, 16);	/* r3 >>= 16: the access */
	p[n++] = LDX_MEM_W(BPF_REG_4, BPF_REG_1, 4);	/* r4 = major */
	p[n++] = LDX_MEM_W(BPF_REG_5, BPF_REG_1, 8);	/* r5 = minor */
	for (size_t i = 0; i < nrules; i++) {
		bool always;

		n += emit_rule(p + n, &rules[i], &always);
		/* A rule that tests nothing (podman's --privileged gives
		 * "a *:* rwm") returns for every device: what followed could
		 * never run, and the verifier refuses a program with an
		 * unreachable instruction (EINVAL, "unreachable insn"). */
		if (always)
			return n;
	}
	p[n++] = MOV64_IMM(BPF_REG_0, 0); /* no rule matched: return 0, deny */
	p[n++] = EXIT_INSN();
	return n;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

#define MAX_RULES 64
#define MAX_INSNS (6 + 8 * MAX_RULES + 2) /* prologue, 8 a rule at most, end */

int devices_attach_bpf(int cgroup_fd, const struct device_rule *rules, size_t nrules,
		       const char **call, char *log, size_t log_size)
{
	struct bpf_insn program[MAX_INSNS];
	union bpf_attr attr;
	size_t ninsns;
	int prog, err;

	log[0] = '\0';
	*call = "BPF_PROG_LOAD";
	if (nrules > MAX_RULES) {
		errno = E2BIG;
		return -1;
	}
	ninsns = build_program(program, rules, nrules);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)program;
	attr.insn_cnt = (uint32_t)ninsns;
	/* The license matters only for helpers the kernel reserves to GPL
	 * programs; this one calls no helper at all. */
	attr.license = (uint64_t)(uintptr_t) "GPL";
	prog = sys_bpf(BPF_PROG_LOAD, &attr);
	if (prog < 0 && errno != EPERM) {
		/* Load again, asking the verifier to explain its refusal. */
		err = errno;
		attr.log_level = 1;
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
		if (sys_bpf(BPF_PROG_LOAD, &attr) >= 0)
			log[0] = '\0';
		errno = err;
	}
	if (prog < 0)
		return -1;
	trace("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, %zu instructions, %zu rules) = %d",
	      ninsns, nrules, prog);

	/* BPF_F_ALLOW_MULTI: the programs of the cgroups above still run
	 * too, and a device must pass them all. */
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	*call = "BPF_PROG_ATTACH";
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) {
		err = errno;
		close(prog);
		errno = err;
		return -1;
	}
	trace("bpf(BPF_PROG_ATTACH, prog %d, cgroup fd %d, BPF_CGROUP_DEVICE, "
	      "BPF_F_ALLOW_MULTI) = 0",
	      prog, cgroup_fd);
	/* The attachment holds the program now; it goes with the cgroup. */
	close(prog);
	return 0;
}
