// SPDX-License-Identifier: GPL-2.0
/* firewall.backend and firewall.managers: which packet filters hold rules
 * (iptables-nft, iptables-legacy, nftables, Docker's nftables backend) and
 * who manages them (ufw, firewalld, CSF, Docker's layout, mailcow's
 * MAILCOW chain), read from tables and chain names. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fw_checks.h"

static int table_has_rules(const struct fw_table *t)
{
	for (int i = 0; i < t->nchains; i++)
		if (t->chains[i].nrules ||
		    (t->chains[i].base && t->chains[i].policy != FW_V_ACCEPT))
			return 1;
	return 0;
}

static int any_chain_prefix(const struct fw_ruleset *rs, const char *prefix, int with_rules)
{
	for (int i = 0; i < rs->ntables; i++)
		for (int j = 0; j < rs->tables[i].nchains; j++)
			if (!strncmp(rs->tables[i].chains[j].name, prefix, strlen(prefix)) &&
			    (!with_rules || rs->tables[i].chains[j].nrules))
				return 1;
	return 0;
}

/* ---- firewall.backend ---- */

void mx_check_fw_backend(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	json_object *tables = json_object_new_array(), *backs = json_object_new_array();
	int nft_xt = 0, legacy = 0, native = 0, docker_nft = 0;
	char sum[512] = "";

	(void)ctx;
	if (mx_fw_load_or_error(r, &rs)) {
		json_object_put(tables);
		json_object_put(backs);
		return;
	}
	for (int i = 0; i < rs.ntables; i++) {
		const struct fw_table *t = &rs.tables[i];
		json_object *o = json_object_new_object();
		int nr = 0;

		for (int j = 0; j < t->nchains; j++)
			nr += t->chains[j].nrules;
		json_object_object_add(o, "backend", json_object_new_string(mx_fw_backend_name(t)));
		json_object_object_add(o, "family",
				       json_object_new_string(fw_family_name(t->family)));
		json_object_object_add(o, "name", json_object_new_string(t->name));
		json_object_object_add(o, "chains", json_object_new_int(t->nchains));
		json_object_object_add(o, "rules", json_object_new_int(nr));
		json_object_array_add(tables, o);
		if (!table_has_rules(t))
			continue;
		if (t->backend == FW_LEGACY)
			legacy = 1;
		else if (t->xt)
			nft_xt = 1;
		else if (!strcmp(t->name, "docker-bridges"))
			docker_nft = 1;
		else
			native = 1;
	}
#define BACK(flag, name)                                                                           \
	if (flag) {                                                                                \
		json_object_array_add(backs, json_object_new_string(name));                        \
		snprintf(sum + strlen(sum), sizeof(sum) - strlen(sum), "%s%s", sum[0] ? ", " : "", \
			 name);                                                                    \
	}
	BACK(nft_xt, "iptables-nft");
	BACK(legacy, "iptables-legacy");
	BACK(native, "nftables");
	BACK(docker_nft, "docker-nftables");
#undef BACK
	mx_result_data(r);
	json_object_object_add(r->data, "backends", backs);
	json_object_object_add(r->data, "tables", tables);
	mx_data_bool(r, "legacy_and_nft", legacy && nft_xt);
	if (!sum[0]) {
		mx_result_set(r, MX_PASS,
			      "no packet filter rules (every table empty, policies ACCEPT)");
	} else if (legacy && nft_xt) {
		mx_result_set(r, MX_WARN,
			      "%s: rules in both iptables-nft and iptables-legacy tables, and the "
			      "kernel runs both; `iptables -L` shows only one of them",
			      sum);
		mx_result_remedy(
		    r, "keep one: see which one dockerd uses (firewall.managers) and "
		       "move the other's rules (iptables-legacy-save / iptables-nft-save) "
		       "into it; update-alternatives --config iptables selects the tool");
	} else {
		mx_result_set(r, MX_PASS, "%s", sum);
	}
	fw_ruleset_free(&rs);
}

/* ---- firewall.managers ---- */

/* Position of the first rule of chain `from` that jumps to `to`, or 0. */
static int jump_pos(const struct fw_table *t, const char *from, const char *to)
{
	const struct fw_chain *c = fw_chain_find(t, from);

	for (int i = 0; c && i < c->nrules; i++)
		if ((c->rules[i].verdict == FW_V_JUMP || c->rules[i].verdict == FW_V_GOTO) &&
		    !strcmp(c->rules[i].target, to))
			return c->rules[i].pos;
	return 0;
}

