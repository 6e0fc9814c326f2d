/* SPDX-License-Identifier: GPL-2.0 */
/* Reader of mailcow.conf as the file really is: a docker compose .env file
 * with comments, blank lines, optional quotes, and IP:PORT values. */
#ifndef MX_MAILCOW_CONF_H
#define MX_MAILCOW_CONF_H

#include <limits.h>

#define MX_MC_MAX_VARS 160
#define MX_MC_MAX_ERRORS 32

struct mx_mc_var {
	char key[48];
	char value[256];
	int line;
};

struct mx_mc_error {
	int line;
	char msg[160];
};

struct mx_mailcow_conf {
	int present;
	char path[PATH_MAX];
	struct mx_mc_var vars[MX_MC_MAX_VARS];
	int nvars;
	struct mx_mc_error errors[MX_MC_MAX_ERRORS];
	int nerrors;
	int errors_dropped; /* more errors than errors[] holds */
	/* Interpreted switches: -1 when the file does not set them. */
	int skip_clamd;
	int skip_fts; /* SKIP_FTS, or the older SKIP_SOLR (Solr was replaced by Flatcurve in 2025)
		       */
	int skip_fts_from_solr; /* skip_fts came from SKIP_SOLR */
	int enable_ipv6;
};

/* Parses path (through --sysroot when sysroot is set). Returns 0 when the file
 * was read (even with malformed lines: they are in errors[]), -errno when it
 * could not be opened. */
int mx_mc_load(struct mx_mailcow_conf *mc, const char *path, int through_sysroot);
/* Parses a buffer; the same rules (exposed for unit tests). */
void mx_mc_parse(struct mx_mailcow_conf *mc, const char *text);
/* Records a problem of line `line` (kept, and reported by config.mailcow_conf;
 * counted in errors_dropped beyond MX_MC_MAX_ERRORS). */
void mx_mc_error(struct mx_mailcow_conf *mc, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *mx_mc_get(const struct mx_mailcow_conf *mc, const char *key);
/* Line of key in the file, 0 when absent. */
int mx_mc_line(const struct mx_mailcow_conf *mc, const char *key);
/* y/yes/true/1 → 1, n/no/false/0 → 0, else -1. */
int mx_parse_bool(const char *s);

#endif
