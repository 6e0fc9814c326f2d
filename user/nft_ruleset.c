// SPDX-License-Identifier: GPL-2.0
/* The nf_tables ruleset into the model (fw_model.h): one netlink dump each
 * of tables, chains and rules (every family), parsed with libnftnl. The
 * expressions are decoded the way iptables-nft emits them (meta l4proto /
 * iifname / oifname, payload + bitwise + cmp for addresses and ports, ct
 * state, immediate verdicts, xt "match"/"target" compat expressions) and
 * the way native nftables writes the same things; anything else marks the
 * rule "unknown" for the walk and is still shown. The raw dump can be
 * recorded (fw_nft_record) and parsed later (fw_nft_parse): unit tests use
 * dumps recorded from a real dockerd. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "fw_model.h"

/* ---- the dump ---- */

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		char *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
	return 0;
}

/* One NLM_F_DUMP request; appends every answer message except DONE. */
static int dump_one(struct mnl_socket *nl, uint16_t type, uint32_t seq, struct buf *out, char *err,
		    size_t errlen)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	static __thread char rb[32768]; /* MNL_SOCKET_DUMP_SIZE (libmnl 1.0.5+) */
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(req, type, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	uint32_t portid = mnl_socket_get_portid(nl);

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "nftables: netlink send: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, rb, sizeof(rb));
		int left = (int)n;

		if (n < 0) {
			snprintf(err, errlen, "nftables: netlink receive: %s", strerror(errno));
			return -1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)rb; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			/* Only answers to our request are believed. */
			if (h->nlmsg_seq != seq || h->nlmsg_pid != portid)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

				if (e->error == 0)
					continue;
				snprintf(err, errlen, "nftables: dump: %s", strerror(-e->error));
				return -1;
			}
			if (buf_add(out, h, h->nlmsg_len) < 0) {
				snprintf(err, errlen, "nftables: out of memory");
				return -1;
			}
		}
	}
}

static int dump_all(struct buf *out, char *err, size_t errlen)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	uint32_t seq = (uint32_t)time(NULL);
	int rc = -1;

	if (!nl) {
		snprintf(err, errlen, "nftables: netlink socket: %s", strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "nftables: netlink bind: %s", strerror(errno));
		goto out;
	}
	if (dump_one(nl, NFT_MSG_GETTABLE, seq, out, err, errlen) ||
	    dump_one(nl, NFT_MSG_GETCHAIN, seq + 1, out, err, errlen) ||
	    dump_one(nl, NFT_MSG_GETRULE, seq + 2, out, err, errlen))
		goto out;
	rc = 0;
out:
	mnl_socket_close(nl);
	return rc;
}

