// SPDX-License-Identifier: GPL-2.0
/* The echo module both ICMP probers share (icmp_echo.h): what the outbound
 * ping and the path-MTU prober send, and what they accept as a reply or as
 * a router's quote. The per-prober formats are in test_probe_proto.c and
 * test_pmtu_packet.c; this covers the shared parts they do not. */
#include "unit.h"
#include "icmp_echo.h"

static void echo_init(struct mx_echo *e, size_t len)
{
	memset(e, 0, sizeof(*e));
	e->id = 0xbeef;
	e->seq = 0x0102;
	memset(e->tag, 0x5c, sizeof(e->tag));
	e->seed = 0x12345679;
	e->len = len;
}

static void test_build_layout(void **state)
{
	uint8_t pkt[128];
	struct mx_echo e;

	echo_init(&e, 100);
	assert_int_equal(mx_echo_build(pkt, &e, 1), 100);
	assert_int_equal(pkt[0], MX_ICMP4_ECHO);
	assert_int_equal(pkt[1], 0);
	assert_int_equal(pkt[4] << 8 | pkt[5], 0xbeef);
	assert_int_equal(pkt[6] << 8 | pkt[7], 0x0102);
	assert_memory_equal(pkt + MX_ECHO_HDR, e.tag, MX_ECHO_TAG);
	assert_int_equal(mx_icmp_csum(pkt, 100), 0);
	/* ICMPv6: the kernel sums it, we leave the field zero. */
	e.v6 = 1;
	mx_echo_build(pkt, &e, 0);
	assert_int_equal(pkt[0], MX_ICMP6_ECHO);
	assert_int_equal(pkt[2] | pkt[3], 0);
	/* The pattern follows from the seed: another seed, other bytes. */
	{
		uint8_t other[128];

		e.seed ^= 0x10;
		mx_echo_build(other, &e, 0);
		assert_memory_equal(pkt, other, MX_ECHO_MIN);
		assert_memory_not_equal(pkt + MX_ECHO_MIN, other + MX_ECHO_MIN, 100 - MX_ECHO_MIN);
	}
}

static void test_header(void **state)
{
	uint8_t pkt[64];
	struct mx_echo e;
	uint16_t seq = 0;

	echo_init(&e, MX_ECHO_MIN);
	mx_echo_build(pkt, &e, 1);
	pkt[0] = MX_ICMP4_ECHOREPLY;
	assert_int_equal(mx_echo_header(pkt, MX_ECHO_MIN, MX_ICMP4_ECHOREPLY, 1, 0xbeef, &seq), 0);
	assert_int_equal(seq, 0x0102);
	/* Another id counts only where we own the id (not on ping sockets). */
	assert_int_equal(mx_echo_header(pkt, MX_ECHO_MIN, MX_ICMP4_ECHOREPLY, 1, 0xbeee, &seq), -1);
	assert_int_equal(mx_echo_header(pkt, MX_ECHO_MIN, MX_ICMP4_ECHOREPLY, 0, 0xbeee, &seq), 0);
	/* A nonzero code, another type, or fewer than 8 bytes. */
	pkt[1] = 1;
	assert_int_equal(mx_echo_header(pkt, MX_ECHO_MIN, MX_ICMP4_ECHOREPLY, 1, 0xbeef, &seq), -1);
	pkt[1] = 0;
	assert_int_equal(mx_echo_header(pkt, MX_ECHO_MIN, MX_ICMP6_ECHOREPLY, 1, 0xbeef, &seq), -1);
	assert_int_equal(mx_echo_header(pkt, 7, MX_ICMP4_ECHOREPLY, 1, 0xbeef, &seq), -1);
}

static void test_verify(void **state)
{
	uint8_t pkt[256];
	struct mx_echo e, other;

	echo_init(&e, 200);
	mx_echo_build(pkt, &e, 0);
	assert_int_equal(mx_echo_verify(pkt, 200, &e, 1, 1), 1);
	/* Padded or truncated replies are not what we sent. */
	assert_int_equal(mx_echo_verify(pkt, 201, &e, 1, 1), 0);
	assert_int_equal(mx_echo_verify(pkt, 199, &e, 1, 1), 0);
	/* A quote may stop anywhere from 8 bytes on, never past the end. */
	assert_int_equal(mx_echo_verify(pkt, 8, &e, 1, 0), 1);
	assert_int_equal(mx_echo_verify(pkt, 30, &e, 1, 0), 1);
	assert_int_equal(mx_echo_verify(pkt, 201, &e, 1, 0), 0);
	/* The last payload byte counts. */
	pkt[199] ^= 1;
	assert_int_equal(mx_echo_verify(pkt, 200, &e, 1, 1), 0);
	assert_int_equal(mx_echo_verify(pkt, 199, &e, 1, 0), 1);
	pkt[199] ^= 1;
	/* The tag counts as far as a quote goes. */
	other = e;
	other.tag[3] ^= 1;
	assert_int_equal(mx_echo_verify(pkt, 11, &other, 1, 0), 1);
	assert_int_equal(mx_echo_verify(pkt, 12, &other, 1, 0), 0);
	/* Ping sockets: the kernel rewrote the id, the sequence still counts. */
	other = e;
	other.id ^= 0xffff;
	assert_int_equal(mx_echo_verify(pkt, 200, &other, 1, 1), 0);
	assert_int_equal(mx_echo_verify(pkt, 200, &other, 0, 1), 1);
	other.seq++;
	assert_int_equal(mx_echo_verify(pkt, 200, &other, 0, 1), 0);
}

static void test_ip4_raw(void **state)
{
	uint8_t pkt[20 + 4 + 64];
	const uint8_t *icmp;
	struct mx_echo e;
	size_t len = 0;

	/* What a raw IPv4 socket delivers: a header with 4 bytes of options,
	 * then the reply. */
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x46;
	echo_init(&e, 64);
	mx_echo_build(pkt + 24, &e, 1);
	icmp = mx_echo_ip4_icmp(pkt, sizeof(pkt), &len);
	assert_ptr_equal(icmp, pkt + 24);
	assert_int_equal(len, 64);
	/* A bad ICMP checksum: the kernel does not drop it for raw sockets. */
	pkt[40] ^= 1;
	assert_null(mx_echo_ip4_icmp(pkt, sizeof(pkt), &len));
	pkt[40] ^= 1;
	/* Not IPv4, a header length below 20, or shorter than it claims. */
	pkt[0] = 0x66;
	assert_null(mx_echo_ip4_icmp(pkt, sizeof(pkt), &len));
	pkt[0] = 0x44;
	assert_null(mx_echo_ip4_icmp(pkt, sizeof(pkt), &len));
	pkt[0] = 0x4f;
	assert_null(mx_echo_ip4_icmp(pkt, sizeof(pkt), &len));
	pkt[0] = 0x46;
	assert_null(mx_echo_ip4_icmp(pkt, 19, &len));
	assert_non_null(mx_echo_ip4_icmp(pkt, sizeof(pkt), &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_layout),
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_verify),
	    cmocka_unit_test(test_ip4_raw),
	};

	return cmocka_run_group_tests_name("icmp_echo", tests, NULL, NULL);
}
