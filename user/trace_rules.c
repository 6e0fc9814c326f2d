// SPDX-License-Identifier: GPL-2.0
/* Rule naming for trace events (see trace_rules.h), on top of the firewall
 * command's ruleset model (fw_model.h): the nf_tables dump gives each rule
 * its handle, position and text (iptables syntax for iptables-nft tables,
 * nft syntax otherwise); the legacy x_tables give rule counters, which is
 * how a drop on iptables-legacy (no nftables trace there) is attributed.
 * The model is reloaded when the ruleset generation changes. */
#include <netinet/in.h> /* before the linux/ headers */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <libnftnl/gen.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "fw_model.h"
#include "log.h"
#include "trace_rules.h"

struct mx_rules {
	struct mnl_socket *nl;
	uint32_t seq;
	uint32_t gen;
	int have_gen;
	double gen_checked;
	struct fw_ruleset nft;
	/* Legacy tables: the last snapshot of their counters. */
	struct fw_ruleset legacy;
	int have_legacy;
};

const char *mx_nfproto_name(int family)
{
	return fw_family_name(family);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int gen_cb(const struct nlmsghdr *h, void *data)
{
	struct nftnl_gen *g = nftnl_gen_alloc();

	if (g && nftnl_gen_nlmsg_parse(h, g) == 0)
		*(uint32_t *)data = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
	return MNL_CB_OK;
}

/* The ruleset generation: bumped by every change of any table. */
static int get_gen(struct mx_rules *r, uint32_t *gen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h;
	uint32_t portid = mnl_socket_get_portid(r->nl);
	int n;

	/* With an ack, the answer ends with it (MNL_CB_STOP). */
	h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, NFPROTO_UNSPEC, NLM_F_ACK, ++r->seq);
	if (mnl_socket_sendto(r->nl, h, h->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		n = mnl_cb_run(buf, n, r->seq, portid, gen_cb, gen);
	} while (n > 0);
	return n < 0 ? -errno : 0;
}

void mx_rules_refresh(struct mx_rules *r)
{
	uint32_t gen = 0;
	double t = now_s();
	int err;

	/* Several events per packet ask: one question per 100 ms is plenty. */
	if (r->have_gen && t - r->gen_checked < 0.1)
		return;
	r->gen_checked = t;
	err = get_gen(r, &gen);
	if (err) {
		mx_dbg("trace: ruleset generation: %s", strerror(-err));
		return;
	}
	if (r->have_gen && gen == r->gen)
		return;
	r->gen = gen;
	r->have_gen = 1;
	fw_ruleset_free(&r->nft);
	fw_ruleset_init(&r->nft);
	if (fw_nft_load(&r->nft))
		mx_dbg("trace: read nf_tables ruleset: %s", r->nft.err);
	mx_dbg("trace: ruleset generation %u: %d tables", gen, r->nft.ntables);
}

int mx_rules_open(struct mx_rules **out)
{
	struct mx_rules *r = calloc(1, sizeof(*r));
	struct timeval tv = {.tv_sec = 3};

	if (!r)
		return -ENOMEM;
	fw_ruleset_init(&r->nft);
	fw_ruleset_init(&r->legacy);
	r->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!r->nl || mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mx_rules_close(r);
		return err;
	}
	setsockopt(mnl_socket_get_fd(r->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r->seq = time(NULL);
	mx_rules_refresh(r);
	*out = r;
	return 0;
}

int mx_rules_chain_hook(struct mx_rules *r, int family, const char *table, const char *chain,
			int *prio)
{
	const struct fw_chain *c;

	mx_rules_refresh(r);
	c = fw_chain_find(fw_table_find(&r->nft, FW_NFT, family, table), chain);
	if (!c)
		return -2;
	if (!c->base)
		return -1;
	if (prio)
		*prio = c->prio;
	return c->hook;
}

/* "-p tcp -m tcp --dport 25": the protocol match iptables-save spells out
 * says nothing a reader needs. */
static void tidy(char *s)
{
	static const char *const noise[] = {"-m tcp ", "-m udp "};
	char *m;
	size_t i;

	for (i = 0; i < 2; i++)
		while ((m = strstr(s, noise[i])))
			memmove(m, m + strlen(noise[i]), strlen(m + strlen(noise[i])) + 1);
}

int mx_rules_describe(struct mx_rules *r, int family, const char *table, const char *chain,
		      uint64_t handle, int *pos, char *text, size_t len)
{
	const struct fw_rule *rule;

	mx_rules_refresh(r);
	rule = fw_rule_by_handle(&r->nft, family, table, chain, handle);
	if (!rule)
		return -1;
	*pos = rule->pos;
	snprintf(text, len, "%s", rule->text);
	tidy(text);
	return 0;
}

int mx_rules_legacy_present(struct mx_rules *r)
{
	fw_ruleset_free(&r->legacy);
	fw_ruleset_init(&r->legacy);
	fw_legacy_load(&r->legacy);
	r->have_legacy = r->legacy.ntables > 0;
	return r->have_legacy;
}

static const struct fw_rule *old_rule(const struct fw_ruleset *rs, const struct fw_table *t,
				      const struct fw_chain *c, int i)
{
	const struct fw_chain *oc =
	    fw_chain_find(fw_table_find(rs, FW_LEGACY, t->family, t->name), c->name);

	return oc && i < oc->nrules ? &oc->rules[i] : NULL;
}

int mx_rules_legacy_drops(struct mx_rules *r, int family, struct mx_legacy_hit *hits, int max)
{
	struct fw_ruleset now;
	int n = 0, ti, ci, i;

	if (!r->have_legacy)
		return 0;
	fw_ruleset_init(&now);
	fw_legacy_load(&now);
	for (ti = 0; ti < now.ntables; ti++) {
		const struct fw_table *t = &now.tables[ti];

		if (t->family != family)
			continue;
		for (ci = 0; ci < t->nchains; ci++) {
			const struct fw_chain *c = &t->chains[ci];

			for (i = 0; i < c->nrules && n < max; i++) {
				const struct fw_rule *nr = &c->rules[i],
						     * or = old_rule(&r->legacy, t, c, i);

				if (nr->verdict != FW_V_DROP && nr->verdict != FW_V_REJECT)
					continue;
				/* Same rule (same text) with a counter that moved. */
				if (! or || strcmp(or->text, nr->text) ||
				    nr->packets <= or->packets)
					continue;
				snprintf(hits[n].table, sizeof(hits[n].table), "%s", t->name);
				snprintf(hits[n].chain, sizeof(hits[n].chain), "%s", c->name);
				hits[n].pos = nr->pos;
				hits[n].packets = nr->packets - or->packets;
				snprintf(hits[n].text, sizeof(hits[n].text), "%s", nr->text);
				tidy(hits[n].text);
				hits[n].reject = nr->verdict == FW_V_REJECT;
				n++;
			}
		}
	}
	fw_ruleset_free(&r->legacy);
	r->legacy = now;
	return n;
}

void mx_rules_close(struct mx_rules *r)
{
	if (!r)
		return;
	fw_ruleset_free(&r->nft);
	fw_ruleset_free(&r->legacy);
	if (r->nl)
		mnl_socket_close(r->nl);
	free(r);
}
