/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the cmocka unit tests: run one check against a fixture sysroot
 * (tests/unit/fixtures/NAME) and look at its result record. */
#ifndef MX_UNIT_H
#define MX_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "check.h"
#include "cli.h"
#include "config.h"
#include "sysroot.h"

#ifndef MX_FIXTURES
#define MX_FIXTURES "tests/unit/fixtures"
#endif

/* Points --sysroot at fixture `name` and fills cfg with the defaults. */
static inline void mx_unit_sysroot(struct mx_config *cfg, const char *name)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s", MX_FIXTURES, name);
	assert_int_equal(mx_sysroot_set(dir), 0);
	mx_config_defaults(cfg);
}

/* Runs check `id` alone; the caller frees with mx_unit_free. */
static inline void mx_unit_run(const struct mx_config *cfg, const char *id, struct mx_result *r)
{
	static struct mx_opts opts = {.timeout_s = 1};
	struct mx_ctx ctx = {.cfg = cfg, .opts = &opts, .run = NULL};
	const struct mx_group *g = NULL;
	const struct mx_check *c = mx_check_find(id, &g);

	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	r->check = c;
	r->group = g;
	c->run(&ctx, r);
	assert_non_null(r->summary);
}

static inline void mx_unit_free(struct mx_result *r)
{
	free(r->summary);
	free(r->remedy);
	json_object_put(r->data);
	memset(r, 0, sizeof(*r));
}

/* A data field as a string ("" when missing), for assertions. */
static inline const char *mx_unit_str(const struct mx_result *r, const char *key)
{
	json_object *v;

	if (!r->data || !json_object_object_get_ex(r->data, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

static inline long long mx_unit_int(const struct mx_result *r, const char *key)
{
	json_object *v;

	if (!r->data || !json_object_object_get_ex(r->data, key, &v) || !v)
		return -1;
	return json_object_get_int64(v);
}

/* A scratch sysroot for cases too many to commit as trees (OS table rows,
 * memory sizes): made under /tmp, filled with mx_unit_write, removed by
 * mx_unit_rmroot. */
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

static inline void mx_unit_tmproot(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/mxprobe-unit-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mx_sysroot_set(dir), 0);
}

static inline void mx_unit_write(const char *root, const char *path, const char *content)
{
	char p[1024], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, path);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int mx_unit_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void mx_unit_rmroot(const char *dir)
{
	nftw(dir, mx_unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
