// SPDX-License-Identifier: GPL-2.0
/* Builders and validators of the outbound probes' requests (probe_proto.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldns/ldns.h>

#include "probe_proto.h"

#define WHY(...) snprintf(why, whylen, __VA_ARGS__)

int mx_dns_query(uint8_t *buf, size_t len, uint16_t id)
{
	ldns_rdf *root = ldns_dname_new_frm_str(".");
	ldns_pkt *q;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	int rc = -1;

	if (!root)
		return -1;
	/* No RD: a root server is asked as a recursive resolver asks it. */
	q = ldns_pkt_query_new(root, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
	if (!q)
		return -1;
	ldns_pkt_set_id(q, id);
	if (ldns_pkt2wire(&wire, q, &wlen) == LDNS_STATUS_OK && wlen <= len) {
		memcpy(buf, wire, wlen);
		rc = (int)wlen;
	}
	free(wire);
	ldns_pkt_free(q);
	return rc;
}

enum mx_reply mx_dns_check(const uint8_t *buf, size_t len, uint16_t id, int *aa, char *why,
			   size_t whylen)
{
	ldns_pkt *p = NULL;
	ldns_rr_list *qs;
	ldns_rr *q;
	enum mx_reply v = MX_REPLY_VALID;

	/* The header is checked before the parser: a datagram with another id
	 * is not ours, whatever else it holds. */
	if (len < 12 || (uint16_t)(buf[0] << 8 | buf[1]) != id) {
		WHY("not our query id");
		return MX_REPLY_ALIEN;
	}
	if (!(buf[2] & 0x80)) {
		WHY("not a response (QR clear)");
		return MX_REPLY_ALIEN;
	}
	if (ldns_wire2pkt(&p, buf, len) != LDNS_STATUS_OK) {
		WHY("malformed DNS response");
		return MX_REPLY_BAD;
	}
	qs = ldns_pkt_question(p);
	q = ldns_rr_list_rr_count(qs) == 1 ? ldns_rr_list_rr(qs, 0) : NULL;
	if (ldns_pkt_get_opcode(p) != LDNS_PACKET_QUERY) {
		WHY("wrong opcode");
		v = MX_REPLY_ALIEN;
	} else if (!q && ldns_rr_list_rr_count(qs) == 0 &&
		   ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		/* Error replies (REFUSED, FORMERR) often drop the question: our
		 * id from our peer, and an error, so it can only ever fail. */
		char *rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(p));

		WHY("server answered %s", rc ? rc : "an error");
		free(rc);
		v = MX_REPLY_BAD;
	} else if (!q || ldns_rr_get_type(q) != LDNS_RR_TYPE_SOA ||
		   ldns_rr_get_class(q) != LDNS_RR_CLASS_IN ||
		   ldns_dname_label_count(ldns_rr_owner(q)) != 0) {
		/* RFC 5452: the question must be ours too, not only the id. */
		WHY("the question section is not ours (. SOA IN)");
		v = MX_REPLY_ALIEN;
	} else if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		char *rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(p));

		WHY("server answered %s", rc ? rc : "an error");
		free(rc);
		v = MX_REPLY_BAD;
	} else if (ldns_pkt_tc(p)) {
		WHY("truncated answer");
		v = MX_REPLY_BAD;
	} else if (ldns_pkt_ancount(p) < 1) {
		WHY("no SOA record in the answer");
		v = MX_REPLY_BAD;
	}
	if (aa)
		*aa = ldns_pkt_aa(p);
	ldns_pkt_free(p);
	return v;
}

