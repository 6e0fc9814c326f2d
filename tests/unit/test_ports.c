// SPDX-License-Identifier: GPL-2.0
/* The ports group over recorded sock_diag replies (fixtures/ports_netns,
 * made by its record.sh from real listeners in a network namespace): the
 * reply parser, the kernel's bind-conflict rules, the /proc pid map over the
 * fixture tree, and the per-port verdicts with their remedies. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <stdio.h>

#include "unit.h"
#include "bind_conflict.h"
#include "container.h"
#include "holders.h"
#include "pidmap.h"
#include "ports_scan.h"
#include "nat_dnat.h"
#include "sockdiag.h"

#define FIX "ports_netns"

static struct mx_sock_list replay(void)
{
	struct mx_sock_list l = {0};
	static char buf[1 << 16];
	FILE *f = fopen(MX_FIXTURES "/" FIX "/sockdiag.bin", "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(buf));
	assert_int_equal(mx_sockdiag_replay(buf, n, &l), 0);
	return l;
}

static const struct mx_sock *find(const struct mx_sock_list *l, int proto, const char *addr,
				  int port)
{
	__u8 a[16] = {0};
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	size_t i;

	assert_int_equal(inet_pton(fam, addr, a), 1);
	for (i = 0; i < l->n; i++)
		if (l->v[i].proto == proto && l->v[i].family == fam && l->v[i].port == port &&
		    !memcmp(l->v[i].addr, a, fam == AF_INET ? 4 : 16))
			return &l->v[i];
	fail_msg("no recorded socket %s:%d", addr, port);
	return NULL;
}

static void test_parse(void **state)
{
	struct mx_sock_list l = replay();
	const struct mx_sock *s;
	char buf[64];

	s = find(&l, IPPROTO_TCP, "127.0.0.1", 25);
	assert_int_equal(s->state, MX_TCP_LISTEN);
	assert_string_equal(mx_sock_addr_str(s, buf, sizeof(buf)), "127.0.0.1");
	assert_true(s->inode > 0);
	assert_int_equal(find(&l, IPPROTO_TCP, "::", 80)->v6only, 0);
	assert_int_equal(find(&l, IPPROTO_TCP, "::", 993)->v6only, 1);
	/* inet6_bind() sets ipv6only for any specific IPv6 address. */
	assert_int_equal(find(&l, IPPROTO_TCP, "::1", 587)->v6only, 1);
	assert_int_equal(find(&l, IPPROTO_TCP, "::ffff:127.0.0.1", 110)->v6only, 0);
	/* Bound, never listened: asked for as TCP_BOUND_INACTIVE (Linux
	 * 6.7+), reported in state TCP_CLOSE. */
	assert_int_equal(find(&l, IPPROTO_TCP, "0.0.0.0", 4190)->state, MX_TCP_CLOSE);
	assert_int_equal(find(&l, IPPROTO_UDP, "0.0.0.0", 443)->state, MX_TCP_CLOSE);
	assert_true(mx_sock_is_wildcard(find(&l, IPPROTO_UDP, "0.0.0.0", 443)));
	mx_sock_list_free(&l);
}

static void test_replay_rejects_garbage(void **state)
{
	struct mx_sock_list l = replay(), l2 = {0};
	static char buf[1 << 16];
	FILE *f = fopen(MX_FIXTURES "/" FIX "/sockdiag.bin", "rb");
	size_t n = fread(buf, 1, sizeof(buf), f);

	fclose(f);
	/* Cut short: the dump never ends (no NLMSG_DONE). */
	assert_true(mx_sockdiag_replay(buf, n - 20, &l2) < 0);
	mx_sock_list_free(&l2);
	/* A reply to another request (sequence number) is not believed. */
	buf[4] ^= 0x5a;
	assert_true(mx_sockdiag_replay(buf, n, &l2) < 0);
	mx_sock_list_free(&l2);
	mx_sock_list_free(&l);
}

struct rule {
	int proto;
	const char *holder; /* recorded socket address */
	int port;
	int req_family;
	const char *req_addr; /* "" = wildcard */
	int v6only, reuseaddr, reuseport;
	int h_reuseaddr, h_reuseport; /* -1 unknown */
	int want;
};

