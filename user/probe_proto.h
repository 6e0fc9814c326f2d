/* SPDX-License-Identifier: GPL-2.0 */
/* Request builders and reply validators of the outbound probes. Pure
 * functions over buffers (no sockets), so the unit tests can feed them
 * forged replies: a reply counts only when it answers exactly what was sent. */
#ifndef MX_PROBE_PROTO_H
#define MX_PROBE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "icmp_echo.h"
#include "ntp_packet.h"

/* Verdict of a validator. */
enum mx_reply {
	MX_REPLY_MORE = 0,   /* incomplete (stream): read more */
	MX_REPLY_VALID = 1,  /* a valid answer to our request */
	MX_REPLY_ALIEN = -1, /* not an answer to us (wrong id/tag/nonce): ignore it */
	MX_REPLY_BAD = -2,   /* our peer answered, but wrongly or with an error */
};

/* DNS: ". IN SOA" with id and RD clear (we talk to authoritative root
 * servers, as unbound does). Returns the length or -1. */
int mx_dns_query(uint8_t *buf, size_t len, uint16_t id);
/* Checks id, QR, opcode, the question (. SOA IN), and RCODE NOERROR; on
 * VALID also reports whether AA was set. why gets the reason otherwise. */
enum mx_reply mx_dns_check(const uint8_t *buf, size_t len, uint16_t id, int *aa, char *why,
			   size_t whylen);

/* NTP (ntp_packet.h: request, validation): mode 4, originate == our
 * transmit timestamp and its nonce, else ALIEN; kiss-o'-death (stratum 0)
 * and an unsynchronised server (leap 3, stratum > 15) are BAD with the
 * reason. */
enum mx_reply mx_ntp_check(const uint8_t *buf, size_t len, uint64_t tx, struct mx_ntp_reply *r,
			   char *why, size_t whylen);

/* rspamd fuzzy_storage protocol (src/fuzzy_storage.h): a FUZZY_CHECK
 * command, version 4, no shingles: 76 bytes. The server echoes the tag (and
 * from version 4 on the digest) in its reply. */
#define MX_FUZZY_CMD_LEN 76
#define MX_FUZZY_VERSION 4
#define MX_FUZZY_CHECK 0
void mx_fuzzy_request(uint8_t buf[MX_FUZZY_CMD_LEN], uint32_t tag, const uint8_t digest[64]);
/* VALID when tag (and digest, if present) match; value is the reply's
 * value field (403: the server only takes encrypted commands). */
enum mx_reply mx_fuzzy_check(const uint8_t *buf, size_t len, uint32_t tag, const uint8_t digest[64],
			     int32_t *value, char *why, size_t whylen);

/* ICMP echo (v4 type 8/0, v6 128/129) with id, sequence and a payload
 * nonce (icmp_echo.h). Returns the length, or -1 when len is too small. */
#define MX_ICMP_NONCE MX_ECHO_TAG
int mx_icmp_echo(uint8_t *buf, size_t len, int v6, uint16_t id, uint16_t seq,
		 const uint8_t nonce[MX_ICMP_NONCE]);
/* buf starts at the ICMP header: an echo reply, exactly what we sent.
 * check_id = 0 for ping sockets, where the kernel owns the id. */
enum mx_reply mx_icmp_check(const uint8_t *buf, size_t len, int v6, int check_id, uint16_t id,
			    uint16_t seq, const uint8_t nonce[MX_ICMP_NONCE]);

/* SMTP greeting: complete when the last line ("220 ...") arrived. VALID for
 * 220; BAD for any other code (421, 554: the server refuses us). code gets
 * the reply code, line the last line. */
enum mx_reply mx_smtp_banner(const char *buf, size_t len, int *code, char *line, size_t linelen);
/* Any complete SMTP reply (multi-line too): VALID once the last line is in,
 * whatever its code; BAD when it is not an SMTP reply. */
enum mx_reply mx_smtp_reply(const char *buf, size_t len, int *code, char *line, size_t linelen);
/* rsync daemon greeting "@RSYNCD: <version>\n". */
enum mx_reply mx_rsync_greeting(const char *buf, size_t len, char *ver, size_t verlen);
/* HTTP/1.x response: VALID once the header and (per Content-Length, or at
 * eof) the body are in; status, and body offset/length. */
enum mx_reply mx_http_response(const char *buf, size_t len, int eof, int *status, size_t *body_off,
			       size_t *body_len);

#endif
