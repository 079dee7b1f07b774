# tests/properties.sh - sourced by tests/run.sh: properties of the whole
# program (determinism, atomic output files, charts).  Uses ok/notok/skipped,
# $M (the binary) and $T (a scratch directory) from run.sh.

# Determinism: the same inputs give byte-identical output.
"$M" plan --model deepseek-v3 --hw h800 --tp 8 --pp 2 --format json > "$T/d1" 2>&1
"$M" plan --model deepseek-v3 --hw h800 --tp 8 --pp 2 --format json > "$T/d2" 2>&1
if cmp -s "$T/d1" "$T/d2"; then ok "determinism: plan twice gives identical json"
else notok "determinism: plan twice gives identical json"; fi

# -o writes the same bytes as stdout, atomically, and leaves no temporary file.
"$M" kv --model v3 --format json > "$T/stdout.json"
"$M" kv --model v3 --format json -o "$T/file.json"
if cmp -s "$T/stdout.json" "$T/file.json" && [ -z "$(ls "$T" | grep '\.tmp\.')" ]; then
	ok "-o: file equals stdout, no temporary left"
else
	notok "-o: file equals stdout, no temporary left"
fi

# A failed run with -o leaves the previous file untouched.
echo previous > "$T/keep.json"
"$M" kv --model no-such-model -o "$T/keep.json" 2>/dev/null
if [ "$(cat "$T/keep.json")" = previous ]; then ok "-o: a failed run leaves the previous file"
else notok "-o: a failed run leaves the previous file"; fi

# Writing into a directory that does not exist fails cleanly with exit 4.
"$M" kv --model v3 -o "$T/no/such/dir/x.json" 2> "$T/err"
rc=$?
if [ $rc -eq 4 ] && grep -q "^mlasim: cannot write" "$T/err"; then ok "-o: unwritable path exits 4"
else notok "-o: unwritable path exits 4 (got $rc)" "$(cat "$T/err")"; fi

# chart kv: png, svg, dat and gp appear; without gnuplot: exit 4, data and script kept.
if command -v gnuplot >/dev/null 2>&1; then
	"$M" chart kv --model deepseek-v3,qwen2.5-72b,llama-3.1-405b --hw h800 -o "$T/kv.png" 2> "$T/err"
	rc=$?
	if [ $rc -eq 0 ] && [ -s "$T/kv.png" ] && [ -s "$T/kv.svg" ] && [ -s "$T/kv.dat" ] && [ -s "$T/kv.gp" ] &&
	   head -c 8 "$T/kv.png" | od -An -c | grep -q 'P   N   G'; then
		ok "chart kv: png, svg, dat and gp written"
	else
		notok "chart kv: png, svg, dat and gp written (exit $rc)" "$(cat "$T/err")"
	fi
else
	skipped "chart kv: png, svg, dat and gp written" "gnuplot not installed"
fi
MLASIM_GNUPLOT=/nonexistent/gnuplot "$M" chart kv --model v3 -o "$T/nog.png" 2> "$T/err"
rc=$?
if [ $rc -eq 4 ] && [ -s "$T/nog.dat" ] && [ -s "$T/nog.gp" ] && [ ! -e "$T/nog.png" ] &&
   grep -q "^mlasim: gnuplot not found" "$T/err"; then
	ok "chart kv without gnuplot: exit 4, .dat and .gp kept"
else
	notok "chart kv without gnuplot: exit 4, .dat and .gp kept (exit $rc)" "$(cat "$T/err")"
fi
