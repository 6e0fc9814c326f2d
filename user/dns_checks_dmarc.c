// SPDX-License-Identifier: GPL-2.0
/* dns.dmarc: what receivers do with mail that fails SPF and DKIM alignment,
 * and where their reports go. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns_checks.h"
#include "dns_dmarc.h"

/* Same organizational domain, approximated without the public suffix list:
 * one name is the other or below it. */
static int same_org(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (mx_dns_name_eq(a, b))
		return 1;
	if (la > lb && a[la - lb - 1] == '.' && !strcasecmp(a + la - lb, b))
		return 1;
	return lb > la && b[lb - la - 1] == '.' && !strcasecmp(b + lb - la, a);
}

/* Report destinations: the domain must take mail, and a foreign one must
 * agree to receive (RFC 7489 7.1). Returns a warning text or "". */
static void check_report_uris(struct mx_dns_env *env, struct mx_result *r,
			      const struct mx_dmarc_uri *u, int n, const char *tag, char *warn,
			      size_t wlen)
{
	json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < n; i++) {
		json_object *e = json_object_new_object();
		struct mx_rrset s;

		json_object_object_add(e, "uri", json_object_new_string(u[i].uri));
		json_object_array_add(arr, e);
		if (!u[i].domain[0])
			continue;
		json_object_object_add(e, "domain", json_object_new_string(u[i].domain));
		mx_dns_lookup(&env->dns, u[i].domain, MX_T_MX, &s);
		json_object_object_add(e, "mx", mx_dns_rr_json(&s));
		if (s.status != MX_RR_OK && s.status != MX_RR_ERROR && !warn[0]) {
			/* Without MX, mail goes to the A record (RFC 5321 5.1). */
			struct mx_rrset a;

			mx_dns_lookup(&env->dns, u[i].domain, MX_T_A, &a);
			if (a.status != MX_RR_OK)
				snprintf(warn, wlen,
					 "%s %s: %s has no MX (or A) record: reports cannot "
					 "be delivered",
					 tag, u[i].uri, u[i].domain);
			mx_rrset_free(&a);
		}
		mx_rrset_free(&s);
		if (!same_org(u[i].domain, env->domain)) {
			char name[600];
			int j, ok = 0;

			snprintf(name, sizeof(name), "%s._report._dmarc.%s", env->domain,
				 u[i].domain);
			mx_dns_lookup(&env->dns, name, MX_T_TXT, &s);
			for (j = 0; j < s.n; j++)
				if (mx_dmarc_is_record(s.rr[j].text))
					ok = 1;
			json_object_object_add(e, "authorization", json_object_new_string(name));
			json_object_object_add(e, "authorized", json_object_new_boolean(ok));
			if (!ok && !warn[0])
				snprintf(warn, wlen,
					 "%s %s is outside %s and %s has no \"v=DMARC1\" "
					 "record: receivers will not send reports there "
					 "(RFC 7489 7.1)",
					 tag, u[i].uri, env->domain, name);
			mx_rrset_free(&s);
		}
	}
	json_object_object_add(mx_result_data(r), tag, arr);
}

