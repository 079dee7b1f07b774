# tests/props/engine.sh - sourced by tests/run.sh: the planner and the engine's
# answers to hostile input: pins honoured, TTFT of one request, achievable link
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

# ---- a price for every bundled card: the cost planner compares every family,
# and names the cards it cannot price (no dated public price was found for
# b300, gb300-nvl72 and mi355x; their cards say so) instead of dropping them silently
all=$(ls hw/*.json | sed 's|hw/||; s|\.json$||' | tr '\n' ',' | sed 's/,$//')
"$M" plan --model deepseek-v3 --hw "$all" --rate 1 --format json > "$T/cost.json" 2> "$T/cost.err"
rc=$?
unpriced=$(tr -d ' \t\n' < "$T/cost.json" | sed -n 's/.*"unpriced_hw":\[\([^]]*\)\].*/\1/p')
others=$(grep -A 12 '"hw":' "$T/cost.json" | grep -B 12 '"reason":	"has no price"' | grep '"hw":' |
	grep -v -E '"(b300|gb300-nvl72|mi355x)"' | sort -u)
if [ $rc -eq 0 ] && [ "$unpriced" = '"b300","gb300-nvl72","mi355x"' ] && [ -z "$others" ] &&
   grep -q "no price for 'b300', 'gb300-nvl72', 'mi355x'" "$T/cost.err"; then
	ok "cost planner over all bundled cards: every family of the priced cards compared, b300, gb300-nvl72 and mi355x named as unpriced"
else
	notok "cost planner over all bundled cards: every family of the priced cards compared, b300, gb300-nvl72 and mi355x named as unpriced" \
		"exit $rc; unpriced [$unpriced]; also without a price: $others; $(cat "$T/cost.err")"
fi
# a price for all cards on the command line: nothing left out, no warning
"$M" plan --model deepseek-v3 --hw "$all" --rate 1 --gpu-hour-usd 3 --format json > "$T/cost3.json" 2> "$T/cost3.err"
if grep -q '"has no price":	0' "$T/cost3.json" && ! grep -q 'no price' "$T/cost3.err"; then
	ok "cost planner with --gpu-hour-usd: no card left out, no warning"
else
	notok "cost planner with --gpu-hour-usd: no card left out, no warning" "$(grep 'has no price' "$T/cost3.json") $(cat "$T/cost3.err")"
fi
# the cards' prices as the plan reads them: GB200 $42.00/h per 4-GPU CoreWeave
# instance = $10.50; MI300X $1.50 (TensorWave); H20 capex+energy: $24,373 over
# 6 years of 8760 h, plus the facility kW per GPU at $0.0806/kWh
price() { "$M" plan --model llama-3.1-70b --hw "$1" --tp 4 --format json 2>/dev/null |
	awk -F: '/"facility_kw"/ {kw = $2 + 0} /"usd_per_gpu_hour"/ {p = $2 + 0} END {printf "%.17g %.17g\n", p, kw}'; }
read -r g x <<EOT
$(price gb200)
EOT
read -r a x <<EOT
$(price mi300x)
EOT
read -r h hkw <<EOT
$(price h20)
EOT
if awk -v g="$g" -v a="$a" -v h="$h" -v kw="$hkw" 'BEGIN {
	want = 24373 / (6 * 8760) + kw / 4 * 0.0806
	exit !(g == 10.5 && a == 1.5 && kw > 0 && (h - want < 1e-9 * want) && (want - h < 1e-9 * want)) }'; then
	ok "card prices: gb200 \$10.50/GPU-h, mi300x \$1.50, h20 capex+energy \$$h (worked out by hand)"
else
	notok "card prices: gb200 \$10.50/GPU-h, mi300x \$1.50, h20 capex+energy (worked out by hand)" "gb200 $g mi300x $a h20 $h (facility $hkw kW)"
fi
# a capex + energy cost is not a rental price: the planner says which it compared
"$M" plan --model llama-3.1-70b --hw h20 --rate 1 > "$T/h20.txt" 2>&1
"$M" plan --model llama-3.1-70b --hw h20 --rate 1 --format json > "$T/h20.json" 2>&1
"$M" plan --model llama-3.1-70b --hw h100 --rate 1 --format json > "$T/h100.json" 2>&1
if grep -q 'per day (capex + energy: no data-centre costs or margin)' "$T/h20.txt" &&
   grep -q '"cost_basis":	"capex+energy"' "$T/h20.json" && grep -q '"cost_basis":	"gpu-hour"' "$T/h100.json" &&
   ! grep -q '"cost_basis":	"capex' "$T/h100.json"; then
	ok "planner cost basis: h20 capex + energy said in the table and JSON, h100 gpu-hour"
else
	notok "planner cost basis: h20 capex + energy said in the table and JSON, h100 gpu-hour" "$(grep cost "$T/h20.txt")"
fi