int fw_nft_record(const char *path)
{
	struct buf b = {0};
	char err[256];
	int fd, rc = -1;

	if (dump_all(&b, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, b.p, b.len) != (ssize_t)b.len) {
		fprintf(stderr, "nftables: write %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	free(b.p);
	return rc;
}

int fw_nft_load(struct fw_ruleset *rs)
{
	struct buf b = {0};
	int rc;

	if (dump_all(&b, rs->err, sizeof(rs->err)) < 0) {
		free(b.p);
		return -1;
	}
	rc = fw_nft_parse(rs, b.p, b.len);
	free(b.p);
	return rc;
}

/* ---- expressions ---- */

enum reg_kind { R_NONE, R_PAYLOAD, R_META, R_CT, R_IMM };

struct reg {
	enum reg_kind kind;
	uint32_t base, off, len; /* payload */
	uint32_t key;		 /* meta / ct key */
	int masked;
	uint8_t mask[16];
	uint8_t data[16]; /* immediate */
	uint32_t dlen;
};

struct dec {
	const struct fw_table *t;
	struct fw_rule *r;
	struct reg regs[32];
	char txt[384];
	int ge_pending;
	uint16_t ge_lo;
	int nfproto; /* from "meta nfproto" in inet tables */
	int l4_pending;
	size_t l4_pos;
};

static void say(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct dec *d, const char *fmt, ...)
{
	size_t n = strlen(d->txt);
	va_list ap;

	if (n + 2 >= sizeof(d->txt))
		return;
	if (n)
		d->txt[n++] = ' ', d->txt[n] = 0;
	va_start(ap, fmt);
	vsnprintf(d->txt + n, sizeof(d->txt) - n, fmt, ap);
	va_end(ap);
}

static struct reg *reg(struct dec *d, uint32_t r)
{
	/* NFT_REG_1..4 (16 bytes) and NFT_REG32_00.. share a space we only compare. */
	return &d->regs[r % 32];
}

static void unknown(struct dec *d, const char *what)
{
	d->r->m.unknown = 1;
	if (!d->r->m.unknown_what[0])
		snprintf(d->r->m.unknown_what, sizeof(d->r->m.unknown_what), "%s", what);
}

static const char *proto_name(int p)
{
	return p == IPPROTO_TCP	   ? "tcp"
	       : p == IPPROTO_UDP  ? "udp"
	       : p == IPPROTO_ICMP ? "icmp"
				   : NULL;
}

static void set_port(struct dec *d, struct fw_ports *ps, int src, uint16_t lo, uint16_t hi, int inv)
{
	const char *pn = proto_name(d->r->m.proto);

	d->l4_pending = 0;
	if (ps->n < FW_MAX_PORTS) {
		ps->lo[ps->n] = lo;
		ps->hi[ps->n] = hi;
		ps->n++;
	}
	ps->inv = inv;
	if (d->t->xt) {
		if (lo == hi)
			say(d, "-m %s %s--%s %u", pn ? pn : "tcp", inv ? "! " : "",
			    src ? "sport" : "dport", lo);
		else
			say(d, "-m %s %s--%s %u:%u", pn ? pn : "tcp", inv ? "! " : "",
			    src ? "sport" : "dport", lo, hi);
	} else {
		if (lo == hi)
			say(d, "%s %s %s%u", pn ? pn : "th", src ? "sport" : "dport",
			    inv ? "!= " : "", lo);
		else
			say(d, "%s %s %s%u-%u", pn ? pn : "th", src ? "sport" : "dport",
			    inv ? "!= " : "", lo, hi);
	}
}

/* iptables-nft loads only the bytes a prefix covers ("-s 10.0.0.0/8":
 * payload load 1b @ network header + 12), with a bitwise mask for the rest. */
static int addr_field(const struct dec *d, const struct reg *rg, int *v6, int *is_src)
{
	int fam = d->nfproto ? d->nfproto : d->t->family;

	if (fam != 10 && rg->len <= 4 && (rg->off == 12 || rg->off == 16)) {
		*v6 = 0;
		*is_src = rg->off == 12;
		return 1;
	}
	if (fam != 2 && rg->len <= 16 && (rg->off == 8 || rg->off == 24)) {
		*v6 = 1;
		*is_src = rg->off == 8;
		return 1;
	}
	return 0;
}

static void set_addr(struct dec *d, const struct reg *rg, const uint8_t *val, uint32_t vlen,
		     int inv)
{
	int v6, is_src;
	struct fw_addr *a;
	char ip[INET6_ADDRSTRLEN];

	addr_field(d, rg, &v6, &is_src);
	a = is_src ? &d->r->m.src : &d->r->m.dst;
	a->set = 1;
	a->family = v6 ? AF_INET6 : AF_INET;
	memset(a->addr, 0, sizeof(a->addr));
	memcpy(a->addr, val, vlen < rg->len ? vlen : rg->len);
	a->plen = 0;
	for (uint32_t i = 0; i < rg->len; i++)
		a->plen += __builtin_popcount(rg->masked ? rg->mask[i] : 0xff);
	a->inv = inv;
	if (!d->t->xt) {
		inet_ntop(a->family, a->addr, ip, sizeof(ip));
		say(d, "%s %s %s%s/%d", v6 ? "ip6" : "ip", is_src ? "saddr" : "daddr",
		    inv ? "!= " : "", ip, a->plen);
	}
}

static void ifname(struct dec *d, char *dst, int *invp, const uint8_t *val, uint32_t len, int inv,
		   const char *what)
{
	size_t n = strnlen((const char *)val, len);

	/* Without the terminating NUL the comparison is a prefix: "eth+". */
	snprintf(dst, 16, "%.*s%s", (int)n, (const char *)val, n == len ? "+" : "");
	*invp = inv;
	if (!d->t->xt)
		say(d, "%s %s\"%s\"", what, inv ? "!= " : "", dst);
}

static void ct_state(struct dec *d, uint32_t bits, int inv)
{
	static const char *const n[] = {"invalid", "established", "related", "new"};
	char b[64] = "";

	d->r->m.ctstate = bits & 0xf;
	if (bits & (1u << 6))
		d->r->m.ctstate |= FW_CT_UNTRACKED;
	d->r->m.ctstate_inv = inv;
	for (int i = 0; i < 4; i++)
		if (bits & (1u << i))
			snprintf(b + strlen(b), sizeof(b) - strlen(b), "%s%s", b[0] ? "," : "",
				 n[i]);
	if (bits & (1u << 6))
		snprintf(b + strlen(b), sizeof(b) - strlen(b), "%suntracked", b[0] ? "," : "");
	if (d->t->xt) {
		char up[64];

		for (size_t i = 0; i <= strlen(b); i++)
			up[i] = (char)(b[i] >= 'a' && b[i] <= 'z' ? b[i] - 32 : b[i]);
		say(d, "-m conntrack %s--ctstate %s", inv ? "! " : "", up);
	} else {
		say(d, "ct state %s%s", inv ? "!= " : "", b);
	}
}

static void e_cmp(struct dec *d, struct nftnl_expr *e)
{
	struct reg *rg = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len = 0;
	const uint8_t *v = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	int inv = op == NFT_CMP_NEQ;
	struct fw_match *m = &d->r->m;

	if (!v)
		return;
	if (rg->kind == R_META && (rg->key == NFT_META_L4PROTO || rg->key == NFT_META_PROTOCOL) &&
	    len >= 1 && rg->key == NFT_META_L4PROTO) {
		m->proto = v[0];
		m->proto_inv = inv;
		/* nft omits the l4proto a following "tcp dport" implies: written
		 * at the end of the rule only if nothing implied it. */
		if (!d->t->xt) {
			d->l4_pending = 1;
			d->l4_pos = strlen(d->txt);
		}
		return;
	}
	if (rg->kind == R_META && rg->key == NFT_META_NFPROTO) {
		d->nfproto = v[0]; /* implied by "ip saddr"...: not written, like nft */
		return;
	}
	if (rg->kind == R_META && (rg->key == NFT_META_IIFNAME || rg->key == NFT_META_OIFNAME)) {
		if (rg->key == NFT_META_IIFNAME)
			ifname(d, m->iif, &m->iif_inv, v, len, inv, "iifname");
		else
			ifname(d, m->oif, &m->oif_inv, v, len, inv, "oifname");
		return;
	}
	if (rg->kind == R_PAYLOAD && rg->base == NFT_PAYLOAD_NETWORK_HEADER &&
	    (op == NFT_CMP_EQ || op == NFT_CMP_NEQ)) {
		int v6, is_src;

		if (addr_field(d, rg, &v6, &is_src)) {
			set_addr(d, rg, v, len, inv);
			return;
		}
		if (rg->len == 1 &&
		    (rg->off == 9 || rg->off == 6)) { /* ip protocol / ip6 nexthdr */
			m->proto = v[0];
			m->proto_inv = inv;
			if (!d->t->xt)
				say(d, "%s %s%u", rg->off == 9 ? "ip protocol" : "ip6 nexthdr",
				    inv ? "!= " : "", v[0]);
			return;
		}
	}
	if (rg->kind == R_PAYLOAD && rg->base == NFT_PAYLOAD_TRANSPORT_HEADER && rg->len == 2 &&
	    (rg->off == 0 || rg->off == 2)) {
		struct fw_ports *ps = rg->off == 0 ? &m->sport : &m->dport;
		uint16_t port = (uint16_t)(v[0] << 8 | v[1]);

		if (op == NFT_CMP_EQ || op == NFT_CMP_NEQ) {
			set_port(d, ps, rg->off == 0, port, port, inv);
			return;
		}
		if (op == NFT_CMP_GTE) {
			d->ge_pending = 1;
			d->ge_lo = port;
			return;
		}
		if (op == NFT_CMP_LTE) {
			set_port(d, ps, rg->off == 0, d->ge_pending ? d->ge_lo : 0, port, 0);
			d->ge_pending = 0;
			return;
		}
	}
	if (rg->kind == R_CT && rg->key == NFT_CT_STATE && rg->masked && len == 4) {
		uint32_t mask, val;

		memcpy(&mask, rg->mask, 4);
		memcpy(&val, v, 4);
		/* "ct state & (est|rel) != 0" is how both tools write a state set. */
		if (val == 0 && op == NFT_CMP_NEQ) {
			ct_state(d, mask, 0);
			return;
		}
		if (val == 0 && op == NFT_CMP_EQ) {
			ct_state(d, mask, 1);
			return;
		}
	}
	unknown(d, "cmp");
	say(d, "(cmp)");
}

static void e_range(struct dec *d, struct nftnl_expr *e)
{
	struct reg *rg = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG));
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP), l1 = 0, l2 = 0;
	const uint8_t *a = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &l1);
	const uint8_t *b = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &l2);

	if (rg->kind == R_PAYLOAD && rg->base == NFT_PAYLOAD_TRANSPORT_HEADER && rg->len == 2 &&
	    a && b && l1 == 2 && l2 == 2 && (rg->off == 0 || rg->off == 2)) {
		set_port(d, rg->off == 0 ? &d->r->m.sport : &d->r->m.dport, rg->off == 0,
			 (uint16_t)(a[0] << 8 | a[1]), (uint16_t)(b[0] << 8 | b[1]),
			 op == NFT_RANGE_NEQ);
		return;
	}
	unknown(d, "range");
	say(d, "(range)");
}

