// SPDX-License-Identifier: GPL-2.0
/* system.virtualization over one fixture tree per kind: full virtualization
 * passes, containers and NAS boxes fail, and the evidence is named. */
#include "unit.h"

struct virt_case {
	const char *fixture;
	enum mx_status status;
	const char *kind;
	const char *evidence; /* a source that must be in data.evidence */
};

static const struct virt_case cases[] = {
    {"bare-metal", MX_PASS, "none", "dmi sys_vendor"},
    {"kvm", MX_PASS, "kvm", "dmi product_name"},
    {"qemu", MX_PASS, "qemu", "dmi sys_vendor"},
    {"vmware", MX_PASS, "vmware", "dmi sys_vendor"},
    {"hyperv", MX_PASS, "hyperv", "dmi product_name"},
    {"xen", MX_PASS, "xen", "/sys/hypervisor/type"},
    {"virtualbox", MX_PASS, "virtualbox", "dmi sys_vendor"},
    {"cloud-aws", MX_PASS, "cloud", "dmi sys_vendor"},
    {"cloud-hetzner", MX_PASS, "cloud", "dmi sys_vendor"},
    {"stale-dockerenv", MX_PASS, "qemu", "/proc/2/comm"},
    {"openvz", MX_FAIL, "openvz", "/proc/vz without /proc/bc"},
    {"virtuozzo", MX_FAIL, "openvz", "/proc/vz without /proc/bc"},
    {"lxc", MX_FAIL, "lxc", "/proc/1/environ container="},
    {"docker", MX_FAIL, "docker", "/.dockerenv"},
    {"podman", MX_FAIL, "podman", "/run/.containerenv"},
    {"nspawn", MX_FAIL, "systemd-nspawn", "/run/systemd/container"},
    {"wsl", MX_FAIL, "wsl", "/proc/sys/kernel/osrelease"},
    {"synology", MX_FAIL, "nas", "/etc/synoinfo.conf"},
};

static int has_evidence(const struct mx_result *r, const char *source)
{
	json_object *ev, *e, *s;
	size_t i;

	if (!json_object_object_get_ex(r->data, "evidence", &ev))
		return 0;
	for (i = 0; i < json_object_array_length(ev); i++) {
		e = json_object_array_get_idx(ev, i);
		if (json_object_object_get_ex(e, "source", &s) &&
		    !strcmp(json_object_get_string(s), source))
			return 1;
	}
	return 0;
}

static void test_kind(void **state)
{
	const struct virt_case *c = *state;
	static struct mx_config cfg;
	struct mx_result r;

	mx_unit_sysroot(&cfg, c->fixture);
	mx_unit_run(&cfg, "system.virtualization", &r);
	if (r.status != c->status || strcmp(mx_unit_str(&r, "kind"), c->kind))
		fail_msg("%s: got %s/%s (%s), want %s/%s", c->fixture, mx_status_name(r.status),
			 mx_unit_str(&r, "kind"), r.summary, mx_status_name(c->status), c->kind);
	if (!has_evidence(&r, c->evidence))
		fail_msg("%s: evidence '%s' not named", c->fixture, c->evidence);
	if (c->status == MX_FAIL)
		assert_non_null(r.remedy);
	mx_unit_free(&r);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tests[i] =
		    (struct CMUnitTest){cases[i].fixture, test_kind, NULL, NULL, (void *)&cases[i]};
	}
	return _cmocka_run_group_tests("virtualization", tests, i, NULL, NULL);
}
