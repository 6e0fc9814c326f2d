// SPDX-License-Identifier: GPL-2.0
/* firewall.published: a new connection from anywhere to each mail port
 * Docker publishes, walked through the FORWARD chains: open, restricted
 * to some sources, or dropped (and by which rule). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fw_checks.h"

/* The command that removes the deciding rule of port object o. */
static void remedy_for(json_object *o, char *buf, size_t len)
{
	json_object *d, *b, *fam, *t, *c, *p, *h;

	if (!json_object_object_get_ex(o, "decided_by", &d))
		return;
	json_object_object_get_ex(d, "backend", &b);
	json_object_object_get_ex(d, "family", &fam);
	json_object_object_get_ex(d, "table", &t);
	json_object_object_get_ex(d, "chain", &c);
	json_object_object_get_ex(d, "position", &p);
	json_object_object_get_ex(d, "handle", &h);
	const char *be = json_object_get_string(b);
	int ipt = strstr(be, "tables") != NULL;
	const char *tool = !strcmp(be, "iptables-nft")	  ? "iptables"
			   : !strcmp(be, "ip6tables-nft") ? "ip6tables"
							  : be;
	if (!p) /* the policy */
		snprintf(buf, len,
			 ipt ? "%s -t %s -P %s ACCEPT" : "nft chain %s %s %s '{ policy accept; }'",
			 ipt ? tool : json_object_get_string(fam), json_object_get_string(t),
			 json_object_get_string(c));
	else if (ipt)
		snprintf(buf, len, "%s -t %s -D %s %d", tool, json_object_get_string(t),
			 json_object_get_string(c), json_object_get_int(p));
	else
		snprintf(buf, len, "nft delete rule %s %s %s handle %lld",
			 json_object_get_string(fam), json_object_get_string(t),
			 json_object_get_string(c), (long long)json_object_get_int64(h));
}

void mx_check_fw_published(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	struct mx_fw_pub *pubs;
	json_object *ports;
	int n, blocked = 0, restricted_n = 0, unknown_n = 0;
	char sum[1024] = "", first_block[400] = "", remedy[300] = "";

	if (mx_fw_load_or_error(r, &rs))
		return;
	pubs = mx_fw_pubs(&rs, ctx->cfg, AF_INET, &n);
	ports = json_object_new_array();
	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object(), *rest = json_object_new_array();
		char decided[400];
		enum fw_verdict v;

		json_object_object_add(o, "name", json_object_new_string(pubs[i].name));
		json_object_object_add(o, "port", json_object_new_int(pubs[i].hport));
		json_object_object_add(o, "container_ip", json_object_new_string(pubs[i].cip_str));
		json_object_object_add(o, "container_port", json_object_new_int(pubs[i].cport));
		json_object_object_add(o, "bridge", json_object_new_string(pubs[i].bridge));
		json_object_object_add(o, "dnat",
				       mx_fw_rule_json(pubs[i].table, pubs[i].chain, pubs[i].rule));
		v = mx_fw_walk_port(&rs, &pubs[i], FW_HOOK_FORWARD, o, rest, decided,
				    sizeof(decided));
		json_object_object_add(o, "verdict", json_object_new_string(fw_verdict_name(v)));
		json_object_object_add(o, "restricted", rest);
		if (v == FW_V_DROP || v == FW_V_REJECT) {
			blocked++;
			if (!first_block[0])
				snprintf(first_block, sizeof(first_block), "%u by %.380s",
					 pubs[i].hport, decided);
		}
		for (size_t k = 0; k < json_object_array_length(rest); k++) {
			json_object *x = json_object_array_get_idx(rest, k), *ev;

			if (json_object_object_get_ex(x, "evaluated", &ev) &&
			    !json_object_get_boolean(ev))
				unknown_n++;
			else
				restricted_n++;
		}
		if (v != FW_V_ACCEPT) {
			snprintf(sum + strlen(sum), sizeof(sum) - strlen(sum), "%s%u blocked",
				 i ? ", " : "", pubs[i].hport);
		} else if (json_object_array_length(rest)) {
			json_object *x = json_object_array_get_idx(rest, 0), *f, *vd, *ch, *ps;

			json_object_object_get_ex(x, "from", &f);
			json_object_object_get_ex(x, "verdict", &vd);
			json_object_object_get_ex(x, "chain", &ch);
			json_object_object_get_ex(x, "position", &ps);
			snprintf(sum + strlen(sum), sizeof(sum) - strlen(sum),
				 "%s%u open (%s from %s by %s rule %d%s)", i ? ", " : "",
				 pubs[i].hport, json_object_get_string(vd),
				 json_object_get_string(f), json_object_get_string(ch),
				 json_object_get_int(ps),
				 json_object_array_length(rest) > 1 ? ", and more" : "");
		} else {
			snprintf(sum + strlen(sum), sizeof(sum) - strlen(sum), "%s%u open",
				 i ? ", " : "", pubs[i].hport);
		}
		if ((v == FW_V_DROP || v == FW_V_REJECT) && !remedy[0])
			remedy_for(o, remedy, sizeof(remedy));
		json_object_array_add(ports, o);
	}
	mx_result_data(r);
	json_object_object_add(r->data, "ports", ports);
	mx_data_int(r, "blocked", blocked);
	mx_data_int(r, "restricted", restricted_n);
	if (!n) {
		mx_result_set(r, MX_SKIP,
			      "no mail port is published by Docker (no DNAT rule in nat)");
	} else if (blocked) {
		mx_result_set(r, MX_FAIL, "new connections from outside: %s; port %s", sum,
			      first_block);
		mx_result_remedy(r,
				 "remove or narrow the rule that drops them (%s); to restrict who "
				 "may connect, drop only chosen sources in DOCKER-USER",
				 remedy);
	} else if (unknown_n) {
		mx_result_set(r, MX_WARN,
			      "new connections from outside: %s; %d rule%s depend%s on "
			      "criteria mxprobe does not evaluate",
			      sum, unknown_n, unknown_n == 1 ? "" : "s", unknown_n == 1 ? "s" : "");
	} else {
		mx_result_set(r, MX_PASS, "new connections from outside: %s", sum);
	}
	free(pubs);
	fw_ruleset_free(&rs);
}
