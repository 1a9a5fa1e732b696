/*
 * options.c — the command line: each option is checked and becomes a
 * field of struct container before anything exists, so that bad input
 * is one line, a pointer to --help and exit 125, with nothing to undo.
 *
 * Brought by step01; each step adds its options here, and main.c calls
 * parse_args first thing. From step04 mounts.c names propagations in its
 * traces with propagation_name.
 *
 *   ./step01-uts/run --help; ./step01-uts/run --hostname ''   # 125, one line
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "options.h"

static char *default_command[] = { "/bin/sh", NULL };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTIONS] [--] [COMMAND [ARG...]]\n"
		"Run COMMAND (default /bin/sh) in new namespaces: user uts ipc pid mnt net\n"
		"cgroup, and in a cgroup with the limits below.\n"
		"\n"
		"  -n, --hostname NAME  hostname inside (default: stepbox)\n"
		"      --init           run a small init as PID 1 that reaps zombies\n"
		"                       and passes signals on to COMMAND\n"
		"  -t, --tty            give COMMAND a terminal of its own (the default\n"
		"                       when stdin and stdout are terminals)\n"
		"      --no-tty         no terminal: COMMAND gets our stdin/out/err\n"
		"      --propagation M  how mounts travel between host and container:\n"
		"                       private (default), slave or shared\n"
		"  -V, --volume H:C[:ro]  bind host path H on container path C\n"
		"                       (C must exist), read-only with :ro\n"
		"      --net MODE       loopback (default: lo only) or veth (lo, and eth0\n"
		"                       wired to a stepbox<pid> link on the host)\n"
		"      --veth-net NET   the veth pair's subnet (default 169.254.100.0/30):\n"
		"                       the host end gets its first address, eth0 the second\n"
		"      --userns on|off  a user namespace (default on): root inside is\n"
		"                       --map-base on the host, or you when not root\n"
		"      --map-base N     host uid/gid of the container's root (default 100000)\n"
		"      --map-size N     how many uids/gids to map (default 65536)\n"
		"  -m, --memory SIZE    memory limit, e.g. 64M (at least 6M); no swap\n"
		"      --memory-swap SIZE  memory plus swap (needs --memory)\n"
		"      --cpus N         CPU time, e.g. 0.5 for half of one CPU\n"
		"      --cpu-weight N   share of CPU among busy siblings, 1..10000 (100)\n"
		"      --pids N         most processes and threads at once\n"
		"      --cpuset-cpus LIST  run only on these CPUs, e.g. 0-1,3\n"
		"      --cpuset-mems LIST  allocate only on these memory (NUMA) nodes\n"
		"      --io-weight N    share of disk time among busy siblings, 1..1000\n"
		"      --device-read-bps DEV:RATE   most bytes a second read from disk DEV,\n"
		"                       e.g. /dev/sda:10M; also --device-write-bps\n"
		"      --device-read-iops DEV:N     most reads a second from DEV; also\n"
		"                       --device-write-iops\n"
		"      --device PATH[:rwm]  allow the device node PATH (read, write, mknod;\n"
		"                       default rwm) besides null, zero, tty and the like\n"
		"      --net-classid ID  tag the container's packets with tc class ID,\n"
		"                       0xMMMMmmmm or decimal (0x100001 is 10:1); v1 only\n"
		"      --hugetlb SIZE:LIMIT  most bytes of huge pages of SIZE, e.g. 2M:64M\n"
		"                       (once for each page size)\n"
		"      --cleanup        remove what runs killed with -9 left behind, exit\n"
		"  -v, --verbose        trace every kernel operation\n"
		"  -h, --help           show this help\n",
		log_run_path());
}

static const char *check_hostname(const char *name)
{
	/* sethostname(2) takes at most HOST_NAME_MAX (64) bytes; refuse
	 * here, before anything is created, rather than fail in the child. */
	if (name[0] == '\0')
		usage_error("--hostname: the name is empty");
	if (strlen(name) > 64)
		usage_error("--hostname: '%s' is longer than 64 bytes", name);
	return name;
}

static unsigned long parse_propagation(const char *name)
{
	if (strcmp(name, "private") == 0)
		return MS_PRIVATE;
	if (strcmp(name, "slave") == 0)
		return MS_SLAVE;
	if (strcmp(name, "shared") == 0)
		return MS_SHARED;
	usage_error("--propagation: '%s' is not private, slave or shared", name);
}

