# tests/props/sweep.sh - sourced by tests/run.sh: properties of 'mlasim sweep'.
S="sweep --model deepseek-v3,llama-3.1-70b --hw h800,h100 --tp 1,2,4,8 --dp 1..8:x2 --ep 1..8:x2 --batch 1..64:x4 --micro-batches 1,2"

# the shards' files concatenate to the whole, byte for byte
"$M" $S -o "$T/whole.csv" > /dev/null 2>&1
: > "$T/cat.csv"
for i in 1 2 3; do
	"$M" $S --shard $i/3 -o "$T/shard$i.csv" > /dev/null 2>&1
	cat "$T/shard$i.csv" >> "$T/cat.csv"
done
if [ -s "$T/whole.csv" ] && cmp -s "$T/whole.csv" "$T/cat.csv"; then ok "sweep: 3 shards concatenate to the whole sweep"
else notok "sweep: 3 shards concatenate to the whole sweep"; fi

# threads change nothing
"$M" $S --threads 2 -o "$T/threads.csv" > /dev/null 2>&1
if cmp -s "$T/whole.csv" "$T/threads.csv"; then ok "sweep: --threads 2 writes the same rows"
else notok "sweep: --threads 2 writes the same rows"; fi

# the front has no dominated point, and no feasible row dominates a front point
"$M" $S -o "$T/rows.csv" > "$T/front.txt" 2>/dev/null
awk -F, '/^model,/ { for (i = 1; i <= NF; i++) col[$i] = i; next }
	/^#/ { next }
	FILENAME == ARGV[1] { fx[++n] = $col["tokens_per_s_per_user"]; fy[n] = $col["tokens_per_s_per_gpu"]; next }
	FILENAME == ARGV[2] && $col["fits"] == "true" && $col["batch_fits"] == "true" {
		x = $col["tokens_per_s_per_user"]; y = $col["tokens_per_s_per_gpu"]
		for (i = 1; i <= n; i++) if ((x > fx[i] && y >= fy[i]) || (x >= fx[i] && y > fy[i])) bad++ }
	END { for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) if (i != j && fx[j] >= fx[i] && fy[j] >= fy[i]) bad++
	      exit !(n > 0 && bad == 0) }' "$T/front.txt" "$T/rows.csv"
if [ $? -eq 0 ]; then ok "sweep: the Pareto front is non-dominated and complete"
else notok "sweep: the Pareto front is non-dominated and complete" "$(head -5 "$T/front.txt")"; fi

# JSON lines: one object per valid row, same count as the CSV rows
"$M" $S --format json -o "$T/rows.json" > /dev/null 2>&1
if [ "$(wc -l < "$T/rows.json")" -eq $(($(wc -l < "$T/rows.csv") - 1)) ] && head -1 "$T/rows.json" | grep -q '^{"model":"deepseek-v3",'; then
	ok "sweep: --format json writes one object per row"
else
	notok "sweep: --format json writes one object per row" "$(head -2 "$T/rows.json")"
fi

# a sweep point equals the same single plan
row=$(grep '^deepseek-v3,h800-sxm,32,1,32,32,1,64,2,' "$T/rows.csv" | head -1)
"$M" sweep --model deepseek-v3 --hw h800 --dp 32 --ep 32 --batch 64 --micro-batches 2 -o "$T/one.csv" > /dev/null 2>&1
tpot_plan=$("$M" plan --model deepseek-v3 --hw h800 --dp 32 --ep 32 --batch 64 --micro-batches 2 --format csv | grep '^decode.tpot_s,' | cut -d, -f2)
tpot_sweep=$(sed -n 2p "$T/one.csv" | cut -d, -f20)
if awk -v a="$tpot_plan" -v b="$tpot_sweep" 'BEGIN { exit !(a > 0 && (a - b) / a < 1e-8 && (b - a) / a < 1e-8) }'; then
	ok "sweep: a point's TPOT equals 'mlasim plan' ($tpot_sweep s)"
else
	notok "sweep: a point's TPOT equals 'mlasim plan'" "plan $tpot_plan, sweep $tpot_sweep"
fi

# ---- what the sweep writes, and what it refuses -----------------

