// SPDX-License-Identifier: GPL-2.0
/* Opens bpf/trace.bpf.c, keeps only the front end this kernel supports,
 * attaches it. Every attachment is held only by our file descriptors: when
 * we exit (even by SIGKILL) the kernel drops links and programs. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/netfilter.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "feature_probe.h"
#include "log.h"
#include "nf_link.h"
#include "trace.skel.h"
#include "trace_bpf.h"

/* Around nat (DNAT at -100, SNAT at 100) and filter (0); see the field
 * notes' priority table. PREROUTING -101 is after conntrack (-200), so the
 * packet already has its conntrack entry but not yet its new address. */
const struct mx_trace_prio mx_trace_prios[MX_NHOOKS] = {
    [MX_HOOK_PRE] = {-101, -99}, [MX_HOOK_IN] = {-1, 1},     [MX_HOOK_FWD] = {-1, 1},
    [MX_HOOK_OUT] = {-1, 1},	 [MX_HOOK_POST] = {99, 101},
};

#define MAX_LINKS (2 * MX_NHOOKS * 2)

struct mx_trace_bpf {
	struct trace_bpf *skel;
	struct ring_buffer *rb;
	int link_fds[MAX_LINKS];
	int nlinks;
	struct bpf_link *links[8];
	int nblinks;
	mx_trace_cb cb;
	void *ctx;
};

static const char *const hook_mech_names[] = {
    [MX_TRACE_NFLINK] = "netfilter link observers",
    [MX_TRACE_FENTRY] = "fentry/fexit nf_hook_slow",
    [MX_TRACE_KPROBE] = "kprobe/kretprobe nf_hook_slow",
    [MX_TRACE_NONE] = "none",
};

const char *mx_trace_hooks_name(enum mx_trace_hooks m)
{
	return m <= MX_TRACE_NONE ? hook_mech_names[m] : "?";
}

enum mx_trace_hooks mx_trace_hooks_parse(const char *s)
{
	if (!strcmp(s, "nflink") || !strcmp(s, "netfilter"))
		return MX_TRACE_NFLINK;
	if (!strcmp(s, "fentry"))
		return MX_TRACE_FENTRY;
	if (!strcmp(s, "kprobe"))
		return MX_TRACE_KPROBE;
	return MX_TRACE_NONE;
}

enum mx_trace_hooks mx_trace_hooks_choose(const char **why)
{
	if (mx_feature(MX_FEAT_NETFILTER_LINK)) {
		*why = "read-only observers at chosen priorities around nat and filter";
		return MX_TRACE_NFLINK;
	}
	if (mx_feature(MX_FEAT_FENTRY)) {
		*why = "no netfilter link: entry and verdict of each whole hook";
		return MX_TRACE_FENTRY;
	}
	if (mx_feature(MX_FEAT_KPROBE)) {
		*why = "no netfilter link, no fentry: entry and verdict of each whole hook";
		return MX_TRACE_KPROBE;
	}
	*why = "no netfilter link, fentry or kprobe on this kernel";
	return MX_TRACE_NONE;
}

static const char *const hook_names[MX_NHOOKS] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT",
						  "POSTROUTING"};

static int nf_link(struct mx_trace_bpf *t, struct bpf_program *prog, int pf, int hook, int prio)
{
	int fd = mx_nf_link_create(bpf_program__fd(prog), pf, hook, prio);

	if (fd < 0) {
		mx_err("trace: attach %s %s observer at priority %d: %s",
		       pf == NFPROTO_IPV4 ? "ipv4" : "ipv6", hook_names[hook], prio, strerror(-fd));
		return fd;
	}
	t->link_fds[t->nlinks++] = fd;
	return 0;
}

static int attach_nflink(struct mx_trace_bpf *t)
{
	static const int pfs[] = {NFPROTO_IPV4, NFPROTO_IPV6};
	size_t i;
	int h, err;

	for (i = 0; i < 2; i++)
		for (h = 0; h < MX_NHOOKS; h++) {
			err = nf_link(t, t->skel->progs.nf_before, pfs[i], h,
				      mx_trace_prios[h].before);
			if (!err)
				err = nf_link(t, t->skel->progs.nf_after, pfs[i], h,
					      mx_trace_prios[h].after);
			if (err)
				return err;
		}
	return 0;
}

static int attach_prog(struct mx_trace_bpf *t, struct bpf_program *p, const char *what)
{
	struct bpf_link *l = bpf_program__attach(p);

	if (!l) {
		int err = errno;

		mx_err("trace: attach %s: %s", what, strerror(err));
		return -err;
	}
	t->links[t->nblinks++] = l;
	return 0;
}

static int on_sample(void *ctx, void *data, size_t len)
{
	struct mx_trace_bpf *t = ctx;
	struct mx_trace_event ev;

	/* Records come without the header bytes unless they were asked for. */
	if (len >= sizeof(ev)) {
		t->cb(data, t->ctx);
	} else if (len >= offsetof(struct mx_trace_event, hdr)) {
		memcpy(&ev, data, offsetof(struct mx_trace_event, hdr));
		ev.cap_len = 0;
		t->cb(&ev, t->ctx);
	}
	return 0;
}

