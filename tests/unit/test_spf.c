// SPDX-License-Identifier: GPL-2.0
/* SPF: the RFC 7208 grammar term by term, macros, CIDR matching, and
 * check_host() over a table of DNS answers (lookup and void counting, loops,
 * include semantics, the qualifier that applies). */
#include <arpa/inet.h>

#include "unit.h"
#include "dns_spf.h"
#include "dns_spf_eval.h"

static void parse_ok(const char *rec, int nterms)
{
	struct mx_spf s;

	if (mx_spf_parse(rec, &s))
		fail_msg("'%s' rejected: %s", rec, s.error);
	assert_int_equal(s.n, nterms);
	mx_spf_free(&s);
}

static void parse_bad(const char *rec, const char *needle)
{
	struct mx_spf s;

	if (mx_spf_parse(rec, &s) == 0)
		fail_msg("'%s' accepted", rec);
	if (!strstr(s.error, needle))
		fail_msg("'%s': error '%s' lacks '%s'", rec, s.error, needle);
	mx_spf_free(&s);
}

static void test_parse_valid(void **state)
{
	struct mx_spf s;

	parse_ok("v=spf1", 0);
	parse_ok("v=spf1 mx -all", 2);
	parse_ok("V=SPF1 MX -ALL", 2);
	parse_ok("v=spf1 mx -all   ", 2);
	parse_ok(
	    "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a/24 mx//64 a:x.example.com/24//64 ~all", 6);
	parse_ok("v=spf1 include:_spf.google.com exists:%{i}.%{v}.%{d}._spf.example.com ?all", 3);
	parse_ok("v=spf1 redirect=_spf.example.com", 1);
	parse_ok("v=spf1 -all exp=explain.%{d}", 2);
	parse_ok("v=spf1 foo=bar -all", 2); /* unknown modifiers are allowed */
	parse_ok("v=spf1 a:1-2.example.com", 1);
	parse_ok("v=spf1 a:%{d}", 1); /* domain-end may be a macro */
	parse_ok("v=spf1 ptr ptr:example.com -all", 3);

	assert_int_equal(mx_spf_parse("v=spf1 a:mail.example.com/27//96 -all", &s), 0);
	assert_int_equal(s.terms[0].kind, MX_SPF_A);
	assert_string_equal(s.terms[0].domain, "mail.example.com");
	assert_int_equal(s.terms[0].cidr4, 27);
	assert_int_equal(s.terms[0].cidr6, 96);
	assert_int_equal(s.terms[1].qualifier, '-');
	assert_int_equal(s.all, 1);
	mx_spf_free(&s);
	assert_int_equal(mx_spf_parse("v=spf1 mx//48", &s), 0);
	assert_int_equal(s.terms[0].cidr4, -1);
	assert_int_equal(s.terms[0].cidr6, 48);
	mx_spf_free(&s);
}

static void test_parse_invalid(void **state)
{
	parse_bad("v=spf10 mx", "v=spf1");
	parse_bad("spf1 mx", "v=spf1");
	parse_bad("v=spf1 mx\t-all", "0x09");
	parse_bad("v=spf1 mx -al", "unknown mechanism 'al'");
	parse_bad("v=spf1 ip4:192.0.2.300", "not an IPv4 address");
	parse_bad("v=spf1 ip4:192.0.2.0/33", "0-32");
	parse_bad("v=spf1 ip4:192.0.2.0/024", "leading zeros");
	parse_bad("v=spf1 ip6:2001:db8::/129", "0-128");
	parse_bad("v=spf1 ip6:192.0.2.1", "not an IPv6 address");
	parse_bad("v=spf1 include", "needs ':'");
	parse_bad("v=spf1 include:example", "not a fully qualified domain");
	parse_bad("v=spf1 include:example.123", "valid top label");
	parse_bad("v=spf1 a:example..com", "empty label");
	parse_bad("v=spf1 redirect=a.example.com redirect=b.example.com",
		  "'redirect' appears twice");
	parse_bad("v=spf1 exp=a.example.com exp=b.example.com", "'exp' appears twice");
	parse_bad("v=spf1 all:x", "takes no argument");
	parse_bad("v=spf1 exists:%{x}.example.com", "unknown macro letter 'x'");
	parse_bad("v=spf1 exists:%{c}.example.com", "only allowed in exp");
	parse_bad("v=spf1 exists:%{i0}.example.com", "nonzero");
	parse_bad("v=spf1 exists:%{i.example.com", "expected '}'");
	parse_bad("v=spf1 a:ex%ample.com", "must be followed by");
	parse_bad("v=spf1 +", "not a mechanism");
	/* Found by fuzz_spf: a macro cut after "%{" read past the end. */
	parse_bad("v=spf1 exists:ir}.%{", "unknown macro letter");
	parse_ok("v=spf1 exists:%{V88888888888888888888888888}.example.com", 1);
	parse_bad("v=spf1 a/", "unexpected text");
}

