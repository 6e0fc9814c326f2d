// SPDX-License-Identifier: GPL-2.0
/* DNAT rules from one NFT_MSG_GETRULE dump. iptables-nft (Docker on Debian
 * 12) writes "-p tcp --dport 25 -j DNAT --to-destination A:25" as
 *   meta l4proto == 6; payload 2b @ transport + 2 == 25; target DNAT rev 2
 * and native nft as "... dnat to A:25" (immediate + nat expressions); older
 * iptables-nft keeps the port in an xt "tcp" match. We follow registers
 * through load/cmp/immediate just far enough to read those facts. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <netinet/in.h>

#include "nat_dnat.h"

#define NREGS 24 /* NFT_REG_1..4 and NFT_REG32_00..15 */

enum loaded { L_NONE, L_L4PROTO, L_DPORT, L_DADDR, L_IIFNAME, L_IMM };

struct reg {
	enum loaded what;
	__u8 data[16];
	__u32 len;
};

struct rule_state {
	struct reg regs[NREGS];
	struct mx_dnat d;
	int family; /* the table's */
	int dnat;
	int unsupported; /* a dport test we cannot read (neq, ranges, sets) */
};

static struct reg *reg_of(struct rule_state *st, __u32 r)
{
	return r < NREGS ? &st->regs[r] : NULL;
}

static void on_payload(struct rule_state *st, struct nftnl_expr *e)
{
	__u32 base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	__u32 off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	__u32 len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	struct reg *r = reg_of(st, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG));

	if (!r)
		return;
	r->what = L_NONE;
	if (base == NFT_PAYLOAD_TRANSPORT_HEADER && off == 2 && len == 2)
		r->what = L_DPORT;
	else if (base == NFT_PAYLOAD_NETWORK_HEADER && st->family == NFPROTO_IPV4 && off == 9 &&
		 len == 1)
		r->what = L_L4PROTO;
	else if (base == NFT_PAYLOAD_NETWORK_HEADER && st->family == NFPROTO_IPV4 && off == 16 &&
		 len == 4)
		r->what = L_DADDR;
	else if (base == NFT_PAYLOAD_NETWORK_HEADER && st->family == NFPROTO_IPV6 && off == 24 &&
		 len == 16)
		r->what = L_DADDR;
}

static void on_meta(struct rule_state *st, struct nftnl_expr *e)
{
	struct reg *r;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG))
		return;
	r = reg_of(st, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG));
	if (!r)
		return;
	switch (nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY)) {
	case NFT_META_L4PROTO:
		r->what = L_L4PROTO;
		break;
	case NFT_META_IIFNAME:
		r->what = L_IIFNAME;
		break;
	default:
		r->what = L_NONE;
	}
}

static void on_cmp(struct rule_state *st, struct nftnl_expr *e)
{
	struct reg *r = reg_of(st, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
	__u32 op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len = 0;
	const __u8 *data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);

	if (!r || !data)
		return;
	if (r->what == L_IIFNAME && op == NFT_CMP_NEQ) {
		st->d.negated_iif = 1;
		return;
	}
	if (op != NFT_CMP_EQ) {
		if (r->what == L_DPORT)
			st->unsupported = 1;
		return;
	}
	switch (r->what) {
	case L_L4PROTO:
		if (len >= 1)
			st->d.proto = data[0];
		break;
	case L_DPORT:
		if (len >= 2)
			st->d.dport_min = st->d.dport_max = (__u16)(data[0] << 8 | data[1]);
		break;
	case L_DADDR:
		if (len == 4 || len == 16) {
			st->d.has_daddr = 1;
			memcpy(st->d.daddr, data, len);
		}
		break;
	default:
		break;
	}
}

/* "tcp dport 5000-5010", iptables-nft's --dport 5000:5010. */
static void on_range(struct rule_state *st, struct nftnl_expr *e)
{
	struct reg *r = reg_of(st, nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG));
	__u32 flen = 0, tlen = 0;
	const __u8 *from = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &flen);
	const __u8 *to = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &tlen);

	if (!r || r->what != L_DPORT)
		return;
	if (nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP) != NFT_RANGE_EQ || !from || !to ||
	    flen < 2 || tlen < 2) {
		st->unsupported = 1;
		return;
	}
	st->d.dport_min = (__u16)(from[0] << 8 | from[1]);
	st->d.dport_max = (__u16)(to[0] << 8 | to[1]);
}