int mx_trace_bpf_open(struct mx_trace_bpf **out, const struct mx_trace_bpf_opts *o)
{
	struct mx_trace_bpf *t;
	struct bpf_program *p, *keep[3] = {0};
	struct stat st;
	int err, i;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cb = o->cb;
	t->ctx = o->ctx;
	t->skel = trace_bpf__open();
	if (!t->skel) {
		err = -errno;
		mx_err("trace: open BPF object: %s", strerror(-err));
		goto fail;
	}
	t->skel->rodata->trace_port = o->port;
	t->skel->rodata->capture = o->capture ? 1 : 0;
	t->skel->rodata->strict_entry = o->hooks == MX_TRACE_NFLINK;
	t->skel->rodata->dedupe = o->dedupe ? 1 : 0;
	/* kfree_skb is global: only drops in our own namespace count. */
	if (stat("/proc/self/ns/net", &st) == 0)
		t->skel->rodata->netns_ino = st.st_ino;

	switch (o->hooks) {
	case MX_TRACE_NFLINK:
		keep[0] = t->skel->progs.nf_before;
		keep[1] = t->skel->progs.nf_after;
		for (i = 0; i < 2; i++) {
			bpf_program__set_type(keep[i], MX_BPF_PROG_TYPE_NETFILTER);
			bpf_program__set_expected_attach_type(keep[i], MX_BPF_NETFILTER);
		}
		break;
	case MX_TRACE_FENTRY:
		keep[0] = t->skel->progs.fentry_hook;
		keep[1] = t->skel->progs.fexit_hook;
		break;
	case MX_TRACE_KPROBE:
		keep[0] = t->skel->progs.kprobe_hook;
		keep[1] = t->skel->progs.kretprobe_hook;
		break;
	default:
		err = -EOPNOTSUPP;
		mx_err("trace: no hook mechanism on this kernel");
		goto fail;
	}
	if (o->kfree)
		keep[2] = t->skel->progs.kfree_skb;
	bpf_object__for_each_program(p, t->skel->obj)
	{
		bpf_program__set_autoload(p, p == keep[0] || p == keep[1] || p == keep[2]);
	}
	if (o->hooks != MX_TRACE_KPROBE)
		bpf_map__set_autocreate(t->skel->maps.kp_stack, false);
	err = trace_bpf__load(t->skel);
	if (err) {
		/* As root, EPERM is the kernel's policy (a refused attach type,
		 * lockdown), not a missing privilege. */
		mx_err("trace: load BPF programs (%s): %s%s", mx_trace_hooks_name(o->hooks),
		       strerror(-err),
		       err != -EPERM	? ""
		       : geteuid() == 0 ? " (refused by this kernel)"
					: " (needs CAP_BPF and CAP_PERFMON, or root)");
		goto fail;
	}
	if (o->hooks == MX_TRACE_NFLINK)
		err = attach_nflink(t);
	else
		err = attach_prog(t, keep[0], "nf_hook_slow entry")
			  ?: attach_prog(t, keep[1], "nf_hook_slow return");
	if (!err && keep[2])
		err = attach_prog(t, keep[2], "tracepoint skb:kfree_skb");
	if (err)
		goto fail;
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_sample, t, NULL);
	if (!t->rb) {
		err = -errno;
		mx_err("trace: ring buffer: %s", strerror(-err));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	mx_trace_bpf_close(t);
	return err;
}

int mx_trace_bpf_fd(struct mx_trace_bpf *t)
{
	return ring_buffer__epoll_fd(t->rb);
}

int mx_trace_bpf_consume(struct mx_trace_bpf *t)
{
	return ring_buffer__consume(t->rb);
}

int mx_trace_bpf_nlinks(struct mx_trace_bpf *t)
{
	return t->nlinks + t->nblinks;
}

uint64_t mx_trace_bpf_lost(struct mx_trace_bpf *t)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t *v, sum = 0;
	__u32 zero = 0;

	if (ncpu <= 0)
		return 0;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return 0;
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.lost), &zero, v) == 0)
		for (i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

uint64_t mx_trace_bpf_pending(struct mx_trace_bpf *t)
{
	/* struct flow_key of trace.bpf.c: 36 + 4 * 4 + 4 bytes. */
	unsigned char key[56], next[56];
	struct {
		uint64_t last_ns;
		uint32_t count, pad;
	} v;
	int fd = bpf_map__fd(t->skel->maps.flows), err;
	uint64_t sum = 0;

	if (bpf_map__key_size(t->skel->maps.flows) != sizeof(key))
		return 0;
	for (err = bpf_map_get_next_key(fd, NULL, next); !err;
	     err = bpf_map_get_next_key(fd, key, next)) {
		if (bpf_map_lookup_elem(fd, next, &v) == 0)
			sum += v.count;
		memcpy(key, next, sizeof(key));
	}
	return sum;
}

void mx_trace_bpf_close(struct mx_trace_bpf *t)
{
	int i;

	if (!t)
		return;
	ring_buffer__free(t->rb);
	for (i = 0; i < t->nlinks; i++)
		close(t->link_fds[i]);
	for (i = 0; i < t->nblinks; i++)
		bpf_link__destroy(t->links[i]);
	trace_bpf__destroy(t->skel);
	free(t);
}
