// SPDX-License-Identifier: GPL-2.0
#include "binds_mech.h"
#include "feature_probe.h"
#include "mechanism.h"

/* ports: the pid of each socket's holder. */
static const char *choose_ports(const char **why)
{
	if (mx_feature(MX_FEAT_ITER_TASK_FILE)) {
		*why = "one in-kernel walk of every task's files";
		return "bpf_iter task_file";
	}
	*why = "no task_file iterator: walks /proc/*/fd";
	return "procfs";
}

const char *mx_choose_outbound(const char **why); /* outbound_dgram.c */

const struct mx_mechanism mx_mechanisms[] = {
	{"ports", choose_ports},
	{"outbound", mx_choose_outbound},
	{"binds", mx_binds_mechanism},
};
const size_t mx_nmechanisms = sizeof(mx_mechanisms) / sizeof(mx_mechanisms[0]);
