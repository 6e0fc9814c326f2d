// SPDX-License-Identifier: GPL-2.0
/* Legacy IPv4 tables (iptables-legacy) into the model: see ipt_legacy_impl.h. */
#include <net/if.h>
#include <libiptc/libiptc.h>

#define L(x) ipt4_##x
#define PFX(x) iptc_##x
#define ENTRY ipt_entry
#define IP ip
#define ALEN 4
#define AFAM AF_INET
#define FAMILY 2
#define FAMNAME "iptables-legacy"
#define INV_SRC IPT_INV_SRCIP
#define INV_DST IPT_INV_DSTIP
#define INV_IN IPT_INV_VIA_IN
#define INV_OUT IPT_INV_VIA_OUT
#define INV_PROTO XT_INV_PROTO
#define F_GOTO IPT_F_GOTO
#define FNAME fw_legacy4_load_table
#include "ipt_legacy_impl.h"