const char *propagation_name(unsigned long mode)
{
	return mode == MS_SHARED ? "MS_SHARED" : mode == MS_SLAVE ? "MS_SLAVE" : "MS_PRIVATE";
}

/* Split "HOST:CONTAINER[:ro|:rw]" in place; both paths absolute. */
static void parse_volume(char *spec, struct container *c)
{
	struct volume *v = &c->volumes[c->nvolumes];
	char *mode;

	if (c->nvolumes == MAX_VOLUMES)
		usage_error("--volume: at most %d volumes", MAX_VOLUMES);
	v->host = spec;
	v->target = strchr(spec, ':');
	if (!v->target)
		usage_error("--volume: '%s' is not HOST:CONTAINER[:ro]", spec);
	*(char *)v->target++ = '\0';
	mode = strchr(v->target, ':');
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
			usage_error("--volume: mode '%s' is not ro or rw", mode);
		v->readonly = strcmp(mode, "ro") == 0;
	}
	if (v->host[0] != '/' || v->target[0] != '/')
		usage_error("--volume: '%s' and '%s' must both be absolute paths", v->host,
			    v->target);
	v->fd = -1;
	c->nvolumes++;
}

static bool parse_net_mode(const char *mode)
{
	if (strcmp(mode, "veth") == 0)
		return true;
	if (strcmp(mode, "loopback") != 0)
		usage_error("--net: '%s' is not loopback or veth", mode);
	return false;
}

/* "169.254.100.0/30": an IPv4 network with room for two hosts. */
static void parse_veth_net(char *cidr, struct container *c)
{
	char *slash = strchr(cidr, '/');
	struct in_addr net;
	uint64_t prefix;
	uint32_t mask;

	if (!slash)
		usage_error("--veth-net: '%s' is not ADDRESS/PREFIX", cidr);
	*slash = '\0';
	if (inet_pton(AF_INET, cidr, &net) != 1)
		usage_error("--veth-net: '%s' is not an IPv4 address", cidr);
	if (parse_u64_range(slash + 1, 8, 30, &prefix) < 0)
		usage_error("--veth-net: prefix '%s' is not a number from 8 to 30", slash + 1);
	mask = ~0u << (32 - prefix);
	if (ntohl(net.s_addr) & ~mask)
		usage_error("--veth-net: %s/%s has host bits set", cidr, slash + 1);
	c->host_ip.s_addr = htonl(ntohl(net.s_addr) + 1);
	c->container_ip.s_addr = htonl(ntohl(net.s_addr) + 2);
	c->prefix = (unsigned)prefix;
}

static bool parse_on_off(const char *option, const char *value)
{
	if (strcmp(value, "on") == 0)
		return true;
	if (strcmp(value, "off") != 0)
		usage_error("%s: '%s' is not on or off", option, value);
	return false;
}

/*
 * The container's ids 0..size-1 become host ids base..base+size-1. The
 * range must leave out host root (0), or root inside would be root
 * outside, and must end below 2^32-1, which is (uid_t)-1, "no id".
 */
static void check_id_map(const struct container *c)
{
	if (c->map_base == 0)
		usage_error("--map-base: 0 would map the container's root to the host's root");
	if (c->map_base + c->map_size > UINT32_MAX)
		usage_error("--map-base %llu + --map-size %llu ends past 4294967294",
			    (unsigned long long)c->map_base, (unsigned long long)c->map_size);
}

static uint64_t parse_memory(const char *option, const char *text)
{
	uint64_t bytes;

	if (parse_size(text, &bytes) < 0)
		usage_error("%s: '%s' is not a size such as 64M", option, text);
	/* Below a few MiB the command is killed before it runs (docker's
	 * minimum is 6M too). */
	if (bytes < 6ull * 1024 * 1024)
		usage_error("%s: %s is too small, the least is 6M", option, text);
	return bytes;
}

static uint64_t parse_cpus(const char *text)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t millicpus;

	if (parse_millicpus(text, &millicpus) < 0)
		usage_error("--cpus: '%s' is not a number such as 0.5", text);
	/* The kernel's smallest quota is 1ms per 100ms period: 0.01. */
	if (millicpus < 10 || (online > 0 && millicpus > (uint64_t)online * 1000))
		usage_error("--cpus: %s is outside 0.01..%ld (the CPUs online)", text, online);
	return millicpus;
}

