// SPDX-License-Identifier: GPL-2.0
/* nftables trace for `mxprobe trace` (see trace_nft.h). Nothing of anyone
 * else's ruleset is touched: we add one table of our own, owned by our
 * netlink socket, at a priority before raw (-300) so that every later
 * table, iptables-nft's included, reports its decisions for the packet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/trace.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "log.h"
#include "nft_owned.h"
#include "trace_nft.h"

#define NDEC 8192
#define NIDS 1024
#define SCAN_BACK 1024
/* Before raw (-300) and conntrack (-200): every table after us is traced. */
#define TRACE_PRIO (-350)

struct id_key {
	uint32_t id;
	uint8_t valid, family, proto;
	uint16_t ipid;
	uint32_t seq, ack;
};

struct mx_nftrace {
	struct mx_nft_owned own; /* our table and its socket */
	struct mnl_socket *nl;	 /* = own.nl: trace messages come here */
	uint32_t portid;
	uint32_t seq;
	char table[48];
	struct mx_nft_decision dec[NDEC];
	uint8_t used[NDEC];
	uint64_t ndec; /* total ever stored; dec[ndec % NDEC] is the next slot */
	struct id_key ids[NIDS];
	uint64_t overruns, msgs, unmatched;
	/* Decisions stored and not yet taken: most records find none, and
	 * then need no search at all. */
	uint64_t unused;
	char buf[1 << 16];
};

/* Waits for the acknowledgement of every message of a batch. */
static int batch_send(struct mnl_socket *nl, struct mnl_nlmsg_batch *b, uint32_t first,
		      uint32_t last)
{
	char buf[8192];
	uint32_t portid = mnl_socket_get_portid(nl);
	int n, err = 0;

	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0)
		return -errno;
	/* One ack per message between begin and end. */
	for (uint32_t s = first; s <= last;) {
		struct nlmsghdr *h;

		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_pid != portid)
				continue;
			struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (e->error && !err)
				err = e->error;
			if (h->nlmsg_seq >= s)
				s = h->nlmsg_seq + 1;
		}
	}
	return err;
}

static void add_cmp(struct nftnl_rule *r, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	nftnl_rule_add_expr(r, e);
}

static void add_payload(struct nftnl_rule *r, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
}

/* What a trace rule matches besides the port. */
enum trace_kind {
	TR_CONTROL, /* tcp flags & (fin|syn|rst) != 0: always traced */
	TR_SAMPLE,  /* limit rate R/second: the rest, sampled */
	TR_ALL,	    /* every packet */
};

/* meta l4proto PROTO th {s,d}port PORT [tcp flags & (fin|syn|rst) != 0 |
 * limit rate R/second burst R packets] meta nftrace set 1 */
static struct nftnl_rule *trace_rule(const char *table, const char *chain, uint8_t proto,
				     uint32_t offset, uint16_t port, enum trace_kind kind,
				     uint32_t rate)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;
	uint16_t p = htons(port);
	uint8_t one = 1, mask = 0x07, zero = 0;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	e = nftnl_expr_alloc("meta");
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	add_cmp(r, &proto, 1);
	add_payload(r, offset, 2);
	add_cmp(r, &p, 2);
	if (kind == TR_CONTROL) {
		add_payload(r, 13, 1);
		e = nftnl_expr_alloc("bitwise");
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 1);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 1);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, 1);
		nftnl_rule_add_expr(r, e);
		e = nftnl_expr_alloc("cmp");
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_NEQ);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &zero, 1);
		nftnl_rule_add_expr(r, e);
	} else if (kind == TR_SAMPLE) {
		e = nftnl_expr_alloc("limit");
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, rate);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
		nftnl_rule_add_expr(r, e);
	}
	e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &one, 1);
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("meta");
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_NFTRACE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	return r;
}

static const struct {
	const char *name;
	int hook;
} chains[] = {{"pre", NF_INET_PRE_ROUTING}, {"out", NF_INET_LOCAL_OUT}};

