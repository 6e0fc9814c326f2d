/* SPDX-License-Identifier: GPL-2.0 */
/* Which programs `mxprobe binds` loads, chosen from the feature probes. The
 * command and `mxprobe features` both ask here, so they never disagree. */
#ifndef MX_BINDS_MECH_H
#define MX_BINDS_MECH_H

#include <stdbool.h>

enum mx_binds_mech {
	MX_BINDS_NONE,
	MX_BINDS_FEXIT,	     /* fexit inet_bind, inet6_bind, inet_listen */
	MX_BINDS_KPROBE,     /* kprobe + kretprobe on the same functions */
	MX_BINDS_TP_EXIT,    /* syscalls:sys_exit_{bind,listen}, arguments from the
			      * saved registers, tp_btf inet_sock_set_state gives
			      * listen's socket */
	MX_BINDS_TP_BTF,     /* syscall tracepoints + tp_btf inet_sock_set_state */
	MX_BINDS_TRACEPOINT, /* syscall tracepoints + sock:inet_sock_set_state */
};

struct mx_binds_choice {
	enum mx_binds_mech mech;
	bool ringbuf; /* else perf buffer */
	char name[128];
	char why[512]; /* what it was chosen over, or why nothing works */
};

void mx_binds_choose(struct mx_binds_choice *c);
/* For the mechanism table (user/mechanism.c). */
const char *mx_binds_mechanism(const char **why);

#endif
