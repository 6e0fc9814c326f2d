// SPDX-License-Identifier: GPL-2.0
/* Decoders of x_tables match and target payloads (the structs of
 * <linux/netfilter/xt_*.h>): the same bytes are in a legacy ipt_entry and in
 * an nf_tables "match"/"target" compat expression made by iptables-nft. Only
 * what decides whether a packet to a mail port matches is interpreted; any
 * other extension marks the rule "unknown" and keeps its name. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "fw_model.h"

static void app(char *txt, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void app(char *txt, size_t len, const char *fmt, ...)
{
	size_t n = strlen(txt);
	va_list ap;

	if (n >= len)
		return;
	if (n && n + 1 < len && txt[n - 1] != ' ')
		txt[n++] = ' ', txt[n] = 0;
	va_start(ap, fmt);
	vsnprintf(txt + n, len - n, fmt, ap);
	va_end(ap);
}

static void ports_add(struct fw_ports *p, uint16_t lo, uint16_t hi)
{
	if (p->n < FW_MAX_PORTS) {
		p->lo[p->n] = lo;
		p->hi[p->n] = hi;
		p->n++;
	}
}

static void ports_txt(char *buf, size_t len, const struct fw_ports *p)
{
	buf[0] = 0;
	for (int i = 0; i < p->n; i++) {
		size_t n = strlen(buf);

		if (p->lo[i] == p->hi[i])
			snprintf(buf + n, len - n, "%s%u", i ? "," : "", p->lo[i]);
		else
			snprintf(buf + n, len - n, "%s%u:%u", i ? "," : "", p->lo[i], p->hi[i]);
	}
}

static void state_txt(char *buf, size_t len, unsigned st)
{
	static const struct {
		unsigned bit;
		const char *name;
	} n[] = {{FW_CT_INVALID, "INVALID"},	   {FW_CT_NEW, "NEW"},
		 {FW_CT_RELATED, "RELATED"},	   {FW_CT_ESTABLISHED, "ESTABLISHED"},
		 {FW_CT_UNTRACKED, "UNTRACKED"},   {XT_CONNTRACK_STATE_SNAT, "SNAT"},
		 {XT_CONNTRACK_STATE_DNAT, "DNAT"}};
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		if (!(st & n[i].bit))
			continue;
		size_t l = strlen(buf);
		snprintf(buf + l, len - l, "%s%s", l ? "," : "", n[i].name);
	}
}

/* Kernel's XT_STATE_UNTRACKED / XT_CONNTRACK_STATE_UNTRACKED differ from our
 * bit; map the x_tables value onto the model's. */
static unsigned ct_bits(unsigned xt)
{
	unsigned st = xt & (FW_CT_INVALID | FW_CT_ESTABLISHED | FW_CT_RELATED | FW_CT_NEW);

	if (xt & XT_CONNTRACK_STATE_UNTRACKED)
		st |= FW_CT_UNTRACKED;
	return st | (xt & (XT_CONNTRACK_STATE_SNAT | XT_CONNTRACK_STATE_DNAT));
}

static void tcpudp(struct fw_match *m, const char *name, const uint16_t *spts, const uint16_t *dpts,
		   unsigned inv, unsigned inv_s, unsigned inv_d, char *txt, size_t len)
{
	char p[32];

	app(txt, len, "-m %s", name);
	if (spts[0] != 0 || spts[1] != 0xffff) {
		ports_add(&m->sport, spts[0], spts[1]);
		m->sport.inv = !!(inv & inv_s);
		ports_txt(p, sizeof(p), &m->sport);
		app(txt, len, "%s--sport %s", m->sport.inv ? "! " : "", p);
	}
	if (dpts[0] != 0 || dpts[1] != 0xffff) {
		ports_add(&m->dport, dpts[0], dpts[1]);
		m->dport.inv = !!(inv & inv_d);
		ports_txt(p, sizeof(p), &m->dport);
		app(txt, len, "%s--dport %s", m->dport.inv ? "! " : "", p);
	}
}

