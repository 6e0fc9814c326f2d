// SPDX-License-Identifier: GPL-2.0
/* dns.domain, dns.host_address, dns.mx, dns.ptr_ipv4, dns.ptr_ipv6: the
 * names that route mail to this host and back. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dns_checks.h"

void mx_dns_check_domain(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	struct mx_rrset soa;
	char servers[200];
	int f;

	memset(&env, 0, sizeof(env));
	{
		char err[160];

		if (mx_dns_client_init(&env.dns, ctx->opts ? ctx->opts->resolver : NULL,
				       ctx->opts ? ctx->opts->timeout_s : 5, err, sizeof(err))) {
			mx_result_set(r, MX_ERROR, "resolver: %s", err);
			return;
		}
	}
	env.dns.log = json_object_new_array();
	json_object_object_add(mx_result_data(r), "queries", env.dns.log);
	mx_dns_servers_str(&env.dns, servers, sizeof(servers));
	mx_data_str(r, "resolver", servers);
	if (mx_dns_env_resolve(ctx, &env)) {
		/* The other checks repeat a short form of the reason. */
		mx_data_str(r, "skip_reason", "no mail domain known (see dns.domain)");
		mx_result_set(r, MX_SKIP, "%s", env.skip);
		return;
	}
	mx_data_str(r, "domain", env.domain);
	mx_data_str(r, "domain_source", env.domain_source);
	mx_data_str(r, "hostname", env.host[0] ? env.host : NULL);
	mx_data_str(r, "hostname_source", env.host[0] ? env.host_source : NULL);
	for (f = 0; f < 2; f++) {
		mx_data_str(r, f ? "public_ipv6" : "public_ipv4", env.ip[f][0] ? env.ip[f] : NULL);
		mx_data_str(r, f ? "public_ipv6_source" : "public_ipv4_source",
			    env.ip[f][0] ? env.ip_source[f] : NULL);
	}
	mx_dns_lookup(&env.dns, env.domain, MX_T_SOA, &soa);
	mx_data_bool(r, "dnssec_ad", soa.ad);
	if (soa.status == MX_RR_ERROR && soa.bogus) {
		mx_result_set(r, MX_FAIL,
			      "DNSSEC of %s is broken: %s answers SERVFAIL, and the data only with "
			      "checking disabled; every validating resolver refuses the domain",
			      env.domain, servers);
		mx_result_remedy(r, "re-sign the zone (expired signatures?) or fix/remove the DS "
				    "record at the registrar");
		mx_data_str(r, "skip_reason",
			    "DNSSEC validation fails for the domain (see dns.domain)");
		mx_data_bool(r, "dnssec_bogus", 1);
		mx_rrset_free(&soa);
		return;
	}
	if (soa.status == MX_RR_ERROR) {
		mx_result_set(r, MX_ERROR, "resolver %s gave no answer for %s: %s", servers,
			      env.domain, soa.error);
		mx_data_str(r, "skip_reason", "the resolver did not answer (see dns.domain)");
		mx_result_remedy(r, "check the resolver (--resolver ADDR to ask another) and "
				    "that outbound DNS (53/udp+tcp) is allowed");
		mx_rrset_free(&soa);
		return;
	}
	if (soa.status == MX_RR_NXDOMAIN) {
		mx_result_set(r, MX_FAIL, "%s does not exist in DNS (NXDOMAIN from %s)", env.domain,
			      servers);
		mx_data_str(r, "skip_reason", "the mail domain does not exist (see dns.domain)");
		mx_result_remedy(r, "register the domain or fix its delegation; check the spelling "
				    "of MAILCOW_HOSTNAME / --domain");
		mx_rrset_free(&soa);
		return;
	}
	/* A mail domain is usually a zone of its own; a name inside another
	 * zone works too (NODATA for SOA), which the data records. */
	mx_data_bool(r, "zone_apex", soa.status == MX_RR_OK);
	mx_rrset_free(&soa);
	if (!env.ip[0][0] && !env.ip[1][0]) {
		mx_result_set(r, MX_WARN,
			      "mail domain %s, host %s; public address unknown: address checks "
			      "(A/AAAA match, PTR, SPF result) are limited",
			      env.domain, env.host[0] ? env.host : "unknown");
		mx_result_remedy(r, "give --public-ip ADDR (v4 and/or v6), or run 'mxprobe check' "
				    "so the outbound probe finds it");
		return;
	}
	mx_result_set(r, MX_PASS, "mail domain %s (%s), host %s, public %s%s%s (%s), asked %s%s",
		      env.domain, env.domain_source, env.host[0] ? env.host : "unknown",
		      env.ip[0][0] ? env.ip[0] : "", env.ip[0][0] && env.ip[1][0] ? " " : "",
		      env.ip[1][0] ? env.ip[1] : "", env.ip_source[env.ip[0][0] ? 0 : 1], servers,
		      json_object_get_boolean(json_object_object_get(r->data, "dnssec_ad"))
			  ? ", DNSSEC validated"
			  : "");
}

