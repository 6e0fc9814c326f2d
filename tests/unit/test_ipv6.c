// SPDX-License-Identifier: GPL-2.0
/* The IPv6 host checks over fixture sysroots: /proc/sys/net/ipv6/conf,
 * /proc/net/ipv6_route (RTF_ADDRCONF = learned from an RA), /proc/net/if_inet6
 * and /etc/network/interfaces(.d). */
#include "unit.h"
#include "ipv6_facts.h"

static struct mx_config cfg;
static struct mx_result r;

static void run(const char *fixture, const char *id)
{
	mx_unit_sysroot(&cfg, fixture);
	mx_unit_run(&cfg, id, &r);
}

static void with_conf(const char *text)
{
	mx_mc_parse(&cfg.mc, text);
	cfg.mc.present = 1;
	snprintf(cfg.mc.path, sizeof(cfg.mc.path), "/opt/mailcow-dockerized/mailcow.conf");
}

static void test_ra_forwarding(void **state)
{
	run("ipv6_ra_forwarding", "ipv6.ra");
	assert_int_equal(r.status, MX_FAIL);
	assert_string_equal(mx_unit_str(&r, "interface"), "eth0");
	assert_int_equal(mx_unit_int(&r, "forwarding"), 1);
	assert_int_equal(mx_unit_int(&r, "accept_ra"), 1);
	assert_non_null(strstr(r.summary, "will not be renewed"));
	assert_non_null(strstr(r.remedy, "net.ipv6.conf.eth0.accept_ra=2"));
	mx_unit_free(&r);
}

static void test_ra_accept2(void **state)
{
	run("ipv6_ra_accept2", "ipv6.ra");
	assert_int_equal(r.status, MX_PASS);
	mx_unit_free(&r);
}

static void test_ra_noforward(void **state)
{
	/* Fine today; Docker turns forwarding on for mailcow's v6 network. */
	run("ipv6_ra_noforward", "ipv6.ra");
	assert_int_equal(r.status, MX_WARN);
	mx_unit_free(&r);
	mx_unit_sysroot(&cfg, "ipv6_ra_noforward");
	with_conf("ENABLE_IPV6=false\n");
	mx_unit_run(&cfg, "ipv6.ra", &r);
	assert_int_equal(r.status, MX_PASS);
	mx_unit_free(&r);
}

static void test_ra_lost(void **state)
{
	/* The route is gone already; the SLAAC address tells why. */
	run("ipv6_ra_lost", "ipv6.ra");
	assert_int_equal(r.status, MX_FAIL);
	assert_non_null(strstr(r.summary, "no IPv6 default route although eth0"));
	mx_unit_free(&r);
}

/* A bundle without /proc/net/ipv6_route: unknown, not "lost". */
static void test_routes_unknown(void **state)
{
	run("ipv6_noroutes", "ipv6.ra");
	assert_int_equal(r.status, MX_SKIP);
	mx_unit_free(&r);
	mx_unit_sysroot(&cfg, "ipv6_noroutes");
	with_conf("ENABLE_IPV6=true\n");
	mx_unit_run(&cfg, "ipv6.enable", &r);
	assert_int_equal(r.status, MX_SKIP);
	mx_unit_free(&r);
}

static void test_static(void **state)
{
	run("ipv6_static_alias", "ipv6.ra");
	assert_int_equal(r.status, MX_PASS);
	assert_non_null(strstr(r.summary, "static"));
	mx_unit_free(&r);
}

static void test_alias(void **state)
{
	run("ipv6_static_alias", "ipv6.alias");
	assert_int_equal(r.status, MX_FAIL);
	assert_string_equal(mx_unit_str(&r, "file"), "/etc/network/interfaces.d/50-cloud-init.cfg");
	assert_int_equal(mx_unit_int(&r, "line"), 13);
	assert_string_equal(mx_unit_str(&r, "alias"), "eth0:0");
	assert_non_null(strstr(r.remedy, "'iface eth0 inet6'"));
	mx_unit_free(&r);
	run("ipv6_none", "ipv6.alias");
	assert_int_equal(r.status, MX_PASS);
	assert_int_equal(mx_unit_int(&r, "files"), 2);
	mx_unit_free(&r);
	run("ipv6_ra_accept2", "ipv6.alias");
	assert_int_equal(r.status, MX_SKIP);
	mx_unit_free(&r);
	/* source-directory reads run-parts names only: 50-cloud-init.cfg (a
	 * dot) is not read, 70-alias is; the path is relative to /etc/network. */
	run("ipv6_srcdir", "ipv6.alias");
	assert_int_equal(r.status, MX_FAIL);
	assert_string_equal(mx_unit_str(&r, "file"), "/etc/network/interfaces.d/70-alias");
	assert_int_equal(mx_unit_int(&r, "line"), 3);
	assert_string_equal(mx_unit_str(&r, "alias"), "eth1:1");
	assert_int_equal(mx_unit_int(&r, "files"), 2);
	mx_unit_free(&r);
}

