/* SPDX-License-Identifier: GPL-2.0 */
/* The checks of group "dns" (dns_group.c lists them). */
#ifndef MX_DNS_CHECKS_H
#define MX_DNS_CHECKS_H

#include "check.h"
#include "cli.h"
#include "dns_env.h"

void mx_dns_check_domain(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_host_address(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_mx(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_ptr4(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_ptr6(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_spf(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_dmarc(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_dkim(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_wildcard_spf(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_autodiscover(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_autoconfig(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_autodiscover_srv(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_mta_sts(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_tlsrpt(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_tlsa(struct mx_ctx *ctx, struct mx_result *r);
void mx_dns_check_caa(struct mx_ctx *ctx, struct mx_result *r);

#endif
