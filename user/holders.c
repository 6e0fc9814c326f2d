// SPDX-License-Identifier: GPL-2.0
/* mx_find_holders(): the sockets on one port (sock_diag, filtered in the
 * kernel), kept when the kernel's conflict rules say they block the bind,
 * then their processes (pid map) and containers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "bind_conflict.h"
#include "container.h"
#include "holders.h"
#include "pidmap.h"
#include "sockdiag.h"
#include "sysroot.h"

/* net.ipv6.bindv6only: the IPV6_V6ONLY default of new sockets. */
static int bindv6only_default(void)
{
	unsigned long long v = 0;

	return mx_read_u64("/proc/sys/net/ipv6/bindv6only", &v) == 0 && v;
}

void mx_holder_fill(struct mx_holder *h, const struct mx_sock *s, const struct mx_owner *own,
		    size_t nown)
{
	memset(h, 0, sizeof(*h));
	h->family = s->family;
	mx_sock_addr_str(s, h->addr, sizeof(h->addr));
	h->port = s->port;
	h->proto = s->proto;
	h->v6only = s->v6only;
	h->state = s->state;
	h->uid = s->uid;
	h->ifindex = s->ifindex;
	h->inode = s->inode;
	h->npids = (__u32)nown;
	if (!nown)
		return;
	/* Owners are sorted by pid: the lowest is the parent of a pre-fork
	 * server (nginx master, postfix master). */
	h->pid = own[0].pid;
	snprintf(h->comm, sizeof(h->comm), "%s", own[0].comm);
	mx_cgroup_of_pid(h->pid, h->cgroup, sizeof(h->cgroup));
	mx_container_of_pid(h->pid, h->container_id, sizeof(h->container_id), h->container_name,
			    sizeof(h->container_name));
}

int mx_find_holders(int family, int proto, const char *addr, __u16 port, struct mx_holder *out,
		    int max)
{
	return mx_find_holders_netns(-1, family, proto, addr, port, out, max);
}

int mx_find_holders_netns(int netns_fd, int family, int proto, const char *addr, __u16 port,
			  struct mx_holder *out, int max)
{
	static const int families[] = {AF_INET, AF_INET6};
	struct mx_sock_list l = {0};
	struct mx_pidmap pm = {0};
	struct mx_bind_req req;
	__u64 *want = NULL;
	size_t i, nwant = 0;
	int err, n = 0;

	err = mx_bind_req_init(&req, family, proto, addr, port);
	if (err)
		return err;
	if (!port || max < 0)
		return -EINVAL;
	if (family == AF_INET6 && (!addr || !*addr))
		req.v6only = bindv6only_default();
	/* Both families: a dual-stack IPv6 socket holds IPv4 addresses too. */
	for (i = 0; i < 2; i++) {
		err = mx_sockdiag_dump_ns(netns_fd, families[i], proto, mx_sockdiag_states(proto),
					  port, &l, NULL);
		/* No IPv6 in this kernel or namespace is not an error. */
		if (err && !(families[i] == AF_INET6 && (err == -ENOENT || err == -EAFNOSUPPORT)))
			goto cleanup;
	}
	err = 0;
	want = calloc(l.n ? l.n : 1, sizeof(*want));
	if (!want) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* Keep the sockets whose address overlaps; SO_REUSEADDR/REUSEPORT of
	 * the holder are only known after the pid map: decide after it. */
	for (i = 0; i < l.n; i++)
		if (mx_addr_overlap(&req, &l.v[i], NULL))
			want[nwant++] = l.v[i].inode;
	err = mx_pidmap_build(&pm, want, nwant);
	if (err)
		goto cleanup;
	for (i = 0; i < l.n && n < max; i++) {
		struct mx_sock_flags fl = {-1, -1};
		const struct mx_owner *own;
		size_t nown;

		own = mx_pidmap_find(&pm, l.v[i].inode, &nown);
		if (nown) {
			fl.reuseaddr = own[0].reuseaddr;
			fl.reuseport = own[0].reuseport;
		}
		if (!mx_bind_conflict(&req, &l.v[i], &fl, NULL))
			continue;
		mx_holder_fill(&out[n++], &l.v[i], own, nown);
	}
cleanup:
	free(want);
	mx_pidmap_free(&pm);
	mx_sock_list_free(&l);
	return err ? err : n;
}
