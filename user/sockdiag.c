// SPDX-License-Identifier: GPL-2.0
/* inet_diag dumps over NETLINK_SOCK_DIAG with libmnl. The port filter is
 * inet_diag bytecode (S_GE port && S_LE port, as ss builds it), so a busy
 * host's thousands of other sockets never cross into userspace. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include "sockdiag.h"

/* Recording format: magic, then the request (seq, family, proto), then per
 * recvmsg() buffer its length and bytes. All native-endian: recordings are
 * read back on the architecture that made them (the tests). */
#define REC_MAGIC 0x4d58534bu /* "MXSK" */

struct rec_head {
	__u32 magic;
	__u32 seq;
	__u32 portid;
	__u8 family;
	__u8 proto;
	__u8 pad[2];
};

void mx_sock_list_free(struct mx_sock_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

__u32 mx_sockdiag_states(int proto)
{
	if (proto == IPPROTO_UDP)
		return ~0u;
	return (1u << MX_TCP_LISTEN) | (1u << MX_TCP_BOUND_INACTIVE);
}

struct parse_ctx {
	struct mx_sock_list *l;
	__u8 proto;
	int err;
};

static int parse_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= INET_DIAG_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int parse_msg(const struct nlmsghdr *nlh, void *data)
{
	struct parse_ctx *pc = data;
	const struct nlattr *tb[INET_DIAG_MAX + 1] = {0};
	const struct inet_diag_msg *m;
	struct mx_sock *s;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m))) {
		pc->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*m), parse_attr, tb) < 0) {
		pc->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (pc->l->n == pc->l->cap) {
		size_t cap = pc->l->cap ? pc->l->cap * 2 : 64;
		struct mx_sock *v = realloc(pc->l->v, cap * sizeof(*v));

		if (!v) {
			pc->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		pc->l->v = v;
		pc->l->cap = cap;
	}
	s = &pc->l->v[pc->l->n++];
	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family;
	s->proto = pc->proto;
	if (tb[INET_DIAG_PROTOCOL] && mnl_attr_get_payload_len(tb[INET_DIAG_PROTOCOL]) >= 1)
		s->proto = mnl_attr_get_u8(tb[INET_DIAG_PROTOCOL]);
	s->state = m->idiag_state;
	if (s->family == AF_INET6 && tb[INET_DIAG_SKV6ONLY] &&
	    mnl_attr_get_payload_len(tb[INET_DIAG_SKV6ONLY]) >= 1)
		s->v6only = mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]) != 0;
	memcpy(s->addr, m->id.idiag_src, s->family == AF_INET ? 4 : 16);
	s->port = ntohs(m->id.idiag_sport);
	s->ifindex = m->id.idiag_if;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	s->cookie = (__u64)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
	return MNL_CB_OK;
}

/* Runs one reply buffer through libmnl, which checks every message's
 * sequence number and port id against the request. Returns 1 at NLMSG_DONE,
 * 0 when more is to come, -errno. */
static int parse_buf(const void *buf, size_t len, __u32 seq, __u32 portid, __u8 proto,
		     struct mx_sock_list *l)
{
	struct parse_ctx pc = {.l = l, .proto = proto};
	int ret;

	errno = 0;
	ret = mnl_cb_run(buf, len, seq, portid, parse_msg, &pc);
	if (ret == MNL_CB_ERROR)
		return pc.err ? pc.err : (errno ? -errno : -EBADMSG);
	return ret == MNL_CB_STOP ? 1 : 0;
}

static size_t put_port_filter(char *bc, __u16 port)
{
	struct inet_diag_bc_op *op = (struct inet_diag_bc_op *)bc;

	/* sport >= port, else jump past the end (reject) */
	op[0] = (struct inet_diag_bc_op){INET_DIAG_BC_S_GE, 8, 20};
	op[1] = (struct inet_diag_bc_op){0, 0, port};
	/* sport <= port, else reject */
	op[2] = (struct inet_diag_bc_op){INET_DIAG_BC_S_LE, 8, 12};
	op[3] = (struct inet_diag_bc_op){0, 0, port};
	return 4 * sizeof(*op);
}

struct ns_sock {
	int netns_fd;
	int fd;
	int err;
};

