/* SPDX-License-Identifier: GPL-2.0 */
/* nftables tracing for `mxprobe trace`: a table of our own (owner flag:
 * it disappears with our netlink socket, even on SIGKILL) sets
 * `meta nftrace` on packets of the port before raw and nat run, and the
 * trace events of every later table (iptables-nft rules included) are read
 * from NFNLGRP_NFTRACE and matched to the BPF packet records. */
#ifndef MX_TRACE_NFT_H
#define MX_TRACE_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "trace_event.h"

/* One decision of one chain for one packet. */
struct mx_nft_decision {
	int hook;	 /* NF_INET_* of the base chain, -1 unknown */
	uint8_t family;	 /* NFPROTO_* of the table */
	uint8_t type;	 /* NFT_TRACETYPE_RULE / RETURN / POLICY */
	int32_t verdict; /* NF_DROP, NF_ACCEPT, NFT_JUMP, NFT_GOTO, NFT_CONTINUE, NFT_RETURN */
	uint64_t handle; /* rule handle (type RULE) */
	uint32_t iif, oif;
	char table[64];
	char chain[64];
	char target[64]; /* jump/goto target */
	/* Packet key (not changed by NAT): matched to the BPF record. */
	uint8_t key_family, key_proto;
	uint16_t key_ipid;
	uint32_t key_seq, key_ack;
	uint64_t seq; /* arrival order */
};

struct mx_nftrace;

/* Creates table "mxprobe_trace_<pid>" and joins the trace group; 0 or
 * -errno after an error message. TCP SYN/FIN/RST packets are always
 * traced; other packets of the port at up to `rate` per second (0: all):
 * every traced packet costs the kernel one netlink message per rule. */
int mx_nftrace_open(struct mx_nftrace **out, uint16_t port, uint32_t rate);
const char *mx_nftrace_table(struct mx_nftrace *n);
int mx_nftrace_fd(struct mx_nftrace *n);
/* Reads every pending trace message; returns how many, or -errno. */
int mx_nftrace_read(struct mx_nftrace *n);
/* Moves the decisions recorded for the packet of ev into out (in arrival
 * order); returns their number. */
size_t mx_nftrace_take(struct mx_nftrace *n, const struct mx_trace_event *ev,
		       struct mx_nft_decision *out, size_t max);
/* Trace messages the kernel could not deliver (socket buffer full). */
uint64_t mx_nftrace_overruns(struct mx_nftrace *n);
/* Trace messages read and decisions stored (for -v). */
void mx_nftrace_stats(struct mx_nftrace *n, uint64_t *msgs, uint64_t *decisions);
void mx_nftrace_close(struct mx_nftrace *n);

#endif
