/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MX_VIRT_H
#define MX_VIRT_H

enum mx_virt {
	MX_VIRT_NONE,
	/* full virtualization: supported */
	MX_VIRT_KVM,
	MX_VIRT_QEMU,
	MX_VIRT_VMWARE,
	MX_VIRT_HYPERV,
	MX_VIRT_XEN,
	MX_VIRT_VIRTUALBOX,
	MX_VIRT_PARALLELS,
	MX_VIRT_CLOUD,
	MX_VIRT_OTHER_VM,
	/* containers and appliances: not supported */
	MX_VIRT_OPENVZ,
	MX_VIRT_LXC,
	MX_VIRT_DOCKER,
	MX_VIRT_PODMAN,
	MX_VIRT_NSPAWN,
	MX_VIRT_WSL,
	MX_VIRT_OTHER_CONTAINER,
	MX_VIRT_NAS,
};

/* Stable lower-case name for data ("kvm"); a label for people ("KVM"). */
const char *mx_virt_name(enum mx_virt v);
const char *mx_virt_label(enum mx_virt v);
int mx_virt_is_container(enum mx_virt v);
/* The value of container= (systemd's convention) to a kind. */
enum mx_virt mx_virt_from_container_name(const char *s);

#endif
