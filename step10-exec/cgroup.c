/*
 * cgroup.c — the container's control group, on cgroup v2 and on v1.
 *
 * A cgroup is a directory in a cgroup filesystem; its files are the
 * controllers' knobs. The container gets /sys/fs/cgroup/stepbox/<id> on
 * v2 (one tree, every controller), or that path under each controller's
 * own tree on v1 (/sys/fs/cgroup/memory/stepbox/<id>, .../cpu/...).
 *
 *   knob           v2 (unified)                  v1 (per controller)
 *   memory         memory.max                    memory.limit_in_bytes
 *   memory + swap  memory.swap.max (swap only)   memory.memsw.limit_in_bytes
 *   cpu quota      cpu.max "QUOTA PERIOD"        cpu.cfs_quota_us, cpu.cfs_period_us
 *   cpu share      cpu.weight (1..10000)         cpu.shares (2..262144)
 *   processes      pids.max                      pids.max
 *   CPUs, nodes    cpuset.cpus, cpuset.mems      cpuset.cpus, cpuset.mems
 *   io share       io.bfq.weight (or io.weight)  blkio.weight (or blkio.bfq.weight)
 *   io ceilings    io.max "MAJ:MIN wbps=N ..."   blkio.throttle.{read,write}_{bps,iops}_device
 *   devices        an eBPF program (devices.c)   devices.deny, devices.allow
 *   packet class   (none: nftables, eBPF)        net_cls.classid
 *   huge pages     hugetlb.2MB.max               hugetlb.2MB.limit_in_bytes
 *   members        cgroup.procs                  cgroup.procs in each tree
 *
 * v2 has two rules v1 lacks: a controller works in a cgroup only if the
 * parent lists it in cgroup.subtree_control, and a cgroup that enables
 * controllers for its children may hold no process itself (the
 * "no internal process" rule). So processes live only in leaves.
 *
 * Brought by step07; called by main.c (setup_cgroup, and its removal at
 * exit); from step10 also by options.c and spec.c (the parsers of the
 * limits), exec.c and commands.c (a container's cgroup by its ID) and
 * oci.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "state.h"

#define CGROUP_ROOT   "/sys/fs/cgroup"
#define CGROUP_PARENT "stepbox"

/* The v1 hierarchies we join. cpuset, blkio, net_cls, hugetlb and
 * net_prio only when asked for: a new v1 cpuset cgroup has no CPUs until
 * someone fills cpuset.cpus, and joining it fails (ENOSPC); see
 * write_cpuset_v1. */
static const char *const v1_controllers[] = { "memory",	 "cpu",	    "cpuacct", "pids",
					      "freezer", "cpuset",  "blkio",   "devices",
					      "net_cls", "hugetlb", "net_prio" };
#define NV1 (sizeof(v1_controllers) / sizeof(v1_controllers[0]))

enum cgroup_layout cgroup_detect(void)
{
	struct statfs fs;

