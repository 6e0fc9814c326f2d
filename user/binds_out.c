// SPDX-License-Identifier: GPL-2.0
/* Rendering of bind/listen events: one text line, or one JSON object per
 * line. Written by hand rather than through json-c: at 100k binds a second
 * the reader must not spend microseconds allocating per event. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "binds.h"

const char *mx_binds_proto_name(int proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_UDPLITE:
		return "udplite";
	}
	return "?";
}

void mx_binds_addr_str(const struct mx_bind_event *e, char *buf, size_t len)
{
	int fam = e->sa_family == AF_INET6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(fam, e->addr, buf, len))
		snprintf(buf, len, "?");
}

void mx_binds_ts_str(int64_t real_ns, char *buf, size_t len, bool utc_iso)
{
	time_t s = real_ns / 1000000000;
	long us = (real_ns % 1000000000) / 1000;
	struct tm tm;

	if (utc_iso) {
		gmtime_r(&s, &tm);
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
	} else {
		localtime_r(&s, &tm);
		snprintf(buf, len, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec, us);
	}
}

static const char *result_name(int ret, char *buf, size_t len)
{
	const char *n;

	if (ret == 0)
		return "ok";
	if (ret == MX_BIND_RET_UNKNOWN)
		return "unknown";
	n = strerrorname_np(-ret);
	if (n)
		return n;
	snprintf(buf, len, "E%d", -ret);
	return buf;
}

/* "[::1]:25" or "127.0.0.1:25"; a bind to port 0 shows the port it got. */
static void endpoint(const struct mx_bind_event *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	mx_binds_addr_str(e, a, sizeof(a));
	n = snprintf(buf, len, e->sa_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, e->port);
	if (e->port == 0 && e->bound_port && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "->%u", e->bound_port);
}

