# SPDX-License-Identifier: GPL-2.0
# Test targets (included by the Makefile).
#   make test              unit + ASan/UBSan unit + integration
#   make test-unit         cmocka unit tests over fixture sysroots (no root needed)
#   make test-asan         the unit tests built with -fsanitize=address,undefined
#   make test-integration  root, real namespaces and real peers

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
ASAN_DIR  := $(BUILD)/asan
ASAN_BINS := $(patsubst tests/unit/%.c,$(ASAN_DIR)/tests/%,$(UNIT_SRCS))
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

test: test-deps test-unit test-asan fuzz-smoke test-integration

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB_OBJS) | $(BUILD)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $< $(LIB_OBJS) $(PKG_LIBS) -lcmocka -o $@

test-unit: all $(UNIT_BINS)
	$(Q)tests/run-unit.sh $(BUILD)/tests

# A separate build tree: every object compiled with the sanitizers.
test-asan: test-deps
	$(Q)$(MAKE) --no-print-directory BUILD=$(ASAN_DIR) \
		CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" asan-run

asan-run: $(BUILD)/mxprobe $(UNIT_BINS)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run-unit.sh $(BUILD)/tests

test-integration: all
	$(Q)tests/run-integration.sh $(BUILD)/mxprobe

bench: all
	$(Q)tests/bench/run.sh $(BUILD)/mxprobe
