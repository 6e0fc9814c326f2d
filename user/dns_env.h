/* SPDX-License-Identifier: GPL-2.0 */
/* What every DNS check needs: the mail domain and host, the public
 * addresses, and a resolver whose queries are kept as evidence in the
 * check's data ("queries"). dns.domain works it out once; the other checks
 * read its data (and work it out themselves when run alone). */
#ifndef MX_DNS_ENV_H
#define MX_DNS_ENV_H

#include "check.h"
#include "dns_client.h"

struct mx_dns_env {
	char domain[256];
	char domain_source[320];
	char host[256]; /* the mail server's name (MAILCOW_HOSTNAME) */
	char host_source[320];
	char ip[2][64]; /* [0] IPv4, [1] IPv6 text; "" when unknown */
	unsigned char addr[2][16];
	char ip_source[2][96];
	char skip[240]; /* non-empty: the checks cannot run, and why */
	struct mx_dns_client dns;
};

/* Starts a DNS check: fills env (from dns.domain's data when it ran), opens
 * the resolver with its query log in r's data. Returns 0, or -1 when the
 * result was already set (skip or error). */
int mx_dns_begin(struct mx_ctx *ctx, struct mx_result *r, struct mx_dns_env *env);
/* Works the environment out (dns.domain's job). Returns 0 or -1 with skip set. */
int mx_dns_env_resolve(struct mx_ctx *ctx, struct mx_dns_env *env);

/* The command line may name the mail host (mxprobe dns --hostname). */
extern const char *mx_dns_hostname_override;

/* Case-insensitive name equality, ignoring a trailing dot. */
int mx_dns_name_eq(const char *a, const char *b);
/* Reverse-lookup name of an address. */
void mx_dns_reverse_name(int family, const unsigned char *addr, char *out, size_t len);
/* A lookup that failed (s->status MX_RR_ERROR) ends the check: r is set
 * to ERROR "TYPE lookup for WHAT failed: why" and s freed; returns 1 then,
 * else 0. */
int mx_dns_lookup_failed(struct mx_result *r, struct mx_rrset *s, const char *type,
			 const char *what);
/* Strings of an rrset as a JSON array. */
json_object *mx_dns_rr_json(const struct mx_rrset *s);
/* Whether an address is globally routable (not private, loopback,
 * link-local, CGNAT, ULA, documentation, multicast). */
int mx_ip_is_public(int family, const unsigned char *a);

#endif
