// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/netfilter.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>

#include "cli.h"
#include "feature_probe.h"
#include "features.skel.h"
#include "log.h"
#include "nf_link.h"
#include "nft_owned.h"
#include "report.h"
#include "sysroot.h"

static const char *const names[MX_FEAT_COUNT] = {
    [MX_FEAT_BTF] = "btf",
    [MX_FEAT_RINGBUF] = "ringbuf",
    [MX_FEAT_TRACEPOINT] = "tracepoint",
    [MX_FEAT_TP_BTF] = "tp_btf",
    [MX_FEAT_FENTRY] = "fentry",
    [MX_FEAT_KPROBE] = "kprobe",
    [MX_FEAT_ITER_TASK_FILE] = "iter_task_file",
    [MX_FEAT_KFREE_SKB_REASON] = "kfree_skb_reason",
    [MX_FEAT_NETFILTER_LINK] = "netfilter_link",
    [MX_FEAT_NFT_OWNER_TABLE] = "nft_owner_table",
    [MX_FEAT_NFT_TRACE] = "nft_trace",
    [MX_FEAT_PERFBUF] = "perfbuf",
};

static const char *const descriptions[MX_FEAT_COUNT] = {
    [MX_FEAT_BTF] = "kernel BTF (CO-RE relocations)",
    [MX_FEAT_RINGBUF] = "BPF ring buffer (else perf buffer)",
    [MX_FEAT_TRACEPOINT] = "tracepoint programs",
    [MX_FEAT_TP_BTF] = "BTF-typed raw tracepoints",
    [MX_FEAT_FENTRY] = "fentry/fexit trampolines",
    [MX_FEAT_KPROBE] = "kprobes",
    [MX_FEAT_ITER_TASK_FILE] = "bpf_iter over tasks' files",
    [MX_FEAT_KFREE_SKB_REASON] = "skb:kfree_skb with drop reasons",
    [MX_FEAT_NETFILTER_LINK] = "BPF netfilter link (read-only hook observer)",
    [MX_FEAT_NFT_OWNER_TABLE] = "nftables tables owned by a socket",
    [MX_FEAT_NFT_TRACE] = "nftables trace events (meta nftrace)",
    [MX_FEAT_PERFBUF] = "perf event output (ring buffer fallback)",
};

static struct mx_feature_result results[MX_FEAT_COUNT];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

const char *mx_feature_description(enum mx_feature f)
{
	return f < MX_FEAT_COUNT ? descriptions[f] : "?";
}

const char *mx_feature_name(enum mx_feature f)
{
	return f < MX_FEAT_COUNT ? names[f] : "?";
}

