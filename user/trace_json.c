// SPDX-License-Identifier: GPL-2.0
/* One traced packet as a JSON Lines event (`trace --json`): the same facts
 * as the text renderer (trace_render.c), in fields. */
#include <netinet/in.h> /* before the linux/ headers */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "trace.h"
#include "trace_render.h"

#define IPS_SRC_NAT (1u << 4)
#define IPS_DST_NAT (1u << 5)

json_object *mx_trace_json_event(const char *name)
{
	json_object *j = json_object_new_object();
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_object_add(j, "ts", json_object_new_double(ts.tv_sec + ts.tv_nsec / 1e9));
	json_object_object_add(j, "event", json_object_new_string(name));
	return j;
}

void mx_trace_packet_json(struct mx_trace_run *t, const struct mx_trace_pkt *p)
{
	const struct mx_trace_event *ev = p->ev;
	const char *src = p->src, *dst = p->dst, *fl = p->flags, *endtxt = p->endtxt;
	json_object *j, *path, *endj = p->endj;
	char a[96], b[96], lt[1024];
	size_t i;
	int k, h;

	j = json_object_new_object();
	json_object_object_add(j, "ts", json_object_new_double(mx_trace_wall(t, ev->ts_ns)));
	json_object_object_add(j, "event", json_object_new_string("packet"));
	json_object_object_add(j, "id", json_object_new_int64(ev->id));
	json_object_object_add(j, "proto", json_object_new_string(ev->proto == 6 ? "tcp" : "udp"));
	json_object_object_add(j, "src", json_object_new_string(src));
	json_object_object_add(j, "dst", json_object_new_string(dst));
	if (fl[0])
		json_object_object_add(j, "tcp_flags", json_object_new_string(fl));
	json_object_object_add(j, "len", json_object_new_int(ev->len));
	json_object_object_add(j, "in", json_object_new_string(ev->in_name));
	json_object_object_add(j, "out", json_object_new_string(ev->out_name));
	if (ev->has_ct && (ev->ct_status & IPS_DST_NAT)) {
		json_object *n = json_object_new_object();

		json_object_object_add(
		    n, "from",
		    json_object_new_string(mx_trace_fmt_ep(ev->family, ev->ct_orig.daddr,
							   ev->ct_orig.dport, a, sizeof(a))));
		json_object_object_add(
		    n, "to",
		    json_object_new_string(mx_trace_fmt_ep(ev->family, ev->ct_reply.saddr,
							   ev->ct_reply.sport, b, sizeof(b))));
		json_object_object_add(n, "direction",
				       json_object_new_string(ev->ct_dir ? "reply" : "original"));
		json_object_object_add(j, "dnat", n);
	}
	if (ev->has_ct && (ev->ct_status & IPS_SRC_NAT))
		json_object_object_add(j, "snat_to",
				       json_object_new_string(mx_trace_fmt_addr(
					   ev->family, ev->ct_reply.daddr, a, sizeof(a))));
	path = json_object_new_array();
	for (k = 0; k < MX_NHOOKS; k++) {
		json_object *hj, *rules;
		int any;

		h = mx_trace_path_order[k];
		any = !!(ev->seen & (MX_SEEN(h, 0) | MX_SEEN(h, 1)));
		for (i = 0; i < p->nlines; i++)
			any |= p->lines[i].hook == h;
		if (!any)
			continue;
		hj = json_object_new_object();
		json_object_object_add(hj, "hook", json_object_new_string(mx_trace_hook_names[h]));
		json_object_object_add(hj, "entered",
				       json_object_new_boolean(!!(ev->seen & MX_SEEN(h, 0))));
		json_object_object_add(hj, "passed",
				       json_object_new_boolean(!!(ev->seen & MX_SEEN(h, 1))));
		rules = json_object_new_array();
		for (i = 0; i < p->nlines; i++) {
			const struct mx_nft_decision *d = p->lines[i].d;
			json_object *r;
			char vb[96];

			if (p->lines[i].hook != h)
				continue;
			r = json_object_new_object();
			json_object_object_add(r, "family",
					       json_object_new_string(mx_nfproto_name(d->family)));
			json_object_object_add(r, "table", json_object_new_string(d->table));
			json_object_object_add(r, "chain", json_object_new_string(d->chain));
			if (p->lines[i].base[0])
				json_object_object_add(r, "from_chain",
						       json_object_new_string(p->lines[i].base));
			json_object_object_add(
			    r, "type",
			    json_object_new_string(d->type == NFT_TRACETYPE_RULE     ? "rule"
						   : d->type == NFT_TRACETYPE_RETURN ? "return"
										     : "policy"));
			if (d->type == NFT_TRACETYPE_RULE) {
				json_object_object_add(r, "rule",
						       json_object_new_int(p->lines[i].pos));
				json_object_object_add(r, "handle",
						       json_object_new_int64(d->handle));
				json_object_object_add(r, "text",
						       json_object_new_string(p->lines[i].text));
			}
			json_object_object_add(
			    r, "verdict",
			    json_object_new_string(mx_trace_verdict_name(d, vb, sizeof(vb))));
			mx_trace_line_text(&p->lines[i], lt, sizeof(lt));
			json_object_object_add(r, "line", json_object_new_string(lt));
			json_object_array_add(rules, r);
		}
		json_object_object_add(hj, "rules", rules);
		json_object_array_add(path, hj);
	}
	json_object_object_add(j, "path", path);
	if (p->nhits) {
		json_object *lh = json_object_new_array();

		for (k = 0; k < p->nhits; k++) {
			json_object *r = json_object_new_object();

			json_object_object_add(r, "table",
					       json_object_new_string(p->hits[k].table));
			json_object_object_add(r, "chain",
					       json_object_new_string(p->hits[k].chain));
			json_object_object_add(r, "rule", json_object_new_int(p->hits[k].pos));
			json_object_object_add(r, "text", json_object_new_string(p->hits[k].text));
			json_object_object_add(
			    r, "verdict",
			    json_object_new_string(p->hits[k].reject ? "REJECT" : "DROP"));
			json_object_object_add(r, "counter_delta",
					       json_object_new_int64(p->hits[k].packets));
			json_object_array_add(lh, r);
		}
		json_object_object_add(j, "legacy_rules", lh);
	}
	json_object_object_add(endj, "summary", json_object_new_string(endtxt));
	json_object_object_add(j, "end", endj);
	fprintf(t->out, "%s\n",
		json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
}
