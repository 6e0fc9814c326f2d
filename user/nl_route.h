/* SPDX-License-Identifier: GPL-2.0 */
/* rtnetlink queries (libmnl): the route the kernel picks for a destination,
 * the links with their MTU and kind, the default routes. Always the
 * caller's network namespace, which is what --netns selects; /sys/class/net
 * would show the namespace sysfs was mounted in instead. */
#ifndef MX_NL_ROUTE_H
#define MX_NL_ROUTE_H

#include <net/if.h>
#include <netinet/in.h>

struct mx_route {
	int oif;
	char ifname[IF_NAMESIZE];
	unsigned dev_mtu;	/* the interface's MTU */
	unsigned route_mtu;	/* "mtu N" on the FIB route, 0 when unset */
	unsigned char protocol; /* RTPROT_* of the FIB route (RTPROT_RA = 9) */
	int has_gateway;
	char gateway[INET6_ADDRSTRLEN];
	char prefsrc[INET6_ADDRSTRLEN];
};

/* The route to addr (struct in_addr / in6_addr). 0, or -errno
 * (-ENETUNREACH when there is none). */
int mx_route_get(int family, const void *addr, struct mx_route *rt);

struct mx_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[16]; /* IFLA_INFO_KIND: "bridge", "veth", ""... */
	unsigned mtu;
	int up;
};

/* Every link of this namespace; returns the count (at most max) or -errno. */
int mx_link_list(struct mx_link *out, int max);

struct mx_route_default {
	int oif;
	char ifname[IF_NAMESIZE];
	unsigned char protocol;
	char gateway[INET6_ADDRSTRLEN];
	long expires_s; /* -1: does not expire */
};

/* The default routes (prefix length 0, unicast) of family in the main
 * table; count (at most max) or -errno. */
int mx_route_defaults(int family, struct mx_route_default *out, int max);
/* Whether there is one: 1, 0, or -errno. The outbound probes use IPv6 only
 * when there is, as a host without one cannot reach IPv6 peers at all. */
int mx_route_has_default(int family);

#endif
