// SPDX-License-Identifier: GPL-2.0
/* Echo messages of our probes, see icmp_echo.h. */
#include <string.h>

#include "icmp_echo.h"

/* xorshift32; *x carries the stream from call to call, so the pattern
 * can be checked in chunks. */
static void fill(uint8_t *d, size_t n, uint32_t *x)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*x ^= *x << 13;
		*x ^= *x >> 17;
		*x ^= *x << 5;
		d[i] = (uint8_t)*x;
	}
}

uint16_t mx_icmp_csum(const uint8_t *d, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)d[i] << 8 | d[i + 1];
	if (n & 1)
		sum += (uint32_t)d[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t mx_echo_build(uint8_t *pkt, const struct mx_echo *e, int csum)
{
	uint32_t x = e->seed;

	memset(pkt, 0, MX_ECHO_HDR);
	pkt[0] = e->v6 ? MX_ICMP6_ECHO : MX_ICMP4_ECHO;
	pkt[4] = e->id >> 8;
	pkt[5] = e->id & 0xff;
	pkt[6] = e->seq >> 8;
	pkt[7] = e->seq & 0xff;
	memcpy(pkt + MX_ECHO_HDR, e->tag, MX_ECHO_TAG);
	fill(pkt + MX_ECHO_MIN, e->len - MX_ECHO_MIN, &x);
	if (csum) {
		uint16_t c = mx_icmp_csum(pkt, e->len);

		pkt[2] = c >> 8;
		pkt[3] = c & 0xff;
	}
	return e->len;
}

int mx_echo_header(const uint8_t *d, size_t n, uint8_t type, int check_id, uint16_t id,
		   uint16_t *seq)
{
	if (n < MX_ECHO_HDR || d[0] != type || d[1] != 0)
		return -1;
	if (check_id && (uint16_t)(d[4] << 8 | d[5]) != id)
		return -1;
	*seq = (uint16_t)(d[6] << 8 | d[7]);
	return 0;
}

int mx_echo_verify(const uint8_t *d, size_t n, const struct mx_echo *e, int check_id, int full)
{
	size_t off, chunk;
	uint8_t want[2048];
	uint32_t x;

	if (n < MX_ECHO_HDR || n > e->len || (full && n != e->len))
		return 0; /* truncated or padded: not the message we sent */
	if ((check_id && (uint16_t)(d[4] << 8 | d[5]) != e->id) ||
	    (uint16_t)(d[6] << 8 | d[7]) != e->seq)
		return 0;
	/* RFC 792 routers quote only 8 bytes of the original datagram: what
	 * is there of our tag and pattern must match. */
	if (memcmp(d + MX_ECHO_HDR, e->tag, n < MX_ECHO_MIN ? n - MX_ECHO_HDR : MX_ECHO_TAG))
		return 0;
	x = e->seed;
	for (off = MX_ECHO_MIN; off < n; off += chunk) {
		chunk = n - off < sizeof(want) ? n - off : sizeof(want);
		fill(want, chunk, &x);
		if (memcmp(d + off, want, chunk))
			return 0;
	}
	return 1;
}

const uint8_t *mx_echo_ip4_icmp(const uint8_t *d, size_t n, size_t *icmp_len)
{
	size_t ihl;

	if (n < 20 || (d[0] >> 4) != 4)
		return NULL;
	ihl = (size_t)(d[0] & 15) * 4;
	if (ihl < 20 || n < ihl + MX_ECHO_HDR)
		return NULL;
	if (mx_icmp_csum(d + ihl, n - ihl) != 0)
		return NULL;
	*icmp_len = n - ihl;
	return d + ihl;
}
