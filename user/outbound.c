// SPDX-License-Identifier: GPL-2.0
/* The "outbound" check group: `mxprobe outbound`, part of `check`.
 *
 * outbound.probes runs every probe of every target at once on the probe
 * engine; each target's check (outbound.<target name>) runs after it and
 * turns that target's probes into a verdict a person can act on;
 * outbound.public_ip publishes the public addresses for the DNS checks. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "log.h"
#include "outbound.h"

/* One run's probes, written by outbound.probes before any reader starts
 * (the runner orders them through `after`). */
struct ob_run {
	struct ob_probe *probes;
	size_t n;
	int v4_route, v6_route;
	double elapsed_s;
	int ran;
};
static struct ob_run run_state;
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static void run_free(void)
{
	free(run_state.probes);
	memset(&run_state, 0, sizeof(run_state));
	ob_tls_free();
}

static int count_words(const char *s)
{
	int n = 0, in = 0;

	for (; *s; s++) {
		if (*s != ' ' && !in)
			n++;
		in = *s != ' ';
	}
	return n;
}

/* The i-th space-separated word of s. */
static void word(const char *s, int i, char *out, size_t len)
{
	int n = -1, in = 0;
	size_t k = 0;

	out[0] = '\0';
	for (; *s; s++) {
		if (*s != ' ' && !in)
			n++;
		in = *s != ' ';
		if (in && n == i && k + 1 < len)
			out[k++] = *s;
	}
	out[k] = '\0';
}

static int is_literal(const char *h, int family)
{
	unsigned char a[16];

	return inet_pton(family, h, a) == 1;
}

static struct ob_probe *add_probe(struct ob_probe **arr, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct ob_probe *na = realloc(*arr, c * sizeof(*na));

		if (!na)
			return NULL;
		*arr = na;
		*cap = c;
	}
	memset(&(*arr)[*n], 0, sizeof(**arr));
	return &(*arr)[(*n)++];
}

/* Expands the target table into probes: host x family [x source port range]. */
static int build(const struct mx_config *cfg, int v6, struct ob_probe **out, size_t *nout)
{
	struct ob_probe *arr = NULL;
	size_t n = 0, cap = 0;
	int t, h, f;

	for (t = 0; t < cfg->ntargets; t++) {
		const struct mx_target *tg = &cfg->targets[t];
		enum ob_kind kind;
		int nh = count_words(tg->host);

		if (ob_kind_parse(tg->kind, &kind))
			continue;
		for (h = 0; h < nh; h++) {
			char host[256];

			word(tg->host, h, host, sizeof(host));
			for (f = 0; f < 2; f++) {
				int fam = f ? AF_INET6 : AF_INET;
				int r, nr = kind == OB_DNS ? 2 : 1;

				if (fam == AF_INET6 && !v6)
					continue;
				if (is_literal(host, f ? AF_INET : AF_INET6))
					continue;
				if ((kind == OB_PUBIP4 && fam != AF_INET) ||
				    (kind == OB_PUBIP6 && fam != AF_INET6))
					continue;
				/* unbound's healthcheck pings IPv4 addresses only. */
				if (kind == OB_ICMP && fam == AF_INET6 && !is_literal(host, fam))
					continue;
				for (r = 0; r < nr; r++) {
					struct ob_probe *op = add_probe(&arr, &n, &cap);

					if (!op) {
						free(arr);
						return -1;
					}
					op->target = t;
					op->kind = kind;
					op->udp = (tg->proto & MX_UDP) != 0;
					op->ports = kind == OB_DNS
							? (r ? OB_PORTS_HIGH : OB_PORTS_LOW)
							: OB_PORTS_ANY;
					snprintf(op->p.host, sizeof(op->p.host), "%s", host);
					op->p.port = tg->port;
					op->p.family = fam;
				}
			}
		}
	}
	*out = arr;
	*nout = n;
	return 0;
}

