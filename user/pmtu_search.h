/* SPDX-License-Identifier: GPL-2.0 */
/* The path-MTU search of RFC 8899 (Datagram PLPMTUD) as pure logic: which
 * probe size to send next, given what the path answered so far. No sockets
 * here, so the search can be unit-tested against simulated paths and the
 * prober (pmtu_probe.c) only moves packets. */
#ifndef MX_PMTU_SEARCH_H
#define MX_PMTU_SEARCH_H

/* RFC 8899 section 5.1.2: a size is taken as too big after this many
 * probes of it went unanswered. */
#define MX_PMTU_MAX_PROBES 3
/* A hard stop against endless searches on a flapping path. */
#define MX_PMTU_PROBE_LIMIT 40
#define MX_PMTU_MAX_SIZES 48

/* What bounds the result from above. */
enum mx_pmtu_bound {
	MX_BOUND_NONE,	/* not done */
	MX_BOUND_LOCAL, /* our own interface / route MTU */
	MX_BOUND_PTB,	/* a router's frag-needed / packet-too-big */
	MX_BOUND_LOSS,	/* MAX_PROBES silent losses: an ICMP black hole */
};

enum mx_pmtu_ptb_verdict {
	MX_PTB_USED,
	MX_PTB_ZERO,	     /* mtu 0 (pre-RFC 1191 router): size too big, no value */
	MX_PTB_NOT_SMALLER,  /* mtu >= the probe it quotes */
	MX_PTB_BELOW_MIN,    /* below 68 (IPv4) or 1280 (IPv6) */
	MX_PTB_CONTRADICTED, /* a bigger probe was answered */
};

struct mx_pmtu_size {
	unsigned size;
	unsigned sent;
	unsigned lost;
	unsigned answered;
	unsigned ptb; /* a router said this size is too big */
};

struct mx_pmtu_search {
	unsigned min_mtu;   /* 68 or 1280 */
	unsigned local_mtu; /* the largest size our interface sends */
	unsigned base;	    /* first probe: proves that the peer answers at all */
	struct mx_pmtu_size sizes[MX_PMTU_MAX_SIZES];
	unsigned nsizes;
	unsigned ptb_mtu[8]; /* valid reported MTUs, most recent last */
	unsigned nptb;
	unsigned probes; /* sent in total */
	/* Derived by mx_pmtu_update(). */
	unsigned lo; /* largest answered size, 0 = none yet */
	unsigned hi; /* smallest size known or believed too big */
	enum mx_pmtu_bound hi_bound;
	int done;
	int unreachable; /* not even the smallest probe was answered */
};

void mx_pmtu_init(struct mx_pmtu_search *s, int ipv6, unsigned local_mtu);
/* The next size to probe, or 0 when the search is over (s->done). */
unsigned mx_pmtu_next(const struct mx_pmtu_search *s);
/* Outcomes of one probe of `size`. */
void mx_pmtu_sent(struct mx_pmtu_search *s, unsigned size);
void mx_pmtu_answered(struct mx_pmtu_search *s, unsigned size);
void mx_pmtu_lost(struct mx_pmtu_search *s, unsigned size);
/* An ICMP error other than "too big" (unreachable, prohibited) came back
 * for this size: it counts as MAX_PROBES losses, no need to retry. */
void mx_pmtu_refused(struct mx_pmtu_search *s, unsigned size);
/* Our own stack refused the size (EMSGSIZE): mtu is what it allows. */
void mx_pmtu_local_limit(struct mx_pmtu_search *s, unsigned mtu);
/* A validated frag-needed / packet-too-big for a probe of `size`. */
enum mx_pmtu_ptb_verdict mx_pmtu_ptb(struct mx_pmtu_search *s, unsigned size, unsigned mtu);
const char *mx_pmtu_ptb_verdict_name(enum mx_pmtu_ptb_verdict v);
const char *mx_pmtu_bound_name(enum mx_pmtu_bound b);
/* Table of common link MTUs the search tries before bisecting. */
extern const unsigned mx_pmtu_common[];
extern const unsigned mx_pmtu_ncommon;

#endif