static const struct rule rules[] = {
    /* exim4 on loopback blocks docker-proxy's wildcard bind. */
    {IPPROTO_TCP, "127.0.0.1", 25, AF_INET, "", 0, 1, 0, -1, -1, 1},
    {IPPROTO_TCP, "127.0.0.1", 25, AF_INET, "127.0.0.1", 0, 1, 0, -1, -1, 1},
    {IPPROTO_TCP, "127.0.0.1", 25, AF_INET, "10.9.9.9", 0, 1, 0, -1, -1, 0},
    {IPPROTO_TCP, "127.0.0.1", 25, AF_INET6, "", 1, 1, 0, -1, -1, 0},
    {IPPROTO_TCP, "127.0.0.1", 25, AF_INET6, "", 0, 1, 0, -1, -1, 1},
    /* A dual-stack [::] holds every IPv4 address too. */
    {IPPROTO_TCP, "::", 80, AF_INET, "", 0, 1, 0, -1, -1, 1},
    {IPPROTO_TCP, "::", 80, AF_INET, "10.9.9.9", 0, 1, 0, -1, -1, 1},
    {IPPROTO_TCP, "::", 80, AF_INET6, "", 1, 1, 0, -1, -1, 1},
    /* A v6only [::] holds no IPv4 address, but collides with [::] anyway. */
    {IPPROTO_TCP, "::", 993, AF_INET, "", 0, 1, 0, -1, -1, 0},
    {IPPROTO_TCP, "::", 993, AF_INET, "10.9.9.8", 0, 1, 0, -1, -1, 0},
    {IPPROTO_TCP, "::", 993, AF_INET6, "", 1, 1, 0, -1, -1, 1},
    {IPPROTO_TCP, "::", 993, AF_INET6, "::1", 1, 1, 0, -1, -1, 1},
    /* [::1] blocks the IPv6 wildcard, not IPv4 and not another address. */
    {IPPROTO_TCP, "::1", 587, AF_INET, "", 0, 1, 0, -1, -1, 0},
    {IPPROTO_TCP, "::1", 587, AF_INET6, "", 1, 1, 0, -1, -1, 1},
    {IPPROTO_TCP, "::1", 587, AF_INET6, "2001:db8::1", 1, 1, 0, -1, -1, 0},
    /* A specific IP: the same IP or a wildcard. */
    {IPPROTO_TCP, "10.9.9.9", 143, AF_INET, "", 0, 1, 0, -1, -1, 1},
    {IPPROTO_TCP, "10.9.9.9", 143, AF_INET, "10.9.9.9", 0, 1, 0, -1, -1, 1},
    {IPPROTO_TCP, "10.9.9.9", 143, AF_INET, "10.9.9.8", 0, 1, 0, -1, -1, 0},
    /* A v4-mapped IPv6 listener is an IPv4 listener on that address. */
    {IPPROTO_TCP, "::ffff:127.0.0.1", 110, AF_INET, "", 0, 1, 0, -1, -1, 1},
    {IPPROTO_TCP, "::ffff:127.0.0.1", 110, AF_INET, "10.9.9.9", 0, 1, 0, -1, -1, 0},
    {IPPROTO_TCP, "::ffff:127.0.0.1", 110, AF_INET6, "", 1, 1, 0, -1, -1, 0},
    {IPPROTO_TCP, "::ffff:127.0.0.1", 110, AF_INET6, "", 0, 1, 0, -1, -1, 1},
    /* Bound, not listening, SO_REUSEADDR: shares with another REUSEADDR
     * socket, not with one without; unknown flags count as a collision. */
    {IPPROTO_TCP, "0.0.0.0", 4190, AF_INET, "", 0, 1, 0, 1, 0, 0},
    {IPPROTO_TCP, "0.0.0.0", 4190, AF_INET, "", 0, 0, 0, 1, 0, 1},
    {IPPROTO_TCP, "0.0.0.0", 4190, AF_INET, "", 0, 1, 0, -1, -1, 1},
    /* SO_REUSEADDR never shares a listener's port. */
    {IPPROTO_TCP, "127.0.0.1", 25, AF_INET, "", 0, 1, 0, 1, 0, 1},
    /* SO_REUSEPORT group: both sockets, same uid (the fixture's: 0). */
    {IPPROTO_TCP, "0.0.0.0", 995, AF_INET, "", 0, 0, 1, 0, 1, 0},
    {IPPROTO_TCP, "0.0.0.0", 995, AF_INET, "", 0, 1, 0, 0, 1, 1},
    /* UDP: SO_REUSEADDR on both shares the port, whatever the state. */
    {IPPROTO_UDP, "0.0.0.0", 443, AF_INET, "", 0, 0, 0, 0, 0, 1},
    {IPPROTO_UDP, "0.0.0.0", 443, AF_INET, "", 0, 1, 0, 1, 0, 0},
    {IPPROTO_UDP, "0.0.0.0", 443, AF_INET, "127.0.0.1", 0, 0, 0, -1, -1, 1},
};