static void check_probes(struct mx_ctx *ctx, struct mx_result *r)
{
	const struct mx_config *cfg = ctx->cfg;
	struct mx_loop_opts lo = {.timeout_s = ctx->opts->timeout_s,
				  .rate_per_s = cfg->probe_rate,
				  .burst = cfg->probe_burst};
	const char *ca = getenv("MXPROBE_CA_FILE");
	struct mx_loop *loop;
	size_t i, ok = 0, fail = 0, na = 0;
	int err;

	pthread_mutex_lock(&run_lock);
	run_free();
	run_state.v4_route = mx_route_has_default(AF_INET);
	run_state.v6_route = mx_route_has_default(AF_INET6);
	if (!ca || !*ca)
		ca = cfg->ca_file;
	if (ob_tls_init(ca)) {
		mx_result_set(r, MX_ERROR, "cannot set up TLS (CA file %s)",
			      ca && *ca ? ca : "system");
		goto out;
	}
	if (build(cfg, run_state.v6_route > 0, &run_state.probes, &run_state.n)) {
		mx_result_set(r, MX_ERROR, "out of memory");
		goto out;
	}
	loop = mx_loop_new(&lo);
	if (!loop) {
		mx_result_set(r, MX_ERROR, "out of memory");
		goto out;
	}
	for (i = 0; i < run_state.n; i++) {
		ob_probe_init(&run_state.probes[i]);
		mx_loop_add(loop, &run_state.probes[i].p);
	}
	err = mx_loop_run(loop);
	run_state.elapsed_s = mx_loop_elapsed(loop);
	mx_loop_free(loop);
	run_state.ran = 1;
	for (i = 0; i < run_state.n; i++) {
		enum mx_probe_outcome o = run_state.probes[i].p.outcome;

		ok += o == MX_OUT_OK;
		fail += o == MX_OUT_FAIL;
		na += o == MX_OUT_NA;
	}
	mx_data_int(r, "probes", run_state.n);
	mx_data_int(r, "answered", ok);
	mx_data_int(r, "failed", fail);
	mx_data_int(r, "not_applicable", na);
	mx_data_double(r, "elapsed_seconds", run_state.elapsed_s);
	mx_data_double(r, "timeout_seconds", ctx->opts->timeout_s);
	mx_data_bool(r, "ipv4_default_route", run_state.v4_route > 0);
	mx_data_bool(r, "ipv6_default_route", run_state.v6_route > 0);
	if (err) {
		mx_result_set(r, MX_ERROR, "probe engine: %s", strerror(-err));
		goto out;
	}
	if (run_state.v4_route == 0) {
		mx_result_set(r, MX_FAIL, "no IPv4 default route: nothing can leave this host");
		mx_result_remedy(
		    r, "configure the uplink's gateway (ip route add default via GATEWAY)");
		goto out;
	}
	mx_result_set(r, MX_PASS,
		      "%zu probes in parallel in %.1f s: %zu answered, %zu failed; IPv6 %s",
		      run_state.n, run_state.elapsed_s, ok, fail,
		      run_state.v6_route > 0 ? "probed (default route present)"
					     : "not probed (no IPv6 default route)");
out:
	pthread_mutex_unlock(&run_lock);
}

/* Per-target verdicts ------------------------------------------------------ */

struct tally {
	int v4_ok, v4_fail, v4_na, v6_ok, v6_fail, v6_na;
	struct ob_probe *first_ok, *first_fail, *first_fail6;
};

static void tally(int target, int ports, struct tally *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < run_state.n; i++) {
		struct ob_probe *op = &run_state.probes[i];
		int v6 = op->p.family == AF_INET6;

		if (op->target != target || (ports >= 0 && (int)op->ports != ports))
			continue;
		switch (op->p.outcome) {
		case MX_OUT_OK:
			if (v6)
				t->v6_ok++;
			else
				t->v4_ok++;
			if (!t->first_ok || (t->first_ok->p.family == AF_INET6 && !v6))
				t->first_ok = op;
			break;
		case MX_OUT_FAIL:
			if (v6) {
				t->v6_fail++;
				if (!t->first_fail6)
					t->first_fail6 = op;
			} else {
				t->v4_fail++;
				if (!t->first_fail)
					t->first_fail = op;
			}
			break;
		default:
			if (v6)
				t->v6_na++;
			else
				t->v4_na++;
		}
	}
}

