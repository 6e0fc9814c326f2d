// SPDX-License-Identifier: GPL-2.0
/* The decoder of an nf_tables rule's expressions: the register loads, the
 * expressions that decide (immediate verdicts, nat, masq, reject, the xt
 * "target" compat expression) or only annotate (counter, log, xt "match",
 * set lookups). The matching expressions are in nft_expr_match.c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>

#include "nft_expr.h"

static void e_immediate(struct nft_dec *d, struct nftnl_expr *e)
{
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG);
	struct fw_rule *r = d->r;

	if (dreg == NFT_REG_VERDICT) {
		int32_t v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
		const char *chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);

		switch (v) {
		case NF_ACCEPT:
			r->verdict = FW_V_ACCEPT;
			break;
		case NF_DROP:
			r->verdict = FW_V_DROP;
			break;
		case NF_QUEUE:
			r->verdict = FW_V_QUEUE;
			break;
		case NFT_RETURN:
			r->verdict = FW_V_RETURN;
			break;
		case NFT_JUMP:
		case NFT_GOTO:
			r->verdict = v == NFT_JUMP ? FW_V_JUMP : FW_V_GOTO;
			snprintf(r->target, sizeof(r->target), "%s", chain ? chain : "?");
			break;
		default:
			break; /* continue / break */
		}
		return;
	}
	struct nft_reg *rg = nft_reg(d, dreg);
	uint32_t len = 0;
	const void *v = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &len);

	memset(rg, 0, sizeof(*rg));
	rg->kind = R_IMM;
	if (v) {
		rg->dlen = len < 16 ? len : 16;
		memcpy(rg->data, v, rg->dlen);
	}
}

static void e_nat(struct nft_dec *d, struct nftnl_expr *e)
{
	struct fw_rule *r = d->r;
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE);
	uint32_t fam = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY);
	char ip[INET6_ADDRSTRLEN] = "";
	uint16_t port = 0;

	r->verdict = type == NFT_NAT_DNAT ? FW_V_DNAT : FW_V_SNAT;
	snprintf(r->target, sizeof(r->target), "%s", type == NFT_NAT_DNAT ? "DNAT" : "SNAT");
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN)) {
		struct nft_reg *rg = nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN));
		if (rg->kind == R_IMM)
			inet_ntop(fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET, rg->data, ip,
				  sizeof(ip));
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN)) {
		struct nft_reg *rg =
		    nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN));
		if (rg->kind == R_IMM && rg->dlen >= 2)
			port = (uint16_t)(rg->data[0] << 8 | rg->data[1]);
	}
	fw_rule_nat_to(r, fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET, ip, port != 0, port, port);
	if (d->t->xt)
		snprintf(r->target_opts, sizeof(r->target_opts), "--to-%s %s",
			 type == NFT_NAT_DNAT ? "destination" : "source", r->nat_to);
	else
		snprintf(r->target_opts, sizeof(r->target_opts), "%s to %s",
			 type == NFT_NAT_DNAT ? "dnat" : "snat", r->nat_to);
}

