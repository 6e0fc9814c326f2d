/* SPDX-License-Identifier: GPL-2.0 */
/* The checks of the firewall group (fw_check_*.c) and what other code may
 * use of them: the loading of the ruleset, the mail ports Docker publishes
 * (fw_docker_ports.c), a rule as JSON. What only the checks share is in
 * fw_checks.h. */
#ifndef MX_FW_ANALYSIS_H
#define MX_FW_ANALYSIS_H

#include "check.h"
#include "fw_model.h"

/* When set, the checks read this recorded nf_tables dump (fw_nft_record)
 * instead of the live ruleset and no legacy tables: unit tests. */
extern const char *mx_fw_nft_file;

/* Loads the ruleset the checks see: nf_tables + legacy tables. 0 or -1
 * with rs->err. */
int mx_fw_load(struct fw_ruleset *rs);

/* A mail port Docker publishes: Docker's DNAT rule in nat (ip or ip6). */
struct mx_fw_pub {
	const char *name; /* mail port name from the config ("smtp") */
	int family;	  /* AF_INET / AF_INET6 */
	int proto;
	uint16_t hport, cport;
	uint8_t cip[16];
	char cip_str[48];
	char bridge[16];
	int known; /* 0: mail port not published (yet): no DNAT rule */
	const struct fw_table *table;
	const struct fw_chain *chain;
	const struct fw_rule *rule; /* the DNAT rule */
};
#define MX_FW_MAX_PUB 64
int mx_fw_published(const struct fw_ruleset *rs, const struct mx_config *cfg, int family,
		    struct mx_fw_pub *out, int max);

/* The rule as JSON: table, family, backend, chain, position, handle, rule, verdict. */
json_object *mx_fw_rule_json(const struct fw_table *t, const struct fw_chain *c,
			     const struct fw_rule *r);

void mx_check_fw_backend(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_fw_managers(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_fw_docker_user(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_fw_forward_policy(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_fw_published(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_fw_input(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_fw_ipv6(struct mx_ctx *ctx, struct mx_result *r);

#endif
