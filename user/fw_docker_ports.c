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

static int parse_to(const char *to, int family, uint8_t *ip, uint16_t *port, char *ipstr,
		    size_t iplen)
{
	char b[64];
	char *colon;

	snprintf(b, sizeof(b), "%s", to);
	if (b[0] == '[') {
		char *end = strchr(b, ']');
		if (!end)
			return -1;
		*end = 0;
		colon = end[1] == ':' ? end + 1 : NULL;
		memmove(b, b + 1, strlen(b + 1) + 1);
	} else {
		colon = strrchr(b, ':');
		if (colon)
			*colon = 0;
	}
	if (inet_pton(family, b, ip) != 1)
		return -1;
	snprintf(ipstr, iplen, "%.46s", b);
	*port = colon ? (uint16_t)atoi(colon + 1) : 0;
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
