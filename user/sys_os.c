// SPDX-License-Identifier: GPL-2.0
/* system.os: the seed's "Supported OS" table against os-release.
 * system.kernel: seed 002's warning about kernels older than 4.9. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "osrelease.h"
#include "sys_checks.h"
#include "sysroot.h"

/* Compares version v with bound b over the components b has, so that
 * Alma "9.4" is within "9" and Ubuntu "24.04" is above "22.04". */
int mx_version_cmp_prefix(const char *v, const char *b)
{
	while (*b) {
		char *ve, *be;
		long x = strtol(v, &ve, 10), y = strtol(b, &be, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*be == '.')
			be++;
		if (*ve == '.')
			ve++;
		else if (*be)
			return -1; /* "9" against "9.1": fewer components, below */
		v = ve;
		b = be;
	}
	return 0;
}

static int in_row(const struct mx_os_row *row, const char *ver)
{
	if (!ver[0])
		return 0;
	if (mx_version_cmp_prefix(ver, row->min_ver) < 0)
		return 0;
	return !row->max_ver[0] || mx_version_cmp_prefix(ver, row->max_ver) <= 0;
}

static const char *row_range(const struct mx_os_row *row, char *buf, size_t len)
{
	if (!row->max_ver[0])
		snprintf(buf, len, "%s %s or newer", row->label, row->min_ver);
	else if (!strcmp(row->min_ver, row->max_ver))
		snprintf(buf, len, "%s %s", row->label, row->min_ver);
	else
		snprintf(buf, len, "%s %s to %s", row->label, row->min_ver, row->max_ver);
	return buf;
}

/* An ID_LIKE word that names a distribution of the table. */
static const struct mx_os_row *like_row(const struct mx_config *cfg, const char *id_like)
{
	char words[128], *save = NULL, *w;
	int i;

	snprintf(words, sizeof(words), "%s", id_like);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
		for (i = 0; i < cfg->nos; i++)
			if (!strcmp(cfg->os[i].id, w))
				return &cfg->os[i];
	return NULL;
}

void mx_check_os(struct mx_ctx *ctx, struct mx_result *r)
{
	const struct mx_config *cfg = ctx->cfg;
	const struct mx_os_row *row = NULL, *like;
	struct mx_osrelease o;
	char range[64];
	int i, err;

	err = mx_osrelease_read(&o);
	if (err) {
		mx_result_set(r, MX_WARN, "unknown OS: no /etc/os-release or /usr/lib/os-release");
		mx_result_remedy(r, "use one of the supported systems: Debian 11/12, Ubuntu "
				    "22.04+, Alma Linux 8/9, Rocky Linux 9");
		return;
	}
	mx_data_str(r, "id", o.id);
	mx_data_str(r, "version_id", o.version_id);
	mx_data_str(r, "id_like", o.id_like[0] ? o.id_like : NULL);
	mx_data_str(r, "pretty_name", o.pretty_name);
	mx_data_str(r, "source", o.path);
	for (i = 0; i < cfg->nos; i++) {
		if (strcmp(cfg->os[i].id, o.id))
			continue;
		if (in_row(&cfg->os[i], o.version_id)) {
			row = &cfg->os[i];
			break;
		}
		if (!row)
			row = &cfg->os[i]; /* the distribution is known, the version is not */
	}
	if (row && in_row(row, o.version_id)) {
		mx_data_str(r, "support", row->level == MX_OS_FULL ? "full" : "limited");
		if (row->level == MX_OS_FULL) {
			mx_result_set(r, MX_PASS, "%s: fully supported (%s)", o.pretty_name,
				      row_range(row, range, sizeof(range)));
		} else {
			mx_result_set(r, MX_WARN,
				      "%s: limited compatibility (%s needs manual adjustments)",
				      o.pretty_name, row_range(row, range, sizeof(range)));
			mx_result_remedy(
			    r, "expect manual adjustments, or use Debian 12 / Ubuntu 22.04+");
		}
		return;
	}
	mx_data_str(r, "support", "untested");
	if (row) {
		mx_result_set(r, MX_WARN, "%s: version %s is outside the tested range (%s)",
			      o.pretty_name, o.version_id[0] ? o.version_id : "unknown",
			      row_range(row, range, sizeof(range)));
		mx_result_remedy(
		    r, "upgrade to a tested release (%s); others may work but are not tested",
		    row_range(row, range, sizeof(range)));
		return;
	}
	like = o.id_like[0] ? like_row(cfg, o.id_like) : NULL;
	if (like) {
		mx_result_set(r, MX_WARN, "%s: not tested by mailcow (derived from %s)",
			      o.pretty_name, like->label);
		mx_result_remedy(r,
				 "may work like %s; the tested systems are Debian 11/12, Ubuntu "
				 "22.04+, Alma Linux 8/9, Rocky Linux 9",
				 like->label);
		return;
	}
	mx_result_set(r, MX_WARN, "%s: not in mailcow's table of tested systems",
		      o.pretty_name[0] ? o.pretty_name : o.id);
	mx_result_remedy(r, "other systems may work but are untested; tested: Debian 11/12, Ubuntu "
			    "22.04+, Alma Linux 8/9, Rocky Linux 9");
}

void mx_check_kernel(struct mx_ctx *ctx, struct mx_result *r)
{
	char rel[128];
	int major = 0, minor = 0;

	if (mx_read_line("/proc/sys/kernel/osrelease", rel, sizeof(rel)) <= 0) {
		mx_result_set(r, MX_ERROR,
			      "kernel release unknown (no /proc/sys/kernel/osrelease)");
		return;
	}
	mx_data_str(r, "release", rel);
	if (sscanf(rel, "%d.%d", &major, &minor) != 2) {
		mx_result_set(r, MX_WARN, "kernel release '%s' not understood", rel);
		return;
	}
	/* Seed 002: Docker healthchecks hit a kernel bug before 4.9 (moby #30402). */
	if (major < 4 || (major == 4 && minor < 9)) {
		mx_result_set(r, MX_FAIL,
			      "kernel %s is older than 4.9: Docker healthchecks fail (moby #30402)",
			      rel);
		mx_result_remedy(r, "install a kernel of 4.9 or newer (e.g. from backports)");
		return;
	}
	mx_result_set(r, MX_PASS, "kernel %s", rel);
}