static json_object *probe_json(const struct ob_probe *op)
{
	json_object *o = json_object_new_object();
	static const char *const outcomes[] = {"pending", "ok", "fail", "n/a"};

#define ADD(k, v) json_object_object_add(o, k, v)
	ADD("host", json_object_new_string(op->p.host));
	ADD("family", json_object_new_string(op->p.family == AF_INET6 ? "ipv6" : "ipv4"));
	ADD("address", op->p.addr_str[0] ? json_object_new_string(op->p.addr_str) : NULL);
	ADD("port", json_object_new_int(op->p.port));
	ADD("kind", json_object_new_string(ob_kind_name(op->kind)));
	ADD("outcome", json_object_new_string(outcomes[op->p.outcome]));
	ADD("detail", json_object_new_string(op->p.reason));
	if (op->p.outcome == MX_OUT_OK)
		ADD("rtt_seconds", json_object_new_double(op->p.rtt_s));
	if (op->kind == OB_DNS) {
		ADD("transport", json_object_new_string(op->udp ? "udp" : "tcp"));
		if (op->p.outcome == MX_OUT_OK)
			ADD("authoritative", json_object_new_boolean(op->dns_aa));
		ADD("source_port", op->sport ? json_object_new_int(op->sport) : NULL);
		ADD("source_ports", json_object_new_string(
					op->ports == OB_PORTS_LOW ? "1024-32767" : "32768-65535"));
	}
	if (op->p.sent && op->p.ops && op->p.ops->resend)
		ADD("sends", json_object_new_int(op->p.sent));
	if (op->alien)
		ADD("ignored_replies", json_object_new_int(op->alien));
	if (op->tls_version[0]) {
		ADD("tls_version", json_object_new_string(op->tls_version));
		ADD("tls_cipher", json_object_new_string(op->tls_cipher));
	}
	if (op->tls_subject[0])
		ADD("tls_subject", json_object_new_string(op->tls_subject));
	if (op->tls_issuer[0])
		ADD("tls_issuer", json_object_new_string(op->tls_issuer));
	if (op->tls_verify_failed)
		ADD("tls_verify_failed", json_object_new_boolean(1));
	if (op->kind == OB_SMTP && op->banner[0])
		ADD("banner", json_object_new_string(op->banner));
	else if (op->kind == OB_SMTPS && op->text[0])
		ADD("banner", json_object_new_string(op->text));
	if (op->kind == OB_SMTP && op->starttls >= 0) {
		ADD("starttls", json_object_new_boolean(op->starttls));
		if (op->starttls_masked)
			ADD("starttls_masked", json_object_new_boolean(1));
	}
	if (op->kind == OB_SMTP && op->tls_version[0])
		ADD("certificate_verified", json_object_new_boolean(!op->tls_verify_error[0]));
	if (op->tls_verify_error[0])
		ADD("certificate_error", json_object_new_string(op->tls_verify_error));
	if (op->warn)
		ADD("warning", json_object_new_string(op->warn_text));
	if (op->kind == OB_RSYNC && op->p.outcome == MX_OUT_OK)
		ADD("rsync_protocol", json_object_new_string(op->text));
	if (op->code && (op->kind == OB_HTTP || op->kind == OB_ASN || op->kind == OB_PUBIP4 ||
			 op->kind == OB_PUBIP6))
		ADD("http_status", json_object_new_int(op->code));
	if (op->kind == OB_FUZZY && op->p.outcome == MX_OUT_OK)
		ADD("fuzzy_value", json_object_new_int(op->code));
	if (op->kind == OB_NTP && op->p.outcome == MX_OUT_OK) {
		ADD("stratum", json_object_new_int(op->ntp_stratum));
		ADD("offset_seconds", json_object_new_double(op->ntp_offset_s));
	}
	if (op->kind == OB_ICMP && op->p.addr_str[0])
		ADD("icmp_socket", json_object_new_string(op->icmp_raw ? "raw" : "ping"));
#undef ADD
	return o;
}

static void add_probes_data(struct mx_result *r, int target)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < run_state.n; i++)
		if (run_state.probes[i].target == target)
			json_object_array_add(arr, probe_json(&run_state.probes[i]));
	json_object_object_add(mx_result_data(r), "probes", arr);
}

