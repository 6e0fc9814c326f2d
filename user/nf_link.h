/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF netfilter link (kernel 6.4+). libbpf 1.1 has no attach helper and
 * Debian 12's uapi header lacks bpf_attr.link_create's netfilter members, so
 * the link is created with the bpf() syscall here, for the feature probe and
 * for `trace` alike. */
#ifndef MX_NF_LINK_H
#define MX_NF_LINK_H

/* Links prog_fd at hook `hooknum` of protocol family `pf` with `priority`.
 * Returns the link's fd (the link lives as long as it), or -errno. */
int mx_nf_link_create(int prog_fd, int pf, int hooknum, int priority);

#endif
