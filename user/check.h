/* SPDX-License-Identifier: GPL-2.0 */
/* The check framework: one table of checks (check_table.c), each producing
 * the same result record (../shared/cli.md "JSON shape"), run in parallel. */
#ifndef MX_CHECK_H
#define MX_CHECK_H

#include <stddef.h>
#include <json-c/json.h>

#include "config.h"

enum mx_status { MX_PASS, MX_WARN, MX_FAIL, MX_SKIP, MX_ERROR, MX_STATUS_COUNT };

const char *mx_status_name(enum mx_status st);

struct mx_ctx;
struct mx_result;

/* The check needs the running system (kernel, sockets, network): under
 * --sysroot it is reported as skipped instead of run. */
#define MX_CHECK_LIVE (1u << 0)
/* The check sends packets to other hosts (slow; --timeout applies). */
#define MX_CHECK_NET (1u << 1)

struct mx_check {
	const char *id;	   /* stable: "group.name" */
	const char *title; /* short label for the text report */
	void (*run)(struct mx_ctx *ctx, struct mx_result *res);
	const char *after; /* id of a check whose result this one reads, or NULL */
	unsigned flags;
};

struct mx_group {
	const char *name;  /* "system": also the command that runs just this group */
	const char *title; /* "System" */
	const struct mx_check *checks;
	size_t n;
};

#define MX_GROUP(var, name_, title_, arr)                                                          \
	const struct mx_group var = {                                                              \
	    .name = name_, .title = title_, .checks = arr, .n = sizeof(arr) / sizeof(arr[0])}

struct mx_result {
	const struct mx_check *check;
	const struct mx_group *group;
	enum mx_status status;
	char *summary;
	char *remedy;
	json_object *data;
	double elapsed_ms;
	int done;
};

/* Sets status and the one-line summary a person reads. */
void mx_result_set(struct mx_result *r, enum mx_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Raises the status to st if it is worse (pass < warn < fail), keeps the summary. */
void mx_result_raise(struct mx_result *r, enum mx_status st);
void mx_result_remedy(struct mx_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The check's machine-readable facts; created on first use. */
json_object *mx_result_data(struct mx_result *r);
void mx_data_str(struct mx_result *r, const char *key, const char *val);
void mx_data_int(struct mx_result *r, const char *key, long long val);
void mx_data_double(struct mx_result *r, const char *key, double val);
void mx_data_bool(struct mx_result *r, const char *key, int val);
void mx_data_null(struct mx_result *r, const char *key);

struct mx_opts;

struct mx_ctx {
	const struct mx_config *cfg;
	const struct mx_opts *opts;
	struct mx_run *run; /* the runner: lets a check read an earlier result */
};

/* The data of check `id` if it ran in this run (it must be named in `after`). */
json_object *mx_ctx_data(struct mx_ctx *ctx, const char *id);

/* The registry (check_table.c). */
extern const struct mx_group *const mx_groups[];
extern const size_t mx_ngroups;
const struct mx_group *mx_group_find(const char *name);
const struct mx_check *mx_check_find(const char *id, const struct mx_group **group);

/* The checks of one run, in table order. */
struct mx_report {
	struct mx_result *results;
	size_t n;
	unsigned counts[MX_STATUS_COUNT];
};

/* Runs every check of the named groups (NULL-terminated; NULL = all groups)
 * in parallel; shows a progress line on stderr when progress is set. */
int mx_run_checks(const struct mx_config *cfg, const struct mx_opts *opts,
		  const char *const *groups, struct mx_report *rep, int progress);
void mx_report_free(struct mx_report *rep);
/* Exit code per the Nagios convention: fail 2, error 3, warn 1, else 0. */
int mx_report_exit_code(const struct mx_report *rep);

#endif
