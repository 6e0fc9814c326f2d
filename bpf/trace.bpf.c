// SPDX-License-Identifier: GPL-2.0
/* `mxprobe trace`: follows packets to or from one port through the
 * netfilter hooks. Three interchangeable front ends feed one handler:
 *   - BPF_PROG_TYPE_NETFILTER observers (6.4+), linked at priorities just
 *     around nat and filter; read-only, they always return NF_ACCEPT;
 *   - fentry/fexit on nf_hook_slow (5.5+ with BTF), the whole hook;
 *   - kprobe/kretprobe on nf_hook_slow (anything older).
 * skb:kfree_skb closes the record of a dropped packet with the kernel's
 * drop reason. One record per packet goes to user space (trace_event.h). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "trace_event.h"

char LICENSE[] SEC("license") = "GPL";

#define NF_ACCEPT 1
#define NFPROTO_IPV4 2
#define NFPROTO_IPV6 10
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define NFCT_PTRMASK (~7UL)
#define IP_CT_IS_REPLY 3
#define IP_CT_NUMBER 5

const volatile __u16 trace_port = 0; /* host byte order */
const volatile __u32 netns_ino = 0;  /* only packets of this namespace */
const volatile __u8 capture = 0;     /* copy header bytes for --write */
/* Packets are only taken up where they start (PREROUTING, OUTPUT): true
 * with our own observers there; the nf_hook_slow front ends only see hooks
 * that have tables, so they take packets up wherever they first see them. */
const volatile __u8 strict_entry = 0;
/* Count, instead of sending, packets that repeat their flow's last path
 * (not with --every-packet or --write, which want every packet). */
const volatile __u8 dedupe = 0;
#define DEDUPE_NS (250 * 1000 * 1000ULL) /* a record per flow and path at least this often */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* In-flight packets by sk_buff address. LRU: a packet whose end we never
 * see (freed by consume_skb after delivery) ages out by itself. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct mx_trace_event);
} inflight SEC(".maps");

/* Records lost because the ring buffer was full (index 0). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* One flow along one path: repeats are counted here. */
struct flow_key {
	struct mx_flow f; /* conntrack original tuple, or the header */
	__u32 seen;
	__u32 in_ifindex, out_ifindex;
	__u32 drop_reason;
	__u8 proto, dir, end, pad;
};
struct flow_val {
	__u64 last_ns;
	__u32 count;
	__u32 pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
} flows SEC(".maps");

/* A blank record to start from (too large for the BPF stack); never
 * written, so it stays all zero. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mx_trace_event);
} scratch SEC(".maps");

__u64 next_id = 0;
/* Records started and not yet ended. While none is (the port is idle),
 * observers past the entry return without even a map lookup. A record the
 * LRU drops unended keeps this above zero: slower, never wrong. */
__s64 active = 0;

struct hdr_info {
	struct mx_flow f;
	__u32 seq, ack;
	__u16 ip_id;
	__u8 family, proto, tcp_flags;
};

/* skb fields: netfilter and fentry programs get the sk_buff as a trusted
 * BTF pointer and may load from it directly (no helper call, this runs for
 * every packet); kprobes and tracepoints must go through
 * bpf_probe_read_kernel. `direct` is a constant in each caller, so the
 * other branch is not even compiled in. */
#define SKB_RD(direct, skb, field) ((direct) ? (skb)->field : BPF_CORE_READ(skb, field))

