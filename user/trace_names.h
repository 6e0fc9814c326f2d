/* SPDX-License-Identifier: GPL-2.0 */
/* Names for what the trace records hold as numbers: drop reasons (from this
 * kernel's BTF: the enum differs between kernels), code addresses
 * (/proc/kallsyms), container addresses (Docker's API) and local sockets
 * (/proc/net/{tcp,udp}{,6} and the fds of /proc/<pid>). */
#ifndef MX_TRACE_NAMES_H
#define MX_TRACE_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* "NETFILTER_DROP", or "reason 12" when this kernel's BTF lacks it. */
const char *mx_drop_reason_name(uint32_t reason, char *buf, size_t len);
/* "nf_hook_slow+0x9c", or the hex address. */
const char *mx_ksym(uint64_t addr, char *buf, size_t len);
/* Name of the container holding address (4 or 16 bytes); 0 or -1. */
int mx_container_by_addr(int family, const uint8_t *addr, char *name, size_t len);
/* The socket a packet to addr:port from raddr:rport (ports in host byte
 * order) is for: the connection's own, else a listener (TCP) or unconnected
 * socket (UDP), exact address before wildcard:
 * "0.0.0.0:25 (master, pid 812)"; 0 or -1. */
int mx_local_socket(int family, int proto, const uint8_t *addr, uint16_t port, const uint8_t *raddr,
		    uint16_t rport, int syn, char *buf, size_t len);
void mx_trace_names_free(void);

#endif
