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
 * only before a port), "10.0.0.1:1000-2000" (the lowest port). *port is 0
 * when the rule keeps the port. */
static int parse_to(const char *to, int family, uint8_t *ip, uint16_t *port, char *ipstr,
		    size_t iplen)
{
	char b[64];
	char *colon = NULL;

	snprintf(b, sizeof(b), "%s", to);
	if (b[0] == '[') {
		char *end = strchr(b, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		*end = 0;
		colon = end[1] == ':' ? end + 1 : NULL;
		memmove(b, b + 1, strlen(b + 1) + 1);
	} else if (family == AF_INET) {
		colon = strchr(b, ':');
		if (colon)
			*colon = 0;
	}
	/* else: an unbracketed IPv6 address has no port, its colons are its own */
	if (inet_pton(family, b, ip) != 1)
		return -1;
	snprintf(ipstr, iplen, "%.46s", b);
	*port = colon ? (uint16_t)atoi(colon + 1) : 0;
	return 0;
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
					     sizeof(p.cip_str)))
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
