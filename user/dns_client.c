// SPDX-License-Identifier: GPL-2.0
/* Stub resolver transport (see dns_client.h for why it is not ldns_send). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <ldns/ldns.h>

#include "dns_answer.h"
#include "dns_client.h"
#include "sysroot.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int add_server(struct mx_dns_client *c, const char *addr)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_DGRAM}, *ai;

	if (c->nsrv >= MX_DNS_MAX_SERVERS)
		return 0;
	if (getaddrinfo(addr, "53", &hints, &ai))
		return -1;
	memcpy(&c->srv[c->nsrv], ai->ai_addr, ai->ai_addrlen);
	c->srvlen[c->nsrv] = ai->ai_addrlen;
	snprintf(c->srvname[c->nsrv], sizeof(c->srvname[0]), "%s", addr);
	c->nsrv++;
	freeaddrinfo(ai);
	return 0;
}

int mx_dns_client_init(struct mx_dns_client *c, const char *resolver, double timeout_s, char *err,
		       size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->timeout_s = timeout_s > 0 ? timeout_s : 5;
	c->attempts = 3;
	if (resolver) {
		if (add_server(c, resolver)) {
			snprintf(err, errlen, "resolver '%s' is not an IP address", resolver);
			return -1;
		}
		return 0;
	}
	{
		char buf[8192], *line, *save = NULL;
		ssize_t n = mx_read_file("/etc/resolv.conf", buf, sizeof(buf));

		if (n < 0) {
			snprintf(err, errlen, "read /etc/resolv.conf: %s (give --resolver)",
				 strerror((int)-n));
			return -1;
		}
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char a[80];

			if (sscanf(line, " nameserver %79s", a) == 1)
				add_server(c, a);
		}
	}
	/* No nameserver line: the resolver library's default is the local host. */
	if (!c->nsrv)
		add_server(c, "127.0.0.1");
	return 0;
}

void mx_dns_servers_str(const struct mx_dns_client *c, char *buf, size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < c->nsrv && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "", c->srvname[i]);
}

/* Does reply answer query (RFC 5452 9.1: id, question name, type, class)? */
static const char *reply_mismatch(const ldns_pkt *reply, const ldns_pkt *query)
{
	const ldns_rr *qr, *rr;

	if (!ldns_pkt_qr(reply))
		return "not a response";
	if (ldns_pkt_id(reply) != ldns_pkt_id(query))
		return "id differs";
	if (ldns_pkt_get_opcode(reply) != LDNS_PACKET_QUERY)
		return "opcode differs";
	if (ldns_pkt_qdcount(reply) != 1 || ldns_rr_list_rr_count(ldns_pkt_question(reply)) != 1)
		return "question count differs";
	qr = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	rr = ldns_rr_list_rr(ldns_pkt_question(reply), 0);
	if (ldns_dname_compare(ldns_rr_owner(qr), ldns_rr_owner(rr)) != 0)
		return "question name differs";
	if (ldns_rr_get_type(qr) != ldns_rr_get_type(rr) ||
	    ldns_rr_get_class(qr) != ldns_rr_get_class(rr))
		return "question type or class differs";
	return NULL;
}

static int wait_fd(int fd, short ev, double deadline)
{
	for (;;) {
		double left = deadline - now_s();
		struct pollfd p = {.fd = fd, .events = ev};
		int r;

		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* UDP exchange with one server. Returns the matching reply or NULL with
 * *why set; mismatching datagrams are dropped and counted. */
static ldns_pkt *udp_exchange(struct mx_dns_client *c, int si, const uint8_t *wire, size_t wlen,
			      const ldns_pkt *q, double deadline, const char **why)
{
	uint8_t buf[65536];
	ldns_pkt *reply = NULL;
	int fd;

	fd = socket(c->srv[si].ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		*why = "socket failed";
		return NULL;
	}
	/* Connected: the kernel drops datagrams from any other address/port. */
	if (connect(fd, (struct sockaddr *)&c->srv[si], c->srvlen[si]) < 0 ||
	    send(fd, wire, wlen, 0) != (ssize_t)wlen) {
		*why = errno == ENETUNREACH ? "network unreachable" : "send failed";
		close(fd);
		return NULL;
	}
	*why = "timeout";
	while (wait_fd(fd, POLLIN, deadline) > 0) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const char *mm;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			*why = errno == ECONNREFUSED ? "connection refused (no DNS server)"
						     : "receive failed";
			break;
		}
		if (ldns_wire2pkt(&reply, buf, n) != LDNS_STATUS_OK) {
			c->dropped++;
			reply = NULL;
			continue;
		}
		mm = reply_mismatch(reply, q);
		if (mm) {
			c->dropped++;
			ldns_pkt_free(reply);
			reply = NULL;
			continue;
		}
		break;
	}
	close(fd);
	return reply;
}