# A card name holding a comma, a quote, a tab or a line break is quoted in the
# CSV (RFC 4180), and 'chart pareto' reads mlasim's own file back: one group,
# named as the card is.
SQ="$T/sweep-quoted"
mkdir -p "$SQ"
for name in 'my,\"8b\"	tab' 'two\nlines'; do
	"$M" sweep --model llama-3.1-8b --hw h100 --batch 1,2 --set "mlasim.name=\"$name\"" -o "$SQ/rows.csv" > /dev/null 2>&1
	rc_sweep=$?
	"$M" chart pareto --from "$SQ/rows.csv" -o "$SQ/p.png" > /dev/null 2> "$SQ/err"
	rc_chart=$?
	want=$(printf "$name" | sed 's/\\"/"/g' | tr '\n\t' '  ')   # the name, on one line
	if [ $rc_sweep -eq 0 ] && { [ $rc_chart -eq 0 ] || [ $rc_chart -eq 4 ]; } &&
	   [ "$(grep -c '^# front of ' "$SQ/p.dat")" -eq 1 ] &&
	   grep -qF "# front of $want on h100-sxm:" "$SQ/p.dat"; then
		ok "sweep: a card name '$name' is quoted in the CSV and 'chart pareto' reads it back"
	else
		notok "sweep: a card name '$name' is quoted in the CSV and 'chart pareto' reads it back" \
			"sweep $rc_sweep, chart $rc_chart: $(cat "$SQ/err"; grep '^# front' "$SQ/p.dat" 2>/dev/null)"
	fi
done
# ... and the quoted row is the first field: '"my,""8b""<TAB>tab",h100-sxm,'
"$M" sweep --model llama-3.1-8b --hw h100 --batch 1 --set 'mlasim.name="a,b"' -o "$SQ/ab.csv" > /dev/null 2>&1
if [ "$(sed -n 2p "$SQ/ab.csv" | cut -c1-15)" = '"a,b",h100-sxm,' ]; then ok "sweep: a comma in a name is quoted, '\"a,b\",h100-sxm,'"
else notok "sweep: a comma in a name is quoted, '\"a,b\",h100-sxm,'" "$(sed -n 2p "$SQ/ab.csv" | cut -c1-40)"; fi

# JSON lines are JSON whatever the names: a card file named 8b.json gives
# "model":"8b" (a string), and a quote in a name is escaped.  Each line parses.
if command -v jq > /dev/null 2>&1; then
	grep -v '"name": "llama-3.1-8b",' models/llama-3.1-8b.json > "$SQ/8b.json"   # named by its file
	"$M" sweep --model "$SQ/8b.json" --hw h100 --batch 1,2 --set 'gpu.hbm_gbs=3000,3350' --format json -o "$SQ/8b.json.rows" > /dev/null 2>&1
	if [ "$(jq -r '.model' "$SQ/8b.json.rows" 2> /dev/null | sort -u)" = 8b ] &&
	   [ "$(jq -s 'length' "$SQ/8b.json.rows" 2> /dev/null)" = 4 ] &&
	   [ "$(jq -r '[.fits, .batch, .["set.gpu.hbm_gbs"]] | map(type) | join(",")' "$SQ/8b.json.rows" | sort -u)" = boolean,number,number ]; then
		ok "sweep --format json: a card named 8b.json is \"model\":\"8b\"; fits boolean, batch and set values numbers"
	else
		notok "sweep --format json: a card named 8b.json is \"model\":\"8b\"" "$(head -c 300 "$SQ/8b.json.rows")"
	fi
	"$M" sweep --model llama-3.1-8b --hw h100 --batch 1 --set 'mlasim.name="q\"uote\\back"' --format json -o "$SQ/q.rows" > /dev/null 2>&1
	if [ "$(jq -r '.model' "$SQ/q.rows" 2> /dev/null)" = 'q"uote\back' ]; then
		ok "sweep --format json: a quote and a backslash in a name are escaped"
	else
		notok "sweep --format json: a quote and a backslash in a name are escaped" "$(head -c 200 "$SQ/q.rows")"
	fi
else
	skipped "sweep --format json: rows parse with jq" "jq not installed ('make deps')"
fi

