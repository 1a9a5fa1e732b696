/*
 * verifier.c — lesson 07: what the BPF verifier refuses in a device
 * program, before it is ever attached. Three programs of the type
 * step 07 loads (BPF_PROG_TYPE_CGROUP_DEVICE): one that leaves r0 unset
 * at exit (EACCES), one with an instruction no path reaches (EINVAL:
 * what an allow-all rule followed by the final deny was, devices.c), and
 * one the verifier takes. For each refusal, the last line of the
 * verifier's log, which stepbox prints as its hint. As a user without
 * CAP_BPF, all three are refused before the verifier sees them.
 *
 *   cc -o /var/tmp/verifier docs/demos/verifier.c && sudo /var/tmp/verifier
 */
#define _GNU_SOURCE
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* the two instructions the programs are made of */
static const struct bpf_insn exit_insn = { .code = BPF_JMP | BPF_EXIT };

static struct bpf_insn r0_is(int value)
{
	struct bpf_insn insn = { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 };

	insn.imm = value;
	return insn;
}

static void load(const char *what, const struct bpf_insn *insns, unsigned int count)
{
	static char log[65536];
	union bpf_attr attr;
	char *last, *end;
	int fd;

	memset(&attr, 0, sizeof(attr));
	memset(log, 0, sizeof(log));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = count;
	attr.license = (uintptr_t) "GPL";
	attr.log_buf = (uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0) {
		printf("%s: loaded (fd %d)\n", what, fd);
		close(fd);
		return;
	}
	printf("%s: bpf(BPF_PROG_LOAD) = -1 %m\n", what);
	if (!*log) /* refused before the verifier ran: no CAP_BPF */
		return;
	/* the reason is the log's last line before its statistics
	 * ("processed N insns ...") */
	end = log + strlen(log);
	while (end > log && end[-1] == '\n')
		*--end = '\0';
	while ((last = strrchr(log, '\n')) && strncmp(last + 1, "processed ", 10) == 0)
		*last = '\0';
	last = strrchr(log, '\n');
	printf("  verifier: %s\n", last ? last + 1 : log);
}

int main(void)
{
	const struct bpf_insn unset[] = { exit_insn };
	const struct bpf_insn unreachable[] = { r0_is(1), exit_insn, r0_is(0), exit_insn };
	const struct bpf_insn allow[] = { r0_is(1), exit_insn };

	load("exit with r0 unset", unset, 1);
	load("r0 = 1; exit; r0 = 0; exit", unreachable, 4);
	load("r0 = 1; exit", allow, 2);
	return 0;
}