/* The rules of both chains, in one batch. */
static int add_rules(struct mnl_socket *nl, uint32_t *seq, const char *name, uint16_t port,
		     uint32_t rate)
{
	char *buf = malloc(1 << 16);
	struct mnl_nlmsg_batch *b;
	struct nlmsghdr *h;
	uint32_t first;
	size_t i, j;
	int err;

	if (!buf)
		return -ENOMEM;
	b = mnl_nlmsg_batch_start(buf, 1 << 16);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), (*seq)++);
	mnl_nlmsg_batch_next(b);
	first = *seq;
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 6; j++) {
			/* tcp: control packets always, the rest sampled (or
			 * all with rate 0); udp: sampled. x source/dest port. */
			static const struct {
				uint8_t proto;
				enum trace_kind kind;
			} k[3] = {{IPPROTO_TCP, TR_CONTROL},
				  {IPPROTO_TCP, TR_SAMPLE},
				  {IPPROTO_UDP, TR_SAMPLE}};
			enum trace_kind kind = k[j / 2].kind;
			struct nftnl_rule *r;

			if (kind == TR_SAMPLE && !rate)
				kind = TR_ALL;
			if (kind == TR_CONTROL && !rate)
				continue; /* the TR_ALL rule covers them */
			r = trace_rule(name, chains[i].name, k[j / 2].proto, j % 2 ? 2 : 0, port,
				       kind, rate);
			h = nftnl_nlmsg_build_hdr(
			    mnl_nlmsg_batch_current(b), NFT_MSG_NEWRULE, NFPROTO_INET,
			    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, (*seq)++);
			nftnl_rule_nlmsg_build_payload(h, r);
			nftnl_rule_free(r);
			mnl_nlmsg_batch_next(b);
		}
	}
	nftnl_batch_end(mnl_nlmsg_batch_current(b), (*seq)++);
	mnl_nlmsg_batch_next(b);
	err = batch_send(nl, b, first, *seq - 2);
	mnl_nlmsg_batch_stop(b);
	free(buf);
	return err;
}