static void test_enable(void **state)
{
	/* ENABLE_IPV6 true on a host without IPv6. */
	mx_unit_sysroot(&cfg, "ipv6_none");
	with_conf("ENABLE_IPV6=true\n");
	mx_unit_run(&cfg, "ipv6.enable", &r);
	assert_int_equal(r.status, MX_WARN);
	assert_non_null(strstr(r.summary, "no global IPv6 address"));
	mx_unit_free(&r);
	/* Unset means compose's default, true. */
	mx_unit_sysroot(&cfg, "ipv6_none");
	with_conf("MAILCOW_HOSTNAME=mx.example.org\n");
	mx_unit_run(&cfg, "ipv6.enable", &r);
	assert_int_equal(r.status, MX_WARN);
	mx_unit_free(&r);
	/* ENABLE_IPV6 false on a host with working IPv6 (the ULA on
	 * br-mailcow is not a global address). */
	mx_unit_sysroot(&cfg, "ipv6_static_alias");
	with_conf("ENABLE_IPV6=false\n");
	mx_unit_run(&cfg, "ipv6.enable", &r);
	assert_int_equal(r.status, MX_WARN);
	assert_string_equal(mx_unit_str(&r, "address"), "2a01::a");
	mx_unit_free(&r);
	mx_unit_sysroot(&cfg, "ipv6_static_alias");
	with_conf("ENABLE_IPV6=y\n");
	mx_unit_run(&cfg, "ipv6.enable", &r);
	assert_int_equal(r.status, MX_PASS);
	mx_unit_free(&r);
	/* The route was learned from an RA but the address is SLAAC: works. */
	mx_unit_sysroot(&cfg, "ipv6_ra_forwarding");
	with_conf("ENABLE_IPV6=false\n");
	mx_unit_run(&cfg, "ipv6.enable", &r);
	assert_int_equal(r.status, MX_WARN);
	mx_unit_free(&r);
}

static void test_parsers(void **state)
{
	struct mx_v6_route rt[4];
	struct mx_v6_addr a[4];

	/* Garbage and the local table's entries yield no default route. */
	assert_int_equal(mx_v6_parse_routes("junk\n\n00 00\n", rt, 4), 0);
	assert_int_equal(mx_v6_parse_routes("00000000000000000000000000000000 00 "
					    "00000000000000000000000000000000 00 "
					    "fe800000000000000000000000000001 00000400 00000002 "
					    "00000000 00450003 eth0",
					    rt, 4),
			 1);
	assert_int_equal(rt[0].from_ra, 1);
	assert_string_equal(rt[0].gateway, "fe80::1");
	assert_int_equal(mx_v6_parse_addrs("2001:db8::1 02 40 00 80 eth0\n", a, 4), 0);
	/* Tentative (0x40) is not yet an address. */
	assert_int_equal(
	    mx_v6_parse_addrs("2a01000000000000000000000000000a 02 40 00 40 eth0", a, 4), 1);
	assert_int_equal(a[0].global, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ra_forwarding),  cmocka_unit_test(test_ra_accept2),
	    cmocka_unit_test(test_ra_noforward),   cmocka_unit_test(test_ra_lost),
	    cmocka_unit_test(test_routes_unknown), cmocka_unit_test(test_static),
	    cmocka_unit_test(test_alias),	   cmocka_unit_test(test_enable),
	    cmocka_unit_test(test_parsers),
	};

	return cmocka_run_group_tests_name("ipv6", tests, NULL, NULL);
}
