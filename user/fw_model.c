// SPDX-License-Identifier: GPL-2.0
/* The rule model of fw_model.h: building, lookups, rendering, and the
 * legacy tables' names. The evaluation against a packet is in
 * fw_model_walk.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_model.h"
#include "sysroot.h"

const char *fw_family_name(int family)
{
	switch (family) {
	case 1:
		return "inet";
	case 2:
		return "ip";
	case 3:
		return "arp";
	case 5:
		return "netdev";
	case 7:
		return "bridge";
	case 10:
		return "ip6";
	default:
		return "unknown";
	}
}

const char *fw_verdict_name(enum fw_verdict v)
{
	static const char *const n[] = {"none", "ACCEPT", "DROP", "REJECT", "RETURN", "JUMP",
					"GOTO", "DNAT",	  "SNAT", "QUEUE",  "OTHER"};
	return (unsigned)v < sizeof(n) / sizeof(n[0]) ? n[v] : "?";
}

const char *fw_hook_name(int hook)
{
	static const char *const n[] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
	return (unsigned)hook < 5 ? n[hook] : "?";
}

void fw_ruleset_init(struct fw_ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
}

void fw_ruleset_free(struct fw_ruleset *rs)
{
	for (int i = 0; i < rs->ntables; i++) {
		for (int j = 0; j < rs->tables[i].nchains; j++)
			free(rs->tables[i].chains[j].rules);
		free(rs->tables[i].chains);
	}
	free(rs->tables);
	memset(rs, 0, sizeof(*rs));
}

/* Grows *arr (of n elements of size sz) by one zeroed element. */
static void *grow(void **arr, int *n, size_t sz)
{
	void *p = realloc(*arr, (size_t)(*n + 1) * sz);

	if (!p)
		return NULL;
	*arr = p;
	p = (char *)p + (size_t)*n * sz;
	memset(p, 0, sz);
	(*n)++;
	return p;
}

static int is_xt_name(const char *name)
{
	static const char *const n[] = {"filter", "nat", "mangle", "raw", "security"};

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (!strcmp(name, n[i]))
			return 1;
	return 0;
}

struct fw_table *fw_table_add(struct fw_ruleset *rs, enum fw_backend b, int family,
			      const char *name)
{
	struct fw_table *t = grow((void **)&rs->tables, &rs->ntables, sizeof(*t));

	if (!t)
		return NULL;
	t->backend = b;
	t->family = family;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->xt = b == FW_LEGACY || ((family == 2 || family == 10) && is_xt_name(name));
	return t;
}

struct fw_chain *fw_chain_add(struct fw_table *t, const char *name)
{
	struct fw_chain *c = grow((void **)&t->chains, &t->nchains, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->hook = -1;
	c->policy = FW_V_ACCEPT;
	return c;
}

struct fw_rule *fw_rule_add(struct fw_chain *c)
{
	struct fw_rule *r = grow((void **)&c->rules, &c->nrules, sizeof(*r));

	if (!r)
		return NULL;
	r->pos = c->nrules;
	fw_match_init(&r->m);
	return r;
}

void fw_match_init(struct fw_match *m)
{
	memset(m, 0, sizeof(*m));
	m->proto = -1;
}

struct fw_table *fw_table_find(const struct fw_ruleset *rs, enum fw_backend b, int family,
			       const char *name)
{
	for (int i = 0; i < rs->ntables; i++) {
		struct fw_table *t = &rs->tables[i];

		if (t->backend == b && t->family == family && !strcmp(t->name, name))
			return t;
	}
	return NULL;
}

struct fw_chain *fw_chain_find(const struct fw_table *t, const char *name)
{
	if (!t)
		return NULL;
	for (int i = 0; i < t->nchains; i++)
		if (!strcmp(t->chains[i].name, name))
			return &t->chains[i];
	return NULL;
}

const struct fw_rule *fw_rule_by_handle(const struct fw_ruleset *rs, int family, const char *table,
					const char *chain, uint64_t handle)
{
	const struct fw_chain *c = fw_chain_find(fw_table_find(rs, FW_NFT, family, table), chain);

	for (int i = 0; c && i < c->nrules; i++)
		if (c->rules[i].handle == handle)
			return &c->rules[i];
	return NULL;
}

static void addr_str(const struct fw_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	snprintf(buf, len, "%s/%d", ip, a->plen); /* as iptables-save writes it */
}

static void cat(char *buf, size_t len, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, fmt, a, b);
}

void fw_rule_nat_to(struct fw_rule *r, int af, const char *ip, int has_port, uint16_t pmin,
		    uint16_t pmax)
{
	/* An IPv6 address before a port is bracketed. */
	int br = af == AF_INET6 && ip[0];

	if (!has_port)
		snprintf(r->nat_to, sizeof(r->nat_to), "%s", ip);
	else if (pmin == pmax)
		snprintf(r->nat_to, sizeof(r->nat_to), "%s%s%s:%u", br ? "[" : "", ip,
			 br ? "]" : "", pmin);
	else
		snprintf(r->nat_to, sizeof(r->nat_to), "%s%s%s:%u-%u", br ? "[" : "", ip,
			 br ? "]" : "", pmin, pmax);
}

