// SPDX-License-Identifier: GPL-2.0
/* `trace --selftest`: a real connection that enters this host through an
 * interface, as a client on the internet would, without one. A thread
 * makes an anonymous network namespace (unshare), joins it to the traced
 * namespace with a veth pair and connects from there. The namespace has no
 * name and is held only by that thread and its descriptors: when we exit,
 * even by SIGKILL, the kernel frees it, and the veth pair with it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "log.h"
#include "trace.h"

struct mx_selftest {
	pthread_t th;
	int started;
	atomic_int done;
	atomic_int stop;
	int rc;
	char host_if[IFNAMSIZ], client_if[IFNAMSIZ];
	char host_ip[32], client_ip[32], dst[64];
	uint16_t port;
	double timeout_s;
	char result[512];
};

static int link_up_addr(struct nl_sock *sk, const char *name, const char *cidr, int *ifindex)
{
	struct rtnl_link *l = NULL, *chg = NULL;
	struct rtnl_addr *ad = NULL;
	struct nl_addr *a = NULL;
	int err;

	err = rtnl_link_get_kernel(sk, 0, name, &l);
	if (err < 0)
		goto out;
	*ifindex = rtnl_link_get_ifindex(l);
	if (cidr) {
		ad = rtnl_addr_alloc();
		err = nl_addr_parse(cidr, AF_INET, &a);
		if (err < 0 || !ad)
			goto out;
		rtnl_addr_set_ifindex(ad, *ifindex);
		rtnl_addr_set_local(ad, a);
		err = rtnl_addr_add(sk, ad, 0);
		if (err < 0)
			goto out;
	}
	chg = rtnl_link_alloc();
	rtnl_link_set_flags(chg, IFF_UP);
	err = rtnl_link_change(sk, l, chg, 0);
out:
	if (a)
		nl_addr_put(a);
	if (ad)
		rtnl_addr_put(ad);
	if (chg)
		rtnl_link_put(chg);
	if (l)
		rtnl_link_put(l);
	return err;
}

static int add_default_route(struct nl_sock *sk, int ifindex, const char *gw_s)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = NULL, *gw = NULL;
	int err;

	if (!rt || !nh)
		return -NLE_NOMEM;
	err = nl_addr_parse("0.0.0.0/0", AF_INET, &dst);
	if (!err)
		err = nl_addr_parse(gw_s, AF_INET, &gw);
	if (err < 0)
		goto out;
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_dst(rt, dst);
	rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(rt, nh);
	nh = NULL;
	err = rtnl_route_add(sk, rt, NLM_F_CREATE);
out:
	if (nh)
		rtnl_route_nh_free(nh);
	if (dst)
		nl_addr_put(dst);
	if (gw)
		nl_addr_put(gw);
	rtnl_route_put(rt);
	return err;
}

/* Connects to dst:port; 0 connected, 1 refused, 2 no answer/unreachable. */
static int try_connect(struct mx_selftest *s)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(s->port)};
	struct pollfd pfd;
	char banner[256] = "";
	socklen_t sl = sizeof(int);
	int fd, err = 0, n, ms = (int)(s->timeout_s * 1000);

	inet_pton(AF_INET, s->dst, &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(s->result, sizeof(s->result), "socket: %s", strerror(errno));
		return 2;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		err = errno;
		goto fail;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (n = 0; n < ms / 100 && !atomic_load(&s->stop); n++)
		if (poll(&pfd, 1, 100) > 0)
			break;
	if (!(pfd.revents & (POLLOUT | POLLERR | POLLHUP))) {
		close(fd);
		snprintf(s->result, sizeof(s->result),
			 "no answer from %s:%u within %.0f s (from %s through %s)", s->dst, s->port,
			 s->timeout_s, s->client_ip, s->host_if);
		return 2;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl);
	if (err)
		goto fail;
	/* Mail services speak first: show the greeting if one comes. */
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 1500) > 0) {
		n = recv(fd, banner, sizeof(banner) - 1, 0);
		banner[n > 0 ? n : 0] = 0;
		banner[strcspn(banner, "\r\n")] = 0;
	}
	shutdown(fd, SHUT_RDWR);
	close(fd);
	snprintf(s->result, sizeof(s->result), "connected to %s:%u from %s through %s%s%s%s",
		 s->dst, s->port, s->client_ip, s->host_if, banner[0] ? "; greeting \"" : "",
		 banner, banner[0] ? "\"" : "");
	return 0;
fail:
	close(fd);
	snprintf(s->result, sizeof(s->result), "%s:%u from %s through %s: %s", s->dst, s->port,
		 s->client_ip, s->host_if,
		 err == ECONNREFUSED ? "connection refused (reset)" : strerror(err));
	return err == ECONNREFUSED ? 1 : 2;
}

