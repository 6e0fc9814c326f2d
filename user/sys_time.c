// SPDX-License-Identifier: GPL-2.0
/* system.time_sync: "NTP enabled: yes" and "NTP synchronized: yes" as
 * timedatectl computes them. system.time_offset: the clock's measured
 * offset from an NTP server, which is what TOTP codes depend on. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

#include "cli.h"
#include "netns_init.h"
#include "sntp.h"
#include "sys_checks.h"
#include "sysroot.h"

/* Unit tests replace this to play any kernel clock state. */
int (*mx_adjtimex_fn)(struct timex *tx) = adjtimex;

static const struct {
	const char *comm; /* /proc/PID/comm, at most 15 characters */
	const char *name;
	const char *unit; /* systemd unit, for the enabled check and the remedy */
} ntp_daemons[] = {
    {"chronyd", "chronyd", "chrony.service"},
    {"systemd-timesyn", "systemd-timesyncd", "systemd-timesyncd.service"},
    {"ntpd", "ntpd", "ntp.service"},
    {"ntpsec", "ntpsec", "ntpsec.service"},
    {"openntpd", "openntpd", "openntpd.service"},
    {"timemaster", "timemaster", "timemaster.service"},
};
#define NDAEMONS (sizeof(ntp_daemons) / sizeof(ntp_daemons[0]))

/* A daemon in another network namespace (a container, a test) does not
 * keep the host's clock. Under --sysroot the links are absent: count it. */
static int same_netns_as_init(const char *pid)
{
	uint64_t ino, init;

	if (!mx_sysroot_live())
		return 1;
	ino = mx_netns_ino_of(pid);
	init = mx_init_netns_ino();
	return !ino || !init || ino == init;
}

/* The running NTP daemon: index into ntp_daemons and its pid, or -1. */
static int find_daemon(int *pid_out)
{
	char path[512], comm[32];
	struct dirent *de;
	DIR *d;
	int found = -1;

	if (!mx_path(path, sizeof(path), "/proc") || !(d = opendir(path)))
		return -1;
	while ((de = readdir(d)) && found < 0) {
		char p[320];
		size_t i;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%.32s/comm", de->d_name);
		if (mx_read_line(p, comm, sizeof(comm)) <= 0)
			continue;
		if (!same_netns_as_init(de->d_name))
			continue;
		for (i = 0; i < NDAEMONS; i++)
			if (!strcmp(comm, ntp_daemons[i].comm)) {
				found = (int)i;
				*pid_out = atoi(de->d_name);
				break;
			}
	}
	closedir(d);
	return found;
}

static int unit_enabled(const char *unit)
{
	static const char *const wants[] = {"multi-user.target.wants", "sysinit.target.wants"};
	char p[256];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "/etc/systemd/system/%s/%s", wants[i], unit);
		if (mx_exists(p))
			return 1;
	}
	return 0;
}