static void conntrack(struct fw_match *m, int rev, const void *info, size_t len, char *txt,
		      size_t tlen)
{
	const struct xt_conntrack_mtinfo1 *c1 = info;
	const struct xt_conntrack_mtinfo2 *c2 = info;
	const struct xt_conntrack_mtinfo3 *c3 = info;
	unsigned flags, inv, state = 0;
	char b[96];

	if ((rev == 1 && len < sizeof(*c1)) || (rev == 2 && len < sizeof(*c2)) ||
	    (rev == 3 && len < sizeof(*c3)) || rev < 1 || rev > 3) {
		m->unknown = 1;
		snprintf(m->unknown_what, sizeof(m->unknown_what), "conntrack rev %d", rev);
		app(txt, tlen, "-m conntrack (rev %d)", rev);
		return;
	}
	flags = c1->match_flags;
	inv = c1->invert_flags;
	app(txt, tlen, "-m conntrack");
	if (flags & XT_CONNTRACK_STATE) {
		state = rev == 1 ? c1->state_mask : c2->state_mask;
		m->ctstate = ct_bits(state);
		m->ctstate_inv = !!(inv & XT_CONNTRACK_STATE);
		state_txt(b, sizeof(b), m->ctstate);
		app(txt, tlen, "%s--ctstate %s", m->ctstate_inv ? "! " : "", b);
	}
	if (flags & XT_CONNTRACK_ORIGDST_PORT) {
		uint16_t lo, hi;

		if (rev == 3) {
			lo = c3->origdst_port;
			hi = c3->origdst_port_high ? c3->origdst_port_high : lo;
		} else {
			lo = hi = ntohs(c1->origdst_port);
		}
		ports_add(&m->ct_origdport, lo, hi);
		m->ct_origdport.inv = !!(inv & XT_CONNTRACK_ORIGDST_PORT);
		ports_txt(b, sizeof(b), &m->ct_origdport);
		app(txt, tlen, "%s--ctorigdstport %s", m->ct_origdport.inv ? "! " : "", b);
	}
	if (flags & (XT_CONNTRACK_ORIGSRC | XT_CONNTRACK_ORIGDST | XT_CONNTRACK_REPLSRC |
		     XT_CONNTRACK_REPLDST | XT_CONNTRACK_ORIGSRC_PORT | XT_CONNTRACK_REPLSRC_PORT |
		     XT_CONNTRACK_REPLDST_PORT | XT_CONNTRACK_STATUS | XT_CONNTRACK_EXPIRES |
		     XT_CONNTRACK_PROTO)) {
		m->unknown = 1;
		snprintf(m->unknown_what, sizeof(m->unknown_what), "conntrack flags 0x%x", flags);
		app(txt, tlen, "(conntrack flags 0x%x)", flags);
	}
}

