#!/bin/sh
# make demo: size DeepSeek-V3 (FP8 weights, BF16 latent cache) on bundled hardware.
#
#   sh examples/demo.sh [path/to/mlasim]
#
# 1. one GB200 NVL72 rack, attention data-parallel over 72 GPUs, 72-way expert parallelism
# 2. one 8xH800 node, tensor parallel 8: 86.6 GB of weights per GPU do not fit in its 85.9 (80 GiB)
# 3. two 8xH800 nodes, tp 8 x pp 2: fits, with room for the KV cache
set -u
M=${1:-${MLASIM:-mlasim}}
run() {
	echo "\$ mlasim $*"
	"$M" "$@"
	echo "(exit status $?)"
	echo
}
run plan --model deepseek-v3 --hw gb200 --dp 72 --ep 72 --mtp 1 --context 32k
run plan --model deepseek-v3 --hw h800 --tp 8 --mtp 1 --context 32k
run plan --model deepseek-v3 --hw h800 --tp 8 --pp 2 --mtp 1 --context 32k
