/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics on stderr. Messages are lower case and name the object and the
 * cause, e.g. "trace: attach FORWARD observer: operation not permitted". */
#ifndef MX_LOG_H
#define MX_LOG_H

#include <stdarg.h>

enum mx_log_level { MX_LOG_ERROR, MX_LOG_WARN, MX_LOG_INFO, MX_LOG_DEBUG };

void mx_log_set_level(int verbose, int quiet);
int mx_log_enabled(enum mx_log_level lvl);
void mx_log(enum mx_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mx_vlog(enum mx_log_level lvl, const char *fmt, va_list ap);

#define mx_err(...) mx_log(MX_LOG_ERROR, __VA_ARGS__)
#define mx_warn(...) mx_log(MX_LOG_WARN, __VA_ARGS__)
#define mx_info(...) mx_log(MX_LOG_INFO, __VA_ARGS__)
#define mx_dbg(...) mx_log(MX_LOG_DEBUG, __VA_ARGS__)

/* libbpf's own messages go through mx_log at debug level (shown with -vv). */
void mx_log_hook_libbpf(void);

#endif