/* Reads the IP and TCP/UDP header at skb's network header. */
static __always_inline int parse(struct sk_buff *skb, struct hdr_info *h, int direct)
{
	unsigned char *head = SKB_RD(direct, skb, head);
	__u16 nh = SKB_RD(direct, skb, network_header);
	__u16 proto = bpf_ntohs(SKB_RD(direct, skb, protocol));
	unsigned char *l4;
	__u8 l4proto;

	if (nh == (__u16)~0U)
		return -1;
	if (proto == ETH_P_IP) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
			return -1;
		if (ip.version != 4)
			return -1;
		h->family = 4;
		__builtin_memset(h->f.saddr, 0, 32);
		__builtin_memcpy(h->f.saddr, &ip.saddr, 4);
		__builtin_memcpy(h->f.daddr, &ip.daddr, 4);
		h->ip_id = bpf_ntohs(ip.id);
		l4proto = ip.protocol;
		/* Only the first fragment carries the ports. */
		if (ip.frag_off & bpf_htons(0x1fff))
			return -1;
		l4 = head + nh + ip.ihl * 4;
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return -1;
		h->family = 6;
		bpf_probe_read_kernel(h->f.saddr, 16, &ip6.saddr);
		bpf_probe_read_kernel(h->f.daddr, 16, &ip6.daddr);
		h->ip_id = 0;
		/* Extension headers are not followed: mail traffic has none. */
		l4proto = ip6.nexthdr;
		l4 = head + nh + sizeof(ip6);
	} else {
		return -1;
	}
	h->proto = l4proto;
	h->seq = h->ack = 0;
	h->tcp_flags = 0;
	if (l4proto == IPPROTO_TCP) {
		__u8 th[14]; /* ports, seq, ack, offset, flags: one read */

		if (bpf_probe_read_kernel(th, sizeof(th), l4))
			return -1;
		__builtin_memcpy(&h->f.sport, th, 2);
		__builtin_memcpy(&h->f.dport, th + 2, 2);
		h->seq = (__u32)th[4] << 24 | (__u32)th[5] << 16 | (__u32)th[6] << 8 | th[7];
		h->ack = (__u32)th[8] << 24 | (__u32)th[9] << 16 | (__u32)th[10] << 8 | th[11];
		h->tcp_flags = th[13];
	} else if (l4proto == IPPROTO_UDP) {
		struct udphdr uh;

		if (bpf_probe_read_kernel(&uh, sizeof(uh), l4))
			return -1;
		h->f.sport = uh.source;
		h->f.dport = uh.dest;
	} else {
		return -1;
	}
	return 0;
}

static __always_inline void read_tuple(struct nf_conntrack_tuple *t, struct mx_flow *f)
{
	bpf_probe_read_kernel(f->saddr, 16, &t->src.u3);
	bpf_probe_read_kernel(f->daddr, 16, &t->dst.u3);
	f->sport = BPF_CORE_READ(t, src.u.all);
	f->dport = BPF_CORE_READ(t, dst.u.all);
}

/* The packet's conntrack entry: where DNAT sent it, from the tuples. */
static __always_inline struct nf_conn *skb_ct(struct sk_buff *skb, __u8 *ctinfo, int direct)
{
	unsigned long nfct = SKB_RD(direct, skb, _nfct);

	*ctinfo = nfct & 7;
	return (struct nf_conn *)(nfct & NFCT_PTRMASK);
}

static __always_inline int port_matches(const struct hdr_info *h, struct nf_conn *ct)
{
	__u16 p = bpf_htons(trace_port);

	if (h->f.sport == p || h->f.dport == p)
		return 1;
	/* A published port may be rewritten (2525 -> 25): the conntrack
	 * tuples still name both. */
	if (ct && (BPF_CORE_READ(ct, tuplehash[0].tuple.dst.u.all) == p ||
		   BPF_CORE_READ(ct, tuplehash[1].tuple.src.u.all) == p))
		return 1;
	return 0;
}

static __always_inline void fill_ct(struct mx_trace_event *e, struct nf_conn *ct, __u8 ctinfo)
{
	if (!ct)
		return;
	e->has_ct = 1;
	e->ct_dir = ctinfo >= IP_CT_IS_REPLY && ctinfo < IP_CT_NUMBER;
	e->ct_status = BPF_CORE_READ(ct, status);
	read_tuple(&ct->tuplehash[0].tuple, &e->ct_orig);
	read_tuple(&ct->tuplehash[1].tuple, &e->ct_reply);
}

