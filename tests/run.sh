#!/bin/sh
# tests/run.sh BUILD_DIR [NAME] - run the tests of mlasim and print TAP: one
# line per test, 'ok N - name', 'not ok N - name' or 'ok N - name # SKIP why',
# numbered from 1, then the plan line '1..N', then exactly one summary line
# 'tests: N passed, N failed, N skipped' (the last line: CI reads it).  Exit
# status 1 if any test failed.  Run from the repository root (make test).
#
#   1. unit tests         BUILD_DIR/unit and BUILD_DIR/unit_* print 'ok - name' /
#                         'not ok - name' / 'skip - name (why)' (tests/unit/harness.h)
#   2. golden CLI tests   tests/golden/NAME.cmd (arguments), NAME.out (expected stdout),
#                         NAME.rc (expected exit status, default 0)
#   3. bad input corpus   tests/bad/*.tsv: EXIT<TAB>MESSAGE SUBSTRING<TAB>ARGUMENTS
#   4. examples           every examples/*.sh runs and exits 0
#   5. properties         tests/properties.sh and tests/props/*.sh (sourced: they
#                         use ok/notok/skipped, $M and $T): determinism, atomic -o, charts
#
# NAME ('make test T=NAME') runs only the tests whose name, as printed after
# 'ok N - ', contains NAME (case-sensitive): 'unit: TEST' and 'unit_probes:
# TEST' (the programs are given NAME and run only those), 'golden: FILE' (the
# .cmd file's name), 'bad input: ARGUMENTS' (or a case whose expected message
# contains NAME), 'example: examples/FILE.sh'.  A property script is run whole,
# or not at all, by its path (tests/properties.sh, tests/props/FILE.sh).  No
# test selected: exit 1.
set -u
B=${1:-build}
run_only=${2:-}
M="$(cd "$B" && pwd)/mlasim"
export MLASIM="$M"
# the scratch directory, not exported ('make test T=NAME' exports a T of its own)
unset T
T=$(mktemp -d "${TMPDIR:-/tmp}/mlasim-test.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
# the counters: names the sourced property scripts do not use
tap_n=0 tap_pass=0 tap_fail=0 tap_skip=0

# tap_name NAME: NAME for a TAP line, in tap_nm: a line break in it as '\n'
# (printed with printf: dash's echo would make it a line break again)
tap_nl='
'
tap_name() {
	tap_nm=$1
	case "$tap_nm" in
	*"$tap_nl"*) tap_nm=$(printf '%s' "$1" | awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }') ;;
	esac
}
ok() {
	tap_n=$((tap_n + 1)); tap_pass=$((tap_pass + 1)); tap_name "$1"
	printf 'ok %s - %s\n' $tap_n "$tap_nm"
}
notok() {
	tap_n=$((tap_n + 1)); tap_fail=$((tap_fail + 1)); tap_name "$1"
	printf 'not ok %s - %s\n' $tap_n "$tap_nm"
	[ $# -gt 1 ] && printf '%s\n' "$2" | head -20 | sed 's/^/#   /'
	return 0
}
skipped() {
	tap_n=$((tap_n + 1)); tap_skip=$((tap_skip + 1)); tap_name "$1"
	printf 'ok %s - %s # SKIP%s\n' $tap_n "$tap_nm" "${2:+ $2}"
}

# selected NAME...: whether one of the names contains NAME (all, without one)
selected() {
	[ -z "$run_only" ] && return 0
	for s_name in "$@"; do
		case "$s_name" in *"$run_only"*) return 0 ;; esac
	done
	return 1
}
[ -n "$run_only" ] && echo "# only the tests whose name contains '$run_only'"

