// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "report.h"

int mx_out_open(struct mx_out *o, const char *path)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	o->path = strdup(path);
	/* The temp file lives beside the target so that rename() is atomic
	 * (node_exporter's textfile collector must never read half a file). */
	if (!o->path || asprintf(&o->tmp, "%s.tmp.XXXXXX", path) < 0) {
		free(o->path);
		o->path = NULL;
		o->tmp = NULL;
		mx_err("output: %s: out of memory", path);
		return -1;
	}
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		mx_err("output: create temporary file beside %s: %s", path, strerror(errno));
		goto fail;
	}
	/* mkstemp makes 0600; a report is meant to be read by collectors. */
	if (fchmod(fd, 0644) < 0) {
		mx_err("output: chmod %s: %s", o->tmp, strerror(errno));
		close(fd);
		unlink(o->tmp);
		goto fail;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		mx_err("output: %s: %s", o->tmp, strerror(errno));
		close(fd);
		unlink(o->tmp);
		goto fail;
	}
	return 0;
fail:
	free(o->path);
	free(o->tmp);
	o->path = o->tmp = NULL;
	return -1;
}

void mx_out_abort(struct mx_out *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
}

int mx_out_commit(struct mx_out *o)
{
	int rc = 0;

	if (o->f == stdout) {
		if (fflush(stdout) == EOF && errno != EPIPE) {
			mx_err("output: write stdout: %s", strerror(errno));
			rc = -1;
		}
		memset(o, 0, sizeof(*o));
		return rc;
	}
	if (fflush(o->f) == EOF || fsync(fileno(o->f)) < 0 || ferror(o->f)) {
		mx_err("output: write %s: %s", o->tmp, strerror(errno));
		mx_out_abort(o);
		return -1;
	}
	if (fclose(o->f) == EOF) {
		o->f = NULL;
		mx_err("output: write %s: %s", o->tmp, strerror(errno));
		mx_out_abort(o);
		return -1;
	}
	o->f = NULL;
	if (rename(o->tmp, o->path) < 0) {
		mx_err("output: rename %s to %s: %s", o->tmp, o->path, strerror(errno));
		mx_out_abort(o);
		return -1;
	}
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return 0;
}
