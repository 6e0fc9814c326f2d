// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "binds_mech.h"
#include "feature_probe.h"
#include "mechanism.h"
#include "trace_bpf.h"

/* ports: the pid of each socket's holder. */
static const char *choose_ports(const char **why)
{
	if (mx_feature(MX_FEAT_ITER_TASK_FILE)) {
		*why = "one in-kernel walk of every task's files";
		return "bpf_iter task_file";
	}
	*why = "no task_file iterator: walks /proc/*/fd";
	return "procfs";
}

/* trace: hook observers (trace_bpf.c's chooser, which trace.c calls too),
 * plus nftables trace events for rule names and kfree_skb for drop reasons. */
static const char *choose_trace(const char **why)
{
	static char name[160], whybuf[256];
	enum mx_trace_hooks h = mx_trace_hooks_choose(why);
	int nft = mx_feature(MX_FEAT_NFT_OWNER_TABLE) && mx_feature(MX_FEAT_NFT_TRACE);

	if (h == MX_TRACE_NONE)
		return NULL;
	snprintf(name, sizeof(name), "%s%s%s", mx_trace_hooks_name(h),
		 nft ? " + nftables trace" : "",
		 mx_feature(MX_FEAT_KFREE_SKB_REASON) ? " + skb:kfree_skb reasons" : "");
	snprintf(whybuf, sizeof(whybuf), "%s%s", *why,
		 nft ? "" : "; no owner-flag table or trace group: rules named by hook only");
	*why = whybuf;
	return name;
}

const char *mx_choose_outbound(const char **why); /* outbound_dgram.c */

const struct mx_mechanism mx_mechanisms[] = {
    {"ports", choose_ports},
    {"outbound", mx_choose_outbound},
    {"binds", mx_binds_mechanism},
    {"trace", choose_trace},
};
const size_t mx_nmechanisms = sizeof(mx_mechanisms) / sizeof(mx_mechanisms[0]);
