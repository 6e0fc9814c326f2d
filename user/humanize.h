/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MX_HUMANIZE_H
#define MX_HUMANIZE_H

#include <stddef.h>

/* "5.8 GiB", "512 MiB", "0 B": binary units, as the seed writes sizes. */
const char *mx_bytes(unsigned long long b, char *buf, size_t len);

#endif
