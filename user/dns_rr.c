// SPDX-License-Identifier: GPL-2.0
/* Library-free helpers of struct mx_rrset (shared by the ldns client, the
 * SPF evaluator and the fuzz harnesses). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int mx_rrset_copy(struct mx_rrset *dst, const struct mx_rrset *src)
{
	int i;

	*dst = *src;
	dst->rr = calloc(src->n ? src->n : 1, sizeof(*dst->rr));
	dst->n = 0;
	if (!dst->rr)
		goto oom;
	for (i = 0; i < src->n; i++) {
		dst->rr[i] = src->rr[i];
		dst->rr[i].text = strdup(src->rr[i].text ? src->rr[i].text : "");
		if (!dst->rr[i].text)
			goto oom;
		dst->n++;
	}
	return 0;
oom:
	mx_rrset_free(dst);
	dst->status = MX_RR_ERROR;
	snprintf(dst->error, sizeof(dst->error), "out of memory");
	return -1;
}

void mx_lookup_cached(void *cache, const char *name, int type, struct mx_rrset *out)
{
	struct mx_lookup_cache *c = cache;
	int i;

	for (i = 0; i < c->n; i++)
		if (c->e[i].type == type && !strcasecmp(c->e[i].name, name)) {
			mx_rrset_copy(out, &c->e[i].s);
			return;
		}
	c->next.fn(c->next.u, name, type, out);
	/* Failures are not remembered: the next ask may get through. */
	if (out->status == MX_RR_ERROR || c->n >= MX_LOOKUP_CACHE || strlen(name) >= 256)
		return;
	if (mx_rrset_copy(&c->e[c->n].s, out) == 0) {
		snprintf(c->e[c->n].name, sizeof(c->e[0].name), "%s", name);
		c->e[c->n].type = type;
		c->n++;
	}
}

void mx_lookup_cache_free(struct mx_lookup_cache *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		mx_rrset_free(&c->e[i].s);
	c->n = 0;
}
