// SPDX-License-Identifier: GPL-2.0
/* Does the host have a default route for a family? One RTM_GETROUTE dump
 * over rtnetlink (libmnl): the outbound probes use IPv6 only when it does,
 * as a host without one cannot reach IPv6 peers at all. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>

#include "outbound.h"

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	int *found = data;

	/* Default = prefix length 0 in the main table, a unicast route (not
	 * unreachable/blackhole/prohibit, which some hosts install for v6). */
	if (rt->rtm_dst_len == 0 && rt->rtm_table == RT_TABLE_MAIN && rt->rtm_type == RTN_UNICAST)
		*found = 1;
	return MNL_CB_OK;
}

int mx_route_has_default(int family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rt;
	unsigned seq = (unsigned)time(NULL), portid;
	int found = 0, ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtm_family = family;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, portid, route_cb, &found);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -errno : found;
out:
	mnl_socket_close(nl);
	return ret;
}
