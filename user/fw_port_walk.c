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
};

static int port_walk_chain(const struct fw_walk *w, void *arg)
{
	struct port_walk *pw = arg;

	for (int s = 0; s < w->nsteps; s++) {
		const struct fw_step *st = &w->steps[s];
		char from[160];
		json_object *x;

		if (st->fit == FW_FIT_YES || !st->rule)
			continue;
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

enum fw_verdict mx_fw_walk_port(const struct fw_ruleset *rs, const struct mx_fw_pub *p, int hook,
				json_object *o, json_object *restricted, char *decided, size_t dlen)
{
	struct port_walk pw = {o, restricted, decided, dlen, FW_V_ACCEPT};

	decided[0] = 0;
	mx_fw_walk_hook(rs, p, hook, port_walk_chain, &pw);
	return pw.v;
}
