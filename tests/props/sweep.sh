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
tpot_sweep=$(sed -n 2p "$T/one.csv" | cut -d, -f19)
if awk -v a="$tpot_plan" -v b="$tpot_sweep" 'BEGIN { exit !(a > 0 && (a - b) / a < 1e-8 && (b - a) / a < 1e-8) }'; then
	ok "sweep: a point's TPOT equals 'mlasim plan' ($tpot_sweep s)"
else
	notok "sweep: a point's TPOT equals 'mlasim plan'" "plan $tpot_plan, sweep $tpot_sweep"
fi
