// SPDX-License-Identifier: GPL-2.0
/* What the checks of the firewall group share: loading the ruleset (each
 * check loads its own: a netlink dump and a few getsockopt calls, cheap,
 * and no state shared between threads), naming a rule in summaries and
 * JSON, and finding the tables Docker manages. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fw_checks.h"

const char *mx_fw_nft_file;

int mx_fw_load(struct fw_ruleset *rs)
{
	int rc = 0;

	fw_ruleset_init(rs);
	if (mx_fw_nft_file) {
		FILE *f = fopen(mx_fw_nft_file, "rb");
		static char buf[4 << 20];
		size_t n;

		if (!f) {
			snprintf(rs->err, sizeof(rs->err), "open %s: %m", mx_fw_nft_file);
			return -1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		return fw_nft_parse(rs, buf, n);
	}
	/* MXPROBE_FW_SAVE=FILE keeps the raw nf_tables dump (bug reports, and
	 * the unit tests' fixtures). */
	if (getenv("MXPROBE_FW_SAVE") && fw_nft_record(getenv("MXPROBE_FW_SAVE")) < 0)
		rc = -1;
	if (fw_nft_load(rs) < 0)
		rc = -1;
	if (fw_legacy_load(rs) < 0)
		rc = -1;
	return rc;
}

int mx_fw_load_or_error(struct mx_result *r, struct fw_ruleset *rs)
{
	if (mx_fw_load(rs) == 0)
		return 0;
	mx_result_set(r, MX_ERROR, "read the packet filter: %s", rs->err);
	if (strstr(rs->err, "ermitted"))
		mx_result_remedy(r, "run as root (needs CAP_NET_ADMIN to read netfilter rules)");
	fw_ruleset_free(rs);
	return -1;
}

const char *mx_fw_backend_name(const struct fw_table *t)
{
	if (t->backend == FW_LEGACY)
		return t->family == 10 ? "ip6tables-legacy" : "iptables-legacy";
	return t->xt ? (t->family == 10 ? "ip6tables-nft" : "iptables-nft") : "nftables";
}

json_object *mx_fw_rule_json(const struct fw_table *t, const struct fw_chain *c,
			     const struct fw_rule *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "backend", json_object_new_string(mx_fw_backend_name(t)));
	json_object_object_add(o, "family", json_object_new_string(fw_family_name(t->family)));
	json_object_object_add(o, "table", json_object_new_string(t->name));
	json_object_object_add(o, "chain", json_object_new_string(c->name));
	if (!r) {
		json_object_object_add(o, "position", NULL);
		json_object_object_add(o, "handle", NULL);
		json_object_object_add(o, "rule", json_object_new_string("policy"));
		json_object_object_add(o, "verdict",
				       json_object_new_string(fw_verdict_name(c->policy)));
		return o;
	}
	json_object_object_add(o, "position", json_object_new_int(r->pos));
	json_object_object_add(o, "handle",
			       r->handle ? json_object_new_int64((int64_t)r->handle) : NULL);
	json_object_object_add(o, "rule", json_object_new_string(r->text));
	json_object_object_add(o, "verdict", json_object_new_string(fw_verdict_name(r->verdict)));
	json_object_object_add(o, "packets", json_object_new_int64((int64_t)r->packets));
	return o;
}

void mx_fw_rule_label(const struct fw_table *t, const struct fw_chain *c, const struct fw_rule *r,
		      char *buf, size_t len)
{
	char where[160];

	fw_rule_where(t, c, r, where, sizeof(where));
	if (r)
		snprintf(buf, len, "%.160s: %.230s", where, r->text);
	else
		snprintf(buf, len, "%s %s", where, fw_verdict_name(c->policy));
}

/* The iptables filter table Docker manages for this family: the one with
 * Docker's chains (with legacy and nft side by side, dockerd uses one). */
const struct fw_table *mx_fw_docker_filter(const struct fw_ruleset *rs, int family)
{
	for (int i = 0; i < rs->ntables; i++) {
		const struct fw_table *t = &rs->tables[i];

		if (t->xt && t->family == family && !strcmp(t->name, "filter") &&
		    (fw_chain_find(t, "DOCKER") || fw_chain_find(t, "DOCKER-FORWARD") ||
		     fw_chain_find(t, "DOCKER-ISOLATION-STAGE-1")))
			return t;
	}
	return NULL;
}

const struct fw_table *mx_fw_docker_nft_table(const struct fw_ruleset *rs, int family)
{
	for (int i = 0; i < rs->ntables; i++)
		if (!rs->tables[i].xt && rs->tables[i].family == family &&
		    !strcmp(rs->tables[i].name, "docker-bridges"))
			return &rs->tables[i];
	return NULL;
}
