// SPDX-License-Identifier: GPL-2.0
/* The firewall group: `mxprobe firewall`, part of `check`. Reads the packet
 * filter (nf_tables over netlink, legacy x_tables through libiptc) into the
 * model of fw_model.h and answers the questions of the seed: which backend
 * and managers are active, whether DOCKER-USER is in place, what the
 * FORWARD policy means, what happens to a new connection to each published
 * mail port (walked through every forward-hook chain, rule by rule), which
 * INPUT rules only look like they protect mailcow, and IPv6 coverage. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "check.h"
#include "fw_model.h"
#include "fw_analysis.h"

static const struct mx_check firewall_checks[] = {
    {"firewall.backend", "backend", mx_check_fw_backend, NULL, MX_CHECK_LIVE},
    {"firewall.managers", "managers", mx_check_fw_managers, NULL, MX_CHECK_LIVE},
    {"firewall.docker_user", "DOCKER-USER", mx_check_fw_docker_user, NULL, MX_CHECK_LIVE},
    {"firewall.forward_policy", "FORWARD policy", mx_check_fw_forward_policy, NULL, MX_CHECK_LIVE},
    {"firewall.published", "published ports", mx_check_fw_published, NULL, MX_CHECK_LIVE},
    {"firewall.input", "INPUT rules", mx_check_fw_input, NULL, MX_CHECK_LIVE},
    {"firewall.ipv6", "IPv6", mx_check_fw_ipv6, NULL, MX_CHECK_LIVE},
};

MX_GROUP(mx_group_firewall, "firewall", "Firewall", firewall_checks);