static void e_xt(struct nft_dec *d, struct nftnl_expr *e, int target)
{
	uint32_t len = 0;
	const char *name = nftnl_expr_get_str(e, target ? NFTNL_EXPR_TG_NAME : NFTNL_EXPR_MT_NAME);
	uint32_t rev = nftnl_expr_get_u32(e, target ? NFTNL_EXPR_TG_REV : NFTNL_EXPR_MT_REV);
	const void *info =
	    nftnl_expr_get(e, target ? NFTNL_EXPR_TG_INFO : NFTNL_EXPR_MT_INFO, &len);
	char txt[256] = "";

	if (!name)
		return;
	if (target) {
		fw_xt_target(d->r, d->t->family, name, (int)rev, info, info ? len : 0, txt,
			     sizeof(txt));
		if (!d->t->xt && !d->r->target_opts[0])
			snprintf(d->r->target_opts, sizeof(d->r->target_opts), "xt target %s",
				 name);
	} else {
		fw_xt_match(&d->r->m, d->t->family, name, (int)rev, info, info ? len : 0, txt,
			    sizeof(txt));
		nft_say(d, "%s", d->t->xt ? txt : name);
	}
}

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct nft_dec *d = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	struct fw_rule *r = d->r;

	if (!name)
		return MNL_CB_OK;
	if (!strcmp(name, "payload")) {
		struct nft_reg *rg = nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG));

		memset(rg, 0, sizeof(*rg));
		rg->kind = R_PAYLOAD;
		rg->base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
		rg->off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
		rg->len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	} else if (!strcmp(name, "meta")) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
			struct nft_reg *rg =
			    nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG));

			memset(rg, 0, sizeof(*rg));
			rg->kind = R_META;
			rg->key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
		} else {
			nft_say(d, d->t->xt ? "" : "meta set");
		}
	} else if (!strcmp(name, "ct")) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG)) {
			struct nft_reg *rg = nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG));

			memset(rg, 0, sizeof(*rg));
			rg->kind = R_CT;
			rg->key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
		}
	} else if (!strcmp(name, "bitwise")) {
		struct nft_reg *s = nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
		struct nft_reg *dr = nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG));
		uint32_t len = 0;
		const void *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);
		struct nft_reg tmp = *s;

		tmp.masked = 1;
		memset(tmp.mask, 0, sizeof(tmp.mask));
		if (mask)
			memcpy(tmp.mask, mask, len < 16 ? len : 16);
		*dr = tmp;
	} else if (!strcmp(name, "cmp")) {
		nft_cmp(d, e);
	} else if (!strcmp(name, "range")) {
		nft_range(d, e);
	} else if (!strcmp(name, "immediate")) {
		e_immediate(d, e);
	} else if (!strcmp(name, "counter")) {
		r->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		r->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
		if (!d->t->xt)
			nft_say(d, "counter packets %llu bytes %llu",
				(unsigned long long)r->packets, (unsigned long long)r->bytes);
	} else if (!strcmp(name, "match")) {
		e_xt(d, e, 0);
	} else if (!strcmp(name, "target")) {
		e_xt(d, e, 1);
	} else if (!strcmp(name, "nat")) {
		e_nat(d, e);
	} else if (!strcmp(name, "masq")) {
		r->verdict = FW_V_SNAT;
		snprintf(r->target, sizeof(r->target), "MASQUERADE");
		if (!d->t->xt)
			snprintf(r->target_opts, sizeof(r->target_opts), "masquerade");
	} else if (!strcmp(name, "reject")) {
		r->verdict = FW_V_REJECT;
		snprintf(r->target, sizeof(r->target), "REJECT");
		if (!d->t->xt)
			snprintf(r->target_opts, sizeof(r->target_opts), "reject");
	} else if (!strcmp(name, "log")) {
		nft_say(d, d->t->xt ? "-j LOG" : "log");
	} else if (!strcmp(name, "lookup")) {
		const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
		struct nft_reg *rg = nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG));
		const char *what = "";

		/* The set's elements are not read: the rule may or may not match. */
		nft_unknown(d, "set lookup");
		if (rg->kind == R_PAYLOAD && rg->base == NFT_PAYLOAD_TRANSPORT_HEADER)
			what = rg->off == 0 ? "sport " : "dport ";
		else if (rg->kind == R_PAYLOAD && rg->base == NFT_PAYLOAD_NETWORK_HEADER)
			what = "address ";
		if (what[0] == 'd' || what[0] == 's') {
			const char *pn = nft_proto_name(d->r->m.proto);

			d->l4_pending = 0;
			nft_say(d, "%s %s@%s", pn ? pn : "th", what, set ? set : "?");
		} else {
			nft_say(d, "%s@%s", what, set ? set : "?");
		}
	} else {
		nft_unknown(d, name);
		nft_say(d, "(%s)", name);
	}
	return MNL_CB_OK;
}

void nft_rule_decode(const struct fw_table *t, struct fw_rule *r, struct nftnl_rule *nr)
{
	static struct nft_dec zero;
	struct nft_dec *d = malloc(sizeof(*d));

	if (!d)
		return;
	*d = zero;
	d->t = t;
	d->r = r;
	nftnl_expr_foreach(nr, expr_cb, d);
	if (d->l4_pending)
		nft_l4_insert(d);
	fw_rule_render(t, r, d->txt);
	free(d);
}
