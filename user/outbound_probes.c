// SPDX-License-Identifier: GPL-2.0
/* The protocol side of each outbound probe kind: sockets, TLS, requests and
 * the validation of replies (probe_proto.c) on the engine's epoll loop. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/errqueue.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "outbound.h"

static const char *const kind_names[OB_NKINDS] = {
    [OB_TCP] = "tcp",	    [OB_SMTP] = "smtp", [OB_SMTPS] = "smtps", [OB_RSYNC] = "rsync",
    [OB_TLS] = "tls",	    [OB_HTTP] = "http", [OB_ASN] = "asn",     [OB_PUBIP4] = "pubip4",
    [OB_PUBIP6] = "pubip6", [OB_DNS] = "dns",	[OB_FUZZY] = "fuzzy", [OB_NTP] = "ntp",
    [OB_ICMP] = "icmp",
};

int ob_kind_parse(const char *kind, enum ob_kind *out)
{
	int i;

	for (i = 0; i < OB_NKINDS; i++)
		if (!strcmp(kind, kind_names[i])) {
			*out = i;
			return 0;
		}
	return -1;
}

const char *ob_kind_name(enum ob_kind k)
{
	return k < OB_NKINDS ? kind_names[k] : "?";
}

static SSL_CTX *tls_ctx;

int ob_tls_init(const char *ca_file)
{
	if (tls_ctx)
		return 0;
	tls_ctx = SSL_CTX_new(TLS_client_method());
	if (!tls_ctx) {
		mx_err("outbound: create TLS context: %s",
		       ERR_reason_error_string(ERR_get_error()));
		return -1;
	}
	SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_PEER, NULL);
	if (ca_file && *ca_file) {
		if (SSL_CTX_load_verify_locations(tls_ctx, ca_file, NULL) != 1) {
			const char *why = ERR_reason_error_string(ERR_get_error());

			mx_err("outbound: load CA file %s: %s", ca_file,
			       access(ca_file, R_OK) ? strerror(errno)
			       : why		     ? why
						     : "not a PEM file");
			SSL_CTX_free(tls_ctx);
			tls_ctx = NULL;
			return -1;
		}
	} else if (SSL_CTX_set_default_verify_paths(tls_ctx) != 1) {
		mx_warn("outbound: no system certificate store: TLS probes will fail to verify");
	}
	return 0;
}

void ob_tls_free(void)
{
	SSL_CTX_free(tls_ctx);
	tls_ctx = NULL;
}

static struct ob_probe *OB(struct mx_probe *p)
{
	return p->proto;
}

static const char *target_host(struct ob_probe *op)
{
	return op->p.host;
}

/* Binds to a random free port in the probe's range (5 attempts, then the
 * range's ports in order from a random start). */
