/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MX_SYS_CHECKS_H
#define MX_SYS_CHECKS_H

#include "check.h"

void mx_check_arch(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_cpu(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_memory(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_swap(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_disk(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_virt(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_os(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_kernel(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_time_sync(struct mx_ctx *ctx, struct mx_result *r);
void mx_check_time_offset(struct mx_ctx *ctx, struct mx_result *r);

/* The "hypervisor" flag on a flags line of /proc/cpuinfo (system.cpu's parser). */
int mx_cpuinfo_hypervisor_flag(void);

/* "9.4" within "9", "24.04" above "22.04" (exposed for unit tests). */
int mx_version_cmp_prefix(const char *v, const char *bound);

struct statvfs;
struct timex;
/* Seams for unit tests: the disk and clock as a fixture wants them. */
extern int (*mx_statvfs_fn)(const char *path, struct statvfs *st);
extern int (*mx_adjtimex_fn)(struct timex *tx);

#endif
