// SPDX-License-Identifier: GPL-2.0
/* The evaluation half of the rule model (fw_model.h): how one rule relates
 * to a packet (fw_rule_fit) and where a packet ends when it walks a base
 * chain, jumps followed and RETURN honoured (fw_walk_chain). */
#include <arpa/inet.h>
#include <string.h>

#include "fw_model.h"

static int ports_has(const struct fw_ports *ps, uint16_t port)
{
	int in = 0;

	for (int i = 0; i < ps->n; i++)
		if (port >= ps->lo[i] && port <= ps->hi[i])
			in = 1;
	return ps->inv ? !in : in;
}

static int addr_in(const struct fw_addr *a, int family, const uint8_t *addr)
{
	int bits = a->plen, i;

	if (a->family != family)
		return 0;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a->addr[i] != addr[i])
			return 0;
	if (bits && ((a->addr[i] ^ addr[i]) & (0xff00 >> bits)))
		return 0;
	return 1;
}

static int ifname_match(const char *pat, const char *name)
{
	size_t n = strlen(pat);

	if (n && pat[n - 1] == '+')
		return !strncmp(pat, name, n - 1);
	return !strcmp(pat, name);
}

/* Docker bridges and container ends: a packet from outside never arrives there. */
static int internal_if(const char *pat)
{
	return !strcmp(pat, "lo") || !strncmp(pat, "br-", 3) || !strncmp(pat, "docker", 6) ||
	       !strncmp(pat, "veth", 4);
}

enum fw_fit fw_rule_fit(const struct fw_rule *r, const struct fw_packet *p)
{
	const struct fw_match *m = &r->m;
	int cond = 0;

	if (m->proto >= 0 && ((m->proto == p->proto) == !!m->proto_inv))
		return FW_FIT_NO;
	if (m->src.set && m->src.plen) {
		if (m->src.family != p->family)
			return FW_FIT_NO;
		if (p->saddr_any)
			cond = 1;
		else if (addr_in(&m->src, p->family, p->saddr) == !!m->src.inv)
			return FW_FIT_NO;
	}
	if (m->dst.set && m->dst.plen && !p->daddr_any) {
		if (m->dst.family != p->family)
			return FW_FIT_NO;
		if (addr_in(&m->dst, p->family, p->daddr) == !!m->dst.inv)
			return FW_FIT_NO;
	}
	if (m->iif[0]) {
		if (p->iif[0]) {
			if (ifname_match(m->iif, p->iif) == !!m->iif_inv)
				return FW_FIT_NO;
		} else if (internal_if(m->iif)) {
			if (!m->iif_inv)
				return FW_FIT_NO;
		} else {
			cond = 1; /* depends on which uplink it arrives */
		}
	}
	if (m->oif[0]) {
		if (!p->oif[0])
			return FW_FIT_NO;
		if (ifname_match(m->oif, p->oif) == !!m->oif_inv)
			return FW_FIT_NO;
	}
	if (m->dport.n && !ports_has(&m->dport, p->dport))
		return FW_FIT_NO;
	if (m->ct_origdport.n &&
	    !ports_has(&m->ct_origdport, p->orig_dport ? p->orig_dport : p->dport))
		return FW_FIT_NO;
	if (m->sport.n)
		cond = 1;
	if (m->ctstate && (!!(m->ctstate & FW_CT_NEW) == !!m->ctstate_inv))
		return FW_FIT_NO;
	if (m->addrtype_dst_local && ((m->addrtype_dst_local > 0) != !!p->dst_local))
		return FW_FIT_NO;
	if (m->unknown)
		return FW_FIT_UNKNOWN;
	return cond ? FW_FIT_CONDITIONAL : FW_FIT_YES;
}

static void add_step(struct fw_walk *w, const struct fw_table *t, const struct fw_chain *c,
		     const struct fw_rule *r, enum fw_fit fit)
{
	if (w->nsteps >= FW_MAX_STEPS) {
		w->truncated = 1;
		return;
	}
	w->steps[w->nsteps++] = (struct fw_step){t, c, r, fit};
}

/* Returns 1 when a verdict ended the walk, 0 when the chain returned. */
static int walk(const struct fw_table *t, const struct fw_chain *c, const struct fw_packet *p,
		struct fw_walk *w, int cond, int depth)
{
	if (depth > 16)
		return 0;
	for (int i = 0; i < c->nrules; i++) {
		const struct fw_rule *r = &c->rules[i];
		enum fw_fit fit = fw_rule_fit(r, p);
		int sure = fit == FW_FIT_YES && !cond;

		if (fit == FW_FIT_NO)
			continue;
		switch (r->verdict) {
		case FW_V_JUMP:
		case FW_V_GOTO: {
			const struct fw_chain *to = fw_chain_find(t, r->target);

			if (to && walk(t, to, p, w, !sure, depth + 1))
				return 1;
			if (sure && r->verdict == FW_V_GOTO)
				return 0;
			break;
		}
		case FW_V_ACCEPT:
		case FW_V_DROP:
		case FW_V_REJECT:
			add_step(w, t, c, r, sure ? FW_FIT_YES : fit);
			if (sure) {
				w->verdict = r->verdict;
				w->final = w->nsteps - 1;
				return 1;
			}
			break;
		case FW_V_RETURN:
			if (sure)
				return 0;
			break;
		default:
			break;
		}
	}
	if (c->base && !cond) {
		add_step(w, t, c, NULL, FW_FIT_YES);
		w->verdict = c->policy;
		w->final = w->nsteps - 1;
		return 1;
	}
	return 0;
}

void fw_walk_chain(const struct fw_table *t, const struct fw_chain *c, const struct fw_packet *p,
		   struct fw_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->verdict = FW_V_ACCEPT;
	w->final = -1;
	walk(t, c, p, w, 0, 0);
}
