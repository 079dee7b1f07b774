#!/bin/sh
# Decode throughput against batch: where decode stops being memory-bound.
#
#   sh examples/decode-batch.sh [path/to/mlasim]
#
# Llama-3.1-70B (bf16) on 4 H100 with tensor parallelism, 4Ki-token contexts:
# at small batch every step reads all the weights for few tokens (HBM-bound),
# so tokens/s per GPU grows almost linearly with batch while TPOT barely moves;
# the KV cache read grows with batch too, and past the knee each step costs
# more and per-user speed falls.  The last column says whether the batch fits
# in HBM at all.
set -eu
M=${1:-${MLASIM:-mlasim}}
get() { echo "$1" | grep "^$2," | cut -d, -f2; }
printf '%6s %10s %16s %18s %8s %6s\n' batch "TPOT (ms)" "tok/s per user" "tok/s per GPU" bound fits
for b in 1 2 4 8 16 32 64 128 256; do
	out=$("$M" plan --model llama-3.1-70b --hw h100 --tp 4 --batch $b --context 4Ki --format csv)
	awk -v b="$b" -v t="$(get "$out" decode.tpot_s)" -v u="$(get "$out" decode.tokens_per_s_per_user)" \
	    -v g="$(get "$out" decode.tokens_per_s_per_gpu)" -v k="$(get "$out" decode.bound)" \
	    -v f="$(get "$out" decode.batch_fits)" \
	    'BEGIN { printf "%6d %10.2f %16.1f %18.0f %8s %6s\n", b, t * 1e3, u, g, k, f }'
done
