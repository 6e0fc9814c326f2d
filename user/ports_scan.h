/* SPDX-License-Identifier: GPL-2.0 */
/* `mxprobe ports`: one snapshot of the sockets on mailcow's ports (taken
 * once per run, shared by every ports.* check) and the per-port verdict. */
#ifndef MX_PORTS_SCAN_H
#define MX_PORTS_SCAN_H

#include <json-c/json.h>

#include "bind_conflict.h"
#include "config.h"
#include "holders.h"
#include "nat_dnat.h"
#include "pidmap.h"
#include "sockdiag.h"

struct mx_listener {
	struct mx_sock s;
	const struct mx_owner *own; /* into the scan's pid map, sorted by pid */
	size_t nown;
	struct mx_holder h; /* first owner, cgroup, container */
	char unit[128];	    /* systemd unit of the cgroup, "" */
};

struct mx_ports_scan {
	struct mx_sock_list socks;
	struct mx_pidmap pm;
	struct mx_listener *l;
	size_t n;
	struct mx_dnat_list dnat;
	int dnat_err; /* 0, or why the ruleset could not be read */
	int ipv6;     /* the host has IPv6: Docker also publishes on [::] */
	int err;      /* the sockets could not be read: -errno */
	char err_what[64];
	double diag_ms, pidmap_ms;
};

/* Takes a snapshot of the live system for cfg's ports. 0 or -errno (the
 * cause is also in sc->err / err_what). */
int mx_ports_scan_take(struct mx_ports_scan *sc, const struct mx_config *cfg);
/* Builds a snapshot from given parts (recorded sock_diag replies in the unit
 * tests); takes ownership of socks, pm and dnat. */
void mx_ports_scan_from(struct mx_ports_scan *sc, const struct mx_config *cfg,
			struct mx_sock_list *socks, struct mx_pidmap *pm, struct mx_dnat_list *dnat,
			int ipv6);
void mx_ports_scan_free(struct mx_ports_scan *sc);

/* The run's snapshot (taken on first use, thread-safe), or the one a test
 * injected. */
const struct mx_ports_scan *mx_ports_scan_get(const struct mx_config *cfg);
void mx_ports_scan_inject(struct mx_ports_scan *sc);

enum mx_port_state {
	MX_PORT_FREE,	  /* nothing on it */
	MX_PORT_OTHER,	  /* sockets on the port number that do not collide */
	MX_PORT_MAILCOW,  /* held by mailcow's own container / docker-proxy */
	MX_PORT_UNSURE,	  /* docker-proxy holds it, the API cannot say for whom */
	MX_PORT_SHADOWED, /* a host service Docker's DNAT makes unreachable */
	MX_PORT_CONFLICT, /* mailcow's bind would fail */
};

const char *mx_port_state_name(enum mx_port_state st);

/* Evaluates port p against the snapshot and fills r (status, summary,
 * remedy, data). */
struct mx_result;
void mx_port_evaluate(const struct mx_ports_scan *sc, const struct mx_config *cfg,
		      const struct mx_port *p, struct mx_result *r);

#endif
