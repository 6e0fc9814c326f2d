/* SPDX-License-Identifier: GPL-2.0 */
/* SPF check_host() (RFC 7208 4) for one address, walking the whole include/
 * redirect tree so that the lookup and void-lookup counts are those of the
 * worst case (a sender that matches nothing), while the result is the one a
 * receiver computes for this address. */
#ifndef MX_DNS_SPF_EVAL_H
#define MX_DNS_SPF_EVAL_H

#include "dns_rr.h"
#include "dns_spf.h"

#define MX_SPF_LOOKUP_LIMIT 10
#define MX_SPF_VOID_LIMIT 2
#define MX_SPF_MAX_NODES 48
#define MX_SPF_MAX_PROBLEMS 12

enum mx_spf_result {
	MX_SPF_NONE,
	MX_SPF_NEUTRAL,
	MX_SPF_PASS,
	MX_SPF_FAIL,
	MX_SPF_SOFTFAIL,
	MX_SPF_TEMPERROR,
	MX_SPF_PERMERROR,
};

/* One record visited: the evidence. */
struct mx_spf_node {
	int depth;
	char via[16]; /* "", "include", "redirect" */
	char domain[256];
	char record[512]; /* "" when none was found */
	char error[200];
};

struct mx_spf_eval {
	/* in */
	struct mx_lookup dns;
	int family; /* AF_INET/AF_INET6, 0 = no address: count only */
	unsigned char ip[16];
	const char *sender; /* default postmaster@domain */
	const char *helo;
	/* out */
	enum mx_spf_result result; /* for ip */
	char qualifier;		   /* of the matching term, 0 when none matched */
	char matched[300];	   /* the term that decided, "" if none */
	char matched_domain[256];  /* the record holding it */
	int lookups;		   /* DNS-querying terms, whole tree */
	int voids;		   /* lookups with no answer, whole tree */
	int ptr_used;
	int loop;				 /* an include/redirect loop was found */
	int truncated;				 /* the walk stopped at the safety cap */
	char problems[MX_SPF_MAX_PROBLEMS][200]; /* permerror causes, in order */
	int nproblems;
	struct mx_spf_node nodes[MX_SPF_MAX_NODES];
	int nnodes;
};

/* Evaluates the SPF policy of domain for ev->ip. Returns ev->result. */
enum mx_spf_result mx_spf_check_host(struct mx_spf_eval *ev, const char *domain);
const char *mx_spf_result_name(enum mx_spf_result r);
/* Picks the SPF record among TXT strings: returns its index, -1 when there is
 * none, -2 when there are several (permerror). */
int mx_spf_select(const struct mx_rrset *txt);

#endif
