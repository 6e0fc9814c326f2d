/* SPDX-License-Identifier: GPL-2.0 */
/* Who holds a port: the sockets in the current network namespace that would
 * make a bind() to ADDR:PORT fail, with their owning process and container.
 * Used by `mxprobe ports` and by `mxprobe binds` for a failed bind. */
#ifndef MX_HOLDERS_H
#define MX_HOLDERS_H

#include <stddef.h>
#include <linux/types.h>

struct mx_holder {
	__u32
	    pid; /* lowest pid holding the socket (the master of a pre-fork server), 0 = unknown */
	char comm[16];
	char cgroup[256];	  /* cgroup v2 path of pid, "" when unknown */
	char container_id[65];	  /* Docker container id (64 hex), "" for host processes */
	char container_name[128]; /* without Docker's leading '/', "" when unknown */
	__u8 family;		  /* AF_INET or AF_INET6 */
	char addr[46];		  /* bound address as printed by inet_ntop: "0.0.0.0", "::1" */
	__u16 port;
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	int v6only; /* AF_INET6: 1 = IPV6_V6ONLY (also implied by a specific address) */
	/* Extensions (keep the fields above as they are). */
	__u8 state; /* TCP_LISTEN, TCP_CLOSE (bound, not listening), TCP_ESTABLISHED (udp connected)
		     */
	__u32 npids;   /* how many processes hold the socket (pre-fork servers share it) */
	__u32 uid;     /* socket owner uid */
	__u32 ifindex; /* SO_BINDTODEVICE, 0 = any */
	__u64 inode;   /* socket inode */
};

/* Listeners/bound sockets on proto/port in the current network namespace
 * that would block a bind to addr (NULL/"" = wildcard of family; a wildcard
 * AF_INET6 bind follows net.ipv6.bindv6only). Returns how many were written
 * to out (<= max) or -errno (-EINVAL for a bad address or family). */
int mx_find_holders(int family, int proto, const char *addr, __u16 port, struct mx_holder *out,
		    int max);

/* The same in another network namespace: netns_fd is an open
 * /proc/PID/ns/net (e.g. of the process whose bind failed) or
 * /run/netns/NAME; -1 = the current one. The caller stays where it is.
 * Processes and containers are found host-wide either way. */
int mx_find_holders_netns(int netns_fd, int family, int proto, const char *addr, __u16 port,
			  struct mx_holder *out, int max);

struct mx_sock;
struct mx_owner;
/* Fills h from a socket and its owners (sorted by pid; nown may be 0). */
void mx_holder_fill(struct mx_holder *h, const struct mx_sock *s, const struct mx_owner *own,
		    size_t nown);

#endif
