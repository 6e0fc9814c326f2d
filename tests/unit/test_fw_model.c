// SPDX-License-Identifier: GPL-2.0
/* The rule model over nf_tables dumps recorded from a real dockerd
 * (tests/firewall/record-fixtures.sh): every rule must render exactly as
 * iptables-save printed it in the same run, handles must find rules, the
 * walk must end where the kernel would, and the checks must report it. */
#include <stdio.h>

#include "unit.h"
#include "fw_analysis.h"
#include "fw_model.h"

#define FX MX_FIXTURES "/firewall/"

static void load(struct fw_ruleset *rs, const char *name)
{
	static char buf[1 << 20];
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), FX "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fw_ruleset_init(rs);
	assert_int_equal(fw_nft_parse(rs, buf, n), 0);
}

/* Every "-A CHAIN ..." line of iptables-save (save) must be the text of
 * the rule at that position in the dump; returns how many were compared. */
static int render_matches(const char *dump, const char *save, int family)
{
	struct fw_ruleset rs;
	char line[1024], table[32] = "", last[64] = "", path[256];
	int pos = 0, checked = 0;
	FILE *f;

	snprintf(path, sizeof(path), FX "%s", save);
	f = fopen(path, "r");
	assert_non_null(f);
	load(&rs, dump);
	while (fgets(line, sizeof(line), f)) {
		char chain[64], *rest;
		const struct fw_chain *c;

		line[strcspn(line, "\n")] = 0;
		if (line[0] == '*') {
			snprintf(table, sizeof(table), "%.31s", line + 1);
			continue;
		}
		if (strncmp(line, "-A ", 3))
			continue;
		rest = strchr(line + 3, ' ');
		assert_non_null(rest);
		snprintf(chain, sizeof(chain), "%.*s", (int)(rest - line - 3), line + 3);
		pos = strcmp(chain, last) ? 1 : pos + 1;
		snprintf(last, sizeof(last), "%.63s", chain);
		c = fw_chain_find(fw_table_find(&rs, FW_NFT, family, table), chain);
		assert_non_null(c);
		assert_true(pos <= c->nrules);
		assert_string_equal(c->rules[pos - 1].text, rest + 1);
		checked++;
	}
	fclose(f);
	fw_ruleset_free(&rs);
	return checked;
}

static void test_render_matches_iptables_save(void **state)
{
	(void)state;
	assert_true(render_matches("docker-rules.nl", "docker-rules.iptables-save", 2) >= 30);
}

static void test_model_details(void **state)
{
	struct fw_ruleset rs;
	const struct fw_table *flt, *nat, *nat6;
	const struct fw_chain *fwd, *du;
	const struct fw_rule *r;

	(void)state;
	load(&rs, "docker-rules.nl");
	flt = fw_table_find(&rs, FW_NFT, 2, "filter");
	nat = fw_table_find(&rs, FW_NFT, 2, "nat");
	nat6 = fw_table_find(&rs, FW_NFT, 10, "nat");
	assert_non_null(flt);
	assert_non_null(nat);
	assert_null(nat6);
	assert_true(flt->xt);
	fwd = fw_chain_find(flt, "FORWARD");
	assert_non_null(fwd);
	assert_true(fwd->base);
	assert_int_equal(fwd->hook, FW_HOOK_FORWARD);
	assert_int_equal(fwd->policy, FW_V_DROP);
	assert_int_equal(fwd->rules[0].verdict, FW_V_JUMP);
	assert_string_equal(fwd->rules[0].target, "DOCKER-USER");
	du = fw_chain_find(flt, "DOCKER-USER");
	assert_int_equal(du->nrules, 4);
	/* -s 203.0.113.0/24 (a 3-byte payload load) -p tcp --dport 25 -j DROP */
	r = &du->rules[2];
	assert_int_equal(r->m.src.plen, 24);
	assert_int_equal(r->m.src.addr[0], 203);
	assert_int_equal(r->m.dport.n, 1);
	assert_int_equal(r->m.dport.lo[0], 25);
	assert_int_equal(r->verdict, FW_V_DROP);
	/* -i eth+ (a prefix compare) multiport REJECT */
	r = &du->rules[1];
	assert_string_equal(r->m.iif, "eth+");
	assert_int_equal(r->m.dport.n, 2);
	assert_int_equal(r->verdict, FW_V_REJECT);
	/* conntrack --ctorigdstport: the port before DNAT */
	r = &du->rules[0];
	assert_int_equal(r->m.ct_origdport.n, 1);
	assert_int_equal(r->m.ct_origdport.lo[0], 443);
	/* Docker's DNAT */
	r = &fw_chain_find(nat, "DOCKER")->rules[2];
	assert_int_equal(r->verdict, FW_V_DNAT);
	assert_string_equal(r->nat_to, "172.22.1.25:25");
	/* the native table: nft syntax, set lookups unknown, ranges decoded */
	r = fw_rule_by_handle(&rs, 1, "mxt_native", "forward", 5);
	assert_non_null(r);
	assert_string_equal(
	    r->text, "iifname \"eth0\" tcp dport 1000-2000 counter packets 0 bytes 0 reject");
	assert_int_equal(r->m.dport.lo[0], 1000);
	assert_int_equal(r->m.dport.hi[0], 2000);
	r = fw_rule_by_handle(&rs, 1, "mxt_native", "forward", 4);
	assert_non_null(r);
	assert_true(r->m.unknown);
	assert_string_equal(r->text, "ip6 saddr 2001:db8::/32 tcp dport @__set0 drop");
	assert_null(fw_rule_by_handle(&rs, 1, "mxt_native", "forward", 99));
	fw_ruleset_free(&rs);
}