static int io_full(int fd, uint8_t *b, size_t len, int wr, double deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n;

		if (wait_fd(fd, wr ? POLLOUT : POLLIN, deadline) <= 0)
			return -1;
		n = wr ? send(fd, b + off, len - off, MSG_NOSIGNAL)
		       : recv(fd, b + off, len - off, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -1;
		off += n;
	}
	return 0;
}

static ldns_pkt *tcp_exchange(struct mx_dns_client *c, int si, const uint8_t *wire, size_t wlen,
			      const ldns_pkt *q, double deadline, const char **why)
{
	uint8_t hdr[2], *buf = NULL, *out;
	ldns_pkt *reply = NULL;
	size_t len;
	int fd, soerr = 0;
	socklen_t sl = sizeof(soerr);

	fd = socket(c->srv[si].ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		*why = "socket failed";
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&c->srv[si], c->srvlen[si]) < 0 &&
	    errno != EINPROGRESS) {
		*why = "tcp connect failed";
		goto out;
	}
	if (wait_fd(fd, POLLOUT, deadline) <= 0) {
		*why = "tcp connect timeout";
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
		*why = soerr == ECONNREFUSED ? "tcp connection refused" : "tcp connect failed";
		goto out;
	}
	out = malloc(wlen + 2);
	if (!out) {
		*why = "out of memory";
		goto out;
	}
	out[0] = wlen >> 8;
	out[1] = wlen & 0xff;
	memcpy(out + 2, wire, wlen);
	if (io_full(fd, out, wlen + 2, 1, deadline)) {
		free(out);
		*why = "tcp send failed";
		goto out;
	}
	free(out);
	if (io_full(fd, hdr, 2, 0, deadline)) {
		*why = "tcp receive failed or timed out";
		goto out;
	}
	len = (size_t)hdr[0] << 8 | hdr[1];
	buf = malloc(len ? len : 1);
	if (!buf || io_full(fd, buf, len, 0, deadline)) {
		*why = "tcp receive failed or timed out";
		goto out;
	}
	if (ldns_wire2pkt(&reply, buf, len) != LDNS_STATUS_OK) {
		*why = "malformed tcp reply";
		reply = NULL;
		goto out;
	}
	if (reply_mismatch(reply, q)) {
		*why = "tcp reply does not match the query";
		c->dropped++;
		ldns_pkt_free(reply);
		reply = NULL;
	}
out:
	free(buf);
	close(fd);
	return reply;
}

/* One question to server si: a fresh random id, AD set, EDNS0 unless edns
 * is 0, CD when cd is set; TCP when the UDP reply is truncated. Returns the
 * validated reply or NULL with *why. */
static ldns_pkt *ask(struct mx_dns_client *c, int si, const ldns_rdf *qn, int type, int edns,
		     int cd, double per_try, const char **why, const char **transport)
{
	ldns_pkt *q, *reply;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	uint16_t id;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)(now_s() * 1e6);
	q = ldns_pkt_query_new(ldns_rdf_clone(qn), (ldns_rr_type)type, LDNS_RR_CLASS_IN, LDNS_RD);
	if (!q) {
		*why = "out of memory";
		return NULL;
	}
	ldns_pkt_set_id(q, id);
	/* AD in a query asks for the AD bit in the reply (RFC 6840 5.7). */
	ldns_pkt_set_ad(q, true);
	ldns_pkt_set_cd(q, cd);
	if (edns)
		ldns_pkt_set_edns_udp_size(q, 1232);
	if (ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK) {
		ldns_pkt_free(q);
		*why = "cannot encode the query";
		return NULL;
	}
	*transport = edns ? "udp" : "udp-noedns";
	reply = udp_exchange(c, si, wire, wlen, q, now_s() + per_try, why);
	if (reply && ldns_pkt_tc(reply)) {
		/* Truncated: the full answer over TCP (RFC 7766). */
		ldns_pkt_free(reply);
		*transport = "tcp";
		reply = tcp_exchange(c, si, wire, wlen, q, now_s() + c->timeout_s, why);
	}
	free(wire);
	ldns_pkt_free(q);
	return reply;
}