	if (statfs(CGROUP_ROOT, &fs) < 0)
		die_errno("statfs(\"%s\")", CGROUP_ROOT);
	if (fs.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_V2;
	if (statfs(CGROUP_ROOT "/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_HYBRID;
	return CGROUP_V1;
}

const char *cgroup_layout_name(enum cgroup_layout layout)
{
	return layout == CGROUP_V2	 ? "v2 (unified)"
	       : layout == CGROUP_HYBRID ? "hybrid (v1 controllers, empty cgroup2 at unified/)"
					 : "v1";
}

/* --- failing cleanly ------------------------------------------------- */

/* What the classic errors mean when a cgroup file refuses a write. */
static const char *knob_hint(int err, const char *file)
{
	/* the specific causes first: root gets these too */
	if (err == EACCES && strstr(file, "cpuset."))
		return "v1 cpuset: the values must lie within the parent's, and a parent "
		       "whose cpuset.cpus or cpuset.mems is empty allows nothing";
	if (err == EPERM && strstr(file, "devices."))
		return "v1 devices: a cgroup cannot allow a device its parent denies";
	if (err == EACCES || err == EPERM)
		return "this cgroup tree is not yours to change: run as root, or inside a "
		       "delegated "
		       "cgroup (systemd: Delegate=yes, e.g. systemd-run --scope -p Delegate=yes)";
	if (err == EBUSY && strstr(file, "subtree_control"))
		return "v2's no-internal-process rule: a cgroup that holds processes cannot enable "
		       "controllers for its children";
	if (err == EBUSY && strstr(file, "memory"))
		return "the new memory limit is below what the cgroup already uses";
	if (err == ENOENT)
		return "the controller is not enabled here: on v2 its name must be in the parent's "
		       "cgroup.subtree_control";
	if (err == EINVAL && strstr(file, "cpuset"))
		return "v1: cpuset.cpus and cpuset.mems must lie within the parent's; check "
		       "the parent's file and the CPUs and nodes online";
	if (err == EINVAL && strstr(file, "cpu.rt_"))
		return "v1 real-time: a cgroup's cpu.rt_runtime_us must fit in what its parent has "
		       "(a new parent has 0), and be at most its cpu.rt_period_us";
	if (err == EINVAL && strstr(file, "cpu"))
		return "cpu quota must be at least 1000us, the period 1000us to 1s";
	if (err == ENOSPC)
		return "v1 cpuset: the cgroup's cpuset.cpus or cpuset.mems is empty";
	if (err == EOPNOTSUPP && strstr(file, "weight"))
		return "a weight for one disk needs a weight policy on that disk: BFQ as the "
		       "disk's scheduler (io.bfq.weight), or on v2 io.cost enabled for it "
		       "(io.cost.qos); io.weight without io.cost takes only \"default N\"";
	if (err == ENODEV && (strstr(file, "io.") || strstr(file, "blkio.")))
		return "no such disk, or a partition: io limits apply to whole disks only";
	return NULL;
}

/* Set while cgroup_set_limits changes a container's existing cgroup: a
 * refused value then leaves it, and the processes in it, as they were. */
static bool updating;

/* Undo what cgroup_create made so far, then leave with the message. */
static void fail(struct cgroup *cg, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
static void fail(struct cgroup *cg, const char *hint, const char *fmt, ...)
{
	int err = errno;
	char message[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (!updating)
		cgroup_destroy(cg);
	errno = err;
	if (hint)
		die_errno_hint(hint, "%s", message);
	die_errno("%s", message);
}

/* DIR/FILE = VALUE. A failure names WHAT asked for it, when given: the
 * OCI field (linux.resources.cpu.period), so that a refusal says which. */
static void set_knob_for(struct cgroup *cg, const char *dir, const char *file, const char *value,
			 const char *what)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (write_file(path, value) < 0)
		fail(cg, knob_hint(errno, file), "%s%swrite %s \"%s\"", what ? what : "",
		     what ? ": " : "", path, value);
	trace("write %s \"%s\"", path, value);
}

static void set_knob(struct cgroup *cg, const char *dir, const char *file, const char *value)
{
	set_knob_for(cg, dir, file, value, NULL);
}

static void set_knob_u64(struct cgroup *cg, const char *dir, const char *file, uint64_t value)
{
	char text[32];

	snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
	set_knob(cg, dir, file, text);
}

/* A signed number (-1: no limit, as v1 takes it) for an OCI field. */
static void set_field(struct cgroup *cg, const char *dir, const char *file, int64_t value,
		      const char *what)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", (long long)value);
	set_knob_for(cg, dir, file, text, what);
}

/* An OCI field's file that only some kernels have: its absence, said
 * with WHY, refuses the field rather than skipping it. */
static void need_file(struct cgroup *cg, const char *dir, const char *file, const char *what,
		      const char *why)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (access(path, F_OK) < 0)
		fail(cg, why, "%s: %s", what, path);
}

/* mkdir that accepts an existing directory (the shared stepbox/ parent). */
static void make_dir(struct cgroup *cg, const char *path)
{
	if (mkdir(path, 0755) == 0)
		trace("mkdir %s = 0", path);
	else if (errno == EEXIST)
		trace("mkdir %s: exists (another container's)", path);
	else
		fail(cg, knob_hint(errno, path), "mkdir %s", path);
}

/* --- v2 --------------------------------------------------------------- */

static bool wants_memory(const struct cgroup_limits *l)
{
	const struct oci_limits *o = &l->oci;

	return l->memory || l->memory_swap || o->memory_reservation || o->memory_kernel ||
	       o->memory_kernel_tcp || o->has_swappiness || o->disable_oom_killer;
}

static bool wants_cpu(const struct cgroup_limits *l)
{
	const struct oci_limits *o = &l->oci;

	return l->millicpus || l->cpu_weight || o->cpu_shares || o->cpu_quota || o->cpu_period ||
	       o->has_cpu_burst || o->cpu_rt_runtime || o->cpu_rt_period || o->has_cpu_idle;
}

static bool wants_cpuset(const struct cgroup_limits *l)
{
	return l->cpuset_cpus || l->cpuset_mems;
}

static bool wants_io(const struct cgroup_limits *l)
{
	return l->io_weight || l->nio || l->oci.blkio_weight || l->oci.nweight_device;
}

/* The weight file of --io-weight: which exists depends on the disks' io
 * scheduler (BFQ names its own io.bfq.weight) and, on v2, on io.cost; with
 * neither, nothing here would honour a weight, and we say so. */
static const char *weight_file(struct cgroup *cg, const char *dir, const char *file,
			       const char *alias, const char *what)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (access(path, F_OK) == 0)
		return file;
	snprintf(path, sizeof(path), "%s/%s", dir, alias);
	if (access(path, F_OK) == 0)
		return alias;
	fail(cg,
	     "no io scheduler here takes a weight: use BFQ on the disk (echo bfq > "
	     "/sys/block/DEV/queue/scheduler), or on v2 the io.cost controller",
	     "%s: neither %s nor %s in %s", what, file, alias, dir);
}

/* Is NAME a word of the space-separated list LIST? */
static bool has_word(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = strstr(list, name); p; p = strstr(p + 1, name))
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/*
 * Write "+NAME" into DIR's cgroup.subtree_control (PATH) unless ENABLED
 * has it; NAME must be in AVAILABLE (DIR's cgroup.controllers). WHAT
 * asked for it, when that is an OCI field. Returns -1 when DIR is gone.
 */
static int enable_one(struct cgroup *cg, const char *dir, const char *path, const char *available,
		      const char *enabled, const char *name, const char *what)
{
	char plus[40];

	if (!has_word(available, name)) {
		errno = ENOENT;
		fail(cg, "the kernel or the host's init did not give this tree the controller",
		     "%s%scontroller %s is not available in %s (it has: %.*s)", what ? what : "",
		     what ? ": " : "", name, dir, (int)strcspn(available, "\n"), available);
	}
	if (has_word(enabled, name))
		return 0;
	snprintf(plus, sizeof(plus), "+%s", name);
	if (write_file(path, plus) < 0) {
		/* ENODEV: the file was there, its cgroup is being removed */
		if (errno == ENOENT || errno == ENODEV) {
			errno = ENOENT;
			return -1;
		}
		fail(cg, knob_hint(errno, path), "write %s \"%s\"", path, plus);
	}
	trace("write %s \"%s\"", path, plus);
	return 0;
}

/* The controllers of OCI's linux.resources.unified keys ("memory.high":
 * memory), each enabled as the limits' own are; "cgroup.*" is every
 * cgroup's. */
static int enable_unified(struct cgroup *cg, const char *dir, const char *path,
			  const char *available, const char *enabled, const struct oci_limits *o)
{
	for (size_t i = 0; i < o->nunified; i++) {
		char name[32], what[160];
		size_t len = strcspn(o->unified_key[i], ".");

		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		snprintf(name, sizeof(name), "%.*s", (int)len, o->unified_key[i]);
		if (strcmp(name, "cgroup") == 0)
			continue;
		snprintf(what, sizeof(what), "linux.resources.unified[\"%s\"]", o->unified_key[i]);
		if (enable_one(cg, dir, path, available, enabled, name, what) < 0)
			return -1;
	}
	return 0;
}

/*
 * Write "+memory", "+cpu", "+pids" into DIR's cgroup.subtree_control, so
 * that its children get those controllers' files: only those the limits
 * need, and only where they are not on already. A write there is refused
 * (EBUSY) in a cgroup that holds processes, as the root of a container's
 * own cgroup namespace does; asking for nothing lets us run there too.
 * Only what DIR itself has (cgroup.controllers) can be passed on; a
 * controller the limits need and the tree lacks is an error. Returns -1
 * when DIR is gone (another run removed the shared parent meanwhile).
 */
static int enable_controllers(struct cgroup *cg, const char *dir,
			      const struct cgroup_limits *limits)
{
	static const char *const names[] = { "memory", "cpu", "pids", "cpuset", "io", "hugetlb" };
	const bool needed[] = { wants_memory(limits), wants_cpu(limits), limits->pids != 0,
				wants_cpuset(limits), wants_io(limits),	 limits->nhugetlb != 0 };
	char path[PATH_MAX + 32], available[256], enabled[256];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (read_file(path, available, sizeof(available)) < 0) {
		/* ENODEV: the file was there, its cgroup is being removed */
		if (errno == ENOENT || errno == ENODEV) {
			errno = ENOENT;
			return -1;
		}
		fail(cg, NULL, "read %s", path);
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (read_file(path, enabled, sizeof(enabled)) < 0) {
		if (errno == ENOENT || errno == ENODEV) {
			errno = ENOENT;
			return -1;
		}
		fail(cg, NULL, "read %s", path);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (needed[i] && enable_one(cg, dir, path, available, enabled, names[i], NULL) < 0)
			return -1;
	return enable_unified(cg, dir, path, available, enabled, &limits->oci);
}

/*
 * Make BASE/PATH's parents, one at a time: on v2 each passes the
 * controllers on to its children. Returns -1 when one vanished meanwhile.
 */
static int make_parents(struct cgroup *cg, const char *base, const char *leaf,
			const struct cgroup_limits *limits)
{
	char dir[PATH_MAX];
	size_t at = strlen(base) + 1;
	const char *slash;

	while ((slash = strchr(leaf + at, '/'))) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - leaf), leaf);
		at = (size_t)(slash - leaf) + 1;
		make_dir(cg, dir);
		if (cg->layout == CGROUP_V2 && enable_controllers(cg, dir, limits) < 0)
			return -1;
	}
	return 0;
}

/*
 * Make BASE/PATH (stepbox/ID for our own runs; for an OCI client, its
 * linux.cgroupsPath) and its parents, and remember the leaf so that
 * cgroup_destroy removes it. Another container's cleanup may remove the
 * shared stepbox/ between our mkdirs (it removes it when it looks
 * empty): then the leaf's mkdir says ENOENT and we make the parents again.
 */