static void test_macro(void **state)
{
	struct mx_spf_macro_env env = {.sender = "strong-bad@email.example.com",
				       .domain = "email.example.com",
				       .helo = "mx.example.org",
				       .family = AF_INET};
	char out[300], err[128];

	/* The examples of RFC 7208 7.4. */
	inet_pton(AF_INET, "192.0.2.3", env.ip);
	assert_int_equal(mx_spf_expand("%{s}", &env, out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "strong-bad@email.example.com");
	mx_spf_expand("%{o}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "email.example.com");
	mx_spf_expand("%{d4}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "email.example.com");
	mx_spf_expand("%{d2}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "example.com");
	mx_spf_expand("%{d1}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "com");
	mx_spf_expand("%{dr}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "com.example.email");
	mx_spf_expand("%{d2r}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "example.email");
	mx_spf_expand("%{l}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "strong-bad");
	mx_spf_expand("%{l-}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "strong.bad");
	mx_spf_expand("%{lr}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "strong-bad");
	mx_spf_expand("%{lr-}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "bad.strong");
	mx_spf_expand("%{l1r-}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "strong");
	mx_spf_expand("%{ir}.%{v}._spf.%{d2}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "3.2.0.192.in-addr._spf.example.com");
	mx_spf_expand("%{lr-}.lp._spf.%{d2}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "bad.strong.lp._spf.example.com");
	mx_spf_expand("%{d2}.trusted-domains.example.net", &env, out, sizeof(out), err,
		      sizeof(err));
	assert_string_equal(out, "example.com.trusted-domains.example.net");
	env.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::cb01", env.ip);
	mx_spf_expand("%{ir}.%{v}._spf.%{d2}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out,
			    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._"
			    "spf.example.com");
	/* Found by fuzz_spf: a huge transformer count overflowed. */
	mx_spf_expand("%{d88888888888888888888}", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "email.example.com");
	mx_spf_expand("%%%_%-", &env, out, sizeof(out), err, sizeof(err));
	assert_string_equal(out, "% %20");
}

static void test_cidr(void **state)
{
	unsigned char a[16], n[16];

	inet_pton(AF_INET, "192.0.2.130", a);
	inet_pton(AF_INET, "192.0.2.128", n);
	assert_true(mx_ip_in_net(AF_INET, a, n, 25));
	assert_true(mx_ip_in_net(AF_INET, a, n, 0));
	assert_false(mx_ip_in_net(AF_INET, a, n, 32));
	inet_pton(AF_INET, "192.0.2.0", n);
	assert_false(mx_ip_in_net(AF_INET, a, n, 25));
	assert_true(mx_ip_in_net(AF_INET, a, n, 24));
	inet_pton(AF_INET6, "2001:db8:1::5", a);
	inet_pton(AF_INET6, "2001:db8::", n);
	assert_true(mx_ip_in_net(AF_INET6, a, n, 32));
	assert_false(mx_ip_in_net(AF_INET6, a, n, 48));
	assert_false(mx_ip_in_net(AF_INET6, a, n, 129));
}

/* A zone as a table: name, type, answer ("" entries end a list). */
struct fake_rr {
	const char *name;
	int type;
	const char *data; /* TXT text, address, or "pref name" for MX */
};

static const struct fake_rr *fake_zone;
static int fake_queries;

static void fake_lookup(void *u, const char *name, int type, struct mx_rrset *out)
{
	const struct fake_rr *z;
	int exists = 0;

	fake_queries++;
	memset(out, 0, sizeof(*out));
	out->rr = calloc(16, sizeof(*out->rr));
	for (z = fake_zone; z->name; z++) {
		if (strcasecmp(z->name, name))
			continue;
		exists = 1;
		if (z->type != type || out->n >= 16)
			continue;
		struct mx_rr *rr = &out->rr[out->n++];

		if (type == MX_T_A || type == MX_T_AAAA) {
			rr->family = type == MX_T_A ? AF_INET : AF_INET6;
			inet_pton(rr->family, z->data, rr->addr);
			rr->text = strdup(z->data);
		} else if (type == MX_T_MX) {
			char host[256];

			sscanf(z->data, "%d %255s", &rr->pref, host);
			rr->text = strdup(host);
		} else {
			rr->text = strdup(z->data);
		}
	}
	out->status = out->n ? MX_RR_OK : exists ? MX_RR_NODATA : MX_RR_NXDOMAIN;
	if (!strcmp(name, "servfail.example"))
		out->status = MX_RR_ERROR;
}

static enum mx_spf_result eval(const struct fake_rr *zone, const char *ip, const char *domain,
			       struct mx_spf_eval *ev)
{
	memset(ev, 0, sizeof(*ev));
	fake_zone = zone;
	fake_queries = 0;
	ev->dns.fn = fake_lookup;
	if (ip) {
		ev->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
		inet_pton(ev->family, ip, ev->ip);
	}
	return mx_spf_check_host(ev, domain);
}

static void test_eval_basic(void **state)
{
	static const struct fake_rr z[] = {
	    {"example.org", MX_T_TXT, "v=spf1 mx include:_spf.example.org ~all"},
	    {"example.org", MX_T_TXT, "google-site-verification=abc"},
	    {"example.org", MX_T_MX, "10 mx.example.org"},
	    {"mx.example.org", MX_T_A, "198.51.100.10"},
	    {"mx.example.org", MX_T_AAAA, "2001:db8::10"},
	    {"_spf.example.org", MX_T_TXT, "v=spf1 ip4:203.0.113.0/24 a:relay.example.org/28 -all"},
	    {"relay.example.org", MX_T_A, "192.0.2.1"},
	    {NULL, 0, NULL},
	};
	struct mx_spf_eval *ev = calloc(1, sizeof(*ev));

	assert_int_equal(eval(z, "198.51.100.10", "example.org", ev), MX_SPF_PASS);
	assert_string_equal(ev->matched, "mx");
	assert_int_equal(ev->lookups, 3); /* mx, include, a: the whole tree */
	assert_int_equal(ev->voids, 0);
	assert_int_equal(eval(z, "2001:db8::10", "example.org", ev), MX_SPF_PASS);
	assert_int_equal(eval(z, "203.0.113.77", "example.org", ev), MX_SPF_PASS);
	/* The term that let the address in, and the record holding it. */
	assert_string_equal(ev->matched, "ip4:203.0.113.0/24");
	assert_string_equal(ev->matched_domain, "_spf.example.org");
	assert_int_equal(ev->qualifier, '+');
	/* a:/28 through the include. */
	assert_int_equal(eval(z, "192.0.2.14", "example.org", ev), MX_SPF_PASS);
	/* The include's -all is "no match" for the parent: ~all applies. */
	assert_int_equal(eval(z, "192.0.2.77", "example.org", ev), MX_SPF_SOFTFAIL);
	assert_int_equal(ev->qualifier, '~');
	assert_int_equal(eval(z, "2001:db8::99", "example.org", ev), MX_SPF_SOFTFAIL);
	/* No SPF at all. */
	assert_int_equal(eval(z, "192.0.2.1", "relay.example.org", ev), MX_SPF_NONE);
	free(ev);
}

static void test_eval_limits(void **state)
{
	static const struct fake_rr z[] = {
	    /* 11 lookups: a mx + include with 9 a: terms (all resolve). */
	    {"eleven.example", MX_T_TXT, "v=spf1 a mx include:i.eleven.example -all"},
	    {"eleven.example", MX_T_A, "192.0.2.1"},
	    {"eleven.example", MX_T_MX, "10 eleven.example"},
	    {"i.eleven.example", MX_T_TXT,
	     "v=spf1 a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example "
	     "a:h.example a:late.example -all"},
	    {"h.example", MX_T_A, "192.0.2.2"},
	    {"late.example", MX_T_A, "192.0.2.3"},
	    /* Ten is fine. */
	    {"ten.example", MX_T_TXT,
	     "v=spf1 a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example "
	     "a:h.example a:h.example a:h.example a:h.example -all"},
	    /* Three void lookups. */
	    {"voids.example", MX_T_TXT, "v=spf1 a:nx1.example a:nx2.example mx:h.example -all"},
	    {NULL, 0, NULL},
	};
	struct mx_spf_eval *ev = calloc(1, sizeof(*ev));

	/* 192.0.2.1 matches at the first term: a receiver decides before the
	 * limit, but the record is still broken for everybody else. */
	assert_int_equal(eval(z, "192.0.2.1", "eleven.example", ev), MX_SPF_PASS);
	assert_int_equal(ev->lookups, 11);
	assert_int_equal(ev->nproblems, 1);
	assert_non_null(strstr(ev->problems[0], "more than 10 DNS lookups"));
	/* An address that matches nothing: permerror at the 11th. */
	assert_int_equal(eval(z, "203.0.113.1", "eleven.example", ev), MX_SPF_PERMERROR);
	/* The match at the 11th lookup comes too late. */
	assert_int_equal(eval(z, "192.0.2.3", "eleven.example", ev), MX_SPF_PERMERROR);
	assert_int_equal(eval(z, "192.0.2.2", "eleven.example", ev), MX_SPF_PASS);
	assert_int_equal(eval(z, "203.0.113.1", "ten.example", ev), MX_SPF_FAIL);
	assert_int_equal(ev->lookups, 10);
	assert_int_equal(ev->nproblems, 0);
	/* Count-only walk (no address). */
	assert_int_equal(eval(z, NULL, "eleven.example", ev), MX_SPF_PERMERROR);
	assert_int_equal(ev->lookups, 11);

	assert_int_equal(eval(z, "203.0.113.1", "voids.example", ev), MX_SPF_PERMERROR);
	/* nx1 and nx2 are void, and h.example has no MX: the third. */
	assert_int_equal(ev->voids, 3);
	assert_non_null(strstr(ev->problems[0], "more than 2 void lookups"));
	free(ev);
}

static void test_eval_errors(void **state)
{
	static const struct fake_rr z[] = {
	    {"loop.example", MX_T_TXT, "v=spf1 include:a.loop.example -all"},
	    {"a.loop.example", MX_T_TXT, "v=spf1 redirect=LOOP.example."},
	    {"two.example", MX_T_TXT, "v=spf1 -all"},
	    {"two.example", MX_T_TXT, "v=spf1 +all"},
	    {"inc-none.example", MX_T_TXT, "v=spf1 include:nospf.example -all"},
	    {"nospf.example", MX_T_A, "192.0.2.9"},
	    {"inc-two.example", MX_T_TXT, "v=spf1 ip4:192.0.2.5 include:two.example -all"},
	    {"redir.example", MX_T_TXT, "v=spf1 ip4:192.0.2.5 redirect=target.example"},
	    {"target.example", MX_T_TXT, "v=spf1 ip4:203.0.113.0/24 ?all"},
	    {"bad.example", MX_T_TXT, "v=spf1 ip4:1.2.3.4/40 -all"},
	    {"inc-bad.example", MX_T_TXT, "v=spf1 include:bad.example -all"},
	    {"temp.example", MX_T_TXT, "v=spf1 a:servfail.example -all"},
	    {"exists.example", MX_T_TXT, "v=spf1 exists:%{ir}.list.example -all"},
	    {"1.2.0.192.list.example", MX_T_A, "127.0.0.2"},
	    {"ptr.example", MX_T_TXT, "v=spf1 ptr -all"},
	    {"7.2.0.192.in-addr.arpa", MX_T_PTR, "host.ptr.example"},
	    {"host.ptr.example", MX_T_A, "192.0.2.7"},
	    {"8.2.0.192.in-addr.arpa", MX_T_PTR, "liar.ptr.example"},
	    {"liar.ptr.example", MX_T_A, "192.0.2.99"},
	    {NULL, 0, NULL},
	};
	struct mx_spf_eval *ev = calloc(1, sizeof(*ev));

	assert_int_equal(eval(z, "192.0.2.1", "loop.example", ev), MX_SPF_PERMERROR);
	assert_true(ev->loop);
	assert_non_null(strstr(ev->problems[0],
			       "redirect loop: loop.example -> a.loop.example -> loop.example"));
	assert_int_equal(eval(z, "192.0.2.1", "two.example", ev), MX_SPF_PERMERROR);
	assert_non_null(strstr(ev->problems[0], "more than one SPF record"));
	/* include: of a domain without SPF is a permerror, not "no match". */
	assert_int_equal(eval(z, "192.0.2.1", "inc-none.example", ev), MX_SPF_PERMERROR);
	/* ...but only when reached: an earlier match decides first. */
	assert_int_equal(eval(z, "192.0.2.5", "inc-two.example", ev), MX_SPF_PASS);
	assert_int_equal(eval(z, "192.0.2.5", "redir.example", ev), MX_SPF_PASS);
	assert_int_equal(eval(z, "203.0.113.9", "redir.example", ev), MX_SPF_PASS);
	assert_string_equal(ev->matched_domain, "target.example");
	assert_int_equal(eval(z, "192.0.2.9", "redir.example", ev), MX_SPF_NEUTRAL);
	assert_int_equal(eval(z, "192.0.2.9", "inc-bad.example", ev), MX_SPF_PERMERROR);
	assert_non_null(strstr(ev->problems[0], "bad.example"));
	assert_int_equal(eval(z, "192.0.2.9", "temp.example", ev), MX_SPF_TEMPERROR);
	/* exists:%{ir}: 192.0.2.1 → 1.2.0.192.list.example is listed. */
	{
		static const struct fake_rr z2[] = {
		    {"exists.example", MX_T_TXT, "v=spf1 exists:%{ir}.list.example -all"},
		    {"1.2.0.192.list.example", MX_T_A, "127.0.0.2"},
		    {NULL, 0, NULL},
		};

		assert_int_equal(eval(z2, "192.0.2.1", "exists.example", ev), MX_SPF_PASS);
		assert_int_equal(eval(z2, "192.0.2.2", "exists.example", ev), MX_SPF_FAIL);
	}
	assert_int_equal(eval(z, "192.0.2.7", "ptr.example", ev), MX_SPF_PASS);
	assert_true(ev->ptr_used);
	/* The PTR name does not resolve back to the address: not validated. */
	assert_int_equal(eval(z, "192.0.2.8", "ptr.example", ev), MX_SPF_FAIL);
	free(ev);
}

static void test_lookup_cache(void **state)
{
	static const struct fake_rr z[] = {
	    {"example.org", MX_T_TXT, "v=spf1 mx a:servfail.example -all"},
	    {"example.org", MX_T_MX, "10 mx.example.org"},
	    {"mx.example.org", MX_T_A, "198.51.100.10"},
	    {NULL, 0, NULL},
	};
	struct mx_lookup_cache *c = calloc(1, sizeof(*c));
	struct mx_spf_eval *ev = calloc(1, sizeof(*ev));

	c->next.fn = fake_lookup;
	fake_zone = z;
	fake_queries = 0;
	ev->dns.fn = mx_lookup_cached;
	ev->dns.u = c;
	ev->family = AF_INET;
	inet_pton(AF_INET, "198.51.100.10", ev->ip);
	assert_int_equal(mx_spf_check_host(ev, "example.org"), MX_SPF_PASS);
	assert_int_equal(fake_queries, 4); /* TXT, MX, A, and the failing A */
	assert_int_equal(mx_spf_check_host(ev, "EXAMPLE.org"), MX_SPF_PASS);
	/* Answers (NXDOMAIN/NODATA too) come from the memo; errors are asked again. */
	assert_int_equal(fake_queries, 5);
	assert_int_equal(ev->lookups, 2);
	mx_lookup_cache_free(c);
	free(c);
	free(ev);
}

static void test_select(void **state)
{
	struct mx_rr rr[3] = {{.text = "v=spf10 x"}, {.text = "v=spf1"}, {.text = "other"}};
	struct mx_rrset s = {.status = MX_RR_OK, .n = 3, .rr = rr};

	assert_int_equal(mx_spf_select(&s), 1);
	rr[0].text = "V=SPF1 -all";
	assert_int_equal(mx_spf_select(&s), -2);
	s.status = MX_RR_NXDOMAIN;
	assert_int_equal(mx_spf_select(&s), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_valid),	 cmocka_unit_test(test_parse_invalid),
	    cmocka_unit_test(test_macro),	 cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_eval_basic),	 cmocka_unit_test(test_eval_limits),
	    cmocka_unit_test(test_eval_errors),	 cmocka_unit_test(test_select),
	    cmocka_unit_test(test_lookup_cache),
	};

	return cmocka_run_group_tests_name("spf", tests, NULL, NULL);
}
