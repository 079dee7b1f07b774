#!/bin/sh
# probes/device-run.sh - the one command a GPU session runs: build mlasim and
# the CUDA probe runner, check the kernels against their CPU references, run
# every probe within a time budget, fit the results into a calibrated card and
# measure the card's held-out error.  Everything it learns lands in $OUT.
#
#   sh probes/device-run.sh            (from the repository root; $OUT set by
#                                       the device tool, else build/device-run)
#
# Made for a remote GPU machine that runs one command of at most 600 s with a
# copy of the repository, nvcc, make and gcc (maybe not libcjson-dev and
# libgsl-dev: installed with apt-get when missing; no network is a clear
# failure).  Steps, each logged to $OUT/NAME.log with its exit status and
# seconds in $OUT/steps.log (set -u, no set -e: a failed step never stops the
# collection of what the others can still give):
#
#   env      date, uname, driver, nvcc, git revision, GPU list -> env.log;
#            nvidia-smi -q -> nvidia-smi.txt
#   deps     cJSON and GSL headers, apt-get install if missing (120 s at most)
#   build    make build/mlasim and make probes (build/cuda/mlasim-probe)
#   device   mlasim-probe device: is there a GPU the runner can use?  Without
#            one the script stops here with exit status 4 (this is what it
#            does on a machine without a GPU)
#   check    mlasim-probe --check (cuBLASLt modes and our MLA kernel against
#            probes/ref_*.c) -> check.json
#   probes   mlasim-probe --time-limit T -o results.json, every probe; T is
#            what is left of DEVICE_RUN_BUDGET (default 560 s) after the steps
#            before, less 50 s for the fit; the runner saves results.json
#            every 30 s, so even a killed run leaves records
#   fit      mlasim probe --from results.json --hw CARD -o GPU.calibrated.json
#            (CARD from the device name: h100-sxm, h200-sxm, h800-sxm, h20, b200)
#   holdout  mlasim probe --from results.json --hw CARD --holdout 4 ->
#            holdout.txt (skipped when this mlasim has no --holdout)
#   anchors  mlasim probe --from results.json --hw CARD --anchors ->
#            anchors.txt: the measured figures next to the anchors and targets
#            of docs/probes.md s0 and s13: the table a run is reported with
#   after    nvidia-smi -q -d CLOCK,POWER,PERFORMANCE,TEMPERATURE after the run
#
# Exit status: 0 results.json and the card written; 2 the build failed; 3
# missing libraries could not be installed; 4 no usable GPU; 5 the probes
# wrote no results; 6 the fit failed.  The last lines on stdout summarise.
set -u

