// SPDX-License-Identifier: GPL-2.0
/* A new connection from outside to a published mail port, walked through
 * every filter chain at a hook (FORWARD after Docker's DNAT, or INPUT as
 * if nothing DNATed it) in the order the kernel runs them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fw_checks.h"

static int cmp_prio(const void *a, const void *b)
{
	const struct mx_fw_hook_chain *x = a, *y = b;

	return (x->c->prio > y->c->prio) - (x->c->prio < y->c->prio);
}

/* Filter base chains at hook of every table that sees family's packets. */
int mx_fw_hook_chains(const struct fw_ruleset *rs, int family, int hook,
		      struct mx_fw_hook_chain *out, int max)
{
	int n = 0;

	for (int i = 0; i < rs->ntables; i++) {
		const struct fw_table *t = &rs->tables[i];

		if (t->family != family && t->family != 1)
			continue;
		if (t->flags & 1) /* NFT_TABLE_F_DORMANT */
			continue;
		for (int j = 0; j < t->nchains; j++) {
			const struct fw_chain *c = &t->chains[j];

			if (c->base && c->hook == hook && !strcmp(c->type, "filter") && n < max)
				out[n++] = (struct mx_fw_hook_chain){t, c};
		}
	}
	qsort(out, (size_t)n, sizeof(*out), cmp_prio);
	return n;
}

/* Whom a conditional rule concerns, for the summary: "203.0.113.0/24",
 * "arriving on eth+", "everywhere". */
static void from_text(const struct fw_rule *x, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	buf[0] = 0;
	if (x->m.src.set && x->m.src.plen) {
		inet_ntop(x->m.src.family, x->m.src.addr, ip, sizeof(ip));
		snprintf(buf, len, "%s%s/%d", x->m.src.inv ? "everywhere except " : "", ip,
			 x->m.src.plen);
	}
	if (x->m.iif[0])
		snprintf(buf + strlen(buf), len - strlen(buf), "%sarriving %son %s",
			 buf[0] ? ", " : "", x->m.iif_inv ? "not " : "", x->m.iif);
	if (x->m.sport.n)
		snprintf(buf + strlen(buf), len - strlen(buf), "%ssome source ports",
			 buf[0] ? ", " : "");
	if (x->m.unknown)
		snprintf(buf + strlen(buf), len - strlen(buf), "%swhen %s matches",
			 buf[0] ? ", " : "", x->m.unknown_what);
	if (!buf[0])
		snprintf(buf, len, "everywhere");
}

/* A new connection from anywhere to p: after Docker's DNAT, to the
 * container over its bridge (forward), or to the host port (INPUT). */
static void pub_packet(const struct mx_fw_pub *p, struct fw_packet *pk, int forward)
{
	memset(pk, 0, sizeof(*pk));
	pk->family = p->family;
	pk->proto = p->proto;
	pk->saddr_any = 1;
	pk->iif_any = 1;
	if (forward) {
		memcpy(pk->daddr, p->cip, 16);
		pk->dport = p->cport;
		pk->orig_dport = p->hport;
		snprintf(pk->oif, sizeof(pk->oif), "%s", p->bridge);
		pk->daddr_any = !p->known;
	} else {
		pk->dport = p->hport;
		pk->dst_local = 1;
		pk->daddr_any = 1;
	}
}

void mx_fw_walk_hook(const struct fw_ruleset *rs, const struct mx_fw_pub *p, int hook,
		     int (*fn)(const struct fw_walk *w, void *arg), void *arg)
{
	struct mx_fw_hook_chain hc[32];
	int n = mx_fw_hook_chains(rs, p->family == AF_INET6 ? 10 : 2, hook, hc, 32);
	struct fw_packet pk;

	pub_packet(p, &pk, hook == FW_HOOK_FORWARD);
	for (int i = 0; i < n; i++) {
		struct fw_walk *w = malloc(sizeof(*w));
		int stop;

		if (!w)
			break;
		fw_walk_chain(hc[i].t, hc[i].c, &pk, w);
		stop = fn(w, arg);
		free(w);
		if (stop)
			break;
	}
}

struct port_walk {
	json_object *o, *restricted;
	char *decided;
	size_t dlen;
	enum fw_verdict v;
	/* Restricting rules of an earlier walk of the same port (another
	 * destination): not listed twice. */
	const struct fw_rule *seen[FW_MAX_STEPS];
	int nseen, dedupe;
};

static int seen(const struct port_walk *pw, const struct fw_rule *r)
{
	for (int i = 0; i < pw->nseen; i++)
		if (pw->seen[i] == r)
			return 1;
	return 0;
}

static int port_walk_chain(const struct fw_walk *w, void *arg)
{
	struct port_walk *pw = arg;

	for (int s = 0; s < w->nsteps; s++) {
		const struct fw_step *st = &w->steps[s];
		char from[160];
		json_object *x;

		if (st->fit == FW_FIT_YES || !st->rule)
			continue;
		if (pw->dedupe && seen(pw, st->rule))
			continue;
		if (pw->nseen < FW_MAX_STEPS)
			pw->seen[pw->nseen++] = st->rule;
		x = mx_fw_rule_json(st->table, st->chain, st->rule);
		from_text(st->rule, from, sizeof(from));
		json_object_object_add(x, "from", json_object_new_string(from));
		json_object_object_add(x, "evaluated",
				       json_object_new_boolean(st->fit != FW_FIT_UNKNOWN));
		json_object_array_add(pw->restricted, x);
	}
	if (w->final >= 0 && pw->v == FW_V_ACCEPT) {
		const struct fw_step *st = &w->steps[w->final];

		json_object_object_add(pw->o, "decided_by",
				       mx_fw_rule_json(st->table, st->chain, st->rule));
		mx_fw_rule_label(st->table, st->chain, st->rule, pw->decided, pw->dlen);
		pw->v = w->verdict;
	}
	return pw->v != FW_V_ACCEPT; /* dropped: later chains never see it */
}