static void e_immediate(struct dec *d, struct nftnl_expr *e)
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
	struct reg *rg = reg(d, dreg);
	uint32_t len = 0;
	const void *v = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &len);

	memset(rg, 0, sizeof(*rg));
	rg->kind = R_IMM;
	if (v) {
		rg->dlen = len < 16 ? len : 16;
		memcpy(rg->data, v, rg->dlen);
	}
}

static void e_nat(struct dec *d, struct nftnl_expr *e)
{
	struct fw_rule *r = d->r;
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE);
	uint32_t fam = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY);
	char ip[INET6_ADDRSTRLEN] = "";
	uint16_t port = 0;

	r->verdict = type == NFT_NAT_DNAT ? FW_V_DNAT : FW_V_SNAT;
	snprintf(r->target, sizeof(r->target), "%s", type == NFT_NAT_DNAT ? "DNAT" : "SNAT");
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN)) {
		struct reg *rg = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN));
		if (rg->kind == R_IMM)
			inet_ntop(fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET, rg->data, ip,
				  sizeof(ip));
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN)) {
		struct reg *rg = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN));
		if (rg->kind == R_IMM && rg->dlen >= 2)
			port = (uint16_t)(rg->data[0] << 8 | rg->data[1]);
	}
	if (port)
		snprintf(r->nat_to, sizeof(r->nat_to), "%s:%u", ip, port);
	else
		snprintf(r->nat_to, sizeof(r->nat_to), "%s", ip);
	if (d->t->xt)
		snprintf(r->target_opts, sizeof(r->target_opts), "--to-%s %s",
			 type == NFT_NAT_DNAT ? "destination" : "source", r->nat_to);
	else
		snprintf(r->target_opts, sizeof(r->target_opts), "%s to %s",
			 type == NFT_NAT_DNAT ? "dnat" : "snat", r->nat_to);
}

