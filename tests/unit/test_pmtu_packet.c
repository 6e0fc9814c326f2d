// SPDX-License-Identifier: GPL-2.0
/* What counts as "our probe came back": an echo reply must carry our id,
 * sequence, nonce, size and every byte of the payload; a router's quote
 * must match as far as it goes (RFC 792 quotes 8 bytes). */
#include "unit.h"
#include "pmtu_packet.h"

static unsigned char pkt[9001];

/* The reply a peer sends: our request with the type changed. */
static size_t reply(const struct mx_probe *p)
{
	size_t n = mx_probe_build(pkt, p, 0);

	pkt[0] = p->v6 ? MX_ICMP6_ECHOREPLY : MX_ICMP4_ECHOREPLY;
	return n;
}

static void test_roundtrip(void **state)
{
	struct mx_probe p = {.id = 0x1234, .seq = 7, .nonce = 0xdeadbeef, .size = 9000, .v6 = 0};
	uint16_t seq;
	size_t n;

	n = mx_probe_build(pkt, &p, 1);
	assert_int_equal(n, 9000 - 20);
	assert_int_equal(pkt[0], MX_ICMP4_ECHO);
	assert_int_equal(mx_icmp_csum(pkt, n), 0); /* the checksum we wrote is valid */
	n = reply(&p);
	assert_int_equal(mx_probe_header(pkt, n, MX_ICMP4_ECHOREPLY, 0x1234, &seq), 0);
	assert_int_equal(seq, 7);
	assert_int_equal(mx_probe_verify(pkt, n, &p, 1), 1);
	p.v6 = 1;
	p.size = 1280;
	n = reply(&p);
	assert_int_equal(n, 1280 - 40);
	assert_int_equal(mx_probe_verify(pkt, n, &p, 1), 1);
}

static void test_forgeries(void **state)
{
	struct mx_probe p = {.id = 0x1234, .seq = 7, .nonce = 0xdeadbeef, .size = 4000};
	struct mx_probe other = p;
	uint16_t seq;
	size_t n = reply(&p);

	/* Someone else's ping (other id) or another request type. */
	assert_int_equal(mx_probe_header(pkt, n, MX_ICMP4_ECHOREPLY, 0x4321, &seq), -1);
	assert_int_equal(mx_probe_header(pkt, n, MX_ICMP4_ECHO, 0x1234, &seq), -1);
	/* Right id and sequence, another nonce: a reply to an older run. */
	other.nonce ^= 1;
	assert_int_equal(mx_probe_verify(pkt, n, &other, 1), 0);
	other = p;
	other.seq = 8;
	assert_int_equal(mx_probe_verify(pkt, n, &other, 1), 0);
	/* Truncated (a middlebox cut it) or padded: not what we sent. */
	assert_int_equal(mx_probe_verify(pkt, n - 1, &p, 1), 0);
	assert_int_equal(mx_probe_verify(pkt, n + 1, &p, 1), 0);
	/* One byte changed deep in the payload. */
	pkt[3000] ^= 0x40;
	assert_int_equal(mx_probe_verify(pkt, n, &p, 1), 0);
	pkt[3000] ^= 0x40;
	assert_int_equal(mx_probe_verify(pkt, n, &p, 1), 1);
	/* The same size claimed for another probe size. */
	other = p;
	other.size = 4001;
	assert_int_equal(mx_probe_verify(pkt, n, &other, 1), 0);
}

static void test_quotes(void **state)
{
	struct mx_probe p = {.id = 0x1234, .seq = 9, .nonce = 0xcafef00d, .size = 1500};
	struct mx_probe other = p;

	mx_probe_build(pkt, &p, 1);
	/* Linux routers quote up to 576 bytes; RFC 792 ones only 8. */
	assert_int_equal(mx_probe_verify(pkt, 576 - 28, &p, 0), 1);
	assert_int_equal(mx_probe_verify(pkt, 8, &p, 0), 1);
	assert_int_equal(mx_probe_verify(pkt, 12, &p, 0), 1);
	assert_int_equal(mx_probe_verify(pkt, 7, &p, 0), 0);
	/* A quote is never a reply. */
	assert_int_equal(mx_probe_verify(pkt, 100, &p, 1), 0);
	/* A quote of another probe of ours (other nonce) is refused as soon as
	 * the nonce is in it. */
	other.nonce ^= 0x100;
	assert_int_equal(mx_probe_verify(pkt, 8, &other, 0), 1);
	assert_int_equal(mx_probe_verify(pkt, 16, &other, 0), 0);
	assert_int_equal(mx_probe_verify(pkt, 100, &other, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_forgeries),
	    cmocka_unit_test(test_quotes),
	};

	return cmocka_run_group_tests_name("pmtu_packet", tests, NULL, NULL);
}
