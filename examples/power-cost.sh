#!/bin/sh
# Watts to dollars: DeepSeek-V3 decode on 32 H800 (EP 32) and on a GB200 NVL72
# rack (EP 72), 64 sequences per GPU in two micro-batches, MTP on.
#
#   sh examples/power-cost.sh [path/to/mlasim]
#
# The GB200 card's price is CoreWeave's on-demand list price ($10.50/GPU-hr),
# on a different footing from the H800's $2 rental assumption: the example
# passes the low end of 2026 B200 rental quotes (docs/hardware.md s5, a dated
# snapshot) instead, a market rate like the H800's.  Change --gpu-hour-usd to
# your own.
set -eu
M=${1:-${MLASIM:-mlasim}}
get() { echo "$1" | grep "^$2," | cut -d, -f2; }
printf '%-12s %8s %10s %9s %8s %12s %12s %10s\n' hardware "GPU W" "rack kW" cooling "J/tok" "tok/s/GPU" '$/Mtok out' '$/day'
for row in "h800:32:" "gb200:72:--gpu-hour-usd 3.75"; do
	hw=${row%%:*}; rest=${row#*:}; n=${rest%%:*}; extra=${rest#*:}
	out=$("$M" plan --model deepseek-v3 --hw "$hw" --dp "$n" --ep "$n" --batch 64 \
		--micro-batches 2 --mtp 1 $extra --format csv)
	awk -v h="$hw" -v w="$(get "$out" power.gpu_w)" -v r="$(get "$out" power.rack_full_load_kw)" \
	    -v c="$(get "$out" power.cooling)" -v j="$(get "$out" power.joules_per_token)" \
	    -v t="$(get "$out" decode.tokens_per_s_per_gpu)" -v m="$(get "$out" cost.usd_per_mtok_output)" \
	    -v d="$(get "$out" cost.usd_per_day)" \
	    'BEGIN { printf "%-12s %8.0f %10.1f %9s %8.3f %12.0f %12.3f %10.0f\n", h, w, r, c, j, t, m, d }'
done
echo
echo "rack kW is at full load (every GPU at its TDP), what the rack must be provisioned for."