/* The A or AAAA set of the host: exists, not an alias, holds the address. */
static void host_family(struct mx_dns_env *env, struct mx_result *r, int v6, json_object *fam,
			char *problem, size_t plen, enum mx_status *st)
{
	struct mx_rrset s;
	int i, found = 0;

	mx_dns_lookup(&env->dns, env->host, v6 ? MX_T_AAAA : MX_T_A, &s);
	json_object_object_add(fam, "records", mx_dns_rr_json(&s));
	json_object_object_add(fam, "status", json_object_new_string(mx_rr_status_name(s.status)));
	json_object_object_add(fam, "cname", s.cname[0] ? json_object_new_string(s.cname) : NULL);
	json_object_object_add(fam, "ad", json_object_new_boolean(s.ad));
	for (i = 0; i < s.n; i++)
		if (env->ip[v6][0] && !memcmp(s.rr[i].addr, env->addr[v6], v6 ? 16 : 4))
			found = 1;
	json_object_object_add(fam, "matches_public_ip",
			       env->ip[v6][0] ? json_object_new_boolean(found) : NULL);
	if (s.status == MX_RR_ERROR) {
		snprintf(problem, plen, "%s lookup failed: %s", v6 ? "AAAA" : "A", s.error);
		*st = MX_ERROR;
	} else if (s.cname[0]) {
		snprintf(problem, plen,
			 "%s is a CNAME to %s: the name in MX records and the SMTP greeting must "
			 "have its own A/AAAA records (RFC 2181 10.3)",
			 env->host, s.cname);
		*st = MX_FAIL;
	} else if (s.status != MX_RR_OK) {
		if (!v6) {
			snprintf(problem, plen, "%s has no A record (%s)", env->host,
				 mx_rr_status_name(s.status));
			*st = MX_FAIL;
		} else if (env->ip[1][0]) {
			snprintf(problem, plen,
				 "%s has no AAAA record although this host has public IPv6 %s",
				 env->host, env->ip[1]);
			if (*st < MX_WARN)
				*st = MX_WARN;
		}
	} else if (v6 && !env->ip[1][0] && (env->ip[0][0] || env->ip_source[0][0])) {
		/* Neither --public-ip, the outbound probe nor any interface
		 * knows a public IPv6 here: senders that prefer IPv6 (most)
		 * would deliver to whoever has that address. */
		snprintf(problem, plen,
			 "%s has AAAA %s but this host has no public IPv6 address (give "
			 "--public-ip if it has one): IPv6 senders deliver elsewhere",
			 env->host, s.rr[0].text);
		if (*st < MX_WARN)
			*st = MX_WARN;
	} else if (env->ip[v6][0] && !found) {
		char list[200] = "";
		size_t o = 0;

		for (i = 0; i < s.n && o < sizeof(list); i++)
			o += snprintf(list + o, sizeof(list) - o, "%s%s", i ? " " : "",
				      s.rr[i].text);
		snprintf(problem, plen, "%s %s is %s, not this host's public address %s", env->host,
			 v6 ? "AAAA" : "A", list, env->ip[v6]);
		*st = MX_FAIL;
	}
	mx_rrset_free(&s);
}

