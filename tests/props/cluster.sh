# tests/props/cluster.sh - sourced by tests/run.sh: a sweep run in shards and
# put together again ('sweep --shard', the manifest, 'sweep --merge'), by hand,
# by GNU parallel (examples/parallel-sweep.sh) and by a one-node Slurm cluster
# (examples/slurm-sweep.sbatch).  Uses ok/notok/skipped, $M and $T.
C="$T/cluster"
mkdir -p "$C"
Ctop=$(pwd)
# 2,048 points over two models and two cards, 980 laid out, 420 fitting
CS="--model deepseek-v3,llama-3.1-70b --hw h800,h100 --tp 1,2,4,8 --dp 1..8:x2 --ep 1..8:x2 --batch 1..64:x4 --micro-batches 1,2"
"$M" sweep $CS -o "$C/whole.csv" > "$C/whole.out" 2> /dev/null

# ---- the manifest ---------------------------------------------------------

# A shard writes FILE.sweep.json beside its rows: what it is (the sweep's
# options without --shard, --threads or -o, its slice) and where it ran.  The
# rows are untouched, so the shards still concatenate to the whole.
: > "$C/cat.csv"
for i in 1 2 3 4; do
	"$M" sweep $CS --shard $i/4 -o "$C/part-$i.csv" > /dev/null 2>&1
	cat "$C/part-$i.csv" >> "$C/cat.csv"
done
m2="$C/part-2.csv.sweep.json"
if command -v jq > /dev/null 2>&1; then
	got=$(jq -r '[.schema, .mlasim_version, (.options | join(" ")), .shard, .shards, .points, .first_point,
		.shard_points, .header, .rows + .skipped.points, (.command[-4:] | join(" "))] | join("|")' "$m2" 2> /dev/null)
	want="mlasim.sweep/1|$("$M" --version | cut -d' ' -f2)|$CS|2|4|2048|513|512|false|512|--shard 2/4 -o $C/part-2.csv"
	bytes=$(jq -r .bytes "$m2" 2> /dev/null)
	if [ "$got" = "$want" ] && [ "$bytes" = "$(wc -c < "$C/part-2.csv" | tr -d ' ')" ] && cmp -s "$C/cat.csv" "$C/whole.csv"; then
		ok "sweep --shard: the manifest names the sweep, its slice (points 513-1024 of 2048), size and command"
	else
		notok "sweep --shard: the manifest names the sweep, its slice, size and command" "got  $got
want $want
bytes $bytes"
	fi
else
	skipped "sweep --shard: the manifest names the sweep, its slice, size and command" "jq not installed ('make deps')"
fi

# a sweep without --shard writes what it always wrote: no manifest
if [ ! -e "$C/whole.csv.sweep.json" ]; then ok "sweep without --shard writes no manifest"
else notok "sweep without --shard writes no manifest"; fi

# --shard with --threads on each node: the same part
"$M" sweep $CS --shard 2/4 --threads 3 -o "$C/threads-2.csv" > /dev/null 2>&1
if cmp -s "$C/threads-2.csv" "$C/part-2.csv"; then ok "sweep --shard 2/4 --threads 3 writes the rows of --threads 1"
else notok "sweep --shard 2/4 --threads 3 writes the rows of --threads 1"; fi

# ---- the merge ------------------------------------------------------------

# Parts given in any order (a glob puts part-10 before part-2) merge in shard
# order: the rows and the printed front are the single sweep's, byte for byte.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	"$M" sweep $CS --shard $i/12 --threads 2 -o "$C/p12-$i.csv" > /dev/null 2>&1
done
"$M" sweep --merge "$C"/p12-*.csv -o "$C/all12.csv" > "$C/all12.out" 2> "$C/all12.err"
rc=$?
if [ $rc -eq 0 ] && cmp -s "$C/all12.csv" "$C/whole.csv" && cmp -s "$C/all12.out" "$C/whole.out" &&
   grep -q '^# Pareto front (most tokens/s per GPU and per user), [1-9][0-9]* point(s):$' "$C/all12.out"; then
	ok "sweep --merge: 12 shards in glob order give the whole sweep's rows and front, byte for byte"
