// SPDX-License-Identifier: GPL-2.0
/* DMARC records (RFC 7489 6.3/6.4) and the shared tag=value grammar. */
#include "unit.h"
#include "dns_dmarc.h"
#include "dns_tagval.h"

static void test_taglist(void **state)
{
	struct mx_taglist tl;

	assert_int_equal(mx_taglist_parse("v=DKIM1; k=rsa;  p=MIIB AQAB ;", &tl), 0);
	assert_int_equal(tl.n, 3);
	assert_string_equal(mx_taglist_get(&tl, "k"), "rsa");
	assert_string_equal(mx_taglist_get(&tl, "p"), "MIIB AQAB");
	assert_null(mx_taglist_get(&tl, "K")); /* tag names are case-sensitive */
	mx_taglist_free(&tl);
	assert_int_equal(mx_taglist_parse("a=1;a=2", &tl), -1);
	assert_non_null(strstr(tl.error, "appears twice"));
	mx_taglist_free(&tl);
	assert_int_equal(mx_taglist_parse("a=1;;b=2", &tl), -1);
	assert_non_null(strstr(tl.error, "empty tag"));
	mx_taglist_free(&tl);
	assert_int_equal(mx_taglist_parse("a=1; b", &tl), -1);
	assert_non_null(strstr(tl.error, "has no '='"));
	mx_taglist_free(&tl);
	assert_int_equal(mx_taglist_parse("1a=x", &tl), -1);
	mx_taglist_free(&tl);
	assert_int_equal(mx_taglist_parse("a=\x01", &tl), -1);
	assert_non_null(strstr(tl.error, "0x01"));
	mx_taglist_free(&tl);
	assert_int_equal(mx_taglist_parse("", &tl), 0);
	assert_int_equal(tl.n, 0);
	{
		char out[32];

		mx_strip_ws(" AB C\tD\r\n E ", out, sizeof(out));
		assert_string_equal(out, "ABCDE");
	}
}

static void test_seed_record(void **state)
{
	struct mx_dmarc d;

	/* The seed's record, trailing semicolon included. */
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=quarantine; aspf=s; adkim=s;", &d), 0);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.nwarnings, 0);
	assert_string_equal(d.p, "quarantine");
	assert_int_equal(d.aspf, 's');
	assert_int_equal(d.adkim, 's');
	assert_int_equal(d.pct, 100);
	assert_true(mx_dmarc_is_record("v=DMARC1; p=none"));
	assert_true(mx_dmarc_is_record("v = DMARC1"));
	assert_false(mx_dmarc_is_record("v=DMARC10; p=none"));
	assert_false(mx_dmarc_is_record("v=spf1 -all"));
}

static void test_report_uris(void **state)
{
	struct mx_dmarc d;

	assert_int_equal(
	    mx_dmarc_parse("v=DMARC1; p=reject; rua=mailto:a@Example.org!10m, "
			   "mailto:dmarc@reports.example.net; ruf=mailto:f@example.org",
			   &d),
	    0);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.nrua, 2);
	assert_string_equal(d.rua[0].domain, "example.org");
	assert_string_equal(d.rua[0].limit, "!10m");
	assert_string_equal(d.rua[1].domain, "reports.example.net");
	assert_int_equal(d.nruf, 1);
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=none; rua=dmarc@example.org", &d), 0);
	assert_non_null(strstr(d.errors[0], "lacks the 'mailto:' scheme"));
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=none; rua=mailto:a@example.org!10x", &d), 0);
	assert_non_null(strstr(d.errors[0], "size limit"));
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=none; rua=mailto:nobody", &d), 0);
	assert_non_null(strstr(d.errors[0], "not a mail address"));
}

static void test_malformed(void **state)
{
	struct mx_dmarc d;

	assert_int_equal(mx_dmarc_parse("p=reject; v=DMARC1", &d), -1);
	assert_non_null(strstr(d.errors[0], "first tag must be v=DMARC1"));
	assert_int_equal(mx_dmarc_parse("v=dmarc1; p=reject", &d), -1);
	assert_non_null(strstr(d.errors[0], "exactly 'v=DMARC1'"));
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=quarantined", &d), -1);
	assert_string_equal(d.errors[0], "p=quarantined is not none, quarantine or reject");
	/* Without p= but with rua=: p=none (RFC 7489 6.6.3). */
	assert_int_equal(mx_dmarc_parse("v=DMARC1; rua=mailto:a@example.org", &d), 0);
	assert_string_equal(d.p, "none");
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=reject; pct=101", &d), 0);
	assert_non_null(strstr(d.errors[0], "pct=101"));
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=reject; aspf=strict", &d), 0);
	assert_non_null(strstr(d.errors[0], "aspf=strict is not r or s"));
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=reject; fo=2", &d), 0);
	assert_non_null(strstr(d.errors[0], "'2' is not 0, 1, d or s"));
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=reject; rf=iodef", &d), 0);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=reject; p=none", &d), 0);
	assert_non_null(strstr(d.errors[0], "appears twice"));
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=reject; adkm=s", &d), 0);
	assert_int_equal(d.nerrors, 0);
	assert_non_null(strstr(d.warnings[0], "unknown tag 'adkm'"));
	assert_int_equal(mx_dmarc_parse("v=DMARC1; p=reject; sp=none; pct=50", &d), 0);
	assert_string_equal(d.sp, "none");
	assert_int_equal(d.pct, 50);
	assert_int_equal(mx_dmarc_parse("", &d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_taglist),
	    cmocka_unit_test(test_seed_record),
	    cmocka_unit_test(test_report_uris),
	    cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests_name("dmarc", tests, NULL, NULL);
}
