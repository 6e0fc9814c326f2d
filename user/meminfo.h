/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MX_MEMINFO_H
#define MX_MEMINFO_H

/* Reads one "Key:   123 kB" field of /proc/meminfo in bytes; 0 or -errno
 * (-ENOENT when the key is missing). */
int mx_meminfo(const char *key, unsigned long long *bytes);

#endif
