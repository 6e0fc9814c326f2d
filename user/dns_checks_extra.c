// SPDX-License-Identifier: GPL-2.0
/* The optional records: autodiscover/autoconfig, the _autodiscover._tcp
 * SRV, MTA-STS, TLSRPT, TLSA (DANE) and CAA. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_checks.h"
#include "dns_tagval.h"

/* The TXT records at name that start with prefix (case-sensitive). */
static int txt_with_prefix(const struct mx_rrset *s, const char *prefix, int *idx)
{
	int i, n = 0;

	for (i = 0; i < s->n; i++)
		if (!strncmp(s->rr[i].text, prefix, strlen(prefix))) {
			n++;
			*idx = i;
		}
	return n;
}

/* What MTA-STS (RFC 8461 3.1) and TLSRPT (RFC 8460 3) records share: one
 * TXT record at name that starts with v=<version>, a tag list whose first
 * tag is that v=. */
struct policy_txt {
	const char *version; /* "STSv1" */
	const char *hint;    /* a TXT holding this was meant as the record */
	const char *absent;  /* summary when there is none: it is optional */
	const char *several; /* summary format (name, count) for more than one */
};

/* 0 with the record's tags in tl (the caller frees them), or -1 when r is
 * already set (absent, misspelled, several, malformed, lookup error). */
static int policy_record(struct mx_dns_env *env, struct mx_result *r, const char *name,
			 const struct policy_txt *pt, struct mx_taglist *tl)
{
	struct mx_rrset s;
	char prefix[32];
	int idx = -1, n, i, rc = -1;

	mx_data_str(r, "name", name);
	mx_dns_lookup(&env->dns, name, MX_T_TXT, &s);
	if (mx_dns_lookup_failed(r, &s, "TXT", name))
		return -1;
	snprintf(prefix, sizeof(prefix), "v=%s", pt->version);
	n = txt_with_prefix(&s, prefix, &idx);
	if (n == 0) {
		mx_data_bool(r, "present", 0);
		mx_result_set(r, MX_PASS, "%s", pt->absent);
		for (i = 0; i < s.n; i++)
			if (strcasestr(s.rr[i].text, pt->hint)) {
				mx_data_str(r, "record", s.rr[i].text);
				mx_result_set(r, MX_FAIL, "%s TXT \"%.80s\" does not start with %s",
					      name, s.rr[i].text, prefix);
			}
		goto out;
	}
	mx_data_bool(r, "present", 1);
	mx_data_str(r, "record", s.rr[idx].text);
	if (n > 1) {
		mx_result_set(r, MX_FAIL, pt->several, name, n);
		goto out;
	}
	if (mx_taglist_parse(s.rr[idx].text, tl)) {
		mx_result_set(r, MX_FAIL, "%s: %s", name, tl->error);
		mx_taglist_free(tl);
		goto out;
	}
	if (strcmp(tl->tags[0].name, "v") || strcmp(tl->tags[0].value, pt->version)) {
		mx_result_set(r, MX_FAIL, "%s: %s must be the first tag", name, prefix);
		mx_taglist_free(tl);
		goto out;
	}
	rc = 0;
out:
	mx_rrset_free(&s);
	return rc;
}

/* autodiscover.<domain> / autoconfig.<domain>: CNAME to the host, or A
 * records with the host's address. Optional. */
