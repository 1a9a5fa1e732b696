/*
 * network.c — the container's network: its own loopback, brought up by
 * the child, and with --net veth a pair of virtual links, one end on the
 * host and one inside, each with an address.
 *
 * Brought by step05; main.c calls setup_network in the child and
 * setup_veth from the parent while the child waits (veth.c makes the pair
 * over rtnetlink), and remove_veth when the container is gone. Links and
 * addresses are set with the ioctls `ip` once used: on a socket, which
 * stands for the network namespace it was created in.
 *
 *   sudo ./step05-net/run --net veth -v -- ip -4 addr show eth0
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "network.h"
#include "veth.h"

/* The interface ioctls need a socket only as a handle into the network
 * namespace it was created in; any datagram socket will do. */
static int net_socket(void)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0)
		die_errno("socket(AF_INET, SOCK_DGRAM)");
	return sock;
}

/* Set IFF_UP, as `ip link set NAME up` does. */
static void link_up(int sock, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		die_errno("ioctl(SIOCGIFFLAGS, \"%s\")", name);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		die_errno("ioctl(SIOCSIFFLAGS, \"%s\", IFF_UP)", name);
	trace("ioctl(SIOCSIFFLAGS, \"%s\", IFF_UP) = 0", name);
}

/* Give NAME the IPv4 address ADDR/PREFIX, as `ip addr add` does. */
static void set_ipv4(int sock, const char *name, struct in_addr addr, unsigned prefix)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	char text[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, text, sizeof(text));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	sin->sin_family = AF_INET;
	sin->sin_addr = addr;
	if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
		die_errno("ioctl(SIOCSIFADDR, \"%s\", %s)", name, text);
	sin->sin_addr.s_addr = htonl(~0u << (32 - prefix));
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
		die_errno("ioctl(SIOCSIFNETMASK, \"%s\", /%u)", name, prefix);
	trace("ioctl(SIOCSIFADDR, \"%s\", %s/%u) = 0", name, text, prefix);
}

/*
 * A new network namespace has one interface, lo, and it is down: even
 * 127.0.0.1 does not answer until it is up. Bringing it up is all it
 * takes; the kernel then adds 127.0.0.1/8 and ::1 itself. With --net veth
 * the parent has already put our end of the pair here, as eth0.
 */
void setup_network(const struct container *c)
{
	int sock = net_socket();

	link_up(sock, "lo");
	if (c->veth) {
		set_ipv4(sock, "eth0", c->container_ip, c->prefix);
		link_up(sock, "eth0");
	}
	close(sock);
}

/*
 * --net veth: a veth pair is a virtual cable, what goes in one end comes
 * out of the other. Creating it takes netlink (veth.c); the peer is born
 * in the child's network namespace (named by its pid) as eth0. Our end
 * stays here, gets the first address and goes up.
 */
void setup_veth(struct container *c, pid_t pid)
{
	int sock;

	/* pid_max is at most 2^22: seven digits, the name fits IFNAMSIZ. */
	if (snprintf(c->host_link, sizeof(c->host_link), "stepbox%d", (int)pid) >= IFNAMSIZ)
		die("link name stepbox%d is longer than IFNAMSIZ", (int)pid);
	if (veth_create(c->host_link, "eth0", pid) < 0) {
		if (errno == EOPNOTSUPP)
			die_errno_hint("the kernel has no veth driver: modprobe veth",
				       "RTM_NEWLINK veth %s <-> eth0 in pid %d", c->host_link,
				       (int)pid);
		die_errno("RTM_NEWLINK veth %s <-> eth0 in pid %d", c->host_link, (int)pid);
	}
	trace("RTM_NEWLINK veth %s <-> eth0 (in the netns of pid %d) = 0", c->host_link, (int)pid);
	sock = net_socket();
	set_ipv4(sock, c->host_link, c->host_ip, c->prefix);
	link_up(sock, c->host_link);
	close(sock);
}

/*
 * The kernel destroys the pair by itself when the container's network
 * namespace goes, also if we are killed; but that happens later, in a
 * work queue. Deleting our end now makes it gone when we return.
 */
void remove_veth(const struct container *c)
{
	if (link_delete(c->host_link) < 0) {
		if (errno != ENODEV)
			warn_errno("RTM_DELLINK %s", c->host_link);
		return;
	}
	trace("RTM_DELLINK %s = 0", c->host_link);
}
