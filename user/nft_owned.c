// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "nft_owned.h"

/* Sends one batch holding one object message and waits for its ack. */
static int send_batch(struct mx_nft_owned *t, void (*build)(struct nlmsghdr *, void *), int type,
		      uint16_t flags, void *obj)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_nlmsg_batch *b;
	struct nlmsghdr *nlh;
	uint32_t seq;
	int ret;

	b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), t->seq++);
	mnl_nlmsg_batch_next(b);
	seq = t->seq++;
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), type, t->family, flags | NLM_F_ACK,
				    seq);
	build(nlh, obj);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), t->seq++);
	mnl_nlmsg_batch_next(b);
	if (mnl_socket_sendto(t->nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) {
		ret = -errno;
		mnl_nlmsg_batch_stop(b);
		return ret;
	}
	mnl_nlmsg_batch_stop(b);
	for (;;) {
		ret = mnl_socket_recvfrom(t->nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, ret, seq, t->portid, NULL, NULL);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static void build_table(struct nlmsghdr *nlh, void *obj)
{
	nftnl_table_nlmsg_build_payload(nlh, obj);
}

static void build_chain(struct nlmsghdr *nlh, void *obj)
{
	nftnl_chain_nlmsg_build_payload(nlh, obj);
}

static void build_rule(struct nlmsghdr *nlh, void *obj)
{
	nftnl_rule_nlmsg_build_payload(nlh, obj);
}

int mx_nft_owned_create(struct mx_nft_owned *t, int family, const char *name)
{
	struct nftnl_table *tb;
	int err;

	memset(t, 0, sizeof(*t));
	t->family = family;
	t->seq = (uint32_t)time(NULL);
	snprintf(t->table, sizeof(t->table), "%s", name);
	t->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!t->nl)
		return -errno;
	if (mnl_socket_bind(t->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	t->portid = mnl_socket_get_portid(t->nl);
	tb = nftnl_table_alloc();
	if (!tb) {
		err = -ENOMEM;
		goto fail;
	}
	nftnl_table_set_str(tb, NFTNL_TABLE_NAME, name);
	nftnl_table_set_u32(tb, NFTNL_TABLE_FAMILY, family);
	nftnl_table_set_u32(tb, NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER);
	err = send_batch(t, build_table, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL, tb);
	nftnl_table_free(tb);
	if (err)
		goto fail;
	return 0;
fail:
	mnl_socket_close(t->nl);
	t->nl = NULL;
	return err;
}

int mx_nft_owned_chain(struct mx_nft_owned *t, const char *chain, int hook, int prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	int err;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, t->table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	err = send_batch(t, build_chain, NFT_MSG_NEWCHAIN, NLM_F_CREATE, c);
	nftnl_chain_free(c);
	return err;
}

int mx_nft_owned_trace_rule(struct mx_nft_owned *t, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *imm, *meta;
	int err;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, t->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, t->family);
	imm = nftnl_expr_alloc("immediate");
	meta = nftnl_expr_alloc("meta");
	if (!imm || !meta) {
		nftnl_expr_free(imm);
		nftnl_expr_free(meta);
		nftnl_rule_free(r);
		return -ENOMEM;
	}
	nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set_u8(imm, NFTNL_EXPR_IMM_DATA, 1);
	nftnl_rule_add_expr(r, imm);
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_KEY, NFT_META_NFTRACE);
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_SREG, NFT_REG_1);
	nftnl_rule_add_expr(r, meta);
	err = send_batch(t, build_rule, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, r);
	nftnl_rule_free(r);
	return err;
}

void mx_nft_owned_close(struct mx_nft_owned *t)
{
	if (t->nl)
		mnl_socket_close(t->nl);
	t->nl = NULL;
}