void fw_rule_render(const struct fw_table *t, struct fw_rule *r, const char *extra)
{
	char a[64], *out = r->text;
	size_t len = sizeof(r->text);
	const struct fw_match *m = &r->m;

	out[0] = 0;
	if (t->xt) {
		/* iptables-save order: -s -d -i -o -p, the matches, the target. */
		if (m->src.set) {
			addr_str(&m->src, a, sizeof(a));
			cat(out, len, "%s-s %s ", m->src.inv ? "! " : "", a);
		}
		if (m->dst.set) {
			addr_str(&m->dst, a, sizeof(a));
			cat(out, len, "%s-d %s ", m->dst.inv ? "! " : "", a);
		}
		if (m->iif[0])
			cat(out, len, "%s-i %s ", m->iif_inv ? "! " : "", m->iif);
		if (m->oif[0])
			cat(out, len, "%s-o %s ", m->oif_inv ? "! " : "", m->oif);
		if (m->proto >= 0) {
			const char *pn = m->proto == IPPROTO_TCP    ? "tcp"
					 : m->proto == IPPROTO_UDP  ? "udp"
					 : m->proto == IPPROTO_ICMP ? "icmp"
					 : m->proto == 58	    ? "ipv6-icmp"
								    : NULL;
			if (pn) {
				cat(out, len, "%s-p %s ", m->proto_inv ? "! " : "", pn);
			} else {
				snprintf(a, sizeof(a), "%d", m->proto);
				cat(out, len, "%s-p %s ", m->proto_inv ? "! " : "", a);
			}
		}
		if (extra && *extra)
			cat(out, len, "%s%s", extra, " ");
		switch (r->verdict) {
		case FW_V_NONE: /* LOG, MARK...: the walk goes on */
			if (r->target[0])
				cat(out, len, "-j %s%s", r->target, "");
			break;
		case FW_V_JUMP:
		case FW_V_GOTO:
			cat(out, len, "%s %s", r->verdict == FW_V_GOTO ? "-g" : "-j", r->target);
			break;
		case FW_V_ACCEPT:
		case FW_V_DROP:
		case FW_V_RETURN:
			if (!r->target[0]) {
				cat(out, len, "-j %s%s", fw_verdict_name(r->verdict), "");
				break;
			}
			__attribute__((fallthrough));
		default:
			cat(out, len, "-j %s%s",
			    r->target[0] ? r->target : fw_verdict_name(r->verdict), "");
			if (r->target_opts[0])
				cat(out, len, " %s%s", r->target_opts, "");
		}
	} else {
		/* nft syntax: the decoder wrote the expressions in order. */
		if (extra && *extra)
			cat(out, len, "%s%s", extra, " ");
		switch (r->verdict) {
		case FW_V_NONE:
			break;
		case FW_V_JUMP:
			cat(out, len, "jump %s%s", r->target, "");
			break;
		case FW_V_GOTO:
			cat(out, len, "goto %s%s", r->target, "");
			break;
		case FW_V_ACCEPT:
			cat(out, len, "%s%s", "accept", "");
			break;
		case FW_V_DROP:
			cat(out, len, "%s%s", "drop", "");
			break;
		case FW_V_RETURN:
			cat(out, len, "%s%s", "return", "");
			break;
		default:
			if (r->target_opts[0])
				cat(out, len, "%s%s", r->target_opts, "");
			else
				cat(out, len, "%s%s", r->target[0] ? r->target : "?", "");
		}
	}
	/* no trailing blank */
	size_t n = strlen(out);
	while (n && out[n - 1] == ' ')
		out[--n] = 0;
}

void fw_rule_where(const struct fw_table *t, const struct fw_chain *c, const struct fw_rule *r,
		   char *buf, size_t len)
{
	const char *fam = t->backend == FW_LEGACY
			      ? (t->family == 10 ? "ip6 (legacy)" : "ip (legacy)")
			      : fw_family_name(t->family);
	if (!r)
		snprintf(buf, len, "%s %s %s policy", fam, t->name, c->name);
	else if (r->handle)
		snprintf(buf, len, "%s %s %s rule %d (handle %llu)", fam, t->name, c->name, r->pos,
			 (unsigned long long)r->handle);
	else
		snprintf(buf, len, "%s %s %s rule %d", fam, t->name, c->name, r->pos);
}

/* Legacy tables exist in a namespace only once something used them; asking
 * libiptc for one that is not listed here would create it. */
static int legacy_names(struct fw_ruleset *rs, const char *file,
			int (*load)(struct fw_ruleset *, const char *))
{
	char buf[512], *save = NULL;
	ssize_t n = mx_read_file(file, buf, sizeof(buf));
	int rc = 0;

	if (n < 0)
		return n == -ENOENT ? 0 : -1; /* no legacy xtables in this kernel */
	for (char *name = strtok_r(buf, "\n", &save); name; name = strtok_r(NULL, "\n", &save))
		if (load(rs, name) < 0)
			rc = -1;
	return rc;
}

int fw_legacy_load(struct fw_ruleset *rs)
{
	int a = legacy_names(rs, "/proc/net/ip_tables_names", fw_legacy4_load_table);
	int b = legacy_names(rs, "/proc/net/ip6_tables_names", fw_legacy6_load_table);

	return a < 0 || b < 0 ? -1 : 0;
}
