// SPDX-License-Identifier: GPL-2.0
/* rtnetlink queries, see nl_route.h. One request, one socket, no state. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nl_route.h"

typedef int (*msg_cb)(const struct nlmsghdr *nlh, void *data);

/* Sends the request in buf and runs cb over every answer until DONE/ACK. */
static int nl_request(struct nlmsghdr *nlh, msg_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned portid, seq;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	seq = nlh->nlmsg_seq = (unsigned)time(NULL) ^ (unsigned)getpid();
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0) {
			ret = -errno;
			break;
		}
		/* mnl_cb_run checks seq and portid: answers to someone else's
		 * request are refused, not believed. */
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
		if (ret <= MNL_CB_STOP) {
			ret = ret < 0 ? -errno : 0;
			break;
		}
	}
out:
	mnl_socket_close(nl);
	return ret;
}

static void addr_str(int family, const void *a, char *out, size_t len)
{
	if (!inet_ntop(family, a, out, len))
		snprintf(out, len, "?");
}

struct route_ctx {
	struct mx_route *rt;
	int family;
	int fib; /* the RTM_F_FIB_MATCH answer: only the metrics are taken */
};

static int metrics_mtu(const struct nlattr *nest)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) if (mnl_attr_get_type(a) == RTAX_MTU &&
					      mnl_attr_get_payload_len(a) >=
						  4) return (int)mnl_attr_get_u32(a);
	return 0;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_ctx *c = data;
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	if (c->fib)
		c->rt->protocol = rtm->rtm_protocol;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
	{
		switch (mnl_attr_get_type(a)) {
		case RTA_OIF:
			if (!c->fib)
				c->rt->oif = (int)mnl_attr_get_u32(a);
			break;
		case RTA_GATEWAY:
			if (!c->fib) {
				c->rt->has_gateway = 1;
				addr_str(c->family, mnl_attr_get_payload(a), c->rt->gateway,
					 sizeof(c->rt->gateway));
			}
			break;
		case RTA_PREFSRC:
			if (!c->fib)
				addr_str(c->family, mnl_attr_get_payload(a), c->rt->prefsrc,
					 sizeof(c->rt->prefsrc));
			break;
		case RTA_METRICS:
			/* The plain answer carries a learned PMTU from the cache;
			 * only the FIB entry's "mtu N" is a local limit. */
			if (c->fib)
				c->rt->route_mtu = metrics_mtu(a);
			break;
		}
	}
	return MNL_CB_OK;
}

static int route_query(int family, const void *addr, unsigned flags, struct route_ctx *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = family == AF_INET ? 32 : 128;
	rtm->rtm_flags = flags;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, addr);
	return nl_request(nlh, route_cb, c);
}

struct link_ctx {
	struct mx_link *out;
	int max, n;
	int want; /* ifindex, or 0 for all */
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_ctx *c = data;
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *b;
	struct mx_link *l;

	if (nlh->nlmsg_type != RTM_NEWLINK || c->n >= c->max)
		return MNL_CB_OK;
	if (c->want && ifi->ifi_index != c->want)
		return MNL_CB_OK;
	l = &c->out[c->n++];
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->up = !!(ifi->ifi_flags & IFF_UP);
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
	{
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_MTU:
			l->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_LINKINFO:
			mnl_attr_for_each_nested(b, a) if (mnl_attr_get_type(b) == IFLA_INFO_KIND)
			    snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(b));
			break;
		}
	}
	return MNL_CB_OK;
}

static int link_query(int ifindex, struct mx_link *out, int max)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct link_ctx c = {.out = out, .max = max, .want = ifindex};
	int err;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | (ifindex ? NLM_F_ACK : NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	err = nl_request(nlh, link_cb, &c);
	return err < 0 ? err : c.n;
}

int mx_link_list(struct mx_link *out, int max)
{
	return link_query(0, out, max);
}

int mx_route_get(int family, const void *addr, struct mx_route *rt)
{
	struct route_ctx c = {.rt = rt, .family = family};
	struct mx_link l;
	int err;

	memset(rt, 0, sizeof(*rt));
	err = route_query(family, addr, 0, &c);
	if (err)
		return err;
	if (!rt->oif)
		return -ENETUNREACH;
	/* Since 4.13; older kernels just lack the route's own mtu. */
	c.fib = 1;
	route_query(family, addr, RTM_F_FIB_MATCH, &c);
	err = link_query(rt->oif, &l, 1);
	if (err < 0)
		return err;
	if (err == 1) {
		snprintf(rt->ifname, sizeof(rt->ifname), "%s", l.name);
		rt->dev_mtu = l.mtu;
	}
	return 0;
}

struct def_ctx {
	struct mx_route_default *out;
	int max, n;
	int seen; /* default routes seen, stored or not */
	int family;
	long hz;
};

static int def_cb(const struct nlmsghdr *nlh, void *data)
{
	struct def_ctx *c = data;
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct mx_route_default *d;
	const struct nlattr *a;

	/* Default = prefix length 0 in the main table, a unicast route (not
	 * unreachable/blackhole/prohibit, which some hosts install for v6). */
	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_dst_len != 0 ||
	    rtm->rtm_table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	c->seen++;
	if (c->n >= c->max)
		return MNL_CB_OK;
	d = &c->out[c->n++];
	memset(d, 0, sizeof(*d));
	d->protocol = rtm->rtm_protocol;
	d->expires_s = -1;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
	{
		switch (mnl_attr_get_type(a)) {
		case RTA_OIF:
			d->oif = (int)mnl_attr_get_u32(a);
			break;
		case RTA_GATEWAY:
			addr_str(c->family, mnl_attr_get_payload(a), d->gateway,
				 sizeof(d->gateway));
			break;
		case RTA_CACHEINFO:
			if (mnl_attr_get_payload_len(a) >= sizeof(struct rta_cacheinfo)) {
				const struct rta_cacheinfo *ci = mnl_attr_get_payload(a);

				/* clock_t ticks (USER_HZ), as ip route prints them. */
				if (ci->rta_expires)
					d->expires_s = (long)ci->rta_expires / c->hz;
			}
			break;
		}
	}
	if (!if_indextoname(d->oif, d->ifname))
		snprintf(d->ifname, sizeof(d->ifname), "if%d", d->oif);
	return MNL_CB_OK;
}

/* One RTM_GETROUTE dump of family through def_cb. */
static int defaults_dump(int family, struct def_ctx *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	c->family = family;
	c->hz = sysconf(_SC_CLK_TCK);
	if (c->hz <= 0)
		c->hz = 100;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	return nl_request(nlh, def_cb, c);
}

int mx_route_defaults(int family, struct mx_route_default *out, int max)
{
	struct def_ctx c = {.out = out, .max = max};
	int err = defaults_dump(family, &c);

	return err < 0 ? err : c.n;
}

int mx_route_has_default(int family)
{
	struct def_ctx c = {0};
	int err = defaults_dump(family, &c);

	return err < 0 ? err : c.seen > 0;
}
