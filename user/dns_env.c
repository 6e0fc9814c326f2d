// SPDX-License-Identifier: GPL-2.0
/* The mail domain, host and public addresses the DNS checks work on. */
#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dns_env.h"

const char *mx_dns_hostname_override;

int mx_dns_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && !strncasecmp(a, b, la);
}

void mx_dns_reverse_name(int family, const unsigned char *a, char *out, size_t len)
{
	size_t o = 0;
	int i;

	if (family == AF_INET) {
		snprintf(out, len, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
		return;
	}
	for (i = 15; i >= 0 && o < len; i--)
		o += snprintf(out + o, len - o, "%x.%x.", a[i] & 15, a[i] >> 4);
	if (o < len)
		snprintf(out + o, len - o, "ip6.arpa");
}

int mx_dns_lookup_failed(struct mx_result *r, struct mx_rrset *s, const char *type,
			 const char *what)
{
	if (s->status != MX_RR_ERROR)
		return 0;
	mx_result_set(r, MX_ERROR, "%s lookup for %s failed: %s", type, what, s->error);
	mx_rrset_free(s);
	return 1;
}

json_object *mx_dns_rr_json(const struct mx_rrset *s)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < s->n; i++)
		json_object_array_add(a,
				      json_object_new_string(s->rr[i].text ? s->rr[i].text : ""));
	return a;
}

int mx_ip_is_public(int family, const unsigned char *a)
{
	if (family == AF_INET) {
		unsigned v = (unsigned)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
		static const struct {
			unsigned net, bits;
		} priv[] = {
		    {0x00000000, 8},  {0x0a000000, 8},	{0x64400000, 10}, {0x7f000000, 8},
		    {0xa9fe0000, 16}, {0xac100000, 12}, {0xc0000000, 24}, {0xc0000200, 24},
		    {0xc0a80000, 16}, {0xc6120000, 15}, {0xc6336400, 24}, {0xcb007100, 24},
		    {0xe0000000, 3},
		};
		size_t i;

		for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
			if ((v >> (32 - priv[i].bits)) == (priv[i].net >> (32 - priv[i].bits)))
				return 0;
		return 1;
	}
	/* Global unicast 2000::/3 minus documentation 2001:db8::/32. */
	if ((a[0] & 0xe0) != 0x20)
		return 0;
	return !(a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8);
}

static void set_ip(struct mx_dns_env *env, int v6, const char *text, const char *src)
{
	if (inet_pton(v6 ? AF_INET6 : AF_INET, text, env->addr[v6]) != 1)
		return;
	inet_ntop(v6 ? AF_INET6 : AF_INET, env->addr[v6], env->ip[v6], sizeof(env->ip[0]));
	snprintf(env->ip_source[v6], sizeof(env->ip_source[0]), "%s", src);
}

/* Public addresses: --public-ip, else the outbound probe's finding, else a
 * globally routable address on an interface (typical for a VPS). */
