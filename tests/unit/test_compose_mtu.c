// SPDX-License-Identifier: GPL-2.0
/* Reading com.docker.network.driver.mtu from mailcow's compose files: only
 * under networks.mailcow-network.driver_opts, the override winning, quotes,
 * comments and ${VAR:-default} from mailcow.conf. */
#include "unit.h"
#include <unistd.h>

#include "compose_mtu.h"

static void test_fixture_sysroot(void **state)
{
	static struct mx_config cfg;
	struct mx_compose_net cn;

	mx_unit_sysroot(&cfg, "compose_mailcow");
	assert_int_equal(mx_compose_read("/opt/mailcow-dockerized", 1, NULL, &cn), 2);
	assert_int_equal(cn.network_found, 1);
	/* 9000 in an environment list and 9001 under a service are not the
	 * network's; the override's 1450 is. */
	assert_int_equal(cn.mtu, 1450);
	assert_string_equal(cn.mtu_raw, "1450");
	assert_non_null(strstr(cn.mtu_file, "compose_mailcow/opt/mailcow-dockerized/"
					    "docker-compose.override.yml"));
	assert_int_equal(cn.mtu_line, 14);
	assert_string_equal(cn.bridge, "br-mailcow");
	assert_non_null(strstr(cn.file, "docker-compose.yml"));
}

static void test_main_file_only(void **state)
{
	struct mx_compose_net cn;
	int fd;
	char dir[] = "/tmp/mxunit-compose.XXXXXX", path[64], path2[80];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/docker-compose.yml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("networks:\n  mailcow-network:\n    driver: bridge\n", f);
	fclose(f);
	assert_int_equal(mx_compose_read(dir, 0, NULL, &cn), 1);
	assert_int_equal(cn.network_found, 1);
	assert_int_equal(cn.mtu, 0); /* Docker's default applies */
	unlink(path);
	/* Compose v2's own name, with an override of the old name. */
	snprintf(path, sizeof(path), "%s/compose.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("networks:\n  mailcow-network:\n    driver: bridge\n", f);
	fclose(f);
	snprintf(path2, sizeof(path2), "%s/docker-compose.override.yml", dir);
	f = fopen(path2, "w");
	assert_non_null(f);
	fputs("networks:\n  mailcow-network:\n    driver_opts:\n"
	      "      com.docker.network.driver.mtu: 1400\n",
	      f);
	fclose(f);
	assert_int_equal(mx_compose_read(dir, 0, NULL, &cn), 2);
	assert_int_equal(cn.mtu, 1400);
	assert_non_null(strstr(cn.file, "/compose.yaml"));
	unlink(path);
	unlink(path2);
	rmdir(dir);
	assert_true(mx_compose_read(dir, 0, NULL, &cn) < 0);
	(void)fd;
}

static void test_substitution(void **state)
{
	struct mx_mailcow_conf mc;
	struct mx_compose_net cn;
	const char *yml = "networks:\n"
			  "  mailcow-network:\n"
			  "    driver_opts:\n"
			  "      com.docker.network.driver.mtu: ${MTU:-1400}\n"
			  "      com.docker.network.bridge.name: \"${BR}\"\n";

	memset(&mc, 0, sizeof(mc));
	memset(&cn, 0, sizeof(cn));
	mx_compose_parse(yml, "x.yml", NULL, &cn);
	assert_int_equal(cn.mtu, 1400);
	assert_string_equal(cn.mtu_raw, "${MTU:-1400}");
	mx_mc_parse(&mc, "MTU=1380\nBR=br-mc\n");
	memset(&cn, 0, sizeof(cn));
	mx_compose_parse(yml, "x.yml", &mc, &cn);
	assert_int_equal(cn.mtu, 1380);
	assert_string_equal(cn.bridge, "br-mc");
	/* Set but empty: ":-" takes the default. */
	mx_mc_parse(&mc, "MTU=\n");
	memset(&cn, 0, sizeof(cn));
	mx_compose_parse(yml, "x.yml", &mc, &cn);
	assert_int_equal(cn.mtu, 1400);
}

static void test_invalid_and_misplaced(void **state)
{
	struct mx_compose_net cn;

	memset(&cn, 0, sizeof(cn));
	mx_compose_parse("networks:\n  mailcow-network:\n    driver_opts:\n"
			 "      com.docker.network.driver.mtu: fifteen-hundred\n",
			 "x.yml", NULL, &cn);
	assert_int_equal(cn.mtu_invalid, 1);
	assert_int_equal(cn.mtu, 0);
	memset(&cn, 0, sizeof(cn));
	mx_compose_parse("networks:\n  mailcow-network:\n    driver_opts:\n"
			 "      com.docker.network.driver.mtu: 40\n",
			 "x.yml", NULL, &cn);
	assert_int_equal(cn.mtu_invalid, 1);
	/* Another network's MTU, and a commented-out line: not ours. */
	memset(&cn, 0, sizeof(cn));
	mx_compose_parse("networks:\n  other:\n    driver_opts:\n"
			 "      com.docker.network.driver.mtu: 1400\n"
			 "  mailcow-network:\n    driver_opts:\n"
			 "#      com.docker.network.driver.mtu: 1300\n"
			 "      com.docker.network.bridge.name: br-mailcow # name\r\n",
			 "x.yml", NULL, &cn);
	assert_int_equal(cn.mtu, 0);
	assert_int_equal(cn.mtu_line, 0);
	assert_int_equal(cn.network_found, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture_sysroot),
	    cmocka_unit_test(test_main_file_only),
	    cmocka_unit_test(test_substitution),
	    cmocka_unit_test(test_invalid_and_misplaced),
	};

	return cmocka_run_group_tests_name("compose_mtu", tests, NULL, NULL);
}
