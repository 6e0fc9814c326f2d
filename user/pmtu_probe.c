// SPDX-License-Identifier: GPL-2.0
/* Path-MTU prober, see pmtu_probe.h.
 *
 * Why ICMP echo: the peer answers a probe only when the whole probe arrived,
 * and its reply carries our id, sequence and nonce back, so success means
 * "this size crossed the path", not "no error came back". UDP to a closed
 * port would rely on port-unreachable errors, which Linux rate-limits to
 * about one per second per peer (icmp_ratelimit), and they quote only the
 * first 576 / 1232 bytes. TCP needs an open port and the peer's MSS caps
 * the segment size, so it cannot probe sizes above what the peer announces.
 *
 * Socket: a raw ICMP socket (CAP_NET_RAW), else an unprivileged ping socket
 * (net.ipv4.ping_group_range). Both take IP_MTU_DISCOVER = PROBE (DF set,
 * the cached path MTU ignored) and IP_RECVERR, so a router's frag-needed /
 * packet-too-big lands on the error queue with the next-hop MTU in ee_info
 * and our quoted echo header after it, which we match before believing. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>

#include "nl_route.h"
#include "pmtu_packet.h"
#include "pmtu_probe.h"

#define ICMP4_UNREACH 3
#define ICMP4_FRAG_NEEDED 4
#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_FILTER_OPT 1 /* linux/icmp.h ICMP_FILTER at SOL_RAW */
#define MAX_OUT 64

struct sent_probe {
	struct mx_probe pr;
	double t_sent, deadline;
	int state; /* 0 in flight, 1 answered, 2 lost, 3 too big */
};

struct prober {
	int fd, v6, raw;
	uint16_t id;
	uint16_t seq;
	struct sockaddr_storage dst;
	socklen_t dlen;
	double t0, timeout_s, srtt;
	struct sent_probe sent[MAX_OUT];
	unsigned nsent;
	struct mx_pmtu_search s;
	struct mx_pmtu_report *rep;
	unsigned char buf[65536];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void event(struct prober *p, unsigned size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void event(struct prober *p, unsigned size, const char *fmt, ...)
{
	struct mx_pmtu_event *e;
	va_list ap;

	if (p->rep->nlog >= MX_PMTU_LOG_MAX)
		return;
	e = &p->rep->log[p->rep->nlog++];
	e->t_ms = (now_s() - p->t0) * 1e3;
	e->size = size;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
}

static int open_socket(struct prober *p)
{
	int fam = p->v6 ? AF_INET6 : AF_INET, proto = p->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int on = 1, pmtu, raw_err;

	p->fd = socket(fam, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	p->raw = p->fd >= 0;
	raw_err = errno;
	if (p->fd < 0)
		p->fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	if (p->fd < 0) {
		snprintf(p->rep->error, sizeof(p->rep->error),
			 "open ICMP socket: %s (needs CAP_NET_RAW, or the user's group in "
			 "net.ipv4.ping_group_range)",
			 strerror(raw_err));
		return -1;
	}
	p->rep->socket_kind = p->raw ? "raw" : "ping";
	if (p->v6) {
		pmtu = IPV6_PMTUDISC_PROBE;
		if (setsockopt(p->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu)) ||
		    setsockopt(p->fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on)))
			goto sockopt;
		if (p->raw) {
			struct icmp6_filter f;

			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			if (setsockopt(p->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)))
				goto sockopt;
		}
	} else {
		pmtu = IP_PMTUDISC_PROBE;
		if (setsockopt(p->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) ||
		    setsockopt(p->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)))
			goto sockopt;
		if (p->raw) {
			/* Bits set = types dropped: keep only echo replies. */
			uint32_t f = ~(1U << MX_ICMP4_ECHOREPLY);

			if (setsockopt(p->fd, SOL_RAW, ICMP4_FILTER_OPT, &f, sizeof(f)))
				goto sockopt;
		}
	}
	/* Connected: only packets from the target reach the receive queue. */
	if (connect(p->fd, (struct sockaddr *)&p->dst, p->dlen)) {
		snprintf(p->rep->error, sizeof(p->rep->error), "connect ICMP socket to %s: %s",
			 p->rep->target, strerror(errno));
		return -1;
	}
	if (!p->raw) {
		struct sockaddr_storage me;
		socklen_t ml = sizeof(me);

		/* The kernel writes the socket's "port" into the echo id. */
		if (getsockname(p->fd, (struct sockaddr *)&me, &ml))
			goto sockopt;
		p->id = ntohs(p->v6 ? ((struct sockaddr_in6 *)&me)->sin6_port
				    : ((struct sockaddr_in *)&me)->sin_port);
	}
	return 0;