static int bind_range(int fd, struct ob_probe *op)
{
	unsigned lo = op->ports == OB_PORTS_LOW ? OB_LOW_MIN : OB_HIGH_MIN;
	unsigned hi = op->ports == OB_PORTS_LOW ? OB_LOW_MAX : OB_HIGH_MAX;
	unsigned span = hi - lo + 1, start, i;
	struct sockaddr_storage ss;
	socklen_t len;

	mx_random(&start, sizeof(start));
	for (i = 0; i < 64; i++) {
		uint16_t port = lo + (start + i * 7919u) % span;

		memset(&ss, 0, sizeof(ss));
		ss.ss_family = op->p.family;
		if (op->p.family == AF_INET) {
			((struct sockaddr_in *)&ss)->sin_port = htons(port);
			len = sizeof(struct sockaddr_in);
		} else {
			((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
			len = sizeof(struct sockaddr_in6);
		}
		if (bind(fd, (struct sockaddr *)&ss, len) == 0) {
			op->sport = port;
			return 0;
		}
		if (errno != EADDRINUSE && errno != EACCES)
			return -errno;
	}
	return -EADDRINUSE;
}

static int open_socket(struct ob_probe *op, int type, int proto)
{
	int fd = socket(op->p.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	int err;

	if (fd < 0)
		return -errno;
	if (op->ports != OB_PORTS_ANY) {
		err = bind_range(fd, op);
		if (err) {
			close(fd);
			return err;
		}
	}
	err = mx_loop_watch(&op->p, fd, EPOLLOUT);
	if (err)
		return err;
	return fd;
}

/* Words for the common connect/send errors, as an admin reads them. */
static const char *err_words(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "refused (TCP RST or ICMP port unreachable)";
	case EHOSTUNREACH:
		return "host unreachable (ICMP from a router, or a REJECT rule)";
	case ENETUNREACH:
		return "network unreachable (no route)";
	case EACCES:
	case EPERM:
		return "blocked by a local firewall rule (EPERM)";
	case ETIMEDOUT:
		return "timed out";
	default:
		return strerror(err);
	}
}

/* ICMP errors: with IP_RECVERR the kernel queues the ICMP message that
 * answered our datagram, with the address of the router that sent it. */
static void want_icmp_errors(int fd, int family)
{
	int one = 1;

	if (family == AF_INET6)
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
}

static const char *icmp_words(int v6, int type, int code)
{
	if (!v6 && type == 3) {
		switch (code) {
		case 0:
			return "network unreachable";
		case 1:
			return "host unreachable";
		case 3:
			return "port unreachable";
		case 9:
		case 10:
		case 13:
			return "administratively prohibited";
		default:
			return "destination unreachable";
		}
	}
	if (v6 && type == 1) {
		switch (code) {
		case 0:
			return "no route to destination";
		case 1:
		case 5:
		case 6:
			return "administratively prohibited";
		case 3:
			return "address unreachable";
		case 4:
			return "port unreachable";
		default:
			return "destination unreachable";
		}
	}
	if ((!v6 && type == 11) || (v6 && type == 3))
		return "time exceeded (a routing loop?)";
	return "error";
}

/* Reads one queued ICMP error; 1 with a sentence in buf, else 0. */
static int icmp_error(struct mx_probe *p, int fd, char *buf, size_t len)
{
	char ctrl[512], data[64], from[INET6_ADDRSTRLEN] = "?";
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
	struct cmsghdr *c;

	if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		struct sock_extended_err *ee;
		struct sockaddr *off;
		int v6;

		if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		ee = (struct sock_extended_err *)CMSG_DATA(c);
		v6 = ee->ee_origin == SO_EE_ORIGIN_ICMP6;
		if (ee->ee_origin != SO_EE_ORIGIN_ICMP && !v6)
			continue;
		off = SO_EE_OFFENDER(ee);
		if (off->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)off)->sin_addr, from,
				  sizeof(from));
		else if (off->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)off)->sin6_addr, from,
				  sizeof(from));
		snprintf(buf, len, "ICMP %s from %s%s", icmp_words(v6, ee->ee_type, ee->ee_code),
			 from,
			 strcmp(from, p->addr_str)
			     ? " (a router or firewall on the path, not the target)"
			     : " (the target itself)");
		return 1;
	}
	return 0;
}

/* Stream probes ----------------------------------------------------------- */

static void app_begin(struct ob_probe *op);

static void queue_write(struct ob_probe *op, const void *buf, size_t len)
{
	if (len > sizeof(op->wbuf))
		len = sizeof(op->wbuf);
	memcpy(op->wbuf, buf, len);
	op->wlen = len;
	op->woff = 0;
}

static int stream_start(struct mx_probe *p)
{
	struct ob_probe *op = OB(p);
	int fd = open_socket(op, SOCK_STREAM, 0);

	if (fd < 0) {
		mx_probe_fail(p, -fd, "socket: %s", strerror(-fd));
		return fd;
	}
	op->stage = OB_ST_CONNECT;
	if (connect(fd, (struct sockaddr *)&p->addr, p->addrlen) < 0 && errno != EINPROGRESS) {
		mx_probe_fail(p, errno, "connect to %s port %u: %s", p->addr_str, p->port,
			      err_words(errno));
		return -1;
	}
	return 0;
}

static int use_tls(const struct ob_probe *op)
{
	return op->kind == OB_SMTPS || op->kind == OB_TLS || op->kind == OB_ASN;
}

static void tls_record(struct ob_probe *op)
{
	X509 *cert = SSL_get1_peer_certificate(op->ssl);

	snprintf(op->tls_version, sizeof(op->tls_version), "%s", SSL_get_version(op->ssl));
	snprintf(op->tls_cipher, sizeof(op->tls_cipher), "%s", SSL_get_cipher_name(op->ssl));
	if (cert) {
		X509_NAME_oneline(X509_get_subject_name(cert), op->tls_subject,
				  sizeof(op->tls_subject));
		X509_NAME_oneline(X509_get_issuer_name(cert), op->tls_issuer,
				  sizeof(op->tls_issuer));
		X509_free(cert);
	}
}

