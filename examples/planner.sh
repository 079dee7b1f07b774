#!/bin/sh
# "I must serve this traffic within these latency targets: what should I buy
# and how should I deploy it?"  DeepSeek-V3 at 20 requests/s of 4Ki-token
# prompts and 1Ki-token answers, first token within 2 s, 20 tokens/s per user,
# on H800, H200 or a GB200 NVL72, at one GPU-hour price for all three so the
# comparison is about speed (set your own prices with --gpu-hour-usd or in the
# cards).  Then the same question for Llama-3.1-70B, and the SGLang settings.
#
#   sh examples/planner.sh [path/to/mlasim]
set -u
# (exit statuses are shown, not checked: a plan that finds nothing exits 1)
M=${1:-${MLASIM:-mlasim}}
"$M" plan --model deepseek-v3 --hw h800,h200,gb200 --rate 20 --ttft 2 --tps-user 20 \
	--gpu-hour-usd 3 --emit sglang
echo
"$M" plan --model llama-3.1-70b --hw h100,h200 --rate 5 --ttft 1 --tpot 0.03 --objective gpus \
	--gpu-hour-usd 3
echo
# a mix of request lengths instead of one: examples/chat-lengths.txt
"$M" plan --model deepseek-v3 --hw h200 --workload "$(dirname "$0")/chat-lengths.txt" --rate 10 \
	--ttft 3 --tpot 0.05
