// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "sntp.h"

#define NTP_UNIX_OFFSET 2208988800ULL /* 1900 → 1970 */

static double now_ntp(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + NTP_UNIX_OFFSET + ts.tv_nsec / 1e9;
}

static uint64_t get_ts(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static double ts_to_double(uint64_t t)
{
	return (double)(t >> 32) + (double)(t & 0xffffffffu) / 4294967296.0;
}

int mx_sntp_parse(const uint8_t *pkt, size_t len, uint64_t sent_xmt, double t1, double t4,
		  struct mx_sntp_result *res, char *err, size_t errlen)
{
	int li, vn, mode;
	double t2, t3;

	if (len < 48) {
		snprintf(err, errlen, "short reply (%zu bytes)", len);
		return -1;
	}
	li = pkt[0] >> 6;
	vn = (pkt[0] >> 3) & 7;
	mode = pkt[0] & 7;
	if (mode != 4) {
		snprintf(err, errlen, "reply is mode %d, not a server reply (4)", mode);
		return -1;
	}
	if (vn < 1 || vn > 4) {
		snprintf(err, errlen, "reply has version %d", vn);
		return -1;
	}
	/* Anything but our own transmit time is a reply to someone else, or forged. */
	if (get_ts(pkt + 24) != sent_xmt) {
		snprintf(err, errlen, "reply's originate timestamp does not match our request");
		return -1;
	}
	res->stratum = pkt[1];
	if (res->stratum == 0) {
		memcpy(res->kod, pkt + 12, 4);
		res->kod[4] = '\0';
		snprintf(err, errlen, "kiss-o'-death '%s' from server", res->kod);
		return -1;
	}
	if (res->stratum > 15) {
		snprintf(err, errlen, "server stratum %d: not synchronised", res->stratum);
		return -1;
	}
	if (li == 3) {
		snprintf(err, errlen, "server clock not synchronised (leap indicator 3)");
		return -1;
	}
	if (get_ts(pkt + 40) == 0) {
		snprintf(err, errlen, "reply has no transmit timestamp");
		return -1;
	}
	if (res->stratum == 1) {
		memcpy(res->refid, pkt + 12, 4);
		res->refid[4] = '\0';
	} else {
		inet_ntop(AF_INET, pkt + 12, res->refid, sizeof(res->refid));
	}
	t2 = ts_to_double(get_ts(pkt + 32));
	t3 = ts_to_double(get_ts(pkt + 40));
	res->offset_s = ((t2 - t1) + (t3 - t4)) / 2;
	res->delay_s = (t4 - t1) - (t3 - t2);
	return 0;
}

static int query_addr(const struct addrinfo *ai, double timeout_s, struct mx_sntp_result *res,
		      char *err, size_t errlen)
{
	uint8_t req[48] = {0}, buf[512];
	struct sockaddr_storage from;
	socklen_t fromlen;
	uint64_t xmt, nonce;
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
	req[0] = (0 << 6) | (4 << 3) | 3; /* LI 0, version 4, mode 3 (client) */
	t1 = now_ntp();
	/* The low 32 bits of the fraction are below clock resolution: a random
	 * nonce there makes the originate check a real proof of the reply. */
	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
		nonce = (uint64_t)(t1 * 1e9);
	xmt = ((uint64_t)t1 << 32) | (uint32_t)((t1 - (uint64_t)t1) * 4294967296.0);
	xmt = (xmt & ~0xffffULL) | (nonce & 0xffff);
	for (int i = 0; i < 8; i++)
		req[40 + i] = xmt >> (56 - 8 * i);
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
			snprintf(err, errlen, "%s", errno == ECONNREFUSED ? "port unreachable (no NTP server)"
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
	getnameinfo(ai->ai_addr, ai->ai_addrlen, res->server_addr, sizeof(res->server_addr), NULL, 0,
		    NI_NUMERICHOST);
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