/* IPv6 DNAT targets (tests/firewall/record-nat6-fixture.sh): an address
 * before a port in brackets, as ip6tables-save and nft write it. */
static void test_nat6_brackets(void **state)
{
	struct fw_ruleset rs;
	struct mx_config cfg;
	struct mx_fw_pub pubs[MX_FW_MAX_PUB];
	const struct fw_chain *c;
	const struct fw_rule *r;
	int n;

	(void)state;
	/* ip6tables-nft's table ip6 nat: the rules as ip6tables-save shows them */
	assert_int_equal(render_matches("nat6.nl", "nat6.ip6tables-save", 10), 3);
	load(&rs, "nat6.nl");
	c = fw_chain_find(fw_table_find(&rs, FW_NFT, 10, "nat"), "DOCKER");
	assert_non_null(c);
	assert_int_equal(c->nrules, 2);
	assert_string_equal(c->rules[0].nat_to, "[fd00::9]:993");
	assert_string_equal(c->rules[1].nat_to, "fd00::9");
	/* a native inet table */
	r = fw_rule_by_handle(&rs, 1, "mxt_nat6", "prerouting", 2);
	assert_non_null(r);
	assert_int_equal(r->verdict, FW_V_DNAT);
	assert_string_equal(r->nat_to, "[fd00::9]:993");
	assert_non_null(strstr(r->text, "dnat to [fd00::9]:993"));
	r = fw_rule_by_handle(&rs, 1, "mxt_nat6", "prerouting", 3);
	assert_non_null(r);
	assert_string_equal(r->nat_to, "fd00::9");
	r = fw_rule_by_handle(&rs, 1, "mxt_nat6", "prerouting", 4);
	assert_non_null(r);
	assert_string_equal(r->nat_to, "10.0.0.9:993");
	/* the published port reads the container's address and port back */
	mx_config_defaults(&cfg);
	n = mx_fw_published(&rs, &cfg, AF_INET6, pubs, MX_FW_MAX_PUB);
	assert_true(n >= 1);
	assert_int_equal(pubs[0].hport, 993);
	assert_string_equal(pubs[0].cip_str, "fd00::9");
	assert_int_equal(pubs[0].cport, 993);
	assert_string_equal(pubs[0].bridge, "br-mailcow");
	fw_ruleset_free(&rs);
}

static struct fw_packet pkt(uint16_t dport, uint16_t orig, const char *oif, int last_octet)
{
	struct fw_packet p = {.family = AF_INET,
			      .proto = IPPROTO_TCP,
			      .saddr_any = 1,
			      .iif_any = 1,
			      .dport = dport,
			      .orig_dport = orig};

	p.daddr[0] = 172, p.daddr[1] = 22, p.daddr[2] = 1, p.daddr[3] = (uint8_t)last_octet;
	snprintf(p.oif, sizeof(p.oif), "%s", oif);
	return p;
}

