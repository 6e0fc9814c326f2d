/* SPDX-License-Identifier: GPL-2.0 */
/* A stub resolver for the DNS checks: ldns builds and parses the messages;
 * the transport is ours, because ldns (1.8) takes any datagram that arrives
 * on its unconnected UDP socket without comparing id or question. Here every
 * reply must come from the server asked (connected socket), carry our random
 * id and echo our question, or it is dropped; retries with a fresh id; TCP
 * when the reply is truncated; the AD flag kept per answer. */
#ifndef MX_DNS_CLIENT_H
#define MX_DNS_CLIENT_H

#include <stddef.h>
#include <sys/socket.h>
#include <json-c/json.h>

#include "dns_rr.h"

#define MX_DNS_MAX_SERVERS 3

struct mx_dns_client {
	struct sockaddr_storage srv[MX_DNS_MAX_SERVERS];
	socklen_t srvlen[MX_DNS_MAX_SERVERS];
	char srvname[MX_DNS_MAX_SERVERS][64];
	int nsrv;
	double timeout_s; /* per lookup, shared by the attempts */
	int attempts;	  /* per server */
	json_object *log; /* when set: every query is appended here (evidence) */
	int queries;
	int dropped; /* replies that did not match what we sent */
};

/* resolver: an address, or NULL for the nameservers of /etc/resolv.conf.
 * Returns 0, or -1 with a cause in err. */
int mx_dns_client_init(struct mx_dns_client *c, const char *resolver, double timeout_s, char *err,
		       size_t errlen);
/* One lookup; out->status tells the outcome. */
void mx_dns_lookup(struct mx_dns_client *c, const char *name, int type, struct mx_rrset *out);
/* Adapter for struct mx_lookup (SPF evaluation). */
void mx_dns_lookup_cb(void *client, const char *name, int type, struct mx_rrset *out);
/* The servers as "a, b" for reports. */
void mx_dns_servers_str(const struct mx_dns_client *c, char *buf, size_t len);

#endif
