# tests/props/cli.sh - sourced by tests/run.sh: numbers, options and messages on
# the command line.  Uses ok/notok/skipped, $M and $T from run.sh.

X="$T/cli"
mkdir -p "$X"

# Times take units: '--ttft 2s --tpot 50ms' is the very plan '--ttft 2 --tpot 0.05'
# gives (units.h: ms divides by 1000, so 50ms is the double 0.05), and 2000ms,
# 50000us the same again.
P="--model llama-3.1-70b --hw h100 --tp 4 --isl 2048 --osl 512 --rate 12 --format json"
"$M" plan $P --ttft 2 --tpot 0.05 > "$X/bare.json" 2> "$X/err"
r1=$?
"$M" plan $P --ttft 2s --tpot 50ms > "$X/s-ms.json" 2>> "$X/err"
r2=$?
"$M" plan $P --ttft 2000ms --tpot 50000us > "$X/ms-us.json" 2>> "$X/err"
r3=$?
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ $r3 -eq 0 ] && grep -q '"tpot_s":[[:space:]]*0.05$' "$X/bare.json" &&
   cmp -s "$X/bare.json" "$X/s-ms.json" && cmp -s "$X/bare.json" "$X/ms-us.json"; then
	ok "cli: --ttft 2s --tpot 50ms plan as --ttft 2 --tpot 0.05"
else
	notok "cli: --ttft 2s --tpot 50ms plan as --ttft 2 --tpot 0.05 (exit $r1 $r2 $r3)" \
		"$(cat "$X/err"; diff "$X/bare.json" "$X/s-ms.json" | head -5)"
fi

# chart topology for GPUs no tree serves writes no file (it stops before gnuplot)
"$M" chart topology --hw h800 --gpus 1024,1e9 -o "$X/topo" > /dev/null 2> "$X/err"
rc=$?
if [ $rc -eq 1 ] && ! ls "$X"/topo* > /dev/null 2>&1; then
	ok "cli: chart topology --gpus 1e9 exits 1 and writes nothing"
else
	notok "cli: chart topology --gpus 1e9 exits 1 and writes nothing (exit $rc)" "$(cat "$X/err"; ls "$X")"
fi

# '--micro-batches 2' without '--batch': the decode batch defaults to 2 (one
# sequence per micro-batch) instead of failing on the default batch of 1
"$M" plan --model deepseek-v3 --hw h800 --dp 32 --ep 32 --micro-batches 2 --format json > "$X/mb.json" 2> "$X/err"
rc=$?
b=$(awk -F'[:,]' '/"deployment"/ { d = 1 } d && /"batch":/ { gsub(/[ \t]/, "", $2); print $2; exit }' "$X/mb.json")
m=$(awk -F'[:,]' '/"deployment"/ { d = 1 } d && /"micro_batches":/ { gsub(/[ \t]/, "", $2); print $2; exit }' "$X/mb.json")
if [ $rc -eq 0 ] && [ "$b" = 2 ] && [ "$m" = 2 ]; then
	ok "cli: --micro-batches 2 alone plans at batch 2"
else
	notok "cli: --micro-batches 2 alone plans at batch 2 (exit $rc, batch '$b', micro-batches '$m')" "$(cat "$X/err")"
fi

