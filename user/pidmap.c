// SPDX-License-Identifier: GPL-2.0
/* Socket inode -> processes: bpf/pidmap.bpf.c's task_file iterator, or the
 * /proc/PID/fd walk that ss does, when the kernel has no such iterator. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "log.h"
#include "mechanism.h"
#include "pidmap.h"
#include "pidmap_event.h"
#include "pidmap.skel.h"
#include "sysroot.h"

#define MECH_BPF "bpf_iter task_file"

const char *mx_pidmap_mechanism(const char **why)
{
	const char *dummy;
	size_t i;

	if (!why)
		why = &dummy;
	for (i = 0; i < mx_nmechanisms; i++)
		if (!strcmp(mx_mechanisms[i].command, "ports"))
			return mx_mechanisms[i].choose(why);
	*why = "no mechanism entry for ports";
	return "procfs";
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct mx_owner *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* A sorted copy of want, for bsearch; NULL want stays NULL. */
static int sorted_want(const __u64 *want, size_t n, __u64 **out)
{
	*out = NULL;
	if (!want)
		return 0;
	*out = malloc((n ? n : 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	memcpy(*out, want, n * sizeof(**out));
	qsort(*out, n, sizeof(**out), cmp_u64);
	return 0;
}

static int wanted(const __u64 *want, size_t n, __u64 ino)
{
	return !want || bsearch(&ino, want, n, sizeof(*want), cmp_u64);
}

static struct mx_owner *add(struct mx_pidmap *m)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct mx_owner *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		m->v = v;
		m->cap = cap;
	}
	memset(&m->v[m->n], 0, sizeof(m->v[0]));
	return &m->v[m->n++];
}

/* Sorts and drops repeats: a process holding one socket in several fds
 * (dup, inherited across exec) is one owner. */
static void finish(struct mx_pidmap *m)
{
	size_t i, j = 0;

	if (!m->n)
		return;
	qsort(m->v, m->n, sizeof(m->v[0]), cmp_owner);
	for (i = 1; i < m->n; i++)
		if (cmp_owner(&m->v[i], &m->v[j]))
			m->v[++j] = m->v[i];
	m->n = j + 1;
}

int mx_pidmap_iter_open(struct mx_pidmap_iter *it)
{
	int err;

	memset(it, 0, sizeof(*it));
	it->skel = pidmap_bpf__open();
	if (!it->skel) {
		err = -errno;
		mx_dbg("ports: open pidmap iterator: %s", strerror(-err));
		return it->err = err;
	}
	err = pidmap_bpf__load(it->skel);
	if (err) {
		mx_dbg("ports: load pidmap iterator: %s", strerror(-err));
		goto fail;
	}
	it->link = bpf_program__attach_iter(it->skel->progs.pidmap, NULL);
	if (!it->link) {
		err = -errno;
		mx_dbg("ports: attach pidmap iterator: %s", strerror(-err));
		goto fail;
	}
	return 0;
fail:
	mx_pidmap_iter_close(it);
	return it->err = err;
}

void mx_pidmap_iter_close(struct mx_pidmap_iter *it)
{
	bpf_link__destroy(it->link);
	pidmap_bpf__destroy(it->skel);
	it->link = NULL;
	it->skel = NULL;
}

/* The whole iterator output: fixed-size records, read until EOF. */
static int read_all(int fd, char **out, size_t *outlen)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		len += n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int mx_pidmap_iter_run(struct mx_pidmap_iter *it, struct mx_pidmap *m, const __u64 *want,
		       size_t nwant)
{
	__u64 *w = NULL;
	char *buf = NULL;
	size_t len = 0, i;
	int fd = -1, err;

	memset(m, 0, sizeof(*m));
	m->mechanism = MECH_BPF;
	if (!it->link)
		return it->err ? it->err : -EINVAL;
	err = sorted_want(want, nwant, &w);
	if (err)
		return err;
	fd = bpf_iter_create(bpf_link__fd(it->link));
	if (fd < 0) {
		err = -errno;
		mx_dbg("ports: create pidmap iterator: %s", strerror(-err));
		goto cleanup;
	}
	err = read_all(fd, &buf, &len);
	if (err)
		goto cleanup;
	if (len % sizeof(struct mx_pidmap_rec)) {
		err = -EBADMSG;
		goto cleanup;
	}
	for (i = 0; i < len; i += sizeof(struct mx_pidmap_rec)) {
		struct mx_pidmap_rec rec;
		struct mx_owner *o;

		memcpy(&rec, buf + i, sizeof(rec));
		if (!wanted(w, nwant, rec.inode))
			continue;
		o = add(m);
		if (!o) {
			err = -ENOMEM;
			goto cleanup;
		}
		o->inode = rec.inode;
		o->pid = rec.tgid;
		memcpy(o->comm, rec.comm, sizeof(o->comm));
		o->comm[sizeof(o->comm) - 1] = '\0';
		o->reuseaddr = rec.reuse != 0;
		o->reuseport = rec.reuseport != 0;
	}
	finish(m);
	err = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(w);
	if (err) {
		free(m->v);
		m->v = NULL;
		m->n = m->cap = 0;
	}
	return err;
}

