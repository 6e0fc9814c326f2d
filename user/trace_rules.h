/* SPDX-License-Identifier: GPL-2.0 */
/* Names the rules that nftables trace events point at by handle: the base
 * chain's hook, the rule's position in its chain ("rule 2") and its text in
 * the syntax its owner wrote it in (iptables for iptables-nft tables, nft
 * otherwise), from the firewall command's model (fw_model.h), reloaded
 * when the ruleset generation changes. */
#ifndef MX_TRACE_RULES_H
#define MX_TRACE_RULES_H

#include <stddef.h>
#include <stdint.h>

struct mx_rules;

int mx_rules_open(struct mx_rules **out);
/* Hook (NF_INET_*) of a base chain, -1 for a regular chain, -2 unknown;
 * *prio is set for base chains. */
int mx_rules_chain_hook(struct mx_rules *r, int family, const char *table, const char *chain,
			int *prio);
/* Position (1-based) and text of rule `handle`; 0, or -1 when not found. */
int mx_rules_describe(struct mx_rules *r, int family, const char *table, const char *chain,
		      uint64_t handle, int *pos, char *text, size_t len);
/* iptables-legacy has no trace events: a drop is attributed to the DROP or
 * REJECT rules whose packet counters moved since the last look. */
struct mx_legacy_hit {
	char table[64], chain[64];
	int pos;
	uint64_t packets;
	int reject;
	char text[512];
};
/* Takes the first counter snapshot; true when legacy tables exist. */
int mx_rules_legacy_present(struct mx_rules *r);
/* The legacy DROP/REJECT rules of `family` (NFPROTO_IPV4/6) whose counters
 * moved since the previous call; their number. */
int mx_rules_legacy_drops(struct mx_rules *r, int family, struct mx_legacy_hit *hits, int max);
/* Forgets everything when the ruleset generation changed. */
void mx_rules_refresh(struct mx_rules *r);
void mx_rules_close(struct mx_rules *r);

/* "ip", "ip6", "inet", ... for an NFPROTO_* value. */
const char *mx_nfproto_name(int family);

#endif
