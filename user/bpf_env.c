// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "bpf_env.h"
#include "log.h"

int mx_bpf_env_prepare(void)
{
	static int done;

	if (done)
		return 0;
	done = 1;
	if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return 0;
	if (geteuid() != 0)
		return -EPERM;
	if (unshare(CLONE_NEWNS) < 0) {
		mx_dbg("tracefs: unshare mount namespace: %s", strerror(errno));
		return -errno;
	}
	/* Keep our mount from propagating back to the host's namespace, but
	 * keep seeing the host's new mounts (an `ip netns add` after we
	 * started is a bind mount under /run/netns): slave, not private. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) < 0) {
		mx_dbg("tracefs: mount on /sys/kernel/tracing: %s", strerror(errno));
		return -errno;
	}
	mx_dbg("tracefs: mounted in a private mount namespace");
	return 0;
}
