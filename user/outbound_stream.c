// SPDX-License-Identifier: GPL-2.0
/* Outbound probes over TCP: connect, optional TLS, then the protocol's
 * request and reply (HTTP, rsync, DNS over TCP, SMTPS; SMTP in outbound_smtp.c). */
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

static void app_begin(struct ob_probe *op);

void ob_queue_write(struct ob_probe *op, const void *buf, size_t len)
{
	if (len > sizeof(op->wbuf))
		len = sizeof(op->wbuf);
	memcpy(op->wbuf, buf, len);
	op->wlen = len;
	op->woff = 0;
}

static int stream_start(struct mx_probe *p)
{
	struct ob_probe *op = ob_of(p);
	int fd = ob_open_socket(op, SOCK_STREAM, 0);

	if (fd < 0) {
		mx_probe_fail(p, -fd, "socket: %s", strerror(-fd));
		return fd;
	}
	op->stage = OB_ST_CONNECT;
	if (connect(fd, (struct sockaddr *)&p->addr, p->addrlen) < 0 && errno != EINPROGRESS) {
		mx_probe_fail(p, errno, "connect to %s port %u: %s", p->addr_str, p->port,
			      ob_err_words(errno));
		return -1;
	}
	return 0;
}

static int use_tls(const struct ob_probe *op)
{
	return op->kind == OB_SMTPS || op->kind == OB_TLS || op->kind == OB_ASN;
}

static void app_begin(struct ob_probe *op)
{
	char req[512];
	int n;

	op->stage = OB_ST_APP;
	switch (op->kind) {
	case OB_TCP:
		mx_probe_ok(&op->p, "TCP connection established");
		return;
	case OB_TLS:
		mx_probe_ok(&op->p, "TLS handshake done (%s), certificate valid for %s",
			    op->tls_version, op->p.host);
		return;
	case OB_HTTP:
	case OB_ASN:
	case OB_PUBIP4:
	case OB_PUBIP6:
		/* HTTP/1.0: no chunked bodies, the server closes after the reply. */
		/* An IPv6 literal goes in brackets (RFC 7230 5.4). */
		n = snprintf(req, sizeof(req),
			     "GET / HTTP/1.0\r\nHost: %s%s%s\r\nUser-Agent: mxprobe\r\n"
			     "Accept: */*\r\nConnection: close\r\n\r\n",
			     strchr(op->p.host, ':') ? "[" : "", op->p.host,
			     strchr(op->p.host, ':') ? "]" : "");
		ob_queue_write(op, req, n);
		return;
	case OB_DNS: {
		uint8_t q[300];
		int ql = mx_dns_query(q + 2, sizeof(q) - 2, op->dns_id);

		if (ql < 0) {
			mx_probe_fail(&op->p, 0, "cannot build the DNS query");
			return;
		}
		q[0] = ql >> 8;
		q[1] = ql & 0xff;
		ob_queue_write(op, q, ql + 2);
		return;
	}
	default:
		return; /* SMTP, SMTPS, rsync: the server speaks first */
	}
}

/* Looks at what arrived; finishes the probe when it can. */
static void app_check(struct ob_probe *op, int eof)
{
	struct mx_probe *p = &op->p;
	char *buf = (char *)op->rbuf;
	enum mx_reply v;

	switch (op->kind) {
	case OB_SMTP:
		ob_smtp_step(op, eof);
		return;
	case OB_SMTPS:
		v = mx_smtp_banner(buf, op->rlen, &op->code, op->text, sizeof(op->text));
		if (v == MX_REPLY_VALID) {
			/* Leave politely: the server logs a clean session. */
			if (ob_conn_write(op, p->fds[0], "QUIT\r\n", 6) < 0) {
				/* the close below ends the session anyway */
			}
			if (op->ssl)
				mx_probe_ok(p, "%s, %s", op->tls_version, op->text);
			else
				mx_probe_ok(p, "%s", op->text);
		} else if (v == MX_REPLY_BAD) {
			mx_probe_fail(p, 0, "server answered but refuses: %s", op->text);
		} else if (eof) {
			mx_probe_fail(p, 0, "connection closed before a complete 220 greeting");
		}
		return;
	case OB_RSYNC:
		v = mx_rsync_greeting(buf, op->rlen, op->text, sizeof(op->text));
		if (v == MX_REPLY_VALID)
			mx_probe_ok(p, "@RSYNCD: %s", op->text);
		else if (v == MX_REPLY_BAD)
			mx_probe_fail(p, 0, "not an rsync daemon greeting: %.40s", buf);
		else if (eof)
			mx_probe_fail(p, 0, "connection closed before the @RSYNCD: greeting");
		return;
	case OB_HTTP:
	case OB_ASN:
	case OB_PUBIP4:
	case OB_PUBIP6: {
		size_t off = 0, blen = 0;

		v = mx_http_response(buf, op->rlen, eof, &op->code, &off, &blen);
		if (v == MX_REPLY_MORE)
			return;
		if (v == MX_REPLY_BAD) {
			mx_probe_fail(p, 0, "not an HTTP response: %.40s", buf);
			return;
		}
		if (op->kind == OB_PUBIP4 || op->kind == OB_PUBIP6) {
			unsigned char a[16];
			size_t i;

			while (blen && (buf[off + blen - 1] == '\n' ||
					buf[off + blen - 1] == '\r' || buf[off + blen - 1] == ' '))
				blen--;
			snprintf(op->text, sizeof(op->text), "%.*s", (int)(blen > 64 ? 64 : blen),
				 buf + off);
			for (i = 0; op->text[i]; i++)
				if ((unsigned char)op->text[i] < 32)
					op->text[i] = '?';
			if (op->code != 200 || inet_pton(op->kind == OB_PUBIP4 ? AF_INET : AF_INET6,
							 op->text, a) != 1) {
				mx_probe_fail(p, 0, "HTTP %d, body is not an IPv%c address: '%s'",
					      op->code, op->kind == OB_PUBIP4 ? '4' : '6',
					      op->text);
				return;
			}
			mx_probe_ok(p, "public address %s", op->text);
			return;
		}
		mx_probe_ok(p, "HTTP %d", op->code);
		return;
	}
	case OB_DNS: {
		char why[128];
		size_t mlen;

		if (op->rlen < 2)
			goto more;
		mlen = (size_t)op->rbuf[0] << 8 | op->rbuf[1];
		if (op->rlen < mlen + 2)
			goto more;
		v = mx_dns_check(op->rbuf + 2, mlen, op->dns_id, &op->dns_aa, why, sizeof(why));
		if (v == MX_REPLY_VALID)
			mx_probe_ok(p, "SOA of . answered over TCP%s",
				    op->dns_aa ? " (authoritative)" : "");
		else {
			op->answered_wrongly = v == MX_REPLY_BAD;
			mx_probe_fail(p, 0, "DNS over TCP: %s", why);
		}
		return;
	more:
		if (eof)
			mx_probe_fail(p, 0, "DNS over TCP: connection closed before a full answer");
		return;
	}
	default:
		return;
	}
}

