/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the text (trace_render.c) and JSON (trace_json.c) renderers of
 * `mxprobe trace`. */
#ifndef MX_TRACE_RENDER_H
#define MX_TRACE_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "trace.h"

extern const char *const mx_trace_hook_names[MX_NHOOKS];
/* Path order: PREROUTING, then INPUT or FORWARD, OUTPUT, POSTROUTING. */
extern const int mx_trace_path_order[MX_NHOOKS];

/* Everything a decision line needs, resolved once. */
struct mx_trace_line {
	int hook; /* -1: nothing to show */
	const struct mx_nft_decision *d;
	char base[64]; /* base chain the decision was reached from */
	int pos;
	char text[512];
};

/* One packet, ready to print. */
struct mx_trace_pkt {
	const struct mx_trace_event *ev;
	const struct mx_trace_line *lines;
	size_t nlines;
	const struct mx_legacy_hit *hits;
	int nhits;
	const char *endtxt;
	json_object *endj; /* the end's facts; the JSON renderer takes it */
	const char *src, *dst, *flags;
};

const char *mx_trace_fmt_ep(int family, const uint8_t *addr, uint16_t port_be, char *buf,
			    size_t len);
const char *mx_trace_fmt_addr(int family, const uint8_t *addr, char *buf, size_t len);
const char *mx_trace_verdict_name(const struct mx_nft_decision *d, char *buf, size_t len);
void mx_trace_line_text(const struct mx_trace_line *l, char *buf, size_t len);
double mx_trace_wall(const struct mx_trace_run *t, uint64_t ns);
void mx_trace_packet_json(struct mx_trace_run *t, const struct mx_trace_pkt *p);
/* A JSON Lines record {"ts": now, "event": name}; the caller adds its fields. */
json_object *mx_trace_json_event(const char *name);

#endif
