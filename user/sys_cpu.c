// SPDX-License-Identifier: GPL-2.0
/* system.cpu: seed "CPU 1 GHz". The frequency comes from cpufreq's
 * cpuinfo_max_freq, else /proc/cpuinfo "cpu MHz"; VMs often expose neither,
 * which is not a failure. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys_checks.h"
#include "sysroot.h"

struct cpuinfo {
	int cpus;
	double max_mhz; /* highest "cpu MHz" line: the current, not the top, clock */
	int hypervisor; /* the "hypervisor" CPU flag */
	char model[128];
};

static void read_cpuinfo(struct cpuinfo *ci)
{
	char line[4096];
	FILE *f = mx_fopen("/proc/cpuinfo", "r");

	memset(ci, 0, sizeof(*ci));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		double mhz;

		if (!colon)
			continue;
		if (!strncmp(line, "processor", 9)) {
			ci->cpus++;
		} else if (!strncmp(line, "cpu MHz", 7)) {
			mhz = strtod(colon + 1, NULL);
			if (mhz > ci->max_mhz)
				ci->max_mhz = mhz;
		} else if (!strncmp(line, "model name", 10) && !ci->model[0]) {
			char *s = colon + 1, *nl;

			while (*s == ' ')
				s++;
			nl = strchr(s, '\n');
			if (nl)
				*nl = '\0';
			snprintf(ci->model, sizeof(ci->model), "%s", s);
		} else if (!strncmp(line, "flags", 5) && strstr(colon, " hypervisor")) {
			ci->hypervisor = 1;
		}
	}
	fclose(f);
}

/* The highest cpuinfo_max_freq over all CPUs (big.LITTLE differ), in MHz. */
static double cpufreq_max_mhz(void)
{
	char path[512];
	double best = 0;
	struct dirent *de;
	DIR *d;

	if (!mx_path(path, sizeof(path), "/sys/devices/system/cpu"))
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		unsigned long long khz;
		char p[320];

		if (strncmp(de->d_name, "cpu", 3) || de->d_name[3] < '0' || de->d_name[3] > '9')
			continue;
		if ((size_t)snprintf(p, sizeof(p),
				     "/sys/devices/system/cpu/%.64s/cpufreq/cpuinfo_max_freq",
				     de->d_name) >= sizeof(p))
			continue;
		if (mx_read_u64(p, &khz) == 0 && khz / 1000.0 > best)
			best = khz / 1000.0;
	}
	closedir(d);
	return best;
}

int mx_cpuinfo_hypervisor_flag(void)
{
	struct cpuinfo ci;

	read_cpuinfo(&ci);
	return ci.hypervisor;
}

void mx_check_cpu(struct mx_ctx *ctx, struct mx_result *r)
{
	unsigned min = ctx->cfg->th.cpu_min_mhz;
	struct cpuinfo ci;
	double mhz;

	read_cpuinfo(&ci);
	mx_data_int(r, "cpus", ci.cpus);
	mx_data_str(r, "model", ci.model[0] ? ci.model : NULL);
	mx_data_int(r, "min_hz", (long long)min * 1000000);
	mhz = cpufreq_max_mhz();
	if (mhz > 0) {
		mx_data_str(r, "source", "cpufreq cpuinfo_max_freq");
		mx_data_double(r, "max_hz", mhz * 1e6);
		if (mhz < min) {
			mx_result_set(r, MX_FAIL,
				      "%d CPU(s) at most %.0f MHz: below the %u MHz minimum",
				      ci.cpus, mhz, min);
			mx_result_remedy(r, "use a CPU of at least %.1f GHz", min / 1000.0);
		} else {
			mx_result_set(r, MX_PASS, "%d CPU(s) up to %.0f MHz", ci.cpus, mhz);
		}
		return;
	}
	if (ci.max_mhz > 0) {
		mx_data_str(r, "source", "/proc/cpuinfo cpu MHz");
		mx_data_double(r, "current_hz", ci.max_mhz * 1e6);
		/* "cpu MHz" is the clock right now: a power-saving core reads low. */
		if (ci.max_mhz < min) {
			mx_result_set(r, MX_WARN,
				      "%d CPU(s) at %.0f MHz now (no cpufreq maximum known): may "
				      "be below %u MHz",
				      ci.cpus, ci.max_mhz, min);
			mx_result_remedy(
			    r, "check the CPU's rated clock; mailcow needs at least %u MHz", min);
		} else {
			mx_result_set(r, MX_PASS, "%d CPU(s) at %.0f MHz", ci.cpus, ci.max_mhz);
		}
		return;
	}
	mx_data_str(r, "source", NULL);
	if (ci.hypervisor) {
		mx_result_set(r, MX_WARN,
			      "%d CPU(s), frequency unknown: the hypervisor does not expose it "
			      "(usual in VMs)",
			      ci.cpus);
		mx_result_remedy(
		    r, "check your provider's plan: mailcow needs at least %u MHz per core", min);
	} else {
		mx_result_set(r, MX_WARN, "%d CPU(s), frequency unknown (no cpufreq, no cpu MHz)",
			      ci.cpus);
		mx_result_remedy(r, "check the CPU's rated clock: mailcow needs at least %u MHz",
				 min);
	}
}
