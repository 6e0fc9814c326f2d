/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers, found by loading and attaching tiny
 * programs (bpf/features.bpf.c), never by version number. Live commands
 * ask here which mechanism to use. */
#ifndef MX_FEATURE_PROBE_H
#define MX_FEATURE_PROBE_H

#include <stdbool.h>

struct mx_opts;
struct mx_config;

enum mx_feature {
	MX_FEAT_BTF,
	MX_FEAT_RINGBUF,
	MX_FEAT_TRACEPOINT,
	MX_FEAT_TP_BTF,
	MX_FEAT_FENTRY,
	MX_FEAT_KPROBE,
	MX_FEAT_ITER_TASK_FILE,
	MX_FEAT_KFREE_SKB_REASON,
	MX_FEAT_NETFILTER_LINK,
	MX_FEAT_NFT_OWNER_TABLE,
	MX_FEAT_NFT_TRACE,
	MX_FEAT_COUNT
};

struct mx_feature_result {
	bool probed;
	bool available;
	char detail[160]; /* why not, or what was used */
};

/* Probes one feature (cached after the first call; thread-safe). */
bool mx_feature(enum mx_feature f);
const struct mx_feature_result *mx_feature_result(enum mx_feature f);
const char *mx_feature_name(enum mx_feature f);
const char *mx_feature_description(enum mx_feature f);

/* The netfilter link needs a program type and attach type that libbpf 1.1
 * and Debian 12's uapi headers do not know; these are the kernel's values. */
#define MX_BPF_PROG_TYPE_NETFILTER 32
#define MX_BPF_NETFILTER 45

int mx_cmd_features(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv);

#endif
