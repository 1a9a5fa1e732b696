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
void cgroup_enter(struct cgroup *cg, pid_t pid);
/* Kill whatever is left in it (cgroup.kill, or freeze, kill, thaw), wait
 * until it is empty, remove it. */
int cgroup_destroy(struct cgroup *cg);
/* Write the limits given in LIMITS (0: unchanged) into the existing
 * cgroup CG, as runc's update does; devices stay as they are. A refused
 * value leaves with the reason (exit 125), the cgroup still there. */
void cgroup_set_limits(struct cgroup *cg, const struct cgroup_limits *limits);
/* Remove stepbox cgroups whose container's lock nobody holds (its runtime
 * was killed with -9); list them on stdout when REPORT. */
void cgroup_remove_stale(bool report);

/* Is a v1 hierarchy mounted at BASE (/sys/fs/cgroup/NAME)? Its st_dev
 * in *ST. */
struct stat;
bool v1_mounted(const char *base, struct stat *st);

#endif
