/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MX_SYS_CHECKS_H
#define MX_SYS_CHECKS_H

#include "check.h"

void mx_check_arch(struct mx_ctx *ctx, struct mx_result *r);

#endif
