// SPDX-License-Identifier: GPL-2.0
/* firewall.docker_user and firewall.forward_policy: Docker's FORWARD
 * chain jumps to DOCKER-USER before anything else, and drops what Docker
 * did not publish. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fw_checks.h"

/* ---- firewall.docker_user ---- */

/* The DOCKER-USER analysis of one family; returns the status. */
enum mx_status mx_fw_docker_user(const struct fw_ruleset *rs, int family, json_object *o, char *sum,
				 size_t len, char *rem, size_t rlen)
{
	const struct fw_table *t = mx_fw_docker_filter(rs, family);
	const struct fw_chain *fwd, *du;
	const char *ipt = family == 10 ? "ip6tables" : "iptables";
	int jump = 0, first = 0, real = 0;

	if (!t) {
		snprintf(sum, len, "no Docker chains in %s",
			 family == 10 ? "ip6tables" : "iptables");
		json_object_object_add(o, "docker", json_object_new_boolean(0));
		return MX_SKIP;
	}
	json_object_object_add(o, "docker", json_object_new_boolean(1));
	json_object_object_add(o, "backend", json_object_new_string(mx_fw_backend_name(t)));
	fwd = fw_chain_find(t, "FORWARD");
	du = fw_chain_find(t, "DOCKER-USER");
	json_object_object_add(o, "present", json_object_new_boolean(du != NULL));
	for (int i = 0; fwd && i < fwd->nrules; i++) {
		const struct fw_rule *x = &fwd->rules[i];

		if (x->verdict == FW_V_JUMP && !strcmp(x->target, "DOCKER-USER")) {
			jump = x->pos;
			break;
		}
		/* mailcow's netfilter keeps MAILCOW first: bans before everything. */
		if (x->verdict == FW_V_JUMP && !strcmp(x->target, "MAILCOW"))
			continue;
		if (!first)
			first = x->pos;
	}
	for (int i = 0; du && i < du->nrules; i++)
		if (!(du->rules[i].verdict == FW_V_RETURN && du->rules[i].m.proto < 0 &&
		      !du->rules[i].m.src.set && !du->rules[i].m.dst.set &&
		      !du->rules[i].m.iif[0] && !du->rules[i].m.oif[0] && !du->rules[i].m.unknown))
			real++; /* Docker's own trailing "-j RETURN" is not counted */
	json_object_object_add(o, "jump_position", jump ? json_object_new_int(jump) : NULL);
	json_object_object_add(o, "rules", json_object_new_int(real));
	if (!du) {
		snprintf(sum, len, "%s: DOCKER-USER chain missing from %s filter", ipt,
			 mx_fw_backend_name(t));
		snprintf(rem, rlen,
			 "restart Docker (systemctl restart docker) to recreate it, then "
			 "re-add your rules; a firewall manager's reload deleted it");
		return MX_FAIL;
	}
	if (!jump) {
		snprintf(
		    sum, len,
		    "%s: FORWARD does not jump to DOCKER-USER: its %d rule%s never see a packet",
		    ipt, real, real == 1 ? "" : "s");
		snprintf(rem, rlen,
			 "%s -I FORWARD -j DOCKER-USER (Docker adds the jump only "
			 "when it starts: restart it after the firewall)",
			 ipt);
		return real ? MX_FAIL : MX_WARN;
	}
	if (first && first < jump) {
		const struct fw_rule *x = &fwd->rules[first - 1];

		snprintf(sum, len,
			 "%s: FORWARD jumps to DOCKER-USER at rule %d, after rule %d (%.300s)", ipt,
			 jump, first, x->text);
		snprintf(rem, rlen,
			 "make '-j DOCKER-USER' the first rule of FORWARD: %s -D FORWARD "
			 "-j DOCKER-USER; %s -I FORWARD -j DOCKER-USER",
			 ipt, ipt);
		return MX_WARN;
	}
	snprintf(sum, len, "%s: FORWARD jumps to DOCKER-USER first; %d rule%s in it", ipt, real,
		 real == 1 ? "" : "s");
	return MX_PASS;
}

void mx_check_fw_docker_user(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	char sum[512], rem[512] = "";
	json_object *o;
	enum mx_status st;

	(void)ctx;
	if (mx_fw_load_or_error(r, &rs))
		return;
	o = mx_result_data(r);
	st = mx_fw_docker_user(&rs, 2, o, sum, sizeof(sum), rem, sizeof(rem));
	if (st == MX_SKIP && mx_fw_docker_nft_table(&rs, 2)) {
		st = MX_WARN;
		snprintf(sum, sizeof(sum),
			 "Docker uses its nftables backend (table ip "
			 "docker-bridges): there is no DOCKER-USER chain");
		snprintf(rem, sizeof(rem),
			 "filter in a table of your own: a chain with 'type filter "
			 "hook forward priority -1' runs before Docker's");
	}
	mx_result_set(r, st, "%s", sum);
	if (rem[0])
		mx_result_remedy(r, "%s", rem);
	fw_ruleset_free(&rs);
}

/* ---- firewall.forward_policy ---- */

void mx_check_fw_forward_policy(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	struct mx_fw_hook_chain hc[32];
	json_object *arr;
	const struct fw_table *df;
	const struct fw_chain *fwd = NULL;
	int n, drops = 0;

	(void)ctx;
	if (mx_fw_load_or_error(r, &rs))
		return;
	arr = json_object_new_array();
	n = mx_fw_hook_chains(&rs, 2, FW_HOOK_FORWARD, hc, 32);
	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "backend",
				       json_object_new_string(mx_fw_backend_name(hc[i].t)));
		json_object_object_add(o, "family",
				       json_object_new_string(fw_family_name(hc[i].t->family)));
		json_object_object_add(o, "table", json_object_new_string(hc[i].t->name));
		json_object_object_add(o, "chain", json_object_new_string(hc[i].c->name));
		json_object_object_add(o, "priority", json_object_new_int(hc[i].c->prio));
		json_object_object_add(o, "policy",
				       json_object_new_string(fw_verdict_name(hc[i].c->policy)));
		json_object_array_add(arr, o);
		if (hc[i].c->policy == FW_V_DROP)
			drops++;
	}
	mx_result_data(r);
	json_object_object_add(r->data, "chains", arr);
	df = mx_fw_docker_filter(&rs, 2);
	if (df)
		fwd = fw_chain_find(df, "FORWARD");
	mx_data_str(r, "policy", fwd ? fw_verdict_name(fwd->policy) : NULL);
	if (!fwd) {
		mx_result_set(r, MX_SKIP, "no Docker FORWARD chain (%d forward-hook chain%s)", n,
			      n == 1 ? "" : "s");
	} else if (fwd->policy == FW_V_DROP) {
		mx_result_set(r, MX_PASS,
			      "FORWARD policy DROP: containers are reachable only on the ports "
			      "Docker publishes (its DOCKER chain accepts them)");
	} else {
		mx_result_set(r, MX_WARN,
			      "FORWARD policy ACCEPT: what no rule drops is routed, so container "
			      "ports that are not published are reachable by anyone who can route "
			      "to the Docker networks");
		mx_result_remedy(r, "iptables -P FORWARD DROP (Docker sets it when it enables "
				    "ip_forward; something reset it)");
	}
	(void)drops;
	fw_ruleset_free(&rs);
}
