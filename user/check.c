// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "log.h"
#include "sysroot.h"

static const char *const status_names[MX_STATUS_COUNT] = {"pass", "warn", "fail", "skip", "error"};

const char *mx_status_name(enum mx_status st)
{
	return st < MX_STATUS_COUNT ? status_names[st] : "error";
}

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

void mx_result_set(struct mx_result *r, enum mx_status st, const char *fmt, ...)
{
	va_list ap;

	r->status = st;
	free(r->summary);
	va_start(ap, fmt);
	r->summary = vfmt(fmt, ap);
	va_end(ap);
}

/* Severity order for raising: skip < pass < warn < fail < error is wrong for
 * a single check; there a failure outranks an unknown. */
static int severity(enum mx_status st)
{
	switch (st) {
	case MX_SKIP:
		return 0;
	case MX_PASS:
		return 1;
	case MX_WARN:
		return 2;
	case MX_ERROR:
		return 3;
	case MX_FAIL:
		return 4;
	default:
		return 3;
	}
}

void mx_result_raise(struct mx_result *r, enum mx_status st)
{
	if (severity(st) > severity(r->status))
		r->status = st;
}

void mx_result_remedy(struct mx_result *r, const char *fmt, ...)
{
	va_list ap;

	free(r->remedy);
	va_start(ap, fmt);
	r->remedy = vfmt(fmt, ap);
	va_end(ap);
}

json_object *mx_result_data(struct mx_result *r)
{
	if (!r->data)
		r->data = json_object_new_object();
	return r->data;
}

void mx_data_str(struct mx_result *r, const char *key, const char *val)
{
	json_object_object_add(mx_result_data(r), key, val ? json_object_new_string(val) : NULL);
}

void mx_data_int(struct mx_result *r, const char *key, long long val)
{
	json_object_object_add(mx_result_data(r), key, json_object_new_int64(val));
}

void mx_data_double(struct mx_result *r, const char *key, double val)
{
	json_object_object_add(mx_result_data(r), key, json_object_new_double(val));
}

void mx_data_bool(struct mx_result *r, const char *key, int val)
{
	json_object_object_add(mx_result_data(r), key, json_object_new_boolean(val));
}

void mx_data_null(struct mx_result *r, const char *key)
{
	json_object_object_add(mx_result_data(r), key, NULL);
}

const struct mx_group *mx_group_find(const char *name)
{
	size_t i;

	for (i = 0; i < mx_ngroups; i++)
		if (!strcmp(mx_groups[i]->name, name))
			return mx_groups[i];
	return NULL;
}

const struct mx_check *mx_check_find(const char *id, const struct mx_group **group)
{
	size_t g, i;

	for (g = 0; g < mx_ngroups; g++)
		for (i = 0; i < mx_groups[g]->n; i++)
			if (!strcmp(mx_groups[g]->checks[i].id, id)) {
				if (group)
					*group = mx_groups[g];
				return &mx_groups[g]->checks[i];
			}
	return NULL;
}

/* The runner. Checks wait for the one named in `after`; the rest run on a
 * small pool of threads, since most of them wait on the network. */
