// SPDX-License-Identifier: GPL-2.0
/* The command table of ../shared/cli.md. A one-shot command that only runs
 * check groups names them; others have a function. */
#include "binds.h"
#include "cli.h"
#include "dns_cmd.h"
#include "feature_probe.h"
#include "mtu.h"
#include "trace.h"

static const char *const g_check[] = {"config", "system", "ports", "firewall", "outbound",
				      "mtu",	"ipv6",	  "dns",   NULL};
static const char *const g_ports[] = {"config", "ports", NULL};
static const char *const g_firewall[] = {"config", "firewall", NULL};
static const char *const g_outbound[] = {"outbound", NULL};
static const char *const g_ipv6[] = {"config", "ipv6", NULL};
static const char *const g_system[] = {"config", "system", NULL};

const struct mx_cmd mx_commands[] = {
    {"check", "every preflight check, probes in parallel, one report", g_check, NULL, 0},
    {"system", "architecture, CPU, RAM, swap, disk, virtualization, OS, time sync", g_system, NULL,
     0},
    {"ports",
     "listeners on the mailcow ports: who holds each (pid, command, container), conflicts, Docker "
     "DNAT shadowing",
     g_ports, NULL, 0},
    {"binds", "streams bind/listen events; failed binds with the port's current holder", NULL,
     mx_cmd_binds, 1},
    {"firewall",
     "firewall backend and managers, DOCKER-USER, FORWARD and INPUT analysis of the published "
     "ports",
     g_firewall, NULL, 0},
    {"outbound", "probes every outgoing requirement (TCP/UDP/ICMP, protocol replies) in parallel",
     g_outbound, NULL, 0},
    {"mtu", "path-MTU discovery to HOST; compares uplink, Docker bridge and compose MTU", NULL,
     mx_cmd_mtu, 0},
    {"ipv6", "IPv6 host settings: RA with forwarding, IPv6 on alias interfaces, ENABLE_IPV6",
     g_ipv6, NULL, 0},
    {"dns", "mail DNS records for DOMAIN and the mail hostname", NULL, mx_cmd_dns, 0},
    {"trace", "follows packets to a port through netfilter: hooks, rules, DNAT, where they end",
     NULL, mx_cmd_trace, 1},
    {"features", "what this kernel offers and which mechanism each live command uses", NULL,
     mx_cmd_features, 0},
};
const size_t mx_ncommands = sizeof(mx_commands) / sizeof(mx_commands[0]);
