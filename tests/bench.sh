#!/bin/sh
# tests/bench.sh BUILD_DIR - print the speed figures of 'make bench'.
#  1. whole-process time of 'mlasim plan' for DeepSeek-V3 (target < 20 ms)
#  2. in-process plan evaluations per second (target >= 1,000,000/s)
set -u
B=${1:-build}
M="$B/mlasim"
runs=50
start=$(date +%s%N)
i=0
while [ $i -lt $runs ]; do
	"$M" plan --model deepseek-v3 --hw h800 --tp 8 --pp 2 --format json > /dev/null || exit 1
	i=$((i + 1))
done
end=$(date +%s%N)
echo "bench: mlasim plan (DeepSeek-V3 on 2x8 H800, whole process): $(( (end - start) / runs / 1000 )) us per run, mean of $runs (target < 20000 us)"
"$B/bench" 1