void fw_xt_match(struct fw_match *m, int family, const char *name, int rev, const void *info,
		 size_t len, char *txt, size_t tlen)
{
	char b[128];

	(void)family;
	if ((!strcmp(name, "tcp") && len >= sizeof(struct xt_tcp))) {
		const struct xt_tcp *t = info;

		tcpudp(m, "tcp", t->spts, t->dpts, t->invflags, XT_TCP_INV_SRCPT, XT_TCP_INV_DSTPT,
		       txt, tlen);
		if (t->flg_mask || t->option) {
			m->unknown = 1;
			snprintf(m->unknown_what, sizeof(m->unknown_what), "tcp flags/options");
			app(txt, tlen, "--tcp-flags ...");
		}
	} else if (!strcmp(name, "udp") && len >= sizeof(struct xt_udp)) {
		const struct xt_udp *u = info;

		tcpudp(m, "udp", u->spts, u->dpts, u->invflags, XT_UDP_INV_SRCPT, XT_UDP_INV_DSTPT,
		       txt, tlen);
	} else if (!strcmp(name, "multiport")) {
		const struct xt_multiport_v1 *mp = info;
		struct fw_ports *ps;

		if (rev != 1 || len < sizeof(*mp)) {
			m->unknown = 1;
			snprintf(m->unknown_what, sizeof(m->unknown_what), "multiport rev %d", rev);
			app(txt, tlen, "-m multiport (rev %d)", rev);
			return;
		}
		if (mp->flags == XT_MULTIPORT_SOURCE) {
			ps = &m->sport;
		} else if (mp->flags == XT_MULTIPORT_DESTINATION) {
			ps = &m->dport;
		} else { /* --ports: either direction */
			m->unknown = 1;
			snprintf(m->unknown_what, sizeof(m->unknown_what), "multiport --ports");
			ps = &m->sport;
		}
		for (unsigned i = 0; i < mp->count && i < XT_MULTI_PORTS; i++) {
			if (mp->pflags[i] && i + 1 < mp->count) {
				ports_add(ps, mp->ports[i], mp->ports[i + 1]);
				i++;
			} else {
				ports_add(ps, mp->ports[i], mp->ports[i]);
			}
		}
		ps->inv = mp->invert;
		ports_txt(b, sizeof(b), ps);
		app(txt, tlen, "-m multiport %s--%s %s", ps->inv ? "! " : "",
		    mp->flags == XT_MULTIPORT_SOURCE	    ? "sports"
		    : mp->flags == XT_MULTIPORT_DESTINATION ? "dports"
							    : "ports",
		    b);
	} else if (!strcmp(name, "conntrack")) {
		conntrack(m, rev, info, len, txt, tlen);
	} else if (!strcmp(name, "state") && len >= sizeof(struct xt_state_info)) {
		const struct xt_state_info *s = info;

		m->ctstate = ct_bits(s->statemask);
		state_txt(b, sizeof(b), m->ctstate);
		app(txt, tlen, "-m state --state %s", b);
	} else if (!strcmp(name, "comment") && len >= 1) {
		const struct xt_comment_info *c = info;

		snprintf(m->comment, sizeof(m->comment), "%.*s",
			 (int)strnlen(c->comment, XT_MAX_COMMENT_LEN), c->comment);
		app(txt, tlen, "-m comment --comment \"%s\"", m->comment);
	} else if (!strcmp(name, "addrtype") && rev == 1 &&
		   len >= sizeof(struct xt_addrtype_info_v1)) {
		const struct xt_addrtype_info_v1 *a = info;

		app(txt, tlen, "-m addrtype");
		if (a->source) {
			m->unknown = 1;
			snprintf(m->unknown_what, sizeof(m->unknown_what), "addrtype --src-type");
			app(txt, tlen, "--src-type 0x%x", a->source);
		}
		if (a->dest == XT_ADDRTYPE_LOCAL) {
			int inv = !!(a->flags & XT_ADDRTYPE_INVERT_DEST);

			m->addrtype_dst_local = inv ? -1 : 1;
			app(txt, tlen, "%s--dst-type LOCAL", inv ? "! " : "");
		} else if (a->dest) {
			m->unknown = 1;
			snprintf(m->unknown_what, sizeof(m->unknown_what), "addrtype --dst-type");
			app(txt, tlen, "--dst-type 0x%x", a->dest);
		}
	} else if (!strcmp(name, "icmp") || !strcmp(name, "icmp6") || !strcmp(name, "limit") ||
		   !strcmp(name, "pkttype") || !strcmp(name, "hashlimit")) {
		/* Do not change whether a TCP connection is let through (icmp:
		 * not TCP) or only rate-limit it: reported, not evaluated. */
		if (!strcmp(name, "icmp") || !strcmp(name, "icmp6")) {
			m->proto = !strcmp(name, "icmp") ? IPPROTO_ICMP : 58;
			app(txt, tlen, "-m %s", name);
		} else {
			m->unknown = 1;
			snprintf(m->unknown_what, sizeof(m->unknown_what), "-m %s", name);
			app(txt, tlen, "-m %s", name);
		}
	} else {
		m->unknown = 1;
		snprintf(m->unknown_what, sizeof(m->unknown_what), "-m %s", name);
		app(txt, tlen, "-m %s", name);
	}
}

