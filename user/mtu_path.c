// SPDX-License-Identifier: GPL-2.0
/* mtu.path: path-MTU discovery to HOST (mxprobe mtu HOST) or to the
 * configured targets (a root server, v4 and v6), both families at once. */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "log.h"
#include "mtu.h"
#include "pmtu_probe.h"

struct mtu_job {
	struct sockaddr_storage dst;
	char name[256];
	int wanted, explicit_host;
	double timeout_s;
	struct mx_pmtu_report rep;
	int rc;
};

static struct {
	char name[256];
	struct sockaddr_storage addr[2]; /* [0] IPv4, [1] IPv6 */
	int have[2];
} g_host;

int mx_mtu_resolve(const char *host, int family, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_RAW}, *res, *ai;
	int rc;

	memset(&g_host, 0, sizeof(g_host));
	hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "resolve '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int i = ai->ai_family == AF_INET6;

		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) || g_host.have[i])
			continue;
		memcpy(&g_host.addr[i], ai->ai_addr, ai->ai_addrlen);
		g_host.have[i] = 1;
	}
	freeaddrinfo(res);
	if (!g_host.have[0] && !g_host.have[1]) {
		snprintf(err, errlen, "resolve '%s': no IPv%s address", host,
			 family == 6 ? "6" : "4 or IPv6");
		return -1;
	}
	snprintf(g_host.name, sizeof(g_host.name), "%s", host);
	return 0;
}

static void *job_run(void *arg)
{
	struct mtu_job *j = arg;

	j->rc = mx_pmtu_discover((struct sockaddr *)&j->dst, j->timeout_s, &j->rep);
	return NULL;
}

static const char *fam_name(int v6)
{
	return v6 ? "IPv6" : "IPv4";
}

static json_object *report_json(const struct mtu_job *j)
{
	const struct mx_pmtu_report *r = &j->rep;
	json_object *o = json_object_new_object(), *log = json_object_new_array();
	unsigned i;

	json_object_object_add(o, "target", json_object_new_string(j->name));
	json_object_object_add(o, "address", json_object_new_string(r->target));
	if (j->rc) {
		json_object_object_add(o, "error", json_object_new_string(r->error));
		json_object_array_add(log, NULL);
		json_object_put(log);
		return o;
	}
	json_object_object_add(o, "interface", json_object_new_string(r->ifname));
	json_object_object_add(o, "gateway", json_object_new_string(r->gateway));
	json_object_object_add(o, "uplink_mtu_bytes", json_object_new_int(r->dev_mtu));
	json_object_object_add(o, "local_mtu_bytes", json_object_new_int(r->local_mtu));
	json_object_object_add(o, "path_mtu_bytes", r->pmtu ? json_object_new_int(r->pmtu) : NULL);
	json_object_object_add(o, "bound", json_object_new_string(mx_pmtu_bound_name(r->bound)));
	json_object_object_add(
	    o, "blackhole", json_object_new_boolean(!r->unreachable && r->bound == MX_BOUND_LOSS));
	json_object_object_add(o, "unreachable", json_object_new_boolean(r->unreachable));
	json_object_object_add(o, "probes", json_object_new_int(r->probes));
	json_object_object_add(o, "answers", json_object_new_int(r->answers));
	json_object_object_add(o, "ptb_used", json_object_new_int(r->ptb_used));
	json_object_object_add(o, "ptb_ignored", json_object_new_int(r->ptb_ignored));
	json_object_object_add(o, "ptb_mtu_bytes",
			       r->ptb_used ? json_object_new_int(r->ptb_mtu) : NULL);
	json_object_object_add(o, "ptb_from",
			       r->ptb_used ? json_object_new_string(r->ptb_from) : NULL);
	json_object_object_add(o, "icmp_error",
			       r->icmp_error[0] ? json_object_new_string(r->icmp_error) : NULL);
	json_object_object_add(o, "rtt_seconds", json_object_new_double(r->rtt_ms / 1e3));
	json_object_object_add(o, "elapsed_seconds", json_object_new_double(r->elapsed_s));
	json_object_object_add(o, "socket", json_object_new_string(r->socket_kind));
	for (i = 0; i < r->nlog; i++) {
		char line[160];

		snprintf(line, sizeof(line), "%8.2f ms %5u %s", r->log[i].t_ms, r->log[i].size,
			 r->log[i].what);
		json_object_array_add(log, json_object_new_string(line));
	}
	json_object_object_add(o, "log", log);
	return o;
}