/* Ends a port-25 session that got its 220 banner: a pass, with a warning
 * when the STARTTLS part went wrong (warn_fmt != NULL). */
static void smtp_finish(struct ob_probe *op, const char *warn_fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Drives the handshake; 1 done, 0 waiting, -1 failed (probe finished). */
static int tls_step(struct ob_probe *op, int fd)
{
	int r, e;

	if (!op->ssl) {
		op->ssl = SSL_new(tls_ctx);
		if (!op->ssl || SSL_set_fd(op->ssl, fd) != 1) {
			mx_probe_fail(&op->p, 0, "TLS: cannot create a session");
			return -1;
		}
		unsigned char a[16];

		/* SNI and the name the certificate must carry. */
		if (!inet_pton(AF_INET, target_host(op), a) &&
		    !inet_pton(AF_INET6, target_host(op), a))
			SSL_set_tlsext_host_name(op->ssl, target_host(op));
		SSL_set1_host(op->ssl, target_host(op));
		/* MTAs encrypt opportunistically and accept any certificate on
		 * port 25: verify, but only report the result. */
		if (op->kind == OB_SMTP)
			SSL_set_verify(op->ssl, SSL_VERIFY_NONE, NULL);
	}
	ERR_clear_error();
	r = SSL_connect(op->ssl);
	if (r == 1) {
		long vr = SSL_get_verify_result(op->ssl);

		tls_record(op);
		if (vr != X509_V_OK)
			snprintf(op->tls_verify_error, sizeof(op->tls_verify_error), "%s",
				 X509_verify_cert_error_string(vr));
		return 1;
	}
	e = SSL_get_error(op->ssl, r);
	if (e == SSL_ERROR_WANT_READ) {
		mx_loop_modify(&op->p, fd, EPOLLIN);
		return 0;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		mx_loop_modify(&op->p, fd, EPOLLOUT);
		return 0;
	}
	long vr = SSL_get_verify_result(op->ssl);

	if (op->kind == OB_SMTP) {
		unsigned long ee = ERR_get_error();

		smtp_finish(op, "STARTTLS handshake failed: %s",
			    ee ? ERR_reason_error_string(ee) : "connection closed");
		return -1;
	}
	if (vr != X509_V_OK) {
		X509 *cert = SSL_get1_peer_certificate(op->ssl);

		op->tls_verify_failed = 1;
		if (cert) {
			X509_NAME_oneline(X509_get_subject_name(cert), op->tls_subject,
					  sizeof(op->tls_subject));
			X509_NAME_oneline(X509_get_issuer_name(cert), op->tls_issuer,
					  sizeof(op->tls_issuer));
			X509_free(cert);
		}
		mx_probe_fail(&op->p, 0, "TLS: certificate of %s did not verify: %s (issuer %s)",
			      target_host(op), X509_verify_cert_error_string(vr),
			      op->tls_issuer[0] ? op->tls_issuer : "unknown");
		return -1;
	}
	unsigned long ee = ERR_get_error();

	if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN || !ee)
		mx_probe_fail(&op->p, errno, "TLS handshake: connection closed by %s (%s)",
			      op->p.addr_str, errno ? strerror(errno) : "EOF");
	else
		mx_probe_fail(&op->p, 0, "TLS handshake: %s", ERR_reason_error_string(ee));
	return -1;
}

static ssize_t conn_read(struct ob_probe *op, int fd, void *buf, size_t len)
{
	if (op->ssl) {
		int r = SSL_read(op->ssl, buf, (int)len);

		if (r > 0)
			return r;
		int e = SSL_get_error(op->ssl, r);

		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			errno = EAGAIN;
			return -1;
		}
		if (e == SSL_ERROR_ZERO_RETURN)
			return 0;
		/* Peers that close without close_notify: an eof as well. */
		if (e == SSL_ERROR_SYSCALL && !ERR_peek_error())
			return 0;
		errno = EPROTO;
		return -1;
	}
	return recv(fd, buf, len, 0);
}