static __always_inline struct mx_trace_event *start(__u64 key, struct sk_buff *skb,
						    const struct hdr_info *h)
{
	struct mx_trace_event *e;
	__u32 zero = 0;

	/* A freed sk_buff's address comes back soon: its ended record is
	 * reused in place, without a copy through the map. */
	e = bpf_map_lookup_elem(&inflight, &key);
	if (!e || e->end)
		__sync_fetch_and_add(&active, 1);
	if (e) {
		__builtin_memset(e, 0, __builtin_offsetof(struct mx_trace_event, hdr));
	} else {
		struct mx_trace_event *blank = bpf_map_lookup_elem(&scratch, &zero);

		if (!blank || bpf_map_update_elem(&inflight, &key, blank, BPF_ANY))
			return NULL;
		e = bpf_map_lookup_elem(&inflight, &key);
		if (!e)
			return NULL;
	}
	e->id = __sync_fetch_and_add(&next_id, 1) + 1;
	e->ts_ns = bpf_ktime_get_ns();
	e->first = h->f;
	e->last = h->f;
	e->family = h->family;
	e->proto = h->proto;
	e->tcp_flags = h->tcp_flags;
	e->tcp_seq = h->seq;
	e->tcp_ack = h->ack;
	e->ip_id = h->ip_id;
	e->len = BPF_CORE_READ(skb, len);
	if (capture) {
		unsigned char *head = BPF_CORE_READ(skb, head);
		__u16 nh = BPF_CORE_READ(skb, network_header);
		__u32 avail = BPF_CORE_READ(skb, tail) - nh;

		/* Only the linear part, at most MX_TRACE_HDR_MAX: bounded so
		 * that the verifier sees it. */
		avail &= 0xffff;
		if (avail > MX_TRACE_HDR_MAX)
			avail = MX_TRACE_HDR_MAX;
		if (avail && bpf_probe_read_kernel(e->hdr, avail, head + nh) == 0)
			e->cap_len = avail;
	}
	return e;
}

/* True when the record only repeats its flow's path: counted, not sent. */
static __always_inline int repeated(struct mx_trace_event *e, __u64 now)
{
	struct flow_key k;
	struct flow_val *v, nv = {};

	/* Connection setup and teardown are always sent. */
	if (!dedupe || (e->proto == IPPROTO_TCP && (e->tcp_flags & 0x07)))
		return 0;
	__builtin_memset(&k, 0, sizeof(k));
	k.f = e->has_ct ? e->ct_orig : e->first;
	k.seen = e->seen;
	k.in_ifindex = e->in_ifindex;
	k.out_ifindex = e->out_ifindex;
	k.drop_reason = e->drop_reason;
	k.proto = e->proto;
	k.dir = e->ct_dir;
	k.end = e->end;
	v = bpf_map_lookup_elem(&flows, &k);
	if (v && now - v->last_ns < DEDUPE_NS) {
		__sync_fetch_and_add(&v->count, 1);
		return 1;
	}
	if (v) {
		e->repeats = v->count;
		v->count = 0;
		v->last_ns = now;
	} else {
		nv.last_ns = now;
		bpf_map_update_elem(&flows, &k, &nv, BPF_ANY);
	}
	return 0;
}

static __always_inline void emit(struct mx_trace_event *e)
{
	/* Wake user space for every 32 records only: under load this saves
	 * a wakeup per packet; user space also reads every 50 ms. */
	__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= 31 * sizeof(*e)
			  ? BPF_RB_FORCE_WAKEUP
			  : BPF_RB_NO_WAKEUP;

	/* Without --write the header bytes stay home: a third less to copy. */
	__u64 size = capture ? sizeof(*e) : __builtin_offsetof(struct mx_trace_event, hdr);

	e->end_ns = bpf_ktime_get_ns();
	if (repeated(e, e->end_ns))
		return;
	if (bpf_ringbuf_output(&events, e, size, flags)) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&lost, &zero);

		if (n)
			(*n)++;
	}
}

static __always_inline void dev_name(struct net_device *dev, char *name, __u32 *ifindex)
{
	if (!dev)
		return;
	*ifindex = BPF_CORE_READ(dev, ifindex);
	bpf_probe_read_kernel_str(name, 16, &dev->name);
}

/* The one handler every front end calls. */
static __always_inline void observe(struct sk_buff *skb, __u8 pf, __u8 hook, struct net_device *in,
				    struct net_device *out, int phase, int direct)
{
	int entry = phase == MX_PHASE_BEFORE && (hook == MX_HOOK_PRE || hook == MX_HOOK_OUT);
	/* Where addresses can change: after DNAT (PREROUTING, OUTPUT) and
	 * SNAT (POSTROUTING), and where the trip ends (INPUT). Elsewhere the
	 * header and conntrack tuples are not read again. */
	int reread = phase == MX_PHASE_AFTER && hook != MX_HOOK_FWD;
	struct mx_trace_event *e;
	struct hdr_info h;
	struct nf_conn *ct = NULL;
	__u64 key = (__u64)skb;
	__u8 ctinfo = 0;
	__u32 ifindex;