static void set(struct mx_feature_result *r, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set(struct mx_feature_result *r, bool ok, const char *fmt, ...)
{
	va_list ap;

	r->available = ok;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static const char *hint(int err)
{
	err = err < 0 ? -err : err;
	if (err != EPERM && err != EACCES)
		return "";
	/* As root, EPERM is the kernel's policy (lockdown, a refused attach
	 * type), not a missing privilege. */
	if (geteuid() == 0)
		return " (refused by this kernel)";
	return " (needs CAP_BPF and CAP_PERFMON, or root)";
}

/* Loads only `prog` of the features object and attaches it. */
static void probe_prog(struct mx_feature_result *r, const char *what,
		       struct bpf_program *(*pick)(struct features_bpf *))
{
	struct features_bpf *skel;
	struct bpf_program *p, *want;
	struct bpf_link *link = NULL;
	int err;

	skel = features_bpf__open();
	if (!skel) {
		err = -errno;
		set(r, false, "open %s probe: %s", what, strerror(-err));
		return;
	}
	want = pick(skel);
	bpf_object__for_each_program(p, skel->obj) bpf_program__set_autoload(p, p == want);
	if (want != skel->progs.probe_ringbuf)
		bpf_map__set_autocreate(skel->maps.probe_rb, false);
	if (want != skel->progs.probe_perfbuf)
		bpf_map__set_autocreate(skel->maps.probe_pb, false);
	err = features_bpf__load(skel);
	if (err) {
		set(r, false, "load %s: %s%s", what, strerror(-err), hint(err));
		goto cleanup;
	}
	if (want == skel->progs.probe_iter_task_file) {
		link = bpf_program__attach_iter(want, NULL);
	} else {
		link = bpf_program__attach(want);
	}
	if (!link) {
		err = -errno;
		set(r, false, "attach %s: %s%s", what, strerror(-err), hint(err));
		goto cleanup;
	}
	set(r, true, "%s", what);
cleanup:
	bpf_link__destroy(link);
	features_bpf__destroy(skel);
}

#define PICK(name)                                                                                 \
	static struct bpf_program *pick_##name(struct features_bpf *s)                             \
	{                                                                                          \
		return s->progs.name;                                                              \
	}
PICK(probe_tracepoint)
PICK(probe_tp_btf)
PICK(probe_fentry)
PICK(probe_kprobe)
PICK(probe_iter_task_file)
PICK(probe_ringbuf)
PICK(probe_kfree_skb)
PICK(probe_perfbuf)

/* libbpf creates kprobes through the kprobe PMU, or else through
 * kprobe_events in tracefs; with neither, the kernel was built without
 * CONFIG_KPROBE_EVENTS and saying so beats "No such file or directory". */
static void probe_kprobe(struct mx_feature_result *r)
{
	if (!mx_exists("/sys/bus/event_source/devices/kprobe/type") &&
	    !mx_exists("/sys/kernel/tracing/kprobe_events") &&
	    !mx_exists("/sys/kernel/debug/tracing/kprobe_events")) {
		set(r, false,
		    "kprobes not built into this kernel (no kprobe PMU, no kprobe_events)");
		return;
	}
	probe_prog(r, "kprobe inet_bind", pick_probe_kprobe);
}

static void probe_btf(struct mx_feature_result *r)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf) {
		set(r, false, "load vmlinux BTF: %s", strerror(errno));
		return;
	}
	set(r, true, "/sys/kernel/btf/vmlinux");
	btf__free(btf);
}

/* The drop reason exists in the tracepoint since 5.17, NETFILTER_DROP since
 * 5.18; both are read from BTF, as the enum values differ between kernels. */
static void probe_kfree_skb_reason(struct mx_feature_result *r)
{
	const struct btf_type *t;
	struct btf *btf;
	int id, i, found = 0;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		set(r, false, "no kernel BTF to decode drop reasons");
		return;
	}
	id = btf__find_by_name_kind(btf, "trace_event_raw_kfree_skb", BTF_KIND_STRUCT);
	if (id > 0) {
		const struct btf_member *m;

		t = btf__type_by_id(btf, id);
		m = btf_members(t);
		for (i = 0; i < btf_vlen(t); i++, m++)
			if (!strcmp(btf__name_by_offset(btf, m->name_off), "reason"))
				found = 1;
	}
	if (!found) {
		set(r, false, "skb:kfree_skb has no reason field");
		goto out;
	}
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id <= 0) {
		set(r, false, "enum skb_drop_reason missing from BTF");
		goto out;
	}
	t = btf__type_by_id(btf, id);
	found = 0;
	{
		const struct btf_enum *e = btf_enum(t);

		for (i = 0; i < btf_vlen(t); i++, e++)
			if (!strcmp(btf__name_by_offset(btf, e->name_off),
				    "SKB_DROP_REASON_NETFILTER_DROP"))
				found = 1;
	}
	if (!found) {
		set(r, false, "no SKB_DROP_REASON_NETFILTER_DROP in this kernel");
		goto out;
	}
	/* The tracepoint itself must attach too. */
	probe_prog(r, "tracepoint skb:kfree_skb", pick_probe_kfree_skb);
out:
	btf__free(btf);
}

/* libbpf 1.1 has no netfilter attach helper: load `r0 = NF_ACCEPT; exit`
 * and create the link with the bpf() syscall, as the field notes say. */