static void test_walk(void **state)
{
	struct fw_ruleset rs;
	const struct fw_table *flt;
	struct fw_walk w;
	struct fw_packet p;

	(void)state;
	load(&rs, "docker-rules.nl");
	flt = fw_table_find(&rs, FW_NFT, 2, "filter");
	/* 25: accepted by DOCKER rule 1, after a conditional drop from 203.0.113.0/24 */
	p = pkt(25, 25, "br-mailcow", 25);
	fw_walk_chain(flt, fw_chain_find(flt, "FORWARD"), &p, &w);
	assert_int_equal(w.verdict, FW_V_ACCEPT);
	assert_true(w.final >= 0);
	assert_string_equal(w.steps[w.final].chain->name, "DOCKER");
	assert_int_equal(w.steps[w.final].rule->pos, 1);
	assert_int_equal(w.steps[0].fit, FW_FIT_CONDITIONAL);
	assert_string_equal(w.steps[0].chain->name, "DOCKER-USER");
	/* 993: the eth+ REJECT is conditional on the uplink's name */
	p = pkt(993, 993, "br-mailcow", 26);
	fw_walk_chain(flt, fw_chain_find(flt, "FORWARD"), &p, &w);
	assert_int_equal(w.verdict, FW_V_ACCEPT);
	assert_int_equal(w.steps[0].fit, FW_FIT_CONDITIONAL);
	assert_int_equal(w.steps[0].rule->verdict, FW_V_REJECT);
	/* 443 DNAT'ed to 8443: --ctorigdstport 443 drops it for everyone */
	p = pkt(8443, 443, "br-mailcow", 30);
	fw_walk_chain(flt, fw_chain_find(flt, "FORWARD"), &p, &w);
	assert_int_equal(w.verdict, FW_V_DROP);
	assert_string_equal(w.steps[w.final].chain->name, "DOCKER-USER");
	assert_int_equal(w.steps[w.final].rule->pos, 1);
	/* a container port nobody published: FORWARD's policy */
	p = pkt(3306, 3306, "br-mailcow", 25);
	fw_walk_chain(flt, fw_chain_find(flt, "FORWARD"), &p, &w);
	assert_int_equal(w.verdict, FW_V_DROP);
	assert_null(w.steps[w.final].rule);
	fw_ruleset_free(&rs);
}

static void test_checks_over_dump(void **state)
{
	struct mx_config cfg;
	struct mx_result r;

	(void)state;
	mx_config_defaults(&cfg);
	mx_fw_nft_file = FX "docker-healthy.nl";
	mx_unit_run(&cfg, "firewall.published", &r);
	assert_int_equal(r.status, MX_PASS);
	assert_non_null(strstr(r.summary, "25 open"));
	assert_non_null(strstr(r.summary, "993 open"));
	mx_unit_free(&r);
	mx_unit_run(&cfg, "firewall.docker_user", &r);
	assert_int_equal(r.status, MX_PASS);
	assert_int_equal(mx_unit_int(&r, "jump_position"), 1);
	mx_unit_free(&r);

	mx_fw_nft_file = FX "docker-rules.nl";
	mx_unit_run(&cfg, "firewall.input", &r);
	assert_int_equal(r.status, MX_WARN);
	assert_int_equal(mx_unit_int(&r, "blocking"), 1);
	mx_unit_free(&r);
	mx_unit_run(&cfg, "firewall.published", &r);
	/* open, restricted by two rules (25 from 203.0.113.0/24, 993 on eth+);
	 * the native IPv6 rule with its set lookup cannot match IPv4 */
	assert_int_equal(r.status, MX_PASS);
	assert_int_equal(mx_unit_int(&r, "restricted"), 2);
	assert_int_equal(mx_unit_int(&r, "blocked"), 0);
	mx_unit_free(&r);
	mx_unit_run(&cfg, "firewall.backend", &r);
	assert_int_equal(r.status, MX_PASS);
	assert_string_equal(r.summary, "iptables-nft, nftables");
	mx_unit_free(&r);
	mx_unit_run(&cfg, "firewall.managers", &r);
	assert_int_equal(r.status, MX_PASS);
	mx_unit_free(&r);
	mx_fw_nft_file = NULL;
}

static void test_truncated_dump(void **state)
{
	struct fw_ruleset rs;
	static char buf[1 << 20];
	FILE *f = fopen(FX "docker-rules.nl", "rb");
	size_t n;

	(void)state;
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fw_ruleset_init(&rs);
	assert_int_equal(fw_nft_parse(&rs, buf, n - 7), -1);
	assert_non_null(strstr(rs.err, "truncated"));
	fw_ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render_matches_iptables_save),
	    cmocka_unit_test(test_model_details),
	    cmocka_unit_test(test_nat6_brackets),
	    cmocka_unit_test(test_walk),
	    cmocka_unit_test(test_checks_over_dump),
	    cmocka_unit_test(test_truncated_dump),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
