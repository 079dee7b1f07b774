#!/bin/sh
# tests/golden/update.sh [BUILD_DIR] - regenerate every NAME.out from NAME.cmd
# after a deliberate output change.  Read 'git diff tests/golden' before committing.
set -u
cd "$(dirname "$0")/../.."
M="${1:-build}/mlasim"
for cmd in tests/golden/*.cmd; do
	name=${cmd%.cmd}
	eval "set -- $(cat "$cmd")"
	"$M" "$@" > "$name.out"
	rc=$?
	want=0
	[ -f "$name.rc" ] && want=$(cat "$name.rc")
	[ "$rc" -eq "$want" ] || echo "update: $name exited $rc, expected $want" >&2
done
