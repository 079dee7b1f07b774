#!/bin/sh
# A sweep cut into shards that GNU parallel runs, on this machine or on many
# over ssh, then merged: the merged rows and the printed front are those of the
# same sweep run in one process, byte for byte.
#
#   sh examples/parallel-sweep.sh [path/to/mlasim] [sweep options...]
#
# Without sweep options it sweeps DeepSeek-V3 decode on H800 and H200 (4,000
# points).  Settings, from the environment:
#   SHARDS=4       how many parts: for many hosts take several per core, so
#                  that a slow shard does not hold up the end
#   JOBS=100%      shards run at once on each host (GNU parallel's -j)
#   THREADS=1      --threads of each shard
#   HOSTS=FILE     a GNU parallel --sshloginfile: one host a line ('8/node12'
#                  runs 8 shards there, ':' is this machine).  mlasim must be
#                  at the same path on each, and this directory shared (the
#                  usual home or project file system): each host writes its
#                  parts here.  Without a shared file system set RETURN=1:
#                  each shard runs in a scratch directory there and its two
#                  files are copied back (--return) and removed (--cleanup).
#   PARTS=parts    where the parts go (with GNU parallel's job log);
#                  OUT=sweep.csv  the merged rows
#   RESUME=1       run only the shards that failed or never ran (the job log)
set -eu
M=${1:-${MLASIM:-mlasim}}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
	set -- --model deepseek-v3 --hw h800,h200 --dp 8..128:x2 --ep 8..128:x2 --batch 1..512:x2 \
		--micro-batches 1,2 --mtp 0,1 --kv-dtype bf16,fp8
fi
SHARDS=${SHARDS:-4} JOBS=${JOBS:-100%} THREADS=${THREADS:-1}
PARTS=${PARTS:-parts} OUT=${OUT:-sweep.csv}
if ! command -v parallel > /dev/null 2>&1 || ! parallel --version 2> /dev/null | grep -q 'GNU parallel'; then
	echo "parallel-sweep.sh: GNU parallel is not installed (Debian: apt-get install parallel; 'make deps')" >&2
	exit 4
fi

# The shard's command, every word single-quoted for the shell GNU parallel
# starts (here or on the remote host); {} is the shard number.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
cmd="$(q "$M") sweep"
for a in "$@"; do cmd="$cmd $(q "$a")"; done
# exit 1 says that no point of this slice fits: the part is written all the
# same, and the merge says whether any point of the sweep fits
cmd="$cmd --threads $THREADS --shard {}/$SHARDS -o $(q "$PARTS")/part-{}.csv > /dev/null || [ \$? -eq 1 ]"

set -- --jobs "$JOBS" --halt soon,fail=1 --joblog "$PARTS/joblog"
[ "${RESUME:-0}" = 1 ] && set -- "$@" --resume-failed
if [ -n "${HOSTS:-}" ]; then
	if [ "${RETURN:-0}" = 1 ]; then
		cmd="mkdir -p $(q "$PARTS") && $cmd"
		set -- "$@" --sshloginfile "$HOSTS" --workdir ... --cleanup \
			--return "$PARTS/part-{}.csv" --return "$PARTS/part-{}.csv.sweep.json"
	else
		set -- "$@" --sshloginfile "$HOSTS" --workdir .
	fi
fi
mkdir -p "$PARTS"
[ "${RESUME:-0}" = 1 ] || rm -f "$PARTS"/part-*.csv "$PARTS"/part-*.csv.sweep.json "$PARTS/joblog"
seq 1 "$SHARDS" | parallel --will-cite "$@" "$cmd"
"$M" sweep --merge "$PARTS"/part-*.csv -o "$OUT"
echo
echo "$SHARDS shards merged into $OUT ($(($(wc -l < "$OUT") - 1)) rows); each part's host and command are in $OUT.sweep.json"