/* A thread's network namespace is its own: the netlink socket is made in
 * a short-lived thread that joined the target namespace, and keeps
 * answering for that namespace after the thread is gone. */
static void *ns_sock_thread(void *arg)
{
	struct ns_sock *ns = arg;

	if (setns(ns->netns_fd, CLONE_NEWNET)) {
		ns->err = -errno;
		return NULL;
	}
	ns->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (ns->fd < 0)
		ns->err = -errno;
	return NULL;
}

static struct mnl_socket *open_in(int netns_fd, int *err)
{
	struct ns_sock ns = {.netns_fd = netns_fd, .fd = -1};
	struct mnl_socket *nl;
	pthread_t t;

	if (netns_fd < 0) {
		nl = mnl_socket_open(NETLINK_SOCK_DIAG);
		*err = nl ? 0 : -errno;
		return nl;
	}
	*err = -pthread_create(&t, NULL, ns_sock_thread, &ns);
	if (*err)
		return NULL;
	pthread_join(t, NULL);
	if (ns.err) {
		*err = ns.err;
		return NULL;
	}
	nl = mnl_socket_fdopen(ns.fd);
	if (!nl) {
		*err = -errno;
		close(ns.fd);
	}
	return nl;
}

int mx_sockdiag_dump(int family, int proto, __u32 states, __u16 port, struct mx_sock_list *l,
		     FILE *record)
{
	return mx_sockdiag_dump_ns(-1, family, proto, states, port, l, record);
}

int mx_sockdiag_dump_ns(int netns_fd, int family, int proto, __u32 states, __u16 port,
			struct mx_sock_list *l, FILE *record)
{
	char buf[MNL_SOCKET_BUFFER_SIZE > 32768 ? MNL_SOCKET_BUFFER_SIZE : 32768];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	__u32 seq, portid;
	int ret, head_written = 0;

	nl = open_in(netns_fd, &ret);
	if (!nl)
		return ret;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto cleanup;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (__u32)time(NULL) ^ (__u32)getpid() << 8;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = proto;
	req->idiag_states = states;
	if (port) {
		char bc[64];
		size_t n = put_port_filter(bc, port);

		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, n, bc);
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto cleanup;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			ret = -errno;
			goto cleanup;
		}
		if (record) {
			struct rec_head h = {REC_MAGIC,	   seq,		portid,
					     (__u8)family, (__u8)proto, {0}};
			__u32 len = (__u32)n;

			/* The head goes with the first reply: a dump that fails
			 * (no IPv6) leaves nothing behind. */
			if (!head_written++)
				fwrite(&h, sizeof(h), 1, record);

			fwrite(&len, sizeof(len), 1, record);
			fwrite(buf, 1, n, record);
		}
		ret = parse_buf(buf, n, seq, portid, proto, l);
		if (ret < 0)
			goto cleanup;
		if (ret == 1)
			break;
	}
	ret = 0;
cleanup:
	mnl_socket_close(nl);
	return ret;
}

int mx_sockdiag_replay(const void *rec, size_t len, struct mx_sock_list *l)
{
	const unsigned char *p = rec, *end = p + len;
	struct rec_head h;
	int ret = 0;

	while (p < end) {
		if ((size_t)(end - p) < sizeof(h))
			return -EBADMSG;
		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		if (h.magic != REC_MAGIC)
			return -EBADMSG;
		ret = 0;
		while (ret == 0) {
			__u32 n;

			if ((size_t)(end - p) < sizeof(n))
				return -EBADMSG; /* the dump ended without NLMSG_DONE */
			memcpy(&n, p, sizeof(n));
			p += sizeof(n);
			if ((size_t)(end - p) < n)
				return -EBADMSG;
			ret = parse_buf(p, n, h.seq, h.portid, h.proto, l);
			if (ret < 0)
				return ret;
			p += n;
		}
	}
	return 0;
}

const char *mx_sock_addr_str(const struct mx_sock *s, char *buf, size_t len)
{
	if (!inet_ntop(s->family, s->addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int mx_sock_is_wildcard(const struct mx_sock *s)
{
	static const __u8 zero[16];

	return !memcmp(s->addr, zero, s->family == AF_INET ? 4 : 16);
}