static const char *make_leaf(struct cgroup *cg, const char *base, const char *path,
			     const struct cgroup_limits *limits)
{
	char *leaf = cg->dirs[cg->ndirs];

	snprintf(leaf, PATH_MAX, "%s/%s", base, path);
	for (int tries = 1;; tries++) {
		if (make_parents(cg, base, leaf, limits) == 0 && mkdir(leaf, 0755) == 0)
			break;
		if (errno != ENOENT || tries == 100)
			fail(cg, knob_hint(errno, leaf), "mkdir %s", leaf);
		trace("a parent of %s vanished (another run removed it): again", leaf);
	}
	trace("mkdir %s = 0", leaf);
	cg->ndirs++;
	return leaf;
}

/* Is there FILE in DIR? (Swap accounting may be compiled out or off.) */
static bool has_file(const char *dir, const char *file)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* "2MB" of hugetlb.2MB.max: the kernel names a page size in the largest
 * of GB, MB and KB that is not more than it (mm/hugetlb_cgroup.c). */
static void page_size_name(char *name, size_t size, uint64_t page_size)
{
	unsigned shift = page_size >= 1ull << 30 ? 30 : page_size >= 1ull << 20 ? 20 : 10;

	snprintf(name, size, "%llu%s", (unsigned long long)(page_size >> shift),
		 shift == 30   ? "GB"
		 : shift == 20 ? "MB"
			       : "KB");
}

/*
 * hugetlb.SIZE.max (v2), .limit_in_bytes (v1) for each page size: a
 * fault past it kills with SIGBUS. Since Linux 5.7 the same limit in
 * hugetlb.SIZE.rsvd.* makes mmap itself fail instead (ENOMEM), as runc
 * writes both; an older kernel lacks the file.
 */
static void write_hugetlb(struct cgroup *cg, const char *dir, const struct cgroup_limits *l,
			  const char *knob)
{
	for (size_t i = 0; i < l->nhugetlb; i++) {
		char name[32], file[64];

		page_size_name(name, sizeof(name), l->hugetlb[i].page_size);
		snprintf(file, sizeof(file), "hugetlb.%s.%s", name, knob);
		set_knob_u64(cg, dir, file, l->hugetlb[i].limit);
		snprintf(file, sizeof(file), "hugetlb.%s.rsvd.%s", name, knob);
		if (has_file(dir, file))
			set_knob_u64(cg, dir, file, l->hugetlb[i].limit);
	}
}

/* io.max: one line a disk, "MAJ:MIN rbps=N wbps=N riops=N wiops=N",
 * naming only the limits given (the others stay "max"). */
static void write_io_max(struct cgroup *cg, const char *leaf, const struct io_limit *io)
{
	const uint64_t values[] = { io->rbps, io->wbps, io->riops, io->wiops };
	static const char *const keys[] = { "rbps", "wbps", "riops", "wiops" };
	char line[160];
	int len = snprintf(line, sizeof(line), "%u:%u", io->major, io->minor);

	for (size_t i = 0; i < 4; i++)
		if (values[i])
			len += snprintf(line + len, sizeof(line) - (size_t)len, " %s=%llu", keys[i],
					(unsigned long long)values[i]);
	set_knob(cg, leaf, "io.max", line);
}

/* v2 has no devices file: the default list and --device become an eBPF
 * program attached to the leaf (devices.c). */
static void write_devices_v2(struct cgroup *cg, const char *leaf, const struct cgroup_limits *l)
{
	struct device_rule rules[64];
	char log[4096];
	const char *call;
	size_t n = 0;
	int fd;

	for (size_t i = 0; i < devices_ndefault; i++)
		rules[n++] = devices_default[i];
	for (size_t i = 0; i < l->ndevices; i++)
		rules[n++] = l->devices[i];
	fd = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail(cg, NULL, "open %s", leaf);
	if (devices_attach_bpf(fd, rules, n, &call, log, sizeof(log)) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		if (err == EPERM && strcmp(call, "BPF_PROG_LOAD") == 0)
			fail(cg,
			     "loading eBPF takes CAP_SYS_ADMIN (or CAP_BPF) in the host's user "
			     "namespace, and before Linux 5.11 enough RLIMIT_MEMLOCK (ulimit -l)",
			     "bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE) for %s", leaf);
		if (err == EPERM)
			fail(cg,
			     "a cgroup above has a device program attached exclusively "
			     "(neither BPF_F_ALLOW_MULTI nor BPF_F_ALLOW_OVERRIDE), which "
			     "forbids programs below it",
			     "bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) on %s", leaf);
		fail(cg, log[0] ? log : NULL, "bpf(%s, BPF_CGROUP_DEVICE) for %s", call, leaf);
	}
	close(fd);
}

/*
 * v1's cpu.shares on v2's cpu.weight scale, as runc converts it
 * (ConvertCPUSharesToCgroupV2Value in opencontainers/cgroups utils.go):
 * with l = log2(shares), weight = 10^((l^2 + 125 l) / 612 - 7/34), which
 * maps 2 -> 1, 1024 -> 100, 262144 -> 10000.
 */
static uint64_t shares_to_weight(uint64_t shares)
{
	double l = log2((double)shares);

	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	return (uint64_t)ceil(pow(10, (l * l + 125 * l) / 612.0 - 7.0 / 34.0));
}

/* A blockIO weight (v1's 10..1000) for FILE: BFQ's io.bfq.weight takes it
 * as it is; io.weight (io.cost) counts 1..10000, reached by runc's line
 * (ConvertBlkIOToIOWeightValue): 1 + (w - 10) * 9999 / 990. */
static uint64_t io_weight_of(const char *file, uint64_t weight)
{
	return strcmp(file, "io.weight") == 0 ? 1 + (weight - 10) * 9999 / 990 : weight;
}

/* OCI's cpu fields on v2, as runc's fs2/cpu.go writes them: quota and
 * period are one cpu.max "QUOTA PERIOD" ("max": no quota; the period
 * 100000 unless given). */
static void write_oci_cpu_v2(struct cgroup *cg, const char *leaf, const struct oci_limits *o)
{
	if (o->has_cpu_idle)
		set_field(cg, leaf, "cpu.idle", o->cpu_idle, "linux.resources.cpu.idle");
	if (o->cpu_shares)
		set_field(cg, leaf, "cpu.weight", (int64_t)shares_to_weight(o->cpu_shares),
			  "linux.resources.cpu.shares");
	if (o->cpu_quota || o->cpu_period) {
		char max[64], quota[24] = "max";

		if (o->cpu_quota > 0)
			snprintf(quota, sizeof(quota), "%lld", (long long)o->cpu_quota);
		snprintf(max, sizeof(max), "%s %llu", quota,
			 (unsigned long long)(o->cpu_period ? o->cpu_period : 100000));
		set_knob_for(cg, leaf, "cpu.max", max,
			     o->cpu_quota ? "linux.resources.cpu.quota"
					  : "linux.resources.cpu.period");
	}
	if (o->has_cpu_burst) {
		need_file(cg, leaf, "cpu.max.burst", "linux.resources.cpu.burst",
			  "CPU burst came with Linux 5.14");
		set_field(cg, leaf, "cpu.max.burst", (int64_t)o->cpu_burst,
			  "linux.resources.cpu.burst");
	}
}

/* blockIO's weights on v2, in io.bfq.weight or io.weight (runc's
 * fs2/io.go; where runc skips a per-disk weight the kernel cannot take,
 * the write fails here, naming the field). */
