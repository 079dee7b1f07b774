#!/bin/sh
# The throughput-latency trade-off of DeepSeek-V3 decode on H800 and H200:
# every expert-parallel size, batch, micro-batching and MTP setting, about
# 12,000 deployments in well under a second, written to sweep.csv, with the
# Pareto front of tokens/s per GPU against tokens/s per user printed.
#
#   sh examples/sweep-pareto.sh [path/to/mlasim]
set -eu
M=${1:-${MLASIM:-mlasim}}
"$M" sweep --model deepseek-v3 --hw h800,h200 --dp 8..128:x2 --ep 8..128:x2 \
	--batch 1..512:x2 --micro-batches 1,2 --mtp 0,1 --kv-dtype bf16,fp8 -o sweep.csv
echo
echo "$(($(wc -l < sweep.csv) - 1)) rows in sweep.csv"
