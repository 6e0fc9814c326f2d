/* SPDX-License-Identifier: GPL-2.0 */
/* Would bind() + listen() of a new socket fail because of an existing one?
 * The kernel's own rules (net/ipv4/inet_connection_sock.c inet_bind_conflict
 * and inet_rcv_saddr_equal, net/ipv4/udp.c udp_lib_lport_inuse), applied to
 * what sock_diag and the pid map tell about the existing socket. */
#ifndef MX_BIND_CONFLICT_H
#define MX_BIND_CONFLICT_H

#include <linux/types.h>

#include "sockdiag.h"

/* The bind that is about to happen. */
struct mx_bind_req {
	__u8 family;
	__u8 proto;
	__u8 addr[16]; /* all zero = wildcard */
	__u8 v6only;
	__u8 reuseaddr; /* SO_REUSEADDR */
	__u8 reuseport; /* SO_REUSEPORT */
	__u16 port;
	__u32 uid;
	__u32 ifindex; /* SO_BINDTODEVICE, 0 = none */
};

/* What is known of the existing socket beyond sock_diag (the BPF pid map
 * reads them from struct sock; the /proc walk cannot): -1 = unknown. */
struct mx_sock_flags {
	int reuseaddr;
	int reuseport;
};

/* Fills req from an address string ("" or NULL = wildcard); 0 or -EINVAL. */
int mx_bind_req_init(struct mx_bind_req *req, int family, int proto, const char *addr, __u16 port);

/* 1 when `holder` makes req fail (EADDRINUSE at bind() or, for TCP, at
 * listen()), 0 when not. *why (when not NULL) gets a static sentence naming
 * the rule that decided, for the report. */
int mx_bind_conflict(const struct mx_bind_req *req, const struct mx_sock *holder,
		     const struct mx_sock_flags *fl, const char **why);

/* The address part alone (inet_rcv_saddr_equal with wildcards matching). */
int mx_addr_overlap(const struct mx_bind_req *req, const struct mx_sock *holder, const char **why);

#endif
