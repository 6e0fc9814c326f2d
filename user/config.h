/* SPDX-License-Identifier: GPL-2.0 */
/* What "meets the prerequisites" means: the seed documents' tables compiled
 * in (defaults.c), overridden by --config FILE, --mailcow-conf FILE and
 * --target NAME=HOST[:PORT]. */
#ifndef MX_CONFIG_H
#define MX_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "mailcow_conf.h"

#define MX_MAX_PORTS 32
#define MX_MAX_TARGETS 64
#define MX_MAX_OS 32

enum mx_proto_bits { MX_TCP = 1, MX_UDP = 2, MX_ICMP = 4 };

/* An inbound port a mailcow container publishes (seed: "Incoming Ports"). */
struct mx_port {
	char name[24];	    /* "smtp" */
	char service[40];   /* "Postfix SMTP" */
	char container[32]; /* "postfix-mailcow" */
	char var[24];	    /* "SMTP_PORT" */
	unsigned proto;	    /* MX_TCP | MX_UDP */
	uint16_t port;
	char bind[64]; /* "" = every address; else the IP of IP:PORT or HTTP_BIND */
};

/* An outgoing requirement (seed: "Outgoing Ports/Hosts"). */
struct mx_target {
	char name[32];	  /* stable, used by --target NAME=HOST[:PORT] */
	char service[32]; /* "Clamd" */
	char host[256];	  /* several hosts separated by spaces; "*" = any host */
	uint16_t port;
	unsigned proto;
	char kind[16]; /* how to probe: smtp rsync tls http fuzzy dns icmp ntp */
	char reason[128];
	int optional;
};

enum mx_os_support { MX_OS_FULL, MX_OS_LIMITED, MX_OS_UNSUPPORTED };

/* One row of the seed's "Supported OS" table. */
struct mx_os_row {
	char id[16];	  /* os-release ID: debian, ubuntu, almalinux, rocky, alpine */
	char label[32];	  /* "Debian" */
	char min_ver[16]; /* lowest VERSION_ID covered by the row */
	char max_ver[16]; /* highest, or "" for "or newer" */
	enum mx_os_support level;
};

struct mx_thresholds {
	unsigned long long ram_min;   /* bytes */
	unsigned long long swap_min;  /* bytes */
	unsigned long long disk_min;  /* bytes free at Docker's data-root */
	unsigned long long ram_clamd; /* what SKIP_CLAMD=y saves */
	unsigned long long ram_fts;   /* what SKIP_FTS=y saves */
	/* MemTotal is below the installed RAM by what firmware and kernel
	 * reserve: a 6 GiB VM shows ~5.7 GiB. */
	unsigned long long ram_slack;
	unsigned cpu_min_mhz;
	double time_warn_s; /* clock offset worth a warning */
	double time_fail_s; /* offset at which TOTP codes start failing */
};

struct mx_config {
	struct mx_port ports[MX_MAX_PORTS];
	int nports;
	struct mx_target targets[MX_MAX_TARGETS];
	int ntargets;
	struct mx_os_row os[MX_MAX_OS];
	int nos;
	struct mx_thresholds th;
	char ntp_server[256];
	char ca_file[PATH_MAX]; /* TLS probes: CA bundle instead of the system store */
	double probe_rate;	/* outbound probe starts per second */
	unsigned probe_burst;	/* starts allowed at once */
	char docker_daemon_json[PATH_MAX];
	char docker_data_root[PATH_MAX]; /* default when daemon.json has none */
	struct mx_mailcow_conf mc;	 /* mc.present when read */
	/* mtu: where to measure the path MTU when no HOST is given, and the
	 * mailcow directory holding docker-compose(.override).yml ("" = the
	 * directory of mailcow.conf, else /opt/mailcow-dockerized). */
	char mtu_target[256];
	char mtu_target6[256];
	int mtu_family; /* 0 both, 4 or 6 (mxprobe mtu -4/-6) */
	char mailcow_dir[PATH_MAX];
};

/* Fills cfg with the embedded defaults (defaults.c). */
void mx_config_defaults(struct mx_config *cfg);
/* Applies a --config FILE ("key = value" lines, see docs/config.md).
 * Returns 0, or -1 after printing "config: FILE:LINE: cause". */
int mx_config_load(struct mx_config *cfg, const char *path);
/* Applies one --target NAME=HOST[:PORT]; -1 with a message on bad input. */
int mx_config_target(struct mx_config *cfg, const char *spec);
/* Applies mailcow.conf: ports, binds, switches. */
void mx_config_apply_mailcow(struct mx_config *cfg);

const struct mx_port *mx_config_port(const struct mx_config *cfg, const char *name);
const struct mx_target *mx_config_target_find(const struct mx_config *cfg, const char *name);

/* Parses "1.2.3.4:25", "[2001:db8::1]:25" or "25". Returns 0 or -1. */
int mx_parse_bind_port(const char *s, char *bind, size_t bindlen, uint16_t *port);
/* Parses sizes like "6G", "6GiB", "512M", "1048576"; returns 0 or -1. */
int mx_parse_size(const char *s, unsigned long long *out);

#endif
