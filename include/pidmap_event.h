/* SPDX-License-Identifier: GPL-2.0 */
/* One record of bpf/pidmap.bpf.c: a socket file open in a process. Include
 * after vmlinux.h (BPF) or <linux/types.h> (userspace). */
#ifndef MX_PIDMAP_EVENT_H
#define MX_PIDMAP_EVENT_H

struct mx_pidmap_rec {
	__u64 inode; /* sockfs inode: sock_diag's idiag_inode */
	__u32 tgid;
	__u8 reuse;	/* sk_reuse (SO_REUSEADDR) */
	__u8 reuseport; /* sk_reuseport (SO_REUSEPORT) */
	__u8 family;
	__u8 pad;
	char comm[16];
};

_Static_assert(sizeof(struct mx_pidmap_rec) == 32, "mx_pidmap_rec is 32 bytes");

#endif