# ---- 1. unit tests ------------------------------------------------------
# BUILD_DIR/unit and every BUILD_DIR/unit_* program (e.g. unit_probes)
for prog in "$B/unit" "$B"/unit_*; do
	[ -x "$prog" ] || continue
	label=$(basename "$prog")
	# the program matches NAME against 'LABEL: TEST' itself (harness.h)
	if [ -n "$run_only" ]; then
		"$prog" -- "$run_only" > "$T/unit.out" 2>&1
	else
		"$prog" > "$T/unit.out" 2>&1
	fi
	urc=$?
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "$label: ${line#ok - }" ;;
		"not ok - "*) notok "$label: ${line#not ok - }" ;;
		"skip - "*")")
			# 'skip - TEST (WHY)': the reason goes to the SKIP directive
			rest=${line#skip - }
			tname=${rest% (*}
			why=${rest#"$tname ("}
			skipped "$label: $tname" "${why%)}" ;;
		"skip - "*) skipped "$label: ${line#skip - }" ;;
		"#"*) printf '%s\n' "$line" ;;
		esac
	done < "$T/unit.out"
	if [ $urc -ne 0 ] && ! grep -q '^not ok - ' "$T/unit.out"; then
		notok "$label: the program exited $urc" "$(tail -5 "$T/unit.out")"
	fi
done

# ---- 2. golden CLI tests ------------------------------------------------
for cmd in tests/golden/*.cmd; do
	[ -e "$cmd" ] || continue
	name=${cmd%.cmd}
	selected "golden: ${name#tests/golden/}" || continue
	want_rc=0
	[ -f "$name.rc" ] && want_rc=$(cat "$name.rc")
	eval "set -- $(cat "$cmd")"
	"$M" "$@" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		notok "golden: ${name#tests/golden/} (exit $rc, expected $want_rc)" "$(cat "$T/err")"
	elif ! diff -u "$name.out" "$T/out" > "$T/diff"; then
		notok "golden: ${name#tests/golden/} (output differs)" "$(cat "$T/diff")"
	else
		ok "golden: ${name#tests/golden/}"
	fi
done

# ---- 3. bad input corpus ------------------------------------------------
# Each case: the exit status, a substring of the one-line error, the arguments.
# stderr must start 'mlasim: ', its first line must hold the substring, it must
# be that one line (besides 'mlasim: warning' lines), stdout must be empty, and
# nothing may crash (status > 4).
tab=$(printf '\t')
while IFS="$tab" read -r want msg args; do
	case "$want" in ''|'#'*) continue ;; esac
	selected "bad input: $args" "$msg" || continue
	eval "set -- $args"
	"$M" "$@" > "$T/out" 2> "$T/err"
	rc=$?
	first=$(grep -v "^mlasim: warning" "$T/err" | head -1)
	# the error is one line (docs/design.md s8); 'mlasim: warning' lines may precede it
	lines=$(grep -v '^mlasim: warning' "$T/err" | wc -l)
	if [ "$rc" -ne "$want" ]; then
		notok "bad input: $args (exit $rc, expected $want)" "$(cat "$T/err")"
	elif [ -s "$T/out" ]; then
		notok "bad input: $args (wrote to stdout)" "$(head -3 "$T/out")"
	elif [ "$lines" -ne 1 ]; then
		notok "bad input: $args (stderr is $lines lines, not one)" "$(cat "$T/err")"
	else
		case "$first" in
		"mlasim: "*"$msg"*) ok "bad input: $args" ;;
		*) notok "bad input: $args (message)" "got: $first
want substring: $msg" ;;
		esac
	fi
done <<EOF_CASES
$(cat tests/bad/*.tsv)
EOF_CASES

# ---- 4. examples --------------------------------------------------------
for ex in examples/*.sh; do
	[ -e "$ex" ] || continue
	selected "example: $ex" || continue
	if (top=$(pwd) && cd "$T" && sh "$top/$ex" "$M") > "$T/ex.out" 2>&1; then
		ok "example: $ex"
	else
		notok "example: $ex" "$(tail -10 "$T/ex.out")"
	fi
done

# ---- 5. properties of the whole program ---------------------------------
# a script is run whole when its path contains NAME
selected tests/properties.sh && . tests/properties.sh
for props in tests/props/*.sh; do
	[ -e "$props" ] && selected "$props" && . "$props"
done

# the TAP plan (at the end, as TAP allows), then the summary, the last line
if [ "$tap_n" -eq 0 ] && [ -n "$run_only" ]; then
	echo "1..0 # SKIP no test name contains '$run_only'"
	echo "tests: 0 passed, 0 failed, 0 skipped"
	exit 1
fi
echo "1..$tap_n"
echo "tests: $tap_pass passed, $tap_fail failed, $tap_skip skipped"
[ $tap_fail -eq 0 ]
