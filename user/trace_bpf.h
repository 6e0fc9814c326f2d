/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF half of `mxprobe trace`: opens bpf/trace.bpf.c with one of its
 * front ends, attaches it, and hands each packet record to a callback. */
#ifndef MX_TRACE_BPF_H
#define MX_TRACE_BPF_H

#include <stdint.h>

#include "trace_event.h"

enum mx_trace_hooks {
	MX_TRACE_NFLINK, /* BPF netfilter link observers (6.4+) */
	MX_TRACE_FENTRY, /* fentry/fexit nf_hook_slow */
	MX_TRACE_KPROBE, /* kprobe/kretprobe nf_hook_slow */
	MX_TRACE_NONE,
};

/* The hook mechanism this kernel supports, best first (feature probes);
 * *why says what it was chosen over. */
enum mx_trace_hooks mx_trace_hooks_choose(const char **why);
const char *mx_trace_hooks_name(enum mx_trace_hooks m);
/* "nflink", "fentry", "kprobe" -> enum; MX_TRACE_NONE when unknown. */
enum mx_trace_hooks mx_trace_hooks_parse(const char *s);

/* Where the netfilter-link observers sit (priorities, for the output). */
struct mx_trace_prio {
	int before, after;
};
extern const struct mx_trace_prio mx_trace_prios[MX_NHOOKS];

struct mx_trace_bpf;
typedef void (*mx_trace_cb)(const struct mx_trace_event *ev, void *ctx);

struct mx_trace_bpf_opts {
	enum mx_trace_hooks hooks;
	uint16_t port;
	int capture; /* copy header bytes for --write */
	int kfree;   /* attach skb:kfree_skb */
	int dedupe;  /* count repeats of a flow's path in the kernel */
	mx_trace_cb cb;
	void *ctx;
};

/* Opens, loads and attaches; 0 or -errno after an error message. */
int mx_trace_bpf_open(struct mx_trace_bpf **out, const struct mx_trace_bpf_opts *o);
int mx_trace_bpf_fd(struct mx_trace_bpf *t); /* readable when records wait */
int mx_trace_bpf_consume(struct mx_trace_bpf *t);
uint64_t mx_trace_bpf_lost(struct mx_trace_bpf *t);
/* Repeats counted in the kernel and not yet reported with a record. */
uint64_t mx_trace_bpf_pending(struct mx_trace_bpf *t);
/* Number of links/attachments made (for the header line). */
int mx_trace_bpf_nlinks(struct mx_trace_bpf *t);
void mx_trace_bpf_close(struct mx_trace_bpf *t);

#endif
