/* SPDX-License-Identifier: GPL-2.0 */
/* Between the transport (dns_client.c) and the answer conversion
 * (dns_answer.c). */
#ifndef MX_DNS_ANSWER_H
#define MX_DNS_ANSWER_H

#include <ldns/ldns.h>

#include "dns_client.h"

/* Fills out from a validated reply to (qname, type). */
void mx_dns_fill(const ldns_pkt *reply, const char *qname, int type, struct mx_rrset *out);
/* Appends the evidence of one lookup to c->log (when set). reply is NULL
 * when none came; out->error then says why. */
void mx_dns_log_query(struct mx_dns_client *c, const char *name, int type, const char *server,
		      const char *transport, const ldns_pkt *reply, const struct mx_rrset *out,
		      double ms);

#endif
