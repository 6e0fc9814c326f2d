// SPDX-License-Identifier: GPL-2.0
/* firewall.ipv6: with mailcow's IPv6 enabled, Docker must publish the mail
 * ports through ip6tables, and the IPv4 restrictions need IPv6 twins. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fw_checks.h"

void mx_check_fw_ipv6(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	struct mx_fw_pub *p4, *p6;
	const struct fw_table *d6;
	int enabled = ctx->cfg->mc.enable_ipv6, n4, n6;

	if (mx_fw_load_or_error(r, &rs))
		return;
	d6 = mx_fw_docker_filter(&rs, 10);
	mx_data_bool(r, "docker_ip6tables", d6 != NULL);
	mx_data_int(r, "mailcow_enable_ipv6", enabled);
	if (enabled == 0 || (enabled < 0 && !d6)) {
		mx_result_set(r, MX_SKIP,
			      enabled == 0 ? "ENABLE_IPV6=false in mailcow.conf"
					   : "IPv6 not in use by Docker (no ip6tables "
					     "chains of Docker; ENABLE_IPV6 unknown)");
		fw_ruleset_free(&rs);
		return;
	}
	p4 = mx_fw_pubs(&rs, ctx->cfg, AF_INET, &n4);
	p6 = mx_fw_pubs(&rs, ctx->cfg, AF_INET6, &n6);
	mx_data_int(r, "published_ipv6", n6);
	if (!d6) {
		mx_result_set(
		    r, MX_WARN,
		    "mailcow has IPv6 enabled but Docker manages no ip6tables rules: IPv6 "
		    "clients reach the containers through docker-proxy, which takes INPUT "
		    "and shows them as the bridge's address (open relay risk, mailcow "
		    "#3598); DOCKER-USER rules do not apply to them");
		mx_result_remedy(r,
				 "enable Docker's IPv6 NAT (daemon.json: \"ipv6\": true, "
				 "\"ip6tables\": true, with \"experimental\": true before Docker "
				 "27) and restart Docker");
	} else {
		int blocked = 0, v4rules = 0, v6rules = 0;
		json_object *ports = json_object_new_array();

		for (int i = 0; i < n6; i++) {
			json_object *o = json_object_new_object(), *rest = json_object_new_array();
			char decided[400];
			enum fw_verdict v = mx_fw_walk_port(&rs, &p6[i], FW_HOOK_FORWARD, o, rest,
							    decided, sizeof(decided));

			json_object_object_add(o, "port", json_object_new_int(p6[i].hport));
			json_object_object_add(o, "verdict",
					       json_object_new_string(fw_verdict_name(v)));
			v6rules += (int)json_object_array_length(rest);
			json_object_object_add(o, "restricted", rest);
			json_object_array_add(ports, o);
			if (v != FW_V_ACCEPT)
				blocked++;
		}
		for (int i = 0; i < n4; i++) {
			json_object *o = json_object_new_object(), *rest = json_object_new_array();
			char decided[400];

			mx_fw_walk_port(&rs, &p4[i], FW_HOOK_FORWARD, o, rest, decided,
					sizeof(decided));
			v4rules += (int)json_object_array_length(rest);
			json_object_put(o);
			json_object_put(rest);
		}
		json_object *du6 = json_object_new_object();
		char dsum[512], drem[512] = "";
		enum mx_status dst =
		    mx_fw_docker_user(&rs, 10, du6, dsum, sizeof(dsum), drem, sizeof(drem));

		json_object_object_add(mx_result_data(r), "ports", ports);
		json_object_object_add(r->data, "docker_user", du6);
		mx_data_int(r, "restricting_rules_ipv4", v4rules);
		mx_data_int(r, "restricting_rules_ipv6", v6rules);
		if (blocked) {
			mx_result_set(r, MX_FAIL, "%d mail port%s blocked for IPv6 clients",
				      blocked, blocked == 1 ? "" : "s");
		} else if (!fw_chain_find(d6, "DOCKER-USER")) {
			/* Docker 20.10 creates DOCKER-USER for iptables only. */
			mx_result_set(
			    r, MX_WARN,
			    "ip6tables has no DOCKER-USER chain (Docker before 23 creates it "
			    "for IPv4 only): IPv6 restrictions need rules in FORWARD ahead "
			    "of Docker's; %d IPv6 rule%s restrict%s mail ports now",
			    v6rules, v6rules == 1 ? "" : "s", v6rules == 1 ? "s" : "");
			mx_result_remedy(r,
					 "ip6tables -I FORWARD -i UPLINK -p tcp --dport PORT -s "
					 "NET -j DROP (re-add after Docker restarts), or upgrade "
					 "Docker");
		} else if (dst == MX_FAIL || dst == MX_WARN) {
			mx_result_set(r, dst, "%s", dsum);
			if (drem[0])
				mx_result_remedy(r, "%s", drem);
		} else if (!n6 && n4) {
			mx_result_set(r, MX_WARN,
				      "Docker's ip6tables chains exist but publish no mail "
				      "port over IPv6");
		} else if (v4rules && !v6rules) {
			mx_result_set(
			    r, MX_WARN,
			    "%d IPv4 rule%s restrict%s published mail ports, no IPv6 rule "
			    "does: IPv6 clients are not covered",
			    v4rules, v4rules == 1 ? "" : "s", v4rules == 1 ? "s" : "");
			mx_result_remedy(r, "add the same rules with ip6tables -I DOCKER-USER ...");
		} else if (blocked) {
			mx_result_set(r, MX_FAIL, "%d mail port%s blocked for IPv6 clients",
				      blocked, blocked == 1 ? "" : "s");
		} else {
			mx_result_set(r, MX_PASS,
				      "IPv6: %d mail port%s published through ip6tables, "
				      "%d restricting rule%s",
				      n6, n6 == 1 ? "" : "s", v6rules, v6rules == 1 ? "" : "s");
		}
	}
	free(p4);
	free(p6);
	fw_ruleset_free(&rs);
}
