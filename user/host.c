// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "osrelease.h"
#include "report.h"
#include "sysroot.h"

void mx_host_read(struct mx_host *h)
{
	struct mx_osrelease osr;

	memset(h, 0, sizeof(*h));
	/* procfs rather than uname(): --sysroot bundles carry these files. */
	if (mx_read_line("/proc/sys/kernel/hostname", h->hostname, sizeof(h->hostname)) < 0 &&
	    mx_read_line("/etc/hostname", h->hostname, sizeof(h->hostname)) < 0)
		snprintf(h->hostname, sizeof(h->hostname), "unknown");
	if (mx_read_line("/proc/sys/kernel/osrelease", h->kernel, sizeof(h->kernel)) < 0)
		snprintf(h->kernel, sizeof(h->kernel), "unknown");
	if (mx_osrelease_read(&osr) == 0)
		snprintf(h->os, sizeof(h->os), "%s", osr.pretty_name[0] ? osr.pretty_name : osr.id);
	else
		snprintf(h->os, sizeof(h->os), "unknown");
}
