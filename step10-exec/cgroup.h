/*
 * cgroup.h — the container's control group on cgroup v2 or v1 (cgroup.c).
 */
#ifndef STEPBOX_CGROUP_H
#define STEPBOX_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "devices.h"

enum cgroup_layout {
	CGROUP_V1,     /* one hierarchy per controller under /sys/fs/cgroup/<name> */
	CGROUP_HYBRID, /* v1 controllers, plus an empty cgroup2 at .../unified */
	CGROUP_V2,     /* one unified hierarchy at /sys/fs/cgroup */
};

#define CGROUP_MAX_IO	   8
#define CGROUP_MAX_DEVICES 16
#define CGROUP_MAX_HUGETLB 4

/* --device-{read,write}-{bps,iops} for one block device; 0: no limit. */
struct io_limit {
	unsigned major, minor;
	uint64_t rbps, wbps;   /* bytes a second */
	uint64_t riops, wiops; /* operations a second */
};

/* --hugetlb SIZE:LIMIT for one huge page size. */
struct hugetlb_limit {
	uint64_t page_size; /* bytes: 2M, 1G, ... as the kernel offers them */
	uint64_t limit;	    /* bytes of such pages, a multiple of page_size */
};

/* --blkio-weight-device's kin, from OCI: one disk's weight. */
struct weight_device {
	unsigned major, minor;
	uint64_t weight; /* v1's scale, 10..1000 */
};

#define CGROUP_MAX_UNIFIED	 32
#define CGROUP_MAX_NET_PRIO	 8
#define CGROUP_NET_PRIO_NAME_MAX 16 /* IFNAMSIZ */

/* network.priorities' kin: a host interface and the priority (skb
 * priority, for the qdisc) the container's packets get on it. */
struct net_priority {
	char name[CGROUP_NET_PRIO_NAME_MAX];
	uint32_t priority;
};

/*
 * What an OCI config's linux.resources has and the command line does not
 * (spec.c fills it; the native options never do), each written as given:
 * v1's numbers to v1's files, converted for v2 as runc converts them.
 * 0 (false) means "not given".
 */
struct oci_limits {
	int64_t memory_reservation; /* v1 memory.soft_limit_in_bytes, v2 memory.low; -1: max */
	int64_t memory_kernel_tcp;  /* v1 memory.kmem.tcp.limit_in_bytes; -1: max */
	int64_t memory_kernel;	    /* v1 memory.kmem.limit_in_bytes, checked to hold */
	bool has_swappiness;
	uint64_t swappiness;	  /* v1 memory.swappiness, 0..100 */
	bool disable_oom_killer;  /* v1 memory.oom_control 1 */
	bool check_before_update; /* update: refuse a limit below the usage */
	uint64_t cpu_shares;	  /* v1 cpu.shares; v2 cpu.weight by runc's curve */
	int64_t cpu_quota;	  /* v1 cpu.cfs_quota_us, v2 cpu.max; -1: max */
	uint64_t cpu_period;	  /* v1 cpu.cfs_period_us, v2 cpu.max */
	bool has_cpu_burst;
	uint64_t cpu_burst;	/* v1 cpu.cfs_burst_us, v2 cpu.max.burst */
	int64_t cpu_rt_runtime; /* v1 cpu.rt_runtime_us; -1: max */
	uint64_t cpu_rt_period; /* v1 cpu.rt_period_us */
	bool has_cpu_idle;
	int64_t cpu_idle;      /* cpu.idle: 0, or 1 (SCHED_IDLE) */
	uint64_t blkio_weight; /* v1 blkio.weight, 10..1000; v2 io.bfq.weight or io.weight */
	struct weight_device weight_device[CGROUP_MAX_IO];
	size_t nweight_device;
	/* v2 only: file name, value (lines), written into the leaf as given */
	const char *unified_key[CGROUP_MAX_UNIFIED], *unified_value[CGROUP_MAX_UNIFIED];
	size_t nunified;
	/* v1 only: net_prio.ifpriomap, a line each */
	struct net_priority net_prio[CGROUP_MAX_NET_PRIO];
	size_t nnet_prio;
};

