// SPDX-License-Identifier: GPL-2.0
/* One mailcow port against the snapshot: the binds mailcow's docker-proxy
 * makes for it, which sockets collide (bind_conflict.c), whose they are, and
 * whether Docker already DNATs the port away from a host service. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "check.h"
#include "container.h"
#include "ports_scan.h"

#define MAX_REQS 4
#define MAX_PUB 16

static const char *const state_names[] = {"free",   "other",	"mailcow",
					  "unsure", "shadowed", "conflict"};

const char *mx_port_state_name(enum mx_port_state st)
{
	return st <= MX_PORT_CONFLICT ? state_names[st] : "?";
}

struct reqs {
	struct mx_bind_req r[MAX_REQS];
	char str[MAX_REQS][64];
	int n;
};

static const char *proto_name(int proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

static void addr_port_str(int family, const __u8 *addr, __u16 port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

/* What mailcow asks of the kernel for port p: docker-proxy (Go) listens
 * with SO_REUSEADDR on TCP (none on UDP) on the bind address, or on 0.0.0.0
 * and, where the host has IPv6, on [::] with IPV6_V6ONLY. */
static void build_reqs(const struct mx_ports_scan *sc, const struct mx_port *p, struct reqs *q)
{
	int protos[2], np = 0, i;

	q->n = 0;
	if (p->proto & MX_TCP)
		protos[np++] = IPPROTO_TCP;
	if (p->proto & MX_UDP)
		protos[np++] = IPPROTO_UDP;
	for (i = 0; i < np; i++) {
		int fams[2], nf = 0, j;

		if (p->bind[0]) {
			__u8 tmp[16];

			fams[nf++] = inet_pton(AF_INET, p->bind, tmp) == 1 ? AF_INET : AF_INET6;
		} else {
			fams[nf++] = AF_INET;
			if (sc->ipv6)
				fams[nf++] = AF_INET6;
		}
		for (j = 0; j < nf && q->n < MAX_REQS; j++) {
			struct mx_bind_req *r = &q->r[q->n];

			if (mx_bind_req_init(r, fams[j], protos[i], p->bind, p->port))
				continue;
			r->v6only = fams[j] == AF_INET6;
			r->reuseaddr = protos[i] == IPPROTO_TCP;
			addr_port_str(r->family, r->addr, r->port, q->str[q->n], sizeof(q->str[0]));
			snprintf(q->str[q->n] + strlen(q->str[q->n]),
				 sizeof(q->str[0]) - strlen(q->str[q->n]), "/%s",
				 proto_name(protos[i]));
			q->n++;
		}
	}
}

static int is_loopback(const struct mx_sock *s)
{
	static const __u8 lo6[16] = {[15] = 1};

	if (s->family == AF_INET)
		return s->addr[0] == 127;
	if (!memcmp(s->addr, lo6, 16))
		return 1;
	return !memcmp(s->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) && s->addr[12] == 127;
}

static int is_docker_proc(const char *comm)
{
	return !strcmp(comm, "docker-proxy") || !strcmp(comm, "dockerd") ||
	       !strcmp(comm, "rootlesskit") || !strcmp(comm, "rootlessport");
}

/* The DNAT rule that takes outside traffic for the listener's port away.
 * PREROUTING never sees loopback traffic, so loopback listeners keep it; a
 * dual-stack [::] also receives IPv4, a v4-mapped address only IPv4. */
static int shadowing_rule(const struct mx_ports_scan *sc, const struct mx_sock *s,
			  struct mx_dnat *d)
{
	static const __u8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	int wild = mx_sock_is_wildcard(s);

	if (is_loopback(s))
		return 0;
	if (s->family == AF_INET6 && !memcmp(s->addr, mapped, 12))
		return mx_dnat_lookup(&sc->dnat, AF_INET, s->proto, s->addr + 12, s->port, d);
	if (mx_dnat_lookup(&sc->dnat, s->family, s->proto, wild ? NULL : s->addr, s->port, d))
		return 1;
	return s->family == AF_INET6 && wild && !s->v6only &&
	       mx_dnat_lookup(&sc->dnat, AF_INET, s->proto, NULL, s->port, d);
}

