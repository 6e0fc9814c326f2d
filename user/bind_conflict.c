// SPDX-License-Identifier: GPL-2.0
/* The kernel's bind conflict rules. Linux 6.x, net/ipv4/inet_connection_sock.c:
 *
 *   inet_bind_conflict(sk, sk2): only when the bound devices overlap;
 *     sk->sk_reuse && sk2->sk_reuse && sk2 not LISTEN  -> no conflict
 *       (with relax, as bind() calls it: reuseport_ok)
 *     else conflict unless both have SO_REUSEPORT and the same owner uid
 *       (or sk2 is TIME_WAIT)
 *
 * so SO_REUSEADDR never lets a second socket share a port with a listener,
 * only with a bound idle socket; and the address test is inet_rcv_saddr_equal
 * / ipv6_rcv_saddr_equal with wildcards matching: a listener on 127.0.0.1
 * blocks a bind to 0.0.0.0 and vice versa, an IPv6 wildcard without
 * IPV6_V6ONLY also holds every IPv4 address, and two IPv6 wildcards always
 * collide, v6only or not. UDP (udp_lib_lport_inuse) is the same with "both
 * SO_REUSEADDR" allowed whatever the state. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "bind_conflict.h"

int mx_bind_req_init(struct mx_bind_req *req, int family, int proto, const char *addr, __u16 port)
{
	memset(req, 0, sizeof(*req));
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return -EINVAL;
	req->family = family;
	req->proto = proto;
	req->port = port;
	if (addr && *addr && inet_pton(family, addr, req->addr) != 1)
		return -EINVAL;
	return 0;
}

enum v6type { V6_ANY, V6_MAPPED, V6_OTHER };

static const __u8 zero16[16];
static const __u8 mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static enum v6type v6_type(const __u8 *a)
{
	if (!memcmp(a, zero16, 16))
		return V6_ANY;
	if (!memcmp(a, mapped_prefix, 12))
		return V6_MAPPED;
	return V6_OTHER;
}

/* ipv4_rcv_saddr_equal(): a1 of the new socket, a2 of the existing one. */
static int v4_equal(const __u8 *a1, const __u8 *a2, int sk2_v6only, const char **why)
{
	int any1 = !memcmp(a1, zero16, 4), any2 = !memcmp(a2, zero16, 4);

	if (sk2_v6only) {
		*why = "the existing IPv6 socket has IPV6_V6ONLY: it holds no IPv4 address";
		return 0;
	}
	if (!memcmp(a1, a2, 4)) {
		*why = any1 ? "both bind the wildcard address" : "both bind the same address";
		return 1;
	}
	if (any1) {
		*why = "a wildcard bind needs the port on every address, and one address is taken";
		return 1;
	}
	if (any2) {
		*why = "the existing socket holds the port on every address (wildcard)";
		return 1;
	}
	*why = "different addresses";
	return 0;
}

int mx_addr_overlap(const struct mx_bind_req *req, const struct mx_sock *h, const char **why)
{
	const char *dummy;
	enum v6type t1, t2;

	if (!why)
		why = &dummy;
	if (req->family == AF_INET && h->family == AF_INET)
		return v4_equal(req->addr, h->addr, 0, why);
	if (req->family == AF_INET) {
		/* The IPv6 socket's IPv4 half (sk_rcv_saddr): 0 for ::, the
		 * address for ::ffff:a.b.c.d; a specific IPv6 address sets
		 * ipv6only at bind (inet6_bind), so it never meets IPv4. */
		t2 = v6_type(h->addr);
		if (t2 == V6_OTHER) {
			*why = "an IPv6 address other than :: holds no IPv4 address";
			return 0;
		}
		if (t2 == V6_ANY && !h->v6only && v4_equal(req->addr, zero16, 0, why)) {
			*why =
			    "the IPv6 wildcard without IPV6_V6ONLY also holds every IPv4 address";
			return 1;
		}
		return v4_equal(req->addr, t2 == V6_MAPPED ? h->addr + 12 : zero16, h->v6only, why);
	}
	/* The new socket is IPv6: ipv6_rcv_saddr_equal(). An IPv4 socket
	 * counts as a mapped address there. */
	t1 = v6_type(req->addr);
	t2 = h->family == AF_INET ? V6_MAPPED : v6_type(h->addr);
	if (t1 == V6_MAPPED && t2 == V6_MAPPED)
		return v4_equal(req->addr + 12, h->family == AF_INET ? h->addr : h->addr + 12,
				h->family == AF_INET6 && h->v6only, why);
	if (t1 == V6_ANY && t2 == V6_ANY) {
		*why = "two IPv6 wildcard binds always collide, IPV6_V6ONLY or not";
		return 1;
	}
	if (t2 == V6_ANY && !(h->v6only && t1 == V6_MAPPED)) {
		*why = "the existing socket holds the port on every IPv6 address (wildcard)";
		return 1;
	}
	if (t1 == V6_ANY && !(req->v6only && t2 == V6_MAPPED)) {
		*why =
		    h->family == AF_INET
			? "an IPv6 wildcard bind without IPV6_V6ONLY also needs every IPv4 address"
			: "a wildcard bind needs the port on every address, and one address is "
			  "taken";
		return 1;
	}
	if (t1 == V6_ANY) {
		*why = "the IPV6_V6ONLY wildcard bind does not need IPv4 addresses";
		return 0;
	}
	if (h->family == AF_INET6 && !memcmp(req->addr, h->addr, 16)) {
		*why = "both bind the same address";
		return 1;
	}
	*why = "different addresses";
	return 0;
}

int mx_bind_conflict(const struct mx_bind_req *req, const struct mx_sock *h,
		     const struct mx_sock_flags *fl, const char **why)
{
	const char *dummy;
	int h_reuse = fl ? fl->reuseaddr : -1, h_reuseport = fl ? fl->reuseport : -1;

	if (!why)
		why = &dummy;
	if (req->proto != h->proto || req->port != h->port) {
		*why = "another protocol or port";
		return 0;
	}
	if (req->ifindex && h->ifindex && req->ifindex != h->ifindex) {
		*why = "bound to another network device (SO_BINDTODEVICE)";
		return 0;
	}
	if (!mx_addr_overlap(req, h, why))
		return 0;
	/* sk_reuse on both: shares with an idle bound TCP socket (never a
	 * listener), and with any UDP socket. */
	if (req->reuseaddr && h_reuse > 0 &&
	    (h->proto == IPPROTO_UDP || h->state != MX_TCP_LISTEN)) {
		*why = "both sockets set SO_REUSEADDR and the existing one does not listen";
		return 0;
	}
	if (req->reuseaddr && h_reuse < 0 && h->proto == IPPROTO_TCP && h->state != MX_TCP_LISTEN) {
		*why = "bound, not listening: collides unless it set SO_REUSEADDR (unknown without "
		       "the BPF pid map)";
		return 1;
	}
	if (req->reuseport && h_reuseport > 0 && req->uid == h->uid) {
		*why = "both sockets are in one SO_REUSEPORT group (same owner uid)";
		return 0;
	}
	return 1;
}
