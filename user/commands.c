// SPDX-License-Identifier: GPL-2.0
/* The command table of ../shared/cli.md. A one-shot command that only runs
 * check groups names them; others have a function. */
#include "cli.h"
#include "dns_cmd.h"
#include "feature_probe.h"
#include "trace.h"

static const char *const g_check[] = {"config",   "system", "ports", "firewall",
				      "outbound", "dns",    NULL};
static const char *const g_ports[] = {"config", "ports", NULL};
static const char *const g_firewall[] = {"config", "firewall", NULL};
static const char *const g_outbound[] = {"outbound", NULL};
static const char *const g_system[] = {"config", "system", NULL};

const struct mx_cmd mx_commands[] = {
	{"check", "every preflight check, probes in parallel, one report", g_check, NULL, 0},
	{"system", "architecture, CPU, RAM, swap, disk, virtualization, OS, time sync", g_system,
	 NULL, 0},
	{"ports", "listeners on the mailcow ports: who holds each (pid, command, container), conflicts, Docker DNAT shadowing",
	 g_ports, NULL, 0},
	{"firewall", "firewall backend and managers, DOCKER-USER, FORWARD and INPUT analysis of the published ports",
	 g_firewall, NULL, 0},
	{"outbound", "probes every outgoing requirement (TCP/UDP/ICMP, protocol replies) in parallel",
	 g_outbound, NULL, 0},
	{"dns", "mail DNS records for DOMAIN and the mail hostname", NULL, mx_cmd_dns, 0},
	{"trace", "follows packets to a port through netfilter: hooks, rules, DNAT, where they end",
	 NULL, mx_cmd_trace, 1},
	{"features", "what this kernel offers and which mechanism each live command uses", NULL,
	 mx_cmd_features, 0},
};
const size_t mx_ncommands = sizeof(mx_commands) / sizeof(mx_commands[0]);