static ssize_t conn_write(struct ob_probe *op, int fd, const void *buf, size_t len)
{
	if (op->ssl) {
		int r = SSL_write(op->ssl, buf, (int)len);

		if (r > 0)
			return r;
		int e = SSL_get_error(op->ssl, r);

		errno = (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) ? EAGAIN : EPIPE;
		return -1;
	}
	return send(fd, buf, len, MSG_NOSIGNAL);
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
			    op->tls_version, target_host(op));
		return;
	case OB_HTTP:
	case OB_ASN:
	case OB_PUBIP4:
	case OB_PUBIP6:
		/* HTTP/1.0: no chunked bodies, the server closes after the reply. */
		n = snprintf(req, sizeof(req),
			     "GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: mxprobe\r\n"
			     "Accept: */*\r\nConnection: close\r\n\r\n",
			     target_host(op));
		queue_write(op, req, n);
		return;
	case OB_DNS: {
		uint8_t q[300];
		int ql = mx_dns_query(q + 2, sizeof(q) - 2, op->dns_id);

		q[0] = ql >> 8;
		q[1] = ql & 0xff;
		queue_write(op, q, ql + 2);
		return;
	}
	default:
		return; /* SMTP, SMTPS, rsync: the server speaks first */
	}
}

static void smtp_send(struct ob_probe *op, const char *cmd)
{
	queue_write(op, cmd, strlen(cmd));
	op->rlen = 0;
	mx_loop_modify(&op->p, op->p.fds[0], EPOLLOUT);
}

static void smtp_finish(struct ob_probe *op, const char *warn_fmt, ...)
{
	char tls[160] = "";

	/* Leave politely: the server logs a clean session. */
	if (conn_write(op, op->p.fds[0], "QUIT\r\n", 6) < 0) {
		/* closing ends the session anyway */
	}
	if (warn_fmt) {
		va_list ap;

		va_start(ap, warn_fmt);
		vsnprintf(op->warn_text, sizeof(op->warn_text), warn_fmt, ap);
		va_end(ap);
		op->warn = 1;
	}
	if (op->starttls == 1 && op->tls_version[0])
		snprintf(tls, sizeof(tls), "; STARTTLS: %s, certificate %s%s", op->tls_version,
			 op->tls_verify_error[0] ? "not verified: " : "verified",
			 op->tls_verify_error);
	else if (op->starttls == 0)
		snprintf(tls, sizeof(tls), "; no STARTTLS offered");
	mx_probe_ok(&op->p, "%s%s%s%s", op->banner, tls, op->warn ? "; " : "",
		    op->warn ? op->warn_text : "");
}

