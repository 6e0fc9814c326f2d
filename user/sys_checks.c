// SPDX-License-Identifier: GPL-2.0
/* The system group: `mxprobe system`, part of `check`. */
#include "check.h"
#include "sys_checks.h"

static const struct mx_check system_checks[] = {
    {"system.arch", "architecture", mx_check_arch, NULL, 0},
    {"system.cpu", "cpu", mx_check_cpu, NULL, 0},
    {"system.memory", "memory", mx_check_memory, NULL, 0},
    {"system.swap", "swap", mx_check_swap, NULL, 0},
    {"system.disk", "disk", mx_check_disk, NULL, 0},
    {"system.virtualization", "virtualization", mx_check_virt, NULL, 0},
    {"system.os", "os", mx_check_os, NULL, 0},
    {"system.kernel", "kernel", mx_check_kernel, NULL, 0},
    {"system.time_sync", "time sync", mx_check_time_sync, NULL, 0},
    {"system.time_offset", "clock offset", mx_check_time_offset, NULL,
     MX_CHECK_LIVE | MX_CHECK_NET},
};

MX_GROUP(mx_group_system, "system", "System", system_checks);