void mx_check_fw_managers(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	json_object *mgr;
	const struct fw_table *df;
	int ufw, firewalld = 0, csf, mailcow = 0;
	const char *docker = NULL;
	char sum[512] = "";

	(void)ctx;
	if (mx_fw_load_or_error(r, &rs))
		return;
	mgr = json_object_new_object();
	ufw = any_chain_prefix(&rs, "ufw-", 0) || any_chain_prefix(&rs, "ufw6-", 0);
	for (int i = 0; i < rs.ntables; i++)
		if (!strcmp(rs.tables[i].name, "firewalld"))
			firewalld = 1;
	if (any_chain_prefix(&rs, "FWD_", 0) || any_chain_prefix(&rs, "IN_public", 0) ||
	    any_chain_prefix(&rs, "INPUT_direct", 0))
		firewalld = 1;
	csf = any_chain_prefix(&rs, "LOCALINPUT", 0) &&
	      (any_chain_prefix(&rs, "DENYIN", 0) || any_chain_prefix(&rs, "ALLOWIN", 0));
	df = mx_fw_docker_filter(&rs, 2);
	if (df)
		docker = fw_chain_find(df, "DOCKER-FORWARD") ? "28+" : "20.10";
	else if (mx_fw_docker_nft_table(&rs, 2))
		docker = "nftables";
	json_object_object_add(mgr, "ufw", json_object_new_boolean(ufw));
	json_object_object_add(mgr, "firewalld", json_object_new_boolean(firewalld));
	json_object_object_add(mgr, "csf", json_object_new_boolean(csf));
	json_object_object_add(mgr, "docker", docker ? json_object_new_string(docker) : NULL);
	if (df)
		json_object_object_add(mgr, "docker_backend",
				       json_object_new_string(mx_fw_backend_name(df)));
	for (int i = 0; i < rs.ntables; i++) {
		const struct fw_table *t = &rs.tables[i];

		if (t->xt && t->family == 2 && !strcmp(t->name, "filter") &&
		    fw_chain_find(t, "MAILCOW")) {
			json_object *mc = json_object_new_object();

			mailcow = 1;
			json_object_object_add(
			    mc, "input_position",
			    json_object_new_int(jump_pos(t, "INPUT", "MAILCOW")));
			json_object_object_add(
			    mc, "forward_position",
			    json_object_new_int(jump_pos(t, "FORWARD", "MAILCOW")));
			json_object_object_add(mgr, "mailcow", mc);
		}
	}
	if (!mailcow)
		json_object_object_add(mgr, "mailcow", NULL);
	mx_result_data(r);
	json_object_object_add(r->data, "managers", mgr);

#define ADD(cond, ...)                                                                             \
	if (cond)                                                                                  \
	snprintf(sum + strlen(sum), sizeof(sum) - strlen(sum), __VA_ARGS__)
	ADD(ufw, "%sufw", sum[0] ? ", " : "");
	ADD(firewalld, "%sfirewalld", sum[0] ? ", " : "");
	ADD(csf, "%sCSF", sum[0] ? ", " : "");
	ADD(docker, "%sDocker (%s layout%s%s)", sum[0] ? ", " : "", docker, df ? ", " : "",
	    df ? mx_fw_backend_name(df) : "");
	ADD(mailcow, "%smailcow's MAILCOW chain", sum[0] ? ", " : "");
#undef ADD
	if (ufw || firewalld) {
		mx_result_set(r, MX_FAIL,
			      "%s: %s manages the firewall; mailcow's docs warn against it", sum,
			      ufw && firewalld ? "ufw and firewalld"
			      : ufw	       ? "ufw"
					       : "firewalld");
		mx_result_remedy(
		    r,
		    "%s; its INPUT rules do not restrict published container ports. Put "
		    "restrictions in the DOCKER-USER chain (iptables -I DOCKER-USER ...), "
		    "which Docker never flushes",
		    ufw ? "disable ufw (ufw disable)"
			: "disable firewalld (systemctl disable --now firewalld): its reloads "
			  "have deleted DOCKER-USER (moby #35043) and its masquerading made an "
			  "IPv6 open relay (mailcow #4220)");
	} else if (csf) {
		mx_result_set(r, MX_WARN, "%s: CSF flushes Docker's chains when it restarts", sum);
		mx_result_remedy(r, "set DOCKER = \"1\" in /etc/csf/csf.conf (CSF then keeps "
				    "Docker's chains), or restart Docker after every csf -r");
	} else if (!sum[0]) {
		mx_result_set(r, MX_PASS, "no firewall manager, no Docker chains");
	} else {
		mx_result_set(r, MX_PASS, "%s", sum);
	}
	fw_ruleset_free(&rs);
}