# plan --engine NAME@VERSION: a version the card has figures for uses them and
# says so in the JSON (serving.engine_version); one it has none for runs on the
# engine-level figures exactly as no version does, with one warning line that
# names the versions the card knows (tests/fixtures/engine-versions.json: 0.19.0, 0.12.0)
P="--model llama-3.1-8b --hw h100-sxm --batch 16 --isl 1024 --osl 512 --context 1280 --format json"
V=tests/fixtures/engine-versions.json
"$M" plan $P --engine "$V@0.19.0" > "$X/v19.json" 2> "$X/v19.err"
r1=$?
"$M" plan $P --engine "$V@0.9.9" > "$X/v99.json" 2> "$X/v99.err"
r2=$?
"$M" plan $P --engine "$V" > "$X/vnone.json" 2> "$X/vnone.err"
r3=$?
got=$(jq -r '[.serving.engine_version // "null", .serving.engine_version_asked // "null"] | @tsv' "$X/v19.json" "$X/v99.json" "$X/vnone.json" 2>&1 | tr '\t\n' ',;')
same=$(jq -c '.serving | [.ttft_s, .tpot_s]' "$X/v99.json" "$X/vnone.json" 2>/dev/null | uniq | wc -l)
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ $r3 -eq 0 ] && [ "$got" = "0.19.0,0.19.0;null,0.9.9;null,null;" ] &&
   [ "$same" -eq 1 ] && [ ! -s "$X/v19.err" ] && [ ! -s "$X/vnone.err" ] && [ "$(wc -l < "$X/v99.err")" -eq 1 ] &&
   grep -q "has no figures for version '0.9.9'.*versions with figures of their own: 0.19.0, 0.12.0)" "$X/v99.err"; then
	ok "cli: --engine FILE@VERSION uses the version's figures; an unknown one the engine-level, with one warning"
else
	notok "cli: --engine FILE@VERSION uses the version's figures; an unknown one the engine-level, with one warning" \
		"exit $r1 $r2 $r3; versions [$got]; same $same; $(cat "$X/v19.err" "$X/v99.err" "$X/vnone.err")"
fi

