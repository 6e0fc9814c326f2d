// SPDX-License-Identifier: GPL-2.0
/* system.time_offset's SNTP exchange (sntp.h): a blocking query in the
 * check thread; the packet and its validation are ntp_packet.c's. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "ntp_packet.h"
#include "sntp.h"

static double now_ntp(void)
{
	return mx_ntp_to_double(mx_ntp_now());
}

int mx_sntp_parse(const uint8_t *pkt, size_t len, uint64_t sent_xmt, double t1, double t4,
		  struct mx_sntp_result *res, char *err, size_t errlen)
{
	struct mx_ntp_reply r;
	enum mx_ntp_fault f = mx_ntp_parse(pkt, len, sent_xmt, &r);

	if (f >= MX_NTP_KOD || f == MX_NTP_OK)
		res->stratum = r.stratum;
	switch (f) {
	case MX_NTP_OK:
		break;
	case MX_NTP_SHORT:
		snprintf(err, errlen, "short reply (%zu bytes)", len);
		return -1;
	case MX_NTP_MODE:
		snprintf(err, errlen, "reply is mode %d, not a server reply (4)", r.mode);
		return -1;
	case MX_NTP_VERSION:
		snprintf(err, errlen, "reply has version %d", r.version);
		return -1;
	case MX_NTP_ORIGIN:
		/* A reply to someone else, or forged. */
		snprintf(err, errlen, "reply's originate timestamp does not match our request");
		return -1;
	case MX_NTP_KOD:
		snprintf(res->kod, sizeof(res->kod), "%s", r.kiss);
		snprintf(err, errlen, "kiss-o'-death '%s' from server", res->kod);
		return -1;
	case MX_NTP_STRATUM:
		snprintf(err, errlen, "server stratum %d: not synchronised", r.stratum);
		return -1;
	case MX_NTP_UNSYNC:
		snprintf(err, errlen, "server clock not synchronised (leap indicator 3)");
		return -1;
	case MX_NTP_NO_XMT:
		snprintf(err, errlen, "reply has no transmit timestamp");
		return -1;
	}
	if (r.stratum == 1) {
		memcpy(res->refid, r.refid, 4);
		res->refid[4] = '\0';
	} else {
		inet_ntop(AF_INET, r.refid, res->refid, sizeof(res->refid));
	}
	res->offset_s = ((r.t2 - t1) + (r.t3 - t4)) / 2;
	res->delay_s = (t4 - t1) - (r.t3 - r.t2);
	return 0;
}

static int query_addr(const struct addrinfo *ai, double timeout_s, struct mx_sntp_result *res,
		      char *err, size_t errlen)
{
	uint8_t req[MX_NTP_LEN], buf[512];
	struct sockaddr_storage from;
	socklen_t fromlen;
	uint64_t now, xmt;
	double t1, t4, deadline;
	int fd, rc = -1;
	ssize_t n;

	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* connect() makes the kernel drop datagrams from other sources. */
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		goto out;
	}
	now = mx_ntp_now();
	t1 = mx_ntp_to_double(now);
	xmt = mx_ntp_stamp(now);
	mx_ntp_request(req, xmt);
	if (send(fd, req, sizeof(req), 0) != sizeof(req)) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		goto out;
	}
	deadline = now_ntp() + timeout_s;
	for (;;) {
		double left = deadline - now_ntp();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int pr;

		if (left <= 0) {
			snprintf(err, errlen, "no reply within %.1f s", timeout_s);
			goto out;
		}
		pr = poll(&p, 1, (int)(left * 1000) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		t4 = now_ntp();
		if (n < 0) {
			snprintf(err, errlen, "%s",
				 errno == ECONNREFUSED ? "port unreachable (no NTP server)"
						       : strerror(errno));
			goto out;
		}
		if (mx_sntp_parse(buf, n, xmt, t1, t4, res, err, errlen) == 0) {
			rc = 0;
			break;
		}
		/* A wrong or forged datagram: keep waiting for the real reply,
		 * unless the server itself said no. */
		if (res->stratum == 0 && res->kod[0])
			goto out;
	}
	getnameinfo(ai->ai_addr, ai->ai_addrlen, res->server_addr, sizeof(res->server_addr), NULL,
		    0, NI_NUMERICHOST);
out:
	close(fd);
	return rc;
}

int mx_sntp_query(const char *host, const char *port, double timeout_s, struct mx_sntp_result *res,
		  char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai, *a;
	char why[160] = "";
	int gai;

	memset(res, 0, sizeof(*res));
	gai = getaddrinfo(host, port, &hints, &ai);
	if (gai) {
		snprintf(err, errlen, "resolve %s: %s", host, gai_strerror(gai));
		return -1;
	}
	/* A pool name gives several servers: the first of two that answers
	 * counts (more would multiply the timeout). */
	int tries = 0;

	for (a = ai; a && tries < 2; a = a->ai_next, tries++) {
		if (query_addr(a, timeout_s, res, why, sizeof(why)) == 0) {
			freeaddrinfo(ai);
			return 0;
		}
	}
	freeaddrinfo(ai);
	snprintf(err, errlen, "ntp %s: %s", host, why);
	return -1;
}
