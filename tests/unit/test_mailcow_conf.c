// SPDX-License-Identifier: GPL-2.0
/* mailcow.conf as real files have it: comments, quotes, IP:PORT, the old
 * SKIP_SOLR, and broken lines reported with their numbers. */
#include "unit.h"
#include "mailcow_conf.h"

static void load(struct mx_config *cfg, const char *text)
{
	mx_config_defaults(cfg);
	mx_mc_parse(&cfg->mc, text);
	cfg->mc.present = 1;
	snprintf(cfg->mc.path, sizeof(cfg->mc.path), "mailcow.conf");
	mx_config_apply_mailcow(cfg);
}

static void test_real_file(void **state)
{
	static struct mx_config cfg;

	load(&cfg, "# ------------------------------\n"
		   "# mailcow web ui configuration\n"
		   "# ------------------------------\n"
		   "MAILCOW_HOSTNAME=mx.example.org\n"
		   "\n"
		   "HTTP_PORT=8080\n"
		   "HTTP_BIND=\n"
		   "HTTPS_PORT=8443\n"
		   "SMTP_PORT=192.0.2.10:25\n"
		   "SUBMISSION_PORT=[2001:db8::10]:587\n"
		   "SQL_PORT=127.0.0.1:13306\n"
		   "SKIP_CLAMD=y\n"
		   "SKIP_FTS=n   # full-text search stays on\n"
		   "ENABLE_IPV6=true\n"
		   "IPV4_NETWORK=172.22.1\n"
		   "TZ='Europe/Berlin'\n"
		   "COMPOSE_PROJECT_NAME=\"mailcowdockerized\"\r\n");
	assert_int_equal(cfg.mc.nerrors, 0);
	assert_string_equal(mx_mc_get(&cfg.mc, "MAILCOW_HOSTNAME"), "mx.example.org");
	assert_string_equal(mx_mc_get(&cfg.mc, "TZ"), "Europe/Berlin");
	assert_string_equal(mx_mc_get(&cfg.mc, "COMPOSE_PROJECT_NAME"), "mailcowdockerized");
	assert_int_equal(mx_config_port(&cfg, "http")->port, 8080);
	assert_string_equal(mx_config_port(&cfg, "http")->bind, "");
	assert_int_equal(mx_config_port(&cfg, "https")->port, 8443);
	assert_int_equal(mx_config_port(&cfg, "smtp")->port, 25);
	assert_string_equal(mx_config_port(&cfg, "smtp")->bind, "192.0.2.10");
	assert_string_equal(mx_config_port(&cfg, "submission")->bind, "2001:db8::10");
	assert_int_equal(mx_config_port(&cfg, "imap")->port, 143);
	assert_int_equal(cfg.mc.skip_clamd, 1);
	assert_int_equal(cfg.mc.skip_fts, 0);
	assert_int_equal(cfg.mc.enable_ipv6, 1);
	assert_int_equal(mx_mc_line(&cfg.mc, "SMTP_PORT"), 9);
}

static void test_http_bind(void **state)
{
	static struct mx_config cfg;

	load(&cfg, "HTTP_PORT=80\nHTTP_BIND=198.51.100.7\n");
	assert_int_equal(cfg.mc.nerrors, 0);
	assert_string_equal(mx_config_port(&cfg, "http")->bind, "198.51.100.7");
	assert_string_equal(mx_config_port(&cfg, "https")->bind, "198.51.100.7");
}

static void test_old_skip_solr(void **state)
{
	static struct mx_config cfg;

	load(&cfg, "SKIP_SOLR=y\n");
	assert_int_equal(cfg.mc.skip_fts, 1);
	assert_int_equal(cfg.mc.skip_fts_from_solr, 1);
	/* SKIP_FTS wins over the obsolete name. */
	load(&cfg, "SKIP_SOLR=y\nSKIP_FTS=n\n");
	assert_int_equal(cfg.mc.skip_fts, 0);
	assert_int_equal(cfg.mc.skip_fts_from_solr, 0);
}

static void expect_error(const char *text, int line, const char *needle)
{
	static struct mx_config cfg;

	load(&cfg, text);
	assert_true(cfg.mc.nerrors >= 1);
	assert_int_equal(cfg.mc.errors[0].line, line);
	if (!strstr(cfg.mc.errors[0].msg, needle))
		fail_msg("error '%s' lacks '%s'", cfg.mc.errors[0].msg, needle);
}

static void test_broken(void **state)
{
	expect_error("MAILCOW_HOSTNAME=a.b\nthis is not an assignment\n", 2, "expected KEY=VALUE");
	expect_error("A=1\n\nB\n", 3, "expected KEY=VALUE, found 'B'");
	expect_error("A-B=1\n", 1, "invalid character '-' in variable name A");
	expect_error("TZ=\"Europe/Berlin\n", 1, "unterminated double quote");
	expect_error("TZ='x' y\n", 1, "text after the closing quote");
	expect_error("# c\nSMTP_PORT=1.2.3.4:99999\n", 2, "SMTP_PORT");
	expect_error("SMTP_PORT=1.2.3.400:25\n", 1, "not PORT, IP:PORT");
	expect_error("HTTP_PORT=1.2.3.4:80\n", 1, "use HTTP_BIND");
	expect_error("HTTP_BIND=not-an-ip\n", 1, "not an IP address");
	expect_error("SKIP_CLAMD=maybe\n", 1, "not y or n");
	expect_error("1BAD=x\n", 1, "expected KEY=VALUE");
}

static void test_broken_port_not_taken(void **state)
{
	static struct mx_config cfg;

	load(&cfg, "SMTP_PORT=abc\nIMAP_PORT=1143\n");
	/* The bad value is reported and the default kept, never half-taken. */
	assert_int_equal(cfg.mc.nerrors, 1);
	assert_int_equal(mx_config_port(&cfg, "smtp")->port, 25);
	assert_int_equal(mx_config_port(&cfg, "imap")->port, 1143);
}

static void test_check_record(void **state)
{
	static struct mx_config cfg;
	struct mx_result r;

	load(&cfg, "MAILCOW_HOSTNAME=mx\n");
	mx_unit_run(&cfg, "config.mailcow_conf", &r);
	assert_int_equal(r.status, MX_FAIL);
	assert_non_null(strstr(r.summary, "not a fully qualified name"));
	mx_unit_free(&r);

	load(&cfg, "MAILCOW_HOSTNAME=mx.example.org\nSKIP_SOLR=y\n");
	mx_unit_run(&cfg, "config.mailcow_conf", &r);
	assert_int_equal(r.status, MX_WARN);
	assert_non_null(strstr(r.remedy, "SKIP_FTS"));
	mx_unit_free(&r);

	load(&cfg, "MAILCOW_HOSTNAME=mx.example.org\nX\n");
	mx_unit_run(&cfg, "config.mailcow_conf", &r);
	assert_int_equal(r.status, MX_FAIL);
	assert_non_null(strstr(r.summary, "mailcow.conf:2:"));
	mx_unit_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_file),
	    cmocka_unit_test(test_http_bind),
	    cmocka_unit_test(test_old_skip_solr),
	    cmocka_unit_test(test_broken),
	    cmocka_unit_test(test_broken_port_not_taken),
	    cmocka_unit_test(test_check_record),
	};

	return cmocka_run_group_tests_name("mailcow_conf", tests, NULL, NULL);
}
