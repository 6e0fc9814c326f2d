/* SPDX-License-Identifier: GPL-2.0 */
/* The mtu group (mxprobe mtu [HOST], part of check): mtu.path measures,
 * mtu.docker compares with the uplink, Docker's bridges and compose. */
#ifndef MX_MTU_H
#define MX_MTU_H

#include <stddef.h>

#include "check.h"
#include "cli.h"

/* Resolves HOST for `mxprobe mtu HOST` (family 0, 4 or 6) before the checks
 * run; 0, or -1 with the cause in err. */
int mx_mtu_resolve(const char *host, int family, char *err, size_t errlen);
void mx_check_mtu_path(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_mtu_docker(struct mx_ctx *ctx, struct mx_result *r);
int mx_cmd_mtu(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv);

#endif
