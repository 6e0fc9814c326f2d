// SPDX-License-Identifier: GPL-2.0
/* DNAT lookups over the firewall model. fw_walk_chain() decides filter
 * verdicts and passes over DNAT; here DNAT is what ends the walk, as it does
 * in a nat chain: the first DNAT rule that fits, following jumps, stopping
 * at an ACCEPT or RETURN that fits every such packet. */
#include <string.h>
#include <netinet/in.h>

#include "nat_dnat.h"

int mx_dnat_read(struct mx_dnat_list *l, const char *record)
{
	int rc = 0;

	fw_ruleset_init(&l->rs);
	l->loaded = 1;
	if (fw_nft_load(&l->rs) < 0)
		rc = -1;
	if (record)
		fw_nft_record(record);
	if (fw_legacy_load(&l->rs) < 0)
		rc = -1;
	return rc;
}

int mx_dnat_parse(struct mx_dnat_list *l, const void *buf, size_t len)
{
	fw_ruleset_init(&l->rs);
	l->loaded = 1;
	return fw_nft_parse(&l->rs, buf, len);
}

void mx_dnat_free(struct mx_dnat_list *l)
{
	if (l->loaded)
		fw_ruleset_free(&l->rs);
	memset(l, 0, sizeof(*l));
}

static int walk(const struct fw_table *t, const struct fw_chain *c, const struct fw_packet *p,
		int cond, int depth, struct mx_dnat *d)
{
	int i;

	if (depth > 16)
		return -1;
	for (i = 0; i < c->nrules; i++) {
		const struct fw_rule *r = &c->rules[i];
		enum fw_fit fit = fw_rule_fit(r, p);
		int sure = fit == FW_FIT_YES && !cond, ret;

		if (fit == FW_FIT_NO)
			continue;
		switch (r->verdict) {
		case FW_V_DNAT:
			d->table = t;
			d->chain = c;
			d->rule = r;
			d->fit = sure ? FW_FIT_YES : fit == FW_FIT_YES ? FW_FIT_CONDITIONAL : fit;
			return 1;
		case FW_V_JUMP:
		case FW_V_GOTO: {
			const struct fw_chain *to = fw_chain_find(t, r->target);

			ret = to ? walk(t, to, p, !sure || cond, depth + 1, d) : 0;
			if (ret)
				return ret;
			if (sure && r->verdict == FW_V_GOTO)
				return -1;
			break;
		}
		case FW_V_ACCEPT:
		case FW_V_DROP:
		case FW_V_REJECT:
			/* The nat table is done with this packet. */
			if (sure)
				return -1;
			break;
		case FW_V_RETURN:
			if (sure)
				return 0;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Base chains in nat PREROUTING, lowest priority first (the order the
 * kernel runs them in): the first DNAT wins. */
static int lookup_family(const struct mx_dnat_list *l, const struct fw_packet *p, struct mx_dnat *d)
{
	int nfam = p->family == AF_INET6 ? 10 : 2;
	int ti, ci, best_prio = 0, found = 0;
	struct mx_dnat cand;

	for (ti = 0; ti < l->rs.ntables; ti++) {
		const struct fw_table *t = &l->rs.tables[ti];

		if (t->family != nfam && t->family != 1 /* inet */)
			continue;
		for (ci = 0; ci < t->nchains; ci++) {
			const struct fw_chain *c = &t->chains[ci];

			if (!c->base || c->hook != FW_HOOK_PREROUTING || strcmp(c->type, "nat"))
				continue;
			memset(&cand, 0, sizeof(cand));
			if (walk(t, c, p, 0, 0, &cand) == 1 && (!found || c->prio < best_prio)) {
				*d = cand;
				best_prio = c->prio;
				found = 1;
			}
		}
	}
	return found;
}

int mx_dnat_lookup(const struct mx_dnat_list *l, int family, int proto, const __u8 *addr,
		   __u16 port, struct mx_dnat *d)
{
	struct fw_packet p;

	if (!l->loaded)
		return 0;
	memset(&p, 0, sizeof(p));
	memset(d, 0, sizeof(*d));
	p.family = family;
	p.proto = proto;
	p.saddr_any = 1;
	p.iif_any = 1;
	p.dst_local = 1;
	p.dport = port;
	if (addr)
		memcpy(p.daddr, addr, family == AF_INET6 ? 16 : 4);
	else
		p.daddr_any = 1;
	return lookup_family(l, &p, d);
}

const char *mx_dnat_to(const struct mx_dnat *d)
{
	return d->rule && d->rule->nat_to[0] ? d->rule->nat_to : "?";
}

const char *mx_dnat_fit_name(enum fw_fit fit)
{
	switch (fit) {
	case FW_FIT_YES:
		return "always";
	case FW_FIT_CONDITIONAL:
		return "some sources or interfaces";
	case FW_FIT_UNKNOWN:
		return "unknown (criteria not evaluated)";
	default:
		return "no";
	}
}