void mx_dns_check_host_address(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	char p4[1200] = "", p6[1200] = "";
	enum mx_status s4 = MX_PASS, s6 = MX_PASS;
	json_object *a = json_object_new_object(), *aaaa = json_object_new_object();

	if (mx_dns_begin(ctx, r, &env)) {
		json_object_put(a);
		json_object_put(aaaa);
		return;
	}
	if (!env.host[0]) {
		json_object_put(a);
		json_object_put(aaaa);
		mx_result_set(r, MX_SKIP, "mail host unknown: no MAILCOW_HOSTNAME and %s has no MX",
			      env.domain);
		return;
	}
	mx_data_str(r, "hostname", env.host);
	host_family(&env, r, 0, a, p4, sizeof(p4), &s4);
	host_family(&env, r, 1, aaaa, p6, sizeof(p6), &s6);
	json_object_object_add(mx_result_data(r), "a", a);
	json_object_object_add(mx_result_data(r), "aaaa", aaaa);
	/* A CNAME shows in both lookups: say it once. */
	if (p6[0] && !strcmp(p4, p6))
		p6[0] = 0;
	if (s4 != MX_PASS || s6 != MX_PASS) {
		int first4 = s4 >= s6 || s6 == MX_PASS;

		mx_result_set(r, first4 ? s4 : s6, "%s%s%s", first4 ? p4 : p6,
			      (first4 ? p6 : p4)[0] ? "; " : "", first4 ? p6 : p4);
		mx_result_raise(r, s4);
		mx_result_raise(r, s6);
		mx_result_remedy(r,
				 "publish %s A %s%s%s as plain address records at your DNS "
				 "provider",
				 env.host, env.ip[0][0] ? env.ip[0] : "<public IPv4>",
				 env.ip[1][0] ? " and AAAA " : "", env.ip[1][0] ? env.ip[1] : "");
		return;
	}
	if (!env.ip[0][0] && !env.ip[1][0])
		mx_result_set(r, MX_PASS,
			      "%s has address records (public address unknown: not compared)",
			      env.host);
	else
		mx_result_set(r, MX_PASS, "%s resolves to this host's public address%s", env.host,
			      env.ip[0][0] && env.ip[1][0] ? "es (A and AAAA)" : "");
}

static int is_ip_literal(const char *n)
{
	unsigned char b[16];
	char t[256];
	size_t l;

	snprintf(t, sizeof(t), "%s", n);
	l = strlen(t);
	if (l && t[l - 1] == '.')
		t[l - 1] = 0;
	return inet_pton(AF_INET, t, b) == 1 || inet_pton(AF_INET6, t, b) == 1;
}

