/* SPDX-License-Identifier: GPL-2.0 */
/* The DNAT rules of the nftables ruleset (native nft and iptables-nft, which
 * Docker uses on Debian 12) that rewrite a destination port: what makes a
 * host service on that port unreachable from outside ("shadowed"). A small,
 * self-contained reader: only DNAT, destination port, protocol and address. */
#ifndef MX_NAT_DNAT_H
#define MX_NAT_DNAT_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

struct mx_dnat {
	__u8 family; /* NFPROTO_IPV4 / NFPROTO_IPV6 (the table's) */
	__u8 proto;  /* IPPROTO_TCP/UDP, 0 = any */
	__u16 dport_min, dport_max;
	__u8 has_daddr; /* the rule matches one destination address */
	__u8 daddr[16];
	__u8 has_to;
	__u8 to_family;
	__u8 to_addr[16]; /* where it goes (AF_INET/AF_INET6 in to_family) */
	__u16 to_port;	  /* 0 = unchanged */
	int negated_iif;  /* "! -i br-x": Docker's "not from the bridge itself" */
	char table[64];
	char chain[64];
	__u64 handle;
};

struct mx_dnat_list {
	struct mx_dnat *v;
	size_t n, cap;
};

/* Reads every rule of the current network namespace's ruleset (one netlink
 * dump) and keeps the DNAT rules with a destination port; the replies are
 * also written to record when not NULL. 0 or -errno. */
int mx_dnat_read(struct mx_dnat_list *l, FILE *record);
/* Parses such a recording, checked like live replies. 0 or -errno. */
int mx_dnat_replay(const void *rec, size_t len, struct mx_dnat_list *l);
/* Parses one NFT_MSG_NEWRULE message (for tests); 1 when kept, 0, -errno. */
int mx_dnat_parse_rule(const void *nlh, struct mx_dnat_list *l);
void mx_dnat_free(struct mx_dnat_list *l);
/* "172.22.1.253:25" */
const char *mx_dnat_to_str(const struct mx_dnat *d, char *buf, size_t len);

#endif