static void check_alias(struct mx_ctx *ctx, struct mx_result *r, const char *label,
			const char *clients)
{
	struct mx_dns_env env;
	struct mx_rrset a, ha;
	char name[300];
	int i, j, same = 0;

	if (mx_dns_begin(ctx, r, &env))
		return;
	snprintf(name, sizeof(name), "%s.%s", label, env.domain);
	mx_data_str(r, "name", name);
	mx_dns_lookup(&env.dns, name, MX_T_A, &a);
	mx_data_str(r, "cname", a.cname[0] ? a.cname : NULL);
	json_object_object_add(mx_result_data(r), "a", mx_dns_rr_json(&a));
	if (a.status == MX_RR_ERROR) {
		mx_result_set(r, MX_ERROR, "A lookup for %s failed: %s", name, a.error);
		goto out;
	}
	if (a.status == MX_RR_NXDOMAIN || (a.status == MX_RR_NODATA && !a.cname[0])) {
		mx_data_bool(r, "present", 0);
		mx_result_set(r, MX_PASS, "%s not published (optional: lets %s set themselves up)",
			      name, clients);
		mx_result_remedy(r, "publish %s CNAME %s", name,
				 env.host[0] ? env.host : "<mail host>");
		goto out;
	}
	mx_data_bool(r, "present", 1);
	if (a.cname[0] && env.host[0] && mx_dns_name_eq(a.cname, env.host)) {
		mx_result_set(r, MX_PASS, "%s CNAME %s", name, env.host);
		goto out;
	}
	if (!env.host[0]) {
		mx_result_set(r, MX_PASS, "%s resolves (mail host unknown: not compared)", name);
		goto out;
	}
	/* A records (or a CNAME elsewhere): same address as the host? */
	mx_dns_lookup(&env.dns, env.host, MX_T_A, &ha);
	for (i = 0; i < a.n; i++)
		for (j = 0; j < ha.n; j++)
			if (!memcmp(a.rr[i].addr, ha.rr[j].addr, 4))
				same = 1;
	for (i = 0; i < a.n && env.ip[0][0]; i++)
		if (!memcmp(a.rr[i].addr, env.addr[0], 4))
			same = 1;
	mx_rrset_free(&ha);
	if (same && !a.cname[0]) {
		mx_result_set(r, MX_PASS, "%s A points at the mail host's address", name);
	} else if (same) {
		mx_result_set(r, MX_PASS, "%s CNAME %s, which has the mail host's address", name,
			      a.cname);
	} else if (a.status != MX_RR_OK) {
		mx_result_set(r, MX_WARN, "%s CNAME %s has no address", name, a.cname);
	} else {
		mx_result_set(r, MX_WARN, "%s points elsewhere (%s%s), not at %s", name,
			      a.cname[0] ? "CNAME " : "A ", a.cname[0] ? a.cname : a.rr[0].text,
			      env.host);
		mx_result_remedy(r, "publish %s CNAME %s", name, env.host);
	}
out:
	mx_rrset_free(&a);
}

void mx_dns_check_autodiscover(struct mx_ctx *ctx, struct mx_result *r)
{
	check_alias(ctx, r, "autodiscover", "Outlook/ActiveSync clients");
}

void mx_dns_check_autoconfig(struct mx_ctx *ctx, struct mx_result *r)
{
	check_alias(ctx, r, "autoconfig", "Thunderbird/KMail clients");
}

void mx_dns_check_autodiscover_srv(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	struct mx_rrset s;
	char name[300];
	int i, ok = 0;

	if (mx_dns_begin(ctx, r, &env))
		return;
	snprintf(name, sizeof(name), "_autodiscover._tcp.%s", env.domain);
	mx_data_str(r, "name", name);
	mx_dns_lookup(&env.dns, name, MX_T_SRV, &s);
	json_object_object_add(mx_result_data(r), "records", mx_dns_rr_json(&s));
	if (s.status == MX_RR_ERROR) {
		mx_result_set(r, MX_ERROR, "SRV lookup for %s failed: %s", name, s.error);
	} else if (s.status != MX_RR_OK) {
		mx_data_bool(r, "present", 0);
		mx_result_set(r, MX_PASS, "%s not published (optional)", name);
		mx_result_remedy(r, "publish %s SRV 0 1 443 %s", name,
				 env.host[0] ? env.host : "<mail host>");
	} else {
		mx_data_bool(r, "present", 1);
		for (i = 0; i < s.n; i++) {
			unsigned prio, weight, port;
			char target[256];

			if (sscanf(s.rr[i].text, "%u %u %u %255s", &prio, &weight, &port, target) ==
				4 &&
			    port == 443 && env.host[0] && mx_dns_name_eq(target, env.host))
				ok = 1;
		}
		if (ok)
			mx_result_set(r, MX_PASS, "%s → %s port 443", name, env.host);
		else
			mx_result_set(r, MX_WARN, "%s is \"%s\", not port 443 on %s", name,
				      s.rr[0].text, env.host[0] ? env.host : "the mail host");
	}
	mx_rrset_free(&s);
}