enum mx_reply mx_ntp_check(const uint8_t *buf, size_t len, uint64_t tx, struct mx_ntp_reply *r,
			   char *why, size_t whylen)
{
	switch (mx_ntp_parse(buf, len, tx, r)) {
	case MX_NTP_OK:
		return MX_REPLY_VALID;
	case MX_NTP_SHORT:
		WHY("short NTP packet (%zu bytes)", len);
		return MX_REPLY_ALIEN;
	case MX_NTP_MODE:
		WHY("not a server reply (mode %d)", r->mode);
		return MX_REPLY_ALIEN;
	case MX_NTP_VERSION:
		WHY("not an NTP reply (version %d)", r->version);
		return MX_REPLY_ALIEN;
	case MX_NTP_ORIGIN:
		WHY("originate timestamp is not ours");
		return MX_REPLY_ALIEN;
	case MX_NTP_KOD:
		WHY("kiss-o'-death %s (server refuses to serve us)", r->kiss);
		return MX_REPLY_BAD;
	case MX_NTP_STRATUM:
		WHY("server is not synchronised (stratum %d)", r->stratum);
		return MX_REPLY_BAD;
	case MX_NTP_UNSYNC:
		WHY("server is not synchronised (leap indicator 3)");
		return MX_REPLY_BAD;
	case MX_NTP_NO_XMT:
		WHY("server reply has no transmit timestamp");
		return MX_REPLY_BAD;
	}
	return MX_REPLY_ALIEN;
}

void mx_fuzzy_request(uint8_t buf[MX_FUZZY_CMD_LEN], uint32_t tag, const uint8_t digest[64])
{
	int32_t value = 0;

	/* Layout of rspamd_fuzzy_cmd (packed, host byte order as rspamd
	 * documents): version, cmd, shingles_count, flag, value, tag, digest. */
	buf[0] = MX_FUZZY_VERSION;
	buf[1] = MX_FUZZY_CHECK;
	buf[2] = 0; /* no shingles */
	buf[3] = 1; /* flag: rspamd's default "spam" list */
	memcpy(buf + 4, &value, 4);
	memcpy(buf + 8, &tag, 4);
	memcpy(buf + 12, digest, 64);
}

enum mx_reply mx_fuzzy_check(const uint8_t *buf, size_t len, uint32_t tag, const uint8_t digest[64],
			     int32_t *value, char *why, size_t whylen)
{
	uint32_t rtag;

	/* rspamd_fuzzy_reply_v1: value, flag, tag, prob (16 bytes); version 4
	 * replies append the digest, a timestamp and 12 reserved bytes. */
	if (len < 16) {
		WHY("short fuzzy reply (%zu bytes)", len);
		return MX_REPLY_ALIEN;
	}
	memcpy(&rtag, buf + 8, 4);
	if (rtag != tag) {
		WHY("reply tag 0x%08x is not ours (0x%08x)", rtag, tag);
		return MX_REPLY_ALIEN;
	}
	if (len >= 16 + 64 && memcmp(buf + 16, digest, 64) != 0) {
		/* A hit would carry the stored digest; a random one never hits. */
		WHY("reply digest is not ours");
		return MX_REPLY_ALIEN;
	}
	memcpy(value, buf, 4);
	return MX_REPLY_VALID;
}

/* Our ping: a minimal echo of icmp_echo.h whose tag is the nonce. */
static void icmp_echo_of(struct mx_echo *e, int v6, uint16_t id, uint16_t seq,
			 const uint8_t nonce[MX_ICMP_NONCE])
{
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->seq = seq;
	e->v6 = v6;
	memcpy(e->tag, nonce, MX_ICMP_NONCE);
	e->len = MX_ECHO_MIN;
}

int mx_icmp_echo(uint8_t *buf, size_t len, int v6, uint16_t id, uint16_t seq,
		 const uint8_t nonce[MX_ICMP_NONCE])
{
	struct mx_echo e;

	if (len < MX_ECHO_MIN)
		return -1;
	icmp_echo_of(&e, v6, id, seq, nonce);
	/* ICMPv6 checksums cover a pseudo header: the kernel fills them in. */
	return (int)mx_echo_build(buf, &e, !v6);
}

enum mx_reply mx_icmp_check(const uint8_t *buf, size_t len, int v6, int check_id, uint16_t id,
			    uint16_t seq, const uint8_t nonce[MX_ICMP_NONCE])
{
	struct mx_echo e;
	uint16_t rseq;

	icmp_echo_of(&e, v6, id, seq, nonce);
	if (mx_echo_header(buf, len, v6 ? MX_ICMP6_ECHOREPLY : MX_ICMP4_ECHOREPLY, check_id, id,
			   &rseq) ||
	    !mx_echo_verify(buf, len, &e, check_id, 1))
		return MX_REPLY_ALIEN;
	return MX_REPLY_VALID;
}

