// SPDX-License-Identifier: GPL-2.0
/* The probe engine (probe_loop.h): epoll + per-probe deadlines + a token
 * bucket for starts + getaddrinfo_a() for names. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "probe_loop.h"

/* One name lookup per (host, family), shared by the probes that need it. */
struct resolve {
	char host[256];
	int family;
	struct gaicb *req; /* NULL for address literals and when done */
	int done, gai_rc;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	double deadline;
};

struct mx_loop {
	struct mx_loop_opts o;
	int ep, efd;
	struct mx_probe **probes;
	size_t n, cap;
	struct resolve *res;
	size_t nres, capres;
	double tokens, t_tokens;
	int abandoned; /* lookups still owned by glibc's thread */
	double t0, t1;
};

/* Marks the eventfd in epoll (probes use their own pointer). */
static char efd_tag;

double mx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void mx_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* No entropy syscall: still unpredictable enough for ids. */
			for (; len; len--)
				*p++ = (unsigned char)(rand() ^ (long)(mx_now() * 1e9));
			return;
		}
		p += n;
		len -= n;
	}
}

struct mx_loop *mx_loop_new(const struct mx_loop_opts *o)
{
	struct mx_loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->o = *o;
	if (l->o.timeout_s <= 0)
		l->o.timeout_s = 5;
	if (l->o.rate_per_s <= 0)
		l->o.rate_per_s = 200;
	if (!l->o.burst)
		l->o.burst = 32;
	l->ep = l->efd = -1;
	return l;
}

int mx_loop_add(struct mx_loop *l, struct mx_probe *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct mx_probe **np = realloc(l->probes, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		l->probes = np;
		l->cap = cap;
	}
	p->loop = l;
	p->state = MX_PROBE_RESOLVING;
	p->outcome = MX_OUT_NONE;
	p->nfds = 0;
	p->resolve_idx = -1;
	if (p->tries < 1)
		p->tries = 1;
	l->probes[l->n++] = p;
	return 0;
}

static void close_fds(struct mx_probe *p)
{
	int i;

	for (i = 0; i < p->nfds; i++) {
		epoll_ctl(p->loop->ep, EPOLL_CTL_DEL, p->fds[i], NULL);
		close(p->fds[i]);
	}
	p->nfds = 0;
}

static void finish(struct mx_probe *p, enum mx_probe_outcome out, int err, const char *fmt,
		   va_list ap)
{
	if (p->state == MX_PROBE_DONE)
		return;
	p->outcome = out;
	p->err = err;
	p->t_end = mx_now();
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	p->state = MX_PROBE_DONE;
	if (p->ops && p->ops->cleanup)
		p->ops->cleanup(p);
	close_fds(p);
}

void mx_probe_ok(struct mx_probe *p, const char *fmt, ...)
{
	va_list ap;

	if (p->state == MX_PROBE_DONE)
		return;
	p->rtt_s = mx_now() - p->t_start;
	va_start(ap, fmt);
	finish(p, MX_OUT_OK, 0, fmt, ap);
	va_end(ap);
}

void mx_probe_fail(struct mx_probe *p, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish(p, MX_OUT_FAIL, err, fmt, ap);
	va_end(ap);
}

void mx_probe_na(struct mx_probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish(p, MX_OUT_NA, 0, fmt, ap);
	va_end(ap);
}

