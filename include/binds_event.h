/* SPDX-License-Identifier: GPL-2.0 */
/* One bind() or listen() on a TCP or UDP socket, as bpf/binds.bpf.c reports
 * it to user/binds.c. Every mechanism (fexit, kprobe, syscall tracepoints)
 * fills the same record. Shared by BPF and userspace: fixed-size types only. */
#ifndef MX_BINDS_EVENT_H
#define MX_BINDS_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MX_BIND_COMM_LEN 16

enum mx_bind_kind {
	MX_BIND_EV_BIND = 1,
	MX_BIND_EV_LISTEN = 2,
};

/* Socket options that decide whether a bind conflicts (see docs/binds.md). */
#define MX_BIND_F_REUSEADDR 0x01 /* SO_REUSEADDR */
#define MX_BIND_F_REUSEPORT 0x02 /* SO_REUSEPORT */
#define MX_BIND_F_V6ONLY 0x04	 /* IPV6_V6ONLY */
/* A socket went to TCP_LISTEN outside a listen() syscall (io_uring, a
 * kernel socket) while only tracepoints are available: the result of such a
 * listen cannot be seen, ret is then MX_BIND_RET_UNKNOWN. */
#define MX_BIND_F_NOSYSCALL 0x08

#define MX_BIND_RET_UNKNOWN 1 /* never a real return value (0 or -errno) */

/* Per-CPU counters of events the kernel side could not deliver. */
enum mx_bind_lost {
	MX_BIND_LOST_RING = 0,	   /* ring/perf buffer full */
	MX_BIND_LOST_INFLIGHT = 1, /* table of syscalls in progress full */
	MX_BIND_LOST_MAX = 2,
};

struct mx_bind_event {
	__u64 ts_ns;	 /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cgroup_id; /* cgroup v2 id of the calling task */
	__u32 pid;	 /* thread group id */
	__u32 tid;
	__u32 uid;
	__u32 netns;	  /* inode of the socket's network namespace */
	__s32 ret;	  /* 0, -errno or MX_BIND_RET_UNKNOWN */
	__u32 ifindex;	  /* SO_BINDTODEVICE interface, 0 = any */
	__u32 backlog;	  /* listen() only */
	__u16 kind;	  /* enum mx_bind_kind */
	__u16 family;	  /* socket's AF_INET / AF_INET6 */
	__u16 sa_family;  /* family of the requested sockaddr (bind) */
	__u16 proto;	  /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE */
	__u16 type;	  /* SOCK_STREAM, SOCK_DGRAM */
	__u16 port;	  /* requested port (listen: the bound port), host order */
	__u16 bound_port; /* port the socket holds after the call */
	__u8 flags;	  /* MX_BIND_F_* */
	__u8 pad0;
	__u8 addr[16]; /* requested address; IPv4 in the first 4 bytes */
	char comm[MX_BIND_COMM_LEN];
	__u32 pad1;
};

_Static_assert(sizeof(struct mx_bind_event) == 96, "mx_bind_event layout changed");

#endif