# A --set list of a hardware key is applied: gpu.hbm_gbs=1000,3000 gives two
# TPOTs, each equal (1e-8 relative; the CSV keeps 9 digits) to 'plan --set'.
"$M" sweep --model v3 --hw h800 --dp 8 --ep 8 --set gpu.hbm_gbs=1000,3000 -o "$SQ/hbm.csv" > /dev/null 2>&1
good=0
for v in 1000 3000; do
	tp=$("$M" plan --model v3 --hw h800 --dp 8 --ep 8 --set gpu.hbm_gbs=$v --format csv | grep '^decode.tpot_s,' | cut -d, -f2)
	ts=$(awk -F, -v v=$v 'NR > 1 && $28 == v { print $20 }' "$SQ/hbm.csv")
	awk -v a="$tp" -v b="$ts" 'BEGIN { exit !(a > 0 && (a - b) / a < 1e-8 && (b - a) / a < 1e-8) }' && good=$((good + 1))
	eval "tpot_$v=\$ts"
done
if [ $good -eq 2 ] && [ "$tpot_1000" != "$tpot_3000" ]; then
	ok "sweep --set gpu.hbm_gbs=1000,3000: TPOTs $tpot_1000 and $tpot_3000 s, as 'plan --set' gives"
else
	notok "sweep --set gpu.hbm_gbs=1000,3000: TPOTs as 'plan --set' gives" "$(cut -d, -f1,20,28 "$SQ/hbm.csv")"
fi

# The Pareto front is exact past 4,096 points: a batch of 1..6000 on one H100
# at context 64 fits every point, and tokens/s per user falls as tokens/s per
# GPU rises with the batch, so all 6,000 are on the front.  Checked against
# the rows: the points no other row dominates (sorted by x down, y rising).
# A million SMs keep every GEMM within one wave: wave quantization (kern.h)
# would otherwise make a batch of 257 slower per GPU than one of 256.
"$M" sweep --model llama-3.1-8b --hw h100 --set gpu.sms=1e6 --context 64 --batch 1..6000:+1 -o "$SQ/big.csv" > "$SQ/big.front" 2> /dev/null
nfront=$(sed -n 's/^# Pareto front.*, \([0-9]*\) point(s):$/\1/p' "$SQ/big.front")
nrows=$(grep -c '^llama' "$SQ/big.front")
nexact=$(awk -F, 'NR > 1 && $15 == "true" && $16 == "true" { print $22, $21 }' "$SQ/big.csv" |
	sort -k1,1gr -k2,2gr | awk '$2 > best || NR == 1 { best = $2; n++ } END { print n }')
if [ -n "$nfront" ] && [ "$nfront" -gt 4096 ] && [ "$nfront" -eq "$nexact" ] && [ "$nrows" -eq "$nfront" ]; then
	ok "sweep: a front of $nfront points (> 4096) is printed whole"
else
	notok "sweep: a front of more than 4096 points is printed whole" "front $nfront, printed $nrows, exact $nexact"
fi

# No point fits: exit 1 with a line saying so, the rows still written.
"$M" sweep --model v3 --hw h800 --dp 8 --ep 8 --batch 1,2 -o "$SQ/none.csv" > "$SQ/none.out" 2> "$SQ/none.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^mlasim: none of the sweep's 2 points fits" "$SQ/none.err" &&
   [ "$(wc -l < "$SQ/none.csv")" -eq 3 ] && grep -q ' 0 point(s):$' "$SQ/none.out"; then
	ok "sweep: no point fits: exit 1, said on stderr, the rows written"
else
	notok "sweep: no point fits: exit 1, said on stderr, the rows written" "exit $rc: $(cat "$SQ/none.err")"
fi

# Every JSON document mlasim writes parses: each command's --format json (a
# no-fit plan and an infeasible SLO too: they exit 1 with the document), and
# every line of the sweep's JSON lines.
if command -v jq > /dev/null 2>&1; then
	bad=""
	nj=0
	while IFS= read -r args; do
		eval "set -- $args"
		"$M" "$@" > "$SQ/doc.json" 2> /dev/null
		rc=$?
		nj=$((nj + 1))
		{ [ $rc -le 1 ] && [ -s "$SQ/doc.json" ] && jq -e 'type == "object" or type == "array"' "$SQ/doc.json" > /dev/null 2>&1; } ||
			bad="$bad
