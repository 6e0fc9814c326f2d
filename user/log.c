// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <pthread.h>
#include <bpf/libbpf.h>

#include "log.h"

static int g_level = MX_LOG_WARN;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void mx_log_set_level(int verbose, int quiet)
{
	if (quiet)
		g_level = MX_LOG_ERROR;
	else
		g_level = MX_LOG_WARN + verbose;
}

int mx_log_enabled(enum mx_log_level lvl)
{
	return (int)lvl <= g_level;
}

void mx_vlog(enum mx_log_level lvl, const char *fmt, va_list ap)
{
	if (!mx_log_enabled(lvl))
		return;
	/* Checks run on threads: keep each message on its own line. */
	pthread_mutex_lock(&g_lock);
	fputs("mxprobe: ", stderr);
	if (lvl == MX_LOG_WARN)
		fputs("warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&g_lock);
}

void mx_log(enum mx_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mx_vlog(lvl, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf is chatty on purpose-made probe failures; only -vv shows it. */
	if (g_level < MX_LOG_DEBUG + 1 && level != LIBBPF_WARN)
		return 0;
	if (g_level < MX_LOG_DEBUG)
		return 0;
	pthread_mutex_lock(&g_lock);
	fputs("libbpf: ", stderr);
	vfprintf(stderr, fmt, ap);
	pthread_mutex_unlock(&g_lock);
	return 0;
}

void mx_log_hook_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
