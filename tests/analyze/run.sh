#!/bin/sh
# tests/analyze/run.sh - static analysis of mlasim's C code with cppcheck
# ('make analyze'; .ci/run runs it).  Checks the engine (sim/), the
# calibration fits (sim/calib/), the commands (sim/cli/), the writers
# (reports/), the probes' CPU code (probes/*.c) and the tests (tests/,
# tests/unit/, tests/fuzz/) as one program, so that checks across files (a NULL passed down a call chain, a function nobody calls) see
# every caller.  Prints each finding as 'FILE:LINE: SEVERITY ID: MESSAGE',
# sorted, then 'analyze: N findings'; exits 1 on any finding, 4 without
# cppcheck.
#
# Strict: warnings, style, performance, portability, unused functions and
# the inconclusive checks.  What is suppressed, and why, is in
# tests/analyze/suppressions (by check) or next to the line concerned
# ('cppcheck-suppress ID ; why').  cJSON's loop macro comes from
# tests/analyze/cjson.cfg.  One job (-j1): cppcheck skips its whole-program
# checks when it runs files in parallel.  Deterministic: same tree, same
# cppcheck, same lines (written against Debian 12's cppcheck 2.10, which
# 'make deps' installs; another version may know other checks).
set -u
cd "$(dirname "$0")/../.."
if ! command -v cppcheck > /dev/null 2>&1; then
	echo "analyze: cppcheck not found: 'make deps' installs it" >&2
	exit 4
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/mlasim-analyze.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

# the C files of a build, as the Makefile compiles them (C11, POSIX 2008)
cppcheck --std=c11 --platform=unix64 --language=c -D_POSIX_C_SOURCE=200809L \
	-Isim -Isim/calib -Isim/cli -Ireports -Iprobes -Itests/fuzz \
	--library=posix --library=tests/analyze/cjson.cfg \
	--enable=warning,style,performance,portability,unusedFunction --inconclusive \
	--inline-suppr --suppressions-list=tests/analyze/suppressions \
	--suppress=missingIncludeSystem \
	--quiet -j1 --error-exitcode=1 \
	--template='{file}:{line}: {severity} {id}: {message}' \
	sim/*.c sim/calib/*.c sim/cli/*.c reports/*.c probes/*.c tests/*.c tests/unit/*.c tests/fuzz/*.c 2> "$T/raw"
rc=$?
# one line per finding; anything else cppcheck says (a crash, a bad option) is
# shown and fails the run
grep -E '^[^ :]+:[0-9]+: ' "$T/raw" | LC_ALL=C sort -t: -k1,1 -k2,2n -k3 > "$T/findings"
n=$(wc -l < "$T/findings" | tr -d ' ')
cat "$T/findings"
if grep -vqE '^[^ :]+:[0-9]+: ' "$T/raw"; then
	grep -vE '^[^ :]+:[0-9]+: ' "$T/raw" | sed 's/^/analyze: cppcheck: /' >&2
	[ "$rc" -eq 0 ] && rc=1
fi
echo "analyze: $n findings"
[ "$n" -eq 0 ] && [ "$rc" -eq 0 ]
