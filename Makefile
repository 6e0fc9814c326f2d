# SPDX-License-Identifier: GPL-2.0
# mxprobe: all output goes to build/. Quiet unless V=1.
#
#   make            build build/mxprobe (installs missing Debian packages)
#   make run        build, then `mxprobe check` on this host
#   make test       every test: unit, ASan/UBSan unit, integration (root)
#   make install    PREFIX=/usr/local DESTDIR=

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
LLVM_STRIP ?= llvm-strip
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

PKGS      := libip4tc libip6tc libbpf libelf zlib libpcap libnl-3.0 libnl-route-3.0 libnl-nf-3.0 libnl-idiag-3.0 \
             libmnl libnftnl ldns libcurl json-c openssl
# Resolved lazily: pkg-config may only exist after scripts/deps.sh ran.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
CFLAGS   ?= -O2 -g
ALL_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD) $(PKG_CFLAGS) \
             $(EXTRA_CFLAGS)
LDFLAGS  ?=
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -Wall -Werror \
              -Wno-unused-function -Wno-compare-distinct-pointer-types

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
# Everything but main() links into the unit tests.
LIB_OBJS  := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))

.PHONY: all deps test-deps run test test-unit test-asan test-integration bench install \
        uninstall clean format vmlinux
.DELETE_ON_ERROR:
# Keep BPF objects and skeletons: they are intermediates of a chain rule.
.SECONDARY:

all: deps $(BUILD)/mxprobe

deps:
	$(Q)scripts/deps.sh

test-deps:
	$(Q)scripts/deps.sh --test

$(BUILD) $(BUILD)/bpf $(BUILD)/user $(BUILD)/tests:
	$(Q)mkdir -p $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard include/*.h) | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o | $(BUILD)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

# Skeletons come before user code: any user object may include one.
$(BUILD)/user/%.o: user/%.c $(wildcard user/*.h include/*.h) $(SKELS) | $(BUILD)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/mxprobe: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

# Findings about the host (exit 1 or 2) are the report, not a build error;
# 3 (bad usage, missing privilege, internal error) is.
run: all
	$(Q)$(BUILD)/mxprobe check; rc=$$?; [ $$rc -le 2 ] || exit $$rc

include tests/tests.mk
-include tests/kernels/kernels.mk
-include tests/fuzz/fuzz.mk

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 $(BUILD)/mxprobe $(DESTDIR)$(PREFIX)/sbin/mxprobe
	$(Q)install -D -m 0644 docs/mxprobe.8 $(DESTDIR)$(PREFIX)/share/man/man8/mxprobe.8

uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/sbin/mxprobe $(DESTDIR)$(PREFIX)/share/man/man8/mxprobe.8

vmlinux:
	$(Q)scripts/gen-vmlinux.sh

format:
	$(Q)clang-format -i $(USER_SRCS) $(wildcard user/*.h include/*.h bpf/*.c tests/unit/*.c)

clean:
	$(Q)rm -rf $(BUILD)
