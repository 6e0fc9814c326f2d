/* SPDX-License-Identifier: GPL-2.0 */
/* `mxprobe outbound`: one probe per (target, host, address family[, source
 * port range]) run by the probe engine (probe_loop.h); the protocol of each
 * kind lives in outbound_{sock,tls,stream,smtp,dgram}.c, the verdicts in
 * outbound_verdict.c, the check table and the run in outbound.c. */
#ifndef MX_OUTBOUND_H
#define MX_OUTBOUND_H

#include <pthread.h>
#include <sys/types.h>
#include <openssl/ssl.h>

#include "config.h"
#include "probe_loop.h"
#include "probe_proto.h"

enum ob_kind {
	OB_TCP,	   /* connect: the SYN-ACK answers our SYN */
	OB_SMTP,   /* 220 banner */
	OB_SMTPS,  /* TLS, then the 220 banner */
	OB_RSYNC,  /* @RSYNCD: greeting */
	OB_TLS,	   /* TLS handshake, certificate verified for the name */
	OB_HTTP,   /* HTTP/1.0 request, any HTTP status line */
	OB_ASN,	   /* HTTPS GET: the status says whether Spamhaus blocks the AS */
	OB_PUBIP4, /* HTTP GET: the body is our public IPv4 address */
	OB_PUBIP6,
	OB_DNS, /* to a root server; UDP or TCP per the target's proto */
	OB_FUZZY,
	OB_NTP,
	OB_ICMP,
	OB_NKINDS,
};

/* Source port ranges for the DNS probes (seed: Hetzner's stateless firewall). */
enum ob_ports { OB_PORTS_ANY, OB_PORTS_LOW, OB_PORTS_HIGH };
#define OB_LOW_MIN 1024
#define OB_LOW_MAX 32767
#define OB_HIGH_MIN 32768
#define OB_HIGH_MAX 65535

enum ob_stage { OB_ST_CONNECT, OB_ST_TLS, OB_ST_APP };

struct ob_probe {
	struct mx_probe p;
	int target; /* index in cfg->targets */
	enum ob_kind kind;
	int udp; /* DNS over UDP (else TCP) */
	enum ob_ports ports;
	uint16_t sport; /* bound source port, 0 = kernel's choice */

	/* Protocol state. */
	enum ob_stage stage;
	SSL *ssl;
	uint8_t wbuf[512];
	size_t wlen, woff;
	uint8_t rbuf[8192];
	size_t rlen;
	double t_connected;
	unsigned alien; /* replies that were not answers to us, ignored */
	uint16_t dns_id;
	uint64_t ntp_tx;
	double ntp_t1;
	uint32_t fuzzy_tag;
	uint8_t fuzzy_digest[64];
	uint16_t icmp_id, icmp_seq;
	uint8_t icmp_nonce[MX_ICMP_NONCE];
	int icmp_raw;

	/* Findings. */
	int code;	/* SMTP reply code, HTTP status, fuzzy value */
	char text[256]; /* banner, greeting, body (public IP) */
	char tls_version[16];
	char tls_cipher[64];
	char tls_subject[128];
	char tls_issuer[128];
	int tls_verify_failed;
	double ntp_offset_s;
	int ntp_stratum;
	int dns_aa;
	int answered_wrongly; /* the peer answered, with an error (BAD) */
	/* SMTP on port 25: banner, EHLO, STARTTLS, TLS (not verified: MTAs
	 * encrypt opportunistically), QUIT. */
	int smtp_step;	     /* 0 banner, 1 EHLO reply, 2 STARTTLS reply, 3 TLS */
	int starttls;	     /* -1 not asked, 0 not offered, 1 offered */
	int starttls_masked; /* "XXXXXXXA": a middlebox rewrote the EHLO reply */
	char banner[256];
	char tls_verify_error[96]; /* "" = verified (or no TLS) */
	int warn;		   /* passed, with a problem worth a warning */
	char warn_text[200];
};

int ob_kind_parse(const char *kind, enum ob_kind *out);
const char *ob_kind_name(enum ob_kind k);
/* Prepares p (ops, socktype, tries) for its kind. */
void ob_probe_init(struct ob_probe *op);
/* The TLS context shared by the probes (system store, or ca_file). Returns
 * 0 or -1 with a message. */
int ob_tls_init(const char *ca_file);
void ob_tls_free(void);

/* An ICMP echo socket: unprivileged ping socket, else raw (*raw = 1).
 * Returns the fd or -errno. The same choice `mxprobe features` reports. */
int ob_icmp_socket(int family, int *raw);
const char *mx_choose_outbound(const char **why);

/* One run's probes, written by outbound.probes before any reader starts
 * (the runner orders them through `after`); readers hold ob_run_lock. */
struct ob_run {
	struct ob_probe *probes;
	size_t n;
	int v4_route, v6_route;
	double elapsed_s;
	int ran;
};
extern struct ob_run ob_run_state;
extern pthread_mutex_t ob_run_lock;

struct mx_ctx;
struct mx_result;
/* The check of target outbound.<name> (outbound_verdict.c). */
void ob_check_target(struct mx_ctx *ctx, struct mx_result *r);

/* Shared by outbound_*.c only ------------------------------------------- */

static inline struct ob_probe *ob_of(struct mx_probe *p)
{
	return p->proto;
}

extern const struct mx_probe_ops ob_stream_ops, ob_dgram_ops, ob_icmp_ops;
/* A non-blocking socket watched by the engine (bound to a random port of
 * op->ports when set); the fd, or -errno. */
int ob_open_socket(struct ob_probe *op, int type, int proto);
/* Words for connect/send errors, as an admin reads them. */
const char *ob_err_words(int err);
/* IP_RECVERR: the ICMP error that answered us, with the sender's address. */
void ob_want_icmp_errors(int fd, int family);
int ob_icmp_error(struct mx_probe *p, int fd, char *buf, size_t len);
void ob_queue_write(struct ob_probe *op, const void *buf, size_t len);
/* Drives the TLS handshake: 1 done, 0 waiting, -1 failed (probe finished). */
int ob_tls_step(struct ob_probe *op, int fd);
ssize_t ob_conn_read(struct ob_probe *op, int fd, void *buf, size_t len);
ssize_t ob_conn_write(struct ob_probe *op, int fd, const void *buf, size_t len);
/* Port 25: the next step of the session with what arrived. */
void ob_smtp_step(struct ob_probe *op, int eof);
/* Ends a port-25 session that got its 220 banner: a pass, with a warning
 * when the STARTTLS part went wrong (warn_fmt != NULL). */
void ob_smtp_finish(struct ob_probe *op, const char *warn_fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
