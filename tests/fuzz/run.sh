#!/bin/sh
# tests/fuzz/run.sh BUILD SECONDS JOBS HARNESS... - run libFuzzer harnesses.
#
# SECONDS > 0: fuzz each harness for that long, from its seeds in
# tests/fuzz/corpus/HARNESS/ and the reproducers in tests/fuzz/regress/HARNESS/;
# new inputs go to BUILD/corpus/HARNESS/ (kept between runs).  SECONDS 0: run
# every seed and reproducer once, no fuzzing (make fuzz-check).
# A finding (crash, sanitizer report, leak, timeout, out of memory, broken
# contract) is saved as BUILD/findings/HARNESS/{crash,leak,timeout,oom}-*;
# reproduce it with 'BUILD/fuzz/fuzz_HARNESS FILE' from the repository root.
# Prints one line per harness with the executions libFuzzer ran, then
# 'fuzz: N passed, N failed'; exits 1 on any finding.
set -u
B=$1 SECONDS_EACH=$2 JOBS=$3
shift 3
top=$(pwd)
case $B in /*) ;; *) B=$top/$B ;; esac   # absolute: the CLI harness changes directory
mkdir -p "$B/findings" "$B/logs" "$B/corpus"
# the harnesses' scratch files (the CLI sandbox, a crash leaves it): removed at the end
TMPDIR=$B/tmp
export TMPDIR
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"

max_len() {
	case $1 in
	model|hw|set) echo 16384 ;;
	writers) echo 4096 ;;
	cli) echo 1024 ;;
	*) echo 256 ;;
	esac
}

# run_one HARNESS: fuzz it; the result goes to BUILD/logs/HARNESS.result
run_one() {
	h=$1
	bin=$B/fuzz/fuzz_$h
	log=$B/logs/$h.log
	art=$B/findings/$h
	seeds=$top/tests/fuzz/corpus/$h
	regress=$top/tests/fuzz/regress/$h
	rm -rf "$art"         # findings of an earlier run: keep them in tests/fuzz/regress/
	mkdir -p "$art" "$B/corpus/$h"
	set -- -artifact_prefix="$art/" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$h")"
	[ -f "tests/fuzz/$h.dict" ] && set -- "$@" -dict="$top/tests/fuzz/$h.dict"
	if [ "$SECONDS_EACH" -gt 0 ]; then
		dirs="$B/corpus/$h $seeds"
		# exploring past known findings (FUZZ_SKIP_KNOWN=1): not their reproducers
		[ -d "$regress" ] && [ -z "${FUZZ_SKIP_KNOWN:-}" ] && dirs="$dirs $regress"
		# shellcheck disable=SC2086
		"$bin" "$@" -max_total_time="$SECONDS_EACH" $dirs > "$log" 2>&1
	else
		files=$(ls "$seeds"/* "$regress"/* 2>/dev/null)
		# shellcheck disable=SC2086
		"$bin" "$@" $files > "$log" 2>&1
	fi
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(grep -c '^Executed ' "$log")
	found=$(ls "$art" | grep -cE '^(crash|leak|timeout|oom)-')
	echo "$rc $execs $found" > "$B/logs/$h.result"
}

pids=""
running=0
for h in "$@"; do
	if [ ! -x "$B/fuzz/fuzz_$h" ]; then
		echo "fuzz: $B/fuzz/fuzz_$h is not built" >&2
		exit 1
	fi
	rm -f "$B/logs/$h.result"
	run_one "$h" &
	pids="$pids $!"
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait
		running=0
	fi
done
wait

pass=0 fail=0 total=0
for h in "$@"; do
	if [ ! -f "$B/logs/$h.result" ]; then
		echo "not ok - fuzz $h: no result (see $B/logs/$h.log)"
		fail=$((fail + 1))
		continue
	fi
	read -r rc execs found < "$B/logs/$h.result"
	total=$((total + execs))
	if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
		if [ "$SECONDS_EACH" -gt 0 ]; then
			echo "ok - fuzz $h: $execs executions in ${SECONDS_EACH}s, no finding"
		else
			echo "ok - fuzz $h: $execs seeds and reproducers, no finding"
		fi
		pass=$((pass + 1))
	else
		echo "not ok - fuzz $h: $execs executions, exit $rc, $found finding(s) saved in $B/findings/$h/"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: |.*runtime error)' "$B/logs/$h.log" | head -5 | sed 's/^/#   /'
		if [ "$found" -gt 0 ]; then
			ls "$B/findings/$h" | sed "s|^|#   reproduce: $B/fuzz/fuzz_$h $B/findings/$h/|" | head -3
		else   # a seed or reproducer failed: the log names it
			grep '^Running: ' "$B/logs/$h.log" | tail -1 | sed "s|^Running: |#   reproduce: $B/fuzz/fuzz_$h |"
		fi
		fail=$((fail + 1))
	fi
done
rm -rf "$TMPDIR"
echo "fuzz: $total executions in all"
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
