// SPDX-License-Identifier: GPL-2.0
/* system.os: one case per row of the seed's table, the edges of each row,
 * derivatives through ID_LIKE, and unknown systems. */
#include "unit.h"
#include "sys_checks.h"

struct os_case {
	const char *name;
	const char *os_release; /* NULL: no os-release at all */
	enum mx_status status;
	const char *support;
};

static const struct os_case cases[] = {
    {"debian 11", "ID=debian\nVERSION_ID=\"11\"\nPRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\n",
     MX_PASS, "full"},
    {"debian 12", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
     MX_PASS, "full"},
    {"debian 10 (below the row)",
     "ID=debian\nVERSION_ID=\"10\"\nPRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\n", MX_WARN,
     "untested"},
    {"debian 13 (above the row)",
     "ID=debian\nVERSION_ID=\"13\"\nPRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\n", MX_WARN,
     "untested"},
    {"debian sid (no VERSION_ID)", "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\n",
     MX_WARN, "untested"},
    {"ubuntu 22.04",
     "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n",
     MX_PASS, "full"},
    {"ubuntu 24.04 (or newer)",
     "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\nPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\n",
     MX_PASS, "full"},
    {"ubuntu 20.04",
     "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"20.04\"\nPRETTY_NAME=\"Ubuntu 20.04.6 LTS\"\n",
     MX_WARN, "untested"},
    {"alma 8",
     "ID=\"almalinux\"\nID_LIKE=\"rhel centos "
     "fedora\"\nVERSION_ID=\"8.10\"\nPRETTY_NAME=\"AlmaLinux 8.10 (Cerulean Leopard)\"\n",
     MX_PASS, "full"},
    {"alma 9",
     "ID=\"almalinux\"\nID_LIKE=\"rhel centos "
     "fedora\"\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"AlmaLinux 9.4 (Seafoam Ocelot)\"\n",
     MX_PASS, "full"},
    {"alma 10", "ID=\"almalinux\"\nVERSION_ID=\"10.0\"\nPRETTY_NAME=\"AlmaLinux 10.0\"\n", MX_WARN,
     "untested"},
    {"rocky 9",
     "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Rocky Linux "
     "9.3 (Blue Onyx)\"\n",
     MX_PASS, "full"},
    {"rocky 8 (not in the row)",
     "ID=\"rocky\"\nVERSION_ID=\"8.9\"\nPRETTY_NAME=\"Rocky Linux 8.9 (Green Obsidian)\"\n",
     MX_WARN, "untested"},
    {"alpine 3.19", "ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n", MX_WARN,
     "limited"},
    {"alpine 3.20", "ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n", MX_WARN,
     "limited"},
    {"alpine 3.18", "ID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME=\"Alpine Linux v3.18\"\n", MX_WARN,
     "untested"},
    {"mint (ID_LIKE ubuntu)",
     "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\nVERSION_ID=\"21.3\"\nPRETTY_NAME=\"Linux Mint "
     "21.3\"\n",
     MX_WARN, "untested"},
    {"arch", "ID=arch\nPRETTY_NAME=\"Arch Linux\"\n", MX_WARN, "untested"},
    {"no os-release", NULL, MX_WARN, ""},
};

static void test_row(void **state)
{
	const struct os_case *c = *state;
	static struct mx_config cfg;
	struct mx_result r;
	char root[64];

	mx_unit_tmproot(root, sizeof(root));
	mx_config_defaults(&cfg);
	if (c->os_release)
		mx_unit_write(root, "/etc/os-release", c->os_release);
	mx_unit_run(&cfg, "system.os", &r);
	if (r.status != c->status || strcmp(mx_unit_str(&r, "support"), c->support))
		fail_msg("%s: got %s/%s (%s)", c->name, mx_status_name(r.status),
			 mx_unit_str(&r, "support"), r.summary);
	mx_unit_free(&r);
	mx_unit_rmroot(root);
}

static void test_usr_lib_fallback(void **state)
{
	static struct mx_config cfg;
	struct mx_result r;
	char root[64];

	mx_unit_tmproot(root, sizeof(root));
	mx_config_defaults(&cfg);
	mx_unit_write(root, "/usr/lib/os-release",
		      "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n");
	mx_unit_run(&cfg, "system.os", &r);
	assert_int_equal(r.status, MX_PASS);
	assert_string_equal(mx_unit_str(&r, "source"), "/usr/lib/os-release");
	mx_unit_free(&r);
	mx_unit_rmroot(root);
}

static void test_version_cmp(void **state)
{
	assert_int_equal(mx_version_cmp_prefix("9.4", "9"), 0);
	assert_int_equal(mx_version_cmp_prefix("24.04", "22.04"), 1);
	assert_int_equal(mx_version_cmp_prefix("22.04", "22.04"), 0);
	assert_int_equal(mx_version_cmp_prefix("3.9", "3.19"), -1);
	assert_int_equal(mx_version_cmp_prefix("9", "9.1"), -1);
	assert_int_equal(mx_version_cmp_prefix("10", "9"), 1);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 2];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tests[i] =
		    (struct CMUnitTest){cases[i].name, test_row, NULL, NULL, (void *)&cases[i]};
	tests[i++] = (struct CMUnitTest){"usr/lib/os-release fallback", test_usr_lib_fallback, NULL,
					 NULL, NULL};
	tests[i++] = (struct CMUnitTest){"version compare", test_version_cmp, NULL, NULL, NULL};
	return _cmocka_run_group_tests("os", tests, i, NULL, NULL);
}
