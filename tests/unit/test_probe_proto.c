// SPDX-License-Identifier: GPL-2.0
/* The outbound probes' validators: a reply counts only when it answers
 * exactly what was sent; forged or foreign replies are told apart from a
 * peer that answered with an error. */
#include <arpa/inet.h>
#include "unit.h"
#include "probe_proto.h"

static void test_dns(void **state)
{
	uint8_t q[512], r[512];
	char why[128];
	int n, aa = 0;

	n = mx_dns_query(q, sizeof(q), 0x1234);
	assert_true(n == 17); /* header + root name + type + class */
	assert_int_equal(q[0], 0x12);
	assert_int_equal(q[1], 0x34);
	assert_int_equal(q[2] & 0x01, 0); /* RD clear: asking a root as unbound does */

	/* Build a valid answer from our query: QR+AA, one SOA record. */
	memcpy(r, q, n);
	r[2] = 0x84;
	r[3] = 0x00;
	r[7] = 1; /* ancount */
	static const uint8_t soa[] = {0, 0, 6,	  0, 1, 0,    0,    0x0e, 0x10, 0,    22,
				      0, 0, 0,	  0, 0, 1,    0,    0,	  7,	8,    0,
				      0, 3, 0x84, 0, 9, 0x3a, 0x80, 0x00, 0x01, 0x51, 0x80};
	memcpy(r + n, soa, sizeof(soa));
	assert_int_equal(mx_dns_check(r, n + sizeof(soa), 0x1234, &aa, why, sizeof(why)),
			 MX_REPLY_VALID);
	assert_int_equal(aa, 1);
	/* Another id: not ours. */
	assert_int_equal(mx_dns_check(r, n + sizeof(soa), 0x1235, &aa, why, sizeof(why)),
			 MX_REPLY_ALIEN);
	/* QR clear: a query, not an answer. */
	r[2] = 0x04;
	assert_int_equal(mx_dns_check(r, n + sizeof(soa), 0x1234, &aa, why, sizeof(why)),
			 MX_REPLY_ALIEN);
	r[2] = 0x84;
	/* Right id, another question type (NS): not an answer to us (RFC 5452). */
	r[n - 3] = 2;
	assert_int_equal(mx_dns_check(r, n + sizeof(soa), 0x1234, &aa, why, sizeof(why)),
			 MX_REPLY_ALIEN);
	assert_non_null(strstr(why, "question"));
	r[n - 3] = 6;
	/* Our question, but REFUSED: the peer answered with an error. */
	r[3] = 0x05;
	assert_int_equal(mx_dns_check(r, n + sizeof(soa), 0x1234, &aa, why, sizeof(why)),
			 MX_REPLY_BAD);
	assert_non_null(strstr(why, "REFUSED"));
	/* REFUSED without a question section (as unbound sends it): an error
	 * from the peer, never a pass. */
	{
		uint8_t e[12] = {0x12, 0x34, 0x80, 0x05};

		assert_int_equal(mx_dns_check(e, sizeof(e), 0x1234, &aa, why, sizeof(why)),
				 MX_REPLY_BAD);
		assert_non_null(strstr(why, "REFUSED"));
		e[3] = 0; /* NOERROR without a question: not an answer to us */
		assert_int_equal(mx_dns_check(e, sizeof(e), 0x1234, &aa, why, sizeof(why)),
				 MX_REPLY_ALIEN);
	}
	/* Short garbage. */
	assert_int_equal(mx_dns_check(r, 5, 0x1234, &aa, why, sizeof(why)), MX_REPLY_ALIEN);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static void test_ntp(void **state)
{
	uint8_t q[MX_NTP_LEN], r[MX_NTP_LEN];
	struct mx_ntp_reply rep;
	char why[128];
	uint64_t tx = 0xe9000000deadbeefULL;

	mx_ntp_request(q, tx);
	assert_int_equal(q[0], 0x23); /* LI 0, version 4, mode 3 */
	memset(r, 0, sizeof(r));
	r[0] = 0x24; /* mode 4 */
	r[1] = 2;
	put64(r + 24, tx);
	put64(r + 32, tx + (1ULL << 32));
	put64(r + 40, tx + (1ULL << 32));
	assert_int_equal(mx_ntp_check(r, sizeof(r), tx, &rep, why, sizeof(why)), MX_REPLY_VALID);
	assert_int_equal(rep.stratum, 2);
	/* Originate off by one bit: not an answer to our request. */
	assert_int_equal(mx_ntp_check(r, sizeof(r), tx ^ 1, &rep, why, sizeof(why)),
			 MX_REPLY_ALIEN);
	/* A mode-3 packet (our own request looped back) is no answer. */
	r[0] = 0x23;
	assert_int_equal(mx_ntp_check(r, sizeof(r), tx, &rep, why, sizeof(why)), MX_REPLY_ALIEN);
	/* Kiss-o'-death: the server answered, refusing. */
	r[0] = 0x24;
	r[1] = 0;
	memcpy(r + 12, "RATE", 4);
	assert_int_equal(mx_ntp_check(r, sizeof(r), tx, &rep, why, sizeof(why)), MX_REPLY_BAD);
	assert_non_null(strstr(why, "RATE"));
	/* Unsynchronised server. */
	r[0] = 0xe4;
	r[1] = 3;
	assert_int_equal(mx_ntp_check(r, sizeof(r), tx, &rep, why, sizeof(why)), MX_REPLY_BAD);
	assert_int_equal(mx_ntp_check(r, 20, tx, &rep, why, sizeof(why)), MX_REPLY_ALIEN);
}

static void test_fuzzy(void **state)
{
	uint8_t q[MX_FUZZY_CMD_LEN], r[96], digest[64];
	char why[128];
	int32_t value = -1, v403 = 403;
	uint32_t tag = 0xa1b2c3d4, other = tag ^ 0x100;

	memset(digest, 0x5a, sizeof(digest));
	mx_fuzzy_request(q, tag, digest);
	assert_int_equal(q[0], 4); /* RSPAMD_FUZZY_VERSION */
	assert_int_equal(q[1], 0); /* FUZZY_CHECK */
	assert_int_equal(q[2], 0); /* no shingles */
	assert_memory_equal(q + 8, &tag, 4);
	assert_memory_equal(q + 12, digest, 64);

	/* A version-4 reply: v1 part, our digest, ts, reserved. */
	memset(r, 0, sizeof(r));
	memcpy(r + 8, &tag, 4);
	memcpy(r + 16, digest, 64);
	assert_int_equal(mx_fuzzy_check(r, sizeof(r), tag, digest, &value, why, sizeof(why)),
			 MX_REPLY_VALID);
	assert_int_equal(value, 0);
	/* An encrypted-only server answers 403 with our tag: still an answer. */
	memcpy(r, &v403, 4);
	assert_int_equal(mx_fuzzy_check(r, sizeof(r), tag, digest, &value, why, sizeof(why)),
			 MX_REPLY_VALID);
	assert_int_equal(value, 403);
	/* Short (version 3) reply with our tag. */
	assert_int_equal(mx_fuzzy_check(r, 16, tag, digest, &value, why, sizeof(why)),
			 MX_REPLY_VALID);
	/* Another tag. */
	memcpy(r + 8, &other, 4);
	assert_int_equal(mx_fuzzy_check(r, sizeof(r), tag, digest, &value, why, sizeof(why)),
			 MX_REPLY_ALIEN);
	/* Our tag, another digest. */
	memcpy(r + 8, &tag, 4);
	r[20] ^= 1;
	assert_int_equal(mx_fuzzy_check(r, sizeof(r), tag, digest, &value, why, sizeof(why)),
			 MX_REPLY_ALIEN);
	assert_int_equal(mx_fuzzy_check(r, 8, tag, digest, &value, why, sizeof(why)),
			 MX_REPLY_ALIEN);
}

static void test_icmp(void **state)
{
	uint8_t nonce[MX_ICMP_NONCE], pkt[64];
	int n, v6;

	memset(nonce, 0xab, sizeof(nonce));
	for (v6 = 0; v6 < 2; v6++) {
		n = mx_icmp_echo(pkt, sizeof(pkt), v6, 0x1111, 0x2222, nonce);
		assert_int_equal(n, 8 + MX_ICMP_NONCE);
		if (!v6)
			assert_int_equal(mx_icmp_csum(pkt, n), 0); /* checksum verifies */
		/* The request itself is not a reply. */
		assert_int_equal(mx_icmp_check(pkt, n, v6, 1, 0x1111, 0x2222, nonce),
				 MX_REPLY_ALIEN);
		pkt[0] = v6 ? 129 : 0;
		assert_int_equal(mx_icmp_check(pkt, n, v6, 1, 0x1111, 0x2222, nonce),
				 MX_REPLY_VALID);
		assert_int_equal(mx_icmp_check(pkt, n, v6, 1, 0x1112, 0x2222, nonce),
				 MX_REPLY_ALIEN);
		/* Ping sockets: the kernel owns the id, the sequence still counts. */
		assert_int_equal(mx_icmp_check(pkt, n, v6, 0, 0x1112, 0x2222, nonce),
				 MX_REPLY_VALID);
		assert_int_equal(mx_icmp_check(pkt, n, v6, 0, 0x1111, 0x2223, nonce),
				 MX_REPLY_ALIEN);
		pkt[8] ^= 1;
		assert_int_equal(mx_icmp_check(pkt, n, v6, 1, 0x1111, 0x2222, nonce),
				 MX_REPLY_ALIEN);
	}
}

static void test_smtp(void **state)
{
	char line[256];
	int code;
	const char *multi = "220-mx.example.org ESMTP\r\n220-more text\r\n";
	const char *done = "220-mx.example.org ESMTP\r\n220 ready\r\n";

	assert_int_equal(mx_smtp_banner("220 mx", 6, &code, line, sizeof(line)), MX_REPLY_MORE);
	assert_int_equal(mx_smtp_banner(multi, strlen(multi), &code, line, sizeof(line)),
			 MX_REPLY_MORE);
	assert_int_equal(mx_smtp_banner(done, strlen(done), &code, line, sizeof(line)),
			 MX_REPLY_VALID);
	assert_int_equal(code, 220);
	assert_string_equal(line, "220 ready");
	assert_int_equal(mx_smtp_banner("554 go away\r\n", 13, &code, line, sizeof(line)),
			 MX_REPLY_BAD);
	assert_int_equal(code, 554);
	assert_int_equal(mx_smtp_banner("SSH-2.0-OpenSSH\r\n", 17, &code, line, sizeof(line)),
			 MX_REPLY_BAD);
	/* The EHLO reply: any code, complete at the last line. */
	{
		const char *ehlo = "250-mx.example.org\r\n250-STARTTLS\r\n250 8BITMIME\r\n";

		assert_int_equal(mx_smtp_reply(ehlo, strlen(ehlo) - 14, &code, line, sizeof(line)),
				 MX_REPLY_MORE);
		assert_int_equal(mx_smtp_reply(ehlo, strlen(ehlo), &code, line, sizeof(line)),
				 MX_REPLY_VALID);
		assert_int_equal(code, 250);
		assert_int_equal(
		    mx_smtp_reply("454 TLS not available\r\n", 23, &code, line, sizeof(line)),
		    MX_REPLY_VALID);
		assert_int_equal(code, 454);
	}
}

static void test_rsync_http(void **state)
{
	char ver[32];
	int status = 0;
	size_t off, len;
	const char *resp = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nasn\n";
	const char *ip = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n192.0.2.7\n";

	assert_int_equal(mx_rsync_greeting("@RSYNCD: 31.0 sha512\n", 21, ver, sizeof(ver)),
			 MX_REPLY_VALID);
	assert_string_equal(ver, "31.0");
	assert_int_equal(mx_rsync_greeting("@RSYNCD: 3", 10, ver, sizeof(ver)), MX_REPLY_MORE);
	assert_int_equal(mx_rsync_greeting("220 smtp\n", 9, ver, sizeof(ver)), MX_REPLY_BAD);

	assert_int_equal(mx_http_response(resp, strlen(resp) - 2, 0, &status, &off, &len),
			 MX_REPLY_MORE);
	assert_int_equal(mx_http_response(resp, strlen(resp), 0, &status, &off, &len),
			 MX_REPLY_VALID);
	assert_int_equal(status, 503);
	assert_int_equal(len, 4);
	assert_int_equal(mx_http_response(ip, strlen(ip), 0, &status, &off, &len), MX_REPLY_MORE);
	assert_int_equal(mx_http_response(ip, strlen(ip), 1, &status, &off, &len), MX_REPLY_VALID);
	assert_memory_equal(ip + off, "192.0.2.7", 9);
	assert_int_equal(mx_http_response("220 smtp ready\r\n", 16, 1, &status, &off, &len),
			 MX_REPLY_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dns),	  cmocka_unit_test(test_ntp),
	    cmocka_unit_test(test_fuzzy), cmocka_unit_test(test_icmp),
	    cmocka_unit_test(test_smtp),  cmocka_unit_test(test_rsync_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
