// SPDX-License-Identifier: GPL-2.0
/* The expressions of an nf_tables rule that match, decoded the way
 * iptables-nft emits them (meta l4proto / iifname / oifname, payload +
 * bitwise + cmp for addresses and ports, ct state) and the way native
 * nftables writes the same things; any other comparison marks the rule
 * "unknown" for the walk and is still shown. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>

#include "nft_expr.h"

void nft_say(struct nft_dec *d, const char *fmt, ...)
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

struct nft_reg *nft_reg(struct nft_dec *d, uint32_t r)
{
	/* NFT_REG_1..4 (16 bytes) and NFT_REG32_00.. share a space we only compare. */
	return &d->regs[r % 32];
}

void nft_unknown(struct nft_dec *d, const char *what)
{
	d->r->m.unknown = 1;
	if (!d->r->m.unknown_what[0])
		snprintf(d->r->m.unknown_what, sizeof(d->r->m.unknown_what), "%s", what);
}

const char *nft_proto_name(int p)
{
	return p == IPPROTO_TCP	   ? "tcp"
	       : p == IPPROTO_UDP  ? "udp"
	       : p == IPPROTO_ICMP ? "icmp"
				   : NULL;
}

static void set_port(struct nft_dec *d, struct fw_ports *ps, int src, uint16_t lo, uint16_t hi,
		     int inv)
{
	const char *pn = nft_proto_name(d->r->m.proto);
	char range[16];

	d->l4_pending = 0;
	if (ps->n < FW_MAX_PORTS) {
		ps->lo[ps->n] = lo;
		ps->hi[ps->n] = hi;
		ps->n++;
	}
	ps->inv = inv;
	/* iptables writes a range 1000:2000, nft 1000-2000. */
	if (lo == hi)
		snprintf(range, sizeof(range), "%u", lo);
	else
		snprintf(range, sizeof(range), "%u%c%u", lo, d->t->xt ? ':' : '-', hi);
	if (d->t->xt)
		nft_say(d, "-m %s %s--%s %s", pn ? pn : "tcp", inv ? "! " : "",
			src ? "sport" : "dport", range);
	else
		nft_say(d, "%s %s %s%s", pn ? pn : "th", src ? "sport" : "dport", inv ? "!= " : "",
			range);
}

/* iptables-nft loads only the bytes a prefix covers ("-s 10.0.0.0/8":
 * payload load 1b @ network header + 12), with a bitwise mask for the rest. */
static int addr_field(const struct nft_dec *d, const struct nft_reg *rg, int *v6, int *is_src)
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

static void set_addr(struct nft_dec *d, const struct nft_reg *rg, const uint8_t *val, uint32_t vlen,
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
		nft_say(d, "%s %s %s%s/%d", v6 ? "ip6" : "ip", is_src ? "saddr" : "daddr",
			inv ? "!= " : "", ip, a->plen);
	}
}

static void ifname(struct nft_dec *d, char *dst, int *invp, const uint8_t *val, uint32_t len,
		   int inv, const char *what)
{
	size_t n = strnlen((const char *)val, len);

	/* Without the terminating NUL the comparison is a prefix: "eth+". */
	snprintf(dst, 16, "%.*s%s", (int)n, (const char *)val, n == len ? "+" : "");
	*invp = inv;
	if (!d->t->xt)
		nft_say(d, "%s %s\"%s\"", what, inv ? "!= " : "", dst);
}

static void ct_state(struct nft_dec *d, uint32_t bits, int inv)
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
		nft_say(d, "-m conntrack %s--ctstate %s", inv ? "! " : "", up);
	} else {
		nft_say(d, "ct state %s%s", inv ? "!= " : "", b);
	}
}

void nft_cmp(struct nft_dec *d, struct nftnl_expr *e)
{
	struct nft_reg *rg = nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
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
				nft_say(d, "%s %s%u", rg->off == 9 ? "ip protocol" : "ip6 nexthdr",
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
	nft_unknown(d, "cmp");
	nft_say(d, "(cmp)");
}

void nft_range(struct nft_dec *d, struct nftnl_expr *e)
{
	struct nft_reg *rg = nft_reg(d, nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG));
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
	nft_unknown(d, "range");
	nft_say(d, "(range)");
}

void nft_l4_insert(struct nft_dec *d)
{
	char ins[48], rest[sizeof(d->txt)];
	const char *pn = nft_proto_name(d->r->m.proto);
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
