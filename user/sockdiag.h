/* SPDX-License-Identifier: GPL-2.0 */
/* Bound and listening inet sockets from netlink sock_diag (inet_diag), as
 * `ss` gets them, without parsing /proc/net. */
#ifndef MX_SOCKDIAG_H
#define MX_SOCKDIAG_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

/* Kernel TCP states (include/net/tcp_states.h). TCP_BOUND_INACTIVE (bound,
 * never listened or connected) is dumped since Linux 6.7; older kernels
 * ignore the bit. */
#define MX_TCP_ESTABLISHED 1
#define MX_TCP_CLOSE 7
#define MX_TCP_LISTEN 10
#define MX_TCP_BOUND_INACTIVE 13

struct mx_sock {
	__u8 family; /* AF_INET, AF_INET6 */
	__u8 proto;  /* IPPROTO_TCP, IPPROTO_UDP */
	__u8 state;
	__u8 v6only;   /* INET_DIAG_SKV6ONLY; 0 for AF_INET */
	__u8 addr[16]; /* network order; AF_INET uses the first 4 bytes */
	__u16 port;    /* host order */
	__u32 ifindex;
	__u32 uid;
	__u64 inode;
	__u64 cookie;
};

struct mx_sock_list {
	struct mx_sock *v;
	size_t n, cap;
};

void mx_sock_list_free(struct mx_sock_list *l);

/* The states worth asking for: TCP listeners and bound-but-idle sockets
 * (both hold the port), every UDP socket with a local port. */
__u32 mx_sockdiag_states(int proto);

/* Dumps the sockets of family/proto in the current network namespace whose
 * state is in `states` (bit per state) and, when port != 0, whose local port
 * is port (filtered in the kernel). Appends to l. When record is not NULL,
 * every reply buffer is also written to it (see mx_sockdiag_replay).
 * Returns 0 or -errno. */
int mx_sockdiag_dump(int family, int proto, __u32 states, __u16 port, struct mx_sock_list *l,
		     FILE *record);

/* The same in the network namespace of netns_fd (an open /proc/PID/ns/net
 * or /run/netns/NAME; -1 = the current one), without moving the caller. */
int mx_sockdiag_dump_ns(int netns_fd, int family, int proto, __u32 states, __u16 port,
			struct mx_sock_list *l, FILE *record);

/* Parses a recording written by mx_sockdiag_dump: the request's sequence
 * number and proto, then length-prefixed reply buffers, each checked like a
 * live reply (sequence, port id, message sizes). Returns 0 or -errno. */
int mx_sockdiag_replay(const void *rec, size_t len, struct mx_sock_list *l);

/* "0.0.0.0", "::1": the socket's address as inet_ntop prints it. */
const char *mx_sock_addr_str(const struct mx_sock *s, char *buf, size_t len);
/* True when the socket is bound to the wildcard address of its family. */
int mx_sock_is_wildcard(const struct mx_sock *s);

#endif
