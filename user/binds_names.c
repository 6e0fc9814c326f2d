// SPDX-License-Identifier: GPL-2.0
/* Names for what an event only carries as numbers: the container of a task
 * (user/container.h while the task lives, else from its cgroup v2 id)
 * and the network namespace (host, an `ip netns` name). Both are cached:
 * events come in bursts from a few processes, and a /proc read per event
 * would cap the rate far below 100k events a second. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binds.h"
#include "container.h"
#include "log.h"
#include "netns_init.h"
#include "sysroot.h"

#define CACHE_SLOTS 512

struct ctr_slot {
	pid_t pid;
	uint64_t cgroup_id;
	char name[80];
};

static struct ctr_slot ctr_cache[CACHE_SLOTS];
static time_t last_refresh;

/* cgroup v2 id -> path: the id is the kernfs inode, which a file handle of
 * type FILEID_KERNFS opens directly (no walk of the cgroup tree). */
static int cgroup2_path(uint64_t id, char *buf, size_t len)
{
	static char mnt[256];
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	char link[64];
	int mfd, fd;
	ssize_t n;

	if (!mnt[0]) {
		FILE *f = mx_fopen("/proc/self/mounts", "r");
		char dev[64], dir[256], type[32];

		if (!f)
			return -1;
		while (fscanf(f, "%63s %255s %31s %*[^\n]", dev, dir, type) == 3)
			if (!strcmp(type, "cgroup2")) {
				snprintf(mnt, sizeof(mnt), "%s", dir);
				break;
			}
		fclose(f);
		if (!mnt[0])
			return -1;
	}
	mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -1;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = 0xfe; /* FILEID_KERNFS */
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
	close(mfd);
	if (fd < 0)
		return -1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

void mx_binds_container(pid_t pid, uint64_t cgroup_id, char *buf, size_t len)
{
	struct ctr_slot *s = &ctr_cache[(pid ^ (cgroup_id * 0x9e3779b97f4a7c15ULL)) % CACHE_SLOTS];
	char path[512], cid[65], name[80];
	int r;

	if (s->pid == pid && s->cgroup_id == cgroup_id) {
		snprintf(buf, len, "%s", s->name);
		return;
	}
	cid[0] = name[0] = 0;
	r = mx_container_of_pid(pid, cid, sizeof(cid), name, sizeof(name));
	/* A container the cached list does not know yet (started after it was
	 * fetched): ask the API again, at most once a second. */
	if (r > 0 && !name[0] && time(NULL) != last_refresh) {
		last_refresh = time(NULL);
		mx_docker_forget();
		r = mx_container_of_pid(pid, cid, sizeof(cid), name, sizeof(name));
	}
	/* Gone already (a server that fails to bind exits at once): the cgroup
	 * it ran in still names the container. */
	if (r < 0 && cgroup_id > 1 && !cgroup2_path(cgroup_id, path, sizeof(path)))
		r = mx_container_id_of_cgroup(path, cid, sizeof(cid));
	s->name[0] = 0;
	if (r > 0 && name[0])
		snprintf(s->name, sizeof(s->name), "%s", name);
	else if (r > 0)
		snprintf(s->name, sizeof(s->name), "%.12s", cid); /* as `docker ps` shows it */
	s->pid = pid;
	s->cgroup_id = cgroup_id;
	snprintf(buf, len, "%s", s->name);
}

/* ---- network namespaces -------------------------------------------------- */

struct ns_slot {
	uint32_t inum;
	time_t seen; /* namespace inodes are reused once a namespace is gone */
	char name[64];
};

static struct ns_slot ns_cache[64];
static unsigned ns_next;

static uint32_t ns_inode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

void mx_binds_netns_name(uint32_t inum, char *buf, size_t len)
{
	static uint32_t host;
	char path[300];
	struct dirent *d;
	unsigned i;
	DIR *dir;

	time_t now = time(NULL);

	for (i = 0; i < sizeof(ns_cache) / sizeof(ns_cache[0]); i++)
		if (ns_cache[i].inum == inum && now - ns_cache[i].seen < 10) {
			snprintf(buf, len, "%s", ns_cache[i].name);
			return;
		}
	buf[0] = 0;
	if (!host)
		host = (uint32_t)mx_init_netns_ino();
	if (inum == host) {
		snprintf(buf, len, "host");
	} else if (mx_path(path, sizeof(path), "/run/netns") && (dir = opendir(path))) {
		while ((d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			if (!mx_path(path, sizeof(path), "/run/netns/%s", d->d_name))
				continue;
			if (ns_inode(path) == inum) {
				snprintf(buf, len, "%s", d->d_name);
				break;
			}
		}
		closedir(dir);
	}
	/* Unnamed namespaces are cached too (as ""): no rescan per event. */
	i = ns_next++ % (sizeof(ns_cache) / sizeof(ns_cache[0]));
	ns_cache[i].inum = inum;
	ns_cache[i].seen = now;
	snprintf(ns_cache[i].name, sizeof(ns_cache[i].name), "%s", buf);
}