static const char *target_label(const struct mx_target *t, const struct ob_probe *op)
{
	static __thread char buf[400];

	snprintf(buf, sizeof(buf), "%s%s%s%s port %u", op ? op->p.host : t->host,
		 op && op->p.addr_str[0] && strcmp(op->p.addr_str, op->p.host) ? " (" : "",
		 op && op->p.addr_str[0] && strcmp(op->p.addr_str, op->p.host) ? op->p.addr_str
									       : "",
		 op && op->p.addr_str[0] && strcmp(op->p.addr_str, op->p.host) ? ")" : "", t->port);
	return buf;
}

/* Does any other TCP probe get through? Then a failure is port-specific. */
static int other_tcp_ok(int target)
{
	size_t i;

	for (i = 0; i < run_state.n; i++) {
		const struct ob_probe *op = &run_state.probes[i];

		if (op->target != target && op->p.outcome == MX_OUT_OK &&
		    op->p.socktype == SOCK_STREAM && op->p.family == AF_INET)
			return 1;
	}
	return 0;
}

static void verdict_smtp(struct mx_ctx *ctx, struct mx_result *r, int ti, struct tally *t)
{
	const struct mx_target *tg = &ctx->cfg->targets[ti];
	struct ob_probe *f = t->first_fail;
	int others = other_tcp_ok(ti);

	if (f->code) {
		mx_result_set(r, MX_FAIL, "%s answered %d: %s", target_label(tg, f), f->code,
			      f->text);
		mx_result_remedy(
		    r, "the remote MTA refuses this host: check your address on blocklists "
		       "(e.g. https://check.spamhaus.org) and its PTR record");
		return;
	}
	mx_result_set(r, MX_FAIL, "outgoing TCP port %u is blocked: %s%s", tg->port, f->p.reason,
		      others ? "; other outgoing TCP works, so this port is filtered" : "");
	mx_result_remedy(
	    r,
	    "most providers block outgoing port %u (Google Cloud always, Hetzner Cloud "
	    "until the first invoice is paid, many others on request): ask the provider "
	    "to unblock it, or relay outgoing mail through a smarthost on port 587 "
	    "(mailcow UI: Configuration > Routing > sender-dependent transports)",
	    tg->port);
}

static void verdict_generic(struct mx_ctx *ctx, struct mx_result *r, int ti, struct tally *t)
{
	const struct mx_target *tg = &ctx->cfg->targets[ti];
	enum mx_status bad = tg->optional ? MX_WARN : MX_FAIL;
	struct ob_probe *f = t->first_fail;
	const char *what = tg->reason;

	if (f->p.resolve_failed) {
		/* reason: "resolve NAME: cause" */
		mx_result_set(r, bad, "cannot %s", f->p.reason);
		mx_result_remedy(r,
				 "check the host's resolver (/etc/resolv.conf) and that the name "
				 "exists; mailcow's own unbound resolves recursively, see "
				 "outbound.dns_udp");
		return;
	}
	if (f->kind == OB_SMTP || f->kind == OB_SMTPS) {
		verdict_smtp(ctx, r, ti, t);
		if (tg->optional)
			r->status = MX_WARN;
		return;
	}
	mx_result_set(r, bad, "%s: %s", target_label(tg, f), f->p.reason);
	if (f->tls_verify_failed) {
		mx_result_remedy(
		    r, "something on the path presents its own certificate (a TLS-inspecting "
		       "proxy or firewall), or the clock is wrong (see system.time); mailcow's "
		       "containers will refuse it too");
		return;
	}
	switch (f->kind) {
	case OB_FUZZY:
		mx_result_remedy(
		    r,
		    "allow outgoing UDP port %u to %s: without it rspamd's fuzzy checks "
		    "(%s) silently time out",
		    tg->port, tg->host, what);
		break;
	case OB_NTP:
		mx_result_remedy(
		    r, "allow outgoing UDP port 123 (NTP): without it the clock drifts and "
		       "TOTP two-factor logins fail");
		break;
	case OB_RSYNC:
		mx_result_remedy(r, "allow outgoing TCP port 873 to %s (%s)", tg->host, what);
		break;
	default:
		mx_result_remedy(r, "allow outgoing TCP port %u to %s (%s)", tg->port, tg->host,
				 what);
	}
}