/* --memory-swap is memory plus swap, so it cannot be less than memory. */
static void check_limits(const struct cgroup_limits *l)
{
	if (l->memory_swap && !l->memory)
		usage_error("--memory-swap needs --memory");
	if (l->memory_swap && l->memory_swap < l->memory)
		usage_error("--memory-swap must be at least --memory: it counts both");
}

/*
 * --cpuset-cpus, --cpuset-mems: a list such as "0-3,5" whose every number
 * is online here (ONLINE, in the same format). v2 would take a CPU the
 * machine lacks and quietly not use it; v1 would refuse it (EINVAL).
 */
static const char *parse_cpuset(const char *option, const char *text, const char *online)
{
	uint64_t want[16], have[16];
	char list[1024];

	if (parse_id_list(text, 1024, want, 16) < 0)
		usage_error("%s: '%s' is not a list such as 0-3,5 (numbers below 1024, "
			    "each range low-high)",
			    option, text);
	/* Without NUMA there is no node directory: node 0 only. */
	if (read_file(online, list, sizeof(list)) < 0)
		snprintf(list, sizeof(list), "0");
	list[strcspn(list, "\n")] = '\0';
	if (parse_id_list(list, 1024, have, 16) < 0)
		die("%s: cannot read the list '%s'", online, list);
	for (unsigned id = 0; id < 1024; id++)
		if (want[id / 64] & ~have[id / 64] & (1ull << (id % 64)))
			usage_error("%s: %u is not online here (%s is %s)", option, id, online,
				    list);
	return text;
}

/*
 * --device-{read,write}-{bps,iops} DEV:RATE. The kernel wants the disk's
 * major:minor, so DEV is resolved now (stat), and it must be a whole
 * disk: the block layer throttles requests to disks, not to partitions
 * (writing a partition's numbers fails with ENODEV).
 */
static void parse_io_limit(const char *option, const char *spec, struct container *c)
{
	struct cgroup_limits *l = &c->limits;
	bool size = strstr(option, "bps") != NULL;
	char path[PATH_MAX], sys[64];
	struct io_limit *io = NULL;
	struct stat st;
	uint64_t rate;

	if (parse_path_rate(spec, size, path, sizeof(path), &rate) < 0)
		usage_error("%s: '%s' is not DEVICE:RATE (an absolute path and %s above 0)", option,
			    spec, size ? "a size such as 10M" : "a number");
	if (stat(path, &st) < 0)
		usage_error("%s: %s: %s", option, path, strerror(errno));
	if (!S_ISBLK(st.st_mode))
		usage_error("%s: %s is not a block device (io limits count disk requests)", option,
			    path);
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", major(st.st_rdev),
		 minor(st.st_rdev));
	if (access(sys, F_OK) == 0)
		usage_error("%s: %s is a partition: io limits apply to a whole disk", option, path);
	for (size_t i = 0; i < l->nio; i++)
		if (l->io[i].major == major(st.st_rdev) && l->io[i].minor == minor(st.st_rdev))
			io = &l->io[i];
	if (!io) {
		if (l->nio == CGROUP_MAX_IO)
			usage_error("%s: at most %d disks", option, CGROUP_MAX_IO);
		io = &l->io[l->nio++];
		io->major = major(st.st_rdev);
		io->minor = minor(st.st_rdev);
	}
	if (strcmp(option, "--device-read-bps") == 0)
		io->rbps = rate;
	else if (strcmp(option, "--device-write-bps") == 0)
		io->wbps = rate;
	else if (strcmp(option, "--device-read-iops") == 0)
		io->riops = rate;
	else
		io->wiops = rate;
}

