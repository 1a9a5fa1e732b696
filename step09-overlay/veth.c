/*
 * veth.c — a veth pair over rtnetlink, the way `ip link add` does it.
 *
 * There is no ioctl that creates a virtual link: it takes an RTM_NEWLINK
 * message to the kernel's rtnetlink socket. The message is a header, a
 * struct ifinfomsg, and attributes (type, length, value), some nested:
 *
 *   RTM_NEWLINK  ifinfomsg
 *     IFLA_IFNAME      "stepbox4242"          the host end
 *     IFLA_LINKINFO
 *       IFLA_INFO_KIND "veth"
 *       IFLA_INFO_DATA
 *         VETH_INFO_PEER  ifinfomsg           the other end
 *           IFLA_IFNAME      "eth0"
 *           IFLA_NET_NS_PID  4242             created in the child's netns
 *
 * Creating the peer straight in the container's namespace means its name
 * never has to be free on the host. `ip monitor link` shows the messages.
 *
 * Brought by step05; called by network.c (setup_veth, remove_veth).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "veth.h"

/* One netlink message, built in place: the header, then what follows. */
struct request {
	union {
		struct nlmsghdr header;
		char bytes[512];
	};
};

static void *tail(struct request *req)
{
	return req->bytes + NLMSG_ALIGN(req->header.nlmsg_len);
}

static struct rtattr *add_attr(struct request *req, unsigned short type, const void *value,
			       size_t len)
{
	struct rtattr *attr = tail(req);

	attr->rta_type = type;
	attr->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(attr), value, len);
	req->header.nlmsg_len = NLMSG_ALIGN(req->header.nlmsg_len) + RTA_ALIGN(attr->rta_len);
	return attr;
}

/* A nested attribute is closed by setting its length to cover its children. */
static void end_nest(struct request *req, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)tail(req) - (char *)nest);
}

/* Send one request and read the kernel's acknowledgement (NLM_F_ACK). */
static int talk(struct request *req)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char reply[1024];
	struct nlmsghdr *answer = (struct nlmsghdr *)reply;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ssize_t n;
	int err;

	if (fd < 0)
		return -1;
	req->header.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(fd, req, req->header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) <
	    0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	n = recv(fd, reply, sizeof(reply), 0);
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	if (!NLMSG_OK(answer, (size_t)n) || answer->nlmsg_type != NLMSG_ERROR) {
		errno = EPROTO;
		return -1;
	}
	err = ((struct nlmsgerr *)NLMSG_DATA(answer))->error; /* 0 or -errno */
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

int veth_create(const char *host_name, const char *peer_name, pid_t pid)
{
	struct request req = { 0 };
	struct ifinfomsg peer = { .ifi_family = AF_UNSPEC };
	struct rtattr *linkinfo, *data, *peer_info;
	unsigned int ns_pid = (unsigned int)pid;

	req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.header.nlmsg_type = RTM_NEWLINK;
	/* EXCL: fail with EEXIST rather than reuse a link of that name. */
	req.header.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	((struct ifinfomsg *)NLMSG_DATA(&req.header))->ifi_family = AF_UNSPEC;

	add_attr(&req, IFLA_IFNAME, host_name, strlen(host_name) + 1);
	linkinfo = add_attr(&req, IFLA_LINKINFO, NULL, 0);
	add_attr(&req, IFLA_INFO_KIND, "veth", strlen("veth"));
	data = add_attr(&req, IFLA_INFO_DATA, NULL, 0);
	peer_info = add_attr(&req, VETH_INFO_PEER, &peer, sizeof(peer));
	add_attr(&req, IFLA_IFNAME, peer_name, strlen(peer_name) + 1);
	add_attr(&req, IFLA_NET_NS_PID, &ns_pid, sizeof(ns_pid));
	end_nest(&req, peer_info);
	end_nest(&req, data);
	end_nest(&req, linkinfo);
	return talk(&req);
}

int link_delete(const char *name)
{
	struct request req = { 0 };

	req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.header.nlmsg_type = RTM_DELLINK;
	((struct ifinfomsg *)NLMSG_DATA(&req.header))->ifi_family = AF_UNSPEC;
	add_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
	return talk(&req);
}