	if ((pf != NFPROTO_IPV4 && pf != NFPROTO_IPV6) || hook >= MX_NHOOKS)
		return;
	if (strict_entry && !entry && active <= 0)
		return;
	e = bpf_map_lookup_elem(&inflight, &key);
	/* Past the entry, a packet we do not follow costs one lookup. */
	if (strict_entry && !entry && (!e || e->end))
		return;
	/* A packet starts at PREROUTING or OUTPUT; a record already ended
	 * belongs to an earlier packet in the same (reused) sk_buff. */
	if (!e || e->end || entry) {
		if (parse(skb, &h, direct))
			return;
		ct = skb_ct(skb, &ctinfo, direct);
		if (!port_matches(&h, ct))
			return;
		e = start(key, skb, &h);
		if (!e)
			return;
		fill_ct(e, ct, ctinfo);
	} else if (reread) {
		if (parse(skb, &h, direct) == 0)
			e->last = h.f;
		ct = skb_ct(skb, &ctinfo, direct);
		fill_ct(e, ct, ctinfo);
	}
	e->seen |= MX_SEEN(hook, phase);
	if (in && !e->in_ifindex)
		dev_name(in, e->in_name, &e->in_ifindex);
	if (out) {
		ifindex = BPF_CORE_READ(out, ifindex);
		if (ifindex != e->out_ifindex)
			dev_name(out, e->out_name, &e->out_ifindex);
	}
	if (phase != MX_PHASE_AFTER)
		return;
	if (hook == MX_HOOK_POST)
		e->end = (e->seen & (MX_SEEN(MX_HOOK_FWD, 0) | MX_SEEN(MX_HOOK_FWD, 1)))
			     ? MX_END_FORWARDED
			     : MX_END_LOCAL_OUT;
	else if (hook == MX_HOOK_IN)
		e->end = MX_END_LOCAL_IN;
	else
		return;
	__sync_fetch_and_add(&active, -1);
	emit(e);
	/* The entry stays (marked ended) so that a later drop of the same
	 * packet (no socket, bridge, qdisc) is reported against it. */
}

/* ---- front end 1: netfilter link observers (libbpf 1.1 has no
 * SEC("netfilter"): user space sets the program type before load). */

SEC("mx_netfilter")
int nf_before(struct bpf_nf_ctx *ctx)
{
	const struct nf_hook_state *st = ctx->state;

	observe(ctx->skb, st->pf, st->hook, st->in, st->out, MX_PHASE_BEFORE, 1);
	return NF_ACCEPT;
}

SEC("mx_netfilter")
int nf_after(struct bpf_nf_ctx *ctx)
{
	const struct nf_hook_state *st = ctx->state;

	observe(ctx->skb, st->pf, st->hook, st->in, st->out, MX_PHASE_AFTER, 1);
	return NF_ACCEPT;
}

/* nf_hook_slow runs for every namespace; a netfilter link only for ours. */
static __always_inline int state_in_our_netns(struct nf_hook_state *state)
{
	return BPF_CORE_READ(state, net, ns.inum) == netns_ino;
}

/* ---- front end 2: fentry/fexit on nf_hook_slow. Entry = before every
 * table of the hook, an accepting return (1) = after all of them. */

SEC("fentry/nf_hook_slow")
int BPF_PROG(fentry_hook, struct sk_buff *skb, struct nf_hook_state *state)
{
	if (!state_in_our_netns(state))
		return 0;
	observe(skb, BPF_CORE_READ(state, pf), BPF_CORE_READ(state, hook), BPF_CORE_READ(state, in),
		BPF_CORE_READ(state, out), MX_PHASE_BEFORE, 0);
	return 0;
}

SEC("fexit/nf_hook_slow")
int BPF_PROG(fexit_hook, struct sk_buff *skb, struct nf_hook_state *state,
	     const struct nf_hook_entries *e, unsigned int s, int ret)
{
	if (ret == 1 && state_in_our_netns(state))
		observe(skb, BPF_CORE_READ(state, pf), BPF_CORE_READ(state, hook),
			BPF_CORE_READ(state, in), BPF_CORE_READ(state, out), MX_PHASE_AFTER, 0);
	return 0;
}

