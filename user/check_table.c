// SPDX-License-Identifier: GPL-2.0
/* The one table of checks: every group, in report order. A group's checks
 * live in the file that implements them. */
#include "check.h"

extern const struct mx_group mx_group_config;
extern const struct mx_group mx_group_system;
extern const struct mx_group mx_group_ports;
extern const struct mx_group mx_group_firewall;
extern const struct mx_group mx_group_outbound;
extern const struct mx_group mx_group_mtu;
extern const struct mx_group mx_group_ipv6;
extern const struct mx_group mx_group_dns;

const struct mx_group *const mx_groups[] = {
    &mx_group_config,	&mx_group_system, &mx_group_ports, &mx_group_firewall,
    &mx_group_outbound, &mx_group_mtu,	  &mx_group_ipv6,  &mx_group_dns,
};
const size_t mx_ngroups = sizeof(mx_groups) / sizeof(mx_groups[0]);