static void write_oci_io_v2(struct cgroup *cg, const char *leaf, const struct oci_limits *o)
{
	const char *what = "linux.resources.blockIO.weightDevice";

	if (o->blkio_weight) {
		const char *file = weight_file(cg, leaf, "io.bfq.weight", "io.weight",
					       "linux.resources.blockIO.weight");

		set_field(cg, leaf, file, (int64_t)io_weight_of(file, o->blkio_weight),
			  "linux.resources.blockIO.weight");
	}
	for (size_t i = 0; i < o->nweight_device; i++) {
		const struct weight_device *w = &o->weight_device[i];
		const char *file = weight_file(cg, leaf, "io.bfq.weight", "io.weight", what);
		char line[64];

		snprintf(line, sizeof(line), "%u:%u %llu", w->major, w->minor,
			 (unsigned long long)io_weight_of(file, w->weight));
		set_knob_for(cg, leaf, file, line, what);
	}
}

/* linux.resources.unified: each value into its file as given, a line a
 * write (runc's WriteFileByLine: io.max takes one disk a line), after
 * every other field, so that it has the last word as in runc. */
static void write_unified(struct cgroup *cg, const char *leaf, const struct oci_limits *o)
{
	for (size_t i = 0; i < o->nunified; i++) {
		char what[160], value[4096];

		snprintf(what, sizeof(what), "linux.resources.unified[\"%s\"]", o->unified_key[i]);
		need_file(cg, leaf, o->unified_key[i], what,
			  "not a file of a cgroup v2 here: a key is CONTROLLER.PARAMETER, as in "
			  "the kernel's cgroup-v2.rst");
		snprintf(value, sizeof(value), "%s", o->unified_value[i]);
		for (char *line = strtok(value, "\n"); line; line = strtok(NULL, "\n"))
			set_knob_for(cg, leaf, o->unified_key[i], line, what);
	}
}

/* What OCI gives beyond the command line, on v2. swappiness,
 * disableOOMKiller, kernel memory and real-time were refused by spec.c:
 * v2 has no such files (runc's fs2 drops them unsaid). */
static void write_oci_v2(struct cgroup *cg, const char *leaf, const struct oci_limits *o)
{
	if (o->memory_reservation > 0)
		set_field(cg, leaf, "memory.low", o->memory_reservation,
			  "linux.resources.memory.reservation");
	else if (o->memory_reservation < 0)
		set_knob_for(cg, leaf, "memory.low", "max", "linux.resources.memory.reservation");
	write_oci_cpu_v2(cg, leaf, o);
	write_oci_io_v2(cg, leaf, o);
}

static void write_limits_v2(struct cgroup *cg, const char *leaf, const struct cgroup_limits *l)
{
	if (l->memory)
		set_knob_u64(cg, leaf, "memory.max", l->memory);
	/* Without --memory-swap, no swap at all (Kubernetes' choice): else
	 * a host with swap pages the container out instead of enforcing
	 * --memory, and the limit only slows it down. */
	if (l->memory && !l->memory_swap && has_file(leaf, "memory.swap.max"))
		set_knob(cg, leaf, "memory.swap.max", "0");
	if (l->memory_swap) {
		/* v2 limits swap on its own; --memory-swap is docker's
		 * memory+swap total, so the swap part is the difference. */
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/memory.swap.max", leaf);
		if (access(path, F_OK) < 0)
			fail(cg, "this kernel has no swap accounting (CONFIG_MEMCG_SWAP)",
			     "--memory-swap: %s", path);
		set_knob_u64(cg, leaf, "memory.swap.max", l->memory_swap - l->memory);
	}
	if (l->millicpus) {
		char max[48];

		/* QUOTA microseconds of CPU time in every PERIOD of 100ms:
		 * 0.5 CPU is "50000 100000". */
		snprintf(max, sizeof(max), "%llu 100000", (unsigned long long)l->millicpus * 100);
		set_knob(cg, leaf, "cpu.max", max);
	}
	if (l->cpu_weight)
		set_knob_u64(cg, leaf, "cpu.weight", l->cpu_weight);
	if (l->pids)
		set_knob_u64(cg, leaf, "pids.max", l->pids);
	/* v2 takes any CPUs here and uses those the parent also has
	 * (cpuset.cpus.effective); main.c checked they are online. */
	if (l->cpuset_cpus)
		set_knob(cg, leaf, "cpuset.cpus", l->cpuset_cpus);
	if (l->cpuset_mems)
		set_knob(cg, leaf, "cpuset.mems", l->cpuset_mems);
	if (l->io_weight)
		set_knob_u64(cg, leaf,
			     weight_file(cg, leaf, "io.bfq.weight", "io.weight", "--io-weight"),
			     l->io_weight);
	for (size_t i = 0; i < l->nio; i++)
		write_io_max(cg, leaf, &l->io[i]);
	write_hugetlb(cg, leaf, l, "max");
	write_oci_v2(cg, leaf, &l->oci);
	write_unified(cg, leaf, &l->oci);
}

static void create_v2(struct cgroup *cg, const char *id, const struct cgroup_limits *limits)
{
	const char *leaf;

	enable_controllers(cg, CGROUP_ROOT, limits);
	leaf = make_leaf(cg, CGROUP_ROOT, id, limits);
	write_limits_v2(cg, leaf, limits);
	write_devices_v2(cg, leaf, limits);
	/* For clone3(CLONE_INTO_CGROUP): the child is born in the leaf. */
	cg->fd = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->fd < 0)
		fail(cg, NULL, "open %s", leaf);
}

/* --- v1 --------------------------------------------------------------- */

/* The directory we made in the hierarchy that has CONTROLLER. */
static const char *v1_dir(const struct cgroup *cg, const char *controller)
{
	char suffix[64];

	snprintf(suffix, sizeof(suffix), CGROUP_ROOT "/%s/", controller);
	for (int i = 0; i < cg->ndirs; i++)
		if (strncmp(cg->dirs[i], suffix, strlen(suffix)) == 0)
			return cg->dirs[i];
	return NULL;
}

/*
 * v1 "shares" and v2 "weight" both split CPU time among busy siblings, on
 * different scales: shares 2..262144 with 1024 the default, weight
 * 1..10000 with 100 the default. We take the curve runc >= 1.4 and crun
 * >= 1.23 use (weight from shares, with l = log2(shares)):
 *   weight = 10^((l^2 + 125 l) / 612 - 7/34)
 * which maps 2 -> 1, 1024 -> 100, 262144 -> 10000, and invert it.
 */
static uint64_t weight_to_shares(uint64_t weight)
{
	double y = 612.0 * (log10((double)weight) + 7.0 / 34.0);
	double l = (-125.0 + sqrt(125.0 * 125.0 + 4.0 * y)) / 2.0;

	return (uint64_t)llround(pow(2.0, l));
}

/* DIR/FILE if it has a value, else copy it in from PARENT/FILE. */
static void fill_from_parent(struct cgroup *cg, const char *dir, const char *parent,
			     const char *file)
{
	char path[PATH_MAX + 32], value[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (read_file(path, value, sizeof(value)) < 0)
		fail(cg, NULL, "read %s", path);
	if (value[0] != '\n' && value[0] != '\0')
		return;
	snprintf(path, sizeof(path), "%s/%s", parent, file);
	if (read_file(path, value, sizeof(value)) < 0)
		fail(cg, NULL, "read %s", path);
	value[strcspn(value, "\n")] = '\0';
	set_knob(cg, dir, file, value);
}

/*
 * A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems,
 * and a process cannot join it (ENOSPC) until both are filled; a child's
 * must lie within its parent's. So each cgroup between the hierarchy's
 * root and the leaf is filled first, from its parent, top down (stepbox/,
 * or every level of an OCI client's linux.cgroupsPath, as runc's
 * cpusetEnsureParent does), then the leaf gets what was asked, or its
 * parent's.
 */
static void write_cpuset_v1(struct cgroup *cg, const char *leaf, const struct cgroup_limits *l)
{
	char dir[PATH_MAX], parent[PATH_MAX];
	/* the end of the hierarchy's own directory, /sys/fs/cgroup/cpuset */
	const char *slash = strchr(leaf + strlen(CGROUP_ROOT) + 1, '/');

	while (slash && (slash = strchr(slash + 1, '/'))) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - leaf), leaf);
		snprintf(parent, sizeof(parent), "%s", dir);
		*strrchr(parent, '/') = '\0';
		fill_from_parent(cg, dir, parent, "cpuset.cpus");
		fill_from_parent(cg, dir, parent, "cpuset.mems");
	}
	snprintf(parent, sizeof(parent), "%s", leaf);
	*strrchr(parent, '/') = '\0';
	if (l->cpuset_cpus)
		set_knob(cg, leaf, "cpuset.cpus", l->cpuset_cpus);
	else
		fill_from_parent(cg, leaf, parent, "cpuset.cpus");
	if (l->cpuset_mems)
		set_knob(cg, leaf, "cpuset.mems", l->cpuset_mems);
	else
		fill_from_parent(cg, leaf, parent, "cpuset.mems");
}

