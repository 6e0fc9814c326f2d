/* SPDX-License-Identifier: GPL-2.0 */
/* An in-memory model of the host's packet filter: tables -> chains -> rules,
 * each rule reduced to the criteria that matter for a mail port (protocol,
 * addresses, interfaces, ports, conntrack state) plus a readable rendering
 * and a verdict. Filled from nf_tables over netlink (nft_dump.c,
 * nft_ruleset.c, nft_expr.c: tables of iptables-nft and native nftables
 * alike) and from the legacy x_tables (ipt_legacy4.c / ipt_legacy6.c,
 * libiptc: IPT_SO_GET_ENTRIES).
 *
 * Reused by `trace` to name the rule behind an nftables trace event
 * (fw_rule_by_handle) and by `firewall` to simulate where a packet to a
 * published port ends (fw_walk).
 *
 *   struct fw_ruleset rs;
 *   fw_ruleset_init(&rs);
 *   fw_nft_load(&rs);       // live: netlink dump of every family
 *   fw_legacy_load(&rs);    // live: only tables listed in /proc/net/ip*_tables_names
 *   ... rs.tables[i].chains[j].rules[k].text ...
 *   fw_ruleset_free(&rs);
 */
#ifndef MX_FW_MODEL_H
#define MX_FW_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* Where a table lives. */
enum fw_backend {
	FW_NFT,	   /* nf_tables: iptables-nft tables and native nftables */
	FW_LEGACY, /* x_tables (iptables-legacy / ip6tables-legacy) */
};

/* nf_tables families (NFPROTO_*): 1 inet, 2 ip, 3 arp, 5 netdev, 7 bridge, 10 ip6. */
const char *fw_family_name(int family);

enum fw_verdict {
	FW_V_NONE,   /* no verdict: counter, log, mark... the walk goes on */
	FW_V_ACCEPT, /* also -j ACCEPT of a base chain */
	FW_V_DROP,
	FW_V_REJECT,
	FW_V_RETURN,
	FW_V_JUMP,
	FW_V_GOTO,
	FW_V_DNAT,
	FW_V_SNAT, /* SNAT and MASQUERADE */
	FW_V_QUEUE,
	FW_V_OTHER, /* an extension target we do not interpret (e.g. CT, MARK) */
};
const char *fw_verdict_name(enum fw_verdict v);

#define FW_MAX_PORTS 16
struct fw_ports {
	int n; /* 0: no port criterion */
	uint16_t lo[FW_MAX_PORTS], hi[FW_MAX_PORTS];
	int inv;
};

struct fw_addr {
	int set;
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	int plen; /* prefix length */
	int inv;
};

/* Conntrack state bits (XT_CONNTRACK_STATE_BIT / nft ct state). */
#define FW_CT_INVALID (1u << 0)
#define FW_CT_ESTABLISHED (1u << 1)
#define FW_CT_RELATED (1u << 2)
#define FW_CT_NEW (1u << 3)
#define FW_CT_UNTRACKED (1u << 6)

struct fw_match {
	int proto; /* IPPROTO_*, -1 = any */
	int proto_inv;
	struct fw_addr src, dst;
	char iif[16], oif[16]; /* "" = any; a trailing '+' is a prefix wildcard */
	int iif_inv, oif_inv;
	struct fw_ports sport, dport;
	struct fw_ports ct_origdport; /* -m conntrack --ctorigdstport: the port before DNAT */
	unsigned ctstate;	      /* 0 = any */
	int ctstate_inv;
	int addrtype_dst_local; /* -m addrtype --dst-type LOCAL (1), ! LOCAL (-1) */
	/* The rule has criteria the model does not evaluate (sets, marks,
	 * limits, unknown extensions): it may or may not match a given packet. */
	int unknown;
	char unknown_what[64];
	char comment[128];
};

struct fw_rule {
	int pos;	 /* 1-based position in its chain (iptables -L --line-numbers) */
	uint64_t handle; /* nf_tables rule handle; 0 for legacy */
	struct fw_match m;
	enum fw_verdict verdict;
	char target[64];       /* chain of a jump/goto, or the extension target's name */
	char nat_to[64];       /* DNAT/SNAT destination "172.22.1.2:25" */
	char target_opts[128]; /* iptables options of the target: "--reject-with tcp-reset" */
	uint64_t packets, bytes;
	char text[512]; /* "-s 203.0.113.0/24 -p tcp -m tcp --dport 25 -j DROP", or nft syntax */
};

/* Netfilter hooks (NF_INET_*). */
enum { FW_HOOK_PREROUTING, FW_HOOK_INPUT, FW_HOOK_FORWARD, FW_HOOK_OUTPUT, FW_HOOK_POSTROUTING };
const char *fw_hook_name(int hook);

struct fw_chain {
	char name[64];
	int base;		/* attached to a hook */
	int hook;		/* FW_HOOK_*, base chains only */
	int prio;		/* base chains: priority (legacy: the table's fixed priority) */
	char type[16];		/* "filter", "nat", "route" */
	enum fw_verdict policy; /* base chains: FW_V_ACCEPT or FW_V_DROP */
	uint64_t handle;
	struct fw_rule *rules;
	int nrules;
};

struct fw_table {
	enum fw_backend backend;
	int family; /* NFPROTO_*: 2 ip, 10 ip6, 1 inet, ... */
	char name[64];
	uint32_t flags; /* NFT_TABLE_F_* (dormant, owner) */
	/* An iptables table: legacy, or an nf_tables ip/ip6 table named
	 * filter/nat/mangle/raw/security (how iptables-nft keeps them). Its
	 * rules are rendered in iptables syntax, others in nft syntax. */
	int xt;
	struct fw_chain *chains;
	int nchains;
};