/* JSON string with the escapes RFC 8259 requires (comm is any bytes). */
static void json_str(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void comm_str(const struct mx_bind_event *e, char *buf)
{
	memcpy(buf, e->comm, MX_BIND_COMM_LEN);
	buf[MX_BIND_COMM_LEN] = 0;
}

static void print_json(struct mx_binds_out *o, const struct mx_bind_event *e,
		       const struct mx_binds_extra *x)
{
	char ts[40], a[INET6_ADDRSTRLEN], comm[MX_BIND_COMM_LEN + 1], rb[16], ifn[IF_NAMESIZE];
	FILE *f = o->f;
	int i;

	mx_binds_ts_str((int64_t)e->ts_ns + o->mono_to_real_ns, ts, sizeof(ts), true);
	mx_binds_addr_str(e, a, sizeof(a));
	comm_str(e, comm);
	fprintf(f, "{\"ts\":\"%s\",\"event\":\"%s\",\"pid\":%u,\"tid\":%u,\"uid\":%u,\"comm\":", ts,
		e->kind == MX_BIND_EV_LISTEN ? "listen" : "bind", e->pid, e->tid, e->uid);
	json_str(f, comm);
	fputs(",\"container\":", f);
	if (x->container[0])
		json_str(f, x->container);
	else
		fputs("null", f);
	fprintf(f, ",\"cgroup_id\":%llu,\"netns\":%u,\"netns_name\":",
		(unsigned long long)e->cgroup_id, e->netns);
	if (x->netns_name[0])
		json_str(f, x->netns_name);
	else
		fputs("null", f);
	fprintf(f,
		",\"family\":\"%s\",\"proto\":\"%s\",\"address\":\"%s\",\"port\":%u,"
		"\"bound_port\":%u,\"reuseaddr\":%s,\"reuseport\":%s,\"v6only\":%s",
		e->family == AF_INET6 ? "ipv6" : "ipv4", mx_binds_proto_name(e->proto), a, e->port,
		e->bound_port, e->flags & MX_BIND_F_REUSEADDR ? "true" : "false",
		e->flags & MX_BIND_F_REUSEPORT ? "true" : "false",
		e->flags & MX_BIND_F_V6ONLY ? "true" : "false");
	if (e->ifindex)
		fprintf(f, ",\"device\":\"%s\"",
			if_indextoname(e->ifindex, ifn) ? ifn : "?"); /* names are [A-Za-z0-9.-_] */
	if (e->kind == MX_BIND_EV_LISTEN)
		fprintf(f, ",\"backlog\":%u", e->backlog);
	if (e->flags & MX_BIND_F_NOSYSCALL)
		fputs(",\"syscall\":false", f);
	fprintf(f, ",\"result\":\"%s\",\"errno\":", result_name(e->ret, rb, sizeof(rb)));
	if (e->ret < 0)
		fprintf(f, "%d", -e->ret);
	else
		fputs("null", f);
	if (x->hint) {
		fputs(",\"hint\":", f);
		json_str(f, x->hint);
	}
	if (x->nholders > 0) {
		fputs(",\"holders\":[", f);
		for (i = 0; i < x->nholders; i++) {
			const struct mx_binds_holder *h = &x->holders[i];

			fprintf(f, "%s{\"pid\":", i ? "," : "");
			if (h->pid)
				fprintf(f, "%d", h->pid);
			else
				fputs("null", f);
			fputs(",\"comm\":", f);
			if (h->comm[0])
				json_str(f, h->comm);
			else
				fputs("null", f);
			fputs(",\"container\":", f);
			if (h->container[0])
				json_str(f, h->container);
			else
				fputs("null", f);
			if (h->publishes[0]) {
				fputs(",\"publishes_for\":", f);
				json_str(f, h->publishes);
			}
			fputs(",\"address\":", f);
			json_str(f, h->addr);
			fprintf(f, ",\"port\":%u}", h->port);
		}
		fputc(']', f);
	} else if (x->nholders == 0 && e->ret == -EADDRINUSE) {
		fputs(",\"holders\":[]", f);
	} else if (x->nholders < 0) {
		fputs(",\"holders\":null,\"holders_error\":", f);
		json_str(f, x->holder_err);
	}
	fputs("}\n", f);
}

static void print_holders_text(FILE *f, const struct mx_binds_extra *x)
{
	int i;

	if (x->nholders < 0) {
		fprintf(f, "  holder unknown: %s", x->holder_err);
		return;
	}
	if (x->nholders == 0) {
		fputs("  no holder found (released already?)", f);
		return;
	}
	fputs("  held by", f);
	for (i = 0; i < x->nholders; i++) {
		const struct mx_binds_holder *h = &x->holders[i];
		const char *fmt = strchr(h->addr, ':') ? " [%s]:%u" : " %s:%u";

		if (i)
			fputc(',', f);
		if (h->pid)
			fprintf(f, " pid %d %s", h->pid, h->comm);
		else
			fputs(" a socket without process", f);
		if (h->container[0])
			fprintf(f, " (container %s)", h->container);
		if (h->publishes[0])
			fprintf(f, " (publishing container %s)", h->publishes);
		fprintf(f, " on");
		fprintf(f, fmt, h->addr, h->port);
	}
}

void mx_binds_print_header(struct mx_binds_out *o)
{
	if (o->json || o->header_done)
		return;
	fprintf(o->f, "%-15s %-6s %-5s %-28s %-13s %7s %-15s %-14s %s\n", "TIME", "EVENT", "PROTO",
		"ADDRESS", "RESULT", "PID", "COMM", "CONTAINER", "NETNS");
	o->header_done = true;
}

static void print_text(struct mx_binds_out *o, const struct mx_bind_event *e,
		       const struct mx_binds_extra *x)
{
	char ts[40], ep[80], comm[MX_BIND_COMM_LEN + 1], rb[16], ns[72], ifn[IF_NAMESIZE];
	const char *res, *red = "", *off = "";
	FILE *f = o->f;

	mx_binds_print_header(o);
	mx_binds_ts_str((int64_t)e->ts_ns + o->mono_to_real_ns, ts, sizeof(ts), false);
	endpoint(e, ep, sizeof(ep));
	comm_str(e, comm);
	res = result_name(e->ret, rb, sizeof(rb));
	if (o->color && e->ret && e->ret != MX_BIND_RET_UNKNOWN) {
		red = "\033[31m";
		off = "\033[0m";
	}
	if (x->netns_name[0])
		snprintf(ns, sizeof(ns), "%s", x->netns_name);
	else
		snprintf(ns, sizeof(ns), "%u", e->netns);
	fprintf(f, "%-15s %-6s %-5s %-28s %s%-13s%s %7u %-15s %-14s %s", ts,
		e->kind == MX_BIND_EV_LISTEN ? "listen" : "bind", mx_binds_proto_name(e->proto), ep,
		red, res, off, e->pid, comm, x->container[0] ? x->container : "-", ns);
	if (e->flags & MX_BIND_F_V6ONLY)
		fputs("  v6only", f);
	if (e->flags & MX_BIND_F_REUSEPORT)
		fputs("  reuseport", f);
	if (e->ifindex)
		fprintf(f, "  dev %s", if_indextoname(e->ifindex, ifn) ? ifn : "?");
	if (e->flags & MX_BIND_F_NOSYSCALL)
		fputs("  (not via listen(2))", f);
	if (e->ret == -EADDRINUSE || x->nholders)
		print_holders_text(f, x);
	if (x->hint)
		fprintf(f, "  (%s)", x->hint);
	fputc('\n', f);
}

void mx_binds_print(struct mx_binds_out *o, const struct mx_bind_event *e,
		    const struct mx_binds_extra *x)
{
	if (o->json)
		print_json(o, e, x);
	else
		print_text(o, e, x);
}

void mx_binds_print_status(struct mx_binds_out *o, const char *event, uint64_t events,
			   uint64_t lost_ring, uint64_t lost_inflight, uint64_t new_lost,
			   double seconds)
{
	struct timespec now;
	char ts[40];

	if (!o->json)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	mx_binds_ts_str((int64_t)now.tv_sec * 1000000000 + now.tv_nsec, ts, sizeof(ts), true);
	fprintf(o->f,
		"{\"ts\":\"%s\",\"event\":\"%s\",\"events\":%llu,\"lost\":%llu,"
		"\"lost_buffer_full\":%llu,\"lost_inflight_full\":%llu,\"seconds\":%.3f}\n",
		ts, event, (unsigned long long)events, (unsigned long long)new_lost,
		(unsigned long long)lost_ring, (unsigned long long)lost_inflight, seconds);
}
