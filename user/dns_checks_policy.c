// SPDX-License-Identifier: GPL-2.0
/* dns.spf, dns.dmarc, dns.wildcard_spf: who may send as the domain, and
 * what receivers do with mail that fails. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dns_checks.h"
#include "dns_dmarc.h"
#include "dns_spf_eval.h"

static json_object *spf_nodes_json(const struct mx_spf_eval *ev)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < ev->nnodes; i++) {
		json_object *n = json_object_new_object();

		json_object_object_add(n, "depth", json_object_new_int(ev->nodes[i].depth));
		json_object_object_add(n, "via", json_object_new_string(ev->nodes[i].via));
		json_object_object_add(n, "domain", json_object_new_string(ev->nodes[i].domain));
		json_object_object_add(
		    n, "record",
		    ev->nodes[i].record[0] ? json_object_new_string(ev->nodes[i].record) : NULL);
		if (ev->nodes[i].error[0])
			json_object_object_add(n, "error",
					       json_object_new_string(ev->nodes[i].error));
		json_object_array_add(a, n);
	}
	return a;
}

/* Notes on the top record that are legal but weaken or break it. */
static void spf_style(const struct mx_spf *spf, char *warn, size_t wlen, int *plus_all)
{
	const struct mx_spf_term *all = spf->all >= 0 ? &spf->terms[spf->all] : NULL;

	*plus_all = all && (all->qualifier == '+');
	if (all && all->qualifier == '?')
		snprintf(warn, wlen, "'?all' is neutral: any host may claim to send as the domain");
	else if (all && spf->all + 1 < spf->n)
		snprintf(warn, wlen, "terms after '%.20s' are never evaluated", all->text);
	else if (all && spf->redirect >= 0)
		snprintf(warn, wlen, "'redirect' is ignored because the record has 'all'");
	else if (!all && spf->redirect < 0)
		snprintf(warn, wlen,
			 "the record ends without 'all': other senders get neutral, "
			 "not fail");
	for (int i = 0; i < spf->n && !warn[0]; i++)
		if (spf->terms[i].kind == MX_SPF_PTR)
			snprintf(warn, wlen,
				 "'ptr' is slow and unreliable; RFC 7208 5.5 says "
				 "SHOULD NOT use it");
}

