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

/* The DOCKER-USER analysis of Docker's filter table t; returns the status.
 * ipt names the backend in the summary and is the command of the remedy. */
static enum mx_status docker_user_one(const struct fw_table *t, const char *ipt, json_object *o,
				      char *sum, size_t len, char *rem, size_t rlen)
{
	const struct fw_chain *fwd, *du;
	int jump = 0, first = 0, real;

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
	real = mx_fw_docker_user_rules(du);
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

/* Copies key of src into dst (a new reference). */
static void copy_key(json_object *dst, json_object *src, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(src, key, &v);
	json_object_object_add(dst, key, json_object_get(v));
}

/* The DOCKER-USER analysis of one family; returns the status. With Docker's
 * chains in both iptables-nft and iptables-legacy (rules left from a switch
 * of backend) the kernel runs the FORWARD hooks of both and each
 * DOCKER-USER filters: each is analysed, "backends" lists them, the summary
 * names each backend with its own findings, the worst status counts and the
 * top-level keys are those of the backend that decided it (the one holding
 * more rules when they agree). */
enum mx_status mx_fw_docker_user(const struct fw_ruleset *rs, int family, json_object *o, char *sum,
				 size_t len, char *rem, size_t rlen)
{
	const struct fw_table *ts[4];
	int n = mx_fw_docker_filters(rs, family, ts, 4), best = -1, best_rules = 0;
	enum mx_status st = MX_PASS;
	json_object *arr, *bo[4];

	if (!n) {
		snprintf(sum, len, "no Docker chains in %s",
			 family == 10 ? "ip6tables" : "iptables");
		json_object_object_add(o, "docker", json_object_new_boolean(0));
		return MX_SKIP;
	}
	json_object_object_add(o, "docker", json_object_new_boolean(1));
	arr = json_object_new_array();
	sum[0] = 0;
	if (rlen)
		rem[0] = 0;
	for (int i = 0; i < n; i++) {
		char s1[512], r1[512] = "";
		const char *ipt =
		    n == 1 ? (family == 10 ? "ip6tables" : "iptables") : mx_fw_backend_name(ts[i]);
		enum mx_status s;
		int rules;
		json_object *x;

		bo[i] = json_object_new_object();
		s = docker_user_one(ts[i], ipt, bo[i], s1, sizeof(s1), r1, sizeof(r1));
		json_object_object_add(bo[i], "status",
				       json_object_new_string(s == MX_PASS   ? "pass"
							      : s == MX_WARN ? "warn"
									     : "fail"));
		json_object_array_add(arr, bo[i]);
		json_object_object_get_ex(bo[i], "rules", &x);
		rules = json_object_get_int(x);
		if (best < 0 || s > st || (s == st && rules > best_rules)) {
			best = i;
			best_rules = rules;
			st = s;
		}
		snprintf(sum + strlen(sum), len - strlen(sum), "%s%s", i ? "; " : "", s1);
		if (r1[0] && rlen)
			snprintf(rem + strlen(rem), rlen - strlen(rem), "%s%s", rem[0] ? "; " : "",
				 r1);
	}
	copy_key(o, bo[best], "backend");
	copy_key(o, bo[best], "present");
	copy_key(o, bo[best], "jump_position");
	copy_key(o, bo[best], "rules");
	json_object_object_add(o, "backends", arr);
	if (n > 1)
		snprintf(sum + strlen(sum), len - strlen(sum),
			 " (Docker's chains in %s and %s: the kernel runs both)",
			 mx_fw_backend_name(ts[0]), mx_fw_backend_name(ts[1]));
	return st;
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
	int n;

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
	fw_ruleset_free(&rs);
}
