// SPDX-License-Identifier: GPL-2.0
/* NTP client packets, see ntp_packet.h. */
#include <ctype.h>
#include <endian.h>
#include <string.h>
#include <time.h>

#include "ntp_packet.h"
#include "probe_loop.h"

/* Seconds between 1900 (NTP era 0) and 1970. */
#define NTP_UNIX_DELTA 2208988800ULL

uint64_t mx_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)(ts.tv_sec + NTP_UNIX_DELTA) << 32) |
	       (uint64_t)(((double)ts.tv_nsec / 1e9) * 4294967296.0);
}

double mx_ntp_to_double(uint64_t ts)
{
	return (double)(ts >> 32) + (double)(ts & 0xffffffffu) / 4294967296.0;
}

uint64_t mx_ntp_stamp(uint64_t now)
{
	uint32_t nonce;

	mx_random(&nonce, sizeof(nonce));
	return (now & ~0xffffffffULL) | nonce;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

void mx_ntp_request(uint8_t buf[MX_NTP_LEN], uint64_t tx)
{
	uint64_t be = htobe64(tx);

	memset(buf, 0, MX_NTP_LEN);
	buf[0] = (0 << 6) | (4 << 3) | 3; /* LI 0, version 4, mode 3 (client) */
	memcpy(buf + 40, &be, 8);
}

enum mx_ntp_fault mx_ntp_parse(const uint8_t *buf, size_t len, uint64_t tx, struct mx_ntp_reply *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	if (len < MX_NTP_LEN)
		return MX_NTP_SHORT;
	r->leap = buf[0] >> 6;
	r->version = (buf[0] >> 3) & 7;
	r->mode = buf[0] & 7;
	if (r->mode != 4)
		return MX_NTP_MODE;
	if (r->version < 1 || r->version > 4)
		return MX_NTP_VERSION;
	/* The originate timestamp must be our transmit timestamp (RFC 5905
	 * 8: the "bogus" test); its random low bits are our nonce. Anything
	 * else answers someone else, or is forged. */
	if (get64(buf + 24) != tx)
		return MX_NTP_ORIGIN;
	r->stratum = buf[1];
	memcpy(r->refid, buf + 12, 4);
	r->t2 = mx_ntp_to_double(get64(buf + 32));
	r->t3 = mx_ntp_to_double(get64(buf + 40));
	if (r->stratum == 0) {
		for (i = 0; i < 4; i++)
			r->kiss[i] = isprint(r->refid[i]) ? (char)r->refid[i] : '?';
		return MX_NTP_KOD;
	}
	if (r->stratum > 15)
		return MX_NTP_STRATUM;
	if (r->leap == 3)
		return MX_NTP_UNSYNC;
	if (get64(buf + 40) == 0)
		return MX_NTP_NO_XMT;
	return MX_NTP_OK;
}
