// SPDX-License-Identifier: GPL-2.0
/* IPv6 facts of the host, see ipv6_facts.h. */
#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv6_facts.h"
#include "nl_route.h"
#include "sysroot.h"

/* include/uapi/linux/ipv6_route.h and route.h */
#define RTF_UP 0x0001
#define RTF_REJECT 0x0200
#define RTF_ADDRCONF 0x00040000
#define RTPROT_RA_ 9
/* include/uapi/linux/if_addr.h */
#define IFA_F_DADFAILED 0x08
#define IFA_F_TENTATIVE 0x40
#define IFA_F_PERMANENT 0x80

/* Interface names: the callers checked the length against IF_NAMESIZE. */
static void set_name(char *dst, const char *src)
{
	size_t n = strnlen(src, IF_NAMESIZE - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int read_int(const char *fmt, const char *ifname)
{
	char path[PATH_MAX], line[32];

	snprintf(path, sizeof(path), fmt, ifname);
	if (mx_read_line(path, line, sizeof(line)) < 0)
		return -1;
	return atoi(line);
}

static int hex_addr(const char *hex, struct in6_addr *a)
{
	int i;

	if (strlen(hex) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		a->s6_addr[i] = (unsigned char)v;
	}
	return 0;
}

int mx_v6_parse_routes(const char *text, struct mx_v6_route *out, int max)
{
	const char *p = text;
	int n = 0;

	while (*p && n < max) {
		char dst[40], src[40], nh[40], dev[IF_NAMESIZE + 8];
		unsigned plen, slen, metric, ref, use, flags;
		const char *nl = strchr(p, '\n');

		if (sscanf(p, "%39s %x %39s %x %39s %x %x %x %x %23s", dst, &plen, src, &slen, nh,
			   &metric, &ref, &use, &flags, dev) == 10 &&
		    plen == 0 && !strcmp(dst, "00000000000000000000000000000000") &&
		    (flags & RTF_UP) && !(flags & RTF_REJECT) && strcmp(dev, "lo") &&
		    strlen(dev) < IF_NAMESIZE) {
			struct mx_v6_route *r = &out[n++];
			struct in6_addr a;

			memset(r, 0, sizeof(*r));
			set_name(r->ifname, dev);
			if (!hex_addr(nh, &a))
				inet_ntop(AF_INET6, &a, r->gateway, sizeof(r->gateway));
			r->from_ra = !!(flags & RTF_ADDRCONF);
			r->expires_s = -1;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
}

int mx_v6_parse_addrs(const char *text, struct mx_v6_addr *out, int max)
{
	const char *p = text;
	int n = 0;

	while (*p && n < max) {
		char hex[40], dev[IF_NAMESIZE + 8];
		unsigned idx, plen, scope, flags;
		const char *nl = strchr(p, '\n');
		struct in6_addr a;

		if (sscanf(p, "%39s %x %x %x %x %23s", hex, &idx, &plen, &scope, &flags, dev) ==
			6 &&
		    !hex_addr(hex, &a) && strlen(dev) < IF_NAMESIZE) {
			struct mx_v6_addr *r = &out[n++];

			memset(r, 0, sizeof(*r));
			set_name(r->ifname, dev);
			inet_ntop(AF_INET6, &a, r->addr, sizeof(r->addr));
			/* Global unicast is 2000::/3; ULAs (fc00::/7) reach no one
			 * on the internet. */
			r->gua = (a.s6_addr[0] & 0xe0) == 0x20;
			r->global = r->gua && !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
			r->permanent = !!(flags & IFA_F_PERMANENT);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
}

static void read_ifs(struct mx_v6_facts *f)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (!mx_path(path, sizeof(path), "/proc/sys/net/ipv6/conf"))
		return;
	d = opendir(path);
	if (!d)
		return;
	f->present = 1;
	while ((de = readdir(d)) && f->nifs < MX_V6_MAX_IF) {
		struct mx_v6_if *i;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "all") ||
		    !strcmp(de->d_name, "default") || strlen(de->d_name) >= IF_NAMESIZE)
			continue;
		i = &f->ifs[f->nifs++];
		set_name(i->name, de->d_name);
		i->forwarding = read_int("/proc/sys/net/ipv6/conf/%s/forwarding", i->name);
		i->accept_ra = read_int("/proc/sys/net/ipv6/conf/%s/accept_ra", i->name);
		i->autoconf = read_int("/proc/sys/net/ipv6/conf/%s/autoconf", i->name);
		i->disable_ipv6 = read_int("/proc/sys/net/ipv6/conf/%s/disable_ipv6", i->name);
	}
	closedir(d);
	f->all_forwarding = read_int("/proc/sys/net/ipv6/conf/%s/forwarding", "all");
}

void mx_v6_facts_read(struct mx_v6_facts *f)
{
	static char buf[256 * 1024];
	ssize_t n;

	memset(f, 0, sizeof(*f));
	read_ifs(f);
	n = mx_read_file("/proc/net/if_inet6", buf, sizeof(buf));
	if (n >= 0)
		f->naddrs = mx_v6_parse_addrs(buf, f->addrs, MX_V6_MAX_ADDRS);
	if (mx_sysroot_live()) {
		struct mx_route_default d[MX_V6_MAX_ROUTES];
		int i, k = mx_route_defaults(AF_INET6, d, MX_V6_MAX_ROUTES);

		f->routes_known = k >= 0;
		for (i = 0; i < k; i++) {
			struct mx_v6_route *r = &f->routes[f->nroutes++];

			memset(r, 0, sizeof(*r));
			snprintf(r->ifname, sizeof(r->ifname), "%s", d[i].ifname);
			snprintf(r->gateway, sizeof(r->gateway), "%s", d[i].gateway);
			r->from_ra = d[i].protocol == RTPROT_RA_;
			r->expires_s = d[i].expires_s;
		}
		return;
	}
	n = mx_read_file("/proc/net/ipv6_route", buf, sizeof(buf));
	if (n >= 0) {
		f->routes_known = 1;
		f->nroutes = mx_v6_parse_routes(buf, f->routes, MX_V6_MAX_ROUTES);
	}
}

const struct mx_v6_if *mx_v6_if_find(const struct mx_v6_facts *f, const char *name)
{
	int i;

	for (i = 0; i < f->nifs; i++)
		if (!strcmp(f->ifs[i].name, name))
			return &f->ifs[i];
	return NULL;
}
