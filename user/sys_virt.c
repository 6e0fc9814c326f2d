// SPDX-License-Identifier: GPL-2.0
/* system.virtualization: seed "Do not try to install mailcow on a
 * Synology/QNAP device (any NAS), OpenVZ, LXC or other container platforms.
 * KVM, ESX, Hyper-V and other full virtualization platforms are supported."
 * Every piece of evidence found is named in data.evidence. */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "sys_checks.h"
#include "sysroot.h"
#include "virt.h"

struct evidence {
	json_object *list;
};

static void note(struct evidence *ev, const char *source, const char *value)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "source", json_object_new_string(source));
	json_object_object_add(e, "value", json_object_new_string(value));
	json_object_array_add(ev->list, e);
}

/* CPUID leaf 0x40000000 names the hypervisor; leaf 1 ECX bit 31 says there
 * is one. Only meaningful on the live system. */
static int cpuid_vendor(char *out, size_t len)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	char v[13];

	if (!mx_sysroot_live() || !__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return 0;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(v, &b, 4);
	memcpy(v + 4, &c, 4);
	memcpy(v + 8, &d, 4);
	v[12] = '\0';
	snprintf(out, len, "%s", v);
	return 1;
#else
	(void)out;
	(void)len;
	return 0;
#endif
}

static const struct {
	const char *needle;
	enum mx_virt kind;
} cpuid_vendors[] = {
    {"KVMKVMKVM", MX_VIRT_KVM},		 {"TCGTCGTCGTCG", MX_VIRT_QEMU},
    {"VMwareVMware", MX_VIRT_VMWARE},	 {"Microsoft Hv", MX_VIRT_HYPERV},
    {"XenVMMXenVMM", MX_VIRT_XEN},	 {"VBoxVBoxVBox", MX_VIRT_VIRTUALBOX},
    {"bhyve bhyve ", MX_VIRT_OTHER_VM},	 {"ACRNACRNACRN", MX_VIRT_OTHER_VM},
    {" lrpepyh  vr", MX_VIRT_PARALLELS}, {"QNXQVMBSQG", MX_VIRT_OTHER_VM},
};

/* DMI strings as the firmware of each platform sets them. */
static const struct {
	const char *vendor;  /* substring of sys_vendor */
	const char *product; /* substring of product_name, or NULL */
	enum mx_virt kind;
} dmi_table[] = {
    {"QEMU", NULL, MX_VIRT_QEMU},
    {"VMware", NULL, MX_VIRT_VMWARE},
    {"innotek", NULL, MX_VIRT_VIRTUALBOX},
    {"Oracle Corporation", "VirtualBox", MX_VIRT_VIRTUALBOX},
    {"Microsoft Corporation", "Virtual Machine", MX_VIRT_HYPERV},
    {"Xen", NULL, MX_VIRT_XEN},
    {"Amazon EC2", NULL, MX_VIRT_CLOUD},
    {"Google", "Google Compute Engine", MX_VIRT_CLOUD},
    {"DigitalOcean", NULL, MX_VIRT_CLOUD},
    {"Hetzner", NULL, MX_VIRT_CLOUD},
    {"OpenStack", NULL, MX_VIRT_CLOUD},
    {"Alibaba Cloud", NULL, MX_VIRT_CLOUD},
    {"Scaleway", NULL, MX_VIRT_CLOUD},
    {"Vultr", NULL, MX_VIRT_CLOUD},
    {"Linode", NULL, MX_VIRT_CLOUD},
    {"Parallels", NULL, MX_VIRT_PARALLELS},
    {"Bochs", NULL, MX_VIRT_QEMU},
    {"Red Hat", "KVM", MX_VIRT_KVM},
    {"Nutanix", "AHV", MX_VIRT_KVM},
    {"Proxmox", NULL, MX_VIRT_KVM},
};

/* Container evidence: the environment of PID 1 and the files runtimes leave. */
static enum mx_virt container_kind(struct evidence *ev)
{
	char buf[8192], v[64];
	ssize_t n;

	/* OpenVZ/Virtuozzo guests have /proc/vz but not /proc/bc (the host has both). */
	if (mx_exists("/proc/vz") && !mx_exists("/proc/bc")) {
		note(ev, "/proc/vz without /proc/bc", "openvz");
		return MX_VIRT_OPENVZ;
	}
	/* WSL2's kernel is built by Microsoft and says so. */
	if (mx_read_line("/proc/sys/kernel/osrelease", v, sizeof(v)) > 0 &&
	    (strstr(v, "microsoft") || strstr(v, "Microsoft") || strstr(v, "WSL"))) {
		note(ev, "/proc/sys/kernel/osrelease", v);
		return MX_VIRT_WSL;
	}
	n = mx_read_file("/proc/1/environ", buf, sizeof(buf));
	if (n > 0) {
		ssize_t i = 0;

		while (i < n) {
			const char *e = buf + i;

			if (!strncmp(e, "container=", 10)) {
				snprintf(v, sizeof(v), "%s", e + 10);
				note(ev, "/proc/1/environ container=", v);
				return mx_virt_from_container_name(v);
			}
			i += strlen(e) + 1;
		}
	}
	if (mx_read_line("/run/systemd/container", v, sizeof(v)) > 0) {
		note(ev, "/run/systemd/container", v);
		return mx_virt_from_container_name(v);
	}
	/* Marker files survive in images that were turned into VMs: believe
	 * them only where kernel threads are hidden, as a PID namespace does. */
	if (mx_exists("/.dockerenv") || mx_exists("/run/.containerenv")) {
		int docker = mx_exists("/.dockerenv");
		char comm[32] = "";

		note(ev, docker ? "/.dockerenv" : "/run/.containerenv",
		     docker ? "docker" : "podman");
		if (mx_read_line("/proc/2/comm", comm, sizeof(comm)) > 0 &&
		    !strcmp(comm, "kthreadd")) {
			note(ev, "/proc/2/comm",
			     "kthreadd visible: marker file ignored, not a container");
		} else {
			return docker ? MX_VIRT_DOCKER : MX_VIRT_PODMAN;
		}
	}
	if (mx_exists("/proc/user_beancounters")) {
		note(ev, "/proc/user_beancounters", "openvz");
		return MX_VIRT_OPENVZ;
	}
	return MX_VIRT_NONE;
}

