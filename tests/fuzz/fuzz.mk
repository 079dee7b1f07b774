# tests/fuzz/fuzz.mk - libFuzzer harnesses (included by the top Makefile).
#
#   make fuzz            build every harness with clang (-fsanitize=fuzzer,
#                        address,undefined) and run each for FUZZ_SECONDS
#                        (default 60) from the seed corpus; a crash, sanitizer
#                        report, timeout or broken contract is saved under
#                        build/fuzz/findings/HARNESS/ and fails the target
#   make fuzz-check      run every harness once over its seeds and the saved
#                        reproducers in tests/fuzz/regress/ (seconds; no fuzzing)
#   make fuzz-seeds      rebuild tests/fuzz/corpus/ from the cards and the tests
#   make valgrind        every golden CLI test under valgrind --leak-check=full
#   make deps-fuzz       install clang, its libFuzzer runtime and valgrind (Debian)
#
# FUZZ_HARNESSES=cli make fuzz runs one; FUZZ_JOBS=2 runs two at a time.

# This file is read before the Makefile's first rule: keep 'all' the default goal.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_SECONDS   ?= 60
FUZZ_JOBS      ?= 1
FUZZ_HARNESSES ?= model hw units set precision cli plan writers gnuplot silicon
FUZZ_CC        ?= clang
FUZZ_B         := $(B)/fuzz
FUZZ_OPT       := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
                  -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_DEB_DEPS  := clang libclang-rt-14-dev valgrind
FUZZ_BINS       = $(FUZZ_HARNESSES:%=$(FUZZ_B)/fuzz/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-check fuzz-seeds valgrind deps-fuzz

help: help-fuzz
.PHONY: help-fuzz
help-fuzz:
	@echo "make fuzz       libFuzzer: each harness for FUZZ_SECONDS=$(FUZZ_SECONDS); findings in $(FUZZ_B)/findings"
	@echo "make fuzz-check every harness over its seeds and tests/fuzz/regress (no fuzzing)"
	@echo "make valgrind   the golden CLI tests under valgrind --leak-check=full"

deps-fuzz:
	@missing=""; for p in $(FUZZ_DEB_DEPS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps-fuzz: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	  { echo "deps-fuzz: FAILED to install$$missing: cannot fuzz" >&2; exit 1; }; \
	fi; \
	printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
	  > /tmp/mlasim-fuzz-probe.$$$$.c; \
	if ! $(FUZZ_CC) -fsanitize=fuzzer,address,undefined /tmp/mlasim-fuzz-probe.$$$$.c -o /tmp/mlasim-fuzz-probe.$$$$ 2>/tmp/mlasim-fuzz-probe.$$$$.err; then \
	  echo "deps-fuzz: FAILED: '$(FUZZ_CC) -fsanitize=fuzzer' does not link (libFuzzer runtime missing?):" >&2; \
	  cat /tmp/mlasim-fuzz-probe.$$$$.err >&2; rm -f /tmp/mlasim-fuzz-probe.$$$$*; exit 1; \
	fi; rm -f /tmp/mlasim-fuzz-probe.$$$$*; \
	echo "deps-fuzz: $(FUZZ_CC) with libFuzzer, ASan and UBSan ready"

# Build the library and the harnesses in build-fuzz with clang.
fuzz-build: deps deps-fuzz
	@$(MAKE) -s --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) OPT='$(FUZZ_OPT)' $(FUZZ_BINS)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_HARNESSES)

fuzz-check: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_B) 0 1 $(FUZZ_HARNESSES)

fuzz-seeds:
	@sh tests/fuzz/seeds.sh

valgrind: deps deps-fuzz
	@$(MAKE) --no-print-directory $(B)/mlasim
	@sh tests/fuzz/valgrind.sh $(B)

# Keep the harness objects (make would delete them as intermediates).
.PRECIOUS: $(B)/tests/fuzz/fuzz_%.o

# Harness links (inside the build/fuzz sub-make: $(B) is build/fuzz).  The CLI
# harness takes the command objects, with main() renamed out of sim/cli/cli.c.
$(B)/fuzz/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(B)/libmlasim.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LINK    $@"
	$(Q)$(CC) $(ALLFLAGS) -fsanitize=fuzzer -o $@ $< $(B)/libmlasim.a $(LDLIBS)

FUZZ_CLI_OBJ = $(filter-out $(B)/sim/cli/cli.o,$(CLI:%=$(B)/%.o)) $(B)/tests/fuzz/cli_nomain.o

$(B)/tests/fuzz/cli_nomain.o: sim/cli/cli.c $(B)/.flags
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $< (main renamed)"
	$(Q)$(CC) $(ALLFLAGS) -Dmain=mlasim_main -Wno-missing-prototypes -MMD -MP -c $< -o $@

$(B)/fuzz/fuzz_cli: $(B)/tests/fuzz/fuzz_cli.o $(FUZZ_CLI_OBJ) $(B)/libmlasim.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LINK    $@"
	$(Q)$(CC) $(ALLFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_CLI_OBJ) $(B)/libmlasim.a $(LDLIBS)

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