/* One "MAJ:MIN VALUE" line into each throttle file that has a limit. */
static void write_blkio_v1(struct cgroup *cg, const char *dir, const struct cgroup_limits *l)
{
	static const char *const files[] = {
		"blkio.throttle.read_bps_device",
		"blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device",
		"blkio.throttle.write_iops_device",
	};

	if (l->io_weight)
		set_knob_u64(
		    cg, dir,
		    weight_file(cg, dir, "blkio.weight", "blkio.bfq.weight", "--io-weight"),
		    l->io_weight);
	for (size_t i = 0; i < l->nio; i++) {
		const struct io_limit *io = &l->io[i];
		const uint64_t values[] = { io->rbps, io->wbps, io->riops, io->wiops };

		for (size_t j = 0; j < 4; j++) {
			char line[64];

			if (!values[j])
				continue;
			snprintf(line, sizeof(line), "%u:%u %llu", io->major, io->minor,
				 (unsigned long long)values[j]);
			set_knob(cg, dir, files[j], line);
		}
	}
}

/* Deny everything ("a": all types, all numbers), then allow the list. */
static void write_devices_v1(struct cgroup *cg, const char *dir, const struct cgroup_limits *l)
{
	char rule[64];

	set_knob(cg, dir, "devices.deny", "a");
	for (size_t i = 0; i < devices_ndefault; i++) {
		device_rule_text(&devices_default[i], rule, sizeof(rule));
		set_knob(cg, dir, "devices.allow", rule);
	}
	for (size_t i = 0; i < l->ndevices; i++) {
		device_rule_text(&l->devices[i], rule, sizeof(rule));
		set_knob(cg, dir, "devices.allow", rule);
	}
}

/*
 * memory.limit_in_bytes may never be above memory.memsw.limit_in_bytes
 * (EINVAL). A new cgroup starts with both unlimited, so memory is
 * lowered first; an update that raises memory above the old memory+swap
 * moves memory+swap first.
 */
static void write_memory_v1(struct cgroup *cg, const char *dir, const struct cgroup_limits *l)
{
	static const char memsw_file[] = "memory.memsw.limit_in_bytes";
	/* No swap unless --memory-swap: memory+swap is memory alone. */
	uint64_t memsw = l->memory_swap ? l->memory_swap : l->memory, now = UINT64_MAX;
	char path[PATH_MAX + 40], text[32];
	bool raise;

	snprintf(path, sizeof(path), "%s/%s", dir, memsw_file);
	if (l->memory_swap && access(path, F_OK) < 0)
		fail(cg, "boot with swapaccount=1 for v1 swap accounting", "--memory-swap: %s",
		     path);
	if (!has_file(dir, memsw_file))
		memsw = 0;
	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", dir);
	if (l->memory && read_file(path, text, sizeof(text)) > 0)
		now = strtoull(text, NULL, 10);
	raise = l->memory > now;
	if (memsw && raise)
		set_knob_u64(cg, dir, memsw_file, memsw);
	if (l->memory)
		set_knob_u64(cg, dir, "memory.limit_in_bytes", l->memory);
	if (memsw && !raise)
		set_knob_u64(cg, dir, memsw_file, memsw);
}

/*
 * memory.kmem.limit_in_bytes: deprecated since Linux 5.4, and newer
 * kernels take the write and keep no limit. Read back: a limit the
 * kernel dropped is refused, not claimed.
 */
static void write_kmem_v1(struct cgroup *cg, const char *dir, int64_t limit)
{
	const char *what = "linux.resources.memory.kernel";
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	char path[PATH_MAX + 64], value[32];

	need_file(cg, dir, "memory.kmem.limit_in_bytes", what,
		  "this kernel has no kernel memory accounting (CONFIG_MEMCG_KMEM)");
	set_field(cg, dir, "memory.kmem.limit_in_bytes", limit, what);
	if (limit < 0)
		return;
	snprintf(path, sizeof(path), "%s/memory.kmem.limit_in_bytes", dir);
	if (read_file(path, value, sizeof(value)) < 0)
		fail(cg, NULL, "read %s", path);
	if (strtoull(value, NULL, 10) != (uint64_t)limit / page * page) {
		errno = EOPNOTSUPP;
		fail(cg,
		     "kernel memory limits are deprecated since Linux 5.4: this kernel takes the "
		     "write and keeps no limit (runc ignores the field; leave it out)",
		     "%s: %lld written to %s, which reads %.*s", what, (long long)limit, path,
		     (int)strcspn(value, "\n"), value);
	}
}

static void write_oci_memory_v1(struct cgroup *cg, const char *dir, const struct oci_limits *o)
{
	if (o->memory_reservation)
		set_field(cg, dir, "memory.soft_limit_in_bytes", o->memory_reservation,
			  "linux.resources.memory.reservation");
	if (o->memory_kernel)
		write_kmem_v1(cg, dir, o->memory_kernel);
	if (o->memory_kernel_tcp)
		set_field(cg, dir, "memory.kmem.tcp.limit_in_bytes", o->memory_kernel_tcp,
			  "linux.resources.memory.kernelTCP");
	if (o->disable_oom_killer)
		set_knob_for(cg, dir, "memory.oom_control", "1",
			     "linux.resources.memory.disableOOMKiller");
	if (o->has_swappiness)
		set_field(cg, dir, "memory.swappiness", (int64_t)o->swappiness,
			  "linux.resources.memory.swappiness");
}

/* v1's cpu fields as given, in runc's order (fs/cpu.go): the period
 * before the quota, the real-time period before its runtime. */