/* The last complete line (without CRLF) before end, or NULL. */
static const char *last_line(const char *buf, size_t len, size_t *ll)
{
	const char *end, *start;

	if (!len || buf[len - 1] != '\n')
		return NULL;
	end = buf + len - 1;
	if (end > buf && end[-1] == '\r')
		end--;
	start = end;
	while (start > buf && start[-1] != '\n')
		start--;
	*ll = end - start;
	return start;
}

enum mx_reply mx_smtp_banner(const char *buf, size_t len, int *code, char *line, size_t linelen)
{
	enum mx_reply v = mx_smtp_reply(buf, len, code, line, linelen);

	if (v != MX_REPLY_VALID)
		return v;
	return *code == 220 ? MX_REPLY_VALID : MX_REPLY_BAD;
}

enum mx_reply mx_smtp_reply(const char *buf, size_t len, int *code, char *line, size_t linelen)
{
	const char *l;
	size_t ll;

	*code = 0;
	l = last_line(buf, len, &ll);
	if (!l) {
		if (len > 4096)
			return MX_REPLY_BAD;
		return MX_REPLY_MORE;
	}
	snprintf(line, linelen, "%.*s", (int)(ll > 200 ? 200 : ll), l);
	if (ll < 3 || !isdigit((unsigned char)l[0]) || !isdigit((unsigned char)l[1]) ||
	    !isdigit((unsigned char)l[2]) || (ll > 3 && l[3] != ' ' && l[3] != '-'))
		return MX_REPLY_BAD;
	/* RFC 5321 4.2: "220-" continues, "220 " (or a bare code) ends it. */
	if (ll >= 4 && l[3] == '-')
		return MX_REPLY_MORE;
	*code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	return MX_REPLY_VALID;
}

enum mx_reply mx_rsync_greeting(const char *buf, size_t len, char *ver, size_t verlen)
{
	static const char magic[] = "@RSYNCD: ";
	const char *nl = memchr(buf, '\n', len);
	size_t n = sizeof(magic) - 1, i;

	if (!nl)
		return len > 256 ? MX_REPLY_BAD : MX_REPLY_MORE;
	if ((size_t)(nl - buf) <= n || memcmp(buf, magic, n) != 0 ||
	    !isdigit((unsigned char)buf[n]))
		return MX_REPLY_BAD;
	for (i = n; buf + i < nl && (isdigit((unsigned char)buf[i]) || buf[i] == '.'); i++)
		;
	snprintf(ver, verlen, "%.*s", (int)(i - n), buf + n);
	return MX_REPLY_VALID;
}

enum mx_reply mx_http_response(const char *buf, size_t len, int eof, int *status, size_t *body_off,
			       size_t *body_len)
{
	const char *hdr_end = memmem(buf, len, "\r\n\r\n", 4), *p;
	long clen = -1;

	if (len >= 12) {
		if (memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ' ||
		    !isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10]) ||
		    !isdigit((unsigned char)buf[11]))
			return MX_REPLY_BAD;
		*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	}
	if (!hdr_end)
		return eof ? MX_REPLY_BAD : MX_REPLY_MORE;
	for (p = buf; p && p < hdr_end; p = memchr(p, '\n', hdr_end - p), p = p ? p + 1 : NULL)
		if (!strncasecmp(p, "content-length:", 15))
			clen = strtol(p + 15, NULL, 10);
	*body_off = hdr_end + 4 - buf;
	*body_len = len - *body_off;
	if (clen >= 0) {
		if (*body_len < (size_t)clen)
			return eof ? MX_REPLY_BAD : MX_REPLY_MORE;
		*body_len = clen;
		return MX_REPLY_VALID;
	}
	/* HEAD-less GET with Connection: close and no length: body ends at eof. */
	return eof ? MX_REPLY_VALID : MX_REPLY_MORE;
}