/* ---- front end 3: kprobe/kretprobe on nf_hook_slow. The return probe
 * has no arguments: entry stashes them on a per-CPU stack (hooks run with
 * preemption off under rcu_read_lock, and may nest through softirqs). */

struct kp_frame {
	struct sk_buff *skb;
	struct nf_hook_state *state;
};
#define KP_DEPTH 8
struct kp_stack {
	__u32 depth;
	struct kp_frame f[KP_DEPTH];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kp_stack);
} kp_stack SEC(".maps");

SEC("kprobe/nf_hook_slow")
int BPF_KPROBE(kprobe_hook, struct sk_buff *skb, struct nf_hook_state *state)
{
	__u32 zero = 0, d;
	struct kp_stack *s = bpf_map_lookup_elem(&kp_stack, &zero);
	int ours = state_in_our_netns(state);

	if (ours)
		observe(skb, BPF_CORE_READ(state, pf), BPF_CORE_READ(state, hook),
			BPF_CORE_READ(state, in), BPF_CORE_READ(state, out), MX_PHASE_BEFORE, 0);
	if (!s)
		return 0;
	/* Every call is pushed (the return probe pops blindly); other
	 * namespaces' frames are marked with a NULL state. */
	d = s->depth;
	if (d < KP_DEPTH) {
		s->f[d].skb = skb;
		s->f[d].state = ours ? state : NULL;
	}
	s->depth = d + 1;
	return 0;
}

SEC("kretprobe/nf_hook_slow")
int BPF_KRETPROBE(kretprobe_hook, int ret)
{
	__u32 zero = 0, d;
	struct kp_stack *s = bpf_map_lookup_elem(&kp_stack, &zero);
	struct nf_hook_state *state;

	if (!s || !s->depth)
		return 0;
	d = --s->depth;
	if (d >= KP_DEPTH || ret != 1)
		return 0;
	state = s->f[d].state;
	if (!state)
		return 0;
	observe(s->f[d].skb, BPF_CORE_READ(state, pf), BPF_CORE_READ(state, hook),
		BPF_CORE_READ(state, in), BPF_CORE_READ(state, out), MX_PHASE_AFTER, 0);
	return 0;
}

/* ---- drops: skb:kfree_skb. The reason field appeared in 5.17 and moved
 * when rx_sk was added (6.12): CO-RE finds it by name. */

struct trace_event_raw_kfree_skb___x {
	void *skbaddr;
	void *location;
	/* An enum, as in the kernel: CO-RE does not match int to enum. */
	enum skb_drop_reason reason;
} __attribute__((preserve_access_index));

static __always_inline int in_our_netns(struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);

	if (!dev)
		return 0;
	return BPF_CORE_READ(dev, nd_net.net, ns.inum) == netns_ino;
}

SEC("tracepoint/skb/kfree_skb")
int kfree_skb(struct trace_event_raw_kfree_skb___x *ctx)
{
	struct sk_buff *skb = ctx->skbaddr;
	__u64 key = (__u64)skb;
	struct mx_trace_event *e;
	struct hdr_info h;
	struct nf_conn *ct;
	__u8 ctinfo;

	e = bpf_map_lookup_elem(&inflight, &key);
	if (!e) {
		/* Dropped before our first observer (raw table, rp_filter,
		 * a bad header): a packet of the port in our namespace? */
		if (!in_our_netns(skb) || parse(skb, &h, 0))
			return 0;
		ct = skb_ct(skb, &ctinfo, 0);
		if (!port_matches(&h, ct))
			return 0;
		e = start(key, skb, &h);
		if (!e)
			return 0;
		fill_ct(e, ct, ctinfo);
		dev_name(BPF_CORE_READ(skb, dev), e->in_name, &e->in_ifindex);
	}
	/* After forwarding, the same sk_buff lives on in the namespace at
	 * the other end of a veth: its fate there is not ours to report. */
	if (e->end && !in_our_netns(skb)) {
		bpf_map_delete_elem(&inflight, &key);
		return 0;
	}
	if (!e->end)
		__sync_fetch_and_add(&active, -1);
	e->end = e->end ? MX_END_LATE_DROP : MX_END_DROP;
	if (bpf_core_field_exists(ctx->reason))
		e->drop_reason = ctx->reason;
	e->drop_location = (__u64)ctx->location;
	emit(e);
	bpf_map_delete_elem(&inflight, &key);
	return 0;
}