static void probe_netfilter_link(struct mx_feature_result *r)
{
	struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = NF_ACCEPT},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, popts, .expected_attach_type = MX_BPF_NETFILTER);
	int prog, link;

	prog = bpf_prog_load(MX_BPF_PROG_TYPE_NETFILTER, "mx_nf_probe", "GPL", insns, 2, &popts);
	if (prog < 0) {
		set(r, false, "load netfilter program: %s%s", strerror(-prog), hint(prog));
		return;
	}
	/* Just before filter: a read-only observer's place. */
	link = mx_nf_link_create(prog, NFPROTO_IPV4, NF_INET_FORWARD, -1);
	if (link < 0) {
		set(r, false, "create netfilter link: %s%s", strerror(-link), hint(link));
	} else {
		set(r, true, "link at ipv4 FORWARD priority -1");
		close(link);
	}
	close(prog);
}

/* An owned table that dies with our socket; then a `meta nftrace set 1`
 * rule in a regular chain (no hook: no packet sees it) and a subscription
 * to the trace group. Nothing is left: closing the socket drops the table. */
static void probe_nft(struct mx_feature_result *owner, struct mx_feature_result *trace)
{
	struct mx_nft_owned t;
	char name[64];
	int err, grp = NFNLGRP_NFTRACE;

	snprintf(name, sizeof(name), "mxprobe_probe_%d", (int)getpid());
	err = mx_nft_owned_create(&t, NFPROTO_INET, name);
	if (err) {
		set(owner, false, "create owned table: %s%s", strerror(-err),
		    err == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		set(trace, false, "needs an owned table to set nftrace from");
		owner->probed = trace->probed = true;
		return;
	}
	set(owner, true, "inet %s", name);
	err = mx_nft_owned_chain(&t, "probe", -1, 0);
	if (!err)
		err = mx_nft_owned_trace_rule(&t, "probe");
	if (err) {
		set(trace, false, "add meta nftrace rule: %s", strerror(-err));
	} else if (mnl_socket_setsockopt(t.nl, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		set(trace, false, "subscribe to NFNLGRP_NFTRACE: %s", strerror(errno));
	} else {
		set(trace, true, "NFNLGRP_NFTRACE");
	}
	mx_nft_owned_close(&t);
	owner->probed = trace->probed = true;
}

static void probe(enum mx_feature f, struct mx_feature_result *r)
{
	switch (f) {
	case MX_FEAT_BTF:
		probe_btf(r);
		break;
	case MX_FEAT_RINGBUF:
		probe_prog(r, "ring buffer map", pick_probe_ringbuf);
		break;
	case MX_FEAT_TRACEPOINT:
		probe_prog(r, "tracepoint syscalls:sys_enter_bind", pick_probe_tracepoint);
		break;
	case MX_FEAT_TP_BTF:
		probe_prog(r, "tp_btf inet_sock_set_state", pick_probe_tp_btf);
		break;
	case MX_FEAT_FENTRY:
		probe_prog(r, "fentry inet_bind", pick_probe_fentry);
		break;
	case MX_FEAT_KPROBE:
		probe_kprobe(r);
		break;
	case MX_FEAT_ITER_TASK_FILE:
		probe_prog(r, "iter task_file", pick_probe_iter_task_file);
		break;
	case MX_FEAT_KFREE_SKB_REASON:
		probe_kfree_skb_reason(r);
		break;
	case MX_FEAT_NETFILTER_LINK:
		probe_netfilter_link(r);
		break;
	case MX_FEAT_PERFBUF:
		probe_prog(r, "perf event array output", pick_probe_perfbuf);
		break;
	case MX_FEAT_NFT_OWNER_TABLE:
	case MX_FEAT_NFT_TRACE:
		probe_nft(&results[MX_FEAT_NFT_OWNER_TABLE], &results[MX_FEAT_NFT_TRACE]);
		break;
	default:
		set(r, false, "unknown feature");
	}
}

const struct mx_feature_result *mx_feature_result(enum mx_feature f)
{
	struct mx_feature_result *r;

	if (f >= MX_FEAT_COUNT)
		return NULL;
	r = &results[f];
	pthread_mutex_lock(&lock);
	if (!r->probed) {
		probe(f, r);
		r->probed = true;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

bool mx_feature(enum mx_feature f)
{
	const struct mx_feature_result *r = mx_feature_result(f);

	return r && r->available;
}
