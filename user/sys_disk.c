// SPDX-License-Identifier: GPL-2.0
/* system.disk: seed "Disk 20 GiB (without emails)", measured where Docker
 * keeps images and volumes: data-root in /etc/docker/daemon.json. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <json-c/json.h>

#include "humanize.h"
#include "sys_checks.h"
#include "sysroot.h"

/* Unit tests replace this to give the fixture a file system of any size. */
int (*mx_statvfs_fn)(const char *path, struct statvfs *st) = statvfs;

/* Docker's data-root, or an error text in err (daemon.json unreadable). */
static int data_root(const struct mx_config *cfg, char *root, size_t len, char *err, size_t elen,
		     const char **source)
{
	char text[65536];
	json_object *doc, *v;
	struct json_tokener *tok;
	ssize_t n;

	snprintf(root, len, "%s", cfg->docker_data_root);
	*source = "default";
	n = mx_read_file(cfg->docker_daemon_json, text, sizeof(text));
	if (n == -ENOENT)
		return 0;
	if (n < 0) {
		snprintf(err, elen, "read %s: %s", cfg->docker_daemon_json, strerror(-n));
		return -1;
	}
	tok = json_tokener_new();
	if (!tok) {
		snprintf(err, elen, "out of memory");
		return -1;
	}
	/* dockerd (Go's encoding/json) rejects what a lenient parser takes. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, text, (int)n);
	if (!doc || json_tokener_get_error(tok) != json_tokener_success ||
	    json_object_get_type(doc) != json_type_object) {
		snprintf(err, elen, "%s: %s", cfg->docker_daemon_json,
			 doc ? "not a JSON object"
			     : json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(doc);
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	/* "graph" is the pre-17.05 name of the same setting. */
	if (json_object_object_get_ex(doc, "data-root", &v) ||
	    json_object_object_get_ex(doc, "graph", &v)) {
		const char *s = json_object_get_string(v);

		if (json_object_get_type(v) != json_type_string || s[0] != '/') {
			snprintf(err, elen, "%s: data-root must be an absolute path",
				 cfg->docker_daemon_json);
			json_object_put(doc);
			return -1;
		}
		snprintf(root, len, "%s", s);
		*source = cfg->docker_daemon_json;
	}
	json_object_put(doc);
	return 0;
}

void mx_check_disk(struct mx_ctx *ctx, struct mx_result *r)
{
	const struct mx_config *cfg = ctx->cfg;
	char root[PATH_MAX], probe[PATH_MAX], full[PATH_MAX + 8], err[512], f[32], m[32];
	unsigned long long avail, total;
	const char *source;
	struct statvfs st;

	if (data_root(cfg, root, sizeof(root), err, sizeof(err), &source)) {
		mx_result_set(r, MX_FAIL, "Docker's configuration is broken: %s", err);
		mx_result_remedy(r, "fix %s: dockerd refuses to start with it",
				 cfg->docker_daemon_json);
		return;
	}
	mx_data_str(r, "data_root", root);
	mx_data_str(r, "data_root_source", source);
	/* Before Docker is installed the directory does not exist yet: measure
	 * the file system it will be created on. */
	snprintf(probe, sizeof(probe), "%s", root);
	for (;;) {
		if (!mx_path(full, sizeof(full), "%s", probe)) {
			mx_result_set(r, MX_ERROR, "path too long: %s", probe);
			return;
		}
		if (mx_statvfs_fn(full, &st) == 0)
			break;
		if (errno != ENOENT && errno != ENOTDIR) {
			mx_result_set(r, MX_ERROR, "statvfs %s: %s", probe, strerror(errno));
			return;
		}
		char *slash = strrchr(probe, '/');

		if (!slash || slash == probe) {
			snprintf(probe, sizeof(probe), "/");
			if (!mx_path(full, sizeof(full), "/") || mx_statvfs_fn(full, &st)) {
				mx_result_set(r, MX_ERROR, "statvfs /: %s", strerror(errno));
				return;
			}
			break;
		}
		*slash = '\0';
	}
	avail = (unsigned long long)st.f_bavail * st.f_frsize;
	total = (unsigned long long)st.f_blocks * st.f_frsize;
	mx_data_str(r, "measured_path", probe);
	mx_data_int(r, "free_bytes", avail);
	mx_data_int(r, "total_bytes", total);
	mx_data_int(r, "required_bytes", cfg->th.disk_min);
	mx_bytes(avail, f, sizeof(f));
	mx_bytes(cfg->th.disk_min, m, sizeof(m));
	if (avail >= cfg->th.disk_min) {
		if (strcmp(probe, root))
			mx_result_set(r, MX_PASS,
				      "%s free at %s, where %s will be created (the seed asks for "
				      "%s without mail)",
				      f, probe, root, m);
		else
			mx_result_set(r, MX_PASS,
				      "%s free at %s (the seed asks for %s without mail)", f, root,
				      m);
		return;
	}
	mx_result_set(r, MX_FAIL, "%s free at %s: below the %s that mailcow needs without mail", f,
		      root, m);
	mx_result_remedy(r,
			 "free space or move Docker's data-root (daemon.json \"data-root\") to a "
			 "larger volume, e.g. a dedicated LVM volume for /var/lib/docker/volumes");
}