void mx_dns_check_mta_sts(struct mx_ctx *ctx, struct mx_result *r)
{
	/* A wildcard "v=spf1 -all" here is not a misspelled policy record. */
	static const struct policy_txt sts = {
	    .version = "STSv1",
	    .hint = "sts",
	    .absent = "no MTA-STS policy (optional)",
	    .several = "%s has %d v=STSv1 records: senders ignore MTA-STS "
		       "(RFC 8461 3.1)",
	};
	struct mx_dns_env env;
	struct mx_rrset a;
	struct mx_taglist tl;
	char name[300], host[300];
	const char *id;
	int i;

	if (mx_dns_begin(ctx, r, &env))
		return;
	snprintf(name, sizeof(name), "_mta-sts.%s", env.domain);
	if (policy_record(&env, r, name, &sts, &tl))
		return;
	id = mx_taglist_get(&tl, "id");
	if (!id || !*id || strlen(id) > 32) {
		mx_result_set(r, MX_FAIL, "%s: id= must be 1-32 letters/digits", name);
		goto out;
	}
	for (i = 0; id[i]; i++)
		if (!isalnum((unsigned char)id[i])) {
			mx_result_set(r, MX_FAIL, "%s: id=%s must be letters and digits only", name,
				      id);
			goto out;
		}
	mx_data_str(r, "id", id);
	/* The policy itself is served at https://mta-sts.<domain>/. */
	snprintf(host, sizeof(host), "mta-sts.%s", env.domain);
	mx_dns_lookup(&env.dns, host, MX_T_A, &a);
	mx_data_bool(r, "policy_host_resolves", a.status == MX_RR_OK);
	if (a.status != MX_RR_OK)
		mx_result_set(r, MX_FAIL,
			      "%s announces a policy but %s does not resolve: senders "
			      "cannot fetch it",
			      name, host);
	else
		mx_result_set(r, MX_PASS, "MTA-STS record valid (id=%s); policy host %s resolves",
			      id, host);
	mx_rrset_free(&a);
out:
	mx_taglist_free(&tl);
}

