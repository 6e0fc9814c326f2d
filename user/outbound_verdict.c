// SPDX-License-Identifier: GPL-2.0
/* The verdict of each outbound target (outbound.<name>) from its probes:
 * which host and family answered, and when not, where it broke and what to
 * do (provider port-25 blocks, stateless firewalls, DNS interception,
 * unbound's ping rule, Spamhaus' ASN block, IPv6-only failures). */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "log.h"
#include "outbound.h"

struct tally {
	int v4_ok, v4_fail, v4_na, v6_ok, v6_fail, v6_na;
	struct ob_probe *first_ok, *first_fail, *first_fail6;
};

static void tally(int target, int ports, struct tally *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < ob_run_state.n; i++) {
		struct ob_probe *op = &ob_run_state.probes[i];
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

	for (i = 0; i < ob_run_state.n; i++)
		if (ob_run_state.probes[i].target == target)
			json_object_array_add(arr, probe_json(&ob_run_state.probes[i]));
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

	for (i = 0; i < ob_run_state.n; i++) {
		const struct ob_probe *op = &ob_run_state.probes[i];

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

	for (i = 0; i < ob_run_state.n; i++)
		if (ob_run_state.probes[i].target == target &&
		    ob_run_state.probes[i].answered_wrongly)
			return 1;
	return 0;
}

/* Did any valid DNS answer of this target lack the AA flag? */
static int non_authoritative(int target)
{
	size_t i;

	for (i = 0; i < ob_run_state.n; i++) {
		const struct ob_probe *op = &ob_run_state.probes[i];

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

void ob_check_target(struct mx_ctx *ctx, struct mx_result *r)
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
	pthread_mutex_lock(&ob_run_lock);
	if (!ob_run_state.ran) {
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
	if (kind == OB_PUBIP6 && !ob_run_state.v6_route) {
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
	pthread_mutex_unlock(&ob_run_lock);
}
