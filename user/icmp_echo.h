/* SPDX-License-Identifier: GPL-2.0 */
/* ICMP / ICMPv6 echo messages of our probes (the outbound ping and the
 * path-MTU prober): building one and deciding whether a reply, or what a
 * router quoted of a request, is ours. The payload is a 16-byte tag (the
 * caller's nonce) followed by a pattern drawn from a seed, so every byte of
 * it is checked, not only the header. Pure functions over buffers. */
#ifndef MX_ICMP_ECHO_H
#define MX_ICMP_ECHO_H

#include <stddef.h>
#include <stdint.h>

#define MX_ICMP4_ECHO 8
#define MX_ICMP4_ECHOREPLY 0
#define MX_ICMP6_ECHO 128
#define MX_ICMP6_ECHOREPLY 129
/* type, code, checksum, id, sequence */
#define MX_ECHO_HDR 8
#define MX_ECHO_TAG 16
/* The smallest echo message of ours: header and tag. */
#define MX_ECHO_MIN (MX_ECHO_HDR + MX_ECHO_TAG)

struct mx_echo {
	uint16_t id, seq;
	int v6;
	uint8_t tag[MX_ECHO_TAG]; /* the first payload bytes */
	uint32_t seed;		  /* xorshift32 state of the pattern after the tag */
	size_t len;		  /* the ICMP message, at least MX_ECHO_MIN */
};

/* Writes the echo request e into pkt (e->len bytes); with csum, the
 * ICMPv4 checksum too (raw IPv4 sockets and ping sockets alike accept it;
 * the kernel sums ICMPv6 itself). Returns e->len. */
size_t mx_echo_build(uint8_t *pkt, const struct mx_echo *e, int csum);
/* Is d (n bytes) an echo message of `type` with code 0 from us? check_id
 * = 0 for ping sockets, where the kernel owns the id. 0 and the sequence,
 * or -1. */
int mx_echo_header(const uint8_t *d, size_t n, uint8_t type, int check_id, uint16_t id,
		   uint16_t *seq);
/* Is d (n bytes: an echo reply, or what a router quoted of our request)
 * echo e? Sequence (and with check_id the id) must match; full: the whole
 * message must be there and every payload byte equal (a reply); else a
 * prefix is enough, down to the 8 bytes RFC 792 routers quote. The type is
 * the caller's to check (mx_echo_header). 1 or 0. */
int mx_echo_verify(const uint8_t *d, size_t n, const struct mx_echo *e, int check_id, int full);
/* The ICMP message in what a raw IPv4 socket delivers (IP header in
 * front), with its checksum verified (the kernel does not for raw
 * sockets); NULL when it is not a whole IPv4 packet with a valid one. */
const uint8_t *mx_echo_ip4_icmp(const uint8_t *d, size_t n, size_t *icmp_len);
/* The Internet checksum (RFC 1071); 0 over a message with a valid one. */
uint16_t mx_icmp_csum(const uint8_t *d, size_t n);

#endif
