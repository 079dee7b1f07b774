#!/bin/sh
# tests/fuzz/valgrind.sh BUILD - run every golden CLI test (tests/golden/*.cmd)
# under valgrind --leak-check=full with the optimised binary BUILD/mlasim:
# no invalid read or write, no use of uninitialised memory, no leak.  The
# output must still match the golden file.  Prints one line per test and
# 'valgrind: N passed, N failed'; exits 1 on any error.
set -u
B=${1:-build}
M="$(cd "$B" && pwd)/mlasim"
T=$(mktemp -d "${TMPDIR:-/tmp}/mlasim-valgrind.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: NOT INSTALLED: 'make deps-fuzz' installs it" >&2
	exit 1
fi
pass=0 fail=0
for cmd in tests/golden/*.cmd; do
	[ -e "$cmd" ] || continue
	name=${cmd%.cmd}
	want_rc=0
	[ -f "$name.rc" ] && want_rc=$(cat "$name.rc")
	eval "set -- $(cat "$cmd")"
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --track-origins=yes \
		--log-file="$T/vg" "$M" "$@" > "$T/out" 2> "$T/err"
	rc=$?
	label="valgrind: ${name#tests/golden/}"
	if [ "$rc" -eq 99 ] || [ -s "$T/vg" ]; then
		echo "not ok - $label (valgrind errors)"
		head -30 "$T/vg" | sed 's/^/#   /'
		fail=$((fail + 1))
	elif [ "$rc" -ne "$want_rc" ]; then
		echo "not ok - $label (exit $rc, expected $want_rc)"
		head -5 "$T/err" | sed 's/^/#   /'
		fail=$((fail + 1))
	elif ! cmp -s "$name.out" "$T/out"; then
		echo "not ok - $label (output differs from the golden file)"
		fail=$((fail + 1))
	else
		echo "ok - $label"
		pass=$((pass + 1))
	fi
done
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
