#!/bin/sh
# How big, and how costly, must the scale-out fabric be?
#
#   sh examples/fabric.sh [path/to/mlasim]
#
# H800 nodes as DeepSeek built them: one 400G NIC per GPU, 64-port switches,
# 8 planes (NIC i of every node in plane i).  A single two-layer fat tree tops
# out at 64^2/2 = 2,048 GPUs; eight planes of it reach 16,384 for the same cost
# per endpoint; beyond that a three-layer tree costs about 70% more per GPU.
set -eu
M=${1:-${MLASIM:-mlasim}}
get() { echo "$1" | grep "^$2," | cut -d, -f2; }
printf '%8s %10s %10s %10s %12s %14s\n' GPUs topology switches links "cost (M$)" "k$/endpoint"
for n in 1024 2048 4096 16384 32768 65536; do
	out=$("$M" net --hw h800 --gpus $n --format csv)
	awk -v n="$n" -v t="$(get "$out" topology)" -v s="$(get "$out" switches)" -v l="$(get "$out" links)" \
	    -v c="$(get "$out" cost_usd)" -v e="$(get "$out" cost_per_endpoint_usd)" \
	    'BEGIN { printf "%8d %10s %10d %10d %12.2f %14.2f\n", n, t, s, l, c / 1e6, e / 1e3 }'
done
echo
"$M" net --hw h800 --compare