static void nat_to(struct fw_rule *r, int family, const struct nf_nat_range2 *rg, int rev0,
		   const struct nf_nat_ipv4_range *r0)
{
	char ip[INET6_ADDRSTRLEN] = "";
	unsigned flags = rev0 ? r0->flags : rg->flags;
	uint16_t pmin = rev0 ? ntohs(r0->min.all) : ntohs(rg->min_proto.all);
	uint16_t pmax = rev0 ? ntohs(r0->max.all) : ntohs(rg->max_proto.all);

	if (flags & NF_NAT_RANGE_MAP_IPS) {
		if (rev0)
			inet_ntop(AF_INET, &r0->min_ip, ip, sizeof(ip));
		else
			inet_ntop(family == 10 ? AF_INET6 : AF_INET, &rg->min_addr, ip, sizeof(ip));
	}
	fw_rule_nat_to(r, family == 10 ? AF_INET6 : AF_INET, ip,
		       (flags & NF_NAT_RANGE_PROTO_SPECIFIED) != 0, pmin, pmax);
}

void fw_xt_target(struct fw_rule *r, int family, const char *name, int rev, const void *info,
		  size_t len, char *txt, size_t tlen)
{
	(void)txt;
	(void)tlen;
	snprintf(r->target, sizeof(r->target), "%s", name);
	r->target_opts[0] = 0;
	if (!strcmp(name, "DNAT") || !strcmp(name, "SNAT")) {
		r->verdict = name[0] == 'D' ? FW_V_DNAT : FW_V_SNAT;
		if (rev == 0 && len >= sizeof(struct nf_nat_ipv4_multi_range_compat)) {
			const struct nf_nat_ipv4_multi_range_compat *c = info;
			nat_to(r, family, NULL, 1, &c->range[0]);
		} else if (rev >= 1 && len >= sizeof(struct nf_nat_range)) {
			struct nf_nat_range2 rg = {0};
			memcpy(&rg, info, len < sizeof(rg) ? len : sizeof(rg));
			nat_to(r, family, &rg, 0, NULL);
		}
		if (r->nat_to[0])
			snprintf(r->target_opts, sizeof(r->target_opts), "--to-%s %s",
				 name[0] == 'D' ? "destination" : "source", r->nat_to);
	} else if (!strcmp(name, "MASQUERADE")) {
		r->verdict = FW_V_SNAT;
	} else if (!strcmp(name, "REJECT")) {
		r->verdict = FW_V_REJECT;
		if (family == 10 && len >= sizeof(struct ip6t_reject_info)) {
			static const char *const w[] = {"icmp6-no-route",
							"icmp6-adm-prohibited",
							"icmp6-not-neighbour",
							"icmp6-addr-unreachable",
							"icmp6-port-unreachable",
							"icmp6-echo-reply",
							"tcp-reset"};
			unsigned v = ((const struct ip6t_reject_info *)info)->with;
			snprintf(r->target_opts, sizeof(r->target_opts), "--reject-with %s",
				 v < 7 ? w[v] : "?");
		} else if (len >= sizeof(struct ipt_reject_info)) {
			static const char *const w[] = {
			    "icmp-net-unreachable",   "icmp-host-unreachable",
			    "icmp-proto-unreachable", "icmp-port-unreachable",
			    "icmp-echo-reply",	      "icmp-net-prohibited",
			    "icmp-host-prohibited",   "tcp-reset",
			    "icmp-admin-prohibited"};
			unsigned v = ((const struct ipt_reject_info *)info)->with;
			snprintf(r->target_opts, sizeof(r->target_opts), "--reject-with %s",
				 v < 9 ? w[v] : "?");
		}
	} else if (!strcmp(name, "NFQUEUE") || !strcmp(name, "QUEUE")) {
		r->verdict = FW_V_QUEUE;
	} else if (!strcmp(name, "LOG") || !strcmp(name, "NFLOG") || !strcmp(name, "TRACE") ||
		   !strcmp(name, "MARK") || !strcmp(name, "CONNMARK") || !strcmp(name, "CT") ||
		   !strcmp(name, "TCPMSS") || !strcmp(name, "CHECKSUM")) {
		r->verdict = FW_V_NONE; /* the walk goes on after these */
		snprintf(r->target_opts, sizeof(r->target_opts), "%s", "");
	} else {
		r->verdict = FW_V_OTHER;
	}
}
