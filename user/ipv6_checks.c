// SPDX-License-Identifier: GPL-2.0
/* The ipv6 group (part of `check`): host settings that break mailcow's
 * IPv6. Each reads through --sysroot, so a collected bundle or a unit-test
 * fixture gives the same verdict as the live host. */
#include <ctype.h>
#include <dirent.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ipv6_facts.h"
#include "sysroot.h"

/* ipv6.ra: with forwarding on, the kernel only accepts router
 * advertisements when accept_ra = 2; an uplink that gets its default route
 * by RA then keeps it only until the route's lifetime runs out (mailcow
 * #3213, #744). Docker turns forwarding on when it creates an IPv6 network,
 * which mailcow's is unless ENABLE_IPV6=false. */
static void check_ra(struct mx_ctx *ctx, struct mx_result *r)
{
	static struct mx_v6_facts f;
	int enable = ctx->cfg->mc.enable_ipv6; /* -1: compose's default, true */
	int i, ra_routes = 0;
	char last_ra[IF_NAMESIZE] = "";

	mx_v6_facts_read(&f);
	if (!f.present) {
		mx_result_set(r, MX_SKIP,
			      "IPv6 is disabled in this kernel (no /proc/sys/net/ipv6)");
		return;
	}
	mx_data_int(r, "all_forwarding", f.all_forwarding);
	for (i = 0; i < f.nroutes; i++) {
		const struct mx_v6_route *rt = &f.routes[i];
		const struct mx_v6_if *in = mx_v6_if_find(&f, rt->ifname);
		int fwd, ra;
		char exp[48] = "";

		if (!rt->from_ra)
			continue;
		ra_routes++;
		snprintf(last_ra, sizeof(last_ra), "%s", rt->ifname);
		fwd = in ? in->forwarding : f.all_forwarding;
		ra = in ? in->accept_ra : -1;
		mx_data_str(r, "interface", rt->ifname);
		mx_data_str(r, "gateway", rt->gateway);
		mx_data_int(r, "forwarding", fwd);
		mx_data_int(r, "accept_ra", ra);
		if (rt->expires_s >= 0) {
			mx_data_int(r, "route_expires_seconds", rt->expires_s);
			snprintf(exp, sizeof(exp), " (it expires in %ld s)", rt->expires_s);
		}
		if (ra == 2)
			continue;
		if (fwd == 1) {
			mx_result_set(
			    r, MX_FAIL,
			    "%s gets its IPv6 default route from router advertisements, but "
			    "forwarding=1 and accept_ra=%d: the kernel ignores RAs now, the route "
			    "will not be renewed%s",
			    rt->ifname, ra, exp);
			mx_result_remedy(
			    r,
			    "sysctl -w net.ipv6.conf.%s.accept_ra=2 and put "
			    "net.ipv6.conf.%s.accept_ra = 2 in /etc/sysctl.d/99-mailcow.conf",
			    rt->ifname, rt->ifname);
			return;
		}
		if (enable != 0) {
			mx_result_set(
			    r, MX_WARN,
			    "%s gets its IPv6 default route from router advertisements with "
			    "accept_ra=%d: once Docker enables IPv6 forwarding for mailcow's "
			    "network, the kernel drops that route and ignores further RAs",
			    rt->ifname, ra);
			mx_result_remedy(
			    r,
			    "put net.ipv6.conf.%s.accept_ra = 2 in /etc/sysctl.d/99-mailcow.conf "
			    "and run sysctl --system before starting mailcow",
			    rt->ifname);
			return;
		}
	}
	if (ra_routes) {
		const struct mx_v6_if *in = mx_v6_if_find(&f, last_ra);

		if (in && in->accept_ra == 2)
			mx_result_set(
			    r, MX_PASS,
			    "%s gets its IPv6 default route from router advertisements with "
			    "accept_ra=2: kept when forwarding is on",
			    last_ra);
		else
			mx_result_set(r, MX_PASS,
				      "%s gets its IPv6 default route from router advertisements; "
				      "forwarding is off and ENABLE_IPV6=false keeps it so",
				      last_ra);
		return;
	}
	/* No RA route: has it been lost already? SLAAC addresses (not
	 * permanent) show that the uplink used to take RAs. */
	if (f.routes_known && !f.nroutes && f.all_forwarding == 1) {
		for (i = 0; i < f.naddrs; i++) {
			const struct mx_v6_addr *a = &f.addrs[i];
			const struct mx_v6_if *in = mx_v6_if_find(&f, a->ifname);

			/* Still in DAD counts too: it came from an RA. */
			if (!a->gua || a->permanent || !in || in->accept_ra == 2)
				continue;
			mx_data_str(r, "interface", a->ifname);
			mx_result_set(
			    r, MX_FAIL,
			    "no IPv6 default route although %s has the SLAAC address %s: "
			    "forwarding=1 with accept_ra=%d makes the kernel drop RA routes and "
			    "ignore router advertisements",
			    a->ifname, a->addr, in->accept_ra);
			mx_result_remedy(
			    r,
			    "sysctl -w net.ipv6.conf.%s.accept_ra=2 (and persist it in "
			    "/etc/sysctl.d/99-mailcow.conf)",
			    a->ifname);
			return;
		}
	}
	if (!f.routes_known)
		mx_result_set(r, MX_SKIP, "IPv6 routes could not be read");
	else if (f.nroutes)
		mx_result_set(r, MX_PASS,
			      "IPv6 default route is static (not from router advertisements)");
	else
		mx_result_set(r, MX_PASS,
			      "no IPv6 default route, none expected from router advertisements");
}