static void scopy(char *d, size_t n, const char *s)
{
	size_t l = strnlen(s, n - 1);

	memcpy(d, s, l);
	d[l] = '\0';
}

static int is_mailcow_name(const char *name, const struct mx_port *p)
{
	return name[0] && p->container[0] && strstr(name, p->container);
}

struct verdict {
	enum mx_port_state st;
	const char *why;
	int req; /* index of the blocked request, -1 */
	struct mx_dnat dnat;
	int has_dnat;
	char owner_name[128]; /* the container docker-proxy or the process serves */
	char owner_id[65];
};

static void judge(const struct mx_ports_scan *sc, const struct mx_port *p, const struct reqs *q,
		  const struct mx_listener *l, struct verdict *v)
{
	struct mx_sock_flags fl = {-1, -1};
	struct mx_published pub[MAX_PUB];
	int i, npub;

	memset(v, 0, sizeof(*v));
	v->req = -1;
	v->why = "does not collide with mailcow's binds";
	if (l->nown) {
		fl.reuseaddr = l->own[0].reuseaddr;
		fl.reuseport = l->own[0].reuseport;
	}
	for (i = 0; i < q->n; i++) {
		const char *why;

		if (mx_bind_conflict(&q->r[i], &l->s, &fl, &why)) {
			v->req = i;
			v->why = why;
			break;
		}
		if (v->req < 0 && q->r[i].proto == l->s.proto)
			v->why = why;
	}
	if (l->nown && is_docker_proc(l->h.comm)) {
		npub = mx_docker_published(l->s.port, l->s.proto, pub, MAX_PUB);
		if (npub <= 0) {
			v->st = MX_PORT_UNSURE;
			return;
		}
		/* The publication this docker-proxy serves: the one on its
		 * address (the API lists "0.0.0.0" and "::" separately). */
		for (i = 0; i < npub; i++)
			if (!strcmp(pub[i].host_ip, l->h.addr))
				break;
		if (i == npub)
			for (i = 0; i < npub; i++)
				if (is_mailcow_name(pub[i].name, p))
					break;
		if (i == npub)
			i = 0;
		scopy(v->owner_name, sizeof(v->owner_name), pub[i].name);
		scopy(v->owner_id, sizeof(v->owner_id), pub[i].id);
		if (is_mailcow_name(pub[i].name, p))
			v->st = MX_PORT_MAILCOW;
		else
			v->st = v->req >= 0 ? MX_PORT_CONFLICT : MX_PORT_OTHER;
		return;
	}
	if (l->h.container_id[0]) {
		scopy(v->owner_name, sizeof(v->owner_name),
		      l->h.container_name[0] ? l->h.container_name : l->h.container_id);
		if (is_mailcow_name(l->h.container_name, p)) {
			v->st = MX_PORT_MAILCOW;
			return;
		}
	}
	v->has_dnat = shadowing_rule(sc, &l->s, &v->dnat);
	if (v->has_dnat)
		v->st = MX_PORT_SHADOWED;
	else
		v->st = v->req >= 0 ? MX_PORT_CONFLICT : MX_PORT_OTHER;
}

static const char *family_name(int f)
{
	return f == AF_INET6 ? "ipv6" : "ipv4";
}

static const char *state_str(const struct mx_sock *s)
{
	if (s->proto == IPPROTO_UDP)
		return s->state == 1 ? "connected" : "bound";
	return s->state == MX_TCP_LISTEN ? "listen" : "bound";
}

