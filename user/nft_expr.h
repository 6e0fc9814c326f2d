/* SPDX-License-Identifier: GPL-2.0 */
/* The decoder of one nf_tables rule's expressions into the model (internal
 * to nft_expr.c and nft_expr_match.c). Expressions load registers (payload,
 * meta, ct, immediate, bitwise masks) that later ones compare (cmp, range,
 * lookup) or use (nat); the decoder follows the registers and writes the
 * rule's text as it goes: iptables syntax in the tables of iptables-nft,
 * nft syntax elsewhere. */
#ifndef MX_NFT_EXPR_H
#define MX_NFT_EXPR_H

#include <stddef.h>
#include <stdint.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "fw_model.h"

enum nft_reg_kind { R_NONE, R_PAYLOAD, R_META, R_CT, R_IMM };

struct nft_reg {
	enum nft_reg_kind kind;
	uint32_t base, off, len; /* payload */
	uint32_t key;		 /* meta / ct key */
	int masked;
	uint8_t mask[16];
	uint8_t data[16]; /* immediate */
	uint32_t dlen;
};

struct nft_dec {
	const struct fw_table *t;
	struct fw_rule *r;
	struct nft_reg regs[32];
	char txt[384];
	int ge_pending;
	uint16_t ge_lo;
	int nfproto; /* from "meta nfproto" in inet tables */
	int l4_pending;
	size_t l4_pos;
};

/* Fills r (criteria, verdict, counters, text) from rule nr of table t. */
void nft_rule_decode(const struct fw_table *t, struct fw_rule *r, struct nftnl_rule *nr);

/* Appends a word to the rule's text, blank-separated. */
void nft_say(struct nft_dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct nft_reg *nft_reg(struct nft_dec *d, uint32_t r);
/* The rule has a criterion the model does not evaluate (what: its name). */
void nft_unknown(struct nft_dec *d, const char *what);
/* "tcp", "udp", "icmp" or NULL. */
const char *nft_proto_name(int p);

/* The expressions that match (nft_expr_match.c). */
void nft_cmp(struct nft_dec *d, struct nftnl_expr *e);
void nft_range(struct nft_dec *d, struct nftnl_expr *e);
/* Writes the pending "meta l4proto" where nft would (d->l4_pending). */
void nft_l4_insert(struct nft_dec *d);

#endif
