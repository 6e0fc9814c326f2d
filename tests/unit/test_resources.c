// SPDX-License-Identifier: GPL-2.0
/* system.memory, .swap, .disk, .cpu, .kernel, .arch and .time_sync at their
 * edges: a 6 GiB VM whose MemTotal reads 5.7 GiB, the SKIP_* switches, a
 * missing data-root, unknown CPU clocks, an unsynchronised kernel clock. */
#include <sys/statvfs.h>
#include <sys/timex.h>

#include "unit.h"
#include "sys_checks.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

static char root[64];
static struct mx_config cfg;

static int setup(void **state)
{
	mx_unit_tmproot(root, sizeof(root));
	mx_config_defaults(&cfg);
	return 0;
}

static int teardown(void **state)
{
	mx_unit_rmroot(root);
	return 0;
}

static void meminfo(unsigned long long mem, unsigned long long swap)
{
	char buf[256];

	snprintf(buf, sizeof(buf),
		 "MemTotal:       %llu kB\nMemFree:        1000 kB\nSwapTotal:      %llu kB\n",
		 mem / KiB, swap / KiB);
	mx_unit_write(root, "/proc/meminfo", buf);
}

static enum mx_status run(const char *id, struct mx_result *r)
{
	mx_unit_run(&cfg, id, r);
	return r->status;
}

static void expect(const char *id, enum mx_status want, const char *needle)
{
	struct mx_result r;

	if (run(id, &r) != want || (needle && !strstr(r.summary, needle)))
		fail_msg("%s: got %s '%s', want %s with '%s'", id, mx_status_name(r.status),
			 r.summary, mx_status_name(want), needle ? needle : "");
	mx_unit_free(&r);
}

static void test_memory(void **state)
{
	meminfo(5836 * MiB, 1 * GiB); /* a 6 GiB VM as the kernel reports it */
	expect("system.memory", MX_PASS, "RAM");
	meminfo(8 * GiB, 2 * GiB);
	expect("system.memory", MX_PASS, "8 GiB");
	meminfo(4 * GiB, 1 * GiB);
	expect("system.memory", MX_FAIL, "below the 6 GiB minimum");
	/* With ClamAV off, 5 GiB is enough for the reduced stack: a warning. */
	cfg.mc.skip_clamd = 1;
	meminfo(5 * GiB, 1 * GiB);
	expect("system.memory", MX_WARN, "SKIP_CLAMD=y");
	/* ...but 3 GiB is not, even with full-text search off too. */
	cfg.mc.skip_fts = 1;
	meminfo(3 * GiB, 1 * GiB);
	expect("system.memory", MX_FAIL, "even with SKIP_CLAMD=y");
	cfg.mc.skip_fts_from_solr = 1;
	expect("system.memory", MX_FAIL, "SKIP_SOLR=y");
	mx_unit_write(root, "/proc/meminfo", "MemFree: 1 kB\n");
	expect("system.memory", MX_ERROR, "MemTotal");
}

static void test_swap(void **state)
{
	meminfo(6 * GiB, 2 * GiB);
	expect("system.swap", MX_PASS, "2 GiB swap");
	meminfo(6 * GiB, 0);
	expect("system.swap", MX_FAIL, "0 B swap");
	meminfo(16 * GiB, 0); /* spare RAM does what the swap would */
	expect("system.swap", MX_WARN, "spare RAM");
	meminfo(6 * GiB, 512 * MiB);
	expect("system.swap", MX_FAIL, "512 MiB swap");
}

static unsigned long long fake_free;
static char fake_path[1024];

static int fake_statvfs(const char *path, struct statvfs *st)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return -1; /* errno from stat: ENOENT for a missing data-root */
	snprintf(fake_path, sizeof(fake_path), "%s", path);
	memset(st, 0, sizeof(*st));
	st->f_frsize = 4096;
	st->f_bavail = fake_free / 4096;
	st->f_blocks = 2 * fake_free / 4096;
	return 0;
}

static void test_disk(void **state)
{
	struct mx_result r;

	mx_statvfs_fn = fake_statvfs;
	mx_unit_write(root, "/var/lib/docker/.keep", "");
	fake_free = 25 * GiB;
	expect("system.disk", MX_PASS, "25 GiB free at /var/lib/docker");
	fake_free = 10 * GiB;
	expect("system.disk", MX_FAIL, "below the 20 GiB");
	/* data-root moved to a volume that is not created yet: its parent counts. */
	mx_unit_write(root, "/etc/docker/daemon.json",
		      "{ \"data-root\": \"/srv/docker\", \"log-driver\": \"json-file\" }\n");
	mx_unit_write(root, "/srv/.keep", "");
	fake_free = 100 * GiB;
	run("system.disk", &r);
	assert_int_equal(r.status, MX_PASS);
	assert_string_equal(mx_unit_str(&r, "data_root"), "/srv/docker");
	assert_string_equal(mx_unit_str(&r, "measured_path"), "/srv");
	assert_string_equal(mx_unit_str(&r, "data_root_source"), "/etc/docker/daemon.json");
	mx_unit_free(&r);
	/* The pre-17.05 key. */
	mx_unit_write(root, "/etc/docker/daemon.json", "{\"graph\": \"/var/lib/docker\"}");
	run("system.disk", &r);
	assert_string_equal(mx_unit_str(&r, "data_root"), "/var/lib/docker");
	mx_unit_free(&r);
	mx_unit_write(root, "/etc/docker/daemon.json", "{ \"data-root\": \"/srv\", }");
	expect("system.disk", MX_FAIL, "daemon.json");
	mx_unit_write(root, "/etc/docker/daemon.json", "{ \"data-root\": \"relative/path\" }");
	expect("system.disk", MX_FAIL, "absolute path");
	mx_statvfs_fn = statvfs;
}

