# tests/props/engine.sh - sourced by tests/run.sh: the planner and the engine's
# answers (issue #13): pins honoured, TTFT of one request, achievable link
# figures used, a price for every bundled card.

# ---- pins are constraints: every deployment the planner reports has them
"$M" plan --model deepseek-v3 --hw h200 --rate 1 --dp 32 --ep 32 --mtp 0 --micro-batches 1 \
	--format json > "$T/pin.json" 2> "$T/pin.err"
rc=$?
bad=$(grep -E '"(dp|ep|micro_batches|mtp)":' "$T/pin.json" | tr -d ' \t,' | grep -v -x -E '"(dp|ep)":32|"micro_batches":1|"mtp":0')
n=$(grep -c '"dp":' "$T/pin.json")
if [ $rc -eq 0 ] && [ "$n" -ge 1 ] && [ -z "$bad" ]; then
	ok "planner pins: --dp 32 --ep 32 --mtp 0 --micro-batches 1 hold in every deployment reported ($n)"
else
	notok "planner pins: --dp 32 --ep 32 --mtp 0 --micro-batches 1 hold in every deployment reported" "exit $rc; $bad $(cat "$T/pin.err")"
fi
"$M" plan --model deepseek-v3 --hw h200 --rate 1 --batch 8 --micro-batches 2 --format json > "$T/pinb.json" 2>&1
bad=$(grep -E '"(batch|micro_batches)":' "$T/pinb.json" | tr -d ' \t,' | grep -v -x -E '"batch":8|"micro_batches":2')
if [ -z "$bad" ] && grep -q '"batch":	8' "$T/pinb.json"; then
	ok "planner pins: --batch 8 --micro-batches 2 is the batch of every deployment reported"
else
	notok "planner pins: --batch 8 --micro-batches 2 is the batch of every deployment reported" "$bad"
fi
# valid pins under which nothing fits: exit 1 and the reason, not another layout
"$M" plan --model deepseek-v3 --hw h200 --rate 1 --tp 1 --dp 1 --pp 1 > "$T/pinno.txt" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q 'nothing meets the targets' "$T/pinno.txt" && grep -q 'do not fit' "$T/pinno.txt"; then
	ok "planner pins: one H200 for DeepSeek-V3 (--tp 1 --dp 1 --pp 1) exits 1: nothing fits"
else
	notok "planner pins: one H200 for DeepSeek-V3 (--tp 1 --dp 1 --pp 1) exits 1: nothing fits" "exit $rc; $(head -8 "$T/pinno.txt")"
fi
