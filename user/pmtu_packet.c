// SPDX-License-Identifier: GPL-2.0
/* The prober's packet format, see pmtu_packet.h. */
#include <arpa/inet.h>
#include <string.h>

#include "pmtu_packet.h"

#define MAGIC 0x6d78706dU /* "mxpm" */

struct probe_hdr {
	uint32_t magic;
	uint32_t nonce;
	uint32_t size;
	uint32_t pad;
};

_Static_assert(sizeof(struct probe_hdr) + 8 == MX_PROBE_MIN_ICMP, "probe header size");

/* xorshift32 from the nonce; *x carries the stream from call to call, so
 * the pattern can be checked in chunks. */
static void fill(unsigned char *d, size_t n, uint32_t *x)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*x ^= *x << 13;
		*x ^= *x >> 17;
		*x ^= *x << 5;
		d[i] = (unsigned char)*x;
	}
}

uint16_t mx_icmp_csum(const unsigned char *d, size_t n)
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

size_t mx_probe_build(unsigned char *pkt, const struct mx_probe *p, int csum)
{
	size_t len = p->size - mx_probe_iphdr(p->v6);
	struct probe_hdr h = {htonl(MAGIC), htonl(p->nonce), htonl(p->size), 0};
	uint32_t x = p->nonce | 1;

	memset(pkt, 0, 8);
	pkt[0] = p->v6 ? MX_ICMP6_ECHO : MX_ICMP4_ECHO;
	pkt[4] = p->id >> 8;
	pkt[5] = p->id & 0xff;
	pkt[6] = p->seq >> 8;
	pkt[7] = p->seq & 0xff;
	memcpy(pkt + 8, &h, sizeof(h));
	fill(pkt + MX_PROBE_MIN_ICMP, len - MX_PROBE_MIN_ICMP, &x);
	if (csum) {
		uint16_t c = mx_icmp_csum(pkt, len);

		pkt[2] = c >> 8;
		pkt[3] = c & 0xff;
	}
	return len;
}

int mx_probe_header(const unsigned char *d, size_t n, uint8_t type, uint16_t id, uint16_t *seq)
{
	if (n < 8 || d[0] != type || d[1] != 0)
		return -1;
	if ((uint16_t)(d[4] << 8 | d[5]) != id)
		return -1;
	*seq = (uint16_t)(d[6] << 8 | d[7]);
	return 0;
}

int mx_probe_verify(const unsigned char *d, size_t n, const struct mx_probe *p, int full)
{
	size_t len = p->size - mx_probe_iphdr(p->v6), off, chunk;
	unsigned char want[2048];
	struct probe_hdr h;
	uint32_t x;

	if (n < 8 || n > len || (full && n != len))
		return 0; /* truncated or padded: not the probe we sent */
	if ((uint16_t)(d[4] << 8 | d[5]) != p->id || (uint16_t)(d[6] << 8 | d[7]) != p->seq)
		return 0;
	h.magic = htonl(MAGIC);
	h.nonce = htonl(p->nonce);
	h.size = htonl(p->size);
	h.pad = 0;
	/* RFC 792 routers quote only 8 bytes of the original datagram: what
	 * is there of our header must match. */
	if (memcmp(d + 8, &h, n < MX_PROBE_MIN_ICMP ? n - 8 : sizeof(h)))
		return 0;
	x = p->nonce | 1;
	for (off = MX_PROBE_MIN_ICMP; off < n; off += chunk) {
		chunk = n - off < sizeof(want) ? n - off : sizeof(want);
		fill(want, chunk, &x);
		if (memcmp(d + off, want, chunk))
			return 0;
	}
	return 1;
}