void mx_dns_lookup(struct mx_dns_client *c, const char *name, int type, struct mx_rrset *out)
{
	double t0 = now_s(), per_try;
	const char *why = "no server";
	const char *server = NULL, *transport = "udp";
	ldns_pkt *reply = NULL;
	ldns_rdf *qn;
	int si, a, last = 0;

	memset(out, 0, sizeof(*out));
	out->status = MX_RR_ERROR;
	c->queries++;
	qn = ldns_dname_new_frm_str(name);
	if (!qn || strlen(name) > 253) {
		snprintf(out->error, sizeof(out->error), "'%.60s' is not a valid DNS name", name);
		ldns_rdf_deep_free(qn);
		mx_dns_log_query(c, name, type, NULL, "none", NULL, out, 0);
		return;
	}
	per_try = c->timeout_s / c->attempts;
	for (si = 0; si < c->nsrv && !reply; si++) {
		int edns = 1;

		server = c->srvname[si];
		last = si;
		for (a = 0; a < c->attempts && !reply; a++) {
			reply = ask(c, si, qn, type, edns, 0, per_try, &why, &transport);
			if (reply) {
				ldns_pkt_rcode rc = ldns_pkt_get_rcode(reply);

				/* A server (or middlebox) that does not know EDNS answers
				 * FORMERR/NOTIMP: ask again without it (RFC 6891 7). */
				if (edns &&
				    (rc == LDNS_RCODE_FORMERR || rc == LDNS_RCODE_NOTIMPL)) {
					ldns_pkt_free(reply);
					reply = NULL;
					edns = 0;
					a--;
					continue;
				}
				/* SERVFAIL/REFUSED: another server may do better. */
				if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN &&
				    si + 1 < c->nsrv) {
					ldns_pkt_free(reply);
					reply = NULL;
					why = "server failure";
					break;
				}
			} else if (strstr(why, "refused") || strstr(why, "unreachable")) {
				break; /* retrying the same server will not help */
			}
		}
	}
	if (reply) {
		mx_dns_fill(reply, name, type, out);
	} else {
		snprintf(out->error, sizeof(out->error), "%s (asked %s)", why,
			 server ? server : "nobody");
	}
	if (reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_SERVFAIL) {
		/* A validating resolver answers SERVFAIL for bogus DNSSEC data.
		 * With checking disabled (CD) it gives the data if that is all:
		 * then the signatures, not the servers, are broken. */
		const char *w2, *t2;
		ldns_pkt *cdr = ask(c, last, qn, type, 1, 1, per_try, &w2, &t2);

		if (cdr && (ldns_pkt_get_rcode(cdr) == LDNS_RCODE_NOERROR ||
			    ldns_pkt_get_rcode(cdr) == LDNS_RCODE_NXDOMAIN)) {
			out->bogus = 1;
			snprintf(out->error, sizeof(out->error),
				 "SERVFAIL, but it answers with checking disabled (CD): DNSSEC "
				 "validation fails (bogus or expired signatures)");
		}
		ldns_pkt_free(cdr);
	}
	mx_dns_log_query(c, name, type, server, transport, reply, out, (now_s() - t0) * 1000);
	ldns_pkt_free(reply);
	ldns_rdf_deep_free(qn);
}

void mx_dns_lookup_cb(void *client, const char *name, int type, struct mx_rrset *out)
{
	mx_dns_lookup(client, name, type, out);
}
