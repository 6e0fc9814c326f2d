// SPDX-License-Identifier: GPL-2.0
/* Library-free helpers of struct mx_rrset (shared by the ldns client, the
 * SPF evaluator and the fuzz harnesses). */
#include <stdlib.h>

#include "dns_rr.h"

void mx_rrset_free(struct mx_rrset *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->rr[i].text);
	free(s->rr);
	s->rr = NULL;
	s->n = 0;
}

const char *mx_rr_status_name(enum mx_rr_status st)
{
	switch (st) {
	case MX_RR_OK:
		return "answer";
	case MX_RR_NODATA:
		return "no records";
	case MX_RR_NXDOMAIN:
		return "NXDOMAIN";
	default:
		return "error";
	}
}

const char *mx_rr_type_name(int type)
{
	switch (type) {
	case MX_T_A:
		return "A";
	case MX_T_NS:
		return "NS";
	case MX_T_CNAME:
		return "CNAME";
	case MX_T_SOA:
		return "SOA";
	case MX_T_PTR:
		return "PTR";
	case MX_T_MX:
		return "MX";
	case MX_T_TXT:
		return "TXT";
	case MX_T_AAAA:
		return "AAAA";
	case MX_T_SRV:
		return "SRV";
	case MX_T_TLSA:
		return "TLSA";
	case MX_T_CAA:
		return "CAA";
	default:
		return "?";
	}
}
