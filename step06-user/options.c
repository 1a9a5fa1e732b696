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
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "options.h"

static char *default_command[] = { "/bin/sh", NULL };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTIONS] [--] [COMMAND [ARG...]]\n"
		"Run COMMAND (default /bin/sh) in new namespaces: user uts ipc pid mnt net.\n"
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
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	c->hostname = "stepbox";
	c->tty = -1;
	c->propagation = MS_PRIVATE;
	parse_veth_net((char[]){ "169.254.100.0/30" }, c);
	c->userns = true;
	c->map_base = 100000;
	c->map_size = 65536;
	opterr = 0; /* we print our own one-line errors */
	/* "+": stop at the first non-option, so `run ls -l` passes -l on. */
	while ((opt = getopt_long(argc, argv, "+:n:V:tvh", options, NULL)) != -1) {
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
}
