// SPDX-License-Identifier: GPL-2.0
/* The system group: `mxprobe system`, part of `check`. */
#include "check.h"
#include "sys_checks.h"

static const struct mx_check system_checks[] = {
	{"system.arch", "architecture", mx_check_arch, NULL, 0},
};

MX_GROUP(mx_group_system, "system", "System", system_checks);