static void test_cpu(void **state)
{
	const char *vm = "processor\t: 0\nmodel name\t: Intel Xeon\nflags\t\t: fpu hypervisor\n";
	struct mx_result r;

	mx_unit_write(root, "/proc/cpuinfo", vm);
	expect("system.cpu", MX_WARN, "hypervisor does not expose it");
	mx_unit_write(root, "/proc/cpuinfo",
		      "processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n");
	expect("system.cpu", MX_WARN, "frequency unknown");
	mx_unit_write(
	    root, "/proc/cpuinfo",
	    "processor\t: 0\ncpu MHz\t\t: 2400.000\nprocessor\t: 1\ncpu MHz\t\t: 800.000\n");
	expect("system.cpu", MX_PASS, "2 CPU(s) at 2400 MHz");
	mx_unit_write(root, "/proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 800.000\n");
	expect("system.cpu", MX_WARN, "may be below 1000 MHz");
	/* cpufreq's maximum wins over the current clock. */
	mx_unit_write(root, "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "3400000\n");
	run("system.cpu", &r);
	assert_int_equal(r.status, MX_PASS);
	assert_string_equal(mx_unit_str(&r, "source"), "cpufreq cpuinfo_max_freq");
	mx_unit_free(&r);
	mx_unit_write(root, "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "800000\n");
	expect("system.cpu", MX_FAIL, "below the 1000 MHz minimum");
}

static void test_kernel_arch(void **state)
{
	mx_unit_write(root, "/proc/sys/kernel/osrelease", "4.4.0-210-generic\n");
	expect("system.kernel", MX_FAIL, "older than 4.9");
	mx_unit_write(root, "/proc/sys/kernel/osrelease", "4.18.0-553.el8_10.x86_64\n");
	expect("system.kernel", MX_PASS, "4.18");
	mx_unit_write(root, "/proc/sys/kernel/arch", "aarch64\n");
	expect("system.arch", MX_PASS, "aarch64");
	mx_unit_write(root, "/proc/sys/kernel/arch", "armv7l\n");
	expect("system.arch", MX_FAIL, "armv7l is not supported");
}

static void test_time_sync_fixture(void **state)
{
	struct mx_result r;

	expect("system.time_sync", MX_FAIL, "no NTP service");
	mx_unit_write(root, "/proc/731/comm", "systemd-timesyn\n");
	expect("system.time_sync", MX_PASS, "systemd-timesyncd runs (pid 731)");
	mx_unit_write(root, "/run/systemd/timesync/synchronized", "");
	mx_unit_write(root, "/etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service",
		      "");
	run("system.time_sync", &r);
	assert_int_equal(r.status, MX_PASS);
	assert_string_equal(mx_unit_str(&r, "ntp_service"), "systemd-timesyncd");
	assert_string_equal(mx_unit_str(&r, "synchronized"), "true");
	mx_unit_free(&r);
}

static long fake_maxerror;

static int fake_adjtimex(struct timex *tx)
{
	memset(tx, 0, sizeof(*tx));
	tx->maxerror = fake_maxerror;
	tx->status = fake_maxerror >= 16000000 ? STA_UNSYNC : 0;
	return 0;
}

/* The kernel clock state needs the live path: emulate it with the seam. */
static void test_time_sync_kernel(void **state)
{
	struct mx_result r;

	mx_sysroot_set(NULL);
	mx_adjtimex_fn = fake_adjtimex;
	fake_maxerror = 16000000;
	run("system.time_sync", &r);
	if (r.status == MX_WARN) {
		assert_non_null(strstr(r.summary, "not synchronised"));
	} else {
		/* No NTP daemon on the machine running the tests: it must fail. */
		assert_int_equal(r.status, MX_FAIL);
	}
	assert_string_equal(mx_unit_str(&r, "synchronized"), "false");
	mx_unit_free(&r);
	fake_maxerror = 15999999;
	run("system.time_sync", &r);
	assert_string_equal(mx_unit_str(&r, "synchronized"), "true");
	mx_unit_free(&r);
	mx_adjtimex_fn = adjtimex;
	mx_sysroot_set(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_swap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cpu, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kernel_arch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_time_sync_fixture, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_time_sync_kernel, setup, teardown),
	};

	return cmocka_run_group_tests_name("resources", tests, NULL, NULL);
}