void mx_dns_check_tlsrpt(struct mx_ctx *ctx, struct mx_result *r)
{
	static const struct policy_txt rpt = {
	    .version = "TLSRPTv1",
	    .hint = "tlsrpt",
	    .absent = "no TLSRPT record (optional)",
	    .several = "%s has %d TLSRPT records (RFC 8460 3 allows one)",
	};
	struct mx_dns_env env;
	struct mx_taglist tl;
	char name[300];
	const char *rua;

	if (mx_dns_begin(ctx, r, &env))
		return;
	snprintf(name, sizeof(name), "_smtp._tls.%s", env.domain);
	if (policy_record(&env, r, name, &rpt, &tl))
		return;
	rua = mx_taglist_get(&tl, "rua");
	if (!rua || !*rua) {
		mx_result_set(r, MX_FAIL, "%s: rua= (where reports go) is missing", name);
		goto out;
	}
	{
		char buf[512], *save = NULL, *u;

		snprintf(buf, sizeof(buf), "%s", rua);
		for (u = strtok_r(buf, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
			while (*u == ' ')
				u++;
			if (strncmp(u, "mailto:", 7) && strncmp(u, "https://", 8)) {
				mx_result_set(r, MX_FAIL,
					      "%s: rua entry '%.60s' is not mailto: or "
					      "https:",
					      name, u);
				goto out;
			}
			if (!strncmp(u, "mailto:", 7) && !strchr(u + 7, '@')) {
				mx_result_set(r, MX_FAIL, "%s: '%.60s' is not a mail address", name,
					      u);
				goto out;
			}
		}
	}
	mx_result_set(r, MX_PASS, "TLSRPT record valid: reports to %s", rua);
out:
	mx_taglist_free(&tl);
}

void mx_dns_check_tlsa(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	struct mx_rrset s;
	char name[300], problem[300] = "";
	int i;

	if (mx_dns_begin(ctx, r, &env))
		return;
	if (!env.host[0]) {
		mx_result_set(r, MX_SKIP, "mail host unknown");
		return;
	}
	snprintf(name, sizeof(name), "_25._tcp.%s", env.host);
	mx_data_str(r, "name", name);
	mx_dns_lookup(&env.dns, name, MX_T_TLSA, &s);
	json_object_object_add(mx_result_data(r), "records", mx_dns_rr_json(&s));
	mx_data_bool(r, "dnssec_ad", s.ad);
	if (mx_dns_lookup_failed(r, &s, "TLSA", name))
		return;
	if (s.status != MX_RR_OK) {
		mx_data_bool(r, "present", 0);
		mx_result_set(r, MX_PASS, "no TLSA at %s (DANE not used; optional)", name);
		mx_rrset_free(&s);
		return;
	}
	mx_data_bool(r, "present", 1);
	for (i = 0; i < s.n && !problem[0]; i++) {
		unsigned u, sel, mt;
		char data[1024];
		size_t hex;

		if (sscanf(s.rr[i].text, "%u %u %u %1023s", &u, &sel, &mt, data) != 4) {
			snprintf(problem, sizeof(problem), "unreadable TLSA \"%.60s\"",
				 s.rr[i].text);
			break;
		}
		hex = strlen(data);
		if (u > 3 || sel > 1 || mt > 2)
			snprintf(problem, sizeof(problem),
				 "TLSA %u %u %u: undefined usage/selector/"
				 "matching type",
				 u, sel, mt);
		else if ((mt == 1 && hex != 64) || (mt == 2 && hex != 128))
			snprintf(problem, sizeof(problem),
				 "TLSA %u %u %u: digest is %zu hex digits, "
				 "must be %d",
				 u, sel, mt, hex, mt == 1 ? 64 : 128);
		else if (u < 2)
			snprintf(problem, sizeof(problem),
				 "TLSA usage %u (PKIX) is not used for SMTP "
				 "(RFC 7672 3.1.3): use 3 (DANE-EE) or 2",
				 u);
	}
	if (problem[0]) {
		mx_result_set(r, MX_FAIL, "%s: %s", name, problem);
	} else if (!s.ad) {
		mx_result_set(r, MX_WARN,
			      "%s has %d TLSA record(s) but the answer is not DNSSEC-"
			      "validated: sending servers ignore DANE without DNSSEC",
			      name, s.n);
		mx_result_remedy(r, "sign the zone (DNSSEC) or remove the TLSA records");
	} else {
		mx_result_set(r, MX_PASS, "%s: %d TLSA record(s), DNSSEC-validated", name, s.n);
		mx_result_remedy(r, "mailcow renews its certificate: with usage 3 1 1, publish the "
				    "next key's TLSA before each key change");
	}
	mx_rrset_free(&s);
}

/* RFC 8659 3: the relevant CAA set is the first found climbing from the
 * name to the top. Returns 1 when Let's Encrypt may issue, 0 when not,
 * -1 on lookup error; *where gets the owner of the set. */
static int caa_allows_le(struct mx_lookup_cache *cache, const char *fqdn, json_object *out,
			 char *where, size_t wlen, char *why, size_t ylen)
{
	const char *p = fqdn;
	struct mx_rrset s;
	int i, issue = 0, le = 0;

	where[0] = 0;
	for (; p && *p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		if (!strchr(p, '.'))
			break; /* stop above the top-level domain */
		mx_lookup_cached(cache, p, MX_T_CAA, &s);
		if (s.status == MX_RR_ERROR) {
			snprintf(why, ylen, "CAA lookup for %.253s failed: %s", p, s.error);
			mx_rrset_free(&s);
			return -1;
		}
		if (s.status == MX_RR_OK)
			break;
		mx_rrset_free(&s);
	}
	if (!p || !*p || !strchr(p, '.'))
		return 1; /* no CAA anywhere: any CA may issue */
	snprintf(where, wlen, "%.253s", p);
	json_object_object_add(out, "records", mx_dns_rr_json(&s));
	for (i = 0; i < s.n; i++) {
		int flags;
		char tag[32], val[512] = "";

		if (sscanf(s.rr[i].text, "%d %31s \"%511[^\"]", &flags, tag, val) < 2)
			continue;
		if (!strcasecmp(tag, "issue")) {
			char *semi = strchr(val, ';');
			char *e;

			issue = 1;
			if (semi)
				*semi = 0;
			e = val + strlen(val);
			while (e > val && e[-1] == ' ')
				*--e = 0;
			{
				char *v = val;

				while (*v == ' ')
					v++;
				if (!strcasecmp(v, "letsencrypt.org"))
					le = 1;
			}
		} else if ((flags & 128) && strcasecmp(tag, "issuewild") &&
			   strcasecmp(tag, "iodef")) {
			snprintf(why, ylen, "critical CAA tag '%s' unknown to CAs: no CA may issue",
				 tag);
			mx_rrset_free(&s);
			return 0;
		}
	}
	mx_rrset_free(&s);
	if (!issue)
		return 1; /* only issuewild/iodef: non-wildcard issuance unrestricted */
	if (!le)
		snprintf(why, ylen, "CAA at %s allows no letsencrypt.org issuance", where);
	return le;
}

void mx_dns_check_caa(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	char names[3][300], where[300], why[600] = "";
	int i, n = 0, any = 0;
	json_object *arr;
	struct mx_lookup_cache *cache;

	if (mx_dns_begin(ctx, r, &env))
		return;
	/* The three names share parents: each CAA set is asked once. */
	cache = calloc(1, sizeof(*cache));
	if (!cache) {
		mx_result_set(r, MX_ERROR, "out of memory");
		return;
	}
	cache->next.fn = mx_dns_lookup_cb;
	cache->next.u = &env.dns;
	/* mailcow's ACME client asks for the host and autodiscover/autoconfig. */
	if (env.host[0])
		snprintf(names[n++], sizeof(names[0]), "%s", env.host);
	snprintf(names[n++], sizeof(names[0]), "autodiscover.%s", env.domain);
	snprintf(names[n++], sizeof(names[0]), "autoconfig.%s", env.domain);
	arr = json_object_new_array();
	json_object_object_add(mx_result_data(r), "names", arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_new_object();
		int ok;

		json_object_object_add(e, "name", json_object_new_string(names[i]));
		json_object_array_add(arr, e);
		ok = caa_allows_le(cache, names[i], e, where, sizeof(where), why, sizeof(why));
		json_object_object_add(e, "caa_at",
				       where[0] ? json_object_new_string(where) : NULL);
		json_object_object_add(e, "letsencrypt_allowed",
				       ok >= 0 ? json_object_new_boolean(ok) : NULL);
		if (where[0])
			any = 1;
		if (ok < 0) {
			mx_result_set(r, MX_ERROR, "%s", why);
			goto out;
		}
		if (!ok) {
			mx_result_set(r, MX_FAIL, "%s: %s: mailcow cannot get its certificate",
				      names[i], why);
			mx_result_remedy(r, "add %s CAA 0 issue \"letsencrypt.org\"", where);
			goto out;
		}
	}
	if (any)
		mx_result_set(r, MX_PASS, "CAA allows Let's Encrypt (letsencrypt.org) for %s",
			      names[0]);
	else
		mx_result_set(r, MX_PASS,
			      "no CAA records: any CA, Let's Encrypt included, may issue");
out:
	mx_lookup_cache_free(cache);
	free(cache);
}