OUT=${OUT:-build/device-run}
BUDGET=${DEVICE_RUN_BUDGET:-560}
B=${DEVICE_RUN_B:-build}        # mlasim's build folder (the runner is always build/cuda)
FIT_RESERVE=50
mkdir -p "$OUT" || { echo "device-run: cannot create '$OUT'" >&2; exit 2; }
: > "$OUT/steps.log"
# nothing from an earlier run into the same $OUT may pass for this one's
rm -f "$OUT"/results.json "$OUT"/check.json "$OUT"/device.json "$OUT"/summary.txt \
	"$OUT"/holdout.txt "$OUT"/anchors.txt "$OUT"/*.calibrated.json "$OUT"/*.log
T0=$(date +%s)

elapsed() { echo $(($(date +%s) - T0)); }

# step NAME CMD...: run CMD with stdout and stderr in $OUT/NAME.log; record
# its exit status and seconds in steps.log; return its status.
step() {
	name=$1
	shift
	s0=$(date +%s)
	echo "# device-run: $name ($(elapsed) s elapsed): $*" >&2
	"$@" > "$OUT/$name.log" 2>&1
	rc=$?
	echo "$name rc=$rc seconds=$(($(date +%s) - s0)) elapsed=$(elapsed)" >> "$OUT/steps.log"
	return $rc
}

# finish STATUS MESSAGE: the summary on stdout, then exit.
finish() {
	echo "device-run: $2"
	echo "device-run: exit $1 after $(elapsed) s; steps:"
	sed 's/^/  /' "$OUT/steps.log"
	[ -f "$OUT/summary.txt" ] && cat "$OUT/summary.txt"
	exit "$1"
}

env_info() {
	date -u +%Y-%m-%dT%H:%M:%SZ
	uname -a
	git rev-parse HEAD 2>/dev/null && git status --short 2>/dev/null | head -40
	if command -v nvcc >/dev/null 2>&1; then nvcc --version; else /usr/local/cuda/bin/nvcc --version; fi
	gcc --version | head -1
	nproc
	free -g
	if command -v nvidia-smi >/dev/null 2>&1; then
		nvidia-smi --query-gpu=index,name,driver_version,memory.total,power.limit,clocks.max.sm,pci.bus_id \
			--format=csv
		nvidia-smi -q > "$OUT/nvidia-smi.txt" 2>&1
	else
		echo "nvidia-smi: not found"
	fi
	return 0
}

have_deps() {
	[ -f /usr/include/cjson/cJSON.h ] && [ -f /usr/include/gsl/gsl_multifit.h ]
}

install_deps() {
	have_deps && { echo "deps: cJSON and GSL present"; return 0; }
	command -v apt-get >/dev/null 2>&1 || { echo "deps: no apt-get to install libcjson-dev libgsl-dev"; return 1; }
	if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi
	timeout 60 $SUDO apt-get update -qq || { echo "deps: apt-get update failed (no network?)"; return 1; }
	timeout 90 $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		libcjson-dev libgsl-dev || { echo "deps: apt-get install failed"; return 1; }
	have_deps
}

# The card to calibrate, from the GPU's name (nvidia-smi, else the runner's file).
card_for() {
	name=$(nvidia-smi --query-gpu=name --format=csv,noheader -i 0 2>/dev/null | head -1)
	[ -n "$name" ] || name=$(grep -m1 '"name":.*NVIDIA' "$OUT/device.json" 2>/dev/null)
	case "$name" in
	*H200*) echo h200-sxm ;;
	*H800*) echo h800-sxm ;;
	*H20*) echo h20 ;;
	*B200*) echo b200 ;;
	*) echo h100-sxm ;;     # the nearest card: steps.log says which was used
	esac
}

# ---- env, deps, build ---------------------------------------------------------
step env env_info
if ! step deps install_deps; then
	finish 3 "cJSON and GSL headers are missing and could not be installed (see $OUT/deps.log): install libcjson-dev and libgsl-dev, or carry a build"
fi
JOBS=$(nproc 2>/dev/null || echo 4)
step build_mlasim timeout -k 10 240 make -j"$JOBS" B="$B" "$B/mlasim" ||
	finish 2 "make $B/mlasim failed: see $OUT/build_mlasim.log"
step build_probes timeout -k 10 240 make -j"$JOBS" B="$B" probes
if [ ! -x build/cuda/mlasim-probe ]; then
	finish 2 "the CUDA runner was not built (nvcc missing or a compile error): see $OUT/build_probes.log"
fi
RUNNER=${DEVICE_RUN_RUNNER:-build/cuda/mlasim-probe}   # the override is for testing this script
# libcublasLt.so.13 where the loader does not look by itself
if ldd "$RUNNER" 2>/dev/null | grep -q 'not found'; then
	for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda/lib; do
		[ -d "$d" ] && LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	done
	export LD_LIBRARY_PATH
	ldd "$RUNNER" >> "$OUT/build_probes.log" 2>&1
fi

# ---- is there a GPU? ----------------------------------------------------------
step device timeout -k 10 60 "$RUNNER" device -o "$OUT/device.json"
rc=$?
if [ $rc -eq 4 ] && [ -d /usr/local/cuda/compat ] && grep -q 'insufficient' "$OUT/device.json" 2>/dev/null; then
	# a driver older than the toolkit: CUDA's forward-compatibility libcuda
	export LD_LIBRARY_PATH="/usr/local/cuda/compat${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	step device_compat timeout -k 10 60 "$RUNNER" device -o "$OUT/device.json"
	rc=$?
fi
if [ $rc -eq 4 ]; then
	why=$(grep -m1 '"msg"' "$OUT/device.json" 2>/dev/null | sed 's/.*"msg":[[:space:]]*"//; s/"[,]*[[:space:]]*$//')
	finish 4 "no usable GPU: ${why:-see $OUT/device.log} (built fine; nothing measured)"
fi
CARD=$(card_for)
echo "card $CARD" >> "$OUT/steps.log"

# ---- check, then every probe within the budget ---------------------------------
step check timeout -k 10 150 "$RUNNER" --check -o "$OUT/check.json"
LIMIT=$((BUDGET - $(elapsed) - FIT_RESERVE))
if [ $LIMIT -lt 30 ]; then
	finish 5 "only $LIMIT s of the budget left after the build and the check: rerun (a carried build/cuda saves the compile)"
fi
echo "time_limit $LIMIT" >> "$OUT/steps.log"
# the runner stops starting configurations at LIMIT; TERM 20 s later makes it
# write what it has, KILL 15 s after that (a hung kernel) leaves its checkpoint
step probes timeout -k 15 $((LIMIT + 20)) "$RUNNER" --time-limit "$LIMIT" -o "$OUT/results.json"
if [ ! -s "$OUT/results.json" ]; then
	step after nvidia-smi -q -d CLOCK,POWER,PERFORMANCE,TEMPERATURE
	finish 5 "the probes wrote no results.json: see $OUT/probes.log (last lines say where it was)"
fi

# ---- fit, held-out error -------------------------------------------------------
GPU=$(echo "$CARD" | sed 's/-sxm//')
step fit "$B/mlasim" probe --from "$OUT/results.json" --hw "$CARD" -o "$OUT/$GPU.calibrated.json"
fit_rc=$?
if "$B/mlasim" help probe 2>/dev/null | grep -q -- '--holdout'; then
	step holdout sh -c "'$B/mlasim' probe --from '$OUT/results.json' --hw '$CARD' --holdout 4 > '$OUT/holdout.txt' 2>&1"
else
	echo "holdout: this mlasim has no --holdout" > "$OUT/holdout.txt"
	echo "holdout skipped (no --holdout)" >> "$OUT/steps.log"
fi
step anchors sh -c "'$B/mlasim' probe --from '$OUT/results.json' --hw '$CARD' --anchors > '$OUT/anchors.txt' 2>&1"
step after nvidia-smi -q -d CLOCK,POWER,PERFORMANCE,TEMPERATURE

{
	echo "device: $(grep -m1 '"name":.*NVIDIA' "$OUT/device.json" 2>/dev/null), card $CARD"
	echo "results: $(grep -m1 '"status"' "$OUT/results.json")"
	echo "records: $(grep -c '"provenance"' "$OUT/results.json"), ok: $(grep -c '"status":[[:space:]]*"ok"' "$OUT/results.json")"
	echo "check: $(grep -m1 '"status"' "$OUT/check.json" 2>/dev/null) (exit status in steps.log)"
	echo "errors (first 20):"
	grep '"msg"' "$OUT/results.json" | head -20
	echo "last lines of probes.log:"
	tail -4 "$OUT/probes.log"
	echo "fit:"
	cat "$OUT/fit.log"
	echo "holdout:"
	head -30 "$OUT/holdout.txt"
	echo "against the references:"
	head -16 "$OUT/anchors.txt"
} > "$OUT/summary.txt" 2>&1
[ $fit_rc -eq 0 ] || finish 6 "the fit failed: see $OUT/fit.log ($OUT/results.json is kept)"
finish 0 "done: $OUT/results.json, $OUT/$GPU.calibrated.json, $OUT/holdout.txt, $OUT/anchors.txt"