static void test_conflict_rules(void **state)
{
	struct mx_sock_list l = replay();
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *r = &rules[i];
		const struct mx_sock *h = find(&l, r->proto, r->holder, r->port);
		struct mx_sock_flags fl = {r->h_reuseaddr, r->h_reuseport};
		struct mx_bind_req req;
		const char *why = NULL;
		int got;

		assert_int_equal(
		    mx_bind_req_init(&req, r->req_family, r->proto, r->req_addr, r->port), 0);
		req.v6only = r->v6only;
		req.reuseaddr = r->reuseaddr;
		req.reuseport = r->reuseport;
		req.uid = 0;
		got = mx_bind_conflict(&req, h, &fl, &why);
		if (got != r->want)
			fail_msg("rule %zu: holder %s:%d, bind [%s]:%d v6only=%d: got %d (%s)", i,
				 r->holder, r->port, r->req_addr, r->port, r->v6only, got, why);
		assert_non_null(why);
	}
	/* The other protocol never collides. */
	{
		struct mx_bind_req req;

		mx_bind_req_init(&req, AF_INET, IPPROTO_TCP, "", 443);
		assert_int_equal(
		    mx_bind_conflict(&req, find(&l, IPPROTO_UDP, "0.0.0.0", 443), NULL, NULL), 0);
	}
	mx_sock_list_free(&l);
}

static void test_bad_request(void **state)
{
	struct mx_bind_req req;
	struct mx_holder h[1];

	assert_int_equal(mx_bind_req_init(&req, AF_INET, IPPROTO_TCP, "not-an-ip", 25), -EINVAL);
	assert_int_equal(mx_bind_req_init(&req, AF_UNIX, IPPROTO_TCP, "", 25), -EINVAL);
	assert_int_equal(mx_find_holders(AF_INET, IPPROTO_TCP, "1.2.3.999", 25, h, 1), -EINVAL);
	assert_int_equal(mx_find_holders(AF_INET, IPPROTO_ICMP, NULL, 25, h, 1), -EINVAL);
}

static void test_cgroup_parsing(void **state)
{
	char id[65], unit[128];

	assert_int_equal(
	    mx_container_id_of_cgroup(
		"/system.slice/"
		"docker-3f2a9c1b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd.scope",
		id, sizeof(id)),
	    1);
	assert_string_equal(id, "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd");
	assert_int_equal(
	    mx_container_id_of_cgroup(
		"/docker/3f2a9c1b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd/init", id,
		sizeof(id)),
	    1);
	assert_int_equal(mx_container_id_of_cgroup("/system.slice/exim4.service", id, sizeof(id)),
			 0);
	assert_string_equal(id, "");
	/* 64 hex inside a longer name is not an id. */
	assert_int_equal(mx_container_id_of_cgroup(
			     "/x3f2a9c1b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd",
			     id, sizeof(id)),
			 0);
	assert_int_equal(mx_unit_of_cgroup("/system.slice/system-postfix.slice/postfix@-.service",
					   unit, sizeof(unit)),
			 1);
	assert_string_equal(unit, "postfix@-.service");
	assert_int_equal(
	    mx_unit_of_cgroup("/user.slice/user-0.slice/session-1.scope", unit, sizeof(unit)), 0);
}

/* cgroup v1 / hybrid hosts: "0::/" says nothing, the controller and
 * name=systemd hierarchies name the container or the unit. */
static void test_cgroup_v1(void **state)
{
	static struct mx_config cfg;
	char cg[256], id[65], name[128];

	mx_unit_sysroot(&cfg, "ports_cgv1");
	assert_int_equal(mx_container_of_pid(4242, id, sizeof(id), name, sizeof(name)), 1);
	assert_string_equal(id, "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd");
	assert_string_equal(name, ""); /* no API socket under --sysroot */
	assert_int_equal(mx_cgroup_of_pid(4243, cg, sizeof(cg)), 0);
	assert_string_equal(cg, "/system.slice/exim4.service");
	assert_int_equal(mx_container_of_pid(4243, id, sizeof(id), name, sizeof(name)), 0);
	assert_true(mx_cgroup_of_pid(4244, cg, sizeof(cg)) < 0);
}