struct mx_run {
	struct mx_report *rep;
	const struct mx_config *cfg;
	const struct mx_opts *opts;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t next_scan;
	size_t finished;
	int *state; /* 0 waiting, 1 running, 2 done */
	int progress;
	const char *current;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static ssize_t index_of(struct mx_run *run, const char *id)
{
	size_t i;

	for (i = 0; i < run->rep->n; i++)
		if (!strcmp(run->rep->results[i].check->id, id))
			return i;
	return -1;
}

json_object *mx_ctx_data(struct mx_ctx *ctx, const char *id)
{
	struct mx_run *run = ctx->run;
	ssize_t i;
	json_object *d = NULL;

	if (!run)
		return NULL;
	pthread_mutex_lock(&run->lock);
	i = index_of(run, id);
	if (i >= 0 && run->state[i] == 2)
		d = run->rep->results[i].data;
	pthread_mutex_unlock(&run->lock);
	return d;
}

static int ready(struct mx_run *run, size_t i)
{
	const char *after = run->rep->results[i].check->after;
	ssize_t d;

	if (!after)
		return 1;
	d = index_of(run, after);
	/* A dependency outside this run: the check copes with missing data. */
	return d < 0 || run->state[d] == 2;
}

static void show_progress(struct mx_run *run)
{
	if (!run->progress)
		return;
	fprintf(stderr, "\r\033[Kchecking %zu/%zu %s", run->finished, run->rep->n,
		run->current ? run->current : "");
	fflush(stderr);
}

static void *worker(void *arg)
{
	struct mx_run *run = arg;
	struct mx_ctx ctx = {.cfg = run->cfg, .opts = run->opts, .run = run};

	pthread_mutex_lock(&run->lock);
	for (;;) {
		ssize_t pick = -1;
		size_t i;

		for (i = 0; i < run->rep->n; i++)
			if (run->state[i] == 0 && ready(run, i)) {
				pick = i;
				break;
			}
		if (pick < 0) {
			if (run->finished == run->rep->n)
				break;
			int any_waiting = 0;

			for (i = 0; i < run->rep->n; i++)
				if (run->state[i] == 0)
					any_waiting = 1;
			if (!any_waiting)
				break;
			pthread_cond_wait(&run->cond, &run->lock);
			continue;
		}
		struct mx_result *r = &run->rep->results[pick];

		run->state[pick] = 1;
		run->current = r->check->id;
		show_progress(run);
		pthread_mutex_unlock(&run->lock);

		double t0 = now_ms();

		if ((r->check->flags & MX_CHECK_LIVE) && !mx_sysroot_live()) {
			mx_result_set(r, MX_SKIP,
				      "needs the live system (not available with --sysroot)");
		} else {
			r->check->run(&ctx, r);
			if (!r->summary) {
				/* A check that forgot to say anything is a bug, not a pass. */
				mx_result_set(r, MX_ERROR, "internal error: check gave no result");
			}
		}
		r->elapsed_ms = now_ms() - t0;

		pthread_mutex_lock(&run->lock);
		run->state[pick] = 2;
		r->done = 1;
		run->finished++;
		show_progress(run);
		pthread_cond_broadcast(&run->cond);
	}
	pthread_mutex_unlock(&run->lock);
	return NULL;
}

static int group_selected(const char *name, const char *const *groups)
{
	if (!groups)
		return 1;
	for (; *groups; groups++)
		if (!strcmp(*groups, name))
			return 1;
	return 0;
}

int mx_run_checks(const struct mx_config *cfg, const struct mx_opts *opts,
		  const char *const *groups, struct mx_report *rep, int progress)
{
	struct mx_run run = {.rep = rep, .cfg = cfg, .opts = opts, .progress = progress};
	pthread_t threads[16];
	size_t g, i, n = 0, nthreads;
	int err = 0;

	memset(rep, 0, sizeof(*rep));
	for (g = 0; g < mx_ngroups; g++)
		if (group_selected(mx_groups[g]->name, groups))
			n += mx_groups[g]->n;
	rep->results = calloc(n ? n : 1, sizeof(*rep->results));
	run.state = calloc(n ? n : 1, sizeof(*run.state));
	if (!rep->results || !run.state) {
		free(run.state);
		free(rep->results);
		rep->results = NULL;
		return -ENOMEM;
	}
	for (g = 0; g < mx_ngroups; g++) {
		if (!group_selected(mx_groups[g]->name, groups))
			continue;
		for (i = 0; i < mx_groups[g]->n; i++) {
			rep->results[rep->n].check = &mx_groups[g]->checks[i];
			rep->results[rep->n].group = mx_groups[g];
			rep->n++;
		}
	}
	pthread_mutex_init(&run.lock, NULL);
	pthread_cond_init(&run.cond, NULL);
	nthreads = n < 16 ? n : 16;
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&threads[i], NULL, worker, &run)) {
			err = -errno;
			break;
		}
	}
	if (i == 0 && n > 0)
		worker(&run); /* no thread could start: run them here */
	nthreads = i;
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	if (progress)
		fprintf(stderr, "\r\033[K");
	pthread_cond_destroy(&run.cond);
	pthread_mutex_destroy(&run.lock);
	free(run.state);
	for (i = 0; i < rep->n; i++)
		rep->counts[rep->results[i].status]++;
	return err;
}

void mx_report_free(struct mx_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		free(rep->results[i].summary);
		free(rep->results[i].remedy);
		json_object_put(rep->results[i].data);
	}
	free(rep->results);
	memset(rep, 0, sizeof(*rep));
}

int mx_report_exit_code(const struct mx_report *rep)
{
	if (rep->counts[MX_FAIL])
		return MX_EXIT_FAIL;
	if (rep->counts[MX_ERROR])
		return MX_EXIT_UNKNOWN;
	if (rep->counts[MX_WARN])
		return MX_EXIT_WARN;
	return MX_EXIT_OK;
}
