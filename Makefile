# mlasim - build, test, bench, install.  'make help' lists the targets.
#
# Everything but the CUDA probes builds with a C11 compiler, cJSON and GSL;
# 'make deps' installs what is missing from Debian.  Compiler flags are
# recorded in build/.flags: changing them (CFLAGS=..., PREFIX=...) rebuilds.

PREFIX   ?= /usr/local
DATADIR  ?= $(PREFIX)/share/mlasim
CC       ?= cc
OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?=
ALLFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(OPT) $(WARN) -Isim -Isim/calib -Isim/cli -Ireports \
            -DMLASIM_DATADIR='"$(DATADIR)"' $(CFLAGS)
LDLIBS   := -lcjson -lgsl -lgslcblas -lm -pthread

B        := build
V        ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif
# the engine (sim/), the calibration fits it reads measurements with
# (sim/calib/), the writers (reports/) and the commands (sim/cli/)
ENGINE   := $(addprefix sim/,err infile units jsonx model layers hw cards precision params kv comm topo kern \
              perf power plan search engine serve front stats series) \
            $(addprefix sim/calib/,kfit borrow silicon ixrecipe ixrecipe_table)
CLI      := $(addprefix sim/cli/,cli cli_plan cmd_help cmd_list cmd_kv cmd_plan cmd_chart cmd_validate \
              cmd_vserving cmd_probe cmd_net cmd_report cmd_sweep sweep_parts)
REPORTS  := $(addprefix reports/,sbuf out report gnuplot fmt csv charts pareto html plan_table plan_json \
              plan_search plan_fields)
DEB_DEPS := libcjson-dev libgsl-dev gnuplot-nox jq parallel cppcheck
# Slurm's controller, node daemon and clients: only for the test that runs
# examples/slurm-sweep.sbatch on a one-node cluster of its own (make deps-slurm)
SLURM_DEPS := slurmctld slurmd slurm-client
# extra unit-test programs (each prints ok/not ok lines; tests/run.sh runs them all)
TEST_BINS = $(B)/unit

.DEFAULT_GOAL := all

# Parts with a makefile of their own may add to ENGINE, CLI, TEST_BINS, DEB_DEPS
# and define their own targets (probes: CUDA; fuzz: libFuzzer).
-include probes/probes.mk
-include tests/fuzz/fuzz.mk