void mx_dns_check_mx(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	struct mx_rrset mx;
	json_object *targets;
	char problem[1200] = "";
	enum mx_status st = MX_PASS;
	int i, to_host = 0;

	if (mx_dns_begin(ctx, r, &env))
		return;
	mx_data_str(r, "domain", env.domain);
	mx_data_str(r, "hostname", env.host[0] ? env.host : NULL);
	mx_dns_lookup(&env.dns, env.domain, MX_T_MX, &mx);
	if (mx_dns_lookup_failed(r, &mx, "MX", env.domain))
		return;
	if (mx.status != MX_RR_OK) {
		mx_result_set(r, MX_FAIL, "%s has no MX record (%s)", env.domain,
			      mx_rr_status_name(mx.status));
		mx_result_remedy(r, "publish %s MX 10 %s", env.domain,
				 env.host[0] ? env.host : "<mail host>");
		mx_rrset_free(&mx);
		return;
	}
	targets = json_object_new_array();
	json_object_object_add(mx_result_data(r), "mx", targets);
	for (i = 0; i < mx.n; i++) {
		json_object *t = json_object_new_object();
		const char *name = mx.rr[i].text;
		struct mx_rrset a, aaaa;

		json_object_object_add(t, "preference", json_object_new_int(mx.rr[i].pref));
		json_object_object_add(t, "exchange", json_object_new_string(name));
		json_object_array_add(targets, t);
		if (!name[0]) {
			if (mx.n == 1)
				snprintf(problem, sizeof(problem),
					 "%s publishes a null MX (RFC 7505): it accepts no mail",
					 env.domain);
			else
				snprintf(problem, sizeof(problem),
					 "a null MX must be the only MX record (RFC 7505 3)");
			st = MX_FAIL;
			json_object_object_add(t, "problem", json_object_new_string("null MX"));
			continue;
		}
		if (is_ip_literal(name)) {
			snprintf(problem, sizeof(problem),
				 "MX %s is an IP address: an MX must name a host (RFC 5321 5.1)",
				 name);
			st = MX_FAIL;
			json_object_object_add(t, "problem", json_object_new_string("ip address"));
			continue;
		}
		if (env.host[0] && mx_dns_name_eq(name, env.host))
			to_host = 1;
		mx_dns_lookup(&env.dns, name, MX_T_A, &a);
		mx_dns_lookup(&env.dns, name, MX_T_AAAA, &aaaa);
		json_object_object_add(t, "a", mx_dns_rr_json(&a));
		json_object_object_add(t, "aaaa", mx_dns_rr_json(&aaaa));
		if (a.cname[0] || aaaa.cname[0]) {
			json_object_object_add(
			    t, "cname", json_object_new_string(a.cname[0] ? a.cname : aaaa.cname));
			json_object_object_add(t, "problem", json_object_new_string("cname"));
			snprintf(problem, sizeof(problem),
				 "MX %s is a CNAME (to %s): MX targets must not be aliases "
				 "(RFC 2181 10.3, RFC 5321 5.1)",
				 name, a.cname[0] ? a.cname : aaaa.cname);
			st = MX_FAIL;
		} else if (a.status == MX_RR_ERROR && aaaa.status == MX_RR_ERROR) {
			snprintf(problem, sizeof(problem), "MX %s: address lookup failed: %s", name,
				 a.error);
			if (st < MX_ERROR)
				st = MX_ERROR;
		} else if (a.status != MX_RR_OK && aaaa.status != MX_RR_OK) {
			json_object_object_add(t, "problem", json_object_new_string("no address"));
			snprintf(problem, sizeof(problem), "MX %s has no A or AAAA record", name);
			st = MX_FAIL;
		}
		mx_rrset_free(&a);
		mx_rrset_free(&aaaa);
	}
	if (st == MX_PASS && env.host[0] && !to_host) {
		char list[300] = "";
		size_t o = 0;

		for (i = 0; i < mx.n && o < sizeof(list); i++)
			o += snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
				      mx.rr[i].text);
		snprintf(problem, sizeof(problem), "no MX of %s points at %s (MX: %s)", env.domain,
			 env.host, list);
		st = MX_FAIL;
	}
	mx_data_bool(r, "points_at_hostname", to_host);
	if (st != MX_PASS) {
		mx_result_set(r, st, "%s", problem);
		mx_result_remedy(r, "publish %s MX 10 %s, with %s having its own A/AAAA records",
				 env.domain, env.host[0] ? env.host : "<mail host>",
				 env.host[0] ? env.host : "it");
	} else {
		mx_result_set(r, MX_PASS, "%s MX → %s%s", env.domain, env.host[0] ? env.host : "?",
			      mx.n > 1 ? " (and other MX hosts, see data)" : "");
	}
	mx_rrset_free(&mx);
}

