// SPDX-License-Identifier: GPL-2.0
/* Legacy IPv6 tables (ip6tables-legacy) into the model: see ipt_legacy_impl.h. */
#include <net/if.h>
#include <libiptc/libip6tc.h>

#define L(x) ipt6_##x
#define PFX(x) ip6tc_##x
#define ENTRY ip6t_entry
#define IP ipv6
#define ALEN 16
#define AFAM AF_INET6
#define FAMILY 10
#define FAMNAME "ip6tables-legacy"
#define INV_SRC IP6T_INV_SRCIP
#define INV_DST IP6T_INV_DSTIP
#define INV_IN IP6T_INV_VIA_IN
#define INV_OUT IP6T_INV_VIA_OUT
#define INV_PROTO XT_INV_PROTO
#define F_GOTO IP6T_F_GOTO
#define FNAME fw_legacy6_load_table
#include "ipt_legacy_impl.h"