static json_object *holder_json(const struct mx_listener *l, const struct verdict *v,
				const struct reqs *q)
{
	json_object *o = json_object_new_object(), *procs = json_object_new_array();
	size_t i;

	json_object_object_add(o, "family", json_object_new_string(family_name(l->s.family)));
	json_object_object_add(o, "address", json_object_new_string(l->h.addr));
	json_object_object_add(o, "port", json_object_new_int(l->s.port));
	json_object_object_add(o, "protocol", json_object_new_string(proto_name(l->s.proto)));
	json_object_object_add(o, "socket_state", json_object_new_string(state_str(&l->s)));
	json_object_object_add(
	    o, "v6only", l->s.family == AF_INET6 ? json_object_new_boolean(l->s.v6only) : NULL);
	json_object_object_add(o, "ifindex",
			       l->s.ifindex ? json_object_new_int(l->s.ifindex) : NULL);
	json_object_object_add(o, "uid", json_object_new_int64(l->s.uid));
	json_object_object_add(o, "inode", json_object_new_int64((long long)l->s.inode));
	for (i = 0; i < l->nown; i++) {
		json_object *pr = json_object_new_object();

		json_object_object_add(pr, "pid", json_object_new_int64(l->own[i].pid));
		json_object_object_add(pr, "command", json_object_new_string(l->own[i].comm));
		json_object_array_add(procs, pr);
	}
	json_object_object_add(o, "processes", procs);
	if (l->nown && l->own[0].reuseaddr >= 0) {
		json_object_object_add(o, "reuseaddr",
				       json_object_new_boolean(l->own[0].reuseaddr));
		json_object_object_add(o, "reuseport",
				       json_object_new_boolean(l->own[0].reuseport));
	}
	json_object_object_add(o, "cgroup",
			       l->h.cgroup[0] ? json_object_new_string(l->h.cgroup) : NULL);
	json_object_object_add(o, "unit", l->unit[0] ? json_object_new_string(l->unit) : NULL);
	/* docker-proxy is a host process: the container is the one it serves. */
	json_object_object_add(o, "container_id",
			       l->h.container_id[0] ? json_object_new_string(l->h.container_id)
			       : v->owner_id[0]	    ? json_object_new_string(v->owner_id)
						    : NULL);
	/* The name only when known: without the API the id stands alone. */
	json_object_object_add(o, "container_name",
			       v->owner_name[0] && strcmp(v->owner_name, l->h.container_id)
				   ? json_object_new_string(v->owner_name)
				   : NULL);
	json_object_object_add(o, "verdict", json_object_new_string(mx_port_state_name(v->st)));
	json_object_object_add(o, "blocks",
			       v->req >= 0 ? json_object_new_string(q->str[v->req]) : NULL);
	json_object_object_add(o, "reason", json_object_new_string(v->why));
	if (v->has_dnat) {
		json_object *d = json_object_new_object();
		const struct fw_table *t = v->dnat.table;

		json_object_object_add(d, "to", json_object_new_string(mx_dnat_to(&v->dnat)));
		json_object_object_add(d, "backend",
				       json_object_new_string(t->backend == FW_LEGACY
								  ? "iptables-legacy"
								  : "nftables"));
		json_object_object_add(d, "table", json_object_new_string(t->name));
		json_object_object_add(d, "chain", json_object_new_string(v->dnat.chain->name));
		json_object_object_add(d, "handle",
				       v->dnat.rule->handle
					   ? json_object_new_int64((long long)v->dnat.rule->handle)
					   : NULL);
		json_object_object_add(d, "position", json_object_new_int(v->dnat.rule->pos));
		json_object_object_add(d, "rule", json_object_new_string(v->dnat.rule->text));
		json_object_object_add(d, "applies",
				       json_object_new_string(mx_dnat_fit_name(v->dnat.fit)));
		json_object_object_add(o, "dnat", d);
	} else {
		json_object_object_add(o, "dnat", NULL);
	}
	return o;
}

/* "[::1]:465/tcp" */
static void sock_str(const struct mx_listener *l, char *buf, size_t len)
{
	snprintf(buf, len, l->s.family == AF_INET6 ? "[%s]:%u/%s" : "%s:%u/%s", l->h.addr,
		 l->s.port, proto_name(l->s.proto));
}

