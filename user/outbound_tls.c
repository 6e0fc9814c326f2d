// SPDX-License-Identifier: GPL-2.0
/* Outbound probes: TLS with OpenSSL on non-blocking sockets (SNI, the
 * certificate verified for the name; only reported for SMTP STARTTLS). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "outbound.h"

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

/* The peer certificate's subject and issuer, when it sent one. */
static void tls_cert_names(struct ob_probe *op)
{
	X509 *cert = SSL_get1_peer_certificate(op->ssl);

	if (cert) {
		X509_NAME_oneline(X509_get_subject_name(cert), op->tls_subject,
				  sizeof(op->tls_subject));
		X509_NAME_oneline(X509_get_issuer_name(cert), op->tls_issuer,
				  sizeof(op->tls_issuer));
		X509_free(cert);
	}
}

static void tls_record(struct ob_probe *op)
{
	snprintf(op->tls_version, sizeof(op->tls_version), "%s", SSL_get_version(op->ssl));
	snprintf(op->tls_cipher, sizeof(op->tls_cipher), "%s", SSL_get_cipher_name(op->ssl));
	tls_cert_names(op);
}

/* Drives the handshake; 1 done, 0 waiting, -1 failed (probe finished). */
int ob_tls_step(struct ob_probe *op, int fd)
{
	int r, e;

	if (!op->ssl) {
		op->ssl = SSL_new(tls_ctx);
		if (!op->ssl || SSL_set_fd(op->ssl, fd) != 1) {
			mx_probe_fail(&op->p, 0, "TLS: cannot create a session");
			return -1;
		}
		unsigned char a[16];

		/* SNI and the name the certificate must carry; an address
		 * (--target NAME=ADDR) is matched against the IP SANs. */
		if (inet_pton(AF_INET, op->p.host, a) == 1 ||
		    inet_pton(AF_INET6, op->p.host, a) == 1) {
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(op->ssl), op->p.host);
		} else {
			SSL_set_tlsext_host_name(op->ssl, op->p.host);
			SSL_set1_host(op->ssl, op->p.host);
		}
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

		ob_smtp_finish(op, "STARTTLS handshake failed: %s",
			       ee ? ERR_reason_error_string(ee) : "connection closed");
		return -1;
	}
	if (vr != X509_V_OK) {
		op->tls_verify_failed = 1;
		tls_cert_names(op);
		mx_probe_fail(&op->p, 0, "TLS: certificate of %s did not verify: %s (issuer %s)",
			      op->p.host, X509_verify_cert_error_string(vr),
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

ssize_t ob_conn_read(struct ob_probe *op, int fd, void *buf, size_t len)
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

ssize_t ob_conn_write(struct ob_probe *op, int fd, const void *buf, size_t len)
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
