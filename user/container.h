/* SPDX-License-Identifier: GPL-2.0 */
/* Which container a process runs in: its cgroup path names the container id
 * (docker-<id>.scope, /docker/<id>, libpod-<id>); Docker's API socket
 * (DOCKER_HOST=unix://..., else /var/run/docker.sock) names the container.
 * Answers are cached for the life of the process; thread-safe. */
#ifndef MX_CONTAINER_H
#define MX_CONTAINER_H

#include <stddef.h>
#include <linux/types.h>

/* Fills id (64 hex, or "" for a host process) and name ("" when the API
 * socket is absent or does not know the id). Returns 1 when pid is in a
 * container, 0 when not, -errno when /proc/PID/cgroup cannot be read. */
int mx_container_of_pid(__u32 pid, char *id, size_t idlen, char *name, size_t namelen);

/* The cgroup v2 path of pid ("/system.slice/exim4.service"); 0 or -errno. */
int mx_cgroup_of_pid(__u32 pid, char *buf, size_t len);
/* The container id in a cgroup path; 1 when found, else 0. */
int mx_container_id_of_cgroup(const char *cgroup, char *id, size_t idlen);
/* The systemd unit in a cgroup path ("exim4.service"); 1 when found, else 0. */
int mx_unit_of_cgroup(const char *cgroup, char *unit, size_t len);

/* A container that publishes a host port (Docker API "Ports"). */
struct mx_published {
	char id[65];
	char name[128];
	char image[128];
	char host_ip[46]; /* "0.0.0.0", "::", or a specific address */
	char private_ip[46];
	__u16 host_port;
	__u16 private_port;
	__u8 proto; /* IPPROTO_TCP/UDP */
};

/* Containers publishing host port `port`/proto (from the cached container
 * list). Returns the number written (<= max), 0 when none, -errno when the
 * API socket is missing (-ENOENT) or does not answer. */
int mx_docker_published(__u16 port, int proto, struct mx_published *out, int max);
/* The API request's time limit (default 5 s; --timeout of the command). */
void mx_docker_set_timeout(double seconds);
/* The API socket in use, for messages. */
const char *mx_docker_socket(void);

#endif