/* "exim4 (pid 812, exim4.service)" */
static void who(const struct mx_listener *l, const struct verdict *v, char *buf, size_t len)
{
	if (!l->nown) {
		if (geteuid() != 0)
			snprintf(buf, len,
				 "a socket of uid %u (inode %llu) whose process only root may see",
				 l->s.uid, (unsigned long long)l->s.inode);
		else
			snprintf(
			    buf, len,
			    "a socket with no process in this pid namespace (uid %u, inode %llu)",
			    l->s.uid, (unsigned long long)l->s.inode);
		return;
	}
	char more[32] = "";

	if (l->nown > 1)
		snprintf(more, sizeof(more), " and %zu more", l->nown - 1);
	snprintf(buf, len, "%s (pid %u%s%s%s%s%s)", l->h.comm, l->h.pid, more,
		 l->unit[0] ? ", " : "", l->unit, v->owner_name[0] ? ", container " : "",
		 v->owner_name);
}

static void remedy(struct mx_result *r, const struct mx_port *p, const struct mx_listener *l,
		   const struct verdict *v)
{
	char move[256] = "";

	if (!strcmp(p->name, "smtp"))
		snprintf(move, sizeof(move),
			 " (inbound mail needs port 25: the other service has to go)");
	else if (!strcmp(p->name, "http") || !strcmp(p->name, "https"))
		snprintf(move, sizeof(move),
			 "; or move mailcow: %s=<port> or HTTP_BIND=<address> in mailcow.conf, "
			 "then docker compose up -d",
			 p->var);
	else if (!p->var[0])
		snprintf(move, sizeof(move), "; or change port.%s in the --config file", p->name);
	else
		snprintf(move, sizeof(move),
			 "; or move mailcow: %s=<port> (or %s=<ip>:<port>) in mailcow.conf, then "
			 "docker compose up -d",
			 p->var, p->var);
	if (v->st == MX_PORT_SHADOWED) {
		/* mailcow works; the host service is the one cut off. */
		if (l->unit[0])
			mx_result_remedy(r,
					 "%s gets no outside traffic on %u/%s: systemctl disable "
					 "--now %s, or move it to another port",
					 l->h.comm, l->s.port, proto_name(l->s.proto), l->unit);
		else
			mx_result_remedy(r,
					 "%s gets no outside traffic on %u/%s: stop it (kill %u) "
					 "or move it to another port",
					 l->nown ? l->h.comm : "the holder", l->s.port,
					 proto_name(l->s.proto), l->h.pid);
	} else if (v->st == MX_PORT_UNSURE) {
		mx_result_remedy(r,
				 "let mxprobe read Docker's API socket (%s, run as root) to tell "
				 "whose port this is",
				 mx_docker_socket());
	} else if (!l->nown && geteuid() != 0) {
		mx_result_remedy(
		    r, "run mxprobe as root to name the owner (it needs every process's files)%s",
		    move);
	} else if (!l->nown) {
		mx_result_remedy(r,
				 "find the owner: ss -%cape 'sport = :%u' (it may live in another "
				 "pid namespace)%s",
				 l->s.proto == IPPROTO_UDP ? 'u' : 't', l->s.port, move);
	} else if (v->owner_name[0]) {
		mx_result_remedy(r,
				 "stop the container and drop its port mapping: docker stop %s%s",
				 v->owner_name, move);
	} else if (l->unit[0]) {
		mx_result_remedy(r, "stop and disable it: systemctl disable --now %s%s", l->unit,
				 move);
	} else {
		mx_result_remedy(r, "stop %s (kill %u) and remove it from the boot sequence%s",
				 l->h.comm, l->h.pid, move);
	}
}

/* Nothing holds the port on the host. With "userland-proxy": false a
 * running container is published by its DNAT rule alone: say whose. */