static void write_oci_cpu_v1(struct cgroup *cg, const char *dir, const struct oci_limits *o)
{
	if (o->cpu_shares)
		set_field(cg, dir, "cpu.shares", (int64_t)o->cpu_shares,
			  "linux.resources.cpu.shares");
	if (o->cpu_period)
		set_field(cg, dir, "cpu.cfs_period_us", (int64_t)o->cpu_period,
			  "linux.resources.cpu.period");
	if (o->cpu_quota)
		set_field(cg, dir, "cpu.cfs_quota_us", o->cpu_quota, "linux.resources.cpu.quota");
	if (o->has_cpu_burst) {
		need_file(cg, dir, "cpu.cfs_burst_us", "linux.resources.cpu.burst",
			  "CPU burst came with Linux 5.14");
		set_field(cg, dir, "cpu.cfs_burst_us", (int64_t)o->cpu_burst,
			  "linux.resources.cpu.burst");
	}
	if (o->cpu_rt_period) {
		need_file(cg, dir, "cpu.rt_period_us", "linux.resources.cpu.realtimePeriod",
			  "real-time group scheduling needs CONFIG_RT_GROUP_SCHED");
		set_field(cg, dir, "cpu.rt_period_us", (int64_t)o->cpu_rt_period,
			  "linux.resources.cpu.realtimePeriod");
	}
	if (o->cpu_rt_runtime) {
		need_file(cg, dir, "cpu.rt_runtime_us", "linux.resources.cpu.realtimeRuntime",
			  "real-time group scheduling needs CONFIG_RT_GROUP_SCHED");
		set_field(cg, dir, "cpu.rt_runtime_us", o->cpu_rt_runtime,
			  "linux.resources.cpu.realtimeRuntime");
	}
	if (o->has_cpu_idle) {
		need_file(cg, dir, "cpu.idle", "linux.resources.cpu.idle",
			  "cpu.idle came with Linux 5.15");
		set_field(cg, dir, "cpu.idle", o->cpu_idle, "linux.resources.cpu.idle");
	}
}

/* blockIO's weights on v1: CFQ's blkio.weight[_device] or BFQ's
 * blkio.bfq.weight[_device], as runc's fs/blkio.go picks them. */
static void write_oci_blkio_v1(struct cgroup *cg, const char *dir, const struct oci_limits *o)
{
	const char *what = "linux.resources.blockIO.weightDevice";

	if (o->blkio_weight)
		set_field(cg, dir,
			  weight_file(cg, dir, "blkio.weight", "blkio.bfq.weight",
				      "linux.resources.blockIO.weight"),
			  (int64_t)o->blkio_weight, "linux.resources.blockIO.weight");
	for (size_t i = 0; i < o->nweight_device; i++) {
		char line[64];

		snprintf(line, sizeof(line), "%u:%u %llu", o->weight_device[i].major,
			 o->weight_device[i].minor, (unsigned long long)o->weight_device[i].weight);
		set_knob_for(
		    cg, dir,
		    weight_file(cg, dir, "blkio.weight_device", "blkio.bfq.weight_device", what),
		    line, what);
	}
}

/*
 * OCI's network.priorities: "IFNAME PRIO" lines in net_prio.ifpriomap,
 * one write each (the kernel parses one a write). The kernel looks the
 * name up in the host's network namespace, never the container's
 * (netprio_cgroup.c: dev_get_by_name(&init_net, ...)): a container with
 * a network of its own sends nothing through those devices itself, so
 * this counts only for one that shares the host's. net_prio is usually
 * co-mounted with net_cls: the file is looked for in every directory we
 * joined.
 */
static void write_net_prio(struct cgroup *cg, const struct cgroup_limits *l)
{
	char path[PATH_MAX], line[64];
	int i;

	if (l->oci.nnet_prio == 0)
		return;
	for (i = 0; i < cg->ndirs; i++) {
		int n = snprintf(path, sizeof(path), "%s/net_prio.ifpriomap", cg->dirs[i]);

		if (n < (int)sizeof(path) && access(path, F_OK) == 0)
			break;
	}
	if (i == cg->ndirs) {
		errno = ENOENT;
		fail(cg, NULL,
		     "linux.resources.network.priorities: no net_prio.ifpriomap in the "
		     "container's cgroups");
	}
	for (size_t j = 0; j < l->oci.nnet_prio; j++) {
		snprintf(line, sizeof(line), "%s %u", l->oci.net_prio[j].name,
			 (unsigned)l->oci.net_prio[j].priority);
		if (write_file(path, line) < 0)
			fail(cg,
			     errno == ENODEV ? "the name is looked up among the host's interfaces, "
					       "not the container's"
					     : NULL,
			     "linux.resources.network.priorities[%zu]: write %s \"%s\"", j, path,
			     line);
		trace("write %s \"%s\"", path, line);
	}
}

static void write_limits_v1(struct cgroup *cg, const struct cgroup_limits *l)
{
	const char *memory = v1_dir(cg, "memory"), *cpu = v1_dir(cg, "cpu");
	const char *pids = v1_dir(cg, "pids");

	if (wants_memory(l))
		write_memory_v1(cg, memory, l);
	if (l->millicpus) {
		set_knob_u64(cg, cpu, "cpu.cfs_period_us", 100000);
		set_knob_u64(cg, cpu, "cpu.cfs_quota_us", l->millicpus * 100);
	}
	if (l->cpu_weight)
		set_knob_u64(cg, cpu, "cpu.shares", weight_to_shares(l->cpu_weight));
	if (l->pids)
		set_knob_u64(cg, pids, "pids.max", l->pids);
	if (wants_cpuset(l))
		write_cpuset_v1(cg, v1_dir(cg, "cpuset"), l);
	if (wants_io(l))
		write_blkio_v1(cg, v1_dir(cg, "blkio"), l);
	write_oci_memory_v1(cg, memory, &l->oci);
	write_oci_cpu_v1(cg, cpu, &l->oci);
	if (wants_io(l))
		write_oci_blkio_v1(cg, v1_dir(cg, "blkio"), &l->oci);
	/* Packets the container's sockets send carry this class id, for tc
	 * (and iptables' -m cgroup) to match. */
	if (l->net_classid)
		set_knob_u64(cg, v1_dir(cg, "net_cls"), "net_cls.classid", l->net_classid);
	if (l->nhugetlb)
		write_hugetlb(cg, v1_dir(cg, "hugetlb"), l, "limit_in_bytes");
	write_net_prio(cg, l);
}

/* Is a v1 hierarchy mounted at BASE (/sys/fs/cgroup/NAME)? Its st_dev
 * in *ST. A co-mounted one (net_cls,net_prio) is reached by its link. */
bool v1_mounted(const char *base, struct stat *st)
{
	struct statfs fs;

	return statfs(base, &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC && stat(base, st) == 0;
}

static void create_v1(struct cgroup *cg, const char *id, const struct cgroup_limits *limits)
{
	const bool needed[NV1] = { wants_memory(limits),
				   wants_cpu(limits),
				   false,
				   limits->pids != 0,
				   false,
				   wants_cpuset(limits),
				   wants_io(limits),
				   true,
				   limits->net_classid != 0,
				   limits->nhugetlb != 0,
				   limits->oci.nnet_prio != 0 };
	/* cpuset, blkio, net_cls, hugetlb, net_prio are joined only when a
	 * limit needs them */
	const bool only_when_needed[NV1] = { false, false, false, false, false, true,
					     true,  false, true,  true,	 true };
	dev_t seen[NV1] = { 0 };
	int nseen = 0;

	/* Every hierarchy a limit needs, before any directory is made. */
	for (size_t i = 0; i < NV1; i++) {
		char base[PATH_MAX];
		struct stat st;

		snprintf(base, sizeof(base), CGROUP_ROOT "/%s", v1_controllers[i]);
		if (needed[i] && !v1_mounted(base, &st)) {
			errno = ENOENT;
			fail(cg, "mount it: mount -t cgroup -o NAME cgroup /sys/fs/cgroup/NAME",
			     "cgroup v1 controller %s is not mounted at %s", v1_controllers[i],
			     base);
		}
	}
	for (size_t i = 0; i < NV1; i++) {
		char base[PATH_MAX];
		struct stat st;
		bool dup = false;

		if (!needed[i] && only_when_needed[i])
			continue;
		snprintf(base, sizeof(base), CGROUP_ROOT "/%s", v1_controllers[i]);
		if (!v1_mounted(base, &st))
			continue;
		/* Co-mounted controllers (cpu,cpuacct) share one tree. */
		for (int j = 0; j < nseen; j++)
			dup = dup || seen[j] == st.st_dev;
		if (dup)
			continue;
		seen[nseen++] = st.st_dev;
		make_leaf(cg, base, id, limits);
	}
	write_limits_v1(cg, limits);
	write_devices_v1(cg, v1_dir(cg, "devices"), limits);
}

/* --- the public part -------------------------------------------------- */

struct io_limit *cgroup_io_slot(struct cgroup_limits *l, unsigned major, unsigned minor)
{
	for (size_t i = 0; i < l->nio; i++)
		if (l->io[i].major == major && l->io[i].minor == minor)
			return &l->io[i];
	if (l->nio == CGROUP_MAX_IO)
		return NULL;
	l->io[l->nio] = (struct io_limit){ .major = major, .minor = minor };
	return &l->io[l->nio++];
}

/* The block layer throttles and weighs requests to disks, not to
 * partitions: the kernel refuses a partition's numbers (ENODEV). */
const char *cgroup_io_disk_problem(unsigned major, unsigned minor)
{
	char sys[64];

	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major, minor);
	if (access(sys, F_OK) < 0)
		return "not a disk this kernel has (no /sys/dev/block entry)";
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", major, minor);
	if (access(sys, F_OK) == 0)
		return "a partition: io limits apply to a whole disk";
	return NULL;
}