static void find_public_ips(struct mx_ctx *ctx, struct mx_dns_env *env)
{
	json_object *out = mx_ctx_data(ctx, "outbound.public_ip"), *v;
	struct ifaddrs *ifa, *i;
	int f;

	for (f = 0; f < 2; f++) {
		if (ctx->opts && ctx->opts->public_ip[f]) {
			set_ip(env, f, ctx->opts->public_ip[f], "--public-ip");
			continue;
		}
		if (out && json_object_object_get_ex(out, f ? "ipv6" : "ipv4", &v) && v &&
		    json_object_is_type(v, json_type_string)) {
			json_object *s = NULL;
			char src[96];

			/* Say which service saw the address, when the probe tells. */
			json_object_object_get_ex(out, f ? "ipv6_source" : "ipv4_source", &s);
			snprintf(src, sizeof(src), "outbound.public_ip%s%.60s%s", s ? " (" : "",
				 s ? json_object_get_string(s) : "", s ? ")" : "");
			set_ip(env, f, json_object_get_string(v), src);
		}
	}
	if ((env->ip[0][0] && env->ip[1][0]) || getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i; i = i->ifa_next) {
		int v6;
		const unsigned char *a;
		char text[64], src[96];

		if (!i->ifa_addr ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		v6 = i->ifa_addr->sa_family == AF_INET6;
		a = v6 ? (const unsigned char *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr
		       : (const unsigned char *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (env->ip[v6][0] || !mx_ip_is_public(v6 ? AF_INET6 : AF_INET, a))
			continue;
		inet_ntop(v6 ? AF_INET6 : AF_INET, a, text, sizeof(text));
		snprintf(src, sizeof(src), "address of interface %.40s", i->ifa_name);
		set_ip(env, v6, text, src);
	}
	freeifaddrs(ifa);
}

static int labels(const char *n)
{
	int c = 1;

	for (; *n; n++)
		if (*n == '.' && n[1])
			c++;
	return c;
}

int mx_dns_env_resolve(struct mx_ctx *ctx, struct mx_dns_env *env)
{
	const struct mx_opts *o = ctx->opts;
	const char *mh = mx_mc_get(&ctx->cfg->mc, "MAILCOW_HOSTNAME");
	struct mx_rrset s;

	if (mx_dns_hostname_override) {
		snprintf(env->host, sizeof(env->host), "%s", mx_dns_hostname_override);
		snprintf(env->host_source, sizeof(env->host_source), "--hostname");
	} else if (mh && *mh) {
		snprintf(env->host, sizeof(env->host), "%s", mh);
		snprintf(env->host_source, sizeof(env->host_source), "MAILCOW_HOSTNAME in %.250s",
			 ctx->cfg->mc.path);
	}
	if (o && o->domain) {
		snprintf(env->domain, sizeof(env->domain), "%s", o->domain);
		snprintf(env->domain_source, sizeof(env->domain_source),
			 "given on the command line");
	} else if (env->host[0] && labels(env->host) <= 2) {
		snprintf(env->domain, sizeof(env->domain), "%s", env->host);
		snprintf(env->domain_source, sizeof(env->domain_source),
			 "MAILCOW_HOSTNAME %.253s is itself a registrable name", env->host);
	} else if (env->host[0]) {
		/* mx.example.org → example.org. A deeper name (mx.mail.example.org)
		 * may serve either parent: take the nearest parent that has an MX
		 * record, since that is a mail domain; without any, the nearest
		 * parent. */
		const char *p = strchr(env->host, '.') + 1, *first = p;

		for (; p && labels(p) >= 2; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
			mx_dns_lookup(&env->dns, p, MX_T_MX, &s);
			if (s.status == MX_RR_OK) {
				snprintf(env->domain, sizeof(env->domain), "%s", p);
				snprintf(
				    env->domain_source, sizeof(env->domain_source),
				    "nearest parent of MAILCOW_HOSTNAME %.253s with an MX record",
				    env->host);
				mx_rrset_free(&s);
				break;
			}
			mx_rrset_free(&s);
		}
		if (!env->domain[0]) {
			snprintf(env->domain, sizeof(env->domain), "%s", first);
			snprintf(env->domain_source, sizeof(env->domain_source),
				 "parent of MAILCOW_HOSTNAME %.253s (no parent has an MX record)",
				 env->host);
		}
	} else {
		snprintf(env->skip, sizeof(env->skip),
			 "no mail domain known: give it (mxprobe dns example.org, or --domain) or "
			 "a mailcow.conf with MAILCOW_HOSTNAME");
		return -1;
	}
	for (char *c = env->domain; *c; c++)
		*c = tolower((unsigned char)*c);
	{
		size_t l = strlen(env->domain);

		if (l > 1 && env->domain[l - 1] == '.')
			env->domain[l - 1] = 0;
	}
	if (!env->host[0]) {
		/* No mailcow.conf: the mail host is where the domain's best MX points. */
		int i, best = -1;

		mx_dns_lookup(&env->dns, env->domain, MX_T_MX, &s);
		for (i = 0; s.status == MX_RR_OK && i < s.n; i++)
			if (s.rr[i].text[0] && (best < 0 || s.rr[i].pref < s.rr[best].pref))
				best = i;
		if (best >= 0) {
			snprintf(env->host, sizeof(env->host), "%s", s.rr[best].text);
			snprintf(env->host_source, sizeof(env->host_source),
				 "best MX of %s (no MAILCOW_HOSTNAME)", env->domain);
		}
		mx_rrset_free(&s);
	}
	find_public_ips(ctx, env);
	return 0;
}

static void get_str(json_object *d, const char *k, char *out, size_t len)
{
	json_object *v;

	if (json_object_object_get_ex(d, k, &v) && v && json_object_is_type(v, json_type_string))
		snprintf(out, len, "%s", json_object_get_string(v));
}

int mx_dns_begin(struct mx_ctx *ctx, struct mx_result *r, struct mx_dns_env *env)
{
	json_object *d = mx_ctx_data(ctx, "dns.domain");
	char err[160];

	memset(env, 0, sizeof(*env));
	if (mx_dns_client_init(&env->dns, ctx->opts ? ctx->opts->resolver : NULL,
			       ctx->opts ? ctx->opts->timeout_s : 5, err, sizeof(err))) {
		mx_result_set(r, MX_ERROR, "resolver: %s", err);
		return -1;
	}
	if (d) {
		get_str(d, "domain", env->domain, sizeof(env->domain));
		get_str(d, "domain_source", env->domain_source, sizeof(env->domain_source));
		get_str(d, "hostname", env->host, sizeof(env->host));
		get_str(d, "hostname_source", env->host_source, sizeof(env->host_source));
		get_str(d, "skip_reason", env->skip, sizeof(env->skip));
		for (int f = 0; f < 2; f++) {
			char ip[64] = "", src[96] = "";

			get_str(d, f ? "public_ipv6" : "public_ipv4", ip, sizeof(ip));
			get_str(d, f ? "public_ipv6_source" : "public_ipv4_source", src,
				sizeof(src));
			if (ip[0])
				set_ip(env, f, ip, src);
		}
		if (!env->domain[0] && !env->skip[0])
			snprintf(env->skip, sizeof(env->skip), "dns.domain found no mail domain");
	} else {
		mx_dns_env_resolve(ctx, env);
	}
	if (env->skip[0]) {
		mx_result_set(r, MX_SKIP, "%s", env->skip);
		return -1;
	}
	env->dns.log = json_object_new_array();
	json_object_object_add(mx_result_data(r), "queries", env->dns.log);
	return 0;
}
