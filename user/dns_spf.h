/* SPDX-License-Identifier: GPL-2.0 */
/* SPF records (RFC 7208): the parser (syntax of section 12), macro expansion
 * (section 7) and address matching. Pure functions; the evaluation that
 * queries DNS is dns_spf_eval.c. */
#ifndef MX_DNS_SPF_H
#define MX_DNS_SPF_H

#include <stddef.h>

enum mx_spf_kind {
	MX_SPF_ALL,
	MX_SPF_INCLUDE,
	MX_SPF_A,
	MX_SPF_MX,
	MX_SPF_PTR,
	MX_SPF_IP4,
	MX_SPF_IP6,
	MX_SPF_EXISTS,
	MX_SPF_REDIRECT, /* modifiers from here on */
	MX_SPF_EXP,
	MX_SPF_UNKNOWN_MOD,
};

struct mx_spf_term {
	enum mx_spf_kind kind;
	char qualifier;	  /* '+', '-', '~', '?' (mechanisms only) */
	char domain[300]; /* domain-spec as written (may hold macros), "" if none */
	int cidr4;	  /* -1 when not given */
	int cidr6;
	unsigned char ip[16]; /* ip4/ip6 network */
	char text[300];	      /* the term as written, for reports */
};

struct mx_spf {
	struct mx_spf_term *terms;
	int n;
	int redirect;	 /* index of redirect=, or -1 */
	int exp;	 /* index of exp=, or -1 */
	int all;	 /* index of the first "all", or -1 */
	char error[200]; /* permerror cause: "" when the record is valid */
};

/* True when txt is an SPF record: "v=spf1" followed by a space or the end
 * (case-insensitive, RFC 7208 4.5). */
int mx_spf_is_record(const char *txt);
/* Parses an SPF record. Returns 0, or -1 with spf->error (a permerror under
 * RFC 7208). Free with mx_spf_free in both cases. */
int mx_spf_parse(const char *txt, struct mx_spf *spf);
void mx_spf_free(struct mx_spf *spf);
const char *mx_spf_kind_name(enum mx_spf_kind k);
/* Whether the mechanism needs a DNS query (counted against the limit of 10). */
int mx_spf_counts_lookup(enum mx_spf_kind k);

/* Checks a domain-spec (macro-string domain-end). Returns 0 or -1 with a
 * cause in err. exp_ok allows the c, r, t macro letters. */
int mx_spf_check_domain_spec(const char *s, int exp_ok, char *err, size_t errlen);

/* What macros expand to (RFC 7208 7.3). */
struct mx_spf_macro_env {
	const char *sender; /* local@domain */
	const char *domain; /* the current <domain> */
	const char *helo;
	int family; /* AF_INET or AF_INET6 */
	unsigned char ip[16];
};

/* Expands a domain-spec; returns 0, or -1 with err (bad macro). The result
 * is truncated from the left to 253 characters as 7.3 requires. */
int mx_spf_expand(const char *spec, const struct mx_spf_macro_env *env, char *out, size_t outlen,
		  char *err, size_t errlen);

/* A macro delimiter of RFC 7208 7.1: . - + , / _ = */
int mx_spf_is_delim(char c);

/* Whether addr (family) lies in net/prefix. */
int mx_ip_in_net(int family, const unsigned char *addr, const unsigned char *net, int prefix);

#endif