static void check_ptr(struct mx_ctx *ctx, struct mx_result *r, int v6)
{
	struct mx_dns_env env;
	struct mx_rrset ptr;
	char rev[80];
	json_object *names;
	int i, ok = 0, fcrdns_any = 0;
	const char *bad_name = NULL;

	if (mx_dns_begin(ctx, r, &env))
		return;
	if (!env.ip[v6][0]) {
		mx_result_set(r, MX_SKIP, "no public %s address known (give --public-ip)",
			      v6 ? "IPv6" : "IPv4");
		return;
	}
	mx_data_str(r, "address", env.ip[v6]);
	mx_data_str(r, "address_source", env.ip_source[v6]);
	mx_data_str(r, "hostname", env.host[0] ? env.host : NULL);
	mx_dns_reverse_name(v6 ? AF_INET6 : AF_INET, env.addr[v6], rev, sizeof(rev));
	mx_data_str(r, "reverse_name", rev);
	mx_dns_lookup(&env.dns, rev, MX_T_PTR, &ptr);
	if (mx_dns_lookup_failed(r, &ptr, "PTR", env.ip[v6]))
		return;
	if (ptr.status != MX_RR_OK) {
		mx_result_set(r, MX_FAIL,
			      "%s has no PTR record (%s): many receivers reject mail "
			      "from addresses without reverse DNS",
			      env.ip[v6], mx_rr_status_name(ptr.status));
		mx_result_remedy(r, "ask your provider (hoster panel) to set the PTR of %s to %s",
				 env.ip[v6], env.host[0] ? env.host : "the mail host name");
		mx_rrset_free(&ptr);
		return;
	}
	names = json_object_new_array();
	json_object_object_add(mx_result_data(r), "ptr", names);
	for (i = 0; i < ptr.n; i++) {
		json_object *e = json_object_new_object();
		struct mx_rrset fwd;
		int j, conf = 0;

		json_object_object_add(e, "name", json_object_new_string(ptr.rr[i].text));
		mx_dns_lookup(&env.dns, ptr.rr[i].text, v6 ? MX_T_AAAA : MX_T_A, &fwd);
		for (j = 0; j < fwd.n; j++)
			if (!memcmp(fwd.rr[j].addr, env.addr[v6], v6 ? 16 : 4))
				conf = 1;
		json_object_object_add(e, "forward", mx_dns_rr_json(&fwd));
		json_object_object_add(e, "forward_confirmed", json_object_new_boolean(conf));
		json_object_array_add(names, e);
		fcrdns_any |= conf;
		if (conf && env.host[0] && mx_dns_name_eq(ptr.rr[i].text, env.host))
			ok = 1;
		else if (!bad_name)
			bad_name = ptr.rr[i].text;
		mx_rrset_free(&fwd);
	}
	mx_data_bool(r, "forward_confirmed", fcrdns_any);
	if (ok) {
		if (ptr.n > 1)
			mx_result_set(r, MX_WARN,
				      "%s has %d PTR records; receivers may check any one",
				      env.ip[v6], ptr.n);
		else
			mx_result_set(r, MX_PASS, "%s PTR %s, forward-confirmed", env.ip[v6],
				      env.host);
		mx_rrset_free(&ptr);
		return;
	}
	if (!fcrdns_any)
		mx_result_set(r, MX_FAIL,
			      "%s PTR %s does not resolve back to %s (not forward-confirmed)",
			      env.ip[v6], ptr.rr[0].text, env.ip[v6]);
	else
		mx_result_set(r, MX_FAIL, "%s PTR %s is not the mail host name %s", env.ip[v6],
			      bad_name ? bad_name : ptr.rr[0].text,
			      env.host[0] ? env.host : "(unknown)");
	mx_result_remedy(r, "ask your provider to set the PTR of %s to %s, and publish %s %s %s",
			 env.ip[v6], env.host[0] ? env.host : "the mail host name",
			 env.host[0] ? env.host : "it", v6 ? "AAAA" : "A", env.ip[v6]);
	mx_rrset_free(&ptr);
}

void mx_dns_check_ptr4(struct mx_ctx *ctx, struct mx_result *r)
{
	check_ptr(ctx, r, 0);
}

void mx_dns_check_ptr6(struct mx_ctx *ctx, struct mx_result *r)
{
	check_ptr(ctx, r, 1);
}
