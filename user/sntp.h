/* SPDX-License-Identifier: GPL-2.0 */
/* One SNTP exchange (RFC 4330) with a server, validated as the field notes
 * say: mode 4, originate == our transmit time (which carries a random
 * nonce), stratum 0 = kiss-o'-death, a synchronised server. */
#ifndef MX_SNTP_H
#define MX_SNTP_H

#include <stddef.h>
#include <stdint.h>

struct mx_sntp_result {
	double offset_s; /* θ = ((T2−T1)+(T3−T4))/2: server clock minus ours */
	double delay_s;	 /* δ = (T4−T1)−(T3−T2) */
	int stratum;
	char server_addr[64]; /* the address that answered */
	char refid[16];
	char kod[8]; /* kiss code when stratum 0 */
};

/* Queries host:port ("pool.ntp.org", 123). Returns 0, or -1 with a reason in
 * err (lower case, naming the server). */
int mx_sntp_query(const char *host, const char *port, double timeout_s, struct mx_sntp_result *res,
		  char *err, size_t errlen);

/* Validates a 48-byte reply against the transmit timestamp we sent; fills
 * res from the reply and the local receive time t4 (NTP seconds). Exposed
 * for unit tests. Returns 0 or -1 with a reason. */
int mx_sntp_parse(const uint8_t *pkt, size_t len, uint64_t sent_xmt, double t1, double t4,
		  struct mx_sntp_result *res, char *err, size_t errlen);

#endif