int mx_loop_watch(struct mx_probe *p, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = p};

	if (p->nfds >= MX_PROBE_MAX_FDS) {
		close(fd);
		return -EMFILE;
	}
	p->fds[p->nfds++] = fd;
	if (epoll_ctl(p->loop->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

int mx_loop_modify(struct mx_probe *p, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = p};

	return epoll_ctl(p->loop->ep, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

static void gai_notify(union sigval sv)
{
	uint64_t one = 1;

	/* Runs on glibc's helper thread: only wake the loop. */
	if (write(sv.sival_int, &one, sizeof(one)) < 0) {
		/* The loop also polls pending lookups when it wakes. */
	}
}

static int literal(const char *host, int family, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return 0;
		s4->sin_family = AF_INET;
		*len = sizeof(*s4);
		return 1;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
		return 0;
	s6->sin6_family = AF_INET6;
	*len = sizeof(*s6);
	return 1;
}

static int resolve_add(struct mx_loop *l, struct mx_probe *p)
{
	size_t i;
	struct resolve *r;

	for (i = 0; i < l->nres; i++)
		if (l->res[i].family == p->family && !strcmp(l->res[i].host, p->host))
			return (int)i;
	if (l->nres == l->capres) {
		size_t cap = l->capres ? l->capres * 2 : 32;
		struct resolve *nr = realloc(l->res, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		l->res = nr;
		l->capres = cap;
	}
	r = &l->res[l->nres];
	memset(r, 0, sizeof(*r));
	snprintf(r->host, sizeof(r->host), "%s", p->host);
	r->family = p->family;
	r->deadline = mx_now() + l->o.timeout_s;
	if (literal(p->host, p->family, &r->addr, &r->addrlen)) {
		r->done = 1;
		return (int)l->nres++;
	}
	/* A literal of the other family: this probe does not apply. */
	{
		struct sockaddr_storage tmp;
		socklen_t tl;

		if (literal(p->host, p->family == AF_INET ? AF_INET6 : AF_INET, &tmp, &tl)) {
			r->done = 1;
			r->gai_rc = EAI_ADDRFAMILY;
			return (int)l->nres++;
		}
	}
	/* The request must not point into l->res (realloc moves it): the name
	 * and hints travel with it. */
	struct req_blk {
		struct gaicb cb; /* first: freeing the block frees the request */
		struct addrinfo hints;
		char host[256];
	} *blk = calloc(1, sizeof(*blk));
	struct sigevent sev = {.sigev_notify = SIGEV_THREAD};

	if (!blk)
		return -ENOMEM;
	blk->hints.ai_family = p->family;
	blk->hints.ai_socktype = SOCK_STREAM; /* one entry per address */
	snprintf(blk->host, sizeof(blk->host), "%s", r->host);
	blk->cb.ar_name = blk->host;
	blk->cb.ar_request = &blk->hints;
	r->req = &blk->cb;
	sev.sigev_value.sival_int = l->efd;
	sev.sigev_notify_function = gai_notify;
	struct gaicb *list[1] = {r->req};
	int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);

	if (rc) {
		r->done = 1;
		r->gai_rc = rc;
	}
	return (int)l->nres++;
}

/* Collects finished lookups. */
static void resolve_poll(struct mx_loop *l, double now)
{
	size_t i;

	for (i = 0; i < l->nres; i++) {
		struct resolve *r = &l->res[i];
		int rc;

		if (r->done || !r->req)
			continue;
		rc = gai_error(r->req);
		if (rc == EAI_INPROGRESS) {
			if (now < r->deadline)
				continue;
			/* A lookup still running cannot be freed; glibc's thread owns
			 * it until it returns, so it is left to the process exit. */
			if (gai_cancel(r->req) == EAI_CANCELED)
				free(r->req);
			else
				l->abandoned++;
			r->req = NULL;
			r->done = 1;
			r->gai_rc = EAI_AGAIN;
			continue;
		}
		r->done = 1;
		r->gai_rc = rc;
		if (rc == 0 && r->req->ar_result) {
			struct addrinfo *ai = r->req->ar_result;

			memcpy(&r->addr, ai->ai_addr, ai->ai_addrlen);
			r->addrlen = ai->ai_addrlen;
		}
		if (r->req->ar_result)
			freeaddrinfo(r->req->ar_result);
		free(r->req);
		r->req = NULL;
	}
}

static void addr_to_str(struct mx_probe *p)
{
	char buf[INET6_ADDRSTRLEN] = "?";

	if (p->addr.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&p->addr)->sin_addr, buf, sizeof(buf));
	else if (p->addr.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&p->addr)->sin6_addr, buf,
			  sizeof(buf));
	snprintf(p->addr_str, sizeof(p->addr_str), "%s", buf);
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* Moves probes whose lookup finished to QUEUED (or done when it failed). */
static void resolve_dispatch(struct mx_loop *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct mx_probe *p = l->probes[i];
		struct resolve *r;

		if (p->state != MX_PROBE_RESOLVING || p->resolve_idx < 0)
			continue;
		r = &l->res[p->resolve_idx];
		if (!r->done)
			continue;
		p->t_start = mx_now();
		if (r->gai_rc == EAI_ADDRFAMILY || r->gai_rc == EAI_NODATA ||
		    (r->gai_rc == EAI_NONAME && p->family == AF_INET6)) {
			mx_probe_na(p, "%s has no %s address", p->host,
				    p->family == AF_INET ? "IPv4" : "IPv6");
			continue;
		}
		if (r->gai_rc)
			p->resolve_failed = 1;
		if (r->gai_rc == EAI_AGAIN && !r->req && r->addrlen == 0) {
			mx_probe_fail(p, ETIMEDOUT,
				      "resolve %s: no answer from the resolver in %.1f s", p->host,
				      l->o.timeout_s);
			continue;
		}
		if (r->gai_rc) {
			mx_probe_fail(p, 0, "resolve %s: %s", p->host, gai_strerror(r->gai_rc));
			continue;
		}
		p->addr = r->addr;
		p->addrlen = r->addrlen;
		set_port(&p->addr, p->port);
		addr_to_str(p);
		p->state = MX_PROBE_QUEUED;
	}
}

static void refill(struct mx_loop *l, double now)
{
	l->tokens += (now - l->t_tokens) * l->o.rate_per_s;
	if (l->tokens > l->o.burst)
		l->tokens = l->o.burst;
	l->t_tokens = now;
}

static void start_queued(struct mx_loop *l)
{
	size_t i;
	double now = mx_now();

	refill(l, now);
	for (i = 0; i < l->n && l->tokens >= 1; i++) {
		struct mx_probe *p = l->probes[i];

		if (p->state != MX_PROBE_QUEUED)
			continue;
		l->tokens -= 1;
		p->state = MX_PROBE_RUNNING;
		p->t_start = now;
		p->deadline = now + l->o.timeout_s;
		p->sent = 0;
		p->next_resend = p->tries > 1 ? now + l->o.timeout_s / p->tries : INFINITY;
		if (p->ops->start(p) < 0 && p->state != MX_PROBE_DONE)
			mx_probe_fail(p, 0, "could not start");
	}
}

static void on_time(struct mx_loop *l, double now)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct mx_probe *p = l->probes[i];

		if (p->state != MX_PROBE_RUNNING)
			continue;
		if (now >= p->deadline) {
			if (p->ops->timeout)
				p->ops->timeout(p);
			if (p->state != MX_PROBE_DONE)
				mx_probe_fail(p, ETIMEDOUT, "no answer in %.1f s", l->o.timeout_s);
			continue;
		}
		if (now >= p->next_resend && p->sent < p->tries && p->ops->resend) {
			p->ops->resend(p);
			p->next_resend =
			    p->sent < p->tries ? now + l->o.timeout_s / p->tries : INFINITY;
		}
	}
}