/* mx_find_holders_netns() against a real listener in a new network
 * namespace (a forked child: root only, else skipped). */
static void test_find_holders_netns(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(2525)};
	struct mx_holder h[4];
	int ready[2], hold[2], fd, n, one = 1;
	char path[64], c = 0;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	mx_sysroot_set(NULL); /* the live system, after the fixture tests */
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int s;

		close(ready[0]);
		close(hold[1]);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (unshare(CLONE_NEWNET) || (s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			_exit(1);
		/* lo is down in a new namespace, yet 127.0.0.1 binds. */
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (void *)&a, sizeof(a)) || listen(s, 1))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		if (read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* In its namespace: the loopback listener blocks a wildcard bind. */
	n = mx_find_holders_netns(fd, AF_INET, IPPROTO_TCP, NULL, 2525, h, 4);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].pid, (__u32)pid);
	assert_string_equal(h[0].addr, "127.0.0.1");
	assert_int_equal(h[0].state, MX_TCP_LISTEN);
	assert_int_equal(h[0].npids, 1);
	/* Not a specific other address, and not from the caller's namespace. */
	assert_int_equal(mx_find_holders_netns(fd, AF_INET, IPPROTO_TCP, "127.0.0.2", 2525, h, 4),
			 0);
	n = mx_find_holders(AF_INET, IPPROTO_TCP, NULL, 2525, h, 4);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(h[i].pid, (__u32)pid);
	close(fd);
	close(hold[1]);
	waitpid(pid, NULL, 0);
}

/* The snapshot as `mxprobe ports` takes it, from the fixture: sockets from
 * the recording, owners from the fixture's /proc by the procfs walk. */
static void take(struct mx_config *cfg, struct mx_ports_scan *sc, struct mx_dnat_list *dnat)
{
	struct mx_sock_list l;
	struct mx_pidmap pm;
	__u64 want[64];
	size_t i;

	mx_unit_sysroot(cfg, FIX);
	l = replay();
	assert_true(l.n < 64);
	for (i = 0; i < l.n; i++)
		want[i] = l.v[i].inode;
	assert_int_equal(mx_pidmap_build_procfs(&pm, want, l.n), 0);
	assert_string_equal(pm.mechanism, "procfs");
	mx_ports_scan_from(sc, cfg, &l, &pm, dnat, 1);
	mx_ports_scan_inject(sc);
}

static void test_pidmap_procfs(void **state)
{
	static struct mx_config cfg;
	struct mx_ports_scan sc;
	size_t i;

	take(&cfg, &sc, NULL);
	/* Every recorded socket on a mailcow port has its owner. */
	assert_true(sc.n >= 11);
	for (i = 0; i < sc.n; i++) {
		assert_true(sc.l[i].nown >= 1);
		assert_true(sc.l[i].h.pid > 0);
	}
	mx_ports_scan_inject(NULL);
	mx_ports_scan_free(&sc);
}

static json_object *holder0(const struct mx_result *r)
{
	json_object *h;

	assert_true(json_object_object_get_ex(r->data, "holders", &h));
	assert_true(json_object_array_length(h) >= 1);
	return json_object_array_get_idx(h, 0);
}

static const char *hstr(json_object *h, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(h, k, &v) && v ? json_object_get_string(v) : "";
}

