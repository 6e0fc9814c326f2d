# Kernel matrix: boot Debian's stock kernels under qemu and run the live
# integration tests inside each. Included by the main Makefile:
#     include tests/kernels/kernels.mk
# Targets:
#   make test-kernels                   every kernel of tests/kernels/kernels.list
#   make test-kernels KERNELS="a b"     only these (package names or paths)
#   make test-kernels-selftest          the harness's own tests, no mxprobe needed
#   make add-kernel KERNEL=PKG_OR_PATH  fetch it and add it to kernels.list
#   make clean-kernels                  drop the kernel cache ($(BUILD)/kernels)
# Needs root. See docs/kernel-matrix.md.

BUILD ?= build
# the directory of this fragment, whatever the including Makefile's cwd
KERNELS_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
KERNELS_ROOT := $(abspath $(KERNELS_MK_DIR)/../..)
KERNELS ?=

.PHONY: test-kernels test-kernels-selftest add-kernel clean-kernels

# BUILD is passed so the scripts agree with make on where build/ is.
test-kernels: $(BUILD)/mxprobe
	BUILD=$(BUILD) $(KERNELS_ROOT)/tests/kernels/test-kernels.sh $(KERNELS)

# The harness's own tests (tests/kernels/selftest: netns+veth, nftables and
# both iptables, on-demand modules, BPF) instead of the live tests; needs no
# mxprobe binary.
test-kernels-selftest:
	BUILD=$(BUILD) MXP_LIVE_DIR=tests/kernels/selftest $(KERNELS_ROOT)/tests/kernels/test-kernels.sh $(KERNELS)

add-kernel:
	@test -n "$(KERNEL)" || { echo "add-kernel: KERNEL=pkg-or-path missing" >&2; exit 2; }
	BUILD=$(BUILD) $(KERNELS_ROOT)/scripts/kernel-fetch.sh "$(KERNEL)" >/dev/null
	@if grep -qxF -- "$(KERNEL)" $(KERNELS_ROOT)/tests/kernels/kernels.list; then \
		echo "add-kernel: $(KERNEL) already in tests/kernels/kernels.list"; \
	else \
		printf '%s\n' "$(KERNEL)" >>$(KERNELS_ROOT)/tests/kernels/kernels.list; \
		echo "add-kernel: $(KERNEL) added to tests/kernels/kernels.list"; \
	fi

clean-kernels:
	rm -rf $(BUILD)/kernels

# tests/bench/binds.sh in each guest (tests/kernels/bench): the with/without
# ratio of mechanisms this machine cannot attach (fexit on 6.1). The report is
# build/kernels/out/VER/logs/bench/binds.log.
.PHONY: bench-kernels
bench-kernels: $(BUILD)/mxprobe
	BUILD=$(BUILD) MXP_LIVE_DIR=tests/kernels/bench MXP_TEST_TIMEOUT=$${MXP_TEST_TIMEOUT:-900} \
		KERNEL_TIMEOUT=$${KERNEL_TIMEOUT:-1200} $(KERNELS_ROOT)/tests/kernels/test-kernels.sh $(KERNELS)
