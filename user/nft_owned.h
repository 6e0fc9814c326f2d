/* SPDX-License-Identifier: GPL-2.0 */
/* An nftables table of our own, created with the owner flag (5.12+): the
 * kernel deletes it when our netlink socket closes, so it cannot outlive
 * us even on SIGKILL. Shared by the feature probe and `trace`. */
#ifndef MX_NFT_OWNED_H
#define MX_NFT_OWNED_H

#include <stdint.h>

struct mnl_socket;

struct mx_nft_owned {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	int family; /* NFPROTO_INET, NFPROTO_IPV4, ... */
	char table[64];
};

/* Creates table `name` owned by a new netlink socket. 0 or -errno. */
int mx_nft_owned_create(struct mx_nft_owned *t, int family, const char *name);
/* Adds a regular (hook = -1) or base chain; 0 or -errno. */
int mx_nft_owned_chain(struct mx_nft_owned *t, const char *chain, int hook, int prio);
/* Adds `meta nftrace set 1` to chain; 0 or -errno. */
int mx_nft_owned_trace_rule(struct mx_nft_owned *t, const char *chain);
/* Closes the socket: the kernel removes the table. */
void mx_nft_owned_close(struct mx_nft_owned *t);

#endif
