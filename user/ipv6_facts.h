/* SPDX-License-Identifier: GPL-2.0 */
/* What the IPv6 host checks look at: per-interface sysctls, global
 * addresses and default routes. Sysctls and addresses come from /proc
 * through --sysroot; default routes from rtnetlink on a live system (route
 * protocol RTPROT_RA and the expiry) and from /proc/net/ipv6_route under
 * --sysroot (RTF_ADDRCONF marks the routes learned from RAs). */
#ifndef MX_IPV6_FACTS_H
#define MX_IPV6_FACTS_H

#include <net/if.h>
#include <netinet/in.h>

#define MX_V6_MAX_IF 64
#define MX_V6_MAX_ROUTES 16
#define MX_V6_MAX_ADDRS 64

struct mx_v6_if {
	char name[IF_NAMESIZE];
	int forwarding; /* -1 unknown */
	int accept_ra;
	int autoconf;
	int disable_ipv6;
};

struct mx_v6_route {
	char ifname[IF_NAMESIZE];
	char gateway[INET6_ADDRSTRLEN];
	int from_ra;
	long expires_s; /* -1: none or unknown */
};

struct mx_v6_addr {
	char ifname[IF_NAMESIZE];
	char addr[INET6_ADDRSTRLEN];
	int gua;       /* in 2000::/3 (global unicast), whatever its state */
	int global;    /* gua, and not tentative or failed: usable */
	int permanent; /* configured, not from SLAAC */
};

struct mx_v6_facts {
	int present; /* /proc/sys/net/ipv6 exists */
	int all_forwarding;
	struct mx_v6_if ifs[MX_V6_MAX_IF];
	int nifs;
	struct mx_v6_route routes[MX_V6_MAX_ROUTES];
	int nroutes;
	int routes_known; /* the route source could be read */
	struct mx_v6_addr addrs[MX_V6_MAX_ADDRS];
	int naddrs;
};

/* Fills f from the live system or the sysroot. */
void mx_v6_facts_read(struct mx_v6_facts *f);
const struct mx_v6_if *mx_v6_if_find(const struct mx_v6_facts *f, const char *name);
/* Parsers, exposed for unit tests. */
int mx_v6_parse_routes(const char *text, struct mx_v6_route *out, int max);
int mx_v6_parse_addrs(const char *text, struct mx_v6_addr *out, int max);

#endif