/*
 * What cannot work here is refused before anything is made: v2 has no
 * net_cls (a packet's cgroup is matched where it is filtered instead),
 * and a huge page size the kernel lacks has no hugetlb file.
 */
static void check_request(const struct cgroup *cg, const struct cgroup_limits *l)
{
	if (l->net_classid && cg->layout == CGROUP_V2)
		die("--net-classid: cgroup v2 has no net_cls controller; on v2 the same is done "
		    "by matching the socket's cgroup: nftables 'socket cgroupv2', or eBPF");
	if (l->oci.nnet_prio && cg->layout == CGROUP_V2)
		die("linux.resources.network.priorities: cgroup v2 has no net_prio controller; "
		    "on v2 a packet's priority is set where it is filtered (nftables 'meta "
		    "priority set' matching 'socket cgroupv2'), or by eBPF");
	for (size_t i = 0; i < l->nhugetlb; i++) {
		char path[96], name[32];

		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB",
			 (unsigned long long)(l->hugetlb[i].page_size >> 10));
		page_size_name(name, sizeof(name), l->hugetlb[i].page_size);
		if (access(path, F_OK) < 0)
			die_errno("--hugetlb: this kernel has no %s huge pages: %s", name, path);
	}
}

void cgroup_create(struct cgroup *cg, const char *id, const struct cgroup_limits *limits)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CGROUP_PARENT "/%s", id);
	cgroup_create_path(cg, path, limits);
}

void cgroup_create_path(struct cgroup *cg, const char *id, const struct cgroup_limits *limits)
{
	memset(cg, 0, sizeof(*cg));
	cg->fd = -1;
	cg->layout = cgroup_detect();
	trace("statfs(\"" CGROUP_ROOT "\"): cgroup %s", cgroup_layout_name(cg->layout));
	check_request(cg, limits);
	if (cg->layout == CGROUP_V2)
		create_v2(cg, id, limits);
	else
		create_v1(cg, id, limits);
}

/* Pass the controllers LIMITS need down to LEAF: every cgroup above it
 * enables them for its children, as create did for its own limits. */
static void enable_down_to(struct cgroup *cg, const char *leaf, const struct cgroup_limits *l)
{
	const char *slash = leaf + strlen(CGROUP_ROOT);
	char dir[PATH_MAX];

	do {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - leaf), leaf);
		if (enable_controllers(cg, dir, l) < 0)
			fail(cg, NULL, "%s: removed meanwhile", dir);
	} while ((slash = strchr(slash + 1, '/')));
}

/* On v1, a limit is written in its controller's hierarchy: one the
 * container's cgroup was not made in (cpuset, blkio, net_cls and hugetlb
 * only when create asked for a limit of theirs) cannot take it now. */
static void check_joined_v1(struct cgroup *cg, const struct cgroup_limits *l)
{
	static const char *const names[] = { "memory", "cpu",	  "pids",   "cpuset",
					     "blkio",  "net_cls", "hugetlb" };
	const bool needed[] = { wants_memory(l), wants_cpu(l), l->pids != 0,
				wants_cpuset(l), wants_io(l),  l->net_classid != 0,
				l->nhugetlb != 0 };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (needed[i] && !v1_dir(cg, names[i])) {
			errno = ENOENT;
			fail(cg,
			     "v1 joins cpuset, blkio, net_cls and hugetlb only for a limit given "
			     "when the container is made; its processes are not moved later",
			     "the container's cgroup has no %s hierarchy (it is in %s)", names[i],
			     cg->ndirs ? cg->dirs[0] : "none");
		}
}

void cgroup_set_limits(struct cgroup *cg, const struct cgroup_limits *limits)
{
	if (cg->ndirs == 0)
		die("the container has no cgroup to change");
	check_request(cg, limits);
	updating = true;
	if (cg->layout == CGROUP_V2) {
		enable_down_to(cg, cg->dirs[0], limits);
		write_limits_v2(cg, cg->dirs[0], limits);
	} else {
		check_joined_v1(cg, limits);
		write_limits_v1(cg, limits);
	}
	updating = false;
}