void mx_dns_check_dmarc(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	struct mx_rrset txt;
	struct mx_dmarc d;
	char name[300], warn[2000] = "";
	int i, nrec = 0, idx = -1, usable;
	json_object *errs, *warns;

	if (mx_dns_begin(ctx, r, &env))
		return;
	snprintf(name, sizeof(name), "_dmarc.%s", env.domain);
	mx_data_str(r, "name", name);
	mx_dns_lookup(&env.dns, name, MX_T_TXT, &txt);
	if (mx_dns_lookup_failed(r, &txt, "TXT", name))
		return;
	for (i = 0; i < txt.n; i++)
		if (mx_dmarc_is_record(txt.rr[i].text)) {
			nrec++;
			idx = i;
		}
	if (nrec == 0) {
		/* A TXT that was meant as DMARC but does not start right. */
		for (i = 0; i < txt.n; i++)
			if (strcasestr(txt.rr[i].text, "dmarc") || strstr(txt.rr[i].text, "p="))
				idx = i;
		if (idx >= 0) {
			mx_data_str(r, "record", txt.rr[idx].text);
			mx_result_set(r, MX_FAIL,
				      "%s TXT \"%.80s\" is not a DMARC record: it must "
				      "start with v=DMARC1 (receivers ignore it)",
				      name, txt.rr[idx].text);
		} else {
			mx_result_set(r, MX_FAIL, "%s has no DMARC record (%s)", name,
				      mx_rr_status_name(txt.status));
		}
		mx_result_remedy(r,
				 "publish %s TXT \"v=DMARC1; p=quarantine; aspf=s; adkim=s\" "
				 "(seed's minimal DNS)",
				 name);
		mx_rrset_free(&txt);
		return;
	}
	if (nrec > 1) {
		mx_result_set(r, MX_FAIL,
			      "%s has %d DMARC records: receivers then apply none "
			      "(RFC 7489 6.6.3)",
			      name, nrec);
		mx_result_remedy(r, "keep exactly one v=DMARC1 record");
		mx_rrset_free(&txt);
		return;
	}
	mx_data_str(r, "record", txt.rr[idx].text);
	usable = mx_dmarc_parse(txt.rr[idx].text, &d) == 0;
	mx_rrset_free(&txt);
	errs = json_object_new_array();
	warns = json_object_new_array();
	for (i = 0; i < d.nerrors; i++)
		json_object_array_add(errs, json_object_new_string(d.errors[i]));
	for (i = 0; i < d.nwarnings; i++)
		json_object_array_add(warns, json_object_new_string(d.warnings[i]));
	json_object_object_add(mx_result_data(r), "errors", errs);
	json_object_object_add(mx_result_data(r), "warnings", warns);
	mx_data_str(r, "policy", d.p[0] ? d.p : NULL);
	mx_data_str(r, "subdomain_policy", d.sp[0] ? d.sp : d.p[0] ? d.p : NULL);
	mx_data_int(r, "pct", d.pct);
	mx_data_str(r, "adkim", d.adkim == 's' ? "s" : "r");
	mx_data_str(r, "aspf", d.aspf == 's' ? "s" : "r");
	if (!usable || d.nerrors) {
		mx_result_set(r, MX_FAIL, "DMARC of %s is malformed: %s", env.domain,
			      d.nerrors ? d.errors[0] : "not usable");
		mx_result_remedy(r, "rewrite it as \"v=DMARC1; p=quarantine; aspf=s; adkim=s\" "
				    "(plus rua=mailto:... for reports)");
		return;
	}
	check_report_uris(&env, r, d.rua, d.nrua, "rua", warn, sizeof(warn));
	check_report_uris(&env, r, d.ruf, d.nruf, "ruf", warn, sizeof(warn));
	/* Every weakness, the worst first; the summary names the first. */
	{
		json_object *f = json_object_new_array();
		const char *remedy = NULL;
		char m[2200];

#define FINDING(rem, ...)                                                                          \
	do {                                                                                       \
		snprintf(m, sizeof(m), __VA_ARGS__);                                               \
		json_object_array_add(f, json_object_new_string(m));                               \
		if (!remedy)                                                                       \
			remedy = rem;                                                              \
	} while (0)
		if (!strcmp(d.p, "none"))
			FINDING("once reports look clean, move to p=quarantine (seed) or p=reject",
				"p=none: receivers only monitor, forged mail is delivered");
		if (d.pct < 100)
			FINDING("remove pct= (default 100)",
				"pct=%d: p=%s applies to only %d%% of failing mail", d.pct, d.p,
				d.pct);
		if (d.sp[0] && !strcmp(d.sp, "none") && strcmp(d.p, "none"))
			FINDING("drop sp= (subdomains then inherit p=)",
				"sp=none: mail forged from any subdomain is delivered");
		if (d.aspf != 's' || d.adkim != 's')
			FINDING("add aspf=s; adkim=s when every sender uses the exact domain",
				"relaxed %s alignment (the seed sets aspf=s; adkim=s)",
				d.aspf != 's' && d.adkim != 's' ? "SPF and DKIM"
				: d.aspf != 's'			? "SPF"
								: "DKIM");
		if (warn[0])
			FINDING("publish the authorization record, or send reports to an address "
				"of the domain itself",
				"%s", warn);
		for (i = 0; i < d.nwarnings; i++)
			FINDING(NULL, "%s", d.warnings[i]);
#undef FINDING
		json_object_object_add(mx_result_data(r), "findings", f);
		if (json_object_array_length(f)) {
			size_t n = json_object_array_length(f);

			mx_result_set(r, MX_WARN, "DMARC of %s: %s%s", env.domain,
				      json_object_get_string(json_object_array_get_idx(f, 0)),
				      n > 1 ? " (and more: see data.findings)" : "");
			if (remedy)
				mx_result_remedy(r, "%s", remedy);
			return;
		}
	}
	mx_result_set(r, MX_PASS, "DMARC of %s: p=%s, strict alignment%s", env.domain, d.p,
		      d.nrua ? ", reports accepted" : "");
}