LIB_OBJ   = $(ENGINE:%=$(B)/%.o) $(REPORTS:%=$(B)/%.o)
CLI_OBJ   = $(CLI:%=$(B)/%.o)
# build/unit: the harness, the shared helpers, main and one file per area
TEST_OBJ  = $(patsubst %.c,$(B)/%.o,$(sort $(wildcard tests/unit/*.c)))

.PHONY: all deps deps-browser deps-slurm test asan analyze bench calibrate fit-engines demo install clean help check-deps FORCE

all: $(B)/mlasim

help:
	@echo "make            build build/mlasim"
	@echo "make deps       install missing Debian packages: $(DEB_DEPS)"
	@echo "make deps-browser  install chromium when missing (the report's browser test; skipped without it)"
	@echo "make deps-slurm    install $(SLURM_DEPS) when missing (the Slurm sweep test; skipped without it)"
	@echo "make test       build and run every test (unit, golden CLI, bad input, examples, properties)"
	@echo "make test T=NAME  only the tests whose name contains NAME (e.g. T=serve; HACKING.md s7)"
	@echo "make asan       the same tests under AddressSanitizer + UBSan (T=NAME too)"
	@echo "make analyze    cppcheck over sim/, reports/, probes/*.c and tests/; fails on any finding"
	@echo "make probes     build the CUDA calibration probes (needs nvcc; skipped without it)"
	@echo "make bench      time 'mlasim plan' and count plan evaluations per second"
	@echo "make calibrate  refit the bundled cards' calibration from hw/published/"
	@echo "make fit-engines  refit engines/*.json overheads on the training half of SAMPLE="
	@echo "                (aiconfigurator's silicon sample; default $(SAMPLE)); VERSIONS=1:"
	@echo "                each version's own figures too (engines/README.md: not kept)"
	@echo "make demo       size DeepSeek-V3 on a GB200 NVL72 rack and on 8xH800"
	@echo "make install    PREFIX=$(PREFIX): binary, cards, help text"
	@echo "V=1             show the full compiler commands"

# ---- dependencies -------------------------------------------------------
deps:
	@missing=""; for p in $(DEB_DEPS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all present ($(DEB_DEPS))"; exit 0; fi; \
	echo "deps: installing$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null && \
	echo "deps: installed$$missing"

# chromium, only for the test that opens 'mlasim report' in a headless browser
deps-browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	  echo "deps-browser: chromium present"; exit 0; fi; \
	echo "deps-browser: installing chromium"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null && \
	echo "deps-browser: installed chromium"

# Slurm, only for the test that runs examples/slurm-sweep.sbatch on a cluster
# it starts and stops itself (tests/props/cluster.sh).  Debian starts no Slurm
# service without /etc/slurm/slurm.conf, which this does not write.  Not
# fatal: without Slurm that test is skipped, saying why.
deps-slurm:
	@missing=""; for p in $(SLURM_DEPS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps-slurm: all present ($(SLURM_DEPS))"; exit 0; fi; \
	echo "deps-slurm: installing$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	if $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; then \
	  echo "deps-slurm: installed$$missing"; \
	else echo "deps-slurm: could not install$$missing: the Slurm test will be skipped"; fi

# ---- build --------------------------------------------------------------
$(B)/.flags: FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(ALLFLAGS) $(LDLIBS)' | cmp -s - $@ || echo '$(CC) $(ALLFLAGS) $(LDLIBS)' > $@

$(B)/%.o: %.c $(B)/.flags
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALLFLAGS) -MMD -MP -c $< -o $@

$(B)/libmlasim.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/mlasim: $(CLI_OBJ) $(B)/libmlasim.a
	@[ "$(V)" = 1 ] || echo "  LINK    $@"
	$(Q)$(CC) $(ALLFLAGS) -o $@ $(CLI_OBJ) $(B)/libmlasim.a $(LDLIBS)

$(B)/unit: $(TEST_OBJ) $(B)/libmlasim.a
	@[ "$(V)" = 1 ] || echo "  LINK    $@"
	$(Q)$(CC) $(ALLFLAGS) -o $@ $(TEST_OBJ) $(B)/libmlasim.a $(LDLIBS)

$(B)/bench: $(B)/tests/bench.o $(B)/libmlasim.a
	$(Q)$(CC) $(ALLFLAGS) -o $@ $< $(B)/libmlasim.a $(LDLIBS)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- test, asan, analyze, bench -----------------------------------------
# 'make test T=NAME': only the tests whose name contains NAME (tests/run.sh
# says how each kind of test is named), quoted for the shell as it is.  Only
# from the command line: a T in the environment is not taken for a filter.
T_ARG = $(if $(filter command line,$(origin T)),$(if $(T),'$(subst ','\'',$(T))'))

test: deps deps-browser deps-slurm
	@$(MAKE) --no-print-directory $(B)/mlasim $(TEST_BINS)
	@sh tests/run.sh $(B) $(T_ARG)

asan: deps
	@$(MAKE) --no-print-directory B=build-asan OPT='-O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all' \
	  build-asan/mlasim $(subst $(B)/,build-asan/,$(TEST_BINS))
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/run.sh build-asan $(T_ARG)

# static analysis: tests/analyze/run.sh says what is checked and what is not
analyze: deps
	@sh tests/analyze/run.sh

bench: deps
	@$(MAKE) --no-print-directory $(B)/mlasim $(B)/bench
	@sh tests/bench.sh $(B)

# Refit the bundled cards' "calibration" from their published kernel records
# (hw/published/CARD/, or, where CARD/borrow.json names a sibling, the
# sibling's records fitted on its card: sim/calib/borrow.h), kept in the cards' own
# layout (jq, 2 spaces); tests/props/calibration.sh checks that the cards
# hold what this writes.
PUBLISHED_CARDS = $(notdir $(wildcard hw/published/*))
# the engine cards' fitted figures: 'validate --serving --fit' on the declared
# training half of aiconfigurator's silicon sample, written into each card
SAMPLE ?= ../shared/data/aiconfigurator/silicon_sample.csv
fit-engines: deps $(B)/mlasim
	@[ -f "$(SAMPLE)" ] || { echo "fit-engines: no sample at SAMPLE=$(SAMPLE)" >&2; exit 1; }
	$(B)/mlasim validate --serving "$(SAMPLE)" $(if $(VERSIONS),--fit-versions,--fit) --format json -o $(B)/engine-fit.json
	@for e in $$(jq -r '.fitted[].engine' $(B)/engine-fit.json); do \
	  jq --indent 2 --arg e $$e --arg date "$$(date -u +%Y-%m-%d)" --slurpfile f $(B)/engine-fit.json \
	    -f engines/fit.jq engines/$$e.json > $(B)/$$e.engine.json && mv $(B)/$$e.engine.json engines/$$e.json || exit 1; \
	  echo "fit-engines: engines/$$e.json: $$(jq -r .fit.summary engines/$$e.json)"; \
	done

calibrate: deps $(B)/mlasim
	@for c in $(PUBLISHED_CARDS); do \
	  $(B)/mlasim probe --published hw/published/$$c --hw hw/$$c.json -o $(B)/$$c.card.json && \
	  jq --indent 2 . $(B)/$$c.card.json > $(B)/$$c.card.fmt && mv $(B)/$$c.card.fmt hw/$$c.json || exit 1; \
	done

demo: deps
	@$(MAKE) --no-print-directory $(B)/mlasim
	@sh examples/demo.sh $(B)/mlasim

# ---- install ------------------------------------------------------------
install: $(B)/mlasim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(DATADIR)/hw $(DESTDIR)$(DATADIR)/engines \
	  $(DESTDIR)$(PREFIX)/share/doc/mlasim
	install -m 755 $(B)/mlasim $(DESTDIR)$(PREFIX)/bin/mlasim
	[ ! -x $(B)/mlasim-probe ] || install -m 755 $(B)/mlasim-probe $(DESTDIR)$(PREFIX)/bin/mlasim-probe
	install -m 644 models/*.json $(DESTDIR)$(DATADIR)/models/
	install -m 644 hw/*.json $(DESTDIR)$(DATADIR)/hw/
	install -m 644 engines/*.json $(DESTDIR)$(DATADIR)/engines/
	for d in hw/published/*/; do \
	  install -d $(DESTDIR)$(DATADIR)/$$d && install -m 644 $$d*.json $(DESTDIR)$(DATADIR)/$$d || exit 1; \
	done
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/mlasim/README.md
	$(B)/mlasim help --all > $(DESTDIR)$(PREFIX)/share/doc/mlasim/mlasim-help.txt

clean:
	rm -rf build build-asan