sockopt:
	snprintf(p->rep->error, sizeof(p->rep->error), "configure ICMP socket: %s",
		 strerror(errno));
	return -1;
}

static struct sent_probe *find_seq(struct prober *p, uint16_t seq)
{
	unsigned i;

	for (i = 0; i < p->nsent; i++)
		if (p->sent[i].pr.seq == seq)
			return &p->sent[i];
	return NULL;
}

static double probe_timeout(const struct prober *p)
{
	double cap = p->timeout_s / MX_PMTU_MAX_PROBES, t;

	if (cap < 0.2)
		cap = 0.2;
	if (p->srtt <= 0)
		return cap;
	/* Routers answer before the peer would, so a few round trips
	 * are plenty; the floor covers scheduling delays. */
	t = 4 * p->srtt + 0.1;
	return t < cap ? t : cap;
}

/* Sends one probe of `size` bytes (IP header included). 0, or -1 when the
 * size is refused locally (the search learns the local limit). */
static int send_probe(struct prober *p, unsigned size)
{
	struct sent_probe *sp;
	uint32_t nonce;
	size_t len;

	if (p->nsent == MAX_OUT)
		return -1;
	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
		nonce = (uint32_t)(now_s() * 1e9) ^ (uint32_t)getpid();
	sp = &p->sent[p->nsent];
	sp->pr.id = p->id;
	sp->pr.seq = ++p->seq;
	sp->pr.nonce = nonce;
	sp->pr.size = size;
	sp->pr.v6 = p->v6;
	/* Raw ICMPv4: ours to sum; ICMPv6 and ping sockets: the kernel's. */
	len = mx_probe_build(p->buf, &sp->pr, !p->v6 && p->raw);
	mx_pmtu_sent(&p->s, size);
	p->rep->probes++;
	sp->t_sent = now_s();
	sp->deadline = sp->t_sent + probe_timeout(p);
	sp->state = 0;
	p->nsent++;
	if (send(p->fd, p->buf, len, 0) < 0) {
		int e = errno;

		sp->state = 2;
		if (e == EMSGSIZE) {
			event(p, size, "refused locally: larger than %s's MTU", p->rep->ifname);
			mx_pmtu_local_limit(&p->s,
					    size - 1 < p->s.local_mtu ? size - 1 : p->s.local_mtu);
			return -1;
		}
		event(p, size, "send failed: %s", strerror(e));
		mx_pmtu_lost(&p->s, size);
		return -1;
	}
	event(p, size, "sent seq %u", sp->pr.seq);
	return 0;
}

static int same_addr(const struct prober *p, const struct sockaddr_storage *a)
{
	if (a->ss_family != p->dst.ss_family)
		return 0;
	if (p->v6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)&p->dst)->sin6_addr, 16);
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)&p->dst)->sin_addr.s_addr;
}

/* The probe an echo reply (full) or a router's quote names, or NULL when
 * it is not one of ours. */
static struct sent_probe *match_echo(struct prober *p, const unsigned char *d, size_t n,
				     uint8_t type, int full)
{
	struct sent_probe *sp;
	uint16_t seq;

	if (mx_probe_header(d, n, type, p->id, &seq))
		return NULL;
	sp = find_seq(p, seq);
	return sp && mx_probe_verify(d, n, &sp->pr, full) ? sp : NULL;
}

