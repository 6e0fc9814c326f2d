// SPDX-License-Identifier: GPL-2.0
/* Tiny programs, each loaded and attached alone by `mxprobe features` to
 * find out what this kernel really allows (a version number says nothing:
 * kprobes may not be built, fentry attach may be refused). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} probe_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} probe_pb SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_bind")
int probe_tracepoint(void *ctx)
{
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(probe_tp_btf, const struct sock *sk, int oldstate, int newstate)
{
	return 0;
}

SEC("fentry/inet_bind")
int BPF_PROG(probe_fentry, struct socket *sock)
{
	return 0;
}

SEC("kprobe/inet_bind")
int BPF_KPROBE(probe_kprobe, struct socket *sock)
{
	return 0;
}

SEC("iter/task_file")
int probe_iter_task_file(struct bpf_iter__task_file *ctx)
{
	return 0;
}

SEC("tracepoint/skb/kfree_skb")
int probe_kfree_skb(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_bind")
int probe_ringbuf(void *ctx)
{
	__u32 *v = bpf_ringbuf_reserve(&probe_rb, sizeof(*v), 0);

	if (v)
		bpf_ringbuf_discard(v, 0);
	return 0;
}

/* The perf buffer, for kernels before the ring buffer (5.8). */
SEC("tracepoint/syscalls/sys_enter_bind")
int probe_perfbuf(void *ctx)
{
	__u32 v = 0;

	bpf_perf_event_output(ctx, &probe_pb, BPF_F_CURRENT_CPU, &v, sizeof(v));
	return 0;
}
