// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "feature_probe.h"
#include "nf_link.h"

/* bpf_attr.link_create as of 6.4. */
struct nf_link_create {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u32 pf;
	__u32 hooknum;
	__s32 priority;
	__u32 nf_flags;
	__u8 pad[96];
};

int mx_nf_link_create(int prog_fd, int pf, int hooknum, int priority)
{
	struct nf_link_create lc;
	int fd;

	memset(&lc, 0, sizeof(lc));
	lc.prog_fd = prog_fd;
	lc.attach_type = MX_BPF_NETFILTER;
	lc.pf = pf;
	lc.hooknum = hooknum;
	lc.priority = priority;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &lc, sizeof(lc));
	return fd < 0 ? -errno : fd;
}