static void *run(void *arg)
{
	struct mx_selftest *s = arg;
	struct nl_sock *host_sk = NULL, *cl_sk = NULL;
	struct rtnl_link *veth = NULL, *peer;
	char cidr[48];
	int orig = -1, err, hidx = 0, cidx = 0;

	/* Before leaving it: a handle on the traced namespace and a netlink
	 * socket that stays there. */
	orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	host_sk = nl_socket_alloc();
	if (orig < 0 || !host_sk || nl_connect(host_sk, NETLINK_ROUTE) < 0) {
		snprintf(s->result, sizeof(s->result), "netlink in the traced namespace: %s",
			 strerror(errno));
		s->rc = 2;
		goto out;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		snprintf(s->result, sizeof(s->result), "new network namespace: %s%s",
			 strerror(errno), errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		s->rc = 2;
		goto out;
	}
	cl_sk = nl_socket_alloc();
	if (!cl_sk || nl_connect(cl_sk, NETLINK_ROUTE) < 0) {
		snprintf(s->result, sizeof(s->result), "netlink in the test namespace failed");
		s->rc = 2;
		goto out;
	}
	veth = rtnl_link_veth_alloc();
	if (!veth) {
		s->rc = 2;
		goto out;
	}
	rtnl_link_set_name(veth, s->client_if);
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(peer, s->host_if);
	rtnl_link_set_ns_fd(peer, orig);
	rtnl_link_put(peer);
	err = rtnl_link_add(cl_sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0) {
		snprintf(s->result, sizeof(s->result), "create veth %s/%s: %s", s->host_if,
			 s->client_if, nl_geterror(err));
		s->rc = 2;
		goto out;
	}
	snprintf(cidr, sizeof(cidr), "%s/30", s->host_ip);
	err = link_up_addr(host_sk, s->host_if, cidr, &hidx);
	if (err >= 0) {
		snprintf(cidr, sizeof(cidr), "%s/30", s->client_ip);
		err = link_up_addr(cl_sk, s->client_if, cidr, &cidx);
	}
	if (err >= 0)
		err = link_up_addr(cl_sk, "lo", NULL, &(int){0});
	if (err >= 0)
		err = add_default_route(cl_sk, cidx, s->host_ip);
	if (err < 0) {
		snprintf(s->result, sizeof(s->result), "configure %s: %s", s->host_if,
			 nl_geterror(err));
		s->rc = 2;
		goto out;
	}
	if (!s->dst[0])
		snprintf(s->dst, sizeof(s->dst), "%s", s->host_ip);
	/* The host end needs a moment for DAD-free IPv4 to be usable: none.
	 * The first SYN goes out now. */
	s->rc = try_connect(s);
	/* The server's FIN and our last ACK are still on the way: removing
	 * the veth now would turn them into no-route drops in the trace. */
	for (int i = 0; i < 5 && !atomic_load(&s->stop); i++)
		usleep(100000);
out:
	/* Deleting our end removes both; the namespace goes with this thread. */
	if (host_sk && hidx) {
		struct rtnl_link *l = rtnl_link_alloc();

		rtnl_link_set_ifindex(l, hidx);
		rtnl_link_delete(host_sk, l);
		rtnl_link_put(l);
	}
	if (veth)
		rtnl_link_put(veth);
	if (cl_sk)
		nl_socket_free(cl_sk);
	if (host_sk)
		nl_socket_free(host_sk);
	if (orig >= 0)
		close(orig);
	atomic_store(&s->done, 1);
	return NULL;
}

int mx_selftest_start(struct mx_selftest **out, struct mx_trace_run *t, const char *dst,
		      double timeout_s)
{
	struct mx_selftest *s = calloc(1, sizeof(*s));
	unsigned idx = (unsigned)getpid() % 16384;
	sigset_t all, old;
	int err;

	if (!s)
		return -ENOMEM;
	/* 198.18.0.0/15 is for benchmarks (RFC 2544): one /30 per pid. */
	snprintf(s->host_ip, sizeof(s->host_ip), "198.18.%u.%u", idx / 64, (idx % 64) * 4 + 1);
	snprintf(s->client_ip, sizeof(s->client_ip), "198.18.%u.%u", idx / 64, (idx % 64) * 4 + 2);
	snprintf(s->host_if, sizeof(s->host_if), "mxst%dh", (int)getpid());
	snprintf(s->client_if, sizeof(s->client_if), "mxst%dc", (int)getpid());
	if (dst)
		snprintf(s->dst, sizeof(s->dst), "%s", dst);
	s->port = t->port;
	s->timeout_s = timeout_s > 0 ? timeout_s : 5;
	t->st_family = 4;
	inet_pton(AF_INET, s->client_ip, t->st_addr);
	/* The thread must not take our SIGINT/SIGTERM. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&s->th, NULL, run, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		mx_err("trace: selftest thread: %s", strerror(err));
		free(s);
		return -err;
	}
	s->started = 1;
	*out = s;
	return 0;
}

int mx_selftest_done(struct mx_selftest *s)
{
	return atomic_load(&s->done);
}

int mx_selftest_result(struct mx_selftest *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s->result[0] ? s->result : "did not finish");
	return s->rc;
}

void mx_selftest_stop(struct mx_selftest *s)
{
	if (!s || !s->started)
		return;
	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	s->started = 0;
}

/* A veth "mxst<pid>h" whose pid is gone was left by a killed run (its
 * namespace normally takes it along; this catches what did not). */
void mx_selftest_sweep(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct nl_sock *sk = NULL;

	if (!ifs)
		return;
	for (i = ifs; i->if_index; i++) {
		char *end;
		long pid;

		if (strncmp(i->if_name, "mxst", 4))
			continue;
		pid = strtol(i->if_name + 4, &end, 10);
		if (pid <= 0 || (*end != 'h' && *end != 'c') || end[1])
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		if (!sk) {
			sk = nl_socket_alloc();
			if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0)
				break;
		}
		{
			struct rtnl_link *l = rtnl_link_alloc();

			rtnl_link_set_ifindex(l, i->if_index);
			if (rtnl_link_delete(sk, l) == 0)
				mx_info("trace: removed %s, left by a killed run (pid %ld)",
					i->if_name, pid);
			rtnl_link_put(l);
		}
	}
	if (sk)
		nl_socket_free(sk);
	if_freenameindex(ifs);
}
