// SPDX-License-Identifier: GPL-2.0
/* Who holds the port a bind failed on. Sockets belong to a network
 * namespace, so the lookup (mx_find_holders(), user/holders.h: sock_diag and
 * the pid mapping) runs in a short-lived thread that first joins the
 * namespace of the event, never in ours when the event came from another:
 * setns(CLONE_NEWNET) changes only the calling thread. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binds.h"
#include "container.h"
#include "holders.h"
#include "log.h"
#include "sysroot.h"

uint32_t mx_binds_self_netns(void)
{
	struct stat st;

	/* thread-self: the namespace of this thread, which -N may have set. */
	if (stat("/proc/thread-self/ns/net", &st) < 0 && stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return (uint32_t)st.st_ino;
}

/* Opens a handle on network namespace inum: through the event's process
 * while it lives, else any `ip netns` mount or process still in it. The
 * inode is checked every time: the pid may have been reused. */
static int open_netns(const struct mx_bind_event *e)
{
	char path[300];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd, i;
	const char *dirs[] = {"/run/netns", "/proc"};

	snprintf(path, sizeof(path), "/proc/%u/task/%u/ns/net", e->pid, e->tid);
	for (i = 0; i < 2; i++) {
		fd = mx_open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_ino == e->netns)
			return fd;
		if (fd >= 0)
			close(fd);
		snprintf(path, sizeof(path), "/proc/%u/ns/net", e->pid);
	}
	for (i = 0; i < 2; i++) {
		dir = opendir(dirs[i]);
		if (!dir)
			continue;
		while ((d = readdir(dir))) {
			if (d->d_name[0] == '.' ||
			    (i == 1 && (d->d_name[0] < '1' || d->d_name[0] > '9')))
				continue;
			snprintf(path, sizeof(path), i ? "/proc/%s/ns/net" : "/run/netns/%s",
				 d->d_name);
			if (stat(path, &st) < 0 || st.st_ino != e->netns)
				continue;
			fd = mx_open(path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				closedir(dir);
				return fd;
			}
		}
		closedir(dir);
	}
	return -1;
}

struct lookup {
	const struct mx_bind_event *e;
	struct mx_binds_extra *x;
	int nsfd;
	int n;
};

/* docker-proxy holds a published port for a container: which one. */
static void publisher(const struct mx_holder *h, struct mx_binds_holder *o)
{
	struct mx_published p[8];
	int n, i;

	if (strcmp(o->comm, "docker-proxy"))
		return;
	n = mx_docker_published(h->port, h->proto, p, 8);
	for (i = 0; i < n; i++) {
		/* "0.0.0.0" in the API stands for both wildcards. */
		bool wild = !strcmp(p[i].host_ip, "0.0.0.0") || !strcmp(p[i].host_ip, "::");

		if (!strcmp(p[i].host_ip, h->addr) ||
		    (wild && (!strcmp(h->addr, "0.0.0.0") || !strcmp(h->addr, "::")))) {
			snprintf(o->publishes, sizeof(o->publishes), "%s",
				 p[i].name[0] ? p[i].name : p[i].id);
			return;
		}
	}
}

static void holder_from(const struct mx_holder *h, struct mx_binds_holder *o)
{
	o->pid = h->pid;
	snprintf(o->comm, sizeof(o->comm), "%.*s", (int)sizeof(h->comm), h->comm);
	if (h->container_name[0])
		snprintf(o->container, sizeof(o->container), "%s", h->container_name);
	else if (h->container_id[0])
		snprintf(o->container, sizeof(o->container), "%.12s", h->container_id);
	snprintf(o->addr, sizeof(o->addr), "%s", h->addr);
	o->port = h->port;
	publisher(h, o);
}

static int find_here(const struct mx_bind_event *e, struct mx_binds_extra *x)
{
	struct mx_holder h[MX_BINDS_MAX_HOLDERS];
	char addr[INET6_ADDRSTRLEN];
	int n, i;

	mx_binds_addr_str(e, addr, sizeof(addr));
	n = mx_find_holders(e->sa_family == AF_INET6 ? AF_INET6 : AF_INET, e->proto, addr, e->port,
			    h, MX_BINDS_MAX_HOLDERS);
	if (n < 0) {
		snprintf(x->holder_err, sizeof(x->holder_err), "socket lookup: %s", strerror(-n));
		return -1;
	}
	for (i = 0; i < n && i < MX_BINDS_MAX_HOLDERS; i++)
		holder_from(&h[i], &x->holders[i]);
	return i;
}

static void *lookup_thread(void *arg)
{
	struct lookup *l = arg;

	if (l->nsfd >= 0 && setns(l->nsfd, CLONE_NEWNET) < 0) {
		snprintf(l->x->holder_err, sizeof(l->x->holder_err), "enter netns %u: %s",
			 l->e->netns, strerror(errno));
		l->n = -1;
		return NULL;
	}
	l->n = find_here(l->e, l->x);
	return NULL;
}

/* A restart loop that fails to bind every few milliseconds must not turn
 * into a sock_diag dump per event: answers are reused for a second. */
struct cached {
	uint32_t netns;
	uint16_t port, proto, family;
	uint8_t addr[16];
	struct timespec at;
	int n;
	struct mx_binds_holder h[MX_BINDS_MAX_HOLDERS];
	char err[96];
};

static struct cached cache[16];
static unsigned cache_next;

static bool same_query(const struct cached *c, const struct mx_bind_event *e)
{
	return c->netns == e->netns && c->port == e->port && c->proto == e->proto &&
	       c->family == e->sa_family && !memcmp(c->addr, e->addr, 16);
}

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

int mx_binds_find_holders(const struct mx_bind_event *e, struct mx_binds_extra *x)
{
	struct lookup l = {.e = e, .x = x, .nsfd = -1, .n = -1};
	struct cached *c;
	pthread_t t;
	unsigned i;
	int err;

	for (i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
		c = &cache[i];
		if (c->at.tv_sec && same_query(c, e) && since(&c->at) < 0.02) {
			x->nholders = c->n;
			memcpy(x->holders, c->h, sizeof(c->h));
			snprintf(x->holder_err, sizeof(x->holder_err), "%s", c->err);
			return c->n;
		}
	}
	if (e->netns != mx_binds_self_netns()) {
		l.nsfd = open_netns(e);
		if (l.nsfd < 0) {
			snprintf(x->holder_err, sizeof(x->holder_err),
				 "network namespace %u is gone", e->netns);
			goto out;
		}
	}
	err = pthread_create(&t, NULL, lookup_thread, &l);
	if (err) {
		snprintf(x->holder_err, sizeof(x->holder_err), "start lookup thread: %s",
			 strerror(err));
	} else {
		pthread_join(t, NULL);
	}
	if (l.nsfd >= 0)
		close(l.nsfd);
out:
	x->nholders = l.n;
	c = &cache[cache_next++ % (sizeof(cache) / sizeof(cache[0]))];
	c->netns = e->netns;
	c->port = e->port;
	c->proto = e->proto;
	c->family = e->sa_family;
	memcpy(c->addr, e->addr, 16);
	clock_gettime(CLOCK_MONOTONIC, &c->at);
	c->n = l.n;
	memcpy(c->h, x->holders, sizeof(c->h));
	snprintf(c->err, sizeof(c->err), "%s", x->holder_err);
	return l.n;
}