/* Did a peer of this target answer with an error (not silence)? */
static int answered_wrongly(int target)
{
	size_t i;

	for (i = 0; i < run_state.n; i++)
		if (run_state.probes[i].target == target && run_state.probes[i].answered_wrongly)
			return 1;
	return 0;
}

/* Did any valid DNS answer of this target lack the AA flag? */
static int non_authoritative(int target)
{
	size_t i;

	for (i = 0; i < run_state.n; i++) {
		const struct ob_probe *op = &run_state.probes[i];

		if (op->target == target && op->p.outcome == MX_OUT_OK && !op->dns_aa)
			return 1;
	}
	return 0;
}

static void verdict_dns(struct mx_ctx *ctx, struct mx_result *r, int ti)
{
	const struct mx_target *tg = &ctx->cfg->targets[ti];
	const char *tr = (tg->proto & MX_UDP) ? "UDP" : "TCP";
	struct tally lo, hi;

	tally(ti, OB_PORTS_LOW, &lo);
	tally(ti, OB_PORTS_HIGH, &hi);
	mx_data_bool(r, "low_ports_ok", lo.v4_ok > 0);
	mx_data_bool(r, "high_ports_ok", hi.v4_ok > 0);
	if (lo.v4_ok && hi.v4_ok) {
		int nonauth = non_authoritative(ti);

		mx_data_bool(r, "authoritative", !nonauth);
		mx_result_set(
		    r, MX_PASS,
		    "root servers answer over %s from source ports 1024-32767 and 32768-65535 (%s)",
		    tr, lo.first_ok->p.host);
		if (nonauth) {
			/* A root server answers ". SOA" with AA set; a resolver on
			 * the path that grabbed our query does not. */
			mx_result_set(
			    r, MX_WARN,
			    "answers for the root zone come back without the authoritative "
			    "flag: something on the path intercepts port 53 over %s "
			    "(a transparent DNS proxy)",
			    tr);
			mx_result_remedy(r,
					 "unbound must reach authoritative servers itself: ask the "
					 "provider to stop redirecting port 53, or forward unbound "
					 "to the provider's resolver (forward-zone in "
					 "data/conf/unbound/unbound.conf; big shared resolvers are "
					 "refused by Spamhaus)");
			return;
		}
		if (lo.v6_fail + hi.v6_fail && !(lo.v6_ok + hi.v6_ok)) {
			mx_result_set(r, MX_WARN,
				      "root servers answer over %s/IPv4, but not over IPv6: %s", tr,
				      (lo.first_fail6 ? lo.first_fail6 : hi.first_fail6)->p.reason);
			mx_result_remedy(r,
					 "allow outgoing port 53 over IPv6 too, or unbound wastes "
					 "time on IPv6 servers (do-ip6: no otherwise)");
		}
		return;
	}
	if (!lo.v4_ok && !hi.v4_ok && answered_wrongly(ti)) {
		struct ob_probe *f = lo.first_fail ? lo.first_fail : hi.first_fail;

		/* A root server never answers ". SOA" with an error: whatever
		 * answered in its name sits on the path. */
		mx_result_set(r, MX_FAIL,
			      "the root servers' addresses answer over %s, but not as root servers "
			      "(%s): port 53 is intercepted on the path",
			      tr, f ? f->p.reason : "an error");
		mx_result_remedy(r,
				 "unbound needs to reach authoritative servers on port 53: ask the "
				 "provider or network admin to stop redirecting DNS, or forward "
				 "unbound to the resolver they provide (forward-zone in "
				 "data/conf/unbound/unbound.conf)");
		return;
	}
	if (!lo.v4_ok && !hi.v4_ok) {
		mx_result_set(
		    r, MX_FAIL,
		    "DNS over %s to the root servers: no valid answer from any source port: %s", tr,
		    (lo.first_fail ? lo.first_fail : hi.first_fail)
			? (lo.first_fail ? lo.first_fail : hi.first_fail)->p.reason
			: "no probe ran");
		mx_result_remedy(
		    r, "mailcow's unbound resolves recursively and must reach any DNS "
		       "server on port 53 (UDP and TCP); without it the unbound container "
		       "is unhealthy and mail stops: allow outgoing port 53");
		return;
	}
	if (!lo.v4_ok) {
		mx_result_set(
		    r, MX_FAIL,
		    "%s replies to source ports 1024-32767 are dropped (32768-65535 work): "
		    "a stateless firewall only lets replies to the high ports in",
		    tr);
		mx_result_remedy(
		    r,
		    "unbound sends from random ports 1024-65535: either let replies to "
		    "destination ports 1024-65535 in at the provider's firewall (%s), or "
		    "set 'outgoing-port-avoid: 0-32767' in "
		    "data/conf/unbound/unbound.conf (seed: Hetzner firewall)",
		    (tg->proto & MX_UDP) ? "protocol udp" : "protocol tcp, flag ack");
		return;
	}
	mx_result_set(
	    r, MX_FAIL,
	    "%s replies to source ports 32768-65535 are dropped (1024-32767 work): the "
	    "kernel's own ephemeral ports are in that range, so most connections fail too",
	    tr);
	mx_result_remedy(r,
			 "let replies to destination ports 32768-65535 in at the provider's "
			 "firewall (%s)",
			 (tg->proto & MX_UDP) ? "protocol udp" : "protocol tcp, flag ack");
}