else
	notok "sweep --merge: 12 shards give the whole sweep's rows and front" "exit $rc: $(cat "$C/all12.err"; diff "$C/whole.out" "$C/all12.out" | head -5)"
fi
# ... and the warning about skipped points is the whole sweep's
w1=$("$M" sweep $CS -o "$C/w.csv" 2>&1 > /dev/null | grep '^mlasim: warning')
w2=$(grep '^mlasim: warning' "$C/all12.err")
if [ -n "$w1" ] && [ "$w1" = "$w2" ]; then ok "sweep --merge: the skipped points' warning is the whole sweep's"
else notok "sweep --merge: the skipped points' warning is the whole sweep's" "whole: $w1
merge: $w2"; fi

# The merged file has a manifest of its own: one shard of one, naming its parts.
if command -v jq > /dev/null 2>&1; then
	got=$(jq -r '[.shard, .shards, .rows, (.parts | length), .parts[9].file, .parts[9].command[-1]] | join("|")' \
		"$C/all12.csv.sweep.json" 2> /dev/null)
	if [ "$got" = "1|1|980|12|$C/p12-10.csv|$C/p12-10.csv" ]; then
		ok "sweep --merge: the merged manifest is shard 1 of 1 with its 12 parts in order"
	else
		notok "sweep --merge: the merged manifest is shard 1 of 1 with its 12 parts in order" "$got"
	fi
else
	skipped "sweep --merge: the merged manifest names its parts" "jq not installed ('make deps')"
fi

# JSON lines and the cost-latency front merge too (a glob over the rows and
# their manifests: a manifest's name stands for its part)
J="$CS --front cost-latency --format json"
"$M" sweep $J -o "$C/whole.jsonl" > "$C/whole-j.out" 2> /dev/null
for i in 1 2 3; do "$M" sweep $J --shard $i/3 -o "$C/pj-$i.jsonl" > /dev/null 2>&1; done
"$M" sweep --merge "$C"/pj-* -o "$C/all.jsonl" > "$C/all-j.out" 2> "$C/err"
rc=$?
if [ $rc -eq 0 ] && cmp -s "$C/all.jsonl" "$C/whole.jsonl" && cmp -s "$C/all-j.out" "$C/whole-j.out" &&
   grep -q '^# Pareto front (lowest \$/Mtok output and TPOT)' "$C/all-j.out"; then
	ok "sweep --merge: JSON-lines parts and the cost-latency front give the whole sweep's"
else
	notok "sweep --merge: JSON-lines parts and the cost-latency front give the whole sweep's" "exit $rc: $(cat "$C/err")"
fi

# Missing, twice, another sweep, another split, cut short: exit 3 naming it,
# and no output file.
mcase() {   # mcase NAME EXIT MESSAGE PARTS...
	name=$1 want=$2 msg=$3
	shown=$(printf '%s' "$msg" | sed "s|$C/||g")   # the test's name, without the temporary directory
	shift 3
	"$M" sweep --merge "$@" -o "$C/bad.csv" > "$C/out" 2> "$C/err"
	rc=$?
	if [ $rc -eq "$want" ] && [ ! -s "$C/out" ] && [ ! -e "$C/bad.csv" ] && [ "$(wc -l < "$C/err")" -eq 1 ] &&
	   grep -qF "$msg" "$C/err"; then
		ok "sweep --merge: $name: exit $want, '$shown'"
	else
		notok "sweep --merge: $name: exit $want, '$shown'" "exit $rc: $(cat "$C/err")"
	fi
}
mcase "a shard missing" 3 "mlasim: '--merge': shard 3 of 4 is missing (points 1025 to 1536 of 2048)" \
	"$C/part-1.csv" "$C/part-2.csv" "$C/part-4.csv"
mcase "shards missing" 3 "'--merge': 9 of 12 shards are missing: 2, 3, 4, 6, 7, 8, 9, 10, 11" \
	"$C/p12-1.csv" "$C/p12-5.csv" "$C/p12-12.csv"