/* The next address after a (af's length), in place. */
static void addr_next(int af, uint8_t *a)
{
	for (int i = (af == AF_INET6 ? 16 : 4) - 1; i >= 0; i--)
		if (++a[i])
			break;
}

/* Walks p again to each address from first to last (skipping first when
 * skip_first) with container port cport over bridge, until one is not
 * accepted: that verdict and its deciding rule become pw's (for a range,
 * the address named in decided, "for connections DNATed to 172.22.1.27",
 * and in decided_for). Returns how many addresses were walked. */
static uint32_t walk_dests(const struct fw_ruleset *rs, const struct mx_fw_pub *p, int hook,
			   const uint8_t *first, const uint8_t *last, int skip_first,
			   uint16_t cport, const char *bridge, struct port_walk *pw)
{
	int range = memcmp(first, last, p->family == AF_INET6 ? 16 : 4) != 0;
	int len = p->family == AF_INET6 ? 16 : 4;
	struct mx_fw_pub q = *p;
	uint32_t walked = 0;

	memcpy(q.cip, first, sizeof(q.cip));
	q.cport = cport;
	snprintf(q.bridge, sizeof(q.bridge), "%s", bridge);
	if (skip_first)
		addr_next(p->family, q.cip);
	while (memcmp(q.cip, last, (size_t)len) <= 0 && walked < MX_FW_RANGE_WALK) {
		struct port_walk pw2 = *pw;
		char dec2[512] = "";
		json_object *d;

		inet_ntop(p->family, q.cip, q.cip_str, sizeof(q.cip_str));
		pw2.o = json_object_new_object();
		pw2.decided = dec2;
		pw2.dlen = sizeof(dec2);
		pw2.dedupe = 1;
		mx_fw_walk_hook(rs, &q, hook, port_walk_chain, &pw2);
		pw->nseen = pw2.nseen;
		memcpy(pw->seen, pw2.seen, sizeof(pw->seen));
		walked++;
		if (pw2.v != FW_V_ACCEPT) {
			pw->v = pw2.v;
			if (range)
				snprintf(pw->decided, pw->dlen,
					 "%.380s (for connections DNATed to %s)", dec2, q.cip_str);
			else
				snprintf(pw->decided, pw->dlen, "%s", dec2);
			if (json_object_object_get_ex(pw2.o, "decided_by", &d))
				json_object_object_add(pw->o, "decided_by", json_object_get(d));
			if (range)
				json_object_object_add(pw->o, "decided_for",
						       json_object_new_string(q.cip_str));
			json_object_put(pw2.o);
			break;
		}
		json_object_put(pw2.o);
		if (!memcmp(q.cip, last, (size_t)len))
			break; /* the last address: its successor may wrap */
		addr_next(p->family, q.cip);
	}
	return walked;
}

/* A DNAT to an address range maps each connection to any address of it:
 * every address is walked (up to MX_FW_RANGE_WALK) and the worst verdict
 * counts. p published by both iptables backends with different
 * destinations: the nat hook that maps the connection first wins, and
 * which one runs first (registration order) cannot be read back, so the
 * other destination is walked too. */
enum fw_verdict mx_fw_walk_port(const struct fw_ruleset *rs, const struct mx_fw_pub *p, int hook,
				json_object *o, json_object *restricted, char *decided, size_t dlen)
{
	struct port_walk pw = {
	    .o = o, .restricted = restricted, .decided = decided, .dlen = dlen, .v = FW_V_ACCEPT};
	uint32_t total = 1, walked = 1;
	int range = p->cip_last_str[0] != 0;

	decided[0] = 0;
	mx_fw_walk_hook(rs, p, hook, port_walk_chain, &pw);
	if (hook != FW_HOOK_FORWARD)
		return pw.v;
	if (range) {
		total = mx_fw_range_size(p->family, p->cip, p->cip_last);
		if (pw.v == FW_V_ACCEPT)
			walked += walk_dests(rs, p, hook, p->cip, p->cip_last, 1, p->cport,
					     p->bridge, &pw);
	}
	if (pw.v == FW_V_ACCEPT && p->also_rule &&
	    (memcmp(p->cip, p->also_cip, sizeof(p->cip)) ||
	     memcmp(p->cip_last, p->also_cip_last, sizeof(p->cip_last)) ||
	     p->cport != p->also_cport || strcmp(p->bridge, p->also_bridge)))
		walk_dests(rs, p, hook, p->also_cip, p->also_cip_last, 0, p->also_cport,
			   p->also_bridge, &pw);
	if (range) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "first", json_object_new_string(p->cip_str));
		json_object_object_add(r, "last", json_object_new_string(p->cip_last_str));
		json_object_object_add(r, "addresses", json_object_new_int64(total));
		/* fewer than addresses: stopped at the first one not accepted,
		 * or at MX_FW_RANGE_WALK */
		json_object_object_add(r, "walked", json_object_new_int64(walked));
		json_object_object_add(o, "dnat_range", r);
	}
	return pw.v;
}