static void verdict_icmp(struct mx_ctx *ctx, struct mx_result *r, int ti, struct tally *t)
{
	int n = t->v4_ok + t->v4_fail;

	mx_data_int(r, "answered", t->v4_ok);
	mx_data_int(r, "unanswered", t->v4_fail);
	if (n == 0) {
		mx_result_set(r, MX_ERROR, "no ICMP probe could run");
		return;
	}
	if (t->v4_fail == 0) {
		mx_result_set(r, MX_PASS, "all %d hosts answer ping (unbound's healthcheck passes)",
			      n);
		return;
	}
	/* unbound's healthcheck tolerates one unreachable host (of three):
	 * with a single host (--target ping=ADDR) one failure is all of them. */
	if (t->v4_fail == 1 && t->v4_ok >= 1) {
		mx_result_set(
		    r, MX_PASS,
		    "%d of %d answer ping; %s: %s (unbound's healthcheck tolerates one failure)",
		    t->v4_ok, n, t->first_fail->p.host, t->first_fail->p.reason);
		return;
	}
	mx_result_set(
	    r, MX_FAIL,
	    "only %d of %d hosts answer ping (%s: %s): unbound's healthcheck fails and its "
	    "container turns unhealthy",
	    t->v4_ok, n, t->first_fail->p.host, t->first_fail->p.reason);
	mx_result_remedy(r,
			 "allow outgoing ICMP echo-request and the echo-reply coming back "
			 "(to %s at least)",
			 ctx->cfg->targets[ti].host);
}

static void verdict_asn(struct mx_ctx *ctx, struct mx_result *r, int ti, struct tally *t)
{
	const struct mx_target *tg = &ctx->cfg->targets[ti];
	const struct ob_probe *op = t->first_ok;
	const char *key = mx_mc_get(&ctx->cfg->mc, "SPAMHAUS_DQS_KEY");
	int have_key = key && *key;

	mx_data_int(r, "http_status", op->code);
	mx_data_bool(r, "dqs_key_set", have_key);
	switch (op->code) {
	case 200:
		mx_result_set(r, MX_PASS,
			      "%s: HTTP 200, this network's AS is not blocked by Spamhaus",
			      tg->host);
		mx_data_str(r, "asn_status", "clean");
		return;
	case 503:
		mx_data_str(r, "asn_status", "blocked");
		if (have_key) {
			mx_result_set(
			    r, MX_PASS,
			    "%s: HTTP 503, the AS is blocked from Spamhaus's free mirrors, "
			    "but SPAMHAUS_DQS_KEY is set so mailcow uses DQS",
			    tg->host);
			return;
		}
		mx_result_set(
		    r, MX_WARN,
		    "%s: HTTP 503, this network's AS is blocked by Spamhaus: its free DNS "
		    "blocklists will not answer this host",
		    tg->host);
		mx_result_remedy(
		    r, "create a free Spamhaus Data Query Service account "
		       "(https://www.spamhaus.com/free-trial/"
		       "sign-up-for-a-free-data-query-service-account) "
		       "and put the key in mailcow.conf as SPAMHAUS_DQS_KEY=...; mailcow then "
		       "queries the DQS zones instead of the public mirrors");
		return;
	case 429:
		mx_data_str(r, "asn_status", "rate_limited");
		mx_result_set(r, MX_WARN, "%s: HTTP 429, rate limited: the AS status is unknown",
			      tg->host);
		mx_result_remedy(r, "run again in a few minutes");
		return;
	default:
		mx_data_str(r, "asn_status", "unknown");
		mx_result_set(r, MX_WARN, "%s: unexpected HTTP %d", tg->host, op->code);
	}
}

