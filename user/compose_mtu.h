/* SPDX-License-Identifier: GPL-2.0 */
/* What mailcow's docker-compose(.override).yml say about the MTU of the
 * mailcow network: networks.mailcow-network.driver_opts
 * ."com.docker.network.driver.mtu" (the only setting that reaches a
 * user-defined bridge; daemon.json's "mtu" only applies to docker0) and
 * ."com.docker.network.bridge.name" (br-mailcow). A minimal YAML reader:
 * block mappings by indentation, comments, quotes, ${VAR:-default} from
 * mailcow.conf (compose's .env). */
#ifndef MX_COMPOSE_MTU_H
#define MX_COMPOSE_MTU_H

#include <limits.h>

#include "mailcow_conf.h"

struct mx_compose_net {
	int files;		 /* compose files read */
	char file[PATH_MAX];	 /* the main file, as read */
	int network_found;	 /* networks.mailcow-network exists */
	unsigned mtu;		 /* 0: not set (Docker's default 1500 applies) */
	char mtu_raw[64];	 /* the value as written, before substitution */
	char mtu_file[PATH_MAX]; /* where it is set (the override wins) */
	int mtu_line;
	int mtu_invalid; /* set, but not a number 68..65535 after substitution */
	char bridge[16]; /* com.docker.network.bridge.name, default br-mailcow */
};

/* Reads DIR's compose file and its override, found as docker compose finds
 * them (compose.yaml ... docker-compose.yml; mailcow ships
 * docker-compose.yml), through --sysroot when through_sysroot. mc (may be NULL) substitutes ${VAR}.
 * Returns the number of files read, or -errno when the main one is missing. */
int mx_compose_read(const char *dir, int through_sysroot, const struct mx_mailcow_conf *mc,
		    struct mx_compose_net *out);
/* Parses one file's text (exposed for unit tests); `name` labels it. */
void mx_compose_parse(const char *text, const char *name, const struct mx_mailcow_conf *mc,
		      struct mx_compose_net *out);

#endif