/* What the user asked for; 0 means "no limit given". */
struct cgroup_limits {
	uint64_t memory;	 /* --memory, bytes */
	uint64_t memory_swap;	 /* --memory-swap: memory plus swap, bytes */
	uint64_t millicpus;	 /* --cpus, thousandths of a CPU */
	uint64_t cpu_weight;	 /* --cpu-weight, 1..10000 (v2's scale) */
	uint64_t pids;		 /* --pids */
	const char *cpuset_cpus; /* --cpuset-cpus "0-3,5", or NULL */
	const char *cpuset_mems; /* --cpuset-mems, memory nodes, or NULL */
	uint64_t io_weight;	 /* --io-weight, 1..1000 */
	struct io_limit io[CGROUP_MAX_IO];
	size_t nio;
	/* --device: allowed besides devices_default (devices.h) */
	struct device_rule devices[CGROUP_MAX_DEVICES];
	size_t ndevices;
	uint32_t net_classid; /* --net-classid: v1 net_cls.classid, tc's MAJ:MIN */
	struct hugetlb_limit hugetlb[CGROUP_MAX_HUGETLB];
	size_t nhugetlb;
	struct oci_limits oci;
};

#define CGROUP_MAX_DIRS 10

struct cgroup {
	enum cgroup_layout layout;
	char dirs[CGROUP_MAX_DIRS][PATH_MAX]; /* v2: one; v1: one per hierarchy */
	int ndirs;
	int fd; /* v2: the directory, for clone3(CLONE_INTO_CGROUP); else -1 */
};

enum cgroup_layout cgroup_detect(void);
const char *cgroup_layout_name(enum cgroup_layout layout);
/* Create stepbox/ID in every hierarchy we use and write the limits. On
 * failure, remove what was made and leave with a message (exit 125). */
void cgroup_create(struct cgroup *cg, const char *id, const struct cgroup_limits *limits);
/* Move PID into the cgroup (when clone3 could not start it there). On
 * failure, remove the cgroup (killing what is in it) and leave (125). */
/* The same at PATH below each hierarchy's root ("a/b/leaf"), parents
 * made as needed: an OCI config's linux.cgroupsPath. */
void cgroup_create_path(struct cgroup *cg, const char *path, const struct cgroup_limits *limits);
void cgroup_enter(struct cgroup *cg, pid_t pid);
/* Kill whatever is left in it (cgroup.kill, or freeze, kill, thaw), wait
 * until it is empty, remove it. */
int cgroup_destroy(struct cgroup *cg);
/* The cgroup of container ID as it exists now, in every hierarchy (none
 * found: ndirs 0). */
void cgroup_find(struct cgroup *cg, const char *id);
/* Freeze (ON) or thaw every process in it: pause, resume. 0, or -1 with
 * errno (ENOENT: no freezer; ETIMEDOUT: it did not settle). */
int cgroup_freeze(const struct cgroup *cg, bool on);
/* Send SIG to every process in it (OCI kill --all; a paused one gets it
 * once it is thawed). 0, or -1 with errno: its cgroup.procs unreadable. */
int cgroup_signal(const struct cgroup *cg, int sig);
/* Has pause frozen it (or is it freezing)? */
bool cgroup_is_frozen(const struct cgroup *cg);
/* Write the limits given in LIMITS (0: unchanged) into the existing
 * cgroup CG, as runc's update does; devices stay as they are. A refused
 * value leaves with the reason (exit 125), the cgroup still there. */
void cgroup_set_limits(struct cgroup *cg, const struct cgroup_limits *limits);
/* Remove stepbox cgroups whose container's lock nobody holds (its runtime
 * was killed with -9); list them on stdout when REPORT. */
void cgroup_remove_stale(bool report);

/* The --device-*-bps/iops entry of disk MAJOR:MINOR in L, made if need
 * be; NULL when L has CGROUP_MAX_IO disks already. */
struct io_limit *cgroup_io_slot(struct cgroup_limits *l, unsigned major, unsigned minor);
/* Why MAJOR:MINOR cannot take io limits, to follow "DISK is " (not a
 * disk here, or a partition), or NULL when it can. */
const char *cgroup_io_disk_problem(unsigned major, unsigned minor);

/* Is a v1 hierarchy mounted at BASE (/sys/fs/cgroup/NAME)? Its st_dev
 * in *ST. */
struct stat;
bool v1_mounted(const char *base, struct stat *st);

#endif
