// SPDX-License-Identifier: GPL-2.0
/* The RFC 8899 search against simulated paths. The search is pure logic
 * (pmtu_search.c), so a path here is a function from probe size to outcome:
 * answered, lost, or a frag-needed with some MTU. This is the one place a
 * simulated peer is right: it lets every corner (random loss, lying
 * routers, pre-RFC 1191 routers, silent peers) be asserted exactly, which
 * real namespaces (tests/integration/mtu.sh) cannot produce on demand. */
#include "unit.h"
#include "pmtu_search.h"

struct path {
	unsigned mtu;	    /* what the path carries */
	unsigned local;	    /* our interface */
	int ptb;	    /* the bottleneck reports frag-needed */
	unsigned ptb_value; /* reported value (default: mtu) */
	int ptb_zero;	    /* report 0 instead */
	int silent;	    /* the peer answers nothing */
	unsigned lose_nth;  /* lose the n-th probe (1-based), 0 = none */
	unsigned lose_nth2;
};

/* Runs a search to the end; returns the result and the probe count. */
static unsigned simulate(const struct path *p, int ipv6, unsigned *probes,
			 enum mx_pmtu_bound *bound)
{
	struct mx_pmtu_search s;
	unsigned size, n = 0;

	mx_pmtu_init(&s, ipv6, p->local);
	while ((size = mx_pmtu_next(&s)) != 0) {
		n++;
		assert_true(n <= MX_PMTU_PROBE_LIMIT);
		assert_true(size <= p->local);
		mx_pmtu_sent(&s, size);
		if (p->silent || n == p->lose_nth || n == p->lose_nth2)
			mx_pmtu_lost(&s, size);
		else if (size <= p->mtu)
			mx_pmtu_answered(&s, size);
		else if (p->ptb) {
			enum mx_pmtu_ptb_verdict v = mx_pmtu_ptb(&s, size,
								 p->ptb_zero	? 0
								 : p->ptb_value ? p->ptb_value
										: p->mtu);

			/* An ignored report leaves the probe unanswered. */
			if (v != MX_PTB_USED)
				mx_pmtu_lost(&s, size);
		} else
			mx_pmtu_lost(&s, size);
	}
	assert_true(s.done);
	*probes = n;
	*bound = s.hi_bound;
	return s.unreachable ? 0 : s.lo;
}

static void test_plain(void **state)
{
	struct path p = {.mtu = 1500, .local = 1500};
	enum mx_pmtu_bound b;
	unsigned n;

	assert_int_equal(simulate(&p, 0, &n, &b), 1500);
	assert_int_equal(n, 2); /* base + interface MTU */
	assert_int_equal(b, MX_BOUND_LOCAL);
	assert_int_equal(simulate(&p, 1, &n, &b), 1500);
	assert_int_equal(n, 2);
}

static void test_ptb(void **state)
{
	struct path p = {.mtu = 1420, .local = 1500, .ptb = 1};
	enum mx_pmtu_bound b;
	unsigned n;

	assert_int_equal(simulate(&p, 0, &n, &b), 1420);
	assert_int_equal(n, 3); /* base, 1500 → PTB 1420, 1420 confirmed */
	assert_int_equal(b, MX_BOUND_PTB);
	p.mtu = 1337;
	assert_int_equal(simulate(&p, 1, &n, &b), 1337);
	assert_int_equal(n, 3);
}

/* Every MTU from 1281 to 1500 behind a black hole: exact, at most 14
 * probes, and at most 9 for the common MTUs (goal: 12). */
static void test_blackhole_every_size(void **state)
{
	enum mx_pmtu_bound b;
	unsigned mtu, n, worst = 0, i;

	for (mtu = 1281; mtu <= 1500; mtu++) {
		struct path p = {.mtu = mtu, .local = 1500};

		assert_int_equal(simulate(&p, 0, &n, &b), mtu);
		assert_int_equal(b, mtu == 1500 ? MX_BOUND_LOCAL : MX_BOUND_LOSS);
		if (n > worst)
			worst = n;
		assert_true(n <= 14);
	}
	for (i = 0; i < mx_pmtu_ncommon; i++) {
		struct path p = {.mtu = mx_pmtu_common[i], .local = 1500};

		if (p.mtu < 1280 || p.mtu > 1500)
			continue;
		assert_int_equal(simulate(&p, 1, &n, &b), p.mtu);
		assert_true(n <= 9);
	}
	print_message("black hole 1281..1500: at most %u probes\n", worst);
}

static void test_blackhole_jumbo(void **state)
{
	struct path p = {.mtu = 1500, .local = 9001};
	enum mx_pmtu_bound b;
	unsigned n;

	/* AWS: 9001 inside the VPC, 1500 beyond, no frag-needed. */
	assert_int_equal(simulate(&p, 0, &n, &b), 1500);
	assert_int_equal(b, MX_BOUND_LOSS);
	assert_true(n <= 12);
}

/* A lost probe below the path MTU must not end the search too low: the
 * confirmation probes catch it. */