/* ipv6.alias: Hetzner Cloud's cloud-init writes IPv6 onto eth0:0, which
 * ifupdown configures, but Docker and mailcow then see no IPv6 on eth0
 * (seed: "change the IPv6 interface from eth0:0 to eth0"). */
struct alias_hit {
	char file[PATH_MAX];
	int line;
	char iface[64];
};

struct scan {
	struct alias_hit *hit;
	int files;
};

static int scan_file(const char *path, struct scan *sc, int depth);

/* run-parts(8) names, which is what source-directory reads. */
static int run_parts_name(const char *n)
{
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_' && *n != '-')
			return 0;
	return 1;
}

/* A path as the system sees it, from one under --sysroot. */
static const char *unroot(const char *full)
{
	return mx_sysroot_live() ? full : full + strlen(mx_sysroot());
}

/* "source PATTERN": a glob, relative to /etc/network. */
static int scan_source(const char *pat, struct scan *sc, int depth)
{
	char full[PATH_MAX];
	glob_t g;
	size_t i;
	int found = 0;

	if (!mx_path(full, sizeof(full), "%s%s", pat[0] == '/' ? "" : "/etc/network/", pat))
		return 0;
	if (glob(full, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && !found; i++)
		found = scan_file(unroot(g.gl_pathv[i]), sc, depth + 1);
	globfree(&g);
	return found;
}

/* "source-directory DIR": its run-parts names, sorted. */
static int scan_dir(const char *dir, struct scan *sc, int depth)
{
	char full[PATH_MAX], path[PATH_MAX];
	struct dirent **list = NULL;
	int n, i, found = 0;

	if (!mx_path(full, sizeof(full), "%s%s", dir[0] == '/' ? "" : "/etc/network/", dir))
		return 0;
	n = scandir(full, &list, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (!found && run_parts_name(list[i]->d_name) &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", unroot(full), list[i]->d_name) <
			sizeof(path))
			found = scan_file(path, sc, depth + 1);
		free(list[i]);
	}
	free(list);
	return found;
}

/* One ifupdown file and what it sources, as ifup reads them. */
static int scan_file(const char *path, struct scan *sc, int depth)
{
	char line[512];
	int lineno = 0, found = 0;
	FILE *f;

	if (depth > 4)
		return 0; /* a file that sources itself */
	f = mx_fopen(path, "r");
	if (!f)
		return 0;
	sc->files++;
	while (!found && fgets(line, sizeof(line), f)) {
		char name[64], fam[16], arg[256];

		lineno++;
		if (sscanf(line, " iface %63s %15s", name, fam) == 2 && strchr(name, ':') &&
		    !strcmp(fam, "inet6")) {
			snprintf(sc->hit->file, sizeof(sc->hit->file), "%s", path);
			sc->hit->line = lineno;
			snprintf(sc->hit->iface, sizeof(sc->hit->iface), "%s", name);
			found = 1;
		} else if (sscanf(line, " source-directory %255s", arg) == 1) {
			found = scan_dir(arg, sc, depth);
		} else if (sscanf(line, " source %255s", arg) == 1) {
			found = scan_source(arg, sc, depth);
		}
	}
	fclose(f);
	return found;
}

static void check_alias(struct mx_ctx *ctx, struct mx_result *r)
{
	struct alias_hit hit;
	struct scan sc = {.hit = &hit};
	int files, found;
	char base[64], *colon;

	found = scan_file("/etc/network/interfaces", &sc, 0);
	files = sc.files;
	mx_data_int(r, "files", files);
	if (!files) {
		mx_result_set(r, MX_SKIP, "no /etc/network/interfaces (ifupdown not used)");
		return;
	}
	if (!found) {
		mx_result_set(r, MX_PASS,
			      "IPv6 is not configured on an alias interface (%d ifupdown file%s)",
			      files, files == 1 ? "" : "s");
		return;
	}
	snprintf(base, sizeof(base), "%s", hit.iface);
	colon = strchr(base, ':');
	if (colon)
		*colon = '\0';
	mx_data_str(r, "file", hit.file);
	mx_data_int(r, "line", hit.line);
	mx_data_str(r, "alias", hit.iface);
	mx_result_set(r, MX_FAIL, "%s:%d: IPv6 is configured on the alias %s instead of %s",
		      hit.file, hit.line, hit.iface, base);
	mx_result_remedy(
	    r,
	    "in %s change 'auto %s' / 'iface %s inet6' to 'auto %s' / 'iface %s inet6', "
	    "then restart networking (and stop cloud-init from rewriting it: "
	    "network: {config: disabled} in /etc/cloud/cloud.cfg.d/)",
	    hit.file, hit.iface, hit.iface, base, base);
	(void)ctx;
}

/* ipv6.enable: mailcow.conf's ENABLE_IPV6 against the host. */
static void check_enable(struct mx_ctx *ctx, struct mx_result *r)
{
	static struct mx_v6_facts f;
	const struct mx_mailcow_conf *mc = &ctx->cfg->mc;
	const struct mx_v6_addr *g = NULL;
	int i, has_route, works, enable = mc->enable_ipv6;

	mx_v6_facts_read(&f);
	if (f.present && !f.routes_known) {
		mx_result_set(r, MX_SKIP, "IPv6 routes could not be read");
		return;
	}
	for (i = 0; i < f.naddrs && !g; i++)
		if (f.addrs[i].global)
			g = &f.addrs[i];
	has_route = f.nroutes > 0;
	works = f.present && g && has_route;
	mx_data_bool(r, "host_global_address", !!g);
	mx_data_str(r, "address", g ? g->addr : NULL);
	mx_data_bool(r, "host_default_route", has_route);
	if (!mc->present) {
		mx_result_set(r, MX_SKIP, "no mailcow.conf; the host %s IPv6 (%s)",
			      works ? "has" : "has no working",
			      g ? (has_route ? g->addr : "global address but no default route")
				: "no global address");
		return;
	}
	mx_data_int(r, "enable_ipv6", enable);
	/* mailcow's compose file: enable_ipv6: ${ENABLE_IPV6:-true}. */
	if (enable != 0 && !works) {
		mx_result_set(r, MX_WARN, "ENABLE_IPV6 is %s but the host has %s",
			      enable < 0 ? "unset (true)" : "true",
			      !g ? "no global IPv6 address" : "no IPv6 default route");
		mx_result_remedy(
		    r,
		    "set ENABLE_IPV6=false in %s (containers would try IPv6 and time out), "
		    "or give the host working IPv6; then docker compose down && docker "
		    "compose up -d",
		    mc->path);
		return;
	}
	if (enable == 0 && works) {
		mx_result_set(
		    r, MX_WARN,
		    "ENABLE_IPV6=false but the host has IPv6 (%s): mail over IPv6 reaches no "
		    "container",
		    g->addr);
		mx_result_remedy(
		    r,
		    "set ENABLE_IPV6=true in %s, or publish no AAAA record for the mail "
		    "host",
		    mc->path);
		return;
	}
	mx_result_set(r, MX_PASS, "ENABLE_IPV6=%s matches the host (%s)",
		      enable == 0 ? "false" : "true", works ? g->addr : "no IPv6");
}

static const struct mx_check ipv6_checks[] = {
    {"ipv6.ra", "IPv6 RA + forwarding", check_ra, NULL, 0},
    {"ipv6.alias", "IPv6 on alias", check_alias, NULL, 0},
    {"ipv6.enable", "ENABLE_IPV6", check_enable, NULL, 0},
};

MX_GROUP(mx_group_ipv6, "ipv6", "IPv6", ipv6_checks);
