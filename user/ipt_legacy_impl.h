/* SPDX-License-Identifier: GPL-2.0 */
/* Reads one legacy x_tables table into the model through libiptc, which
 * asks the kernel with getsockopt(IPT_SO_GET_INFO / IPT_SO_GET_ENTRIES) and
 * splits the blob into chains. Included by ipt_legacy4.c and ipt_legacy6.c
 * with the family's names defined (libiptc's v4 and v6 headers cannot be
 * used in one file). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fw_model.h"

static int L(plen)(const uint8_t *mask, int n)
{
	int bits = 0;

	for (int i = 0; i < n; i++)
		bits += __builtin_popcount(mask[i]);
	return bits;
}

static void L(iface)(char *dst, const char *name, const unsigned char *mask)
{
	size_t n = strnlen(name, IFNAMSIZ);

	/* "eth+" is stored as "eth" with a mask over the prefix only. */
	snprintf(dst, 16, "%.*s%s", (int)n, name, n && n < IFNAMSIZ && !mask[n] ? "+" : "");
}

static int L(hook_of)(const char *chain)
{
	static const char *const n[] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};

	for (int i = 0; i < 5; i++)
		if (!strcmp(chain, n[i]))
			return i;
	return -1;
}

static int L(table_prio)(const char *table, int hook)
{
	if (!strcmp(table, "raw"))
		return -300;
	if (!strcmp(table, "mangle"))
		return -150;
	if (!strcmp(table, "nat"))
		return hook == FW_HOOK_POSTROUTING || hook == FW_HOOK_INPUT ? 100 : -100;
	if (!strcmp(table, "security"))
		return 50;
	return 0;
}

static void L(rule)(struct fw_table *t, struct fw_chain *c, const struct ENTRY *e,
		    struct xtc_handle *h)
{
	struct fw_rule *r = fw_rule_add(c);
	char extra[384] = "";
	const char *tg;

	if (!r)
		return;
	r->packets = e->counters.pcnt;
	r->bytes = e->counters.bcnt;
	if (L(plen)((const uint8_t *)&e->IP.smsk, ALEN)) {
		r->m.src.set = 1;
		r->m.src.family = AFAM;
		memcpy(r->m.src.addr, &e->IP.src, ALEN);
		r->m.src.plen = L(plen)((const uint8_t *)&e->IP.smsk, ALEN);
		r->m.src.inv = !!(e->IP.invflags & INV_SRC);
	}
	if (L(plen)((const uint8_t *)&e->IP.dmsk, ALEN)) {
		r->m.dst.set = 1;
		r->m.dst.family = AFAM;
		memcpy(r->m.dst.addr, &e->IP.dst, ALEN);
		r->m.dst.plen = L(plen)((const uint8_t *)&e->IP.dmsk, ALEN);
		r->m.dst.inv = !!(e->IP.invflags & INV_DST);
	}
	if (e->IP.iniface[0]) {
		L(iface)(r->m.iif, e->IP.iniface, e->IP.iniface_mask);
		r->m.iif_inv = !!(e->IP.invflags & INV_IN);
	}
	if (e->IP.outiface[0]) {
		L(iface)(r->m.oif, e->IP.outiface, e->IP.outiface_mask);
		r->m.oif_inv = !!(e->IP.invflags & INV_OUT);
	}
	if (e->IP.proto) {
		r->m.proto = e->IP.proto;
		r->m.proto_inv = !!(e->IP.invflags & INV_PROTO);
	}
	for (unsigned off = sizeof(*e); off + sizeof(struct xt_entry_match) <= e->target_offset;) {
		const struct xt_entry_match *mt = (const void *)((const char *)e + off);

		if (mt->u.match_size < sizeof(*mt))
			break;
		fw_xt_match(&r->m, FAMILY, mt->u.user.name, mt->u.user.revision, mt->data,
			    mt->u.match_size - sizeof(*mt), extra, sizeof(extra));
		off += mt->u.match_size;
	}
	tg = PFX(get_target)(e, h);
	if (!tg || !*tg) {
		r->verdict = FW_V_NONE;
	} else if (!strcmp(tg, "ACCEPT")) {
		r->verdict = FW_V_ACCEPT;
	} else if (!strcmp(tg, "DROP")) {
		r->verdict = FW_V_DROP;
	} else if (!strcmp(tg, "RETURN")) {
		r->verdict = FW_V_RETURN;
	} else if (!strcmp(tg, "QUEUE")) {
		r->verdict = FW_V_QUEUE;
	} else if (PFX(is_chain)(tg, h)) {
		r->verdict = (e->IP.flags & F_GOTO) ? FW_V_GOTO : FW_V_JUMP;
		snprintf(r->target, sizeof(r->target), "%s", tg);
	} else {
		const struct xt_entry_target *xt =
		    (const void *)((const char *)e + e->target_offset);

		fw_xt_target(r, FAMILY, tg, xt->u.user.revision, xt->data,
			     xt->u.target_size - sizeof(*xt), extra, sizeof(extra));
	}
	fw_rule_render(t, r, extra);
}

int FNAME(struct fw_ruleset *rs, const char *table)
{
	struct xtc_handle *h = PFX(init)(table);
	struct fw_table *t;

	if (!h) {
		if (!rs->err[0])
			snprintf(rs->err, sizeof(rs->err), "%s table %s: %s", FAMNAME, table,
				 PFX(strerror)(errno));
		return -1;
	}
	t = fw_table_add(rs, FW_LEGACY, FAMILY, table);
	for (const char *cn = PFX(first_chain)(h); t && cn; cn = PFX(next_chain)(h)) {
		struct fw_chain *c = fw_chain_add(t, cn);

		if (!c)
			break;
		if (PFX(builtin)(cn, h)) {
			struct xt_counters cnt;
			const char *pol = PFX(get_policy)(cn, &cnt, h);

			c->base = 1;
			c->hook = L(hook_of)(cn);
			c->prio = L(table_prio)(table, c->hook);
			snprintf(c->type, sizeof(c->type), "%s",
				 !strcmp(table, "nat")	    ? "nat"
				 : !strcmp(table, "mangle") ? "route"
							    : "filter");
			c->policy = pol && !strcmp(pol, "DROP") ? FW_V_DROP : FW_V_ACCEPT;
		}
		for (const struct ENTRY *e = PFX(first_rule)(cn, h); e; e = PFX(next_rule)(e, h))
			L(rule)(t, c, e, h);
	}
	PFX(free)(h);
	return 0;
}
