/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MX_DNS_CMD_H
#define MX_DNS_CMD_H

#include "cli.h"

/* `mxprobe dns [DOMAIN] [--hostname NAME]`: the "dns" check group. */
int mx_cmd_dns(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv);

#endif