static void test_verdicts(void **state)
{
	static struct mx_config cfg;
	struct mx_ports_scan sc;
	struct mx_result r;
	struct mx_port *p;

	take(&cfg, &sc, NULL);

	mx_unit_run(&cfg, "ports.smtp", &r);
	assert_int_equal(r.status, MX_FAIL);
	assert_string_equal(mx_unit_str(&r, "state"), "conflict");
	assert_string_equal(hstr(holder0(&r), "address"), "127.0.0.1");
	assert_string_equal(hstr(holder0(&r), "unit"), "exim4.service");
	assert_string_equal(hstr(holder0(&r), "blocks"), "0.0.0.0:25/tcp");
	assert_non_null(strstr(r.remedy, "systemctl disable --now exim4.service"));
	mx_unit_free(&r);

	/* A process in a container (host network): its container id. */
	mx_unit_run(&cfg, "ports.http", &r);
	assert_int_equal(r.status, MX_FAIL);
	assert_string_equal(hstr(holder0(&r), "container_id"),
			    "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd");
	assert_non_null(strstr(r.remedy, "docker stop 3f2a9c1b"));
	mx_unit_free(&r);

	mx_unit_run(&cfg, "ports.submission", &r);
	assert_int_equal(r.status, MX_FAIL);
	assert_string_equal(hstr(holder0(&r), "blocks"), "[::]:587/tcp");
	assert_non_null(strstr(r.remedy, "postfix@-.service"));
	mx_unit_free(&r);

	mx_unit_run(&cfg, "ports.https", &r);
	assert_int_equal(r.status, MX_FAIL);
	assert_string_equal(hstr(holder0(&r), "protocol"), "udp");
	mx_unit_free(&r);

	mx_unit_run(&cfg, "ports.smtps", &r);
	assert_int_equal(r.status, MX_PASS);
	assert_string_equal(mx_unit_str(&r, "state"), "free");
	mx_unit_free(&r);

	/* Loopback-only mailcow ports: a holder on 10.9.9.9 does not collide,
	 * one on the same 127.0.0.1 does. */
	mx_unit_run(&cfg, "ports.redis", &r);
	assert_int_equal(r.status, MX_PASS);
	assert_string_equal(mx_unit_str(&r, "state"), "other");
	mx_unit_free(&r);
	mx_unit_run(&cfg, "ports.sql", &r);
	assert_int_equal(r.status, MX_FAIL);
	mx_unit_free(&r);

	/* mailcow.conf IMAP_PORT=10.9.9.8:143 / IMAPS_PORT=10.9.9.8:993. */
	p = (struct mx_port *)mx_config_port(&cfg, "imap");
	snprintf(p->bind, sizeof(p->bind), "10.9.9.8");
	mx_unit_run(&cfg, "ports.imap", &r);
	assert_int_equal(r.status, MX_PASS);
	mx_unit_free(&r);
	p = (struct mx_port *)mx_config_port(&cfg, "imaps");
	mx_unit_run(&cfg, "ports.imaps", &r);
	assert_int_equal(r.status, MX_FAIL);
	mx_unit_free(&r);
	snprintf(p->bind, sizeof(p->bind), "10.9.9.8");
	mx_unit_run(&cfg, "ports.imaps", &r);
	assert_int_equal(r.status, MX_PASS);
	mx_unit_free(&r);

	mx_ports_scan_inject(NULL);
	mx_ports_scan_free(&sc);
}

static struct mx_dnat_list replay_nft(void)
{
	struct mx_dnat_list l = {0};
	static char buf[1 << 16];
	FILE *f = fopen(MX_FIXTURES "/" FIX "/nft.bin", "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(buf));
	assert_int_equal(mx_dnat_parse(&l, buf, n), 0);
	return l;
}

static int lookup(const struct mx_dnat_list *l, int family, int proto, const char *addr, int port,
		  struct mx_dnat *d)
{
	__u8 a[16];

