/* SPDX-License-Identifier: GPL-2.0 */
/* Renderers of a check report: text, JSON (../shared/cli.md) and the
 * Prometheus textfile format. Output goes to stdout or, with -o, atomically
 * to a file (temp file + rename). */
#ifndef MX_REPORT_H
#define MX_REPORT_H

#include <stdio.h>
#include <json-c/json.h>

#include "check.h"

#define MX_VERSION "0.1.0"
#define MX_SCHEMA 1

struct mx_host {
	char hostname[256];
	char kernel[128];
	char os[128];
};

/* Reads the host facts through --sysroot. */
void mx_host_read(struct mx_host *h);

void mx_render_text(FILE *f, const struct mx_host *h, const struct mx_report *rep, int color);
/* The JSON document; the caller owns it. */
json_object *mx_report_json(const struct mx_host *h, const struct mx_report *rep);
void mx_render_prom(FILE *f, const struct mx_host *h, const struct mx_report *rep);

/* An output destination: stdout, or a temp file renamed over path on commit. */
struct mx_out {
	FILE *f;
	char *path;
	char *tmp;
};
int mx_out_open(struct mx_out *o, const char *path);
/* Flushes, fsyncs and renames; returns 0 or -1 with a message. */
int mx_out_commit(struct mx_out *o);
/* Drops the temp file (error paths). */
void mx_out_abort(struct mx_out *o);

#endif