/* One family's verdict: a clause for the summary and a status. */
static enum mx_status verdict(const struct mtu_job *j, char *out, size_t len, char *remedy,
			      size_t rlen)
{
	const struct mx_pmtu_report *r = &j->rep;
	const char *f = fam_name(r->family == AF_INET6);

	if (j->rc) {
		snprintf(out, len, "%s %s: %s", f, j->name, r->error);
		return MX_ERROR;
	}
	if (r->unreachable && r->icmp_error[0]) {
		snprintf(out, len, "%s %s: unreachable, %s; path MTU unknown", f, r->target,
			 r->icmp_error);
		snprintf(
		    remedy, rlen,
		    "the route or a firewall toward %s refuses it (mxprobe outbound shows which "
		    "destinations work); or measure toward a host that answers: mxprobe mtu HOST",
		    r->target);
		return MX_WARN;
	}
	if (r->unreachable) {
		snprintf(out, len, "%s %s: no echo reply to %u probes; path MTU unknown", f,
			 r->target, r->probes);
		snprintf(
		    remedy, rlen,
		    "allow ICMP echo to %s (or name a host that answers ping: mxprobe mtu HOST)",
		    r->target);
		return MX_WARN;
	}
	if (r->bound == MX_BOUND_LOSS) {
		char more[128] = "";

		/* A nearer router may have spoken for its own hop. */
		if (r->ptb_used)
			snprintf(more, sizeof(more),
				 "; %s reported %s %u, but bigger packets vanish further on",
				 r->ptb_from,
				 r->family == AF_INET6 ? "packet-too-big" : "frag-needed",
				 r->ptb_mtu);
		snprintf(out, len,
			 "%s %s: ICMP black hole: packets above %u bytes vanish without %s (%s MTU "
			 "%u%s), %u probes, %.0f ms",
			 f, r->target, r->pmtu,
			 r->family == AF_INET6 ? "packet-too-big" : "frag-needed", r->ifname,
			 r->local_mtu, more, r->probes, r->elapsed_s * 1e3);
		snprintf(
		    remedy, rlen,
		    "TCP stalls on this path once segments exceed %u bytes (TLS handshakes, large "
		    "mails): set the MTU of %s and of mailcow's bridge to %u (see mtu.docker), or "
		    "clamp the MSS: iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN "
		    "-j TCPMSS --set-mss %u",
		    r->pmtu, r->ifname, r->pmtu, r->pmtu - (r->family == AF_INET6 ? 60 : 40));
		return MX_FAIL;
	}
	if (r->bound == MX_BOUND_PTB)
		snprintf(
		    out, len,
		    "%s %s: path MTU %u (%s MTU %u; %s reports %s %u, so PMTUD works), %u probes, "
		    "%.1f ms",
		    f, r->target, r->pmtu, r->ifname, r->local_mtu, r->ptb_from,
		    r->family == AF_INET6 ? "packet-too-big" : "frag-needed", r->ptb_mtu, r->probes,
		    r->elapsed_s * 1e3);
	else
		snprintf(out, len, "%s %s: path MTU %u = %s MTU, %u probes, %.1f ms", f, r->target,
			 r->pmtu, r->ifname, r->probes, r->elapsed_s * 1e3);
	return MX_PASS;
}

