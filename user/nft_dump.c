// SPDX-License-Identifier: GPL-2.0
/* The nf_tables ruleset over netlink: one NLM_F_DUMP each of tables, chains
 * and rules (every family) on a NETLINK_NETFILTER socket, kept as the raw
 * concatenated answers. fw_nft_load hands them to fw_nft_parse
 * (nft_ruleset.c); fw_nft_record writes them to a file, which unit tests
 * parse later (dumps recorded from a real dockerd). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "fw_model.h"

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		char *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
	return 0;
}

/* One NLM_F_DUMP request; appends every answer message except DONE. */
static int dump_one(struct mnl_socket *nl, uint16_t type, uint32_t seq, struct buf *out, char *err,
		    size_t errlen)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	static __thread char rb[32768]; /* MNL_SOCKET_DUMP_SIZE (libmnl 1.0.5+) */
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(req, type, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	uint32_t portid = mnl_socket_get_portid(nl);

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "nftables: netlink send: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, rb, sizeof(rb));
		int left = (int)n;

		if (n < 0) {
			snprintf(err, errlen, "nftables: netlink receive: %s", strerror(errno));
			return -1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)rb; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			/* Only answers to our request are believed. */
			if (h->nlmsg_seq != seq || h->nlmsg_pid != portid)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

				if (e->error == 0)
					continue;
				snprintf(err, errlen, "nftables: dump: %s", strerror(-e->error));
				return -1;
			}
			if (buf_add(out, h, h->nlmsg_len) < 0) {
				snprintf(err, errlen, "nftables: out of memory");
				return -1;
			}
		}
	}
}

static int dump_all(struct buf *out, char *err, size_t errlen)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	uint32_t seq = (uint32_t)time(NULL);
	int rc = -1;

	if (!nl) {
		snprintf(err, errlen, "nftables: netlink socket: %s", strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "nftables: netlink bind: %s", strerror(errno));
		goto out;
	}
	if (dump_one(nl, NFT_MSG_GETTABLE, seq, out, err, errlen) ||
	    dump_one(nl, NFT_MSG_GETCHAIN, seq + 1, out, err, errlen) ||
	    dump_one(nl, NFT_MSG_GETRULE, seq + 2, out, err, errlen))
		goto out;
	rc = 0;
out:
	mnl_socket_close(nl);
	return rc;
}

int fw_nft_record(const char *path)
{
	struct buf b = {0};
	char err[256];
	int fd, rc = -1;

	if (dump_all(&b, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, b.p, b.len) != (ssize_t)b.len) {
		fprintf(stderr, "nftables: write %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	free(b.p);
	return rc;
}

int fw_nft_load(struct fw_ruleset *rs)
{
	struct buf b = {0};
	int rc;

	if (dump_all(&b, rs->err, sizeof(rs->err)) < 0) {
		free(b.p);
		return -1;
	}
	rc = fw_nft_parse(rs, b.p, b.len);
	free(b.p);
	return rc;
}
