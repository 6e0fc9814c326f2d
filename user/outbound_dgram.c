// SPDX-License-Identifier: GPL-2.0
/* Outbound probes over datagrams: DNS/UDP, NTP, rspamd fuzzy and ICMP
 * echo; requests resent by the engine, replies validated in probe_proto.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "outbound.h"

static void dgram_send(struct mx_probe *p)
{
	struct ob_probe *op = ob_of(p);

	if (op->kind == OB_NTP) {
		/* Each send gets a fresh timestamp and nonce: the reply names the
		 * send it answers, which keeps the offset exact. */
		uint64_t now = mx_ntp_now();

		op->ntp_tx = mx_ntp_stamp(now);
		op->ntp_t1 = mx_ntp_to_double(now);
		mx_ntp_request(op->wbuf, op->ntp_tx);
	}
	if (send(p->fds[0], op->wbuf, op->wlen, 0) < 0 && errno != EAGAIN) {
		mx_probe_fail(p, errno, "send to %s port %u: %s", p->addr_str, p->port,
			      ob_err_words(errno));
		return;
	}
	p->sent++;
}

static int dgram_start(struct mx_probe *p)
{
	struct ob_probe *op = ob_of(p);
	int fd = ob_open_socket(op, SOCK_DGRAM, 0);
	int len;

	if (fd < 0) {
		mx_probe_fail(p, -fd, "socket: %s", strerror(-fd));
		return fd;
	}
	mx_loop_modify(p, fd, EPOLLIN);
	ob_want_icmp_errors(fd, p->family);
	/* connect(): the kernel then only hands us datagrams from the peer and
	 * reports its ICMP errors on this socket. */
	if (connect(fd, (struct sockaddr *)&p->addr, p->addrlen) < 0) {
		mx_probe_fail(p, errno, "connect to %s: %s", p->addr_str, ob_err_words(errno));
		return -1;
	}
	switch (op->kind) {
	case OB_DNS:
		mx_random(&op->dns_id, sizeof(op->dns_id));
		len = mx_dns_query(op->wbuf, sizeof(op->wbuf), op->dns_id);
		op->wlen = len > 0 ? (size_t)len : 0;
		break;
	case OB_NTP:
		op->wlen = MX_NTP_LEN;
		break;
	case OB_FUZZY:
		mx_random(&op->fuzzy_tag, sizeof(op->fuzzy_tag));
		mx_random(op->fuzzy_digest, sizeof(op->fuzzy_digest));
		mx_fuzzy_request(op->wbuf, op->fuzzy_tag, op->fuzzy_digest);
		op->wlen = MX_FUZZY_CMD_LEN;
		break;
	default:
		break;
	}
	dgram_send(p);
	return 0;
}

static void dgram_verdict(struct ob_probe *op, const uint8_t *buf, size_t n)
{
	struct mx_probe *p = &op->p;
	char why[160] = "";
	enum mx_reply v = MX_REPLY_ALIEN;

	switch (op->kind) {
	case OB_DNS:
		v = mx_dns_check(buf, n, op->dns_id, &op->dns_aa, why, sizeof(why));
		if (v == MX_REPLY_VALID)
			mx_probe_ok(p, "SOA of . answered from source port %u%s", op->sport,
				    op->dns_aa ? " (authoritative)" : "");
		break;
	case OB_NTP: {
		struct mx_ntp_reply r;
		double t4 = mx_ntp_to_double(mx_ntp_now());

		v = mx_ntp_check(buf, n, op->ntp_tx, &r, why, sizeof(why));
		if (v == MX_REPLY_VALID) {
			op->ntp_stratum = r.stratum;
			op->ntp_offset_s = ((r.t2 - op->ntp_t1) + (r.t3 - t4)) / 2;
			mx_probe_ok(p, "stratum %d, clock offset %+.3f s", r.stratum,
				    op->ntp_offset_s);
		}
		break;
	}
	case OB_FUZZY: {
		int32_t value = 0;

		v = mx_fuzzy_check(buf, n, op->fuzzy_tag, op->fuzzy_digest, &value, why,
				   sizeof(why));
		if (v == MX_REPLY_VALID) {
			op->code = value;
			if (value == 403)
				mx_probe_ok(p, "fuzzy_storage answered our tag (403: it only takes "
					       "encrypted commands)");
			else
				mx_probe_ok(p, "fuzzy_storage answered our tag (value %d)", value);
		}
		break;
	}
	default:
		break;
	}
	if (v == MX_REPLY_BAD) {
		op->answered_wrongly = 1;
		mx_probe_fail(p, 0, "%s", why);
	} else if (v == MX_REPLY_ALIEN) {
		op->alien++;
		mx_dbg("outbound: %s: ignored a reply from %s: %s", op->p.host, op->p.addr_str,
		       why);
		snprintf(op->text, sizeof(op->text), "%s", why);
	}
}

static void dgram_io(struct mx_probe *p, int fd, uint32_t events)
{
	struct ob_probe *op = ob_of(p);
	uint8_t buf[2048];

	while (p->state == MX_PROBE_RUNNING) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* An ICMP error for a send of ours (connected socket). */
			char icmp[200];
			int err = errno;

			if (ob_icmp_error(p, fd, icmp, sizeof(icmp)))
				mx_probe_fail(p, err, "%s", icmp);
			else if (errno == ECONNREFUSED)
				mx_probe_fail(p, errno, "%s answered ICMP port unreachable",
					      p->addr_str);
			else
				mx_probe_fail(p, errno, "receive: %s", ob_err_words(errno));
			return;
		}
		dgram_verdict(op, buf, n);
	}
}