void cgroup_enter(struct cgroup *cg, pid_t pid)
{
	for (int i = 0; i < cg->ndirs; i++) {
		char text[16];

		snprintf(text, sizeof(text), "%d", (int)pid);
		set_knob(cg, cg->dirs[i], "cgroup.procs", text);
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* Signal every process listed in DIR/cgroup.procs: the whole list, each
 * line a whole pid (never a number cut short by a buffer). */
static int signal_members(const char *dir, int sig)
{
	char path[PATH_MAX + 32], *text;
	pid_t *pids;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	text = read_file_alloc(path, NULL);
	if (!text)
		return -1;
	n = parse_pid_list(text, &pids);
	free(text);
	if (n < 0) {
		warn_errno("%s: not a list of pids; killing nothing", path);
		return -1;
	}
	for (ssize_t i = 0; i < n; i++)
		if (kill(pids[i], sig) == 0)
			trace("kill(%d, SIG%s) (in %s)", (int)pids[i], sigabbrev_np(sig), dir);
		else if (errno != ESRCH)
			warn_errno("kill(%d, SIG%s) (in %s)", (int)pids[i], sigabbrev_np(sig), dir);
	free(pids);
	return 0;
}

int cgroup_signal(const struct cgroup *cg, int sig)
{
	return cg->ndirs ? signal_members(cg->dirs[0], sig) : 0;
}

/*
 * Freeze (or thaw) the cgroup: a frozen process runs no instruction, so it
 * cannot fork while we kill, and its pid cannot be freed and reused by
 * another process between our reading it and our kill. v1 has the freezer
 * controller's freezer.state; v2 has cgroup.freeze in every cgroup, and
 * cgroup.events says "frozen 1" once every member is stopped. Returns
 * whether the cgroup is (un)frozen as asked.
 */
static bool freeze(const struct cgroup *cg, bool on)
{
	const char *dir = cg->layout == CGROUP_V2 ? cg->dirs[0] : v1_dir(cg, "freezer");
	const char *file = cg->layout == CGROUP_V2 ? "cgroup.freeze" : "freezer.state";
	const char *value = cg->layout == CGROUP_V2 ? (on ? "1" : "0") : on ? "FROZEN" : "THAWED";
	char path[PATH_MAX + 32], state[256];

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (write_file(path, value) < 0)
		return false;
	trace("write %s \"%s\"", path, value);
	if (cg->layout == CGROUP_V2)
		snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	for (int tries = 0; tries < 1000; tries++) {
		if (read_file(path, state, sizeof(state)) < 0)
			return false;
		if (cg->layout == CGROUP_V2 ? (strstr(state, "frozen 1") != NULL) == on
					    : strncmp(state, value, strlen(value)) == 0)
			return true;
		sleep_ms(1);
	}
	return false;
}

/*
 * pause and resume (step10) are the same freeze, asked for by the user:
 * the container stops where it is, and no process can leave while it is
 * stopped, which docker's pause relies on.
 */
int cgroup_freeze(const struct cgroup *cg, bool on)
{
	if (cg->ndirs == 0 || (cg->layout != CGROUP_V2 && !v1_dir(cg, "freezer"))) {
		errno = ENOENT;
		return -1;
	}
	errno = 0;
	if (!freeze(cg, on)) {
		if (errno == 0)
			errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}

bool cgroup_is_frozen(const struct cgroup *cg)
{
	const char *dir =
	    cg->layout == CGROUP_V2 ? (cg->ndirs ? cg->dirs[0] : NULL) : v1_dir(cg, "freezer");
	char path[PATH_MAX + 32], state[256];

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir,
		 cg->layout == CGROUP_V2 ? "cgroup.freeze" : "freezer.state");
	if (read_file(path, state, sizeof(state)) < 0)
		return false;
	return cg->layout == CGROUP_V2 ? state[0] == '1' : strncmp(state, "THAWED", 6) != 0;
}

/*
 * Kill whatever is in the cgroup. v2 (5.14+) has cgroup.kill, which does
 * it in the kernel, forks included. Otherwise, as runc's
 * signalAllProcesses does: freeze, SIGKILL each member, thaw (a frozen
 * process dies of SIGKILL only once it runs again).
 */
static void kill_all(const struct cgroup *cg)
{
	char path[PATH_MAX + 16];
	bool frozen;

	if (cg->ndirs == 0)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.kill", cg->dirs[0]);
	if (cg->layout == CGROUP_V2 && access(path, F_OK) == 0 && write_file(path, "1") == 0) {
		trace("write %s \"1\"", path);
		return;
	}
	frozen = freeze(cg, true);
	for (int i = 0; i < cg->ndirs; i++)
		(void)signal_members(cg->dirs[i], SIGKILL);
	if (frozen)
		freeze(cg, false);
}

/*
 * rmdir DIR. The kernel refuses (EBUSY) while a process is in it, so a
 * cgroup that rmdir removes had no one left to kill: the common case,
 * since the kernel has killed the PID namespace with its PID 1. Only
 * EBUSY sends kill_all, again every half second in case something joined
 * meanwhile; EBUSY can also last a moment after the last task has gone.
 */
static int remove_dir(const struct cgroup *cg, const char *dir)
{
	for (int tries = 0; tries < 300; tries++) {
		if (rmdir(dir) == 0) {
			trace("rmdir %s = 0", dir);
			return 0;
		}
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		if (tries % 50 == 0)
			kill_all(cg);
		sleep_ms(10);
	}
	warn_errno("rmdir %s", dir);
	return -1;
}

/* rmdir BASE/stepbox (or OCI's stepbox-oci) if no other container uses
 * it. A parent an OCI client named is the client's, whatever its name: a
 * Kubernetes pod's cgroup (/stepbox-pod-1 say) is the kubelet's. */
static void remove_parent(const char *leaf)
{
	char parent[PATH_MAX];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", leaf);
	slash = strrchr(parent, '/');
	if (!slash)
		return;
	*slash = '\0';
	slash = strrchr(parent, '/');
	if (!slash ||
	    (strcmp(slash + 1, CGROUP_PARENT) != 0 && strcmp(slash + 1, CGROUP_PARENT "-oci") != 0))
		return;
	if (rmdir(parent) == 0)
		trace("rmdir %s = 0", parent);
	else if (errno != EBUSY && errno != ENOTEMPTY && errno != ENOENT)
		warn_errno("rmdir %s", parent);
}

/*
 * Remove the cgroup. Normally it is empty already: when the container's
 * PID 1 exits the kernel kills the rest of its PID namespace, so there is
 * nothing to freeze or kill, and runc's destroy() does not either (unless
 * the PID namespace is shared). What is left (a process that joined from
 * outside, the members of a run killed with -9) makes rmdir say EBUSY,
 * and remove_dir kills it then.
 */
int cgroup_destroy(struct cgroup *cg)
{
	int status = 0;

	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
	for (int i = cg->ndirs - 1; i >= 0; i--) {
		if (remove_dir(cg, cg->dirs[i]) < 0)
			status = -1;
		else
			remove_parent(cg->dirs[i]);
	}
	cg->ndirs = 0;
	return status;
}

/* The hierarchies to look in: the v2 root, or each v1 controller's. */
static int hierarchies(char bases[][64], enum cgroup_layout layout)
{
	int n = 0;

	if (layout == CGROUP_V2) {
		snprintf(bases[n++], 64, CGROUP_ROOT);
		return n;
	}
	for (size_t i = 0; i < NV1; i++)
		snprintf(bases[n++], 64, CGROUP_ROOT "/%s", v1_controllers[i]);
	return n;
}

/* The cgroup of container ID as it exists now, in every hierarchy. */
void cgroup_find(struct cgroup *cg, const char *id)
{
	char bases[NV1][64];
	dev_t seen[NV1] = { 0 };
	int n;

	memset(cg, 0, sizeof(*cg));
	cg->fd = -1;
	cg->layout = cgroup_detect();
	n = hierarchies(bases, cg->layout);
	for (int i = 0; i < n && cg->ndirs < CGROUP_MAX_DIRS; i++) {
		char *dir = cg->dirs[cg->ndirs];
		bool dup = false;
		struct stat st;

		snprintf(dir, PATH_MAX, "%s/" CGROUP_PARENT "/%s", bases[i], id);
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		/* Co-mounted controllers (cpu,cpuacct) show one tree twice. */
		for (int j = 0; j < cg->ndirs; j++)
			dup = dup || seen[j] == st.st_dev;
		if (!dup)
			seen[cg->ndirs++] = st.st_dev;
	}
}

/*
 * Remove every stepbox/<id> cgroup whose lock nobody holds (state.c):
 * its runtime is gone, whatever its pid or name was. A cgroup is made
 * after its state directory and removed before it, so a cgroup whose
 * lock is free, or that has no state at all, is a leftover.
 */
void cgroup_remove_stale(bool report)
{
	char bases[NV1][64];
	int n = hierarchies(bases, cgroup_detect());

	for (int i = 0; i < n; i++) {
		char parent[PATH_MAX];
		struct dirent *entry;
		DIR *dir;

		snprintf(parent, sizeof(parent), "%s/" CGROUP_PARENT, bases[i]);
		dir = opendir(parent);
		if (!dir)
			continue;
		while ((entry = readdir(dir))) {
			struct cgroup cg;

			if (entry->d_type != DT_DIR || entry->d_name[0] == '.' ||
			    state_in_use(entry->d_name))
				continue;
			cgroup_find(&cg, entry->d_name);
			if (report)
				for (int j = 0; j < cg.ndirs; j++)
					printf("removing stale cgroup %s\n", cg.dirs[j]);
			cgroup_destroy(&cg);
		}
		closedir(dir);
		if (rmdir(parent) == 0)
			trace("rmdir %s = 0", parent);
	}
}