static void on_immediate(struct rule_state *st, struct nftnl_expr *e)
{
	struct reg *r;
	const void *data;
	__u32 len = 0;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_IMM_DATA))
		return;
	r = reg_of(st, nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG));
	data = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &len);
	if (!r || !data || len > sizeof(r->data))
		return;
	r->what = L_IMM;
	r->len = len;
	memcpy(r->data, data, len);
}

static void on_nat(struct rule_state *st, struct nftnl_expr *e)
{
	struct reg *r;

	if (nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE) != NFT_NAT_DNAT)
		return;
	st->dnat = 1;
	st->d.to_family =
	    nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY) == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN)) {
		r = reg_of(st, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN));
		if (r && r->what == L_IMM && (r->len == 4 || r->len == 16)) {
			st->d.has_to = 1;
			memcpy(st->d.to_addr, r->data, r->len);
		}
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN)) {
		r = reg_of(st, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN));
		if (r && r->what == L_IMM && r->len >= 2)
			st->d.to_port = (__u16)(r->data[0] << 8 | r->data[1]);
	}
}

/* xtables DNAT target (iptables-nft): rev 0 is the IPv4 multi-range
 * struct, rev 1 and 2 start with struct nf_nat_range. */
static void on_target(struct rule_state *st, struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	__u32 rev = nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV), len = 0;
	const void *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);

	if (!name || strcmp(name, "DNAT"))
		return;
	st->dnat = 1;
	st->d.to_family = st->family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	if (!info)
		return;
	if (rev == 0 && len >= sizeof(struct nf_nat_ipv4_multi_range_compat)) {
		struct nf_nat_ipv4_multi_range_compat mr;

		memcpy(&mr, info, sizeof(mr));
		if (mr.range[0].flags & NF_NAT_RANGE_MAP_IPS) {
			st->d.has_to = 1;
			memcpy(st->d.to_addr, &mr.range[0].min_ip, 4);
		}
		if (mr.range[0].flags & NF_NAT_RANGE_PROTO_SPECIFIED)
			st->d.to_port = ntohs(mr.range[0].min.all);
	} else if (rev >= 1 && len >= sizeof(struct nf_nat_range)) {
		struct nf_nat_range nr;

		memcpy(&nr, info, sizeof(nr));
		if (nr.flags & NF_NAT_RANGE_MAP_IPS) {
			st->d.has_to = 1;
			memcpy(st->d.to_addr, &nr.min_addr, st->d.to_family == AF_INET ? 4 : 16);
		}
		if (nr.flags & NF_NAT_RANGE_PROTO_SPECIFIED)
			st->d.to_port = ntohs(nr.min_proto.all);
	}
}

/* xt "tcp"/"udp" match: ports in host order, one inversion flag. */
static void on_match(struct rule_state *st, struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
	__u32 len = 0;
	const void *info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
	struct xt_udp u; /* struct xt_tcp starts the same way */

	if (!name || !info || (strcmp(name, "tcp") && strcmp(name, "udp")) || len < sizeof(u))
		return;
	memcpy(&u, info, sizeof(u));
	if (u.invflags & XT_UDP_INV_DSTPT) {
		st->unsupported = 1;
		return;
	}
	st->d.proto = !strcmp(name, "tcp") ? IPPROTO_TCP : IPPROTO_UDP;
	if (u.dpts[0] != 0 || u.dpts[1] != 0xffff) {
		st->d.dport_min = u.dpts[0];
		st->d.dport_max = u.dpts[1];
	}
}

static int on_expr(struct nftnl_expr *e, void *data)
{
	struct rule_state *st = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (!name)
		return 0;
	if (!strcmp(name, "payload"))
		on_payload(st, e);
	else if (!strcmp(name, "meta"))
		on_meta(st, e);
	else if (!strcmp(name, "cmp"))
		on_cmp(st, e);
	else if (!strcmp(name, "immediate"))
		on_immediate(st, e);
	else if (!strcmp(name, "nat"))
		on_nat(st, e);
	else if (!strcmp(name, "target"))
		on_target(st, e);
	else if (!strcmp(name, "match"))
		on_match(st, e);
	else if (!strcmp(name, "range"))
		on_range(st, e);
	else if (!strcmp(name, "lookup"))
		st->unsupported = 1; /* sets and maps: not followed */
	return 0;
}