static void on_answer(struct prober *p, struct sent_probe *sp)
{
	double rtt = now_s() - sp->t_sent;

	if (sp->state == 1)
		return; /* duplicate */
	p->srtt = p->srtt > 0 ? 0.875 * p->srtt + 0.125 * rtt : rtt;
	p->rep->answers++;
	event(p, sp->pr.size, "answered seq %u in %.2f ms%s", sp->pr.seq, rtt * 1e3,
	      sp->state == 2 ? " (late)" : "");
	sp->state = 1;
	mx_pmtu_answered(&p->s, sp->pr.size);
	/* Probes sent before the first round trip was known wait the
	 * cautious timeout: shorten it to what the path now tells us. */
	for (unsigned i = 0; i < p->nsent; i++) {
		struct sent_probe *o = &p->sent[i];
		double d = o->t_sent + probe_timeout(p);

		if (o->state == 0 && d < o->deadline)
			o->deadline = d;
	}
}

static void read_replies(struct prober *p)
{
	struct sockaddr_storage from;
	struct iovec iov = {p->buf, sizeof(p->buf)};
	struct msghdr m = {.msg_name = &from, .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	for (;;) {
		const unsigned char *d = p->buf;
		struct sent_probe *sp;
		size_t len;

		m.msg_namelen = sizeof(from);
		n = recvmsg(p->fd, &m, MSG_DONTWAIT);
		if (n < 0)
			return;
		len = (size_t)n;
		if (!same_addr(p, &from))
			continue;
		/* Raw IPv4 sockets see the IP header, and the kernel does not
		 * check ICMP sums for them. */
		if (!p->v6 && p->raw && !(d = mx_echo_ip4_icmp(d, len, &len)))
			continue;
		sp = match_echo(p, d, len, p->v6 ? MX_ICMP6_ECHOREPLY : MX_ICMP4_ECHOREPLY, 1);
		if (sp)
			on_answer(p, sp);
	}
}

static void addr_of(const struct sockaddr *sa, char *out, size_t len)
{
	const void *a = sa->sa_family == AF_INET6
			    ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
			    : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) {
		snprintf(out, len, "?");
		return;
	}
	inet_ntop(sa->sa_family, a, out, len);
}

static const char *icmp_name(int v6, unsigned type, unsigned code)
{
	if (!v6 && type == ICMP4_UNREACH)
		return code == 0				 ? "network unreachable"
		       : code == 1				 ? "host unreachable"
		       : code == 3				 ? "port unreachable"
		       : (code == 9 || code == 10 || code == 13) ? "administratively prohibited"
								 : "destination unreachable";
	if (!v6 && type == ICMP4_TIME_EXCEEDED)
		return "time exceeded";
	if (v6 && type == 1)
		return code == 0   ? "no route to destination"
		       : code == 1 ? "administratively prohibited"
		       : code == 3 ? "address unreachable"
		       : code == 4 ? "port unreachable"
				   : "destination unreachable";
	if (v6 && type == 3)
		return "time exceeded";
	return "ICMP error";
}

