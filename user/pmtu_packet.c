// SPDX-License-Identifier: GPL-2.0
/* The prober's packet format, see pmtu_packet.h: the echo's 16-byte tag is
 * magic, nonce, probe size and a zero word; the pattern is seeded by the
 * nonce. */
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

_Static_assert(sizeof(struct probe_hdr) == MX_ECHO_TAG, "probe header size");

static void to_echo(const struct mx_probe *p, struct mx_echo *e)
{
	struct probe_hdr h = {htonl(MAGIC), htonl(p->nonce), htonl(p->size), 0};

	e->id = p->id;
	e->seq = p->seq;
	e->v6 = p->v6;
	memcpy(e->tag, &h, sizeof(h));
	e->seed = p->nonce | 1;
	e->len = p->size - mx_probe_iphdr(p->v6);
}

size_t mx_probe_build(unsigned char *pkt, const struct mx_probe *p, int csum)
{
	struct mx_echo e;

	to_echo(p, &e);
	return mx_echo_build(pkt, &e, csum);
}

int mx_probe_header(const unsigned char *d, size_t n, uint8_t type, uint16_t id, uint16_t *seq)
{
	return mx_echo_header(d, n, type, 1, id, seq);
}

int mx_probe_verify(const unsigned char *d, size_t n, const struct mx_probe *p, int full)
{
	struct mx_echo e;

	to_echo(p, &e);
	return mx_echo_verify(d, n, &e, 1, full);
}