int mx_dnat_parse_rule(const void *msg, struct mx_dnat_list *l)
{
	const struct nlmsghdr *nlh = msg;
	struct rule_state st;
	struct nftnl_rule *r;
	const char *s;
	int kept = 0;

	r = nftnl_rule_alloc();
	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return -EBADMSG;
	}
	memset(&st, 0, sizeof(st));
	st.family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	st.d.family = st.family;
	s = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	snprintf(st.d.table, sizeof(st.d.table), "%s", s ? s : "");
	s = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	snprintf(st.d.chain, sizeof(st.d.chain), "%s", s ? s : "");
	st.d.handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	nftnl_expr_foreach(r, on_expr, &st);
	nftnl_rule_free(r);
	if (st.dnat && st.d.dport_min && !st.unsupported) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 16;
			struct mx_dnat *v = realloc(l->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = st.d;
		kept = 1;
	}
	return kept;
}

struct dump_ctx {
	struct mx_dnat_list *l;
	int err;
};

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *dc = data;
	int ret;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWRULE)
		return MNL_CB_OK;
	ret = mx_dnat_parse_rule(nlh, dc->l);
	if (ret < 0) {
		dc->err = ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* Recording format (MXPROBE_RECORD_NFT, the unit tests' fixtures): the
 * request's sequence number and port id, then length-prefixed reply
 * buffers up to NLMSG_DONE. Native-endian. */
#define REC_MAGIC 0x4d584e54u /* "MXNT" */

struct rec_head {
	__u32 magic, seq, portid;
};

static int run_buf(const void *buf, size_t n, __u32 seq, __u32 portid, struct dump_ctx *dc)
{
	int ret;

	errno = 0;
	ret = mnl_cb_run(buf, n, seq, portid, on_msg, dc);
	if (ret == MNL_CB_ERROR)
		return dc->err ? dc->err : (errno ? -errno : -EBADMSG);
	return ret == MNL_CB_STOP ? 1 : 0;
}

int mx_dnat_replay(const void *rec, size_t len, struct mx_dnat_list *l)
{
	const unsigned char *p = rec, *end = p + len;
	struct dump_ctx dc = {.l = l};
	struct rec_head h;
	int ret = 0;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	p += sizeof(h);
	if (h.magic != REC_MAGIC)
		return -EBADMSG;
	while (ret == 0) {
		__u32 n;

		if ((size_t)(end - p) < sizeof(n))
			return -EBADMSG;
		memcpy(&n, p, sizeof(n));
		p += sizeof(n);
		if ((size_t)(end - p) < n)
			return -EBADMSG;
		ret = run_buf(p, n, h.seq, h.portid, &dc);
		p += n;
	}
	return ret < 0 ? ret : 0;
}

int mx_dnat_read(struct mx_dnat_list *l, FILE *record)
{
	const size_t bufsz = 1 << 16;
	char *buf = malloc(bufsz);
	struct dump_ctx dc = {.l = l};
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	__u32 seq, portid;
	int ret;

	if (!buf)
		return -ENOMEM;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl) {
		ret = -errno;
		free(buf);
		return ret;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto cleanup;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (__u32)time(NULL) ^ (__u32)getpid() << 12;
	nlh = nftnl_rule_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto cleanup;
	}
	if (record) {
		struct rec_head h = {REC_MAGIC, seq, portid};

		fwrite(&h, sizeof(h), 1, record);
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, bufsz);

		if (n < 0) {
			ret = -errno;
			goto cleanup;
		}
		if (record) {
			__u32 len = (__u32)n;

			fwrite(&len, sizeof(len), 1, record);
			fwrite(buf, 1, n, record);
		}
		ret = run_buf(buf, n, seq, portid, &dc);
		if (ret < 0)
			goto cleanup;
		if (ret == 1)
			break;
	}
	ret = 0;
cleanup:
	mnl_socket_close(nl);
	free(buf);
	return ret;
}

void mx_dnat_free(struct mx_dnat_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *mx_dnat_to_str(const struct mx_dnat *d, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (d->has_to)
		inet_ntop(d->to_family, d->to_addr, a, sizeof(a));
	if (d->to_port)
		snprintf(buf, len, d->to_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, d->to_port);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}
