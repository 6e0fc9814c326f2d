# SPDX-License-Identifier: GPL-2.0
# libFuzzer harnesses of the DNS record parsers (included by the Makefile).
#   make fuzz-smoke            each harness for FUZZ_SECONDS (default 20) from its seed corpus
#   make fuzz FUZZER=spf       one harness until stopped (corpus grows in build/fuzz/corpus)
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SECONDS ?= 15
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -std=gnu11 -D_GNU_SOURCE -Iuser
FUZZERS      := spf dmarc dkim
fuzz_srcs_spf   := user/dns_spf.c user/dns_spf_macro.c user/dns_spf_eval.c user/dns_rr.c
fuzz_srcs_dmarc := user/dns_dmarc.c user/dns_tagval.c
fuzz_srcs_dkim  := user/dns_dkim.c user/dns_tagval.c
fuzz_libs_dkim  := -lcrypto

.PHONY: fuzz-smoke fuzz

$(FUZZ_DIR):
	$(Q)mkdir -p $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard user/dns_*.c user/dns_*.h) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $< $(fuzz_srcs_$*) $(fuzz_libs_$*) -o $@

# Each run starts from a copy of the committed seeds, so the repository's
# corpus only changes when someone commits new seeds.
fuzz-smoke: $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZERS))
	$(Q)set -e; for f in $(FUZZERS); do \
		rm -rf $(FUZZ_DIR)/corpus/$$f; mkdir -p $(FUZZ_DIR)/corpus/$$f; \
		cp tests/fuzz/corpus/$$f/* $(FUZZ_DIR)/corpus/$$f/; \
		printf '  %-8s %s (%ss)\n' FUZZ $$f $(FUZZ_SECONDS); \
		$(FUZZ_DIR)/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			-artifact_prefix=$(FUZZ_DIR)/crash-$$f- $(FUZZ_DIR)/corpus/$$f \
			>$(FUZZ_DIR)/$$f.log 2>&1 || { tail -n 40 $(FUZZ_DIR)/$$f.log; exit 1; }; \
		grep -E '^Done [0-9]+ runs' $(FUZZ_DIR)/$$f.log | sed 's/^/           /'; \
	done

fuzz: $(FUZZ_DIR)/fuzz_$(FUZZER)
	$(Q)mkdir -p $(FUZZ_DIR)/corpus/$(FUZZER)
	$(Q)$(FUZZ_DIR)/fuzz_$(FUZZER) -max_len=4096 $(FUZZ_DIR)/corpus/$(FUZZER) tests/fuzz/corpus/$(FUZZER)