static void check_target(struct mx_ctx *ctx, struct mx_result *r)
{
	const char *name = r->check->id + strlen("outbound.");
	const struct mx_config *cfg = ctx->cfg;
	const struct mx_target *tg = mx_config_target_find(cfg, name);
	int ti;
	struct tally t;
	enum ob_kind kind;

	if (!tg) {
		mx_result_set(r, MX_SKIP, "target %s is not in the configuration", name);
		return;
	}
	ti = (int)(tg - cfg->targets);
	pthread_mutex_lock(&run_lock);
	if (!run_state.ran) {
		mx_result_set(r, MX_ERROR, "the probe run (outbound.probes) did not happen");
		goto out;
	}
	mx_data_str(r, "target", tg->name);
	mx_data_str(r, "host", tg->host);
	mx_data_int(r, "port", tg->port);
	mx_data_str(r, "service", tg->service);
	mx_data_str(r, "reason", tg->reason);
	mx_data_bool(r, "optional", tg->optional);
	add_probes_data(r, ti);
	if (ob_kind_parse(tg->kind, &kind)) {
		mx_result_set(r, MX_ERROR, "unknown probe kind '%s'", tg->kind);
		goto out;
	}
	if (kind == OB_DNS) {
		verdict_dns(ctx, r, ti);
		goto out;
	}
	tally(ti, -1, &t);
	if (kind == OB_ICMP) {
		verdict_icmp(ctx, r, ti, &t);
		goto out;
	}
	if (kind == OB_PUBIP6 && !run_state.v6_route) {
		mx_result_set(r, MX_SKIP,
			      "no IPv6 default route: this host has no public IPv6 path");
		goto out;
	}
	if (!t.v4_ok && !t.v6_ok) {
		if (!t.first_fail)
			t.first_fail = t.first_fail6;
		if (!t.first_fail) {
			mx_result_set(r, MX_SKIP, "no address to probe for %s", tg->host);
			goto out;
		}
		verdict_generic(ctx, r, ti, &t);
		goto out;
	}
	if (kind == OB_ASN) {
		verdict_asn(ctx, r, ti, &t);
		goto out;
	}
	mx_result_set(r, MX_PASS, "%s: %s", target_label(tg, t.first_ok), t.first_ok->p.reason);
	if (t.first_ok->warn) {
		r->status = MX_WARN;
		mx_result_remedy(r,
				 "port %u is open, but %s; check for a filtering middlebox, and "
				 "the path MTU (mxprobe mtu) when TLS stalls",
				 tg->port, t.first_ok->warn_text);
	}
	if (t.v4_fail && kind != OB_PUBIP6) {
		mx_result_set(r, MX_WARN, "%s answers, but %s: %s", t.first_ok->p.host,
			      target_label(tg, t.first_fail), t.first_fail->p.reason);
		mx_result_remedy(r, "allow the same traffic to every host of the target (%s)",
				 tg->host);
	} else if (t.v6_fail && kind != OB_PUBIP4) {
		mx_result_set(r, MX_WARN, "works over IPv4, fails over IPv6: %s: %s",
			      target_label(tg, t.first_fail6), t.first_fail6->p.reason);
		mx_result_remedy(r, "the host has an IPv6 default route, so software prefers IPv6: "
				    "fix IPv6 filtering/routing, or remove the broken IPv6 route");
	}
out:
	pthread_mutex_unlock(&run_lock);
}

/* outbound.public_ip -------------------------------------------------------- */

static int is_local_address(const char *ip)
{
	struct ifaddrs *ifa, *i;
	char buf[INET6_ADDRSTRLEN];
	int found = 0;

	if (getifaddrs(&ifa) < 0)
		return -1;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf,
				  sizeof(buf));
		else if (i->ifa_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, buf,
				  sizeof(buf));
		else
			continue;
		found = !strcmp(buf, ip);
	}
	freeifaddrs(ifa);
	return found;
}

