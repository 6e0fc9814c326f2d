// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "meminfo.h"
#include "sysroot.h"

int mx_meminfo(const char *key, unsigned long long *bytes)
{
	char line[256], unit[16];
	size_t klen = strlen(key);
	unsigned long long v;
	FILE *f = mx_fopen("/proc/meminfo", "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		unit[0] = '\0';
		if (sscanf(line + klen + 1, "%llu %15s", &v, unit) < 1) {
			err = -EINVAL;
			break;
		}
		/* The kernel always writes kB (KiB); a bare number is bytes. */
		*bytes = !strcmp(unit, "kB") ? v * 1024 : v;
		err = 0;
		break;
	}
	fclose(f);
	return err;
}
