// SPDX-License-Identifier: GPL-2.0
/* dns.spf and dns.wildcard_spf: who may send as the domain and its names. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dns_checks.h"
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
	struct mx_lookup_cache *cache;
	json_object *results;
	char warn[400] = "", fail[600] = "", helo_sender[300];
	int idx, f, plus_all = 0, evaluated = 0;

	if (mx_dns_begin(ctx, r, &env))
		return;
	mx_data_str(r, "domain", env.domain);
	mx_dns_lookup(&env.dns, env.domain, MX_T_TXT, &txt);
	if (mx_dns_lookup_failed(r, &txt, "TXT", env.domain))
		return;
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

	ev = calloc(1, sizeof(*ev));
	cache = calloc(1, sizeof(*cache));
	if (!ev || !cache) {
		free(ev);
		free(cache);
		mx_rrset_free(&txt);
		mx_result_set(r, MX_ERROR, "out of memory");
		return;
	}
	cache->next.fn = mx_dns_lookup_cb;
	cache->next.u = &env.dns;
	/* The evaluations start with the record just read: ask only once. */
	if (strlen(env.domain) < sizeof(cache->e[0].name) &&
	    mx_rrset_copy(&cache->e[0].s, &txt) == 0) {
		snprintf(cache->e[0].name, sizeof(cache->e[0].name), "%s", env.domain);
		cache->e[0].type = MX_T_TXT;
		cache->n = 1;
	}
	mx_rrset_free(&txt);
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
		ev->dns.fn = mx_lookup_cached;
		ev->dns.u = cache;
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
			mx_lookup_cache_free(cache);
			free(cache);
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
		mx_lookup_cached(cache, env.host, MX_T_TXT, &ht);
		hi = mx_spf_select(&ht);
		json_object_object_add(helo, "record",
				       hi >= 0 ? json_object_new_string(ht.rr[hi].text) : NULL);
		for (f = 0; f < 2 && hi >= 0; f++) {
			if (!env.ip[f][0])
				continue;
			memset(ev, 0, sizeof(*ev));
			ev->dns.fn = mx_lookup_cached;
			ev->dns.u = cache;
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
	mx_lookup_cache_free(cache);
	free(cache);
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
	if (mx_dns_lookup_failed(r, &txt, "TXT", name))
		return;
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
