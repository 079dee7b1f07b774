# probes/probes.mk - the calibration probes: included by the top Makefile after
# it defines ENGINE, CLI, TEST_BINS, B, ALLFLAGS, LDLIBS and Q.
#
#   engine   sim/calib/probecat.c (the probe catalogue, 'mlasim probe -l') and
#            sim/calib/calib.c (results parsing, GSL fits, the calibrated card)
#   tests    build/unit_probes: the CPU reference kernels (probes/ref_*.c), the
#            fits on synthetic timings, 'mlasim probe' end to end
#   runner   build/mlasim-probe: the CUDA probes, built only where nvcc exists
#            ('make probes'; 'make test' builds it too, to prove it compiles)
#
# nvcc: NVCC=... overrides; CUDA_ARCH=... replaces the -gencode list (sm_90 and
# sm_100 cubins plus compute_90 PTX for later GPUs, docs/probes.md s12.14).

# This file is read before the Makefile's first rule: keep its default goal.
PROBES_SAVED_GOAL := $(.DEFAULT_GOAL)

ENGINE += $(addprefix sim/calib/,probecat calib holdout anchors)
TEST_BINS += $(B)/unit_probes

PROBE_REF := ref_fp8 ref_gemm ref_mla
PROBE_REF_OBJ = $(PROBE_REF:%=$(B)/probes/%.o)

# the unit tests' harness (tests/unit/harness.h) runs them
$(B)/unit_probes: $(B)/tests/unit_probes.o $(B)/tests/unit/harness.o $(PROBE_REF_OBJ) $(B)/libmlasim.a
	@[ "$(V)" = 1 ] || echo "  LINK    $@"
	$(Q)$(CC) $(ALLFLAGS) -o $@ $(B)/tests/unit_probes.o $(B)/tests/unit/harness.o $(PROBE_REF_OBJ) \
	  $(B)/libmlasim.a $(LDLIBS)

# ---- the CUDA runner ------------------------------------------------------
ifeq ($(origin NVCC),undefined)
NVCC := $(shell command -v nvcc 2>/dev/null || { [ -x /usr/local/cuda/bin/nvcc ] && echo /usr/local/cuda/bin/nvcc; })
endif
CUDA_ARCH ?= -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
             -gencode arch=compute_90,code=compute_90
NVCC_OPT ?= -O3
# all-warnings errors, and the host compiler's warnings too
NVCC_FLAGS = -std=c++17 $(NVCC_OPT) -lineinfo $(CUDA_ARCH) -Werror all-warnings \
             -Xcompiler -Wall,-Wextra,-Werror -Isim -Isim/calib -Iprobes
# The runner is built once, in build/cuda, whatever B is: 'make asan' (B=build-asan)
# gets a copy instead of a second compile, and nvcc objects take no sanitizer.
CUDA_B   := build/cuda
PROBE_CU := main common device launch hbm gemm mla_decode moe_gemm power comm
PROBE_CU_OBJ := $(PROBE_CU:%=$(CUDA_B)/%.o)
PROBE_HOST_OBJ := $(PROBE_REF:%=$(CUDA_B)/%.o) $(CUDA_B)/probecat.o $(CUDA_B)/stats.o
PROBE_LIBS := -lcublasLt -ldl -lpthread -lcjson

.PHONY: probes
ifneq ($(strip $(NVCC)),)
TEST_BINS += $(B)/mlasim-probe

probes: $(B)/mlasim-probe
	@echo "probes: built $(B)/mlasim-probe with $(NVCC)"

# nvcc and its flags, recorded: a change rebuilds the runner
$(CUDA_B)/.flags: FORCE
	@mkdir -p $(CUDA_B)
	@echo '$(NVCC) $(NVCC_FLAGS)' | cmp -s - $@ || echo '$(NVCC) $(NVCC_FLAGS)' > $@

$(CUDA_B)/%.o: probes/%.cu probes/common.cuh probes/ref.h sim/calib/probecat.h sim/stats.h sim/version.h $(CUDA_B)/.flags
	@mkdir -p $(CUDA_B)
	@[ "$(V)" = 1 ] || echo "  NVCC    $<"
	$(Q)$(NVCC) $(NVCC_FLAGS) -c $< -o $@

# plain C parts of the runner: fixed flags, so that 'make asan' cannot slip a
# sanitizer into objects nvcc links
PROBE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g $(WARN) -Isim -Isim/calib -Iprobes

$(CUDA_B)/%.o: probes/%.c probes/ref.h
	@mkdir -p $(CUDA_B)
	@[ "$(V)" = 1 ] || echo "  CC      $< (runner)"
	$(Q)$(CC) $(PROBE_CFLAGS) -c $< -o $@

$(CUDA_B)/probecat.o: sim/calib/probecat.c sim/calib/probecat.h
	@mkdir -p $(CUDA_B)
	@[ "$(V)" = 1 ] || echo "  CC      $< (runner)"
	$(Q)$(CC) $(PROBE_CFLAGS) -c $< -o $@

$(CUDA_B)/stats.o: sim/stats.c sim/stats.h
	@mkdir -p $(CUDA_B)
	@[ "$(V)" = 1 ] || echo "  CC      $< (runner)"
	$(Q)$(CC) $(PROBE_CFLAGS) -c $< -o $@

$(CUDA_B)/mlasim-probe: $(PROBE_CU_OBJ) $(PROBE_HOST_OBJ)
	@[ "$(V)" = 1 ] || echo "  LINK    $@"
	$(Q)$(NVCC) $(CUDA_ARCH) -o $@ $^ $(PROBE_LIBS)

ifneq ($(B),$(CUDA_B))
$(B)/mlasim-probe: $(CUDA_B)/mlasim-probe
	@mkdir -p $(B)
	$(Q)cp -f $< $@
endif
else
probes:
	@echo "probes: nvcc not found, skipping the CUDA probes (the rest of mlasim needs no CUDA)"
endif

.DEFAULT_GOAL := $(PROBES_SAVED_GOAL)