struct fw_ruleset {
	struct fw_table *tables;
	int ntables;
	char err[256]; /* first error met while loading, "" if none */
};

void fw_ruleset_init(struct fw_ruleset *rs);
void fw_ruleset_free(struct fw_ruleset *rs);

/* Loading. Each returns 0, or -1 with rs->err set (the model keeps what was read). */
/* Dumps tables, chains and rules of every family over netlink. */
int fw_nft_load(struct fw_ruleset *rs);
/* The same from a recorded dump: the concatenated netlink answers to the
 * table, chain and rule dumps (fw_nft_record writes such a file). */
int fw_nft_parse(struct fw_ruleset *rs, const void *buf, size_t len);
/* Live dump written raw to path (fixtures for unit tests). */
int fw_nft_record(const char *path);
/* Reads the legacy tables of the current network namespace; only those
 * listed in /proc/net/ip_tables_names and ip6_tables_names (asking for
 * another would create it). */
int fw_legacy_load(struct fw_ruleset *rs);
int fw_legacy4_load_table(struct fw_ruleset *rs, const char *table);
int fw_legacy6_load_table(struct fw_ruleset *rs, const char *table);

/* Building (used by the loaders). */
struct fw_table *fw_table_add(struct fw_ruleset *rs, enum fw_backend b, int family,
			      const char *name);
struct fw_chain *fw_chain_add(struct fw_table *t, const char *name);
struct fw_rule *fw_rule_add(struct fw_chain *c);
void fw_match_init(struct fw_match *m);
/* Renders r->text from the rule's criteria; extra (may be NULL) is text of
 * criteria the model keeps only as text, inserted before the target. */
void fw_rule_render(const struct fw_table *t, struct fw_rule *r, const char *extra);
/* Sets r->nat_to as iptables-save and nft write it: "172.22.1.25:25",
 * "[fd00::9]:993", "10.0.0.1:1000-2000", "fd00::9" (af: of ip). */
void fw_rule_nat_to(struct fw_rule *r, int af, const char *ip, int has_port, uint16_t pmin,
		    uint16_t pmax);

/* Decoders of x_tables match/target payloads, shared by legacy tables and
 * the nf_tables "match"/"target" compat expressions. They fill the
 * criteria and append iptables syntax to txt. Unknown names set m->unknown. */
void fw_xt_match(struct fw_match *m, int family, const char *name, int rev, const void *info,
		 size_t len, char *txt, size_t txtlen);
void fw_xt_target(struct fw_rule *r, int family, const char *name, int rev, const void *info,
		  size_t len, char *txt, size_t txtlen);

/* Lookups. */
struct fw_table *fw_table_find(const struct fw_ruleset *rs, enum fw_backend b, int family,
			       const char *name);
struct fw_chain *fw_chain_find(const struct fw_table *t, const char *name);
/* The rule with this nf_tables handle (trace events name rules so). */
const struct fw_rule *fw_rule_by_handle(const struct fw_ruleset *rs, int family, const char *table,
					const char *chain, uint64_t handle);

/* A packet for fw_walk: a new TCP/UDP connection as a hook sees it. */
struct fw_packet {
	int family; /* AF_INET / AF_INET6 */
	int proto;
	uint8_t saddr[16], daddr[16];
	int saddr_any; /* from anywhere: rules restricted to sources are "conditional" */
	int daddr_any; /* container address not known yet: destination criteria match */
	uint16_t dport;
	uint16_t orig_dport; /* before DNAT (conntrack --ctorigdstport) */
	int dst_local;	     /* daddr is a local address (addrtype LOCAL) */
	char iif[16], oif[16];
	int iif_any; /* arriving on any non-bridge interface */
};

/* How a rule relates to a packet. */
enum fw_fit {
	FW_FIT_NO,	    /* cannot match */
	FW_FIT_YES,	    /* matches every such packet */
	FW_FIT_CONDITIONAL, /* matches such packets from some sources/interfaces only */
	FW_FIT_UNKNOWN,	    /* depends on criteria the model does not evaluate */
};
enum fw_fit fw_rule_fit(const struct fw_rule *r, const struct fw_packet *p);

/* One rule met on a walk. */
struct fw_step {
	const struct fw_table *table;
	const struct fw_chain *chain;
	const struct fw_rule *rule; /* NULL: the chain's policy */
	enum fw_fit fit;
};

#define FW_MAX_STEPS 64
struct fw_walk {
	enum fw_verdict verdict;	    /* of the unconditional path: ACCEPT or DROP/REJECT */
	int final;			    /* index in steps of the step that decided, or -1 */
	struct fw_step steps[FW_MAX_STEPS]; /* every deciding or conditional rule met */
	int nsteps;
	int truncated;
};
/* Walks base chain c of table t (jumps followed, RETURN honoured) with
 * packet p. Records rules that fit (yes/conditional/unknown) and have a
 * verdict; the walk ends at the first FW_FIT_YES terminal verdict or the
 * policy. */
void fw_walk_chain(const struct fw_table *t, const struct fw_chain *c, const struct fw_packet *p,
		   struct fw_walk *w);

/* "-A CHAIN" position text, e.g. "filter FORWARD #1 (handle 12)". */
void fw_rule_where(const struct fw_table *t, const struct fw_chain *c, const struct fw_rule *r,
		   char *buf, size_t len);

#endif