static void test_random_loss(void **state)
{
	enum mx_pmtu_bound b;
	unsigned n, k;

	for (k = 1; k <= 8; k++) {
		struct path p = {.mtu = 1420, .local = 1500, .lose_nth = k};

		assert_int_equal(simulate(&p, 0, &n, &b), 1420);
	}
	for (k = 1; k <= 6; k++) {
		struct path p = {.mtu = 1500, .local = 1500, .lose_nth = k, .lose_nth2 = k + 1};

		assert_int_equal(simulate(&p, 1, &n, &b), 1500);
	}
}

static void test_ptb_sanity(void **state)
{
	struct mx_pmtu_search s;

	mx_pmtu_init(&s, 0, 1500);
	mx_pmtu_sent(&s, 1280);
	mx_pmtu_answered(&s, 1280);
	assert_int_equal(mx_pmtu_ptb(&s, 1500, 1500), MX_PTB_NOT_SMALLER);
	assert_int_equal(mx_pmtu_ptb(&s, 1500, 9000), MX_PTB_NOT_SMALLER);
	assert_int_equal(mx_pmtu_ptb(&s, 1500, 60), MX_PTB_BELOW_MIN);
	assert_int_equal(mx_pmtu_ptb(&s, 1500, 1000), MX_PTB_CONTRADICTED);
	assert_int_equal(s.nptb, 0);
	assert_int_equal(mx_pmtu_next(&s), 1500);
	mx_pmtu_init(&s, 1, 1500);
	assert_int_equal(mx_pmtu_ptb(&s, 1500, 1200), MX_PTB_BELOW_MIN);
	assert_int_equal(mx_pmtu_ptb(&s, 1500, 1400), MX_PTB_USED);
	assert_int_equal(mx_pmtu_next(&s), 1400); /* the reported value is probed */
}

/* A router that reports too high a value: the probe at that value is lost
 * and the search goes on below it. */
static void test_ptb_lies(void **state)
{
	struct path p = {.mtu = 1400, .local = 1500, .ptb = 1, .ptb_value = 1480};
	enum mx_pmtu_bound b;
	unsigned n;

	assert_int_equal(simulate(&p, 0, &n, &b), 1400);
	assert_int_equal(b, MX_BOUND_LOSS);
}

/* RFC 1191 section 5: a router that says "too big" with MTU 0. The value
 * is ignored; the search treats the probe as unanswered and still ends
 * exact, with silent loss as its last word. */
static void test_ptb_zero(void **state)
{
	struct path p = {.mtu = 1492, .local = 1500, .ptb = 1, .ptb_zero = 1};
	struct mx_pmtu_search s;
	enum mx_pmtu_bound b;
	unsigned n;

	mx_pmtu_init(&s, 0, 1500);
	assert_int_equal(mx_pmtu_ptb(&s, 1500, 0), MX_PTB_ZERO);
	assert_int_equal(s.nptb, 0);
	assert_int_equal(simulate(&p, 0, &n, &b), 1492);
	assert_int_equal(b, MX_BOUND_LOSS);
	assert_true(n <= 12);
}

static void test_silent_peer(void **state)
{
	struct path p = {.mtu = 1500, .local = 1500, .silent = 1};
	enum mx_pmtu_bound b;
	unsigned n;

	assert_int_equal(simulate(&p, 0, &n, &b), 0);
	assert_int_equal(n, 2 * MX_PMTU_MAX_PROBES); /* base and 68, three each */
	assert_int_equal(simulate(&p, 1, &n, &b), 0);
	assert_int_equal(n, MX_PMTU_MAX_PROBES); /* IPv6: 1280 is the minimum */
}

/* A path below 1280 (IPv4 only): the smallest probe answers, then the
 * search narrows down under the base. */
static void test_narrow_path(void **state)
{
	struct path p = {.mtu = 576, .local = 1500};
	enum mx_pmtu_bound b;
	unsigned n;

	assert_int_equal(simulate(&p, 0, &n, &b), 576);
	p.ptb = 1;
	assert_int_equal(simulate(&p, 0, &n, &b), 576);
	assert_int_equal(b, MX_BOUND_PTB);
}

static void test_local_limit(void **state)
{
	struct mx_pmtu_search s;

	mx_pmtu_init(&s, 0, 9000);
	mx_pmtu_sent(&s, 1280);
	mx_pmtu_answered(&s, 1280);
	mx_pmtu_sent(&s, 9000);
	mx_pmtu_local_limit(&s, 1500); /* EMSGSIZE: the route says 1500 */
	assert_int_equal(s.local_mtu, 1500);
	assert_int_equal(mx_pmtu_next(&s), 1500);
	mx_pmtu_sent(&s, 1500);
	mx_pmtu_answered(&s, 1500);
	assert_true(s.done);
	assert_int_equal(s.lo, 1500);
	assert_int_equal(s.hi_bound, MX_BOUND_LOCAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_ptb),
	    cmocka_unit_test(test_blackhole_every_size),
	    cmocka_unit_test(test_blackhole_jumbo),
	    cmocka_unit_test(test_random_loss),
	    cmocka_unit_test(test_ptb_sanity),
	    cmocka_unit_test(test_ptb_lies),
	    cmocka_unit_test(test_ptb_zero),
	    cmocka_unit_test(test_silent_peer),
	    cmocka_unit_test(test_narrow_path),
	    cmocka_unit_test(test_local_limit),
	};

	return cmocka_run_group_tests_name("pmtu_search", tests, NULL, NULL);
}
