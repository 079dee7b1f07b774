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

# 3. a sweep end to end, rows written to CSV (target >= 500,000 rows/s per core)
S="sweep --model deepseek-v3 --hw h800 --dp 32 --ep 32 --batch 1..4096:+1 --context 1Ki..128Ki:x2 --micro-batches 1,2 --mtp 0,1"
out=$(mktemp "${TMPDIR:-/tmp}/mlasim-bench.XXXXXX")
start=$(date +%s%N)
"$M" $S -o "$out" > /dev/null || exit 1
end=$(date +%s%N)
rows=$(($(wc -l < "$out") - 1))
us=$(( (end - start) / 1000 ))
echo "bench: sweep of $rows rows with CSV written, whole process, one thread: $us us, $(( rows * 1000000 / us )) rows/s (target >= 500,000 rows/s)"
start=$(date +%s%N)
"$M" $S --threads 2 -o "$out" > /dev/null || exit 1
end=$(date +%s%N)
us=$(( (end - start) / 1000 ))
echo "bench: the same sweep on 2 threads: $us us, $(( rows * 1000000 / us )) rows/s"
rm -f "$out"