int mx_nftrace_open(struct mx_nftrace **out, uint16_t port, uint32_t rate)
{
	struct mx_nftrace *n = calloc(1, sizeof(*n));
	int grp = NFNLGRP_NFTRACE, rcv = 8 << 20, err;
	struct timeval tv = {.tv_sec = 3};
	size_t i;

	if (!n)
		return -ENOMEM;
	snprintf(n->table, sizeof(n->table), "mxprobe_trace_%d", (int)getpid());
	/* The table, owned by the socket (nft_owned.c), then our chains
	 * before raw (-300) and the rules that switch tracing on. */
	err = mx_nft_owned_create(&n->own, NFPROTO_INET, n->table);
	for (i = 0; !err && i < 2; i++)
		err = mx_nft_owned_chain(&n->own, chains[i].name, chains[i].hook, TRACE_PRIO);
	if (!err) {
		n->nl = n->own.nl;
		setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		err = add_rules(n->nl, &n->own.seq, n->table, port, rate);
		err = err > 0 ? -err : err;
	}
	if (err) {
		mx_err("trace: create nft table inet %s: %s%s", n->table, strerror(-err),
		       err == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		goto fail;
	}
	n->portid = mnl_socket_get_portid(n->nl);
	/* Trace messages come in bursts (one per rule per packet): a large
	 * buffer keeps them; what still overflows is counted. */
	if (setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (mnl_socket_setsockopt(n->nl, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		err = -errno;
		mx_err("trace: join nftables trace group: %s", strerror(-err));
		goto fail;
	}
	*out = n;
	return 0;
fail:
	mx_nftrace_close(n);
	return err;
}

const char *mx_nftrace_table(struct mx_nftrace *n)
{
	return n->table;
}

int mx_nftrace_fd(struct mx_nftrace *n)
{
	return mnl_socket_get_fd(n->nl);
}

static struct id_key *id_slot(struct mx_nftrace *n, uint32_t id)
{
	return &n->ids[(id * 2654435761u) >> 22 & (NIDS - 1)];
}

/* The fields of the packet that NAT does not change. */
static int header_key(const struct nftnl_trace *t, struct id_key *k)
{
	const uint8_t *nh, *th;
	uint32_t nlen = 0, tlen = 0;

	if (!nftnl_trace_is_set(t, NFTNL_TRACE_NETWORK_HEADER))
		return -1;
	nh = nftnl_trace_get_data(t, NFTNL_TRACE_NETWORK_HEADER, &nlen);
	th = nftnl_trace_is_set(t, NFTNL_TRACE_TRANSPORT_HEADER)
		 ? nftnl_trace_get_data(t, NFTNL_TRACE_TRANSPORT_HEADER, &tlen)
		 : NULL;
	if (nlen < 20)
		return -1;
	memset(k, 0, sizeof(*k));
	if (nh[0] >> 4 == 4) {
		k->family = 4;
		k->proto = nh[9];
		k->ipid = nh[4] << 8 | nh[5];
	} else if (nh[0] >> 4 == 6 && nlen >= 40) {
		k->family = 6;
		k->proto = nh[6];
	} else {
		return -1;
	}
	if (k->proto == IPPROTO_TCP && th && tlen >= 12) {
		k->seq = (uint32_t)th[4] << 24 | th[5] << 16 | th[6] << 8 | th[7];
		k->ack = (uint32_t)th[8] << 24 | th[9] << 16 | th[10] << 8 | th[11];
	}
	k->valid = 1;
	return 0;
}

static void store(struct mx_nftrace *n, const struct nftnl_trace *t)
{
	uint32_t id = nftnl_trace_get_u32(t, NFTNL_TRACE_ID);
	struct id_key *slot = id_slot(n, id), k;
	struct mx_nft_decision *d;
	size_t i = n->ndec % NDEC;
	const char *s;

	if (header_key(t, &k) == 0) {
		k.id = id;
		*slot = k;
	}
	if (!slot->valid || slot->id != id)
		return; /* no header seen for this packet: cannot be matched */
	d = &n->dec[i];
	if (n->ndec >= NDEC && !n->used[i] && n->unused)
		n->unused--; /* overwritten before anyone took it */
	memset(d, 0, sizeof(*d));
	n->used[i] = 1; /* until it is complete, below */
	d->hook = -1;
	d->family = nftnl_trace_get_u32(t, NFTNL_TRACE_FAMILY);
	d->type = nftnl_trace_get_u32(t, NFTNL_TRACE_TYPE);
	if ((s = nftnl_trace_get_str(t, NFTNL_TRACE_TABLE)))
		snprintf(d->table, sizeof(d->table), "%s", s);
	if ((s = nftnl_trace_get_str(t, NFTNL_TRACE_CHAIN)))
		snprintf(d->chain, sizeof(d->chain), "%s", s);
	if (nftnl_trace_is_set(t, NFTNL_TRACE_JUMP_TARGET))
		snprintf(d->target, sizeof(d->target), "%s",
			 nftnl_trace_get_str(t, NFTNL_TRACE_JUMP_TARGET));
	if (nftnl_trace_is_set(t, NFTNL_TRACE_RULE_HANDLE))
		d->handle = nftnl_trace_get_u64(t, NFTNL_TRACE_RULE_HANDLE);
	/* A rule event without a rule: the kernel's "continue" at the end of
	 * a base chain, followed by its policy event. Nothing decided. */
	if (d->type == NFT_TRACETYPE_RULE && !d->handle)
		return;
	/* Debian 12's 6.1 reports a `-j RETURN` rule as a RETURN event
	 * carrying the rule's handle, 6.18 as a RULE event with verdict
	 * return. One form for both. */
	if (d->type == NFT_TRACETYPE_RETURN && d->handle) {
		d->type = NFT_TRACETYPE_RULE;
		d->verdict = NFT_RETURN;
	}
	if (d->type == NFT_TRACETYPE_POLICY)
		d->verdict = nftnl_trace_get_u32(t, NFTNL_TRACE_POLICY);
	else if (nftnl_trace_is_set(t, NFTNL_TRACE_VERDICT))
		d->verdict = nftnl_trace_get_u32(t, NFTNL_TRACE_VERDICT);
	if (nftnl_trace_is_set(t, NFTNL_TRACE_IIF))
		d->iif = nftnl_trace_get_u32(t, NFTNL_TRACE_IIF);
	if (nftnl_trace_is_set(t, NFTNL_TRACE_OIF))
		d->oif = nftnl_trace_get_u32(t, NFTNL_TRACE_OIF);
	d->key_family = slot->family;
	d->key_proto = slot->proto;
	d->key_ipid = slot->ipid;
	d->key_seq = slot->seq;
	d->key_ack = slot->ack;
	d->seq = n->ndec++;
	n->used[i] = 0;
	n->unused++;
}

static int on_msg(const struct nlmsghdr *h, void *data)
{
	struct mx_nftrace *n = data;
	struct nftnl_trace *t;

	if ((h->nlmsg_type & 0xff) != NFT_MSG_TRACE || h->nlmsg_type >> 8 != NFNL_SUBSYS_NFTABLES)
		return MNL_CB_OK;
	n->msgs++;
	t = nftnl_trace_alloc();
	if (!t)
		return MNL_CB_OK;
	if (nftnl_trace_nlmsg_parse(h, t) == 0) {
		const char *tab = nftnl_trace_get_str(t, NFTNL_TRACE_TABLE);

		/* Our own table only switched tracing on: not a decision. */
		if (!tab || strcmp(tab, n->table))
			store(n, t);
		else {
			struct id_key k;

			if (header_key(t, &k) == 0) {
				k.id = nftnl_trace_get_u32(t, NFTNL_TRACE_ID);
				*id_slot(n, k.id) = k;
			}
		}
	}
	nftnl_trace_free(t);
	return MNL_CB_OK;
}

int mx_nftrace_read(struct mx_nftrace *n)
{
	int fd = mnl_socket_get_fd(n->nl), count = 0;
	ssize_t len;

	/* Bounded: a flood of trace messages must not starve the records. */
	while (count < 4096) {
		len = recv(fd, n->buf, sizeof(n->buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == ENOBUFS) {
				n->overruns++;
				continue;
			}
			if (errno == EAGAIN || errno == EINTR)
				return count;
			return -errno;
		}
		mnl_cb_run(n->buf, len, 0, 0, on_msg, n);
		count++;
	}
	return count;
}

size_t mx_nftrace_take(struct mx_nftrace *n, const struct mx_trace_event *ev,
		       struct mx_nft_decision *out, size_t max)
{
	/* A packet's decisions came shortly before its record: look back over
	 * the newest ones only, then hand them out in arrival order. */
	uint64_t lo = n->ndec > SCAN_BACK ? n->ndec - SCAN_BACK : 0, i;
	size_t k = 0, a, b;

	if (!n->unused)
		return 0;
	for (i = n->ndec; i > lo && k < max; i--) {
		size_t slot = (i - 1) % NDEC;
		struct mx_nft_decision *d = &n->dec[slot];

		if (n->used[slot] || d->key_seq != ev->tcp_seq || d->key_ack != ev->tcp_ack ||
		    d->key_ipid != ev->ip_id || d->key_proto != ev->proto ||
		    d->key_family != ev->family)
			continue;
		n->used[slot] = 1;
		n->unused--;
		out[k++] = *d;
	}
	for (a = 0, b = k ? k - 1 : 0; a < b; a++, b--) {
		struct mx_nft_decision tmp = out[a];

		out[a] = out[b];
		out[b] = tmp;
	}
	return k;
}

void mx_nftrace_stats(struct mx_nftrace *n, uint64_t *msgs, uint64_t *decisions)
{
	*msgs = n->msgs;
	*decisions = n->ndec;
}

uint64_t mx_nftrace_overruns(struct mx_nftrace *n)
{
	return n->overruns;
}

void mx_nftrace_close(struct mx_nftrace *n)
{
	if (!n)
		return;
	/* Closing the socket is what removes the owner table. */
	if (n->own.nl)
		mx_nft_owned_close(&n->own);
	free(n);
}
