/* SPDX-License-Identifier: GPL-2.0 */
/* The probe packet of the path-MTU prober: an ICMP / ICMPv6 echo request
 * whose payload is a 16-byte header (magic, nonce, size) and a pattern
 * drawn from the nonce: an echo of icmp_echo.h whose tag names the probe
 * size, so a reply or quote of another size never counts. */
#ifndef MX_PMTU_PACKET_H
#define MX_PMTU_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "icmp_echo.h"

/* ICMP header + our header: the smallest probe payload. */
#define MX_PROBE_MIN_ICMP MX_ECHO_MIN

struct mx_probe {
	uint16_t id, seq;
	uint32_t nonce;
	unsigned size; /* the whole IP packet */
	int v6;
};

/* IP header bytes in front of the ICMP message (no options, no extension
 * headers: we send neither). */
static inline unsigned mx_probe_iphdr(int v6)
{
	return v6 ? 40 : 20;
}

/* Writes the ICMP message of probe p into pkt (size - IP header bytes,
 * at least MX_PROBE_MIN_ICMP); with csum, the ICMPv4 checksum too (raw
 * IPv4 sockets; the kernel sums ICMPv6 and ping sockets). Returns the
 * ICMP length. */
size_t mx_probe_build(unsigned char *pkt, const struct mx_probe *p, int csum);
/* An echo message of `type` from us (id): 0 and its sequence, or -1. */
int mx_probe_header(const unsigned char *d, size_t n, uint8_t type, uint16_t id, uint16_t *seq);
/* Is d (n bytes: an echo reply, or what a router quoted of our request)
 * probe p? full: the whole message must be there and equal (a reply);
 * else a prefix is enough, down to the 8 bytes RFC 792 routers quote. */
int mx_probe_verify(const unsigned char *d, size_t n, const struct mx_probe *p, int full);

#endif
