/* SPDX-License-Identifier: GPL-2.0 */
/* Path-MTU discovery to one address: ICMP echo probes driven by the RFC 8899
 * search (pmtu_search.h), with frag-needed / packet-too-big read from the
 * socket's error queue. */
#ifndef MX_PMTU_PROBE_H
#define MX_PMTU_PROBE_H

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "pmtu_search.h"

#define MX_PMTU_LOG_MAX 64

/* One line of what happened, in order, for -v and the JSON data. */
struct mx_pmtu_event {
	double t_ms; /* since the start */
	unsigned size;
	char what[96]; /* "sent", "answered 0.21 ms", "ptb mtu 1420 from 10.0.0.1 (used)"... */
};

struct mx_pmtu_report {
	int family;
	char target[INET6_ADDRSTRLEN];
	char ifname[IF_NAMESIZE];
	char gateway[INET6_ADDRSTRLEN];
	unsigned dev_mtu;   /* the outgoing interface's MTU */
	unsigned local_mtu; /* what we can send: device or route MTU */
	unsigned pmtu;	    /* the answer; 0 when unknown */
	enum mx_pmtu_bound bound;
	int unreachable; /* no echo answered at all */
	unsigned probes, answers, ptb_used, ptb_ignored, errors;
	unsigned ptb_mtu; /* the last frag-needed / packet-too-big value used */
	char ptb_from[INET6_ADDRSTRLEN];
	char icmp_error[128]; /* last other ICMP error ("host unreachable from ...") */
	double rtt_ms;	      /* smoothed, over answered probes */
	double elapsed_s;
	const char *socket_kind; /* "raw" or "ping" */
	struct mx_pmtu_event log[MX_PMTU_LOG_MAX];
	unsigned nlog;
	char error[192]; /* set (and -1 returned) when no probe could be sent */
};

/* Runs the search to dst. timeout_s bounds the wait for one probe's answer
 * (the real wait adapts to the measured round trip). Returns 0, or -1 with
 * rep->error set. */
int mx_pmtu_discover(const struct sockaddr *dst, double timeout_s, struct mx_pmtu_report *rep);

#endif
