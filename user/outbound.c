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
#include "nl_route.h"
#include "outbound.h"

struct ob_run ob_run_state;
pthread_mutex_t ob_run_lock = PTHREAD_MUTEX_INITIALIZER;

static void run_free(void)
{
	free(ob_run_state.probes);
	memset(&ob_run_state, 0, sizeof(ob_run_state));
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

	pthread_mutex_lock(&ob_run_lock);
	run_free();
	ob_run_state.v4_route = mx_route_has_default(AF_INET);
	ob_run_state.v6_route = mx_route_has_default(AF_INET6);
	if (!ca || !*ca)
		ca = cfg->ca_file;
	if (ob_tls_init(ca)) {
		mx_result_set(r, MX_ERROR, "cannot set up TLS (CA file %s)",
			      ca && *ca ? ca : "system");
		goto out;
	}
	if (build(cfg, ob_run_state.v6_route > 0, &ob_run_state.probes, &ob_run_state.n)) {
		mx_result_set(r, MX_ERROR, "out of memory");
		goto out;
	}
	loop = mx_loop_new(&lo);
	if (!loop) {
		mx_result_set(r, MX_ERROR, "out of memory");
		goto out;
	}
	for (i = 0; i < ob_run_state.n; i++) {
		ob_probe_init(&ob_run_state.probes[i]);
		mx_loop_add(loop, &ob_run_state.probes[i].p);
	}
	err = mx_loop_run(loop);
	ob_run_state.elapsed_s = mx_loop_elapsed(loop);
	mx_loop_free(loop);
	ob_run_state.ran = 1;
	for (i = 0; i < ob_run_state.n; i++) {
		enum mx_probe_outcome o = ob_run_state.probes[i].p.outcome;

		ok += o == MX_OUT_OK;
		fail += o == MX_OUT_FAIL;
		na += o == MX_OUT_NA;
	}
	mx_data_int(r, "probes", ob_run_state.n);
	mx_data_int(r, "answered", ok);
	mx_data_int(r, "failed", fail);
	mx_data_int(r, "not_applicable", na);
	mx_data_double(r, "elapsed_seconds", ob_run_state.elapsed_s);
	mx_data_double(r, "timeout_seconds", ctx->opts->timeout_s);
	mx_data_bool(r, "ipv4_default_route", ob_run_state.v4_route > 0);
	mx_data_bool(r, "ipv6_default_route", ob_run_state.v6_route > 0);
	if (err) {
		mx_result_set(r, MX_ERROR, "probe engine: %s", strerror(-err));
		goto out;
	}
	if (ob_run_state.v4_route == 0) {
		mx_result_set(r, MX_FAIL, "no IPv4 default route: nothing can leave this host");
		mx_result_remedy(
		    r, "configure the uplink's gateway (ip route add default via GATEWAY)");
		goto out;
	}
	mx_result_set(r, MX_PASS,
		      "%zu probes in parallel in %.1f s: %zu answered, %zu failed; IPv6 %s",
		      ob_run_state.n, ob_run_state.elapsed_s, ok, fail,
		      ob_run_state.v6_route > 0 ? "probed (default route present)"
						: "not probed (no IPv6 default route)");
out:
	pthread_mutex_unlock(&ob_run_lock);
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

	for (i = 0; i < ob_run_state.n; i++)
		if (ob_run_state.probes[i].kind == kind &&
		    ob_run_state.probes[i].p.outcome == MX_OUT_OK)
			return ob_run_state.probes[i].text;
	return NULL;
}

static void check_public_ip(struct mx_ctx *ctx, struct mx_result *r)
{
	const char *v4 = ctx->opts->public_ip[0], *v6 = ctx->opts->public_ip[1];
	const char *src4 = v4 ? "option" : NULL, *src6 = v6 ? "option" : NULL;
	char s4[64] = "", s6[64] = "";
	int nat;

	pthread_mutex_lock(&ob_run_lock);
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
	pthread_mutex_unlock(&ob_run_lock);
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
		"outbound." name, title, ob_check_target, "outbound.probes",                       \
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
