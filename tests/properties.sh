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

# ---- reliability: determinism, interrupted output, numbers -----------------

# Determinism: every golden command, run twice, gives byte-identical output
# and exit status (stderr may say how long it took).
for cmd in tests/golden/*.cmd; do
	[ -e "$cmd" ] || continue
	name=${cmd#tests/golden/}
	name=${name%.cmd}
	eval "set -- $(cat "$cmd")"
	"$M" "$@" > "$T/det1" 2> "$T/det1.err"
	rc1=$?
	"$M" "$@" > "$T/det2" 2> "$T/det2.err"
	rc2=$?
	if [ $rc1 -eq $rc2 ] && cmp -s "$T/det1" "$T/det2"; then
		ok "determinism: $name twice gives identical output"
	else
		notok "determinism: $name twice gives identical output (exit $rc1, $rc2)" \
			"$(diff "$T/det1" "$T/det2" | head -10)"
	fi
done

# Interrupted output.  tests/fuzz/writefail.c (LD_PRELOAD) stops mlasim half
# way through writing the -o file: killed, terminated, or the disk full.
# Whatever happens, the file at the -o path is the previous one or the whole
# new one, never a part; only SIGKILL, which nothing can catch, may leave the
# temporary file behind.
# out_case NAME MODE: run 'plan -o' over a previous file under the shim.
out_case() {
	rm -rf "$T/o" && mkdir "$T/o"
	echo previous > "$T/o/plan.json"
	rm -f "$T/o.mark"
	MLASIM_WRITEFAIL=$2 MLASIM_WRITEFAIL_MARK="$T/o.mark" LD_PRELOAD="$T/writefail.so" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$M" plan --model v3 --hw h800 --tp 8 --format json -o "$T/o/plan.json" \
		> "$T/o.out" 2> "$T/o.err"
	orc=$?
	tmps=$(ls "$T/o" | grep -c '\.tmp\.')
	if cmp -s "$T/o/plan.json" "$T/plan-full.json"; then ofile=new
	elif [ "$(cat "$T/o/plan.json")" = previous ]; then ofile=previous
	else ofile=partial
	fi
}
"$M" plan --model v3 --hw h800 --tp 8 --format json > "$T/plan-full.json" 2>/dev/null
if ${CC:-cc} -shared -fPIC -o "$T/writefail.so" tests/fuzz/writefail.c -ldl 2> "$T/cc.err"; then
	out_case kill kill
	if [ ! -e "$T/o.mark" ]; then
		skipped "-o killed mid-write: the previous file is intact" "write() not interposable (sanitizer build)"
	elif [ "$ofile" = previous ]; then
		ok "-o killed mid-write: the previous file is intact"
	else
		notok "-o killed mid-write: the previous file is intact (the file is $ofile, exit $orc)"
	fi
	out_case term term
	if [ ! -e "$T/o.mark" ]; then
		skipped "-o terminated mid-write: old or whole file, no temporary left" "write() not interposable"
	elif [ "$ofile" != partial ] && [ "$tmps" -eq 0 ]; then
		ok "-o terminated mid-write: old or whole file, no temporary left"
	else
		notok "-o terminated mid-write: old or whole file, no temporary left (file $ofile, $tmps temporary, exit $orc)" \
			"$(ls -la "$T/o")"
	fi
	out_case full enospc
	if [ ! -e "$T/o.mark" ]; then
		skipped "-o on a full disk: exit 4, previous file intact, no temporary" "write() not interposable"
	elif [ $orc -eq 4 ] && [ "$ofile" = previous ] && [ "$tmps" -eq 0 ] &&
	     grep -q "^mlasim: cannot write '.*plan.json': no space left" "$T/o.err" && [ ! -s "$T/o.out" ]; then
		ok "-o on a full disk: exit 4, previous file intact, no temporary"
	else
		notok "-o on a full disk: exit 4, previous file intact, no temporary (exit $orc, file $ofile, $tmps temporary)" \
			"$(cat "$T/o.err")"
	fi
else
	skipped "-o interrupted mid-write" "no C compiler for tests/fuzz/writefail.c: $(head -1 "$T/cc.err")"
fi

# A file-size limit (ulimit -f, a quota) hit while writing -o: the kernel
# sends SIGXFSZ; mlasim must report it (exit 4) and clean up, not die
# leaving a temporary file.  The limit (one block) is far below the report.
rm -rf "$T/o" && mkdir "$T/o"
echo previous > "$T/o/plan.json"
(ulimit -f 1 && exec "$M" plan --model v3 --hw h800 --tp 8 --format json -o "$T/o/plan.json") \
	> "$T/o.out" 2> "$T/o.err"
orc=$?
tmps=$(ls "$T/o" | grep -c '\.tmp\.')
if [ $orc -eq 4 ] && [ "$(cat "$T/o/plan.json")" = previous ] && [ "$tmps" -eq 0 ] &&
   grep -q "^mlasim: cannot write '.*plan.json'" "$T/o.err"; then
	ok "-o past the file-size limit: exit 4, previous file intact, no temporary"
else
	notok "-o past the file-size limit: exit 4, previous file intact, no temporary (exit $orc, $tmps temporary)" \
		"$(cat "$T/o.err"; ls "$T/o")"
fi

# Extreme but valid numbers: every one of these commands answers (exit 0, or
# 1 when it does not fit) with a table whose numbers are all finite: no 'inf',
# no 'nan' where a number belongs.
V=tests/bad/model-ok-v3.json
H=tests/bad/hw-ok.json
while IFS= read -r args; do
	case "$args" in ''|'#'*) continue ;; esac
	eval "set -- $args"
	"$M" "$@" > "$T/x.out" 2> "$T/x.err"
	rc=$?
	bad=$(grep -nEi '(^|[ (:=,])[-+]?(nan|inf)([ ),%]|$)' "$T/x.out" | head -3)
	if [ $rc -le 1 ] && [ -s "$T/x.out" ] && [ -z "$bad" ]; then
		ok "finite numbers: $args"
	else
		notok "finite numbers: $args (exit $rc)" "$(head -2 "$T/x.err")
$bad"
	fi
done <<CMDS
plan --model $V --hw $H --tp 8 --context 1e9 --batch 1e9
plan --model $V --hw $H --tp 8 --set hidden_size=10000000 --set vocab_size=999999999
plan --model $V --hw $H --tp 8 --reserve 1e24B
plan --model $V --hw $H --tp 8 --reserve 18446744073709551616B
plan --model $V --hw $H --tp 8 --kv-block 1e9
plan --model $V --hw $H --tp 8 --prefill-tokens 1e9 --isl 1e9
plan --model $V --hw $H --tp 8 --pp 61
plan --model $V --hw $H --tp 8 --imbalance 1e24 --mtp 1 --mtp-accept 1
plan --model $V --hw $H --dp 256 --ep 256 --batch 1e9 --micro-batches 1e9
plan --model $V --hw $H --tp 8 --dp 32 --ep 256 --redundant-experts 1000000
plan --model $V --hw $H --tp 8 --set num_hidden_layers=4096 --set first_k_dense_replace=3
plan --model $V --hw $H --tp 8 --set n_routed_experts=100000 --set num_experts_per_tok=100000 --set n_group=1 --set topk_group=1
plan --model tests/bad/model-ok-llama.json --hw $H --tp 8 --weights int4:g1 --kv-dtype bits:1
plan --model tests/bad/model-ok-llama.json --hw $H --tp 8 --weights int4:g1000000 --kv-dtype bits:64
kv --model $V --context 1e9 --kv-block 1e9
kv --model $V --compare --groups 128 --context 1e9
kv --model $V --set hidden_size=10000000 --set vocab_size=999999999 --context 1e9
CMDS

# The KV dtype a report names is the one it computed with: 'bits:6.0000001'
# must not print as 'bits:6' beside 6.0000001-bit sizes (refusing such a
# width, exit 2, is an answer too).  MLA model: 576 elements x 61 layers.
"$M" kv --model tests/bad/model-ok-v3.json --kv-dtype bits:6.0000001 --format csv --context 1 \
	> "$T/kvb.csv" 2> "$T/kvb.err"
rc=$?
line=$(sed -n 2p "$T/kvb.csv")
name=$(echo "$line" | cut -d, -f4)
bytes=$(echo "$line" | cut -d, -f5)
want=$(awk -v n="${name#bits:}" 'BEGIN { printf "%.15g", 576 * 61 * n / 8 }')
if [ $rc -eq 2 ] || { [ $rc -eq 0 ] && [ "$bytes" = "$want" ]; }; then
	ok "kv dtype: the printed width is the computed one"
else
	notok "kv dtype: the printed width is the computed one (exit $rc: '$name' printed, $bytes B per token computed, $want B for '$name')" \
		"$(cat "$T/kvb.err")"
fi
