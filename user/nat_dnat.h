/* SPDX-License-Identifier: GPL-2.0 */
/* Which DNAT rule takes a port away from the host: a new connection from
 * outside to a local address and port, walked through the nat PREROUTING
 * base chains (jumps followed) of the firewall model (fw_model.h: nf_tables
 * of iptables-nft and native nft, and legacy x_tables). */
#ifndef MX_NAT_DNAT_H
#define MX_NAT_DNAT_H

#include <stddef.h>
#include <linux/types.h>

#include "fw_model.h"

struct mx_dnat {
	const struct fw_table *table;
	const struct fw_chain *chain;
	const struct fw_rule *rule; /* rule->nat_to, rule->text, rule->handle */
	/* FW_FIT_YES: every such packet; CONDITIONAL: from some sources or
	 * interfaces only; UNKNOWN: criteria the model does not evaluate. */
	enum fw_fit fit;
};

struct mx_dnat_list {
	struct fw_ruleset rs;
	int loaded; /* rs holds a ruleset (else no rule is ever found) */
};

/* Reads the ruleset of the current network namespace: nf_tables, then the
 * legacy tables that exist. 0, or -1 with l->rs.err set (what was read is
 * kept). When record is not NULL, a raw nf_tables dump is also written
 * there (fw_nft_record). */
int mx_dnat_read(struct mx_dnat_list *l, const char *record);
/* Loads a recorded nf_tables dump instead (unit tests). 0 or -1. */
int mx_dnat_parse(struct mx_dnat_list *l, const void *buf, size_t len);
void mx_dnat_free(struct mx_dnat_list *l);

/* The DNAT rule a new connection from outside to addr:port (addr NULL: any
 * local address) of family/proto would meet first. 1 when found (d
 * filled), 0 when not. */
int mx_dnat_lookup(const struct mx_dnat_list *l, int family, int proto, const __u8 *addr,
		   __u16 port, struct mx_dnat *d);

/* "172.22.1.253:25", or "?" */
const char *mx_dnat_to(const struct mx_dnat *d);
const char *mx_dnat_fit_name(enum fw_fit fit);

#endif
