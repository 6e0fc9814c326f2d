// SPDX-License-Identifier: GPL-2.0
/* firewall.input: INPUT rules that look like they protect mailcow's
 * ports but never see their packets (Docker DNATs them in PREROUTING, so
 * they take FORWARD). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fw_checks.h"

struct input_findings {
	const struct mx_fw_pub *pub; /* the port walked now */
	json_object *arr;
	char *first;
	size_t flen;
	int blocks, accepts;
	const void *seen[64];
	int nseen;
};

static int input_chain(const struct fw_walk *w, void *arg)
{
	struct input_findings *f = arg;

	for (int s = 0; s < w->nsteps; s++) {
		const struct fw_step *st = &w->steps[s];
		enum fw_verdict v = st->rule ? st->rule->verdict : st->chain->policy;
		const void *key = st->rule ? (const void *)st->rule : (const void *)st->chain;
		json_object *x;
		int dup = 0;

		/* An ACCEPT policy changes nothing; a DROP policy would. */
		if (!st->rule && v != FW_V_DROP)
			continue;
		x = mx_fw_rule_json(st->table, st->chain, st->rule);
		json_object_object_add(x, "port", json_object_new_int(f->pub->hport));
		json_object_object_add(x, "published_to", json_object_new_string(f->pub->cip_str));
		json_object_array_add(f->arr, x);
		/* One rule matching several ports counts once. */
		for (int k = 0; k < f->nseen; k++)
			dup |= f->seen[k] == key;
		if (dup)
			continue;
		if (f->nseen < 64)
			f->seen[f->nseen++] = key;
		if (v == FW_V_ACCEPT) {
			f->accepts++;
			continue;
		}
		if (!f->blocks++)
			mx_fw_rule_label(st->table, st->chain, st->rule, f->first, f->flen);
	}
	return 0;
}

static int input_findings(const struct fw_ruleset *rs, const struct mx_fw_pub *pubs, int n,
			  json_object *arr, char *first, size_t flen, int *accepts)
{
	struct input_findings f = {.arr = arr, .first = first, .flen = flen};

	for (int i = 0; i < n; i++) {
		f.pub = &pubs[i];
		mx_fw_walk_hook(rs, &pubs[i], FW_HOOK_INPUT, input_chain, &f);
	}
	*accepts += f.accepts;
	return f.blocks;
}

void mx_check_fw_input(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	struct mx_fw_pub *pubs;
	json_object *arr;
	int n, blocks, accepts = 0;
	char first[400] = "";

	if (mx_fw_load_or_error(r, &rs))
		return;
	pubs = mx_fw_pubs(&rs, ctx->cfg, AF_INET, &n);
	/* Before mailcow runs (a preflight): the mail ports it will publish. */
	int planned = 0;
	if (!n && pubs) {
		for (int q = 0; q < ctx->cfg->nports && n < MX_FW_MAX_PUB; q++) {
			if (!(ctx->cfg->ports[q].proto & MX_TCP))
				continue;
			pubs[n] = (struct mx_fw_pub){.name = ctx->cfg->ports[q].name,
						     .family = AF_INET,
						     .proto = IPPROTO_TCP,
						     .hport = ctx->cfg->ports[q].port,
						     .cport = ctx->cfg->ports[q].port};
			n++;
		}
		planned = n;
	}
	mx_data_bool(r, "published_by_docker", !planned);
	arr = json_object_new_array();
	blocks = input_findings(&rs, pubs, n, arr, first, sizeof(first), &accepts);
	mx_result_data(r);
	json_object_object_add(r->data, "no_effect", arr);
	mx_data_int(r, "blocking", blocks);
	mx_data_int(r, "accepting", accepts);
	if (!n) {
		mx_result_set(r, MX_SKIP, "no mail port is published by Docker");
	} else if (planned && blocks) {
		mx_result_set(r, MX_WARN,
			      "%d INPUT rule%s match%s mail ports and will do nothing once Docker "
			      "publishes them for mailcow: %s",
			      blocks, blocks == 1 ? "" : "s", blocks == 1 ? "es" : "", first);
		mx_result_remedy(
		    r, "after installing mailcow, restrict the ports in DOCKER-USER "
		       "(iptables -I DOCKER-USER -p tcp -m conntrack --ctorigdstport PORT "
		       "-s NET -j DROP)");
	} else if (planned) {
		mx_result_set(r, MX_PASS, "no INPUT rule drops a mail port (none published yet)");
	} else if (blocks) {
		mx_result_set(r, MX_WARN,
			      "%d INPUT rule%s match%s published mail ports and do%s nothing: %s "
			      "(Docker DNATs these ports in PREROUTING, so they take FORWARD)",
			      blocks, blocks == 1 ? "" : "s", blocks == 1 ? "es" : "",
			      blocks == 1 ? "es" : "", first);
		mx_result_remedy(r, "to restrict a published port, put the rule in DOCKER-USER, "
				    "e.g. iptables -I DOCKER-USER -p tcp -m conntrack "
				    "--ctorigdstport 25 -s 203.0.113.0/24 -j DROP");
	} else {
		mx_result_set(r, MX_PASS, "no INPUT rule drops a published mail port%s",
			      accepts ? " (ACCEPT rules for them are not needed: they take FORWARD)"
				      : "");
	}
	free(pubs);
	fw_ruleset_free(&rs);
}