static int prepare(struct mx_ctx *ctx, struct mtu_job *jobs, char *why, size_t wlen)
{
	const struct mx_config *cfg = ctx->cfg;
	int i, any = 0;

	for (i = 0; i < 2; i++) {
		int fam = i ? 6 : 4;

		jobs[i].timeout_s = ctx->opts->timeout_s;
		if (cfg->mtu_family && cfg->mtu_family != fam)
			continue;
		if (g_host.name[0]) {
			if (!g_host.have[i])
				continue;
			memcpy(&jobs[i].dst, &g_host.addr[i], sizeof(jobs[i].dst));
			snprintf(jobs[i].name, sizeof(jobs[i].name), "%s", g_host.name);
			jobs[i].explicit_host = 1;
		} else {
			struct addrinfo hints = {.ai_socktype = SOCK_RAW}, *res;
			const char *t = i ? cfg->mtu_target6 : cfg->mtu_target;

			hints.ai_family = i ? AF_INET6 : AF_INET;
			if (getaddrinfo(t, NULL, &hints, &res)) {
				snprintf(why, wlen, "cannot resolve mtu_target%s '%s'",
					 i ? "6" : "", t);
				continue;
			}
			memcpy(&jobs[i].dst, res->ai_addr, res->ai_addrlen);
			freeaddrinfo(res);
			snprintf(jobs[i].name, sizeof(jobs[i].name), "%s", t);
		}
		jobs[i].wanted = 1;
		any = 1;
	}
	return any;
}

void mx_check_mtu_path(struct mx_ctx *ctx, struct mx_result *r)
{
	static const int rank[] = {
	    [MX_SKIP] = 0, [MX_PASS] = 1, [MX_WARN] = 2, [MX_ERROR] = 3, [MX_FAIL] = 4};
	struct mtu_job jobs[2];
	pthread_t th[2];
	int started[2] = {0, 0}, i;
	char why[320] = "", parts[2][512], remedy[2][512];
	enum mx_status st = MX_SKIP, s;

	memset(jobs, 0, sizeof(jobs));
	if (!prepare(ctx, jobs, why, sizeof(why))) {
		mx_result_set(r, MX_SKIP, "no target to probe%s%s", why[0] ? ": " : "", why);
		return;
	}
	for (i = 0; i < 2; i++)
		if (jobs[i].wanted)
			started[i] = !pthread_create(&th[i], NULL, job_run, &jobs[i]);
	for (i = 0; i < 2; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else if (jobs[i].wanted)
			job_run(&jobs[i]);
	}
	for (i = 0; i < 2; i++) {
		parts[i][0] = remedy[i][0] = '\0';
		if (!jobs[i].wanted)
			continue;
		/* Without a route of that family there is nothing to measure
		 * (most hosts lack IPv6; reachability is outbound's business),
		 * unless the user named the host. */
		if (jobs[i].rc && !jobs[i].explicit_host && strstr(jobs[i].rep.error, "no route")) {
			snprintf(parts[i], sizeof(parts[i]), "%s: no route, not measured",
				 i ? "IPv6" : "IPv4");
			json_object_object_add(mx_result_data(r), i ? "ipv6" : "ipv4", NULL);
			continue;
		}
		s = verdict(&jobs[i], parts[i], sizeof(parts[i]), remedy[i], sizeof(remedy[i]));
		json_object_object_add(mx_result_data(r), i ? "ipv6" : "ipv4",
				       report_json(&jobs[i]));
		if (rank[s] > rank[st])
			st = s;
	}
	if (st == MX_SKIP) {
		mx_result_set(r, MX_SKIP, "%s%s%s", parts[0],
			      parts[0][0] && parts[1][0] ? "; " : "", parts[1]);
		return;
	}
	mx_result_set(r, st, "%s%s%s", parts[0], parts[0][0] && parts[1][0] ? "; " : "", parts[1]);
	if (remedy[0][0] || remedy[1][0])
		mx_result_remedy(r, "%s", remedy[0][0] ? remedy[0] : remedy[1]);
}
