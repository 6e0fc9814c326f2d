// SPDX-License-Identifier: GPL-2.0
/* Outbound probes: the kinds, sockets bound to a source port range, and
 * errors in words, including the ICMP error queue (who rejected us). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/errqueue.h>

#include "log.h"
#include "outbound.h"

static const char *const kind_names[OB_NKINDS] = {
    [OB_TCP] = "tcp",	    [OB_SMTP] = "smtp", [OB_SMTPS] = "smtps", [OB_RSYNC] = "rsync",
    [OB_TLS] = "tls",	    [OB_HTTP] = "http", [OB_ASN] = "asn",     [OB_PUBIP4] = "pubip4",
    [OB_PUBIP6] = "pubip6", [OB_DNS] = "dns",	[OB_FUZZY] = "fuzzy", [OB_NTP] = "ntp",
    [OB_ICMP] = "icmp",
};

int ob_kind_parse(const char *kind, enum ob_kind *out)
{
	int i;

	for (i = 0; i < OB_NKINDS; i++)
		if (!strcmp(kind, kind_names[i])) {
			*out = i;
			return 0;
		}
	return -1;
}

const char *ob_kind_name(enum ob_kind k)
{
	return k < OB_NKINDS ? kind_names[k] : "?";
}

/* Binds to a random free port in the probe's range (5 attempts, then the
 * range's ports in order from a random start). */
static int bind_range(int fd, struct ob_probe *op)
{
	unsigned lo = op->ports == OB_PORTS_LOW ? OB_LOW_MIN : OB_HIGH_MIN;
	unsigned hi = op->ports == OB_PORTS_LOW ? OB_LOW_MAX : OB_HIGH_MAX;
	unsigned span = hi - lo + 1, start, i;
	struct sockaddr_storage ss;
	socklen_t len;

	mx_random(&start, sizeof(start));
	for (i = 0; i < 64; i++) {
		uint16_t port = lo + (start + i * 7919u) % span;

		memset(&ss, 0, sizeof(ss));
		ss.ss_family = op->p.family;
		if (op->p.family == AF_INET) {
			((struct sockaddr_in *)&ss)->sin_port = htons(port);
			len = sizeof(struct sockaddr_in);
		} else {
			((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
			len = sizeof(struct sockaddr_in6);
		}
		if (bind(fd, (struct sockaddr *)&ss, len) == 0) {
			op->sport = port;
			return 0;
		}
		if (errno != EADDRINUSE && errno != EACCES)
			return -errno;
	}
	return -EADDRINUSE;
}

int ob_open_socket(struct ob_probe *op, int type, int proto)
{
	int fd = socket(op->p.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	int err;

	if (fd < 0)
		return -errno;
	if (op->ports != OB_PORTS_ANY) {
		err = bind_range(fd, op);
		if (err) {
			close(fd);
			return err;
		}
	}
	err = mx_loop_watch(&op->p, fd, EPOLLOUT);
	if (err)
		return err;
	return fd;
}

/* Words for the common connect/send errors, as an admin reads them. */
const char *ob_err_words(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "refused (TCP RST or ICMP port unreachable)";
	case EHOSTUNREACH:
		return "host unreachable (ICMP from a router, or a REJECT rule)";
	case ENETUNREACH:
		return "network unreachable (no route)";
	case EACCES:
	case EPERM:
		return "blocked by a local firewall rule (EPERM)";
	case ETIMEDOUT:
		return "timed out";
	default:
		return strerror(err);
	}
}

/* ICMP errors: with IP_RECVERR the kernel queues the ICMP message that
 * answered our datagram, with the address of the router that sent it. */
void ob_want_icmp_errors(int fd, int family)
{
	int one = 1;

	if (family == AF_INET6)
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
}

static const char *icmp_words(int v6, int type, int code)
{
	if (!v6 && type == 3) {
		switch (code) {
		case 0:
			return "network unreachable";
		case 1:
			return "host unreachable";
		case 3:
			return "port unreachable";
		case 9:
		case 10:
		case 13:
			return "administratively prohibited";
		default:
			return "destination unreachable";
		}
	}
	if (v6 && type == 1) {
		switch (code) {
		case 0:
			return "no route to destination";
		case 1:
		case 5:
		case 6:
			return "administratively prohibited";
		case 3:
			return "address unreachable";
		case 4:
			return "port unreachable";
		default:
			return "destination unreachable";
		}
	}
	if ((!v6 && type == 11) || (v6 && type == 3))
		return "time exceeded (a routing loop?)";
	return "error";
}

/* Reads one queued ICMP error; 1 with a sentence in buf, else 0. */
int ob_icmp_error(struct mx_probe *p, int fd, char *buf, size_t len)
{
	char ctrl[512], data[64], from[INET6_ADDRSTRLEN] = "?";
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
	struct cmsghdr *c;

	if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		struct sock_extended_err *ee;
		struct sockaddr *off;
		int v6;

		if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		ee = (struct sock_extended_err *)CMSG_DATA(c);
		v6 = ee->ee_origin == SO_EE_ORIGIN_ICMP6;
		if (ee->ee_origin != SO_EE_ORIGIN_ICMP && !v6)
			continue;
		off = SO_EE_OFFENDER(ee);
		if (off->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)off)->sin_addr, from,
				  sizeof(from));
		else if (off->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)off)->sin6_addr, from,
				  sizeof(from));
		snprintf(buf, len, "ICMP %s from %s%s", icmp_words(v6, ee->ee_type, ee->ee_code),
			 from,
			 strcmp(from, p->addr_str)
			     ? " (a router or firewall on the path, not the target)"
			     : " (the target itself)");
		return 1;
	}
	return 0;
}

void ob_probe_init(struct ob_probe *op)
{
	op->p.proto = op;
	op->starttls = -1;
	switch (op->kind) {
	case OB_DNS:
		if (op->udp) {
			op->p.ops = &ob_dgram_ops;
			op->p.socktype = SOCK_DGRAM;
			op->p.tries = 3;
		} else {
			mx_random(&op->dns_id, sizeof(op->dns_id));
			op->p.ops = &ob_stream_ops;
			op->p.socktype = SOCK_STREAM;
			op->p.tries = 1;
		}
		break;
	case OB_NTP:
	case OB_FUZZY:
		op->p.ops = &ob_dgram_ops;
		op->p.socktype = SOCK_DGRAM;
		op->p.tries = 3;
		break;
	case OB_ICMP:
		op->p.ops = &ob_icmp_ops;
		op->p.socktype = SOCK_RAW;
		op->p.tries = 3;
		break;
	default:
		op->p.ops = &ob_stream_ops;
		op->p.socktype = SOCK_STREAM;
		op->p.tries = 1;
	}
}