/* Port 25: banner, then EHLO and STARTTLS as an MTA talks. */
static void smtp_step(struct ob_probe *op, int eof)
{
	struct mx_probe *p = &op->p;
	char *buf = (char *)op->rbuf, line[256];
	enum mx_reply v;
	int code = 0;

	if (op->smtp_step == 0) {
		v = mx_smtp_banner(buf, op->rlen, &op->code, op->text, sizeof(op->text));
		if (v == MX_REPLY_VALID) {
			snprintf(op->banner, sizeof(op->banner), "%s", op->text);
			op->smtp_step = 1;
			smtp_send(op, "EHLO mxprobe.invalid\r\n");
		} else if (v == MX_REPLY_BAD) {
			mx_probe_fail(p, 0, "server answered but refuses: %s", op->text);
		} else if (eof) {
			mx_probe_fail(p, 0, "connection closed before a complete 220 greeting");
		}
		return;
	}
	v = mx_smtp_reply(buf, op->rlen, &code, line, sizeof(line));
	if (v == MX_REPLY_MORE) {
		if (eof)
			smtp_finish(op, "connection closed after %s",
				    op->smtp_step == 1 ? "EHLO" : "STARTTLS");
		return;
	}
	if (op->smtp_step == 1) {
		if (v != MX_REPLY_VALID || code != 250) {
			smtp_finish(op, "EHLO answered: %s", line);
			return;
		}
		/* A capability line "250-STARTTLS" / "250 STARTTLS"; Cisco's
		 * ESMTP inspection overwrites it with X characters. */
		op->starttls = strcasestr(buf, "250-STARTTLS") || strcasestr(buf, "250 STARTTLS");
		op->starttls_masked = strstr(buf, "XXXXXXXA") != NULL;
		if (!op->starttls) {
			if (op->starttls_masked)
				smtp_finish(op,
					    "a middlebox on the path hides STARTTLS (Cisco-style "
					    "ESMTP inspection): mail leaves unencrypted");
			else
				smtp_finish(op, NULL);
			return;
		}
		op->smtp_step = 2;
		smtp_send(op, "STARTTLS\r\n");
		return;
	}
	if (op->smtp_step == 2) {
		if (v != MX_REPLY_VALID || code != 220) {
			smtp_finish(op, "STARTTLS answered: %s", line);
			return;
		}
		op->smtp_step = 3;
		op->rlen = 0;
		op->stage = OB_ST_TLS;
		mx_loop_modify(p, p->fds[0], EPOLLOUT);
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
		smtp_step(op, eof);
		return;
	case OB_SMTPS:
		v = mx_smtp_banner(buf, op->rlen, &op->code, op->text, sizeof(op->text));
		if (v == MX_REPLY_VALID) {
			/* Leave politely: the server logs a clean session. */
			if (conn_write(op, p->fds[0], "QUIT\r\n", 6) < 0) {
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
	struct ob_probe *op = OB(p);

	if (op->stage == OB_ST_CONNECT) {
		int err = 0;
		socklen_t el = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			mx_probe_fail(p, err, "connect to %s port %u: %s", p->addr_str, p->port,
				      err_words(err));
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
		int r = tls_step(op, fd);

		if (r <= 0)
			return;
		if (op->kind == OB_SMTP) {
			smtp_finish(op, NULL);
			return;
		}
		app_begin(op);
		if (p->state == MX_PROBE_DONE)
			return;
		events = EPOLLOUT | EPOLLIN;
	}
	/* Application stage: flush our request, then read. */
	while (op->woff < op->wlen) {
		ssize_t n = conn_write(op, fd, op->wbuf + op->woff, op->wlen - op->woff);

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
		n = conn_read(op, fd, op->rbuf + op->rlen, sizeof(op->rbuf) - 1 - op->rlen);
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			if (errno == EINTR)
				continue;
			mx_probe_fail(p, errno, "receive: %s", err_words(errno));
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
	struct ob_probe *op = OB(p);
	double t = p->loop ? mx_now() - p->t_start : 0;

	if (op->kind == OB_SMTP && op->smtp_step > 0) {
		/* Port 25 works (banner read); what hangs is the TLS part. */
		if (op->stage == OB_ST_TLS)
			smtp_finish(op,
				    "the STARTTLS handshake stalled for %.1f s: typical of a path "
				    "MTU problem (see mxprobe mtu)",
				    t);
		else
			smtp_finish(op, "no reply to %s in %.1f s",
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
	struct ob_probe *op = OB(p);

	if (op->ssl) {
		SSL_free(op->ssl);
		op->ssl = NULL;
	}
}

static const struct mx_probe_ops stream_ops = {
    .start = stream_start,
    .io = stream_io,
    .timeout = stream_timeout,
    .cleanup = stream_cleanup,
};

/* Datagram probes: DNS/UDP, NTP, fuzzy ----------------------------------- */

static void dgram_send(struct mx_probe *p)
{
	struct ob_probe *op = OB(p);

	if (op->kind == OB_NTP) {
		/* Each send gets a fresh timestamp and nonce: the reply names the
		 * send it answers, which keeps the offset exact. */
		uint64_t now = mx_ntp_now(), nonce;

		mx_random(&nonce, sizeof(nonce));
		op->ntp_tx = (now & ~0xffffffffULL) | (nonce & 0xffffffffULL);
		op->ntp_t1 = mx_ntp_to_double(now);
		mx_ntp_request(op->wbuf, op->ntp_tx);
	}
	if (send(p->fds[0], op->wbuf, op->wlen, 0) < 0 && errno != EAGAIN) {
		mx_probe_fail(p, errno, "send to %s port %u: %s", p->addr_str, p->port,
			      err_words(errno));
		return;
	}
	p->sent++;
}

static int dgram_start(struct mx_probe *p)
{
	struct ob_probe *op = OB(p);
	int fd = open_socket(op, SOCK_DGRAM, 0);
	int len;

	if (fd < 0) {
		mx_probe_fail(p, -fd, "socket: %s", strerror(-fd));
		return fd;
	}
	mx_loop_modify(p, fd, EPOLLIN);
	want_icmp_errors(fd, p->family);
	/* connect(): the kernel then only hands us datagrams from the peer and
	 * reports its ICMP errors on this socket. */
	if (connect(fd, (struct sockaddr *)&p->addr, p->addrlen) < 0) {
		mx_probe_fail(p, errno, "connect to %s: %s", p->addr_str, err_words(errno));
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
	struct ob_probe *op = OB(p);
	uint8_t buf[2048];

	while (p->state == MX_PROBE_RUNNING) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* An ICMP error for a send of ours (connected socket). */
			char icmp[200];
			int err = errno;

			if (icmp_error(p, fd, icmp, sizeof(icmp)))
				mx_probe_fail(p, err, "%s", icmp);
			else if (errno == ECONNREFUSED)
				mx_probe_fail(p, errno, "%s answered ICMP port unreachable",
					      p->addr_str);
			else
				mx_probe_fail(p, errno, "receive: %s", err_words(errno));
			return;
		}
		dgram_verdict(op, buf, n);
	}
}

static void dgram_timeout(struct mx_probe *p)
{
	struct ob_probe *op = OB(p);
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

static const struct mx_probe_ops dgram_ops = {
    .start = dgram_start,
    .io = dgram_io,
    .resend = dgram_send,
    .timeout = dgram_timeout,
};

/* ICMP echo --------------------------------------------------------------- */

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
	struct ob_probe *op = OB(p);
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
	want_icmp_errors(fd, p->family);
	if (connect(fd, (struct sockaddr *)&p->addr, p->addrlen) < 0) {
		mx_probe_fail(p, errno, "connect to %s: %s", p->addr_str, err_words(errno));
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
	struct ob_probe *op = OB(p);
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

			if (icmp_error(p, fd, why, sizeof(why)))
				mx_probe_fail(p, err, "%s", why);
			else
				mx_probe_fail(p, err, "echo to %s: ICMP error back: %s",
					      p->addr_str, strerror(err));
			return;
		}
		ilen = n;
		/* Raw IPv4 sockets deliver the IP header too. */
		if (op->icmp_raw && !v6) {
			size_t ihl = (buf[0] & 0x0f) * 4;

			if ((size_t)n < ihl)
				continue;
			icmp += ihl;
			ilen -= ihl;
		}
		/* Ping sockets own the id (the kernel sets and matches it). */
		if (mx_icmp_check(icmp, ilen, v6, op->icmp_raw, op->icmp_id, op->icmp_seq,
				  op->icmp_nonce) == MX_REPLY_VALID) {
			mx_probe_ok(p, "echo reply from %s", p->addr_str);
			return;
		}
		/* Raw sockets see every ICMP message: only count echo replies
		 * from our peer that carry the wrong id/sequence/nonce. */
		if (ilen >= 8 && icmp[0] == (v6 ? 129 : 0)) {
			op->alien++;
			snprintf(op->text, sizeof(op->text), "id, sequence or payload not ours");
		}
	}
}

static const struct mx_probe_ops icmp_ops = {
    .start = icmp_start,
    .io = icmp_io,
    .resend = dgram_send,
    .timeout = dgram_timeout,
};

void ob_probe_init(struct ob_probe *op)
{
	op->p.proto = op;
	op->starttls = -1;
	switch (op->kind) {
	case OB_DNS:
		if (op->udp) {
			op->p.ops = &dgram_ops;
			op->p.socktype = SOCK_DGRAM;
			op->p.tries = 3;
		} else {
			mx_random(&op->dns_id, sizeof(op->dns_id));
			op->p.ops = &stream_ops;
			op->p.socktype = SOCK_STREAM;
			op->p.tries = 1;
		}
		break;
	case OB_NTP:
	case OB_FUZZY:
		op->p.ops = &dgram_ops;
		op->p.socktype = SOCK_DGRAM;
		op->p.tries = 3;
		break;
	case OB_ICMP:
		op->p.ops = &icmp_ops;
		op->p.socktype = SOCK_RAW;
		op->p.tries = 3;
		break;
	default:
		op->p.ops = &stream_ops;
		op->p.socktype = SOCK_STREAM;
		op->p.tries = 1;
	}
}
