// SPDX-License-Identifier: GPL-2.0
/* Socket inode -> process, in one pass over every task's open files
 * (bpf_iter task_file, 5.8+): what ss learns by reading every /proc/PID/fd entry of
 * every process, without a syscall per file. Also reads the socket's
 * SO_REUSEADDR/SO_REUSEPORT bits, which sock_diag does not report and which
 * decide some bind conflicts. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "pidmap_event.h"

char LICENSE[] SEC("license") = "GPL";

#define MX_S_IFMT 00170000
#define MX_S_IFSOCK 0140000
#define MX_AF_INET 2
#define MX_AF_INET6 10

SEC("iter/task_file")
int pidmap(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct mx_pidmap_rec rec = {};
	struct socket *sock;
	struct inode *inode;
	struct sock *sk;
	umode_t mode;

	if (!task || !file)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return 0;
	mode = BPF_CORE_READ(inode, i_mode);
	if ((mode & MX_S_IFMT) != MX_S_IFSOCK)
		return 0;
	/* A socket file's private_data is its struct socket (sock_alloc_file). */
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	rec.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (rec.family != MX_AF_INET && rec.family != MX_AF_INET6)
		return 0;
	rec.inode = BPF_CORE_READ(inode, i_ino);
	rec.tgid = BPF_CORE_READ(task, tgid);
	rec.reuse = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse);
	rec.reuseport = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuseport);
	bpf_probe_read_kernel_str(rec.comm, sizeof(rec.comm), task->comm);
	bpf_seq_write(seq, &rec, sizeof(rec));
	return 0;
}
