# tests/props/planner.sh - sourced by tests/run.sh: the planner against brute force.

# On a space small enough to enumerate (Llama-3.1-70B on H100, tp 4, bf16 KV,
# aggregated, fewest GPUs), the planner's answer equals the best of every batch
# from 1 to what fits, evaluated one by one with sweep and the same pool formula.
P="--model llama-3.1-70b --hw h100 --tp 4 --pp 1 --kv-dtype bf16 --isl 2048 --osl 512 --context 2560"
"$M" plan $P --rate 12 --ttft 1 --tpot 0.04 --objective gpus --disaggregation off --format csv > "$T/planner.csv" 2>&1
pg=$(grep '^deployment.gpus,' "$T/planner.csv" | cut -d, -f2)
pb=$(grep '^deployment.batch,' "$T/planner.csv" | cut -d, -f2)
"$M" sweep $P --batch 1..600:+1 --prefill -o "$T/brute.csv" > /dev/null 2>&1
best=$(awk -F, -v rate=12 -v S=2048 -v osl=512 -v slo=0.04 -v ttft=1 '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["fits"] == "true" && $c["batch_fits"] == "true" {
		d = $c["tokens_per_s_per_gpu"]; p = $c["prefill_tokens_per_s_per_gpu"]
		pre = rate * S / p; dec = rate * osl / d
		eff = $c["tpot_s"] / (1 - (S / p) / (S / p + osl / d))
		if (eff > slo || $c["ttft_s"] > ttft) next
		g = (pre + dec) / 4; g = (g == int(g) ? g : int(g) + 1) * 4
		if (best == "" || g < best) best = g }
	END { print best }' "$T/brute.csv")
if [ -n "$pg" ] && [ "$pg" = "$best" ]; then ok "planner: the fewest GPUs equal brute force over every batch ($pg GPUs, batch $pb)"
else notok "planner: the fewest GPUs equal brute force over every batch" "planner $pg (batch $pb), brute force $best"; fi

# Targets nobody can meet: exit 1 and a reason
"$M" plan $P --rate 3 --tpot 0.001 > "$T/none.txt" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "nothing meets the targets" "$T/none.txt" && grep -q "closest that misses TPOT" "$T/none.txt"; then
	ok "planner: infeasible targets exit 1 with the closest miss"
else
	notok "planner: infeasible targets exit 1 with the closest miss (exit $rc)" "$(cat "$T/none.txt")"
fi

# --emit sglang agrees with the chosen deployment
"$M" plan --model deepseek-v3 --hw h200 --rate 5 --ttft 2 --tpot 0.05 --gpu-hour-usd 3 --format json > "$T/pj.json" 2>&1
"$M" plan --model deepseek-v3 --hw h200 --rate 5 --ttft 2 --tpot 0.05 --gpu-hour-usd 3 --emit sglang > "$T/emit.txt" 2>&1
tp=$(awk -F'[:,]' '/"deployment"/ { d = 1 } d && /"tp":/ { gsub(/[ \t]/, "", $2); print $2; exit }' "$T/pj.json")
dp=$(awk -F'[:,]' '/"deployment"/ { d = 1 } d && /"dp":/ { gsub(/[ \t]/, "", $2); print $2; exit }' "$T/pj.json")
batch=$(awk -F'[:,]' '/"deployment"/ { d = 1 } d && /"batch":/ { gsub(/[ \t]/, "", $2); print $2; exit }' "$T/pj.json")
line=$(grep 'sglang.launch_server' "$T/emit.txt" | head -1)
if [ -n "$tp" ] && echo "$line" | grep -q -- "--tp $((tp * dp)) " &&
   echo "$line" | grep -q -- "--max-running-requests $((batch * dp)) "; then
	ok "planner: --emit sglang matches the deployment (tp $tp x dp $dp, batch $batch)"
else
	notok "planner: --emit sglang matches the deployment" "tp=$tp dp=$dp batch=$batch; $line"
fi
