/* SPDX-License-Identifier: GPL-2.0 */
/* The probe engine: one epoll loop that runs every probe in parallel, each
 * with its own deadline, retries (datagram probes resend the same request)
 * and a shared rate limit on starts. Host names are resolved with
 * getaddrinfo_a(), whose completions wake the loop through an eventfd, so a
 * slow resolver never blocks the other probes.
 *
 * A probe passes only when its protocol code (probe->ops) saw a valid reply
 * to what it sent; the engine itself never turns "no error" into a pass. */
#ifndef MX_PROBE_LOOP_H
#define MX_PROBE_LOOP_H

#include <netdb.h>
#include <stdint.h>
#include <sys/socket.h>

struct mx_probe;
struct mx_loop;

enum mx_probe_state {
	MX_PROBE_RESOLVING, /* waiting for its host's address */
	MX_PROBE_QUEUED,    /* address known, waiting for a rate-limit token */
	MX_PROBE_RUNNING,
	MX_PROBE_DONE,
};

enum mx_probe_outcome {
	MX_OUT_NONE, /* not finished */
	MX_OUT_OK,   /* a valid reply to what we sent */
	MX_OUT_FAIL, /* refused, timed out, or an invalid reply */
	MX_OUT_NA,   /* not applicable: e.g. the name has no AAAA record */
};

struct mx_probe_ops {
	/* Opens the socket(s) and sends; returns 0, or -errno after calling
	 * mx_probe_fail(). Registers fds with mx_loop_watch(). */
	int (*start)(struct mx_probe *p);
	/* Readiness on fd. Must finish the probe (ok/fail) or keep waiting. */
	void (*io)(struct mx_probe *p, int fd, uint32_t events);
	/* Datagram probes: send the request again (same id/nonce). */
	void (*resend)(struct mx_probe *p);
	/* Deadline passed: record what stage it hung in (mx_probe_fail). */
	void (*timeout)(struct mx_probe *p);
	/* Frees protocol state; fds registered with mx_loop_watch are closed by
	 * the engine. */
	void (*cleanup)(struct mx_probe *p);
};

/* One socket per probe: epoll hands back the probe, not the fd. */
#define MX_PROBE_MAX_FDS 1

struct mx_probe {
	/* Set by the caller before mx_loop_add(). */
	const struct mx_probe_ops *ops;
	char host[256]; /* name or address literal */
	uint16_t port;
	int family;   /* AF_INET or AF_INET6 */
	int socktype; /* SOCK_STREAM / SOCK_DGRAM / SOCK_RAW (resolution hint) */
	int tries;    /* sends for datagram probes (1 = no retry) */
	void *user;   /* the caller's bookkeeping */
	void *proto;  /* protocol state owned by ops */

	/* Filled by the engine. */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char addr_str[64];
	enum mx_probe_state state;
	enum mx_probe_outcome outcome;
	struct mx_loop *loop;
	int fds[MX_PROBE_MAX_FDS];
	int nfds;
	int sent;				      /* sends so far (datagram probes) */
	double t_start, t_end, next_resend, deadline; /* monotonic seconds */
	double rtt_s;				      /* request to valid reply */
	char reason[256];			      /* why it failed / what answered */
	int err;				      /* errno of the failure, or 0 */
	int resolve_failed;			      /* the name did not resolve */
	int resolve_idx;
};

struct mx_loop_opts {
	double timeout_s;  /* per probe, from its start (and per resolution) */
	double rate_per_s; /* probe starts per second */
	unsigned burst;	   /* starts allowed at once */
};

struct mx_loop *mx_loop_new(const struct mx_loop_opts *o);
/* Adds a probe (not copied: it must outlive the loop run). */
int mx_loop_add(struct mx_loop *l, struct mx_probe *p);
/* Runs until every probe is done. Returns 0, or -errno when the loop itself
 * failed (epoll/eventfd). */
int mx_loop_run(struct mx_loop *l);
/* Wall time of the run in seconds. */
double mx_loop_elapsed(const struct mx_loop *l);
void mx_loop_free(struct mx_loop *l);

/* For probe ops. */
double mx_now(void);
int mx_loop_watch(struct mx_probe *p, int fd, uint32_t events);
int mx_loop_modify(struct mx_probe *p, int fd, uint32_t events);
void mx_probe_ok(struct mx_probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mx_probe_fail(struct mx_probe *p, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void mx_probe_na(struct mx_probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fills buf with random bytes (getrandom, never blocks after boot). */
void mx_random(void *buf, size_t len);

#endif