# ---- the memory rule an engine card names: DeepSeek-V3 FP8 on four B200s,
# FP8 KV (35,136 B per token on every TP rank), 7,800-token sequences, usable
# 193.274e9 B (180 GiB), reserve 2e9 B, about 169.10e9 B of weights per GPU.
# vLLM (a share of usable HBM): 0.9 x 193.274e9 - 169.10e9 - 2e9 = 2.85e9 B
# of KV, 80,9xx tokens: 10 sequences.  TensorRT-LLM (free_gpu_memory_fraction
# of what the model leaves): 0.9 x (193.274e9 - 169.10e9 - 2e9) = 19.96e9 B,
# 567,9xx tokens: 72 sequences.  At tp 2 the weights exceed the GPU: no KV,
# no headroom, the budget is the usable HBM, exit 1.
if command -v jq > /dev/null 2>&1; then
	mr="plan --model deepseek-v3 --hw b200 --tp 4 --weights fp8 --kv-dtype fp8 --context 7800 --batch 8 --isl 7000 --osl 800 --format json"
	"$M" $mr --engine vllm > "$T/mv.json" 2> "$T/mv.err"
	"$M" $mr --engine trtllm > "$T/mt.json" 2> "$T/mt.err"
	rule='.memory | [.mem_fraction_of, .max_sequences_per_instance,
		((.kv_bytes_per_gpu - (if .mem_fraction_of == "free"
			then 0.9 * (.hbm_usable_bytes - .weights_bytes_per_gpu - .reserve_bytes_per_gpu)
			else 0.9 * .hbm_usable_bytes - .weights_bytes_per_gpu - .reserve_bytes_per_gpu end))
		 / .kv_bytes_per_gpu | fabs < 1e-9)] | map(tostring) | join(" ")'
	v=$(jq -r "$rule" "$T/mv.json" 2>&1)
	t=$(jq -r "$rule" "$T/mt.json" 2>&1)
	"$M" plan --model deepseek-v3 --hw b200 --tp 2 --weights fp8 --engine trtllm --batch 1 --isl 1000 --osl 100 \
		--format json > "$T/mn.json" 2> /dev/null
	rc=$?
	n=$(jq -r '.memory | [.fits, .kv_bytes_per_gpu, .headroom_bytes_per_gpu, .budget_bytes_per_gpu == .hbm_usable_bytes] |
		map(tostring) | join(" ")' "$T/mn.json" 2>&1)
	if [ "$v" = "usable 10 true" ] && [ "$t" = "free 72 true" ] && [ $rc -eq 1 ] && [ "$n" = "false 0 0 true" ]; then
		ok "memory rule by engine card: V3 FP8 on 4 B200s holds 10 sequences of 7.8k under vllm, 72 under trtllm; tp 2 no headroom, exit 1"
	else
		notok "memory rule by engine card: V3 FP8 on 4 B200s holds 10 sequences of 7.8k under vllm, 72 under trtllm; tp 2 no headroom, exit 1" \
			"vllm [$v] trtllm [$t] tp 2 exit $rc [$n] $(cat "$T/mv.err" "$T/mt.err")"
	fi
else
	skipped "memory rule by engine card: vllm against trtllm" "no jq"
fi

# ---- CUDA-graph padding: each bundled engine's captured sizes (engines/*.json,
# sources there): vLLM runs a batch of 9 at 16 and 250 at 256; SGLang 13 at 16,
# and 260 on an H100 at TP 1 without a graph (its largest there is 256);
# TensorRT-LLM, whose card gives none, 130 at 130; above the
# largest (vLLM 512) no graph, said in the text; --cuda-graphs every: none
# padded, off: no graph, 4,12: 9 at 12 and 13 without; without --engine no
# padding
if command -v jq > /dev/null 2>&1; then
	got=""
	for a in "vllm 9 engine" "vllm 250 engine" "sglang 13 engine" "sglang 260 engine" "trtllm 130 engine" \
		 "vllm 600 engine" "vllm 9 every" "vllm 9 off" "vllm 9 4,12" "vllm 13 4,12"; do
		set -- $a
		g=$("$M" plan --model llama-3.1-8b --hw h100 --engine "$1" --batch "$2" --cuda-graphs "$3" --format json 2> /dev/null |
			jq -r '.decode | [.graph_batch, .graph_eager] | map(tostring) | join(",")' 2>&1)
		got="$got $g"
	done
	# under MTP 3: vLLM counts tokens (36 run at 40, 10 sequences; 800 above 496:
	# none; a list 4,12 is {1, 3} sequences: 9 without a graph), SGLang's own
	# list (33 at 40) and sequences (9 at 12)
	for a in "vllm 9 engine" "vllm 200 engine" "sglang 33 engine" "vllm 9 4,12" "sglang 9 4,12"; do
		set -- $a
		g=$("$M" plan --model deepseek-v3 --hw h200 --tp 8 --weights fp8 --mtp 3 --engine "$1" --batch "$2" \
			--cuda-graphs "$3" \
			--format json 2> /dev/null | jq -r '.decode | [.graph_batch, .graph_eager] | map(tostring) | join(",")' 2>&1)
		got="$got $g"
	done
	none=$("$M" plan --model llama-3.1-8b --hw h100 --batch 9 --format json 2> /dev/null | jq -r '.decode.graph_batch' 2>&1)
	"$M" plan --model llama-3.1-8b --hw h100 --engine vllm --batch 600 > "$T/eager.txt" 2>&1
	if [ "$got" = " 16,false 256,false 16,false 260,true 130,false 600,true 9,false 9,true 12,false 13,true 10,false 200,true 40,false 9,true 12,false" ] && [ "$none" = "9" ] &&
	   grep -q "above the engine's largest captured size" "$T/eager.txt"; then
		ok "cuda graphs: batches padded to each engine's next captured size; above the largest or off, none, and said"
	else
		notok "cuda graphs: batches padded to each engine's next captured size; above the largest or off, none, and said" \
			"got [$got] without an engine [$none]"
	fi
else
	skipped "cuda graphs: batches padded to each engine's next captured size" "no jq"
fi