mcase "a shard twice" 3 "'--merge': '$C/part-2.csv' and '$C/threads-2.csv' are both shard 2 of 4: give each shard once" \
	"$C/part-1.csv" "$C/part-2.csv" "$C/threads-2.csv" "$C/part-3.csv" "$C/part-4.csv"
"$M" sweep $CS --batch 1..32:x4 --shard 3/4 -o "$C/other-3.csv" > /dev/null 2>&1
mcase "a part of another sweep" 3 "'$C/other-3.csv' is not a part of the sweep of '$C/part-1.csv': its options have '--batch' where those have no more" \
	"$C/part-1.csv" "$C/part-2.csv" "$C/other-3.csv" "$C/part-4.csv"
mcase "a part of another split" 3 "'$C/p12-3.csv' is shard 3 of 12, '$C/part-1.csv' one of 4" \
	"$C/part-1.csv" "$C/part-2.csv" "$C/p12-3.csv" "$C/part-4.csv"
head -c 1000 "$C/part-3.csv" > "$C/short-3.csv"
cp "$C/part-3.csv.sweep.json" "$C/short-3.csv.sweep.json"
mcase "a part cut short" 3 "'$C/short-3.csv' is 1000 bytes, its manifest says" \
	"$C/part-1.csv" "$C/part-2.csv" "$C/short-3.csv" "$C/part-4.csv"
# a row changed in place (same size): its fits flag no longer reads
sed '5s/,true,true,/,TRUE,true,/; 5s/,false,false,/,FALSE,false,/' "$C/part-3.csv" > "$C/edit-3.csv"
cp "$C/part-3.csv.sweep.json" "$C/edit-3.csv.sweep.json"
mcase "a row that does not read" 3 "$C/edit-3.csv:5: 'fits' must be true or false" \
	"$C/part-1.csv" "$C/part-2.csv" "$C/edit-3.csv" "$C/part-4.csv"
cp "$C/part-3.csv" "$C/bare-3.csv"
mcase "a part without its manifest" 3 "'$C/bare-3.csv' has no manifest '$C/bare-3.csv.sweep.json' beside it" \
	"$C/part-1.csv" "$C/part-2.csv" "$C/bare-3.csv" "$C/part-4.csv"
sed 's/"mlasim_version":[^,]*,/"mlasim_version": "0.0.1",/' "$C/part-3.csv.sweep.json" > "$C/old-3.csv.sweep.json"
cp "$C/part-3.csv" "$C/old-3.csv"
mcase "a part of another version" 3 "'$C/old-3.csv' was written by mlasim 0.0.1" \
	"$C/part-1.csv" "$C/part-2.csv" "$C/old-3.csv" "$C/part-4.csv"
sed 's/"first_point":[^,]*,/"first_point": 1,/' "$C/part-3.csv.sweep.json" > "$C/range-3.csv.sweep.json"
cp "$C/part-3.csv" "$C/range-3.csv"
mcase "a manifest whose slice is not its shard's" 3 "range-3.csv.sweep.json: points 1 to 512 are not shard 3 of 4 of a sweep of 2048 points (1025 to 1536)" \
	"$C/part-1.csv" "$C/part-2.csv" "$C/range-3.csv" "$C/part-4.csv"
# -o naming one of the parts, here by another name (a hard link)
cp "$C/part-3.csv" "$C/bad.csv"
cp "$C/part-3.csv.sweep.json" "$C/bad.csv.sweep.json"
ln -f "$C/bad.csv" "$C/link.csv"
"$M" sweep --merge "$C/part-1.csv" "$C/part-2.csv" "$C/bad.csv" "$C/part-4.csv" -o "$C/link.csv" > "$C/out" 2> "$C/err"
rc=$?
if [ $rc -eq 2 ] && cmp -s "$C/bad.csv" "$C/part-3.csv" && grep -qF "'-o $C/link.csv' would overwrite the '--merge' input '$C/bad.csv'" "$C/err"; then
	ok "sweep --merge: -o naming a part is refused (exit 2), the part untouched"
