// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "virt.h"

static const char *const names[] = {
    [MX_VIRT_NONE] = "none",
    [MX_VIRT_KVM] = "kvm",
    [MX_VIRT_QEMU] = "qemu",
    [MX_VIRT_VMWARE] = "vmware",
    [MX_VIRT_HYPERV] = "hyperv",
    [MX_VIRT_XEN] = "xen",
    [MX_VIRT_VIRTUALBOX] = "virtualbox",
    [MX_VIRT_PARALLELS] = "parallels",
    [MX_VIRT_CLOUD] = "cloud",
    [MX_VIRT_OTHER_VM] = "vm",
    [MX_VIRT_OPENVZ] = "openvz",
    [MX_VIRT_LXC] = "lxc",
    [MX_VIRT_DOCKER] = "docker",
    [MX_VIRT_PODMAN] = "podman",
    [MX_VIRT_NSPAWN] = "systemd-nspawn",
    [MX_VIRT_WSL] = "wsl",
    [MX_VIRT_OTHER_CONTAINER] = "container",
    [MX_VIRT_NAS] = "nas",
};

static const char *const labels[] = {
    [MX_VIRT_NONE] = "bare metal",
    [MX_VIRT_KVM] = "KVM",
    [MX_VIRT_QEMU] = "QEMU",
    [MX_VIRT_VMWARE] = "VMware",
    [MX_VIRT_HYPERV] = "Hyper-V",
    [MX_VIRT_XEN] = "Xen",
    [MX_VIRT_VIRTUALBOX] = "VirtualBox",
    [MX_VIRT_PARALLELS] = "Parallels",
    [MX_VIRT_CLOUD] = "cloud",
    [MX_VIRT_OTHER_VM] = "unidentified hypervisor",
    [MX_VIRT_OPENVZ] = "OpenVZ/Virtuozzo",
    [MX_VIRT_LXC] = "LXC",
    [MX_VIRT_DOCKER] = "Docker",
    [MX_VIRT_PODMAN] = "Podman",
    [MX_VIRT_NSPAWN] = "systemd-nspawn",
    [MX_VIRT_WSL] = "WSL",
    [MX_VIRT_OTHER_CONTAINER] = "unidentified container",
    [MX_VIRT_NAS] = "NAS",
};

const char *mx_virt_label(enum mx_virt v)
{
	return (unsigned)v < sizeof(labels) / sizeof(labels[0]) ? labels[v] : "unknown";
}

const char *mx_virt_name(enum mx_virt v)
{
	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "unknown";
}

int mx_virt_is_container(enum mx_virt v)
{
	return v >= MX_VIRT_OPENVZ && v <= MX_VIRT_OTHER_CONTAINER;
}

enum mx_virt mx_virt_from_container_name(const char *s)
{
	if (!strncmp(s, "lxc", 3)) /* lxc, lxc-libvirt */
		return MX_VIRT_LXC;
	if (!strcmp(s, "docker"))
		return MX_VIRT_DOCKER;
	if (!strcmp(s, "podman") || !strcmp(s, "oci"))
		return MX_VIRT_PODMAN;
	if (!strcmp(s, "systemd-nspawn"))
		return MX_VIRT_NSPAWN;
	if (!strcmp(s, "wsl"))
		return MX_VIRT_WSL;
	if (!strcmp(s, "openvz"))
		return MX_VIRT_OPENVZ;
	return MX_VIRT_OTHER_CONTAINER;
}