static enum mx_virt nas_kind(struct evidence *ev)
{
	if (mx_exists("/etc/synoinfo.conf") || mx_exists("/etc.defaults/VERSION")) {
		note(ev, "/etc/synoinfo.conf", "synology");
		return MX_VIRT_NAS;
	}
	if (mx_exists("/etc/config/qpkg.conf") || mx_exists("/etc/platform.conf")) {
		note(ev, "/etc/config/qpkg.conf", "qnap");
		return MX_VIRT_NAS;
	}
	return MX_VIRT_NONE;
}

static enum mx_virt vm_kind(struct evidence *ev)
{
	char vendor[128] = "", product[128] = "", cpu[16], hyp[32];
	enum mx_virt kind = MX_VIRT_NONE;
	size_t i;

	if (cpuid_vendor(cpu, sizeof(cpu))) {
		note(ev, "cpuid 0x40000000", cpu);
		for (i = 0; i < sizeof(cpuid_vendors) / sizeof(cpuid_vendors[0]); i++)
			if (!strcmp(cpu, cpuid_vendors[i].needle))
				kind = cpuid_vendors[i].kind;
		if (kind == MX_VIRT_NONE)
			kind = MX_VIRT_OTHER_VM;
	}
	mx_read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor));
	mx_read_line("/sys/class/dmi/id/product_name", product, sizeof(product));
	if (vendor[0])
		note(ev, "dmi sys_vendor", vendor);
	if (product[0])
		note(ev, "dmi product_name", product);
	for (i = 0; i < sizeof(dmi_table) / sizeof(dmi_table[0]); i++) {
		if (!strstr(vendor, dmi_table[i].vendor))
			continue;
		if (dmi_table[i].product && !strstr(product, dmi_table[i].product))
			continue;
		/* A cloud's DMI is more telling than its hypervisor's CPUID. */
		if (kind == MX_VIRT_NONE || dmi_table[i].kind == MX_VIRT_CLOUD)
			kind = dmi_table[i].kind;
		break;
	}
	if (mx_read_line("/sys/hypervisor/type", hyp, sizeof(hyp)) > 0) {
		note(ev, "/sys/hypervisor/type", hyp);
		if (kind == MX_VIRT_NONE && !strcmp(hyp, "xen"))
			kind = MX_VIRT_XEN;
	}
	if (kind == MX_VIRT_NONE && mx_cpuinfo_hypervisor_flag()) {
		note(ev, "/proc/cpuinfo flags", "hypervisor");
		kind = MX_VIRT_OTHER_VM;
	}
	return kind;
}

void mx_check_virt(struct mx_ctx *ctx, struct mx_result *r)
{
	struct evidence ev = {.list = json_object_new_array()};
	enum mx_virt kind;
	const char *name;

	kind = nas_kind(&ev);
	if (kind == MX_VIRT_NONE)
		kind = container_kind(&ev);
	if (kind == MX_VIRT_NONE)
		kind = vm_kind(&ev);
	name = mx_virt_label(kind);
	mx_data_str(r, "kind", mx_virt_name(kind));
	mx_data_bool(r, "container", mx_virt_is_container(kind));
	json_object_object_add(mx_result_data(r), "evidence", ev.list);

	switch (kind) {
	case MX_VIRT_NONE:
		mx_result_set(r, MX_PASS, "bare metal (no hypervisor or container found)");
		return;
	case MX_VIRT_NAS:
		mx_result_set(r, MX_FAIL,
			      "this is a NAS: mailcow is not supported on Synology/QNAP devices");
		mx_result_remedy(r, "use a VM (KVM, ESX, Hyper-V) or a bare-metal server");
		return;
	default:
		break;
	}
	if (mx_virt_is_container(kind)) {
		mx_result_set(r, MX_FAIL,
			      "running in a container (%s): not supported (seed: no OpenVZ, "
			      "Virtuozzo, LXC or other containers)",
			      name);
		mx_result_remedy(r, "use full virtualization (KVM, ESX, Hyper-V) or bare metal: "
				    "containers break Docker's rlimits, overlayfs and nf_nat");
		return;
	}
	if (kind == MX_VIRT_CLOUD) {
		char vendor[128] = "";

		mx_read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor));
		mx_result_set(r, MX_PASS,
			      "cloud virtual machine (%s): full virtualization is supported",
			      vendor);
		return;
	}
	mx_result_set(r, MX_PASS, "%s virtual machine: full virtualization is supported", name);
}
