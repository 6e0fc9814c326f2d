// SPDX-License-Identifier: GPL-2.0
/* The nf_tables ruleset into the model (fw_model.h): the netlink messages
 * of a dump (nft_dump.c, or a recorded file) parsed with libnftnl into
 * tables, chains and rules; each rule's expressions are decoded by
 * nft_expr.c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "fw_model.h"
#include "nft_expr.h"

static struct fw_table *table_get(struct fw_ruleset *rs, int family, const char *name)
{
	struct fw_table *t = fw_table_find(rs, FW_NFT, family, name);

	return t ? t : fw_table_add(rs, FW_NFT, family, name);
}

static void add_table(struct fw_ruleset *rs, const struct nlmsghdr *h)
{
	struct nftnl_table *nt = nftnl_table_alloc();

	if (nt && nftnl_table_nlmsg_parse(h, nt) == 0) {
		const char *name = nftnl_table_get_str(nt, NFTNL_TABLE_NAME);
		struct fw_table *t =
		    name ? table_get(rs, nftnl_table_get_u32(nt, NFTNL_TABLE_FAMILY), name) : NULL;

		if (t && nftnl_table_is_set(nt, NFTNL_TABLE_FLAGS))
			t->flags = nftnl_table_get_u32(nt, NFTNL_TABLE_FLAGS);
	}
	nftnl_table_free(nt);
}

static void add_chain(struct fw_ruleset *rs, const struct nlmsghdr *h)
{
	struct nftnl_chain *nc = nftnl_chain_alloc();

	if (nc && nftnl_chain_nlmsg_parse(h, nc) == 0) {
		const char *tn = nftnl_chain_get_str(nc, NFTNL_CHAIN_TABLE);
		const char *cn = nftnl_chain_get_str(nc, NFTNL_CHAIN_NAME);
		struct fw_table *t =
		    tn && cn ? table_get(rs, nftnl_chain_get_u32(nc, NFTNL_CHAIN_FAMILY), tn)
			     : NULL;
		struct fw_chain *c = t ? fw_chain_add(t, cn) : NULL;

		if (c) {
			c->handle = nftnl_chain_get_u64(nc, NFTNL_CHAIN_HANDLE);
			if (nftnl_chain_is_set(nc, NFTNL_CHAIN_HOOKNUM)) {
				const char *type = nftnl_chain_get_str(nc, NFTNL_CHAIN_TYPE);

				c->base = 1;
				c->hook = (int)nftnl_chain_get_u32(nc, NFTNL_CHAIN_HOOKNUM);
				c->prio = (int)nftnl_chain_get_s32(nc, NFTNL_CHAIN_PRIO);
				snprintf(c->type, sizeof(c->type), "%s", type ? type : "filter");
				if (nftnl_chain_is_set(nc, NFTNL_CHAIN_POLICY))
					c->policy =
					    nftnl_chain_get_u32(nc, NFTNL_CHAIN_POLICY) == NF_DROP
						? FW_V_DROP
						: FW_V_ACCEPT;
				/* netdev/bridge hooks do not share the inet numbering. */
				if (t->family != 1 && t->family != 2 && t->family != 10)
					c->hook = -1;
			}
		}
	}
	nftnl_chain_free(nc);
}

static void add_rule(struct fw_ruleset *rs, const struct nlmsghdr *h)
{
	struct nftnl_rule *nr = nftnl_rule_alloc();

	if (nr && nftnl_rule_nlmsg_parse(h, nr) == 0) {
		const char *tn = nftnl_rule_get_str(nr, NFTNL_RULE_TABLE);
		const char *cn = nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN);
		struct fw_table *t =
		    tn && cn ? table_get(rs, nftnl_rule_get_u32(nr, NFTNL_RULE_FAMILY), tn) : NULL;
		struct fw_chain *c = t ? fw_chain_find(t, cn) : NULL;
		struct fw_rule *r;

		if (t && !c)
			c = fw_chain_add(t, cn);
		r = c ? fw_rule_add(c) : NULL;
		if (r) {
			r->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
			nft_rule_decode(t, r, nr);
		}
	}
	nftnl_rule_free(nr);
}

int fw_nft_parse(struct fw_ruleset *rs, const void *buf, size_t len)
{
	int left = (int)len;

	for (const struct nlmsghdr *h = buf; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left)) {
		if (h->nlmsg_type >> 8 != NFNL_SUBSYS_NFTABLES)
			continue;
		switch (h->nlmsg_type & 0xff) {
		case NFT_MSG_NEWTABLE:
			add_table(rs, h);
			break;
		case NFT_MSG_NEWCHAIN:
			add_chain(rs, h);
			break;
		case NFT_MSG_NEWRULE:
			add_rule(rs, h);
			break;
		default:
			break;
		}
	}
	if (left != 0) {
		snprintf(rs->err, sizeof(rs->err), "nftables: truncated dump (%d bytes left)",
			 left);
		return -1;
	}
	return 0;
}
