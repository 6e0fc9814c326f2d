// SPDX-License-Identifier: GPL-2.0
/* From an ldns reply to struct mx_rrset (CNAME chains followed, TXT strings
 * joined, rdata in presentation format), and the evidence record of each
 * query. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>

#include "dns_answer.h"

static char *rdf_str(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf);
	size_t l;

	if (!s)
		return strdup("");
	l = strlen(s);
	if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME && l > 1 && s[l - 1] == '.')
		s[l - 1] = 0;
	return s;
}

/* Raw bytes of a character-string rdf (length-prefixed). */
static size_t str_rdf(const ldns_rdf *rdf, char *out, size_t room)
{
	const uint8_t *d = ldns_rdf_data(rdf);
	size_t n, i;

	if (ldns_rdf_size(rdf) < 1)
		return 0;
	n = d[0];
	if (n > ldns_rdf_size(rdf) - 1)
		n = ldns_rdf_size(rdf) - 1;
	for (i = 0; i < n && i < room; i++)
		out[i] = d[1 + i] ? (char)d[1 + i] : '?';
	return i;
}

static void rr_to(const ldns_rr *rr, struct mx_rr *o)
{
	size_t i, cnt = ldns_rr_rd_count(rr);

	memset(o, 0, sizeof(*o));
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA: {
		const ldns_rdf *r = ldns_rr_rdf(rr, 0);
		char a[INET6_ADDRSTRLEN] = "";

		o->family = ldns_rdf_size(r) == 4 ? AF_INET : AF_INET6;
		memcpy(o->addr, ldns_rdf_data(r), ldns_rdf_size(r) <= 16 ? ldns_rdf_size(r) : 16);
		inet_ntop(o->family, o->addr, a, sizeof(a));
		o->text = strdup(a);
		return;
	}
	case LDNS_RR_TYPE_TXT: {
		size_t total = 0, off = 0;

		for (i = 0; i < cnt; i++)
			total += ldns_rdf_size(ldns_rr_rdf(rr, i));
		o->text = malloc(total + 1);
		if (!o->text)
			return;
		for (i = 0; i < cnt; i++)
			off += str_rdf(ldns_rr_rdf(rr, i), o->text + off, total - off);
		o->text[off] = 0;
		o->nstrings = cnt;
		return;
	}
	case LDNS_RR_TYPE_MX:
		if (cnt == 2) {
			o->pref = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
			o->text = rdf_str(ldns_rr_rdf(rr, 1));
			/* The null MX "." (RFC 7505) becomes "". */
			if (o->text && !strcmp(o->text, "."))
				o->text[0] = 0;
		}
		return;
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_NS:
		if (cnt == 1)
			o->text = rdf_str(ldns_rr_rdf(rr, 0));
		return;
	case LDNS_RR_TYPE_CAA:
		if (cnt == 3) {
			char tag[64] = "", val[1024] = "";
			size_t n;
			const ldns_rdf *v = ldns_rr_rdf(rr, 2);

			n = str_rdf(ldns_rr_rdf(rr, 1), tag, sizeof(tag) - 1);
			tag[n] = 0;
			/* The value is a long string without a length byte. */
			n = ldns_rdf_size(v) < sizeof(val) - 1 ? ldns_rdf_size(v) : sizeof(val) - 1;
			memcpy(val, ldns_rdf_data(v), n);
			val[n] = 0;
			o->pref = ldns_rdf2native_int8(ldns_rr_rdf(rr, 0));
			if (asprintf(&o->text, "%d %s \"%s\"", o->pref, tag, val) < 0)
				o->text = NULL;
		}
		return;
	default: {
		/* SRV, TLSA, SOA...: the rdata in presentation format. */
		char *s = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&s, &len);

		if (!m)
			return;
		for (i = 0; i < cnt; i++) {
			char *r = rdf_str(ldns_rr_rdf(rr, i));

			fprintf(m, "%s%s", i ? " " : "", r ? r : "");
			free(r);
		}
		fclose(m);
		o->text = s;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SRV && cnt == 4)
			o->pref = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
	}
	}
}