void mx_dns_check_spf(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	struct mx_rrset txt;
	struct mx_spf spf;
	struct mx_spf_eval *ev;
	json_object *results;
	char warn[400] = "", fail[600] = "", helo_sender[300];
	int idx, f, plus_all = 0, evaluated = 0;

	if (mx_dns_begin(ctx, r, &env))
		return;
	mx_data_str(r, "domain", env.domain);
	mx_dns_lookup(&env.dns, env.domain, MX_T_TXT, &txt);
	if (txt.status == MX_RR_ERROR) {
		mx_result_set(r, MX_ERROR, "TXT lookup for %s failed: %s", env.domain, txt.error);
		mx_rrset_free(&txt);
		return;
	}
	idx = mx_spf_select(&txt);
	if (idx == -1) {
		mx_result_set(r, MX_FAIL,
			      "%s has no SPF record: receivers cannot tell your server "
			      "from a forger",
			      env.domain);
		mx_result_remedy(r, "publish %s TXT \"v=spf1 mx -all\" (seed's minimal DNS)",
				 env.domain);
		mx_rrset_free(&txt);
		return;
	}
	if (idx == -2) {
		json_object *recs = json_object_new_array();

		for (int i = 0; i < txt.n; i++)
			if (mx_spf_is_record(txt.rr[i].text))
				json_object_array_add(recs, json_object_new_string(txt.rr[i].text));
		json_object_object_add(mx_result_data(r), "records", recs);
		mx_result_set(r, MX_FAIL,
			      "%s has %d SPF records: receivers return permerror "
			      "(RFC 7208 4.5)",
			      env.domain, (int)json_object_array_length(recs));
		mx_result_remedy(r, "merge them into one TXT record starting with v=spf1");
		mx_rrset_free(&txt);
		return;
	}
	mx_data_str(r, "record", txt.rr[idx].text);
	if (mx_spf_parse(txt.rr[idx].text, &spf)) {
		mx_data_str(r, "syntax_error", spf.error);
		mx_result_set(r, MX_FAIL, "SPF of %s is invalid (permerror): %s", env.domain,
			      spf.error);
		mx_result_remedy(r, "fix the record; the minimal one is \"v=spf1 mx -all\"");
		mx_spf_free(&spf);
		mx_rrset_free(&txt);
		return;
	}
	spf_style(&spf, warn, sizeof(warn), &plus_all);
	mx_spf_free(&spf);
	mx_rrset_free(&txt);

	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		mx_result_set(r, MX_ERROR, "out of memory");
		return;
	}
	results = json_object_new_object();
	json_object_object_add(mx_result_data(r), "results", results);
	for (f = 0; f < 3; f++) {
		/* f = 0 IPv4, 1 IPv6, 2: count only (no public address known). */
		json_object *res;
		size_t o = strlen(fail);

		if (f < 2 && !env.ip[f][0])
			continue;
		if (f == 2 && evaluated)
			break;
		memset(ev, 0, sizeof(*ev));
		ev->dns.fn = mx_dns_lookup_cb;
		ev->dns.u = &env.dns;
		ev->helo = env.host[0] ? env.host : NULL;
		if (f < 2) {
			ev->family = f ? AF_INET6 : AF_INET;
			memcpy(ev->ip, env.addr[f], 16);
		}
		mx_spf_check_host(ev, env.domain);
		evaluated = 1;
		if (f < 2) {
			res = json_object_new_object();
			json_object_object_add(res, "address", json_object_new_string(env.ip[f]));
			json_object_object_add(
			    res, "result", json_object_new_string(mx_spf_result_name(ev->result)));
			json_object_object_add(res, "matched",
					       ev->matched[0] ? json_object_new_string(ev->matched)
							      : NULL);
			if (ev->qualifier) {
				char q[2] = {ev->qualifier, 0};

				json_object_object_add(res, "qualifier", json_object_new_string(q));
			}
			json_object_object_add(res, "matched_in",
					       ev->matched_domain[0]
						   ? json_object_new_string(ev->matched_domain)
						   : NULL);
			json_object_object_add(results, f ? "ipv6" : "ipv4", res);
			if (ev->result != MX_SPF_PASS && o < sizeof(fail))
				snprintf(fail + o, sizeof(fail) - o,
					 "%s%s is not permitted: %s%s%s%s", o ? "; " : "",
					 env.ip[f], mx_spf_result_name(ev->result),
					 ev->matched[0] ? " ('" : "", ev->matched,
					 ev->matched[0] ? "')" : "");
		}
		/* The whole-tree figures are the same for both families except
		 * for a/mx voids: keep the worst. */
		{
			json_object *old;
			long prev = json_object_object_get_ex(r->data, "lookups", &old)
					? json_object_get_int(old)
					: -1;

			if (ev->lookups > prev) {
				mx_data_int(r, "lookups", ev->lookups);
				mx_data_int(r, "void_lookups", ev->voids);
				mx_data_bool(r, "loop", ev->loop);
				mx_data_bool(r, "uses_ptr", ev->ptr_used);
				json_object_object_add(mx_result_data(r), "tree",
						       spf_nodes_json(ev));
				json_object *pr = json_object_new_array();

				for (int i = 0; i < ev->nproblems; i++)
					json_object_array_add(
					    pr, json_object_new_string(ev->problems[i]));
				json_object_object_add(mx_result_data(r), "problems", pr);
			}
		}
		if (ev->nproblems) {
			mx_result_set(r, MX_FAIL, "SPF of %s: %s%s (receivers: permerror)",
				      env.domain, ev->problems[0],
				      ev->nproblems > 1 ? " (and more, see data)" : "");
			if (ev->lookups > MX_SPF_LOOKUP_LIMIT)
				mx_result_remedy(r,
						 "needs %d DNS lookups, at most %d are allowed: "
						 "replace include:s by ip4:/ip6: ranges or drop "
						 "unused ones",
						 ev->lookups, MX_SPF_LOOKUP_LIMIT);
			else if (ev->loop)
				mx_result_remedy(r,
						 "remove the include/redirect that leads back to "
						 "a domain already being evaluated");
			else
				mx_result_remedy(r,
						 "fix the record(s) named; the minimal record is "
						 "\"v=spf1 mx -all\"");
			free(ev);
			return;
		}
	}
	/* The HELO identity (RFC 7208 2.3): receivers check it for bounces
	 * (MAIL FROM:<>), where it is the only SPF identity. */
	if (env.host[0] && (env.ip[0][0] || env.ip[1][0])) {
		json_object *helo = json_object_new_object();
		struct mx_rrset ht;
		int hi;

		json_object_object_add(mx_result_data(r), "helo", helo);
		json_object_object_add(helo, "name", json_object_new_string(env.host));
		mx_dns_lookup(&env.dns, env.host, MX_T_TXT, &ht);
		hi = mx_spf_select(&ht);
		json_object_object_add(helo, "record",
				       hi >= 0 ? json_object_new_string(ht.rr[hi].text) : NULL);
		for (f = 0; f < 2 && hi >= 0; f++) {
			if (!env.ip[f][0])
				continue;
			memset(ev, 0, sizeof(*ev));
			ev->dns.fn = mx_dns_lookup_cb;
			ev->dns.u = &env.dns;
			ev->helo = env.host;
			ev->family = f ? AF_INET6 : AF_INET;
			memcpy(ev->ip, env.addr[f], 16);
			snprintf(helo_sender, sizeof(helo_sender), "postmaster@%.250s", env.host);
			ev->sender = helo_sender;
			mx_spf_check_host(ev, env.host);
			json_object_object_add(
			    helo, f ? "ipv6" : "ipv4",
			    json_object_new_string(mx_spf_result_name(ev->result)));
			if (ev->result != MX_SPF_PASS && !warn[0])
				snprintf(warn, sizeof(warn),
					 "the HELO name %.100s has SPF \"%.40s\" giving %s for %s: "
					 "bounces from this host fail SPF",
					 env.host, ht.rr[hi].text, mx_spf_result_name(ev->result),
					 env.ip[f]);
		}
		if (hi == -2 && !warn[0])
			snprintf(warn, sizeof(warn), "the HELO name %.100s has two SPF records",
				 env.host);
		mx_rrset_free(&ht);
	}
	free(ev);
	if (plus_all) {
		mx_result_set(r, MX_FAIL,
			      "SPF of %s ends in '+all': every host on the internet "
			      "may send as %s",
			      env.domain, env.domain);
		mx_result_remedy(r, "end the record with -all");
		return;
	}
	if (fail[0]) {
		mx_result_set(r, MX_FAIL, "SPF of %s: %s", env.domain, fail);
		mx_result_remedy(r,
				 "add 'mx' (when %s is an MX of %s) or ip4:/ip6: for this host "
				 "before the 'all' term",
				 env.host[0] ? env.host : "this host", env.domain);
		return;
	}
	if (warn[0]) {
		mx_result_set(r, MX_WARN, "SPF of %s: %s", env.domain, warn);
		return;
	}
	if (!env.ip[0][0] && !env.ip[1][0])
		mx_result_set(
		    r, MX_PASS,
		    "SPF of %s is valid (%lld of 10 lookups); public address "
		    "unknown: not evaluated",
		    env.domain,
		    (long long)json_object_get_int(json_object_object_get(r->data, "lookups")));
	else
		mx_result_set(
		    r, MX_PASS, "SPF of %s permits this host (%s%s%s), %lld of 10 lookups",
		    env.domain, env.ip[0], env.ip[0][0] && env.ip[1][0] ? ", " : "", env.ip[1],
		    (long long)json_object_get_int(json_object_object_get(r->data, "lookups")));
}

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
	if (txt.status == MX_RR_ERROR) {
		mx_result_set(r, MX_ERROR, "TXT lookup for %s failed: %s", name, txt.error);
		mx_rrset_free(&txt);
		return;
	}
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