static void on_error(struct prober *p, const struct sock_extended_err *ee, const unsigned char *d,
		     size_t n, const struct sockaddr_storage *orig)
{
	char from[INET6_ADDRSTRLEN];
	struct sent_probe *sp;
	int ptb;

	if (ee->ee_origin == SO_EE_ORIGIN_LOCAL) {
		if (ee->ee_errno == EMSGSIZE && ee->ee_info)
			mx_pmtu_local_limit(&p->s, ee->ee_info);
		return;
	}
	if (ee->ee_origin != (p->v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP))
		return;
	addr_of(SO_EE_OFFENDER(ee), from, sizeof(from));
	/* The quoted packet must be one of our probes, sent to our target. */
	sp = same_addr(p, orig) ? match_echo(p, d, n, p->v6 ? MX_ICMP6_ECHO : MX_ICMP4_ECHO, 0)
				: NULL;
	if (!sp) {
		event(p, 0, "ICMP type %u code %u from %s ignored: quotes no probe of ours",
		      ee->ee_type, ee->ee_code, from);
		return;
	}
	ptb = p->v6 ? ee->ee_type == ICMP6_PACKET_TOO_BIG
		    : ee->ee_type == ICMP4_UNREACH && ee->ee_code == ICMP4_FRAG_NEEDED;
	if (ptb) {
		enum mx_pmtu_ptb_verdict v = mx_pmtu_ptb(&p->s, sp->pr.size, ee->ee_info);

		event(p, sp->pr.size, "%s mtu %u from %s: %s",
		      p->v6 ? "packet-too-big" : "frag-needed", ee->ee_info, from,
		      mx_pmtu_ptb_verdict_name(v));
		if (v == MX_PTB_USED) {
			p->rep->ptb_used++;
			p->rep->ptb_mtu = ee->ee_info;
			snprintf(p->rep->ptb_from, sizeof(p->rep->ptb_from), "%s", from);
			if (sp->state == 0)
				sp->state = 3;
		} else {
			p->rep->ptb_ignored++;
		}
		return;
	}
	/* Unreachable, time exceeded...: this probe will not be answered. */
	p->rep->errors++;
	snprintf(p->rep->icmp_error, sizeof(p->rep->icmp_error), "%s (type %u code %u) from %s",
		 icmp_name(p->v6, ee->ee_type, ee->ee_code), ee->ee_type, ee->ee_code, from);
	event(p, sp->pr.size, "%s", p->rep->icmp_error);
	if (sp->state == 0)
		sp->state = 2;
	mx_pmtu_refused(&p->s, sp->pr.size);
}

