/* SPDX-License-Identifier: GPL-2.0 */
/* `mxprobe binds`: the pieces user/binds.c puts together. */
#ifndef MX_BINDS_H
#define MX_BINDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "binds_event.h"

struct mx_opts;
struct mx_config;

#define MX_BINDS_MAX_HOLDERS 8

/* Who holds the port a bind failed on, as printed with the event. */
struct mx_binds_holder {
	pid_t pid; /* 0 when no process was found for the socket */
	char comm[32];
	char container[80];
	char publishes[80]; /* docker-proxy: the container it publishes the port for */
	char addr[64];	    /* the holder's bound address */
	uint16_t port;
};

/* What userspace adds to an event before printing it. */
struct mx_binds_extra {
	char container[80];  /* container name or short id, "" for none */
	char netns_name[64]; /* "host", an `ip netns` name, or "" */
	struct mx_binds_holder holders[MX_BINDS_MAX_HOLDERS];
	int nholders; /* -1: lookup failed (holder_err says why) */
	char holder_err[96];
	const char *hint; /* what a failure usually means, or NULL */
};

struct mx_binds_out {
	FILE *f;
	bool json;
	bool color;
	int64_t mono_to_real_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	bool header_done;
};

/* The command (commands.c). */
int mx_cmd_binds(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv);

/* binds_out.c: one event as a text line or a JSON object line. */
void mx_binds_print(struct mx_binds_out *o, const struct mx_bind_event *e,
		    const struct mx_binds_extra *x);
/* The column header of the text output (once; nothing for JSON). */
void mx_binds_print_header(struct mx_binds_out *o);
/* A JSON Lines record about the stream itself ("lost", "end"). */
void mx_binds_print_status(struct mx_binds_out *o, const char *event, uint64_t events,
			   uint64_t lost_ring, uint64_t lost_inflight, uint64_t new_lost,
			   double seconds);
/* "0.0.0.0", "::1": the event's address as text. */
void mx_binds_addr_str(const struct mx_bind_event *e, char *buf, size_t len);
const char *mx_binds_proto_name(int proto);
/* Formats a timestamp in nanoseconds since the epoch as RFC 3339 (UTC). */
void mx_binds_ts_str(int64_t real_ns, char *buf, size_t len, bool utc_iso);

/* binds_holder.c: the current holders of the event's address and port,
 * looked up inside the event's network namespace. Returns the count, or -1
 * with x->holder_err set. */
int mx_binds_find_holders(const struct mx_bind_event *e, struct mx_binds_extra *x);
/* The inode of the network namespace this process runs in. */
uint32_t mx_binds_self_netns(void);

/* binds_names.c: container of a task and a name for a network namespace,
 * both cached (events come in bursts from the same few processes). */
void mx_binds_container(pid_t pid, uint64_t cgroup_id, char *buf, size_t len);
void mx_binds_netns_name(uint32_t inum, char *buf, size_t len);

#endif