static void no_socket(const struct mx_ports_scan *sc, const struct mx_port *p, struct mx_result *r,
		      const char *portstr, const char *binds_str)
{
	struct mx_published pub[MAX_PUB];
	struct mx_dnat d;
	const char *to;
	int n, j, found = 0, proto = IPPROTO_TCP;

	for (j = 0; j < 2 && !found; j++) {
		proto = (p->proto & MX_TCP) && j == 0 ? IPPROTO_TCP : IPPROTO_UDP;
		if (!(p->proto & (proto == IPPROTO_TCP ? MX_TCP : MX_UDP)))
			continue;
		found = mx_dnat_lookup(&sc->dnat, AF_INET, proto, NULL, p->port, &d) ||
			mx_dnat_lookup(&sc->dnat, AF_INET6, proto, NULL, p->port, &d);
	}
	if (!found) {
		mx_result_set(r, MX_PASS, "%s free for %s", portstr, binds_str);
		return;
	}
	to = mx_dnat_to(&d);
	n = mx_docker_published(p->port, proto, pub, MAX_PUB);
	for (j = 0; j < n; j++)
		if (is_mailcow_name(pub[j].name, p))
			break;
	if (n > 0 && j < n) {
		mx_data_str(r, "state", mx_port_state_name(MX_PORT_MAILCOW));
		mx_data_str(r, "published_by", pub[j].name);
		mx_result_set(r, MX_PASS,
			      "%s in use by mailcow: Docker DNATs it to %s for %s (no host socket: "
			      "userland-proxy off)",
			      portstr, to, pub[j].name);
	} else if (n > 0) {
		mx_data_str(r, "state", mx_port_state_name(MX_PORT_CONFLICT));
		mx_data_str(r, "published_by", pub[0].name);
		mx_result_set(r, MX_FAIL,
			      "%s is published by container %s (DNAT to %s): Docker will refuse "
			      "%s the same port (port is already allocated)",
			      portstr, pub[0].name, to, p->container[0] ? p->container : p->name);
		mx_result_remedy(r, "stop the container and drop its port mapping: docker stop %s",
				 pub[0].name);
	} else {
		mx_data_str(r, "state", mx_port_state_name(MX_PORT_UNSURE));
		mx_result_set(r, MX_WARN,
			      "%s has no host socket but the nat rule in %s %s DNATs it to %s; "
			      "Docker's API (%s) does not say which container",
			      portstr, d.table->name, d.chain->name, to, mx_docker_socket());
		mx_result_remedy(r,
				 "let mxprobe read Docker's API socket (%s, run as root) to tell "
				 "whose port this is",
				 mx_docker_socket());
	}
}