static void e_xt(struct dec *d, struct nftnl_expr *e, int target)
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
		say(d, "%s", d->t->xt ? txt : name);
	}
}

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct dec *d = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	struct fw_rule *r = d->r;

	if (!name)
		return MNL_CB_OK;
	if (!strcmp(name, "payload")) {
		struct reg *rg = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG));

		memset(rg, 0, sizeof(*rg));
		rg->kind = R_PAYLOAD;
		rg->base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
		rg->off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
		rg->len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	} else if (!strcmp(name, "meta")) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
			struct reg *rg = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG));

			memset(rg, 0, sizeof(*rg));
			rg->kind = R_META;
			rg->key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
		} else {
			say(d, d->t->xt ? "" : "meta set");
		}
	} else if (!strcmp(name, "ct")) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG)) {
			struct reg *rg = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG));

			memset(rg, 0, sizeof(*rg));
			rg->kind = R_CT;
			rg->key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
		}
	} else if (!strcmp(name, "bitwise")) {
		struct reg *s = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
		struct reg *dr = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG));
		uint32_t len = 0;
		const void *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);
		struct reg tmp = *s;

		tmp.masked = 1;
		memset(tmp.mask, 0, sizeof(tmp.mask));
		if (mask)
			memcpy(tmp.mask, mask, len < 16 ? len : 16);
		*dr = tmp;
	} else if (!strcmp(name, "cmp")) {
		e_cmp(d, e);
	} else if (!strcmp(name, "range")) {
		e_range(d, e);
	} else if (!strcmp(name, "immediate")) {
		e_immediate(d, e);
	} else if (!strcmp(name, "counter")) {
		r->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		r->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
		if (!d->t->xt)
			say(d, "counter packets %llu bytes %llu", (unsigned long long)r->packets,
			    (unsigned long long)r->bytes);
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
		say(d, d->t->xt ? "-j LOG" : "log");
	} else if (!strcmp(name, "lookup")) {
		const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
		struct reg *rg = reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG));
		const char *what = "";

		/* The set's elements are not read: the rule may or may not match. */
		unknown(d, "set lookup");
		if (rg->kind == R_PAYLOAD && rg->base == NFT_PAYLOAD_TRANSPORT_HEADER)
			what = rg->off == 0 ? "sport " : "dport ";
		else if (rg->kind == R_PAYLOAD && rg->base == NFT_PAYLOAD_NETWORK_HEADER)
			what = "address ";
		if (what[0] == 'd' || what[0] == 's') {
			const char *pn = proto_name(d->r->m.proto);

			d->l4_pending = 0;
			say(d, "%s %s@%s", pn ? pn : "th", what, set ? set : "?");
		} else {
			say(d, "%s@%s", what, set ? set : "?");
		}
	} else {
		unknown(d, name);
		say(d, "(%s)", name);
	}
	return MNL_CB_OK;
}

