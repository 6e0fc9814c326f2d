/* SPDX-License-Identifier: GPL-2.0 */
/* One record per traced packet, shared by bpf/trace.bpf.c and user/trace*.c.
 * The BPF side follows a packet (keyed by its sk_buff) through observers
 * placed around the netfilter tables and sends this record once, when the
 * packet leaves the stack, is delivered locally or is freed as a drop. */
#ifndef MX_TRACE_EVENT_H
#define MX_TRACE_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Netfilter hooks (NF_INET_*). */
#define MX_HOOK_PRE 0
#define MX_HOOK_IN 1
#define MX_HOOK_FWD 2
#define MX_HOOK_OUT 3
#define MX_HOOK_POST 4
#define MX_NHOOKS 5

/* Observation points: before/after the table that decides at that hook
 * (bit = hook * 2 + phase). With the netfilter link these are programs at
 * priorities around nat and filter; with fentry/kprobe the entry and the
 * accepting return of nf_hook_slow. */
#define MX_PHASE_BEFORE 0
#define MX_PHASE_AFTER 1
#define MX_SEEN(hook, phase) (1u << ((hook)*2 + (phase)))

/* How the packet's trip ended. */
#define MX_END_FORWARDED 1 /* left through POSTROUTING after FORWARD */
#define MX_END_LOCAL_IN 2  /* passed INPUT: handed to a local socket */
#define MX_END_LOCAL_OUT 3 /* generated here, left through POSTROUTING */
#define MX_END_DROP 4	   /* freed as a drop (skb:kfree_skb) */
#define MX_END_LATE_DROP 5 /* dropped after local delivery (no socket...) */

#define MX_TRACE_HDR_MAX 128 /* bytes of the packet kept for --write */

/* Addresses and ports of one IPv4/IPv6 packet, network byte order. */
struct mx_flow {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
};

struct mx_trace_event {
	__u64 id;		 /* per-run packet number */
	__u64 ts_ns;		 /* first observation, CLOCK_MONOTONIC */
	__u64 end_ns;		 /* when the record was sent */
	__u64 drop_location;	 /* kfree_skb caller */
	struct mx_flow first;	 /* header as first seen */
	struct mx_flow last;	 /* header when the trip ended (after NAT) */
	struct mx_flow ct_orig;	 /* conntrack original tuple */
	struct mx_flow ct_reply; /* conntrack reply tuple */
	__u32 seen;		 /* MX_SEEN bits */
	__u32 drop_reason;	 /* enum skb_drop_reason, decoded through BTF */
	__u32 ct_status;	 /* IPS_* bits */
	__u32 len;		 /* skb->len at first sight */
	__u32 tcp_seq;
	__u32 tcp_ack;
	__u32 in_ifindex;
	__u32 out_ifindex;
	__u32 cap_len; /* bytes valid in hdr[] */
	/* Packets of the same flow along the same path that the kernel counted
	 * instead of sending since this flow's last record (see dedupe). */
	__u32 repeats;
	__u16 ip_id;
	__u8 family; /* 4 or 6 */
	__u8 proto;
	__u8 tcp_flags;
	__u8 end; /* MX_END_* */
	__u8 has_ct;
	__u8 ct_dir; /* 0 original, 1 reply */
	char in_name[16];
	char out_name[16];
	__u8 hdr[MX_TRACE_HDR_MAX]; /* from the network header, as first seen */
};

_Static_assert(sizeof(struct mx_trace_event) == 384, "mx_trace_event layout");

#endif