else
	notok "sweep --merge: -o naming a part is refused (exit 2), the part untouched" "exit $rc: $(cat "$C/err")"
fi
cp "$m2" "$C/m2.saved"
"$M" sweep --merge "$C/part-1.csv" "$C/part-2.csv" "$C/bad.csv" "$C/part-4.csv" -o "$m2" > "$C/out" 2> "$C/err"
rc=$?
if [ $rc -eq 2 ] && grep -qF "would overwrite the '--merge' input '$m2'" "$C/err" && cmp -s "$m2" "$C/m2.saved"; then
	ok "sweep --merge: -o naming a part's manifest is refused (exit 2)"
else
	notok "sweep --merge: -o naming a part's manifest is refused (exit 2)" "exit $rc: $(cat "$C/err")"
fi
rm -f "$C/bad.csv" "$C/bad.csv.sweep.json" "$C/link.csv"

# No row fits: the rows are merged, the front is empty, exit 1 as the sweep.
NF="--model v3 --hw h800 --dp 8 --ep 8 --batch 1,2,4"
for i in 1 2; do "$M" sweep $NF --shard $i/2 -o "$C/nf-$i.csv" > /dev/null 2>&1; done
"$M" sweep --merge "$C"/nf-*.csv -o "$C/nf.csv" > "$C/out" 2> "$C/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l < "$C/nf.csv")" -eq 4 ] && grep -q "^mlasim: none of the sweep's 3 points fits" "$C/err"; then
	ok "sweep --merge: no row fits: exit 1, the rows merged"
else
	notok "sweep --merge: no row fits: exit 1, the rows merged" "exit $rc: $(cat "$C/err")"
fi

# ---- GNU parallel ---------------------------------------------------------

# examples/parallel-sweep.sh runs 4 shards on this machine (2 at a time, 2
# threads each) and merges them: the single-process sweep, byte for byte.
PS="--model deepseek-v3 --hw h800,h200 --dp 8..64:x2 --ep 8..64:x2 --batch 1..256:x2 --micro-batches 1,2 --mtp 0,1"
"$M" sweep $PS -o "$C/ps-whole.csv" > "$C/ps-whole.out" 2> /dev/null
if command -v parallel > /dev/null 2>&1 && parallel --version 2> /dev/null | grep -q 'GNU parallel'; then
	mkdir -p "$C/gnu"
	(cd "$C/gnu" && SHARDS=4 JOBS=2 THREADS=2 timeout 120 sh "$Ctop/examples/parallel-sweep.sh" "$M" $PS) > "$C/gnu.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && cmp -s "$C/gnu/sweep.csv" "$C/ps-whole.csv" && [ "$(ls "$C/gnu/parts"/part-*.csv | wc -l)" -eq 4 ] &&
	   [ "$(awk -F'\t' 'NR > 1 && $7 == 0' "$C/gnu/parts/joblog" | wc -l)" -eq 4 ]; then
		ok "GNU parallel: 4 shards of examples/parallel-sweep.sh merge to the single sweep, byte for byte"
	else
		notok "GNU parallel: 4 shards of examples/parallel-sweep.sh merge to the single sweep" "exit $rc: $(tail -5 "$C/gnu.out")"
	fi
else
	skipped "GNU parallel: 4 shards of examples/parallel-sweep.sh merge to the single sweep" "GNU parallel not installed ('make deps')"
fi

# ---- Slurm ----------------------------------------------------------------

