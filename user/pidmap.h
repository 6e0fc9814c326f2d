/* SPDX-License-Identifier: GPL-2.0 */
/* Socket inode -> owning processes. The mechanism is the one `mxprobe
 * features` shows for "ports" (user/mechanism.c): a BPF task_file iterator
 * when the kernel has one, else a walk of /proc/PID/fd. */
#ifndef MX_PIDMAP_H
#define MX_PIDMAP_H

#include <stddef.h>
#include <linux/types.h>

struct mx_owner {
	__u64 inode;
	__u32 pid;
	char comm[16];
	__s8 reuseaddr; /* -1 = unknown (the /proc walk cannot see it) */
	__s8 reuseport;
};

struct mx_pidmap {
	struct mx_owner *v; /* sorted by inode, then pid; one entry per (inode, pid) */
	size_t n, cap;
	const char *mechanism; /* "bpf_iter task_file" or "procfs" */
};

/* Finds the owners of the sockets whose inodes are in want (n entries, any
 * order; NULL = every inet socket). Returns 0 or -errno. */
int mx_pidmap_build(struct mx_pidmap *m, const __u64 *want, size_t nwant);
/* The owners of inode: a pointer into m and their count (0 = none found). */
const struct mx_owner *mx_pidmap_find(const struct mx_pidmap *m, __u64 inode, size_t *count);
void mx_pidmap_free(struct mx_pidmap *m);

/* The mechanism the "ports" entry of user/mechanism.c picks. */
const char *mx_pidmap_mechanism(const char **why);

/* The BPF iterator in steps: open/load/attach is the costly part (kernel
 * BTF, verifier) and may run in another thread while the caller does
 * something else; run walks every task's files once. 0 or -errno. */
struct pidmap_bpf;
struct bpf_link;
struct mx_pidmap_iter {
	struct pidmap_bpf *skel;
	struct bpf_link *link;
	int err;
};
int mx_pidmap_iter_open(struct mx_pidmap_iter *it);
int mx_pidmap_iter_run(struct mx_pidmap_iter *it, struct mx_pidmap *m, const __u64 *want,
		       size_t nwant);
void mx_pidmap_iter_close(struct mx_pidmap_iter *it);

/* The two mechanisms, for tests and the benchmark: 0 or -errno. */
int mx_pidmap_build_bpf(struct mx_pidmap *m, const __u64 *want, size_t nwant);
int mx_pidmap_build_procfs(struct mx_pidmap *m, const __u64 *want, size_t nwant);

#endif
