// SPDX-License-Identifier: GPL-2.0
/* What the DNS checks work on: domain and host from the command line or
 * mailcow.conf, public addresses from --public-ip, and the name helpers. */
#include <arpa/inet.h>

#include "unit.h"
#include "dns_env.h"
#include "mailcow_conf.h"

static void test_public(void **state)
{
	static const struct {
		const char *ip;
		int pub;
	} cases[] = {
	    {"8.8.8.8", 1},	{"10.1.2.3", 0},   {"172.16.0.1", 0},	{"172.32.0.1", 1},
	    {"192.168.1.1", 0}, {"100.64.0.1", 0}, {"100.128.0.1", 1},	{"127.0.0.1", 0},
	    {"169.254.1.1", 0}, {"192.0.2.1", 0},  {"198.51.100.1", 0}, {"203.0.113.1", 0},
	    {"198.18.0.1", 0},	{"224.0.0.1", 0},  {"2a01:4f8::1", 1},	{"2001:db8::1", 0},
	    {"fd00::1", 0},	{"fe80::1", 0},	   {"::1", 0},		{"2606:4700::1111", 1},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char a[16];
		int f = strchr(cases[i].ip, ':') ? AF_INET6 : AF_INET;

		inet_pton(f, cases[i].ip, a);
		if (mx_ip_is_public(f, a) != cases[i].pub)
			fail_msg("%s: expected %s", cases[i].ip,
				 cases[i].pub ? "public" : "not public");
	}
}

static void test_names(void **state)
{
	unsigned char a[16];
	char rev[80];

	assert_true(mx_dns_name_eq("MX.Example.org.", "mx.example.org"));
	assert_false(mx_dns_name_eq("mx.example.org", "mx.example.or"));
	inet_pton(AF_INET, "198.51.100.7", a);
	mx_dns_reverse_name(AF_INET, a, rev, sizeof(rev));
	assert_string_equal(rev, "7.100.51.198.in-addr.arpa");
	inet_pton(AF_INET6, "2001:db8::10", a);
	mx_dns_reverse_name(AF_INET6, a, rev, sizeof(rev));
	assert_string_equal(
	    rev, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

static void resolve(struct mx_config *cfg, struct mx_opts *o, struct mx_dns_env *env)
{
	struct mx_ctx ctx = {.cfg = cfg, .opts = o, .run = NULL};
	char err[128];

	memset(env, 0, sizeof(*env));
	assert_int_equal(mx_dns_client_init(&env->dns, "127.0.0.1", 1, err, sizeof(err)), 0);
	mx_dns_env_resolve(&ctx, env);
}

static void test_sources(void **state)
{
	static struct mx_config cfg;
	struct mx_opts o = {.timeout_s = 1};
	struct mx_dns_env env;

	mx_config_defaults(&cfg);
	/* Nothing known: skipped, with the way out in the reason. */
	resolve(&cfg, &o, &env);
	assert_non_null(strstr(env.skip, "no mail domain known"));
	/* The command line wins; the host comes from mailcow.conf. */
	mx_mc_parse(&cfg.mc, "MAILCOW_HOSTNAME=mx.Example.ORG\n");
	cfg.mc.present = 1;
	snprintf(cfg.mc.path, sizeof(cfg.mc.path), "/opt/mailcow-dockerized/mailcow.conf");
	o.domain = "Example.NET.";
	o.public_ip[0] = "192.0.2.10";
	o.public_ip[1] = "2001:db8:0::10";
	resolve(&cfg, &o, &env);
	assert_string_equal(env.skip, "");
	assert_string_equal(env.domain, "example.net");
	assert_string_equal(env.domain_source, "given on the command line");
	assert_string_equal(env.host, "mx.Example.ORG");
	assert_non_null(strstr(env.host_source, "MAILCOW_HOSTNAME in /opt/mailcow"));
	assert_string_equal(env.ip[0], "192.0.2.10");
	assert_string_equal(env.ip[1], "2001:db8::10"); /* canonical form */
	assert_string_equal(env.ip_source[1], "--public-ip");
	/* A two-label host name is the domain itself (no lookup needed). */
	mx_mc_parse(&cfg.mc, "MAILCOW_HOSTNAME=example.org\n");
	o.domain = NULL;
	resolve(&cfg, &o, &env);
	assert_string_equal(env.domain, "example.org");
	assert_non_null(strstr(env.domain_source, "itself a registrable name"));
	/* --hostname overrides mailcow.conf. */
	mx_dns_hostname_override = "mail.example.org";
	resolve(&cfg, &o, &env);
	assert_string_equal(env.host, "mail.example.org");
	assert_string_equal(env.host_source, "--hostname");
	mx_dns_hostname_override = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_public),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_sources),
	};

	return cmocka_run_group_tests_name("dns_env", tests, NULL, NULL);
}