void mx_check_time_sync(struct mx_ctx *ctx, struct mx_result *r)
{
	struct timex tx = {0};
	int pid = 0, d, synced = -1, i;
	const char *how = "";

	d = find_daemon(&pid);
	mx_data_str(r, "ntp_service", d >= 0 ? ntp_daemons[d].name : NULL);
	if (d >= 0) {
		mx_data_int(r, "ntp_service_pid", pid);
		mx_data_bool(r, "ntp_service_enabled", unit_enabled(ntp_daemons[d].unit));
	}
	if (mx_sysroot_live()) {
		/* systemd's ntp_synced(): maxerror below 16 s; STA_UNSYNC is
		 * ignored because it may be set only to keep the RTC untouched. */
		if (mx_adjtimex_fn(&tx) >= 0) {
			synced = tx.maxerror < 16000000;
			mx_data_double(r, "kernel_maxerror_seconds", tx.maxerror / 1e6);
			mx_data_double(r, "kernel_esterror_seconds", tx.esterror / 1e6);
			mx_data_bool(r, "kernel_sta_unsync", !!(tx.status & STA_UNSYNC));
			how = "kernel";
		}
	} else if (mx_exists("/run/systemd/timesync/synchronized")) {
		synced = 1;
		how = "/run/systemd/timesync/synchronized";
	}
	if (synced >= 0)
		mx_data_bool(r, "synchronized", synced);
	else
		mx_data_null(r, "synchronized");
	mx_data_str(r, "synchronized_source", how[0] ? how : NULL);

	if (d < 0) {
		mx_result_set(
		    r, MX_FAIL,
		    "no NTP service is running (timedatectl would say \"NTP service: inactive\")");
		mx_result_remedy(r, "timedatectl set-ntp true (systemd-timesyncd), or apt install "
				    "chrony; TOTP two-factor codes need a correct clock");
		return;
	}
	if (synced == 0) {
		mx_result_set(
		    r, MX_WARN,
		    "%s runs (pid %d) but the clock is not synchronised (max error %.1f s)",
		    ntp_daemons[d].name, pid, tx.maxerror / 1e6);
		mx_result_remedy(r,
				 "check that %s reaches its servers (UDP 123 outbound): chronyc "
				 "sources / timedatectl timesync-status",
				 ntp_daemons[d].name);
		return;
	}
	if (synced < 0) {
		mx_result_set(r, MX_PASS, "%s runs (pid %d); sync state needs the live system",
			      ntp_daemons[d].name, pid);
		return;
	}
	i = unit_enabled(ntp_daemons[d].unit);
	mx_result_set(r, MX_PASS, "synchronised by %s (pid %d)%s", ntp_daemons[d].name, pid,
		      i ? "" : ", not enabled at boot");
	if (!i)
		mx_result_remedy(r, "systemctl enable %s", ntp_daemons[d].unit);
}

void mx_check_time_offset(struct mx_ctx *ctx, struct mx_result *r)
{
	const struct mx_thresholds *th = &ctx->cfg->th;
	struct mx_sntp_result s;
	char err[256];
	double a;

	mx_data_str(r, "server", ctx->cfg->ntp_server);
	mx_data_double(r, "warn_seconds", th->time_warn_s);
	mx_data_double(r, "fail_seconds", th->time_fail_s);
	if (mx_sntp_query(ctx->cfg->ntp_server, "123", ctx->opts->timeout_s, &s, err,
			  sizeof(err))) {
		mx_result_set(r, MX_WARN, "clock offset not measured: %s", err);
		mx_result_remedy(
		    r, "allow UDP 123 to %s, or set another server with ntp_server in --config",
		    ctx->cfg->ntp_server);
		return;
	}
	mx_data_str(r, "server_address", s.server_addr);
	mx_data_int(r, "stratum", s.stratum);
	mx_data_str(r, "refid", s.refid);
	mx_data_double(r, "offset_seconds", s.offset_s);
	mx_data_double(r, "delay_seconds", s.delay_s);
	a = fabs(s.offset_s);
	if (a >= th->time_fail_s) {
		mx_result_set(r, MX_FAIL,
			      "clock is %+.1f s off %s: TOTP two-factor codes fail beyond ~30 s",
			      -s.offset_s, s.server_addr);
		mx_result_remedy(
		    r, "synchronise the clock: timedatectl set-ntp true, or chronyc makestep");
	} else if (a >= th->time_warn_s) {
		mx_result_set(
		    r, MX_WARN,
		    "clock is %+.2f s off %s: a synchronised clock is within milliseconds",
		    -s.offset_s, s.server_addr);
		mx_result_remedy(
		    r, "check the NTP service (chronyc tracking / timedatectl timesync-status)");
	} else {
		mx_result_set(r, MX_PASS, "clock within %.0f ms of %s (stratum %d, delay %.0f ms)",
			      a * 1000, s.server_addr, s.stratum, s.delay_s * 1000);
	}
}