exit $rc: $args"
	done <<'EOF_JSON'
plan --model llama-3.1-70b --hw h100 --tp 4 --batch 32 --context 8k --isl 2k --osl 512 --format json
plan --model deepseek-v3 --hw h800 --tp 8 --format json
plan --model v3 --hw h800 --dp 32 --ep 32 --batch 64 --micro-batches 2 --planes-down 1 --format json
plan --model v3 --hw h800,h200 --workload examples/chat-lengths.txt --rate 10 --ttft 3 --tpot 0.05 --gpu-hour-usd 2.5 --format json
plan --model llama-3.1-70b --hw h100 --rate 5 --ttft 0.001 --tpot 0.0001 --format json
kv --model deepseek-v3 --compare --format json
kv --model llama-3.1-405b --kv-dtype fp8 --context 128k,1Mi --kv-block 16 --format json
net --hw h800 --gpus 20000 --format json
net --hw h800 --compare --format json
net --hw mi300x --collective alltoall --bytes 256MiB --gpus 8 --format json
list --format json
validate --format json
probe --list --format json
probe --from tests/fixtures/probes-synthetic-h100.json --hw h100 --format json
probe --from tests/fixtures/probes-synthetic-h100.json --hw h100 --anchors --format json
probe --from tests/fixtures/probes-synthetic-h100.json --hw h100 --holdout 4 --format json
EOF_JSON
	"$M" sweep --model v3,llama-3.1-70b --hw h800,h100 --tp 1,8 --dp 1,8 --ep 1,8 --batch 1,64 --set 'mlasim.name="a \"b\""' \
		--set gpu.hbm_gbs=2000,3350 --format json -o "$SQ/lines.json" > /dev/null 2>&1
	lines=$(wc -l < "$SQ/lines.json")
	parsed=$(jq -c 'select(type == "object")' "$SQ/lines.json" 2> /dev/null | wc -l)
	[ "$lines" -gt 0 ] && [ "$lines" -eq "$parsed" ] || bad="$bad
sweep JSON lines: $parsed of $lines lines parse"
	if [ -z "$bad" ]; then ok "json: $nj commands' --format json and the sweep's $lines JSON lines parse with jq"
	else notok "json: every JSON document mlasim writes parses with jq" "$bad"; fi
else
	skipped "json: every JSON document mlasim writes parses with jq" "jq not installed ('make deps')"
fi

# Every --format csv quotes as the sweep does: 'kv' with a comma in the name,
# 'plan' (key,value rows) with a tab in it.
k=$("$M" kv --model llama-3.1-8b --set 'mlasim.name="a,b"' --context 4096 --format csv 2> /dev/null | sed -n 2p)
if [ "$k" = '"a,b",GQA,32,bf16,131072,4096,4096,536870912' ]; then ok "kv --format csv: a name 'a,b' is one quoted field"
else notok "kv --format csv: a name 'a,b' is one quoted field" "$k"; fi
p=$("$M" plan --model llama-3.1-8b --hw h100 --set 'mlasim.name="a\tb"' --format csv 2> /dev/null | grep '^model\.name,')
if [ "$p" = "$(printf 'model.name,"a\tb"')" ]; then ok "plan --format csv: a tab in a value is quoted"
else notok "plan --format csv: a tab in a value is quoted" "$p"; fi

# Skipped points say why: '--micro-batches 1,2' at the default batch 1 lays
# out point 1 only; point 2 (mb 2 > batch 1) is named with the layout's reason,
# the same on one thread and on two.
for th in 1 2; do
	e=$("$M" sweep --model llama-3.1-8b --hw h100 --micro-batches 1,2 --threads $th -o "$T/skip.csv" 2>&1 > /dev/null | grep '^mlasim: warning')
	case $e in
	"mlasim: warning: 1 of 2 points could not be laid out; point 2: '--batch' must be at least 1 and at least '--micro-batches' (2), got 1")
		ok "sweep --threads $th: a skipped point is named with its reason" ;;
	*) notok "sweep --threads $th: a skipped point is named with its reason" "$e" ;;
	esac
done
