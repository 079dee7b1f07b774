#!/bin/sh
# The latent-dimension trade-off of MLA: what kv_lora_rank (d_c) buys.
#
#   sh examples/mla-latent-tradeoff.sh [path/to/mlasim]
#
# DeepSeek-V2 chose d_c = 4 d_h = 512 (with a 64-dim decoupled RoPE key): the
# cache per token is (d_c + d_r) per layer, shared by all heads, so halving d_c
# nearly halves the KV cache and nearly doubles the sequences a GPU holds,
# while the parameters (kv_a_proj and kv_b_proj grow with d_c) barely move.
# Quality is the other side of the trade, which no analytical model can say:
# the V2 paper reports MLA at d_c = 512 matching or beating MHA.
# Deployment: DeepSeek-V3 (FP8 weights) on 16 H800 (tp 8 x pp 2), 32Ki-token sequences.
set -eu
M=${1:-${MLASIM:-mlasim}}

# value of KEY in mlasim's flat csv (key,value rows)
get() { echo "$1" | grep "^$2," | cut -d, -f2; }
plan() {
	"$M" plan --model deepseek-v3 --hw h800 --tp 8 --pp 2 --context 32Ki \
		--set kv_lora_rank="$1" --format csv
}

base=$(get "$(plan 512)" model.kv_bytes_per_token)
printf '%12s %12s %8s %12s %16s\n' kv_lora_rank "KV B/token" "vs 512" "params (B)" "seqs/GPU @32Ki"
for dc in 128 256 384 512 768 1024; do
	out=$(plan "$dc")
	awk -v dc="$dc" -v kv="$(get "$out" model.kv_bytes_per_token)" -v base="$base" \
	    -v p="$(get "$out" model.params_total)" -v s="$(get "$out" memory.max_sequences_per_gpu)" \
	    'BEGIN { printf "%12d %12d %7.2fx %12.2f %16.2f\n", dc, kv, kv / base, p / 1e9, s }'
done
