// SPDX-License-Identifier: GPL-2.0
/* system.arch: seed "Architecture x86_64, ARM64". */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "sys_checks.h"
#include "sysroot.h"

/* The machine as /proc/sys/kernel/arch reports it (5.x+), else uname. */
static void machine(char *buf, size_t len)
{
	struct utsname u;

	if (mx_read_line("/proc/sys/kernel/arch", buf, len) > 0)
		return;
	if (mx_sysroot_live() && uname(&u) == 0) {
		if ((size_t)snprintf(buf, len, "%s", u.machine) < len)
			return;
	}
	buf[0] = '\0';
}

void mx_check_arch(struct mx_ctx *ctx, struct mx_result *r)
{
	char m[64];

	machine(m, sizeof(m));
	if (!m[0]) {
		mx_result_set(r, MX_ERROR, "architecture unknown (no /proc/sys/kernel/arch)");
		return;
	}
	mx_data_str(r, "machine", m);
	if (!strcmp(m, "x86_64") || !strcmp(m, "aarch64") || !strcmp(m, "arm64")) {
		mx_result_set(r, MX_PASS, "%s is supported", m);
		return;
	}
	mx_result_set(r, MX_FAIL,
		      "%s is not supported: mailcow images exist for x86_64 and ARM64 only", m);
	mx_result_remedy(r, "use an x86_64 or ARM64 (aarch64) machine");
}