static void stream_io(struct mx_probe *p, int fd, uint32_t events)
{
	struct ob_probe *op = ob_of(p);

	if (op->stage == OB_ST_CONNECT) {
		int err = 0;
		socklen_t el = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			mx_probe_fail(p, err, "connect to %s port %u: %s", p->addr_str, p->port,
				      ob_err_words(err));
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		op->t_connected = mx_now();
		if (use_tls(op)) {
			op->stage = OB_ST_TLS;
		} else {
			app_begin(op);
			if (p->state == MX_PROBE_DONE)
				return;
			mx_loop_modify(p, fd, op->wlen ? EPOLLOUT : EPOLLIN);
			if (op->wlen)
				events = EPOLLOUT;
			else
				return;
		}
	}
	if (op->stage == OB_ST_TLS) {
		int r = ob_tls_step(op, fd);

		if (r <= 0)
			return;
		if (op->kind == OB_SMTP) {
			ob_smtp_finish(op, NULL);
			return;
		}
		app_begin(op);
		if (p->state == MX_PROBE_DONE)
			return;
		events = EPOLLOUT | EPOLLIN;
	}
	/* Application stage: flush our request, then read. */
	while (op->woff < op->wlen) {
		ssize_t n = ob_conn_write(op, fd, op->wbuf + op->woff, op->wlen - op->woff);

		if (n < 0) {
			if (errno == EAGAIN) {
				mx_loop_modify(p, fd, EPOLLOUT);
				return;
			}
			mx_probe_fail(p, errno, "send request: %s", strerror(errno));
			return;
		}
		op->woff += n;
	}
	mx_loop_modify(p, fd, EPOLLIN);
	for (;;) {
		ssize_t n;

		if (op->rlen >= sizeof(op->rbuf) - 1) {
			app_check(op, 1);
			if (p->state != MX_PROBE_DONE)
				mx_probe_fail(p, 0, "reply too long without an end");
			return;
		}
		n = ob_conn_read(op, fd, op->rbuf + op->rlen, sizeof(op->rbuf) - 1 - op->rlen);
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			if (errno == EINTR)
				continue;
			mx_probe_fail(p, errno, "receive: %s", ob_err_words(errno));
			return;
		}
		if (n == 0) {
			op->rbuf[op->rlen] = 0;
			app_check(op, 1);
			return;
		}
		op->rlen += n;
		op->rbuf[op->rlen] = 0;
	}
	app_check(op, 0);
}

static void stream_timeout(struct mx_probe *p)
{
	struct ob_probe *op = ob_of(p);
	double t = p->loop ? mx_now() - p->t_start : 0;

	if (op->kind == OB_SMTP && op->smtp_step > 0) {
		/* Port 25 works (banner read); what hangs is the TLS part. */
		if (op->stage == OB_ST_TLS)
			ob_smtp_finish(
			    op,
			    "the STARTTLS handshake stalled for %.1f s: typical of a path "
			    "MTU problem (see mxprobe mtu)",
			    t);
		else
			ob_smtp_finish(op, "no reply to %s in %.1f s",
				       op->smtp_step == 1 ? "EHLO" : "STARTTLS", t);
		return;
	}
	switch (op->stage) {
	case OB_ST_CONNECT:
		mx_probe_fail(
		    p, ETIMEDOUT,
		    "connect to %s port %u: no answer to SYN in %.1f s (dropped on the way)",
		    p->addr_str, p->port, t);
		break;
	case OB_ST_TLS:
		mx_probe_fail(p, ETIMEDOUT,
			      "TCP connected, but the TLS handshake stalled for %.1f s (MTU or a "
			      "filtering proxy?)",
			      t);
		break;
	default:
		mx_probe_fail(p, ETIMEDOUT,
			      "connected, but no complete reply in %.1f s (%zu bytes)", t,
			      op->rlen);
	}
}

static void stream_cleanup(struct mx_probe *p)
{
	struct ob_probe *op = ob_of(p);

	if (op->ssl) {
		SSL_free(op->ssl);
		op->ssl = NULL;
	}
}

const struct mx_probe_ops ob_stream_ops = {
    .start = stream_start,
    .io = stream_io,
    .timeout = stream_timeout,
    .cleanup = stream_cleanup,
};