	if (addr)
		assert_int_equal(inet_pton(family, addr, a), 1);
	return mx_dnat_lookup(l, family, proto, addr ? a : NULL, port, d);
}

/* The recorded ruleset: iptables-nft rules as Docker writes them (nat
 * PREROUTING -> addrtype LOCAL -> DOCKER, "! -i br-mailcow", xt DNAT), a port
 * range, native nft "dnat to" with "ip daddr", an ip6 table, a rule that is
 * no DNAT. A connection from outside is walked through them. */
static void test_dnat_lookup(void **state)
{
	struct mx_dnat_list l = replay_nft();
	struct mx_dnat d;

	assert_true(lookup(&l, AF_INET, IPPROTO_TCP, NULL, 80, &d));
	assert_string_equal(mx_dnat_to(&d), "172.22.1.5:80");
	assert_string_equal(d.table->name, "nat");
	assert_string_equal(d.chain->name, "DOCKER");
	assert_int_equal(d.fit, FW_FIT_YES);
	assert_true(lookup(&l, AF_INET, IPPROTO_TCP, "192.0.2.1", 80, &d));
	assert_true(lookup(&l, AF_INET, IPPROTO_UDP, NULL, 443, &d));
	assert_string_equal(mx_dnat_to(&d), "172.22.1.5:443");
	assert_false(lookup(&l, AF_INET, IPPROTO_TCP, NULL, 443, &d));
	assert_true(lookup(&l, AF_INET, IPPROTO_TCP, NULL, 5005, &d));
	assert_string_equal(mx_dnat_to(&d), "172.22.1.6");
	assert_false(lookup(&l, AF_INET, IPPROTO_TCP, NULL, 5011, &d));
	/* ip daddr 10.9.9.9 tcp dport 143 */
	assert_true(lookup(&l, AF_INET, IPPROTO_TCP, "10.9.9.9", 143, &d));
	assert_string_equal(d.table->name, "mxt_nat");
	assert_string_equal(mx_dnat_to(&d), "172.22.1.9:143");
	assert_false(lookup(&l, AF_INET, IPPROTO_TCP, "10.9.9.8", 143, &d));
	/* The ip6 rule is for IPv6 only. */
	assert_true(lookup(&l, AF_INET6, IPPROTO_TCP, NULL, 993, &d));
	assert_false(lookup(&l, AF_INET, IPPROTO_TCP, NULL, 993, &d));
	assert_false(lookup(&l, AF_INET, IPPROTO_TCP, NULL, 8080, &d));
	assert_false(lookup(&l, AF_INET, IPPROTO_TCP, NULL, 25, &d));
	mx_dnat_free(&l);
}

/* The recorded sockets behind the recorded rules. */
static void test_shadowed_recorded(void **state)
{
	static struct mx_config cfg;
	struct mx_dnat_list dnat = replay_nft();
	struct mx_ports_scan sc;
	struct mx_result r;

	take(&cfg, &sc, &dnat);
	mx_unit_run(&cfg, "ports.http", &r); /* [::]:80 dual-stack, v4 DNAT */
	assert_int_equal(r.status, MX_WARN);
	assert_string_equal(mx_unit_str(&r, "state"), "shadowed");
	assert_non_null(
	    strstr(r.summary, "the nat rule in nat DOCKER DNATs the port to 172.22.1.5:80"));
	assert_non_null(strstr(r.remedy, "gets no outside traffic on 80/tcp"));
	mx_unit_free(&r);
	mx_unit_run(&cfg, "ports.https", &r); /* caddy 0.0.0.0:443/udp */
	assert_string_equal(mx_unit_str(&r, "state"), "shadowed");
	mx_unit_free(&r);
	mx_unit_run(&cfg, "ports.imap", &r); /* 10.9.9.9:143, rule for ip daddr 10.9.9.9 */
	assert_string_equal(mx_unit_str(&r, "state"), "shadowed");
	mx_unit_free(&r);
	mx_unit_run(&cfg, "ports.imaps", &r); /* [::]:993 v6only, ip6 rule */
	assert_string_equal(mx_unit_str(&r, "state"), "shadowed");
	mx_unit_free(&r);
	mx_unit_run(&cfg, "ports.submission", &r); /* [::1]: loopback keeps its traffic */
	assert_string_equal(mx_unit_str(&r, "state"), "conflict");
	mx_unit_free(&r);
	mx_unit_run(&cfg, "ports.smtp", &r); /* 127.0.0.1, no rule for 25 anyway */
	assert_string_equal(mx_unit_str(&r, "state"), "conflict");
	mx_unit_free(&r);
	/* No socket on 5005, but a DNAT: a container we cannot name (no API
	 * socket under --sysroot). */
	((struct mx_port *)mx_config_port(&cfg, "smtps"))->port = 5005;
	mx_unit_run(&cfg, "ports.smtps", &r);
	assert_int_equal(r.status, MX_WARN);
	assert_string_equal(mx_unit_str(&r, "state"), "unsure");
	mx_unit_free(&r);
	mx_ports_scan_inject(NULL);
	mx_ports_scan_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_replay_rejects_garbage),
	    cmocka_unit_test(test_conflict_rules),
	    cmocka_unit_test(test_bad_request),
	    cmocka_unit_test(test_cgroup_parsing),
	    cmocka_unit_test(test_cgroup_v1),
	    cmocka_unit_test(test_find_holders_netns),
	    cmocka_unit_test(test_pidmap_procfs),
	    cmocka_unit_test(test_verdicts),
	    cmocka_unit_test(test_dnat_lookup),
	    cmocka_unit_test(test_shadowed_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