/* --device PATH[:rwm]: one more device node the container may use. */
static void parse_device(const char *spec, struct container *c)
{
	struct cgroup_limits *l = &c->limits;
	const char *colon = strrchr(spec, ':');
	unsigned access = ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD;
	char path[PATH_MAX];
	struct stat st;

	if (l->ndevices == CGROUP_MAX_DEVICES)
		usage_error("--device: at most %d devices", CGROUP_MAX_DEVICES);
	if (colon && parse_access(colon + 1, &access) < 0)
		usage_error("--device: '%s' is not r, w and m, each at most once", colon + 1);
	snprintf(path, sizeof(path), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	if (path[0] != '/')
		usage_error("--device: '%s' is not an absolute path", path);
	if (stat(path, &st) < 0)
		usage_error("--device: %s: %s", path, strerror(errno));
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		usage_error("--device: %s is not a device node", path);
	l->devices[l->ndevices++] = (struct device_rule){
		.type = S_ISBLK(st.st_mode) ? 'b' : 'c',
		.major = (int)major(st.st_rdev),
		.minor = (int)minor(st.st_rdev),
		.access = access,
	};
}

/* --net-classid ID: the class that tc's filters (and iptables' -m cgroup)
 * match, MAJOR:MINOR packed as 0xMMMMmmmm: 0x100001 is tc's 10:1. */
static uint32_t parse_net_classid(const char *text)
{
	uint64_t id;

	if (parse_u64_hex(text, &id) < 0 || id == 0 || id > UINT32_MAX)
		usage_error("--net-classid: '%s' is not a class id from 1 to 0xffffffff, such as "
			    "0x100001 (tc's 10:1)",
			    text);
	return (uint32_t)id;
}

/*
 * --hugetlb SIZE:LIMIT: at most LIMIT bytes of huge pages of SIZE (2M,
 * 1G). The kernel counts whole pages, so LIMIT is a multiple of SIZE; a
 * size this kernel does not offer is refused by cgroup.c.
 */
static void parse_hugetlb(const char *spec, struct container *c)
{
	struct cgroup_limits *l = &c->limits;
	const char *colon = strchr(spec, ':');
	struct hugetlb_limit *h = NULL;
	uint64_t page_size, limit;
	char size[32];

	if (!colon || (size_t)(colon - spec) >= sizeof(size))
		usage_error("--hugetlb: '%s' is not SIZE:LIMIT such as 2M:64M", spec);
	snprintf(size, sizeof(size), "%.*s", (int)(colon - spec), spec);
	if (parse_size(size, &page_size) < 0 || parse_size(colon + 1, &limit) < 0)
		usage_error("--hugetlb: '%s' is not SIZE:LIMIT such as 2M:64M", spec);
	if (page_size < 4096 || (page_size & (page_size - 1)) != 0)
		usage_error("--hugetlb: %s is not a page size (a power of two such as 2M or 1G)",
			    size);
	if (limit % page_size != 0)
		usage_error("--hugetlb: %s is not a whole number of %s pages", colon + 1, size);
	for (size_t i = 0; i < l->nhugetlb; i++)
		if (l->hugetlb[i].page_size == page_size)
			h = &l->hugetlb[i];
	if (!h) {
		if (l->nhugetlb == CGROUP_MAX_HUGETLB)
			usage_error("--hugetlb: at most %d page sizes", CGROUP_MAX_HUGETLB);
		h = &l->hugetlb[l->nhugetlb++];
		h->page_size = page_size;
	}
	h->limit = limit;
}

bool has_limits(const struct cgroup_limits *l)
{
	return l->memory || l->memory_swap || l->millicpus || l->cpu_weight || l->pids ||
	       l->cpuset_cpus || l->cpuset_mems || l->io_weight || l->nio || l->ndevices ||
	       l->net_classid || l->nhugetlb;
}

/* Long options without a short form. */
enum {
	OPT_CPUSET_CPUS = 256,
	OPT_CPUSET_MEMS,
	OPT_IO_WEIGHT,
	OPT_IO_LIMIT,
	OPT_DEVICE,
	OPT_NET_CLASSID,
	OPT_HUGETLB,
};

void parse_args(int argc, char **argv, struct container *c)
{
	static const struct option options[] = {
		{ "hostname", required_argument, NULL, 'n' },
		{ "init", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "no-tty", no_argument, NULL, 'T' },
		{ "propagation", required_argument, NULL, 'p' },
		{ "volume", required_argument, NULL, 'V' },
		{ "net", required_argument, NULL, 'N' },
		{ "veth-net", required_argument, NULL, 'a' },
		{ "userns", required_argument, NULL, 'U' },
		{ "map-base", required_argument, NULL, 'b' },
		{ "map-size", required_argument, NULL, 's' },
		{ "memory", required_argument, NULL, 'm' },
		{ "memory-swap", required_argument, NULL, 'S' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "cpu-weight", required_argument, NULL, 'w' },
		{ "pids", required_argument, NULL, 'P' },
		{ "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
		{ "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
		{ "io-weight", required_argument, NULL, OPT_IO_WEIGHT },
		{ "device-read-bps", required_argument, NULL, OPT_IO_LIMIT },
		{ "device-write-bps", required_argument, NULL, OPT_IO_LIMIT },
		{ "device-read-iops", required_argument, NULL, OPT_IO_LIMIT },
		{ "device-write-iops", required_argument, NULL, OPT_IO_LIMIT },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "net-classid", required_argument, NULL, OPT_NET_CLASSID },
		{ "hugetlb", required_argument, NULL, OPT_HUGETLB },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, index = 0;

	c->hostname = "stepbox";
	c->tty = -1;
	c->propagation = MS_PRIVATE;
	parse_veth_net((char[]){ "169.254.100.0/30" }, c);
	c->userns = true;
	c->map_base = 100000;
	c->map_size = 65536;
	c->cgroup.fd = -1;
	opterr = 0; /* we print our own one-line errors */
	/* "+": stop at the first non-option, so `run ls -l` passes -l on. */
	while ((opt = getopt_long(argc, argv, "+:n:V:m:tvh", options, &index)) != -1) {
		switch (opt) {
		case 'n':
			c->hostname = check_hostname(optarg);
			break;
		case 'i':
			c->init = true;
			break;
		case 't':
		case 'T':
			c->tty = opt == 't';
			break;
		case 'p':
			c->propagation = parse_propagation(optarg);
			break;
		case 'V':
			parse_volume(optarg, c);
			break;
		case 'N':
			c->veth = parse_net_mode(optarg);
			break;
		case 'a':
			parse_veth_net(optarg, c);
			break;
		case 'U':
			c->userns = parse_on_off("--userns", optarg);
			break;
		case 'b':
			if (parse_u64_range(optarg, 0, UINT32_MAX - 1, &c->map_base) < 0)
				usage_error("--map-base: '%s' is not a number below 2^32-1",
					    optarg);
			c->map_given = true;
			break;
		case 'm':
			c->limits.memory = parse_memory("--memory", optarg);
			break;
		case 'S':
			c->limits.memory_swap = parse_memory("--memory-swap", optarg);
			break;
		case 'c':
			c->limits.millicpus = parse_cpus(optarg);
			break;
		case 'w':
			if (parse_u64_range(optarg, 1, 10000, &c->limits.cpu_weight) < 0)
				usage_error("--cpu-weight: '%s' is not a number from 1 to 10000",
					    optarg);
			break;
		case 'P':
			if (parse_u64_range(optarg, 1, 4194304, &c->limits.pids) < 0)
				usage_error("--pids: '%s' is not a number from 1 to 4194304",
					    optarg);
			break;
		case OPT_CPUSET_CPUS:
			c->limits.cpuset_cpus =
			    parse_cpuset("--cpuset-cpus", optarg, "/sys/devices/system/cpu/online");
			break;
		case OPT_CPUSET_MEMS:
			c->limits.cpuset_mems = parse_cpuset("--cpuset-mems", optarg,
							     "/sys/devices/system/node/online");
			break;
		case OPT_IO_WEIGHT:
			if (parse_u64_range(optarg, 1, 1000, &c->limits.io_weight) < 0)
				usage_error("--io-weight: '%s' is not a number from 1 to 1000",
					    optarg);
			break;
		case OPT_IO_LIMIT: {
			char name[32]; /* which of the four: getopt's index says */

			snprintf(name, sizeof(name), "--%s", options[index].name);
			parse_io_limit(name, optarg, c);
			break;
		}
		case OPT_DEVICE:
			parse_device(optarg, c);
			break;
		case OPT_NET_CLASSID:
			c->limits.net_classid = parse_net_classid(optarg);
			break;
		case OPT_HUGETLB:
			parse_hugetlb(optarg, c);
			break;
		case 'C':
			c->cleanup = true;
			break;
		case 's':
			if (parse_u64_range(optarg, 1, UINT32_MAX - 1, &c->map_size) < 0)
				usage_error("--map-size: '%s' is not a number from 1 to 2^32-2",
					    optarg);
			c->map_given = true;
			break;
		case 'v':
			log_set_verbose(true);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	c->argv = optind < argc ? argv + optind : default_command;
	/*
	 * As ssh does: a terminal of its own when a person is at ours, and
	 * we are its foreground job. A `run ... &` in the background would
	 * be stopped (SIGTTOU) by the raw mode it sets on a terminal it
	 * does not own; there it keeps the caller's stdin and stdout.
	 */
	if (c->tty < 0)
		c->tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
			 tcgetpgrp(STDIN_FILENO) == getpgrp();
	check_id_map(c);
	check_limits(&c->limits);
}