static void l4_insert(struct dec *d)
{
	char ins[48], rest[sizeof(d->txt)];
	const char *pn = proto_name(d->r->m.proto);
	size_t pos = d->l4_pos < strlen(d->txt) ? d->l4_pos : strlen(d->txt);

	if (pn)
		snprintf(ins, sizeof(ins), "meta l4proto %s%s", d->r->m.proto_inv ? "!= " : "", pn);
	else
		snprintf(ins, sizeof(ins), "meta l4proto %s%d", d->r->m.proto_inv ? "!= " : "",
			 d->r->m.proto);
	snprintf(rest, sizeof(rest), "%s", d->txt + pos);
	snprintf(d->txt + pos, sizeof(d->txt) - pos, "%s%s%s%s", pos ? " " : "", ins,
		 rest[0] && rest[0] != ' ' ? " " : "", rest);
	/* "a  b" when inserting mid-text after a blank */
	for (char *p = strstr(d->txt, "  "); p; p = strstr(d->txt, "  "))
		memmove(p, p + 1, strlen(p));
}

/* ---- the messages ---- */

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
			static struct dec zero;
			struct dec *d = malloc(sizeof(*d));

			if (d) {
				*d = zero;
				d->t = t;
				d->r = r;
				r->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
				nftnl_expr_foreach(nr, expr_cb, d);
				if (d->l4_pending)
					l4_insert(d);
				fw_rule_render(t, r, d->txt);
				free(d);
			}
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