static void dgram_timeout(struct mx_probe *p)
{
	struct ob_probe *op = ob_of(p);
	double t = mx_now() - p->t_start;

	if (op->alien)
		mx_probe_fail(p, ETIMEDOUT,
			      "%u repl%s from %s did not match our request (%s): not believed; no "
			      "valid answer in %.1f s",
			      op->alien, op->alien == 1 ? "y" : "ies", p->addr_str, op->text, t);
	else if (op->ports != OB_PORTS_ANY)
		mx_probe_fail(p, ETIMEDOUT, "no answer to %d quer%s from source port %u in %.1f s",
			      p->sent, p->sent == 1 ? "y" : "ies", op->sport, t);
	else
		mx_probe_fail(p, ETIMEDOUT, "no answer to %d request%s in %.1f s", p->sent,
			      p->sent == 1 ? "" : "s", t);
}

const struct mx_probe_ops ob_dgram_ops = {
    .start = dgram_start,
    .io = dgram_io,
    .resend = dgram_send,
    .timeout = dgram_timeout,
};

int ob_icmp_socket(int family, int *raw)
{
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd;

	/* An unprivileged ping socket when net.ipv4.ping_group_range allows
	 * it (the kernel then owns the echo id), else a raw socket. */
	*raw = 0;
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd >= 0)
		return fd;
	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	*raw = 1;
	return fd;
}

const char *mx_choose_outbound(const char **why)
{
	int raw, fd = ob_icmp_socket(AF_INET, &raw);

	if (fd < 0) {
		*why =
		    "no ICMP socket: neither net.ipv4.ping_group_range nor CAP_NET_RAW allow one";
		return NULL;
	}
	close(fd);
	*why = raw ? "ICMP echo over a raw socket (ping_group_range excludes us; CAP_NET_RAW)"
		   : "ICMP echo over an unprivileged ping socket (net.ipv4.ping_group_range)";
	return "epoll probe engine";
}

static int icmp_start(struct mx_probe *p)
{
	struct ob_probe *op = ob_of(p);
	int v6 = p->family == AF_INET6;
	int fd, err, len;

	fd = ob_icmp_socket(p->family, &op->icmp_raw);
	if (fd < 0) {
		err = -fd;
		mx_probe_fail(p, err,
			      "ICMP socket: %s (needs net.ipv4.ping_group_range or CAP_NET_RAW)",
			      strerror(err));
		return fd;
	}
	err = mx_loop_watch(p, fd, EPOLLIN);
	if (err) {
		mx_probe_fail(p, -err, "epoll: %s", strerror(-err));
		return err;
	}
	ob_want_icmp_errors(fd, p->family);
	if (connect(fd, (struct sockaddr *)&p->addr, p->addrlen) < 0) {
		mx_probe_fail(p, errno, "connect to %s: %s", p->addr_str, ob_err_words(errno));
		return -1;
	}
	mx_random(&op->icmp_id, sizeof(op->icmp_id));
	mx_random(&op->icmp_seq, sizeof(op->icmp_seq));
	mx_random(op->icmp_nonce, sizeof(op->icmp_nonce));
	len =
	    mx_icmp_echo(op->wbuf, sizeof(op->wbuf), v6, op->icmp_id, op->icmp_seq, op->icmp_nonce);
	op->wlen = len;
	dgram_send(p);
	return 0;
}

static void icmp_io(struct mx_probe *p, int fd, uint32_t events)
{
	struct ob_probe *op = ob_of(p);
	int v6 = p->family == AF_INET6;
	uint8_t buf[2048];

	while (p->state == MX_PROBE_RUNNING) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const uint8_t *icmp = buf;
		size_t ilen;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* Ping sockets report the ICMP errors for our echo here. */
			char why[200];
			int err = errno;

			if (ob_icmp_error(p, fd, why, sizeof(why)))
				mx_probe_fail(p, err, "%s", why);
			else
				mx_probe_fail(p, err, "echo to %s: ICMP error back: %s",
					      p->addr_str, strerror(err));
			return;
		}
		ilen = n;
		/* Raw IPv4 sockets deliver the IP header too, and the kernel
		 * does not check ICMP sums for them. */
		if (op->icmp_raw && !v6 && !(icmp = mx_echo_ip4_icmp(buf, n, &ilen)))
			continue;
		/* Ping sockets own the id (the kernel sets and matches it). */
		if (mx_icmp_check(icmp, ilen, v6, op->icmp_raw, op->icmp_id, op->icmp_seq,
				  op->icmp_nonce) == MX_REPLY_VALID) {
			mx_probe_ok(p, "echo reply from %s", p->addr_str);
			return;
		}
		/* Raw sockets see every ICMP message: only count echo replies
		 * from our peer that carry the wrong id/sequence/nonce. */
		if (ilen >= MX_ECHO_HDR &&
		    icmp[0] == (v6 ? MX_ICMP6_ECHOREPLY : MX_ICMP4_ECHOREPLY)) {
			op->alien++;
			snprintf(op->text, sizeof(op->text), "id, sequence or payload not ours");
		}
	}
}

const struct mx_probe_ops ob_icmp_ops = {
    .start = icmp_start,
    .io = icmp_io,
    .resend = dgram_send,
    .timeout = dgram_timeout,
};