static void read_errors(struct prober *p)
{
	char ctrl[512];
	struct sockaddr_storage orig;
	struct iovec iov = {p->buf, sizeof(p->buf)};
	struct msghdr m = {.msg_name = &orig, .msg_iov = &iov, .msg_iovlen = 1};

	for (;;) {
		struct sock_extended_err *ee = NULL;
		struct cmsghdr *c;
		ssize_t n;

		m.msg_namelen = sizeof(orig);
		m.msg_control = ctrl;
		m.msg_controllen = sizeof(ctrl);
		memset(&orig, 0, sizeof(orig));
		n = recvmsg(p->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			return;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
				ee = (struct sock_extended_err *)CMSG_DATA(c);
		if (ee)
			on_error(p, ee, p->buf, (size_t)n, &orig);
	}
}

static struct sent_probe *in_flight(struct prober *p)
{
	struct sent_probe *first = NULL;
	unsigned i;

	for (i = 0; i < p->nsent; i++)
		if (p->sent[i].state == 0 && (!first || p->sent[i].deadline < first->deadline))
			first = &p->sent[i];
	return first;
}

static void expire(struct prober *p)
{
	double t = now_s();
	unsigned i;

	for (i = 0; i < p->nsent; i++) {
		struct sent_probe *sp = &p->sent[i];

		if (sp->state == 0 && t >= sp->deadline) {
			sp->state = 2;
			event(p, sp->pr.size, "no answer to seq %u within %.0f ms", sp->pr.seq,
			      (sp->deadline - sp->t_sent) * 1e3);
			mx_pmtu_lost(&p->s, sp->pr.size);
		}
	}
}

static void run(struct prober *p)
{
	unsigned size;

	/* The base and the interface MTU together: one round trip settles
	 * the common case (the whole path carries our MTU). */
	size = mx_pmtu_next(&p->s);
	if (size)
		send_probe(p, size);
	if (p->s.local_mtu > size && !p->s.done)
		send_probe(p, p->s.local_mtu);
	for (;;) {
		struct sent_probe *sp = in_flight(p);
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		int ms;

		if (!sp) {
			if (p->s.done || p->nsent == MAX_OUT)
				break;
			size = mx_pmtu_next(&p->s);
			if (!size)
				break;
			send_probe(p, size);
			/* Nothing answered yet (IPv4): the base and the smallest
			 * probe go out together, so a silent peer costs
			 * MAX_PROBES rounds, not twice that. */
			if (p->s.lo == 0 && p->s.min_mtu < p->s.base) {
				unsigned other = size == p->s.base ? p->s.min_mtu : p->s.base;

				if (mx_pmtu_next(&p->s) == other)
					send_probe(p, other);
			}
			continue;
		}
		ms = (int)((sp->deadline - now_s()) * 1e3) + 1;
		if (ms < 0)
			ms = 0;
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			break;
		if (pfd.revents & POLLERR)
			read_errors(p);
		if (pfd.revents & POLLIN)
			read_replies(p);
		expire(p);
	}
	/* Answers still on their way for probes given up on are ignored. */
}

int mx_pmtu_discover(const struct sockaddr *dst, double timeout_s, struct mx_pmtu_report *rep)
{
	struct prober *p;
	struct mx_route rt;
	const void *addr;
	int err, rc = -1;

	memset(rep, 0, sizeof(*rep));
	rep->family = dst->sa_family;
	if (dst->sa_family != AF_INET && dst->sa_family != AF_INET6) {
		snprintf(rep->error, sizeof(rep->error), "address family %d is not IPv4 or IPv6",
			 dst->sa_family);
		return -1;
	}
	addr_of(dst, rep->target, sizeof(rep->target));
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(rep->error, sizeof(rep->error), "out of memory");
		return -1;
	}
	p->fd = -1;
	p->rep = rep;
	p->v6 = dst->sa_family == AF_INET6;
	p->dlen = p->v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	memcpy(&p->dst, dst, p->dlen);
	((struct sockaddr_in *)&p->dst)->sin_port = 0;
	p->timeout_s = timeout_s > 0 ? timeout_s : 5;
	addr = p->v6 ? (const void *)&((struct sockaddr_in6 *)&p->dst)->sin6_addr
		     : (const void *)&((struct sockaddr_in *)&p->dst)->sin_addr;
	err = mx_route_get(dst->sa_family, addr, &rt);
	if (err) {
		snprintf(rep->error, sizeof(rep->error), "no route to %s: %s", rep->target,
			 strerror(-err));
		goto out;
	}
	snprintf(rep->ifname, sizeof(rep->ifname), "%s", rt.ifname);
	snprintf(rep->gateway, sizeof(rep->gateway), "%s", rt.gateway);
	rep->dev_mtu = rt.dev_mtu;
	rep->local_mtu = rt.route_mtu && rt.route_mtu < rt.dev_mtu ? rt.route_mtu : rt.dev_mtu;
	if (rep->local_mtu > 65535)
		rep->local_mtu = 65535; /* lo: 65536, but an IP packet ends at 65535 */
	if (!rep->local_mtu) {
		snprintf(rep->error, sizeof(rep->error), "%s: no usable MTU (%u)", rt.ifname,
			 rep->local_mtu);
		goto out;
	}
	if (getrandom(&p->id, sizeof(p->id), 0) != sizeof(p->id))
		p->id = (uint16_t)getpid();
	if (open_socket(p))
		goto out;
	mx_pmtu_init(&p->s, p->v6, rep->local_mtu);
	p->t0 = now_s();
	run(p);
	rep->elapsed_s = now_s() - p->t0;
	rep->local_mtu = p->s.local_mtu;
	rep->unreachable = p->s.unreachable || p->s.lo == 0;
	rep->pmtu = rep->unreachable ? 0 : p->s.lo;
	rep->bound = rep->unreachable ? MX_BOUND_NONE : p->s.hi_bound;
	rep->rtt_ms = p->srtt * 1e3;
	rc = 0;
out:
	if (p->fd >= 0)
		close(p->fd);
	free(p);
	return rc;
}
