// SPDX-License-Identifier: GPL-2.0
/* The checks of the firewall group. Each loads the ruleset (a netlink dump
 * and a few getsockopt calls: cheap, and no state shared between threads),
 * finds Docker's chains and the published mail ports, and walks packets
 * through the model. Every finding names its rules. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fw_analysis.h"
#include "sysroot.h"

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

static int load_or_error(struct mx_result *r, struct fw_ruleset *rs)
{
	if (mx_fw_load(rs) == 0)
		return 0;
	mx_result_set(r, MX_ERROR, "read the packet filter: %s", rs->err);
	if (strstr(rs->err, "ermitted"))
		mx_result_remedy(r, "run as root (needs CAP_NET_ADMIN to read netfilter rules)");
	return -1;
}

static const char *backend_name(const struct fw_table *t)
{
	if (t->backend == FW_LEGACY)
		return t->family == 10 ? "ip6tables-legacy" : "iptables-legacy";
	return t->xt ? (t->family == 10 ? "ip6tables-nft" : "iptables-nft") : "nftables";
}

json_object *mx_fw_rule_json(const struct fw_table *t, const struct fw_chain *c,
			     const struct fw_rule *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "backend", json_object_new_string(backend_name(t)));
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

/* "filter FORWARD rule 2 (-s 1.2.3.0/24 -j DROP)" for summaries. */
static void rule_label(const struct fw_table *t, const struct fw_chain *c, const struct fw_rule *r,
		       char *buf, size_t len)
{
	char where[160];

	fw_rule_where(t, c, r, where, sizeof(where));
	if (r)
		snprintf(buf, len, "%.160s: %.230s", where, r->text);
	else
		snprintf(buf, len, "%s %s", where, fw_verdict_name(c->policy));
}

static int table_has_rules(const struct fw_table *t)
{
	for (int i = 0; i < t->nchains; i++)
		if (t->chains[i].nrules ||
		    (t->chains[i].base && t->chains[i].policy != FW_V_ACCEPT))
			return 1;
	return 0;
}

/* The iptables filter table Docker manages for this family: the one with
 * Docker's chains (with legacy and nft side by side, dockerd uses one). */
static const struct fw_table *docker_filter(const struct fw_ruleset *rs, int family)
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