# validate --serving runs each row on its backend_version's figures, and the
# command it prints for the row (--engine BACKEND@VERSION) gives the same
# prediction: the test card with versions (tests/fixtures/engine-versions.json)
# as vLLM's, its 0.19.0 row of tests/fixtures/silicon-small.csv
D="$X/vdata"
mkdir -p "$D/engines"
ln -sf "$PWD/models" "$D/models"
ln -sf "$PWD/hw" "$D/hw"
cp tests/fixtures/engine-versions.json "$D/engines/vllm.json"
R="$PWD/tests/fixtures/silicon-small.csv"
(cd "$D" && "$M" validate --serving "$R" --rows --format json) > "$X/vsv.json" 2> "$X/vsv.err"
rc=$?
cmd=$(jq -r '[.rows[] | select(.engine == "vllm")][0].command' "$X/vsv.json" 2> /dev/null)
want=$(jq -r '[.rows[] | select(.engine == "vllm")][0] | [.ttft_s, .tpot_s] | @tsv' "$X/vsv.json" 2> /dev/null)
# shellcheck disable=SC2086
got=$(cd "$D" && "$M" ${cmd#mlasim } --format json 2> /dev/null | jq -r '[.serving.ttft_s, .serving.tpot_s, .serving.engine_version] | @tsv')
if [ $rc -eq 0 ] && [ "${cmd#*--engine vllm@0.19.0 }" != "$cmd" ] && [ -n "$want" ] && [ "$got" = "$(printf '%s\t0.19.0' "$want")" ]; then
	ok "cli: validate --serving runs a row on its version's figures; its command (--engine vllm@0.19.0) reproduces it"
else
	notok "cli: validate --serving runs a row on its version's figures; its command (--engine vllm@0.19.0) reproduces it" \
		"exit $rc; $cmd: want $want 0.19.0, got $got; $(head -3 "$X/vsv.err")"
fi

# --recv-interval: without --engine it warns and changes nothing; with SGLang it
# adds the wait for the scheduler's poll to TTFT (serve.h) and leaves TPOT
P="--model deepseek-v3 --hw b200 --tp 8 --ep 8 --batch 64 --isl 7373 --osl 922 --weights fp8 --format json"
"$M" plan $P > "$X/r1.json" 2> "$X/err1"
"$M" plan $P --recv-interval 30 > "$X/r30.json" 2> "$X/err30"
rc=$?
"$M" plan $P --engine sglang > "$X/e1.json" 2> /dev/null
"$M" plan $P --engine sglang --recv-interval 30 > "$X/e30.json" 2> /dev/null
d=$(diff "$X/r1.json" "$X/r30.json" | grep -c '^[<>]' )
t1=$(jq -r '[.serving.ttft_s, .serving.tpot_s, .serving.poll_wait_s] | @tsv' "$X/e1.json" 2> /dev/null)
t30=$(jq -r '[.serving.ttft_s, .serving.tpot_s, .serving.poll_wait_s] | @tsv' "$X/e30.json" 2> /dev/null)
if [ $rc -eq 0 ] && [ "$d" = 2 ] && grep -q "'--recv-interval' acts on serving under load" "$X/err30" &&
   [ ! -s "$X/err1" ] && awk -v a="$t1" -v b="$t30" 'BEGIN { split(a, x, "\t"); split(b, y, "\t");
	exit !(y[1] > x[1] && y[2] == x[2] && y[3] > 10 * x[3]) }'; then
	ok "cli: --recv-interval warns without --engine; with SGLang it lengthens TTFT only"
else
	notok "cli: --recv-interval warns without --engine; with SGLang it lengthens TTFT only (exit $rc, $d lines differ)" \
		"$(cat "$X/err30"; echo "$t1 / $t30")"
fi

# --dp-balance-iters: balanced attention DP (DeepSeek-V3, dp 8) gives prompts out
# every 60 steps at this light load, a poll of 60 (serve.h): the same wait as
# --recv-interval 60, and none without balance
P="--model deepseek-v3 --hw b200 --dp 8 --ep 8 --batch 4 --isl 922 --osl 7373 --weights nvfp4 --kv-dtype fp8 --engine trtllm --format json"
q='[.serving.poll_wait_s, .serving.release_steps, .serving.ttft_s] | @tsv'
b60=$("$M" plan $P --dp-balance on --dp-balance-iters 60 2> /dev/null | jq -r "$q")
r60=$("$M" plan $P --dp-balance on --recv-interval 60 --dp-balance-iters 1 2> /dev/null | jq -r "$q")
b0=$("$M" plan $P --dp-balance off --dp-balance-iters 60 2> /dev/null | jq -r "$q")
if [ -n "$b60" ] && [ "$b60" = "$r60" ] && [ "$(echo "$b60" | cut -f2)" = 60 ] && [ "$(echo "$b0" | cut -f2)" = 1 ]; then
	ok "cli: --dp-balance-iters gives prompts out as a poll of that many steps; without balance, every step"
else
	notok "cli: --dp-balance-iters gives prompts out as a poll of that many steps; without balance, every step" \
		"balance 60: $b60; recv 60: $r60; no balance: $b0"
fi

# the routed experts' kernel class (plan JSON operators[].kernel): vLLM's and
# SGLang's own fused-MoE fits on H200 for FP8 experts split by MoE TP alone,
# vLLM's by EP alone too (TP 4, EP 4: MoE TP 1); TensorRT-LLM, SGLang under
# EP, MoE TP and EP together (TP 4, EP 2), EP under attention DP (DP 4, EP
# 4: vLLM's all-to-all, not what the records ran), BF16 experts or a card
# without the fit (B200) keep moe_grouped_gemm
P="--model minimax-m2.5 --tp 4 --batch 16 --isl 922 --osl 922 --weights fp8 --kv-dtype fp8 --format json"
q='[.decode.operators[], .prefill.operators[] | select(.class == "routed_experts") | .kernel] | unique | join(",")'
got=""
for a in "--hw h200-sxm --engine vllm" "--hw h200-sxm --engine sglang" "--hw h200-sxm --engine trtllm" \
	 "--hw h200-sxm --engine vllm --ep 4" "--hw h200-sxm --engine sglang --ep 4" \
	 "--hw h200-sxm --engine vllm --ep 2" "--hw h200-sxm --engine vllm --tp 1 --dp 4 --ep 4" \
	 "--hw h200-sxm --engine vllm --expert-weights bf16" \
	 "--hw b200 --engine vllm" "--hw h200-sxm"; do
	# shellcheck disable=SC2086
	got="$got $("$M" plan $P $a 2> /dev/null | jq -r "$q")"
done
want=" moe_grouped_gemm_vllm moe_grouped_gemm_sglang moe_grouped_gemm moe_grouped_gemm_vllm moe_grouped_gemm moe_grouped_gemm moe_grouped_gemm moe_grouped_gemm moe_grouped_gemm moe_grouped_gemm"
if [ "$got" = "$want" ]; then
	ok "cli: routed experts run the engine's own fused-MoE class where the card fits it (FP8, MoE TP or vLLM's EP alone)"
else
	notok "cli: routed experts run the engine's own fused-MoE class where the card fits it (FP8, MoE TP or vLLM's EP alone)" \
		"got '$got', want '$want'"
fi

# --batch-wait-iters/-ratio: without --engine they warn and change only their own
# echo; with TensorRT-LLM on a dense model the spread TTFT grows by batch_wait_s
# (prompts held, serve.h) and TPOT stays; one of them alone warns and holds none;
# with attention DP (DeepSeek-V3, dp 8) the engine holds none and says why
P="--model llama-3.1-70b --hw h200-sxm --tp 1 --batch 4 --isl 922 --osl 922 --weights fp8 --kv-dtype fp8"
"$M" plan $P --format json > "$X/w0.json" 2> /dev/null
"$M" plan $P --batch-wait-iters 20 --batch-wait-ratio 0.9 --format json > "$X/wn.json" 2> "$X/errwn"
rc=$?
"$M" plan $P --engine trtllm --format json > "$X/we0.json" 2> /dev/null
"$M" plan $P --engine trtllm --batch-wait-iters 20 --batch-wait-ratio 0.9 --format json > "$X/wew.json" 2> /dev/null
"$M" plan $P --engine trtllm --batch-wait-iters 20 --format json > "$X/wei.json" 2> "$X/errwi"
"$M" plan $P --engine vllm --batch-wait-iters 20 --batch-wait-ratio 0.9 > /dev/null 2> "$X/errwv"
"$M" plan --model deepseek-v3 --hw b200 --dp 8 --ep 8 --batch 64 --isl 922 --osl 922 --weights fp8 \
	--engine trtllm --batch-wait-iters 20 --batch-wait-ratio 0.9 > "$X/wdp.txt" 2> /dev/null
d=$(diff "$X/w0.json" "$X/wn.json" | grep -c '^[<>]' )
q='[.serving.steady_ttft_s, .serving.tpot_s, .serving.batch_wait_s, .serving.batch_held] | @tsv'
t0=$(jq -r "$q" "$X/we0.json" 2> /dev/null)
tw=$(jq -r "$q" "$X/wew.json" 2> /dev/null)
ti=$(jq -r "$q" "$X/wei.json" 2> /dev/null)
if [ $rc -eq 0 ] && [ "$d" = 4 ] && [ "$(grep -c "acts on serving under load" "$X/errwn")" = 2 ] &&
   grep -q "'--batch-wait-iters' holds prompts back only with '--batch-wait-ratio' above 0" "$X/errwi" &&
   grep -q "batch waiting is TensorRT-LLM's (batch_wait_timeout_iters, batch_wait_max_tokens_ratio); engine 'vllm'" "$X/errwv" &&
   [ "$ti" = "$t0" ] && grep -q "held back           none: the engine does not hold prompts with attention DP" "$X/wdp.txt" &&
   awk -v a="$t0" -v b="$tw" 'BEGIN { split(a, x, "\t"); split(b, y, "\t");
	exit !(y[3] > 0 && y[4] > 1 && (y[1] - x[1] - y[3]) ^ 2 < 1e-18 && y[2] == x[2] && x[3] == 0) }'; then
	ok "cli: --batch-wait-iters/-ratio warn without --engine; with TensorRT-LLM TTFT grows by the wait, TPOT stays"
else
	notok "cli: --batch-wait-iters/-ratio warn without --engine; with TensorRT-LLM TTFT grows by the wait, TPOT stays" \
		"exit $rc, $d lines differ; $t0 / $tw / $ti; $(cat "$X/errwn" "$X/errwi" "$X/errwv"; grep 'held back' "$X/wdp.txt")"
fi