void mx_dns_check_wildcard_spf(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	struct mx_rrset txt;
	struct mx_spf spf;
	unsigned char rnd[4] = {0};
	char name[300];
	int idx;

	if (mx_dns_begin(ctx, r, &env))
		return;
	/* A name nobody publishes: what it gets is what the wildcard gives. */
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0x5a, sizeof(rnd));
	snprintf(name, sizeof(name), "mxprobe-%02x%02x%02x%02x.%s", rnd[0], rnd[1], rnd[2], rnd[3],
		 env.domain);
	mx_data_str(r, "probe_name", name);
	mx_dns_lookup(&env.dns, name, MX_T_TXT, &txt);
	if (txt.status == MX_RR_ERROR) {
		mx_result_set(r, MX_ERROR, "TXT lookup for %s failed: %s", name, txt.error);
		mx_rrset_free(&txt);
		return;
	}
	idx = mx_spf_select(&txt);
	mx_data_str(r, "record", idx >= 0 ? txt.rr[idx].text : NULL);
	if (idx < 0) {
		mx_result_set(r, MX_WARN,
			      "no wildcard SPF under %s (*.%s): names that send no "
			      "mail should deny all senders",
			      env.domain, env.domain);
		mx_result_remedy(r,
				 "publish *.%s TXT \"v=spf1 -all\" (seed); names with their own "
				 "records need their own",
				 env.domain);
		mx_rrset_free(&txt);
		return;
	}
	if (mx_spf_parse(txt.rr[idx].text, &spf) == 0 && spf.n == 1 &&
	    spf.terms[0].kind == MX_SPF_ALL && spf.terms[0].qualifier == '-') {
		mx_result_set(r, MX_PASS,
			      "*.%s: \"v=spf1 -all\" (non-mail names deny every sender)",
			      env.domain);
	} else {
		mx_result_set(r, MX_WARN, "*.%s: \"%.100s\" is not the deny-all \"v=spf1 -all\"",
			      env.domain, txt.rr[idx].text);
		mx_result_remedy(r, "use *.%s TXT \"v=spf1 -all\"", env.domain);
	}
	mx_spf_free(&spf);
	mx_rrset_free(&txt);
}