static const struct fw_table *docker_nft_table(const struct fw_ruleset *rs, int family)
{
	for (int i = 0; i < rs->ntables; i++)
		if (!rs->tables[i].xt && rs->tables[i].family == family &&
		    !strcmp(rs->tables[i].name, "docker-bridges"))
			return &rs->tables[i];
	return NULL;
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

static int parse_to(const char *to, int family, uint8_t *ip, uint16_t *port, char *ipstr,
		    size_t iplen)
{
	char b[64];
	char *colon;

	snprintf(b, sizeof(b), "%s", to);
	if (b[0] == '[') {
		char *end = strchr(b, ']');
		if (!end)
			return -1;
		*end = 0;
		colon = end[1] == ':' ? end + 1 : NULL;
		memmove(b, b + 1, strlen(b + 1) + 1);
	} else {
		colon = strrchr(b, ':');
		if (colon)
			*colon = 0;
	}
	if (inet_pton(family, b, ip) != 1)
		return -1;
	snprintf(ipstr, iplen, "%.46s", b);
	*port = colon ? (uint16_t)atoi(colon + 1) : 0;
	return 0;
}

int mx_fw_published(const struct fw_ruleset *rs, const struct mx_config *cfg, int family,
		    struct mx_fw_pub *out, int max)
{
	int n = 0, nf = family == AF_INET6 ? 10 : 2;

	for (int i = 0; i < rs->ntables; i++) {
		const struct fw_table *t = &rs->tables[i];

		if (!t->xt || t->family != nf || strcmp(t->name, "nat"))
			continue;
		for (int j = 0; j < t->nchains; j++) {
			const struct fw_chain *c = &t->chains[j];

			for (int k = 0; k < c->nrules; k++) {
				const struct fw_rule *r = &c->rules[k];
				struct mx_fw_pub p = {0};

				if (r->verdict != FW_V_DNAT || r->m.dport.n != 1 ||
				    r->m.dport.inv || r->m.dport.lo[0] != r->m.dport.hi[0] ||
				    !r->nat_to[0])
					continue;
				p.family = family;
				p.proto = r->m.proto >= 0 ? r->m.proto : IPPROTO_TCP;
				p.hport = r->m.dport.lo[0];
				if (parse_to(r->nat_to, family, p.cip, &p.cport, p.cip_str,
					     sizeof(p.cip_str)))
					continue;
				if (!p.cport)
					p.cport = p.hport;
				if (r->m.iif[0] && r->m.iif_inv)
					snprintf(p.bridge, sizeof(p.bridge), "%s", r->m.iif);
				for (int q = 0; q < cfg->nports; q++)
					if (cfg->ports[q].port == p.hport &&
					    (cfg->ports[q].proto & MX_TCP) &&
					    p.proto == IPPROTO_TCP)
						p.name = cfg->ports[q].name;
				if (!p.name)
					continue;
				p.known = 1;
				p.table = t;
				p.chain = c;
				p.rule = r;
				if (n < max)
					out[n++] = p;
			}
		}
	}
	return n;
}

/* ---- firewall.backend ---- */

void mx_check_fw_backend(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	json_object *tables = json_object_new_array(), *backs = json_object_new_array();
	int nft_xt = 0, legacy = 0, native = 0, docker_nft = 0;
	char sum[512] = "";

	(void)ctx;
	if (load_or_error(r, &rs)) {
		json_object_put(tables);
		json_object_put(backs);
		fw_ruleset_free(&rs);
		return;
	}
	for (int i = 0; i < rs.ntables; i++) {
		const struct fw_table *t = &rs.tables[i];
		json_object *o = json_object_new_object();
		int nr = 0;

		for (int j = 0; j < t->nchains; j++)
			nr += t->chains[j].nrules;
		json_object_object_add(o, "backend", json_object_new_string(backend_name(t)));
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
	if (load_or_error(r, &rs)) {
		fw_ruleset_free(&rs);
		return;
	}
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
	df = docker_filter(&rs, 2);
	if (df)
		docker = fw_chain_find(df, "DOCKER-FORWARD") ? "28+" : "20.10";
	else if (docker_nft_table(&rs, 2))
		docker = "nftables";
	json_object_object_add(mgr, "ufw", json_object_new_boolean(ufw));
	json_object_object_add(mgr, "firewalld", json_object_new_boolean(firewalld));
	json_object_object_add(mgr, "csf", json_object_new_boolean(csf));
	json_object_object_add(mgr, "docker", docker ? json_object_new_string(docker) : NULL);
	if (df)
		json_object_object_add(mgr, "docker_backend",
				       json_object_new_string(backend_name(df)));
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
	    df ? backend_name(df) : "");
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

/* ---- firewall.docker_user ---- */

/* The DOCKER-USER analysis of one family; returns the status. */
static enum mx_status docker_user(const struct fw_ruleset *rs, int family, struct mx_result *r,
				  json_object *o, char *sum, size_t len, char *rem, size_t rlen)
{
	const struct fw_table *t = docker_filter(rs, family);
	const struct fw_chain *fwd, *du;
	const char *ipt = family == 10 ? "ip6tables" : "iptables";
	int jump = 0, first = 0, real = 0;

	(void)r;
	if (!t) {
		snprintf(sum, len, "no Docker chains in %s",
			 family == 10 ? "ip6tables" : "iptables");
		json_object_object_add(o, "docker", json_object_new_boolean(0));
		return MX_SKIP;
	}
	json_object_object_add(o, "docker", json_object_new_boolean(1));
	json_object_object_add(o, "backend", json_object_new_string(backend_name(t)));
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
			 backend_name(t));
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
	if (load_or_error(r, &rs)) {
		fw_ruleset_free(&rs);
		return;
	}
	o = mx_result_data(r);
	st = docker_user(&rs, 2, r, o, sum, sizeof(sum), rem, sizeof(rem));
	if (st == MX_SKIP && docker_nft_table(&rs, 2)) {
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

/* ---- forward-hook chains ---- */

struct hook_chain {
	const struct fw_table *t;
	const struct fw_chain *c;
};

static int cmp_prio(const void *a, const void *b)
{
	const struct hook_chain *x = a, *y = b;

	return (x->c->prio > y->c->prio) - (x->c->prio < y->c->prio);
}

/* Filter base chains at hook of every table that sees family's packets. */
static int hook_chains(const struct fw_ruleset *rs, int family, int hook, struct hook_chain *out,
		       int max)
{
	int n = 0;

	for (int i = 0; i < rs->ntables; i++) {
		const struct fw_table *t = &rs->tables[i];

		if (t->family != family && t->family != 1)
			continue;
		if (t->flags & 1) /* NFT_TABLE_F_DORMANT */
			continue;
		for (int j = 0; j < t->nchains; j++) {
			const struct fw_chain *c = &t->chains[j];

			if (c->base && c->hook == hook && !strcmp(c->type, "filter") && n < max)
				out[n++] = (struct hook_chain){t, c};
		}
	}
	qsort(out, (size_t)n, sizeof(*out), cmp_prio);
	return n;
}

void mx_check_fw_forward_policy(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	struct hook_chain hc[32];
	json_object *arr;
	const struct fw_table *df;
	const struct fw_chain *fwd = NULL;
	int n, drops = 0;

	(void)ctx;
	if (load_or_error(r, &rs)) {
		fw_ruleset_free(&rs);
		return;
	}
	arr = json_object_new_array();
	n = hook_chains(&rs, 2, FW_HOOK_FORWARD, hc, 32);
	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "backend", json_object_new_string(backend_name(hc[i].t)));
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
	df = docker_filter(&rs, 2);
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

/* ---- firewall.published: a new connection to each published port ---- */

static void from_text(const struct fw_rule *x, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	buf[0] = 0;
	if (x->m.src.set && x->m.src.plen) {
		inet_ntop(x->m.src.family, x->m.src.addr, ip, sizeof(ip));
		snprintf(buf, len, "%s%s/%d", x->m.src.inv ? "everywhere except " : "", ip,
			 x->m.src.plen);
	}
	if (x->m.iif[0])
		snprintf(buf + strlen(buf), len - strlen(buf), "%sarriving %son %s",
			 buf[0] ? ", " : "", x->m.iif_inv ? "not " : "", x->m.iif);
	if (x->m.sport.n)
		snprintf(buf + strlen(buf), len - strlen(buf), "%ssome source ports",
			 buf[0] ? ", " : "");
	if (x->m.unknown)
		snprintf(buf + strlen(buf), len - strlen(buf), "%swhen %s matches",
			 buf[0] ? ", " : "", x->m.unknown_what);
	if (!buf[0])
		snprintf(buf, len, "everywhere");
}

static void pub_packet(const struct mx_fw_pub *p, struct fw_packet *pk, int forward)
{
	memset(pk, 0, sizeof(*pk));
	pk->family = p->family;
	pk->proto = p->proto;
	pk->saddr_any = 1;
	pk->iif_any = 1;
	if (forward) {
		memcpy(pk->daddr, p->cip, 16);
		pk->dport = p->cport;
		pk->orig_dport = p->hport;
		snprintf(pk->oif, sizeof(pk->oif), "%s", p->bridge);
		pk->daddr_any = !p->known;
	} else {
		pk->dport = p->hport;
		pk->dst_local = 1;
		pk->daddr_any = 1;
	}
}

/* Walks every chain at hook for one port; adds findings to o. Returns the
 * verdict for a client from anywhere. */
static enum fw_verdict walk_port(const struct fw_ruleset *rs, const struct mx_fw_pub *p, int hook,
				 json_object *o, json_object *restricted, char *decided,
				 size_t dlen)
{
	struct hook_chain hc[32];
	int n = hook_chains(rs, p->family == AF_INET6 ? 10 : 2, hook, hc, 32);
	enum fw_verdict v = FW_V_ACCEPT;
	struct fw_packet pk;

	pub_packet(p, &pk, hook == FW_HOOK_FORWARD);
	decided[0] = 0;
	for (int i = 0; i < n; i++) {
		struct fw_walk *w = malloc(sizeof(*w));

		if (!w)
			break;
		fw_walk_chain(hc[i].t, hc[i].c, &pk, w);
		for (int s = 0; s < w->nsteps; s++) {
			const struct fw_step *st = &w->steps[s];
			char from[160];
			json_object *x;

			if (st->fit == FW_FIT_YES || !st->rule)
				continue;
			x = mx_fw_rule_json(st->table, st->chain, st->rule);
			from_text(st->rule, from, sizeof(from));
			json_object_object_add(x, "from", json_object_new_string(from));
			json_object_object_add(x, "evaluated",
					       json_object_new_boolean(st->fit != FW_FIT_UNKNOWN));
			json_object_array_add(restricted, x);
		}
		if (w->final >= 0 && v == FW_V_ACCEPT) {
			const struct fw_step *st = &w->steps[w->final];

			json_object_object_add(o, "decided_by",
					       mx_fw_rule_json(st->table, st->chain, st->rule));
			rule_label(st->table, st->chain, st->rule, decided, dlen);
			v = w->verdict;
		}
		free(w);
		if (v != FW_V_ACCEPT)
			break; /* dropped: later chains never see it */
	}
	return v;
}

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

	if (load_or_error(r, &rs)) {
		fw_ruleset_free(&rs);
		return;
	}
	pubs = calloc(MX_FW_MAX_PUB, sizeof(*pubs));
	n = pubs ? mx_fw_published(&rs, ctx->cfg, AF_INET, pubs, MX_FW_MAX_PUB) : 0;
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
		v = walk_port(&rs, &pubs[i], FW_HOOK_FORWARD, o, rest, decided, sizeof(decided));
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

/* ---- firewall.input: rules that look like they protect mailcow ---- */

static int input_findings(const struct fw_ruleset *rs, const struct mx_fw_pub *pubs, int n,
			  json_object *arr, char *first, size_t flen, int *accepts)
{
	const void *seen[64];
	int blocks = 0, nseen = 0;

	for (int i = 0; i < n; i++) {
		struct hook_chain hc[32];
		int nh =
		    hook_chains(rs, pubs[i].family == AF_INET6 ? 10 : 2, FW_HOOK_INPUT, hc, 32);
		struct fw_packet pk;

		pub_packet(&pubs[i], &pk, 0);
		for (int j = 0; j < nh; j++) {
			struct fw_walk *w = malloc(sizeof(*w));

			if (!w)
				break;
			fw_walk_chain(hc[j].t, hc[j].c, &pk, w);
			for (int s = 0; s < w->nsteps; s++) {
				const struct fw_step *st = &w->steps[s];
				enum fw_verdict v =
				    st->rule ? st->rule->verdict : st->chain->policy;
				json_object *x;

				/* An ACCEPT policy changes nothing; a DROP policy would. */
				if (!st->rule && v != FW_V_DROP)
					continue;
				x = mx_fw_rule_json(st->table, st->chain, st->rule);
				json_object_object_add(x, "port",
						       json_object_new_int(pubs[i].hport));
				json_object_object_add(x, "published_to",
						       json_object_new_string(pubs[i].cip_str));
				json_object_array_add(arr, x);
				/* One rule matching several ports counts once. */
				int dup = 0;
				for (int k = 0; k < nseen; k++)
					dup |= seen[k] == (st->rule ? (const void *)st->rule
								    : (const void *)st->chain);
				if (dup)
					continue;
				if (nseen < 64)
					seen[nseen++] = st->rule ? (const void *)st->rule
								 : (const void *)st->chain;
				if (v == FW_V_ACCEPT) {
					(*accepts)++;
					continue;
				}
				if (!blocks++)
					rule_label(st->table, st->chain, st->rule, first, flen);
			}
			free(w);
		}
	}
	return blocks;
}

void mx_check_fw_input(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	struct mx_fw_pub *pubs;
	json_object *arr;
	int n, blocks, accepts = 0;
	char first[400] = "";

	if (load_or_error(r, &rs)) {
		fw_ruleset_free(&rs);
		return;
	}
	pubs = calloc(MX_FW_MAX_PUB, sizeof(*pubs));
	n = pubs ? mx_fw_published(&rs, ctx->cfg, AF_INET, pubs, MX_FW_MAX_PUB) : 0;
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

/* ---- firewall.ipv6 ---- */

void mx_check_fw_ipv6(struct mx_ctx *ctx, struct mx_result *r)
{
	struct fw_ruleset rs;
	struct mx_fw_pub *p4, *p6;
	const struct fw_table *d6;
	int enabled = ctx->cfg->mc.enable_ipv6, n4, n6;

	if (load_or_error(r, &rs)) {
		fw_ruleset_free(&rs);
		return;
	}
	d6 = docker_filter(&rs, 10);
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
	p4 = calloc(MX_FW_MAX_PUB, sizeof(*p4));
	p6 = calloc(MX_FW_MAX_PUB, sizeof(*p6));
	n4 = p4 ? mx_fw_published(&rs, ctx->cfg, AF_INET, p4, MX_FW_MAX_PUB) : 0;
	n6 = p6 ? mx_fw_published(&rs, ctx->cfg, AF_INET6, p6, MX_FW_MAX_PUB) : 0;
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
			enum fw_verdict v = walk_port(&rs, &p6[i], FW_HOOK_FORWARD, o, rest,
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

			walk_port(&rs, &p4[i], FW_HOOK_FORWARD, o, rest, decided, sizeof(decided));
			v4rules += (int)json_object_array_length(rest);
			json_object_put(o);
			json_object_put(rest);
		}
		json_object *du6 = json_object_new_object();
		char dsum[512], drem[512] = "";
		enum mx_status dst =
		    docker_user(&rs, 10, r, du6, dsum, sizeof(dsum), drem, sizeof(drem));

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
