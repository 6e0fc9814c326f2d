/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MX_NETNS_INIT_H
#define MX_NETNS_INIT_H

#include <stdint.h>

/* Inode of the host's (initial) network namespace, or 0 when unknown.
 * PID 1's link first; kernel threads (kthreadd, PID 2) live there too and stay
 * readable where a sandboxed PID 1 is not. Looked up once. */
uint64_t mx_init_netns_ino(void);
/* Inode of /proc/PID/ns/net (pid as text), or 0. */
uint64_t mx_netns_ino_of(const char *pid);

#endif