# A one-node Slurm cluster on localhost, ours alone: slurmctld and slurmd with
# a configuration, state and spool in $T, ports of their own, no munge
# (auth/none, cred/none: Slurm's plugins for tests), each daemon under
# 'timeout' so that nothing outlives a hung test.  Skipped where Slurm is not
# installed, mlasim is not root (slurmd runs jobs as their user), or the
# daemons do not come up.
slurm_why=""
slurm_plugins=$(ls -d /usr/lib/*/slurm-wlm /usr/lib/slurm-wlm /usr/lib64/slurm /usr/lib/slurm 2> /dev/null | head -1)
if ! command -v slurmctld > /dev/null 2>&1 || ! command -v slurmd > /dev/null 2>&1 || ! command -v sbatch > /dev/null 2>&1; then
	slurm_why="Slurm not installed ('make deps-slurm')"
elif [ "$(id -u)" != 0 ]; then
	slurm_why="slurmd must run as root"
elif [ -z "$slurm_plugins" ] || [ ! -e "$slurm_plugins/auth_none.so" ] || [ ! -e "$slurm_plugins/cred_none.so" ]; then
	slurm_why="this Slurm has no auth/none plugin (it needs munge)"
fi
# Stop our daemons (never a cluster the machine may belong to: only when we
# started them, and only through our configuration), and give SLURM_CONF back.
slurm_pids=""
slurm_conf_saved=${SLURM_CONF-}
slurm_stop() {
	if [ -n "$slurm_pids" ]; then
		timeout 10 scancel --quiet --full -u "$(id -un)" 2> /dev/null
		for pid in $slurm_pids; do kill "$pid" 2> /dev/null; done
		for pid in $slurm_pids; do wait "$pid" 2> /dev/null; done
	fi
	slurm_pids=""
	if [ -n "$slurm_conf_saved" ]; then export SLURM_CONF="$slurm_conf_saved"; else unset SLURM_CONF; fi
}
if [ -z "$slurm_why" ]; then
	SD="$C/slurm"
	mkdir -p "$SD/state" "$SD/spool" "$SD/work"
	node=$(hostname -s 2> /dev/null || hostname)
	port=$((20000 + $$ % 20000))
	cat > "$SD/slurm.conf" <<EOF_SLURM
ClusterName=mlasimtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$SD/state
SlurmdSpoolDir=$SD/spool
SlurmctldPidFile=$SD/slurmctld.pid
SlurmdPidFile=$SD/slurmd.pid
SlurmctldLogFile=$SD/slurmctld.log
SlurmdLogFile=$SD/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF_SLURM
	export SLURM_CONF="$SD/slurm.conf"
	timeout 300 slurmctld -D -i -f "$SLURM_CONF" > "$SD/slurmctld.out" 2>&1 &
	slurm_pids=$!
	timeout 300 slurmd -D -f "$SLURM_CONF" > "$SD/slurmd.out" 2>&1 &
	slurm_pids="$slurm_pids $!"
	tries=0
	until [ "$(timeout 5 sinfo -h -o %T 2> /dev/null)" = idle ]; do
		tries=$((tries + 1))
		if [ $tries -gt 30 ]; then
			slurm_why="slurmctld and slurmd did not come up in 15 s: $(tail -1 "$SD/slurmd.out" 2> /dev/null)"
			break
		fi
		sleep 0.5
	done
fi
if [ -n "$slurm_why" ]; then
	slurm_stop
	skipped "Slurm: examples/slurm-sweep.sbatch, a job array of 4 shards and the merge, on a one-node cluster" "$slurm_why"
else
	(cd "$SD/work" && SHARDS=4 WAIT=1 timeout 180 sh "$Ctop/examples/slurm-sweep.sbatch" "$M" $PS) > "$SD/run.out" 2>&1
	rc=$?
	slurm_stop
	if [ $rc -eq 0 ] && cmp -s "$SD/work/sweep.csv" "$C/ps-whole.csv" && [ "$(ls "$SD/work/parts"/part-*.csv | wc -l)" -eq 4 ] &&
	   grep -q '^# Pareto front' "$SD/run.out"; then
		ok "Slurm: examples/slurm-sweep.sbatch, a job array of 4 shards and the merge, gives the single sweep"
	else
		notok "Slurm: examples/slurm-sweep.sbatch, a job array of 4 shards and the merge, gives the single sweep" \
			"exit $rc: $(tail -5 "$SD/run.out"; tail -3 "$SD/slurmctld.log" 2> /dev/null)"
	fi
fi
