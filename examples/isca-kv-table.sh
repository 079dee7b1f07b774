#!/bin/sh
# Reproduce Table 1 of "Insights into DeepSeek-V3" (ISCA 2025, arXiv 2505.09343):
# KV cache per token in BF16 for an MLA model and two GQA models (KB = 1000 B).
#
#   sh examples/isca-kv-table.sh [path/to/mlasim]
#
# Published: DeepSeek-V3 70.272 KB, Qwen-2.5 72B 327.680 KB, LLaMA-3.1 405B 516.096 KB.
# Exits 1 if mlasim's figure differs from the paper's.
set -eu
M=${1:-${MLASIM:-mlasim}}
status=0
printf '%-18s %-10s %14s %14s  %s\n' model attention "mlasim (KB)" "paper (KB)" verdict
for row in deepseek-v3:70.272 qwen2.5-72b:327.680 llama-3.1-405b:516.096; do
	model=${row%%:*}
	paper=${row#*:}
	# csv columns: model,attention,layers,kv_dtype,kv_bytes_per_token,context,...
	line=$("$M" kv --model "$model" --kv-dtype bf16 --context 1 --format csv | sed -n 2p)
	attn=$(echo "$line" | cut -d, -f2)
	bytes=$(echo "$line" | cut -d, -f5)
	kb=$(awk -v b="$bytes" 'BEGIN { printf "%.3f", b / 1000 }')
	if [ "$kb" = "$paper" ]; then verdict=match; else verdict=DIFFERS; status=1; fi
	printf '%-18s %-10s %14s %14s  %s\n' "$model" "$attn" "$kb" "$paper" "$verdict"
done
echo
echo "MLA caches one 576-element latent per layer for all 128 heads; the GQA models"
echo "cache K and V for 8 KV heads of 128 dims: 4.7x and 7.3x more per token."
exit $status