void mx_dns_fill(const ldns_pkt *reply, const char *qname, int type, struct mx_rrset *out)
{
	ldns_rr_list *ans = ldns_pkt_answer(reply);
	ldns_rdf *cur = ldns_dname_new_frm_str(qname);
	size_t i, n = ldns_rr_list_rr_count(ans);
	int hops;

	out->ad = ldns_pkt_ad(reply);
	switch (ldns_pkt_get_rcode(reply)) {
	case LDNS_RCODE_NOERROR:
		out->status = MX_RR_NODATA;
		break;
	case LDNS_RCODE_NXDOMAIN:
		out->status = MX_RR_NXDOMAIN;
		break;
	default: {
		char *rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(reply));

		out->status = MX_RR_ERROR;
		snprintf(out->error, sizeof(out->error), "%s", rc ? rc : "error rcode");
		free(rc);
		ldns_rdf_deep_free(cur);
		return;
	}
	}
	if (!cur)
		return;
	/* Follow the CNAME chain inside the answer (at most 8 hops). */
	for (hops = 0; type != MX_T_CNAME && hops < 8; hops++) {
		ldns_rdf *next = NULL;

		for (i = 0; i < n; i++) {
			ldns_rr *rr = ldns_rr_list_rr(ans, i);

			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    ldns_dname_compare(ldns_rr_owner(rr), cur) == 0 &&
			    ldns_rr_rd_count(rr)) {
				next = ldns_rdf_clone(ldns_rr_rdf(rr, 0));
				break;
			}
		}
		if (!next)
			break;
		ldns_rdf_deep_free(cur);
		cur = next;
		{
			char *s = rdf_str(cur);

			snprintf(out->cname, sizeof(out->cname), "%s", s ? s : "");
			free(s);
		}
	}
	out->rr = calloc(n ? n : 1, sizeof(*out->rr));
	for (i = 0; out->rr && i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(ans, i);

		if ((int)ldns_rr_get_type(rr) != type ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    ldns_dname_compare(ldns_rr_owner(rr), cur) != 0)
			continue;
		rr_to(rr, &out->rr[out->n]);
		if (!out->rr[out->n].text)
			out->rr[out->n].text = strdup("");
		out->n++;
	}
	if (out->n && out->status == MX_RR_NODATA)
		out->status = MX_RR_OK;
	ldns_rdf_deep_free(cur);
}

void mx_dns_log_query(struct mx_dns_client *c, const char *name, int type, const char *server,
		      const char *transport, const ldns_pkt *reply, const struct mx_rrset *out,
		      double ms)
{
	json_object *q, *recs;
	int i;

	if (!c->log)
		return;
	q = json_object_new_object();
	json_object_object_add(q, "name", json_object_new_string(name));
	json_object_object_add(q, "type", json_object_new_string(mx_rr_type_name(type)));
	json_object_object_add(q, "server", server ? json_object_new_string(server) : NULL);
	json_object_object_add(q, "transport", json_object_new_string(transport));
	if (reply) {
		char *rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(reply));

		json_object_object_add(q, "rcode", json_object_new_string(rc ? rc : "?"));
		free(rc);
		json_object_object_add(q, "ad", json_object_new_boolean(out->ad));
	} else {
		json_object_object_add(q, "error", json_object_new_string(out->error));
	}
	if (out->cname[0])
		json_object_object_add(q, "cname", json_object_new_string(out->cname));
	if (out->bogus) {
		json_object_object_add(q, "bogus", json_object_new_boolean(1));
		json_object_object_add(q, "error", json_object_new_string(out->error));
	}
	recs = json_object_new_array();
	for (i = 0; i < out->n; i++) {
		char mxr[300];

		if (type == MX_T_MX) {
			/* The evidence as the zone has it: preference and exchange. */
			snprintf(mxr, sizeof(mxr), "%d %.256s", out->rr[i].pref,
				 out->rr[i].text[0] ? out->rr[i].text : ".");
			json_object_array_add(recs, json_object_new_string(mxr));
		} else {
			json_object_array_add(recs, json_object_new_string(out->rr[i].text));
		}
	}
	json_object_object_add(q, "records", recs);
	json_object_object_add(q, "elapsed_ms", json_object_new_double((long)(ms * 10) / 10.0));
	json_object_array_add(c->log, q);
}
