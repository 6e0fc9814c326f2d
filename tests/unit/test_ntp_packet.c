// SPDX-License-Identifier: GPL-2.0
/* The NTP packet module both NTP clients share (ntp_packet.h): the
 * outbound probe (mx_ntp_check, test_probe_proto.c) and system.time_offset
 * (mx_sntp_parse, here): one validation, each caller's own wording. */
#include <endian.h>

#include "unit.h"
#include "ntp_packet.h"
#include "sntp.h"

static const uint64_t tx = 0xe9000000deadbeefULL;

static void put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

/* An honest server's reply to tx: stratum 2, 1 s ahead, answered at once. */
static void honest(uint8_t r[MX_NTP_LEN])
{
	memset(r, 0, MX_NTP_LEN);
	r[0] = 0x24; /* LI 0, version 4, mode 4 */
	r[1] = 2;
	r[12] = 192, r[13] = 0, r[14] = 2, r[15] = 1;
	put64(r + 24, tx);
	put64(r + 32, tx + (1ULL << 32));
	put64(r + 40, tx + (1ULL << 32));
}

static void test_request(void **state)
{
	uint8_t q[MX_NTP_LEN];
	uint64_t now = mx_ntp_now(), s = mx_ntp_stamp(now), be;

	/* The nonce replaces the fraction only: the seconds are the time. */
	assert_true(s >> 32 == now >> 32);
	mx_ntp_request(q, s);
	assert_int_equal(q[0], 0x23); /* LI 0, version 4, mode 3 */
	memcpy(&be, q + 40, 8);
	assert_true(be64toh(be) == s);
	/* Two stamps of one instant differ: the nonce is random. */
	assert_true(mx_ntp_stamp(now) != mx_ntp_stamp(now) || mx_ntp_stamp(now) != s);
	assert_true(mx_ntp_to_double(3ULL << 31) == 1.5);
}

static void test_parse(void **state)
{
	struct mx_ntp_reply r;
	uint8_t p[MX_NTP_LEN];

	honest(p);
	assert_int_equal(mx_ntp_parse(p, sizeof(p), tx, &r), MX_NTP_OK);
	assert_int_equal(r.stratum, 2);
	assert_true(r.t3 - mx_ntp_to_double(tx) == 1.0);
	assert_int_equal(mx_ntp_parse(p, 47, tx, &r), MX_NTP_SHORT);
	assert_int_equal(mx_ntp_parse(p, sizeof(p), tx + 1, &r), MX_NTP_ORIGIN);
	p[0] = 0x3c; /* version 7 */
	assert_int_equal(mx_ntp_parse(p, sizeof(p), tx, &r), MX_NTP_VERSION);
	p[0] = 0x25; /* mode 5, broadcast */
	assert_int_equal(mx_ntp_parse(p, sizeof(p), tx, &r), MX_NTP_MODE);
	assert_int_equal(r.mode, 5);
	honest(p);
	p[1] = 16;
	assert_int_equal(mx_ntp_parse(p, sizeof(p), tx, &r), MX_NTP_STRATUM);
	p[1] = 2;
	p[0] = 0xe4;
	assert_int_equal(mx_ntp_parse(p, sizeof(p), tx, &r), MX_NTP_UNSYNC);
	p[0] = 0x24;
	put64(p + 40, 0);
	assert_int_equal(mx_ntp_parse(p, sizeof(p), tx, &r), MX_NTP_NO_XMT);
	/* Kiss-o'-death: the code, with what is not printable made safe. */
	honest(p);
	p[1] = 0;
	memcpy(p + 12, "RA\033E", 4);
	assert_int_equal(mx_ntp_parse(p, sizeof(p), tx, &r), MX_NTP_KOD);
	assert_string_equal(r.kiss, "RA?E");
	/* A forged KoD (not our originate) is not even a refusal. */
	assert_int_equal(mx_ntp_parse(p, sizeof(p), tx ^ 0x10, &r), MX_NTP_ORIGIN);
}

static void test_sntp(void **state)
{
	struct mx_sntp_result res;
	double t1 = mx_ntp_to_double(tx);
	uint8_t p[MX_NTP_LEN];
	char err[128];

	honest(p);
	memset(&res, 0, sizeof(res));
	/* Our clock 1 s behind the server, 0.2 s of round trip. */
	assert_int_equal(mx_sntp_parse(p, sizeof(p), tx, t1, t1 + 0.2, &res, err, sizeof(err)), 0);
	assert_true(res.offset_s > 0.899 && res.offset_s < 0.901);
	assert_true(res.delay_s > 0.199 && res.delay_s < 0.201);
	assert_int_equal(res.stratum, 2);
	assert_string_equal(res.refid, "192.0.2.1");
	/* Stratum 1: the refid is the source's name. */
	p[1] = 1;
	memcpy(p + 12, "GPS\0", 4);
	assert_int_equal(mx_sntp_parse(p, sizeof(p), tx, t1, t1, &res, err, sizeof(err)), 0);
	assert_string_equal(res.refid, "GPS");
	/* The faults, in system.time_offset's words. */
	assert_int_equal(mx_sntp_parse(p, sizeof(p), tx ^ 1, t1, t1, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "reply's originate timestamp does not match our request");
	assert_int_equal(mx_sntp_parse(p, 20, tx, t1, t1, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "short reply (20 bytes)");
	p[0] = 0x23;
	assert_int_equal(mx_sntp_parse(p, sizeof(p), tx, t1, t1, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "reply is mode 3, not a server reply (4)");
	p[0] = 0xe4;
	assert_int_equal(mx_sntp_parse(p, sizeof(p), tx, t1, t1, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "server clock not synchronised (leap indicator 3)");
	p[0] = 0x24;
	p[1] = 0;
	memcpy(p + 12, "DENY", 4);
	memset(&res, 0, sizeof(res));
	assert_int_equal(mx_sntp_parse(p, sizeof(p), tx, t1, t1, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "kiss-o'-death 'DENY' from server");
	/* The query loop stops waiting on a refusal: it reads these two. */
	assert_int_equal(res.stratum, 0);
	assert_string_equal(res.kod, "DENY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request),
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_sntp),
	};

	return cmocka_run_group_tests_name("ntp_packet", tests, NULL, NULL);
}
