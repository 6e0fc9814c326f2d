/* SPDX-License-Identifier: GPL-2.0 */
/* What the checks of the firewall group (fw_check_*.c) share; internal to
 * them. The checks themselves and the published ports are in
 * fw_analysis.h. */
#ifndef MX_FW_CHECKS_H
#define MX_FW_CHECKS_H

#include <stddef.h>
#include <json-c/json.h>

#include "check.h"
#include "fw_analysis.h"
#include "fw_model.h"

/* fw_check_common.c */
/* mx_fw_load, or -1 with the result set to an error naming the cause and
 * rs freed. */
int mx_fw_load_or_error(struct mx_result *r, struct fw_ruleset *rs);
/* "iptables-nft", "ip6tables-legacy", "nftables"... */
const char *mx_fw_backend_name(const struct fw_table *t);
/* "ip filter FORWARD rule 2 (handle 7): -s 1.2.3.0/24 -j DROP", or
 * "ip filter FORWARD policy DROP" when r is NULL: for summaries. */
void mx_fw_rule_label(const struct fw_table *t, const struct fw_chain *c, const struct fw_rule *r,
		      char *buf, size_t len);
/* The iptables filter table with Docker's chains for family (NFPROTO_*). */
const struct fw_table *mx_fw_docker_filter(const struct fw_ruleset *rs, int family);
/* Docker's nftables backend: table docker-bridges. */
const struct fw_table *mx_fw_docker_nft_table(const struct fw_ruleset *rs, int family);

/* fw_docker_ports.c: mx_fw_published into a new array of MX_FW_MAX_PUB
 * (NULL if out of memory, *n = 0); the caller frees it. */
struct mx_fw_pub *mx_fw_pubs(const struct fw_ruleset *rs, const struct mx_config *cfg, int family,
			     int *n);

/* fw_check_forward.c: the DOCKER-USER analysis of one family (fills o,
 * the summary and a remedy); returns the status. */
enum mx_status mx_fw_docker_user(const struct fw_ruleset *rs, int family, json_object *o, char *sum,
				 size_t len, char *rem, size_t rlen);

/* fw_port_walk.c */
struct mx_fw_hook_chain {
	const struct fw_table *t;
	const struct fw_chain *c;
};
/* Filter base chains at hook of every table that sees family's packets
 * (NFPROTO_*), lowest priority first. */
int mx_fw_hook_chains(const struct fw_ruleset *rs, int family, int hook,
		      struct mx_fw_hook_chain *out, int max);
/* A new connection from anywhere to published port p, walked through each
 * chain at hook (FORWARD: to the container after DNAT; INPUT: to the host
 * port) in turn; fn gets each chain's walk and returns nonzero to stop. */
void mx_fw_walk_hook(const struct fw_ruleset *rs, const struct mx_fw_pub *p, int hook,
		     int (*fn)(const struct fw_walk *w, void *arg), void *arg);
/* Walks every chain at hook for one port; adds the deciding rule to o
 * ("decided_by", and its label to decided) and the conditional ones to
 * restricted. Returns the verdict for a client from anywhere. */
enum fw_verdict mx_fw_walk_port(const struct fw_ruleset *rs, const struct mx_fw_pub *p, int hook,
				json_object *o, json_object *restricted, char *decided,
				size_t dlen);

#endif
