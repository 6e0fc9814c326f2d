/* SPDX-License-Identifier: GPL-2.0 */
/* What BPF programs need from the environment before they load. */
#ifndef MX_BPF_ENV_H
#define MX_BPF_ENV_H

/* Makes tracefs visible at /sys/kernel/tracing when the host has not mounted
 * it (minimal VMs and containers often do not): in a private mount namespace
 * of this process only, so nothing is left mounted on the host. Must run
 * before any thread starts. Returns 0, or -errno (the caller carries on: the
 * tracepoint probes then say why they fail). */
int mx_bpf_env_prepare(void);

#endif
