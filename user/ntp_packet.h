/* SPDX-License-Identifier: GPL-2.0 */
/* NTP client packets (RFC 5905 / RFC 4330 SNTP), shared by the outbound
 * NTP probe (epoll engine) and system.time_offset (a blocking exchange in
 * its check thread): the mode-3 request with a nonce in the transmit
 * timestamp, and the one validation of a reply. Pure functions over
 * buffers; each caller words the faults its own way. */
#ifndef MX_NTP_PACKET_H
#define MX_NTP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define MX_NTP_LEN 48

/* Why a reply is not believed, in the order the checks run. Up to
 * MX_NTP_ORIGIN the datagram is not an answer to our request at all; from
 * MX_NTP_KOD on it is our server's answer, and a refusal. */
enum mx_ntp_fault {
	MX_NTP_OK = 0,
	MX_NTP_SHORT,	/* fewer than 48 bytes */
	MX_NTP_MODE,	/* not mode 4 (server) */
	MX_NTP_VERSION, /* version outside 1..4 */
	MX_NTP_ORIGIN,	/* originate != our transmit timestamp (nonce) */
	MX_NTP_KOD,	/* stratum 0: kiss-o'-death, code in kiss */
	MX_NTP_STRATUM, /* stratum above 15: unsynchronised */
	MX_NTP_UNSYNC,	/* leap indicator 3: unsynchronised */
	MX_NTP_NO_XMT,	/* transmit timestamp 0 */
};

struct mx_ntp_reply {
	int leap, version, mode, stratum;
	char kiss[8];	  /* stratum 0: the kiss code, non-printables as '?' */
	uint8_t refid[4]; /* the reference id as sent */
	double t2, t3;	  /* server receive/transmit, seconds since 1900 */
};

/* The time now as an NTP timestamp (seconds since 1900, 32.32). */
uint64_t mx_ntp_now(void);
double mx_ntp_to_double(uint64_t ts);
/* Our transmit timestamp for a request at time now: its fraction (below
 * any server's use) replaced by a random nonce, so that the originate
 * check is a real proof of the reply. The exchange keeps now itself as
 * T1. */
uint64_t mx_ntp_stamp(uint64_t now);
/* Client request, version 4, mode 3, transmit timestamp tx. */
void mx_ntp_request(uint8_t buf[MX_NTP_LEN], uint64_t tx);
/* Checks a reply against tx; fills r as far as the checks got (leap,
 * version, mode from MX_NTP_MODE on; the rest once the originate matched). */
enum mx_ntp_fault mx_ntp_parse(const uint8_t *buf, size_t len, uint64_t tx, struct mx_ntp_reply *r);

#endif