void mx_port_evaluate(const struct mx_ports_scan *sc, const struct mx_config *cfg,
		      const struct mx_port *p, struct mx_result *r)
{
	struct verdict v, worst_v = {0};
	const struct mx_listener *worst = NULL;
	json_object *holders, *binds;
	enum mx_port_state st = MX_PORT_FREE;
	char w[640], buf[64], portstr[32];
	char binds_str[160] = "", also[160] = "";
	size_t i;
	struct reqs q;
	int j;

	(void)cfg;
	build_reqs(sc, p, &q);
	snprintf(portstr, sizeof(portstr), "%u/%s%s", p->port, p->proto & MX_TCP ? "tcp" : "udp",
		 (p->proto & MX_TCP) && (p->proto & MX_UDP) ? "+udp" : "");
	mx_data_int(r, "port", p->port);
	mx_data_str(r, "protocols",
		    (p->proto & MX_TCP) && (p->proto & MX_UDP) ? "tcp+udp"
		    : p->proto & MX_UDP			       ? "udp"
							       : "tcp");
	mx_data_str(r, "bind", p->bind);
	mx_data_str(r, "variable", p->var);
	mx_data_str(r, "service", p->service);
	mx_data_str(r, "container", p->container);
	binds = json_object_new_array();
	for (j = 0; j < q.n; j++)
		json_object_array_add(binds, json_object_new_string(q.str[j]));
	json_object_object_add(mx_result_data(r), "mailcow_binds", binds);
	if (sc->err) {
		mx_data_str(r, "state", "unknown");
		mx_result_set(r, MX_ERROR, "%s: %s%s", sc->err_what, strerror(-sc->err),
			      sc->err == -EPERM || sc->err == -EACCES ? " (needs root)" : "");
		return;
	}
	holders = json_object_new_array();
	for (i = 0; i < sc->n; i++) {
		const struct mx_listener *l = &sc->l[i];
		unsigned bit = l->s.proto == IPPROTO_UDP ? MX_UDP : MX_TCP;

		if (l->s.port != p->port || !(p->proto & bit))
			continue;
		judge(sc, p, &q, l, &v);
		json_object_array_add(holders, holder_json(l, &v, &q));
		if (v.st > st || !worst) {
			if (v.st >= st) {
				st = v.st;
				worst = l;
				worst_v = v;
			}
		}
	}
	json_object_object_add(mx_result_data(r), "holders", holders);
	/* The other sockets in the same plight, by address, for the summary. */
	for (i = 0; i < sc->n && worst; i++) {
		const struct mx_listener *l = &sc->l[i];
		unsigned bit = l->s.proto == IPPROTO_UDP ? MX_UDP : MX_TCP;

		if (l == worst || l->s.port != p->port || !(p->proto & bit))
			continue;
		judge(sc, p, &q, l, &v);
		if (v.st != st)
			continue;
		sock_str(l, buf, sizeof(buf));
		if (strlen(also) + strlen(buf) + strlen(l->h.comm) + 24 < sizeof(also))
			snprintf(also + strlen(also), sizeof(also) - strlen(also), "%s%s%s%s%s",
				 also[0] ? ", " : "; also ", buf,
				 strcmp(l->h.comm, worst->h.comm) ? " (" : "",
				 strcmp(l->h.comm, worst->h.comm) ? l->h.comm : "",
				 strcmp(l->h.comm, worst->h.comm) ? ")" : "");
	}
	for (j = 0; j < q.n; j++)
		if (strlen(binds_str) + strlen(q.str[j]) + 8 < sizeof(binds_str))
			snprintf(binds_str + strlen(binds_str),
				 sizeof(binds_str) - strlen(binds_str), "%s%s",
				 j ? ", " : "mailcow's ", q.str[j]);
	mx_data_str(r, "state", mx_port_state_name(st));
	mx_data_str(r, "pid_mechanism", sc->pm.mechanism ? sc->pm.mechanism : "none");
	if (!worst) {
		no_socket(sc, p, r, portstr, binds_str);
		return;
	}
	who(worst, &worst_v, w, sizeof(w));
	switch (st) {
	case MX_PORT_FREE:
	case MX_PORT_OTHER:
		sock_str(worst, buf, sizeof(buf));
		mx_result_set(r, MX_PASS, "%s usable: %s on %s does not collide with %s (%s)",
			      portstr, w, buf, binds_str, worst_v.why);
		break;
	case MX_PORT_MAILCOW:
		mx_result_set(r, MX_PASS, "%s in use by mailcow: %s", portstr, w);
		break;
	case MX_PORT_UNSURE:
		mx_result_set(r, MX_WARN,
			      "%s held by %s, but Docker's API (%s) does not say which container "
			      "publishes it",
			      portstr, w, mx_docker_socket());
		remedy(r, p, worst, &worst_v);
		break;
	case MX_PORT_SHADOWED:
		sock_str(worst, binds_str, sizeof(binds_str));
		mx_result_set(r, MX_WARN,
			      "%s on %s is shadowed: the nat rule in %s %s DNATs the port to %s, "
			      "outside traffic never reaches it%s",
			      w, binds_str, worst_v.dnat.table->name, worst_v.dnat.chain->name,
			      mx_dnat_to(&worst_v.dnat), also);
		remedy(r, p, worst, &worst_v);
		break;
	case MX_PORT_CONFLICT:
		sock_str(worst, buf, sizeof(buf));
		mx_result_set(r, MX_FAIL,
			      "%s %s on %s: %s would not start, its bind to %s fails with "
			      "EADDRINUSE (%s)%s",
			      w, worst->s.state == MX_TCP_LISTEN ? "listens" : "is bound", buf,
			      p->container[0] ? p->container : p->name,
			      worst_v.req >= 0 ? q.str[worst_v.req] : "?", worst_v.why, also);
		remedy(r, p, worst, &worst_v);
		break;
	}
}
