// SPDX-License-Identifier: GPL-2.0
/* The mail ports Docker publishes, read from its DNAT rules in the nat
 * table of iptables (ip or ip6): host port, container address and port,
 * the bridge. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fw_checks.h"

/* The container's address and port in a DNAT rule's destination as
 * iptables-save writes it (fw_rule_nat_to): "172.22.1.25:25",
 * "172.22.1.25", "[fd00::9]:993", "fd00::9" (an IPv6 address is bracketed
 * only before a port), "10.0.0.1:1000-2000" (the lowest port), an address
 * range "172.22.1.25-172.22.1.27:25", "[fd00::9-fd00::b]:993",
 * "[fd00::9]-[fd00::b]:993" (nft), "fd00::9-fd00::b": ip..last (last = ip
 * and laststr "" for one address). *port is 0 when the rule keeps the port. */
static int parse_to(const char *to, int family, uint8_t *ip, uint16_t *port, char *ipstr,
		    size_t iplen, uint8_t *last, char *laststr, size_t lastlen)
{
	char b[128], a[128];
	char *colon = NULL, *dash;
	size_t k = 0;

	snprintf(b, sizeof(b), "%s", to);
	if (b[0] == '[') {
		char *end = strrchr(b, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		*end = 0;
		colon = end[1] == ':' ? end + 1 : NULL;
	} else if (family == AF_INET) {
		colon = strchr(b, ':');
		if (colon)
			*colon = 0;
	}
	/* else: an unbracketed IPv6 address has no port, its colons are its own */
	for (const char *c = b; *c; c++) /* "[a]-[b" or "[a-b": a-b */
		if (*c != '[' && *c != ']' && k < sizeof(a) - 1)
			a[k++] = *c;
	a[k] = 0;
	dash = strchr(a, '-');
	if (dash)
		*dash = 0;
	if (inet_pton(family, a, ip) != 1)
		return -1;
	memset(last, 0, 16);
	memcpy(last, ip, 16);
	laststr[0] = 0;
	if (dash && strcmp(a, dash + 1)) {
		if (inet_pton(family, dash + 1, last) != 1 ||
		    memcmp(ip, last, family == AF_INET6 ? 16 : 4) > 0)
			return -1;
		snprintf(laststr, lastlen, "%.46s", dash + 1);
	}
	snprintf(ipstr, iplen, "%.46s", a);
	*port = colon ? (uint16_t)atoi(colon + 1) : 0;
	return 0;
}

uint32_t mx_fw_range_size(int af, const uint8_t *first, const uint8_t *last)
{
	int len = af == AF_INET6 ? 16 : 4;
	uint64_t f = 0, l = 0;

	/* the difference fits in 32 bits only when the leading bytes agree */
	for (int i = 0; i < len - 4; i++)
		if (first[i] != last[i])
			return UINT32_MAX;
	for (int i = len - 4; i < len; i++) {
		f = f << 8 | first[i];
		l = l << 8 | last[i];
	}
	return l < f ? 0 : l - f + 1 > UINT32_MAX ? UINT32_MAX : (uint32_t)(l - f + 1);
}

/* When the other iptables backend already publishes p's port (Docker's
 * rules in both iptables-nft and iptables-legacy), p becomes that port's
 * also_*: 1. Two DNATs of one backend for a port (e.g. two host
 * addresses) stay two ports. */
static int also_published(struct mx_fw_pub *out, int n, const struct mx_fw_pub *p)
{
	for (int i = 0; i < n; i++) {
		struct mx_fw_pub *o = &out[i];

		if (o->family != p->family || o->proto != p->proto || o->hport != p->hport ||
		    o->table->backend == p->table->backend || o->also_rule)
			continue;
		o->also_table = p->table;
		o->also_chain = p->chain;
		o->also_rule = p->rule;
		memcpy(o->also_cip, p->cip, sizeof(o->also_cip));
		snprintf(o->also_cip_str, sizeof(o->also_cip_str), "%s", p->cip_str);
		memcpy(o->also_cip_last, p->cip_last, sizeof(o->also_cip_last));
		snprintf(o->also_cip_last_str, sizeof(o->also_cip_last_str), "%s", p->cip_last_str);
		o->also_cport = p->cport;
		snprintf(o->also_bridge, sizeof(o->also_bridge), "%s", p->bridge);
		return 1;
	}
	return 0;
}

int mx_fw_published(const struct fw_ruleset *rs, const struct mx_config *cfg, int family,
		    struct mx_fw_pub *out, int max)
{
	int n = 0, nf = family == AF_INET6 ? 10 : 2;

	for (int i = 0; i < rs->ntables; i++) {
		const struct fw_table *t = &rs->tables[i];

		if (!t->xt || t->family != nf || strcmp(t->name, "nat"))
			continue;
		for (int j = 0; j < t->nchains; j++) {
			const struct fw_chain *c = &t->chains[j];

			for (int k = 0; k < c->nrules; k++) {
				const struct fw_rule *r = &c->rules[k];
				struct mx_fw_pub p = {0};

				if (r->verdict != FW_V_DNAT || r->m.dport.n != 1 ||
				    r->m.dport.inv || r->m.dport.lo[0] != r->m.dport.hi[0] ||
				    !r->nat_to[0])
					continue;
				p.family = family;
				p.proto = r->m.proto >= 0 ? r->m.proto : IPPROTO_TCP;
				p.hport = r->m.dport.lo[0];
				if (parse_to(r->nat_to, family, p.cip, &p.cport, p.cip_str,
					     sizeof(p.cip_str), p.cip_last, p.cip_last_str,
					     sizeof(p.cip_last_str)))
					continue;
				if (!p.cport)
					p.cport = p.hport;
				if (r->m.iif[0] && r->m.iif_inv)
					snprintf(p.bridge, sizeof(p.bridge), "%s", r->m.iif);
				for (int q = 0; q < cfg->nports; q++)
					if (cfg->ports[q].port == p.hport &&
					    (cfg->ports[q].proto & MX_TCP) &&
					    p.proto == IPPROTO_TCP)
						p.name = cfg->ports[q].name;
				if (!p.name)
					continue;
				p.known = 1;
				p.table = t;
				p.chain = c;
				p.rule = r;
				if (also_published(out, n, &p))
					continue;
				if (n < max)
					out[n++] = p;
			}
		}
	}
	return n;
}

struct mx_fw_pub *mx_fw_pubs(const struct fw_ruleset *rs, const struct mx_config *cfg, int family,
			     int *n)
{
	struct mx_fw_pub *p = calloc(MX_FW_MAX_PUB, sizeof(*p));

	*n = p ? mx_fw_published(rs, cfg, family, p, MX_FW_MAX_PUB) : 0;
	return p;
}