int mx_pidmap_build_bpf(struct mx_pidmap *m, const __u64 *want, size_t nwant)
{
	struct mx_pidmap_iter it;
	int err;

	memset(m, 0, sizeof(*m));
	m->mechanism = MECH_BPF;
	err = mx_pidmap_iter_open(&it);
	if (err)
		return err;
	err = mx_pidmap_iter_run(&it, m, want, nwant);
	mx_pidmap_iter_close(&it);
	return err;
}

/* "socket:[12345]" -> 12345 */
static int socket_inode(const char *link, __u64 *ino)
{
	char *end;

	if (strncmp(link, "socket:[", 8))
		return 0;
	*ino = strtoull(link + 8, &end, 10);
	return *end == ']';
}

static void read_comm(int piddir, char *comm, size_t len)
{
	ssize_t n;
	int fd = openat(piddir, "comm", O_RDONLY | O_CLOEXEC);

	comm[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, comm, len - 1);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

/* One process: every /proc/PID/fd entry whose link is a wanted socket. */
static int walk_pid(struct mx_pidmap *m, int procfd, const char *pid, const __u64 *w, size_t nw)
{
	char link[64], comm[16] = "";
	struct dirent *de;
	int piddir, fddir, got_comm = 0, err = 0;
	DIR *d;

	piddir = openat(procfd, pid, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir < 0)
		return 0; /* exited meanwhile */
	fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir < 0)
		goto out; /* exited, or a kernel thread we may not read */
	d = fdopendir(fddir);
	if (!d) {
		close(fddir);
		goto out;
	}
	while ((de = readdir(d))) {
		struct mx_owner *o;
		__u64 ino;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(fddir, de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!socket_inode(link, &ino) || !wanted(w, nw, ino))
			continue;
		if (!got_comm) {
			read_comm(piddir, comm, sizeof(comm));
			got_comm = 1;
		}
		o = add(m);
		if (!o) {
			err = -ENOMEM;
			break;
		}
		o->inode = ino;
		o->pid = (__u32)strtoul(pid, NULL, 10);
		memcpy(o->comm, comm, sizeof(o->comm));
		o->reuseaddr = o->reuseport = -1;
	}
	closedir(d);
out:
	close(piddir);
	return err;
}

int mx_pidmap_build_procfs(struct mx_pidmap *m, const __u64 *want, size_t nwant)
{
	char path[4096];
	struct dirent *de;
	__u64 *w = NULL;
	int procfd, err;
	DIR *d;

	memset(m, 0, sizeof(*m));
	m->mechanism = "procfs";
	if (!mx_path(path, sizeof(path), "/proc"))
		return -ENAMETOOLONG;
	err = sorted_want(want, nwant, &w);
	if (err)
		return err;
	d = opendir(path);
	if (!d) {
		err = -errno;
		free(w);
		return err;
	}
	procfd = dirfd(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		err = walk_pid(m, procfd, de->d_name, w, nwant);
		if (err)
			break;
	}
	closedir(d);
	free(w);
	if (err) {
		mx_pidmap_free(m);
		return err;
	}
	finish(m);
	return 0;
}

int mx_pidmap_build(struct mx_pidmap *m, const __u64 *want, size_t nwant)
{
	const char *why, *force = getenv("MXPROBE_PIDMAP");
	int err;

	if (want && !nwant) {
		memset(m, 0, sizeof(*m));
		m->mechanism = "none needed";
		return 0;
	}
	/* Tests and the benchmark exercise both mechanisms on one kernel. */
	if (force && !strcmp(force, "procfs"))
		return mx_pidmap_build_procfs(m, want, nwant);
	if (force && !strcmp(force, "bpf"))
		return mx_pidmap_build_bpf(m, want, nwant);
	if (mx_sysroot_live() && !strcmp(mx_pidmap_mechanism(&why), MECH_BPF)) {
		err = mx_pidmap_build_bpf(m, want, nwant);
		if (!err)
			return 0;
		mx_info("ports: task_file iterator failed (%s): walking /proc instead",
			strerror(-err));
	}
	return mx_pidmap_build_procfs(m, want, nwant);
}

const struct mx_owner *mx_pidmap_find(const struct mx_pidmap *m, __u64 inode, size_t *count)
{
	size_t lo = 0, hi = m->n, first;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < m->n && m->v[lo].inode == inode)
		lo++;
	*count = lo - first;
	return *count ? &m->v[first] : NULL;
}

void mx_pidmap_free(struct mx_pidmap *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}