/* Milliseconds until the next thing the loop must do by itself. */
static int next_wait_ms(struct mx_loop *l, double now)
{
	double next = now + 1.0;
	size_t i;
	int queued = 0;

	for (i = 0; i < l->n; i++) {
		struct mx_probe *p = l->probes[i];

		if (p->state == MX_PROBE_RUNNING) {
			if (p->deadline < next)
				next = p->deadline;
			if (p->next_resend < next)
				next = p->next_resend;
		} else if (p->state == MX_PROBE_QUEUED) {
			queued = 1;
		}
	}
	for (i = 0; i < l->nres; i++)
		if (!l->res[i].done && l->res[i].deadline < next)
			next = l->res[i].deadline;
	if (queued && l->tokens < 1) {
		double t = now + (1 - l->tokens) / l->o.rate_per_s;

		if (t < next)
			next = t;
	}
	if (next <= now)
		return 0;
	return (int)ceil((next - now) * 1000);
}

static size_t pending(struct mx_loop *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (l->probes[i]->state != MX_PROBE_DONE)
			n++;
	return n;
}

int mx_loop_run(struct mx_loop *l)
{
	struct epoll_event evs[64];
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &efd_tag};
	size_t i;
	int err = 0;

	l->t0 = mx_now();
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0)
		return -errno;
	l->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->efd < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, l->efd, &ev) < 0) {
		err = -errno;
		goto out;
	}
	l->tokens = l->o.burst;
	l->t_tokens = l->t0;
	for (i = 0; i < l->n; i++) {
		int idx = resolve_add(l, l->probes[i]);

		if (idx < 0) {
			err = idx;
			goto out;
		}
		l->probes[i]->resolve_idx = idx;
	}
	while (pending(l)) {
		double now = mx_now();
		int n, k;

		resolve_poll(l, now);
		resolve_dispatch(l);
		start_queued(l);
		now = mx_now();
		on_time(l, now);
		if (!pending(l))
			break;
		n = epoll_wait(l->ep, evs, 64, next_wait_ms(l, mx_now()));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (k = 0; k < n; k++) {
			struct mx_probe *p = evs[k].data.ptr;

			if (evs[k].data.ptr == &efd_tag) {
				uint64_t v;

				if (read(l->efd, &v, sizeof(v)) < 0) {
					/* EAGAIN: another wakeup already drained it. */
				}
				continue;
			}
			if (p->state != MX_PROBE_RUNNING)
				continue;
			p->ops->io(p, p->fds[0], evs[k].events);
		}
	}
out:
	/* Anything still open (loop error): close it. */
	for (i = 0; i < l->n; i++)
		if (l->probes[i]->state != MX_PROBE_DONE)
			mx_probe_fail(l->probes[i], -err, "probe engine stopped: %s",
				      strerror(-err));
	for (i = 0; i < l->nres; i++) {
		struct gaicb *req = l->res[i].req;

		if (!req)
			continue;
		if (gai_error(req) != EAI_INPROGRESS || gai_cancel(req) == EAI_CANCELED) {
			if (req->ar_result)
				freeaddrinfo(req->ar_result);
			free(req);
		} else {
			l->abandoned++;
		}
		l->res[i].req = NULL;
	}
	l->t1 = mx_now();
	return err;
}

double mx_loop_elapsed(const struct mx_loop *l)
{
	return l->t1 - l->t0;
}

void mx_loop_free(struct mx_loop *l)
{
	if (!l)
		return;
	/* A lookup glibc still runs will write to the eventfd when it ends:
	 * keep the descriptor (so its number is never reused) in that case. */
	if (l->efd >= 0 && !l->abandoned)
		close(l->efd);
	if (l->ep >= 0)
		close(l->ep);
	free(l->res);
	free(l->probes);
	free(l);
}
