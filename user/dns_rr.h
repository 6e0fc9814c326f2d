/* SPDX-License-Identifier: GPL-2.0 */
/* What a DNS lookup gave, without any library type: the SPF evaluator and
 * the unit tests work on this, the ldns client (dns_client.c) fills it. */
#ifndef MX_DNS_RR_H
#define MX_DNS_RR_H

/* RR types (IANA numbers). */
enum {
	MX_T_A = 1,
	MX_T_NS = 2,
	MX_T_CNAME = 5,
	MX_T_SOA = 6,
	MX_T_PTR = 12,
	MX_T_MX = 15,
	MX_T_TXT = 16,
	MX_T_AAAA = 28,
	MX_T_SRV = 33,
	MX_T_TLSA = 52,
	MX_T_CAA = 257,
};

enum mx_rr_status {
	MX_RR_OK,	/* NOERROR with records of the type */
	MX_RR_NODATA,	/* NOERROR, none of the type */
	MX_RR_NXDOMAIN, /* the name does not exist */
	MX_RR_ERROR,	/* timeout, SERVFAIL, REFUSED, bad reply: unknown */
};

struct mx_rr {
	char *text; /* TXT: strings joined; MX/PTR/CNAME/NS: name without the dot;
		     * others: the rdata in presentation format */
	int family; /* A/AAAA: AF_INET/AF_INET6, else 0 */
	unsigned char addr[16];
	int pref;     /* MX preference, SRV priority */
	int nstrings; /* TXT: how many character-strings were joined */
};

struct mx_rrset {
	enum mx_rr_status status;
	int n;
	struct mx_rr *rr;
	int ad;		 /* the AD flag of the reply */
	char cname[256]; /* the qname was an alias: its target (last in a chain) */
	char error[160]; /* for MX_RR_ERROR */
	int bogus;	 /* a SERVFAIL that is a DNSSEC validation failure */
};

void mx_rrset_free(struct mx_rrset *s);
/* Deep copy; returns 0 or -1 (out of memory: dst then has status error). */
int mx_rrset_copy(struct mx_rrset *dst, const struct mx_rrset *src);
const char *mx_rr_status_name(enum mx_rr_status st);
const char *mx_rr_type_name(int type);

/* A source of lookups: the live client, or a table in unit tests. Returns
 * out->status; out is freed by the caller with mx_rrset_free. */
struct mx_lookup {
	void (*fn)(void *u, const char *name, int type, struct mx_rrset *out);
	void *u;
};

/* A memo of lookups for one evaluation (SPF walks ask the same names once
 * per address family): answers are served from it after the first time. */
#define MX_LOOKUP_CACHE 64
struct mx_lookup_cache {
	struct mx_lookup next;
	struct {
		char name[256];
		int type;
		struct mx_rrset s;
	} e[MX_LOOKUP_CACHE];
	int n;
};

void mx_lookup_cached(void *cache, const char *name, int type, struct mx_rrset *out);
void mx_lookup_cache_free(struct mx_lookup_cache *c);

#endif