static const char *found_ip(enum ob_kind kind)
{
	size_t i;

	for (i = 0; i < run_state.n; i++)
		if (run_state.probes[i].kind == kind && run_state.probes[i].p.outcome == MX_OUT_OK)
			return run_state.probes[i].text;
	return NULL;
}

static void check_public_ip(struct mx_ctx *ctx, struct mx_result *r)
{
	const char *v4 = ctx->opts->public_ip[0], *v6 = ctx->opts->public_ip[1];
	const char *src4 = v4 ? "option" : NULL, *src6 = v6 ? "option" : NULL;
	char s4[64] = "", s6[64] = "";
	int nat;

	pthread_mutex_lock(&run_lock);
	if (!v4 && (v4 = found_ip(OB_PUBIP4))) {
		snprintf(s4, sizeof(s4), "%.63s", v4);
		v4 = s4;
		src4 = "ip4.mailcow.email";
	}
	if (!v6 && (v6 = found_ip(OB_PUBIP6))) {
		snprintf(s6, sizeof(s6), "%.63s", v6);
		v6 = s6;
		src6 = "ip6.mailcow.email";
	}
	pthread_mutex_unlock(&run_lock);
	mx_data_str(r, "ipv4", v4);
	mx_data_str(r, "ipv6", v6);
	mx_data_str(r, "ipv4_source", src4);
	mx_data_str(r, "ipv6_source", src6);
	if (!v4 && !v6) {
		mx_result_set(r, MX_WARN,
			      "public address unknown (ip4/ip6.mailcow.email did not answer)");
		mx_result_remedy(
		    r, "give it with --public-ip ADDR so the DNS checks can compare records");
		return;
	}
	nat = v4 ? is_local_address(v4) == 0 : 0;
	mx_data_bool(r, "ipv4_behind_nat", nat);
	mx_result_set(r, MX_PASS, "public IPv4 %s%s, IPv6 %s", v4 ? v4 : "unknown",
		      nat ? " (not on any interface: the host is behind NAT)" : "",
		      v6 ? v6 : "none");
}

/* The check table: one check per row of the seed's outgoing table (names
 * as in defaults.c), after the probe run. */
#define T(name, title)                                                                             \
	{                                                                                          \
		"outbound." name, title, check_target, "outbound.probes",                          \
		    MX_CHECK_LIVE | MX_CHECK_NET                                                   \
	}
static const struct mx_check outbound_checks[] = {
    {"outbound.probes", "probe run", check_probes, NULL, MX_CHECK_LIVE | MX_CHECK_NET},
    T("smtp_out", "SMTP 25 out"),
    T("smtps_out", "SMTPS 465 out"),
    T("dns_udp", "DNS/UDP to roots"),
    T("dns_tcp", "DNS/TCP to roots"),
    T("ping", "ICMP (unbound)"),
    T("ntp", "NTP"),
    T("clamd_rsync", "ClamAV rsync"),
    T("fuzzy_mailcow", "mailcow fuzzy"),
    T("fuzzy_rspamd", "rspamd fuzzy"),
    T("fuzzy_maps", "fuzzy maps"),
    T("asn_check", "Spamhaus ASN"),
    T("github_http", "github.com:80"),
    T("github_https", "github.com:443"),
    T("docker_hub", "Docker Hub"),
    T("sa_heinlein", "SA rules"),
    T("bazaar", "bazaar.abuse.ch"),
    T("urlhaus", "urlhaus.abuse.ch"),
    T("clamav_db", "ClamAV DB"),
    T("letsencrypt", "Let's Encrypt"),
    T("sa_apache", "spamassassin.apache"),
    T("razor", "Razor"),
    T("ip4_mailcow", "ip4.mailcow"),
    T("ip6_mailcow", "ip6.mailcow"),
    {"outbound.public_ip", "public address", check_public_ip, "outbound.probes",
     MX_CHECK_LIVE | MX_CHECK_NET},
};
#undef T

MX_GROUP(mx_group_outbound, "outbound", "Outbound", outbound_checks);

__attribute__((destructor)) static void outbound_exit(void)
{
	run_free();
}
