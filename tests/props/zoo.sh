# tests/props/zoo.sh - sourced by tests/run.sh: real HuggingFace configs that
# mlasim does not bundle (../shared/data/hf-configs, with hand counts in
# expected.tsv; skipped when absent): never a silent wrong size.

ZOO=../shared/data/hf-configs
if [ ! -f "$ZOO/expected.tsv" ] || ! command -v jq > /dev/null 2>&1; then
	skipped "zoo: HuggingFace configs sized right or warned of" "no $ZOO/expected.tsv or no jq"
else
	# Each config is either refused (exit 3), or read with total parameters and
	# bf16 KV bytes per token within 1% of the hand count and the fixed state
	# per sequence (windows at their window, recurrent state) within 5%, or
	# warned of on stderr.  A load that is off and says nothing is the defect.
	silent="" nright=0 nwarned=0 nrefused=0
	while IFS='	' read -r file pub total active kv fixed note; do
		[ "$file" = file ] && continue
		[ -f "$ZOO/$file" ] || continue
		"$M" plan --model "$ZOO/$file" --hw h200 --format json > "$T/zoo.json" 2> "$T/zoo.err"
		rc=$?
		if [ $rc -eq 3 ]; then
			nrefused=$((nrefused + 1))
			continue
		fi
		got=$(jq -r '[.model.params_total, .model.kv_bytes_per_token, .model.kv_fixed_bytes_per_sequence] | @tsv' \
			"$T/zoo.json" 2> /dev/null)
		right=$(printf '%s\t%s\t%s\t%s\n' "$got" "$total" "$kv" "${fixed:-0}" | awk -F'\t' '
			function off(a, b, t) { d = a - b; if (d < 0) d = -d; return d > t * b }
			{ print (NF >= 6 && !off($1, $4, 0.01) && !off($2, $5, 0.01) && !off($3, $6, 0.05)) ? 1 : 0 }')
		if [ "$right" = 1 ]; then
			nright=$((nright + 1))
		elif grep -q '^mlasim: warning: ' "$T/zoo.err" && [ "$(jq '.model.warnings | length' "$T/zoo.json")" -gt 0 ]; then
			nwarned=$((nwarned + 1))
		else
			silent="$silent $file (exit $rc, got '$got', expected $total params, $kv B/token, $fixed B fixed)"
		fi
	done < "$ZOO/expected.tsv"
	if [ -z "$silent" ] && [ $((nright + nwarned + nrefused)) -gt 0 ]; then
		ok "zoo: $nright configs sized within 1% (fixed state 5%), $nwarned warned of (stderr and warnings[]), $nrefused refused; none silently wrong"
	else
		notok "zoo: every HuggingFace config sized within 1%, warned of, or refused" "silently wrong:$silent"
	fi

	# The Qwen3 MoE family (num_experts) and Hunyuan (moe_topk,
	# num_shared_expert) are read as MoE: totals within 1% of the hand count
	# (Qwen3-30B-A3B was 3.3 B, read as dense)
	bad=""
	for f in Qwen3-30B-A3B Qwen3-235B-A22B Qwen3-Coder-480B-A35B Hunyuan-Large; do
		[ -f "$ZOO/$f.json" ] || continue
		want=$(awk -F'\t' -v f="$f.json" '$1 == f { print $3 }' "$ZOO/expected.tsv")
		got=$("$M" plan --model "$ZOO/$f.json" --hw h200 --format json 2> /dev/null | jq -r .model.params_total)
		awk -v g="$got" -v w="$want" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(w > 0 && d <= 0.01 * w) }' ||
			bad="$bad $f: $got vs $want"
	done
	if [ -z "$bad" ]; then ok "zoo: Qwen3 MoE and Hunyuan-Large read as MoE, totals within 1%"
	else notok "zoo: Qwen3 MoE and Hunyuan-Large read as MoE, totals within 1%" "$bad"; fi
fi

# Windows and nested configs as HF writes them (the keys go in the file:
# '--set' takes only keys mlasim reads).  A sliding window with no
# layer_types or pattern windows every layer (Mistral's rule): Llama-3.1-8B's
# 32 layers x 8 KV heads x 128 x 2 x 2 B = 131,072 B per window token, x 128
# = 16,777,216 B per sequence and nothing that grows with context.
zoo_with() { sed "1s/^{/{$1, /" models/llama-3.1-8b.json > "$T/win.json"; }
zoo_with '"sliding_window": 128'
got=$("$M" plan --model "$T/win.json" --hw h100 --format json 2> "$T/win.err" |
	jq -r '[.model.kv_bytes_per_token, .model.kv_fixed_bytes_per_sequence] | @tsv' 2> /dev/null)
if [ "$got" = "0	16777216" ] && [ ! -s "$T/win.err" ]
then ok "zoo: sliding_window 128 alone windows all 32 layers: 0 B per token, 16,777,216 B per sequence"
else notok "zoo: sliding_window 128 alone windows all 32 layers: 0 B per token, 16,777,216 B per sequence" "got '$got' $(cat "$T/win.err")"; fi
zoo_with '"sliding_window": 128, "use_sliding_window": false'
"$M" kv --model "$T/win.json" 2> "$T/win.err" > /dev/null
if [ ! -s "$T/win.err" ]; then ok "zoo: use_sliding_window false turns the window off, no warning"
else notok "zoo: use_sliding_window false turns the window off, no warning" "$(cat "$T/win.err")"; fi
zoo_with '"sliding_window": 128, "layer_types": ["sliding_attention"]'
"$M" kv --model "$T/win.json" > /dev/null 2> "$T/win.err"
rc=$?
if [ $rc -eq 3 ] && grep -q "'layer_types' must be a list of 32 entries, one per layer" "$T/win.err"
then ok "zoo: a layer_types list of the wrong length is refused naming it (exit 3)"
else notok "zoo: a layer_types list of the wrong length is refused naming it (exit 3)" "exit $rc: $(cat "$T/win.err")"; fi
zoo_with '"sliding_window": 128, "layer_types": ["sliding_attention", "dilated_attention"'"$(printf ', "full_attention"%.0s' $(seq 30))"']'
"$M" kv --model "$T/win.json" > /dev/null 2> "$T/win.err"
rc=$?
if [ $rc -eq 3 ] && grep -q "'layer_types\[1\]' is 'dilated_attention': expected full_attention" "$T/win.err"
then ok "zoo: an unknown layer type is refused naming layer_types[1] (exit 3)"
else notok "zoo: an unknown layer type is refused naming layer_types[1] (exit 3)" "exit $rc: $(cat "$T/win.err")"; fi
printf '{"model_type": "llama4", "text_config": {"num_hidden_layers": 48}}\n' > "$T/nested.json"
"$M" kv --model "$T/nested.json" > /dev/null 2> "$T/nested.err"
rc=$?
if [ $rc -eq 3 ] && grep -q "'hidden_size' is missing: expected a positive integer (in 'text_config')" "$T/nested.err"
then ok "zoo: a key missing from a nested text_config is named with text_config (exit 3)"
else notok "zoo: a key missing from a nested text_config is named with text_config (exit 3)" "exit $rc: $(cat "$T/nested.err")"; fi
if [ -f "$ZOO/Llama-4-Scout.json" ]; then
	got=$("$M" plan --model "$ZOO/Llama-4-Scout.json" --hw h200 --tp 4 --format json 2> /dev/null |
		jq -r '.model.from_text_config')
	if [ "$got" = true ]; then ok "zoo: Llama-4-Scout is read from text_config, and the JSON says so"
	else notok "zoo: Llama-4-Scout is read from text_config, and the JSON says so" "got '$got'"; fi
fi
# block_configs (Nemotron-NAS) is refused naming the key, with no workaround
printf '{"model_type": "nemotron-nas", "num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "vocab_size": 100, "block_configs": [{}, {}]}\n' > "$T/nas.json"
"$M" kv --model "$T/nas.json" > /dev/null 2> "$T/nas.err"
rc=$?
if [ $rc -eq 3 ] && grep -q "'block_configs' gives each block its own attention and FFN shape" "$T/nas.err"
then ok "zoo: block_configs is refused naming it (exit 3)"
else notok "zoo: block_configs is refused naming it (exit 3)" "exit $rc: $(cat "$T/nas.err")"; fi

# Python's json writes Infinity, -Infinity and NaN (Nemotron-H's
# time_step_limit): accepted where mlasim does not read them, refused as
# non-finite where it does; the same words inside strings stay as they are.
zoo_with '"time_step_limit": [0.0, Infinity], "x_min": -Infinity, "x_nan": NaN, "mlasim_note": "Infinity NaN"'
"$M" kv --model "$T/win.json" > /dev/null 2> "$T/inf.err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$T/inf.err" ]; then ok "zoo: Infinity, -Infinity and NaN in keys mlasim does not read are accepted"
else notok "zoo: Infinity, -Infinity and NaN in keys mlasim does not read are accepted" "exit $rc: $(cat "$T/inf.err")"; fi
sed 's/"num_hidden_layers": *32/"num_hidden_layers": Infinity/' models/llama-3.1-8b.json > "$T/inf2.json"
"$M" kv --model "$T/inf2.json" > /dev/null 2> "$T/inf.err"
rc=$?
if [ $rc -eq 3 ] && grep -q "'num_hidden_layers' must be a positive integer, got a non-finite number" "$T/inf.err"
then ok "zoo: Infinity where mlasim reads a number is refused as non-finite (exit 3)"
else notok "zoo: Infinity where mlasim reads a number is refused as non-finite (exit 3)" "exit $rc: $(cat "$T/inf.err")"; fi

# The MoE alias keys are model keys '--set' takes: Qwen3-30B-A3B with 64 of
# its 128 experts loses 64 x 48 layers x (3 x 2048 x 768 experts' weights +
# 2048 router weights) = 14,501,806,080: 30,532,122,624 -> 16,030,316,544
if [ -f "$ZOO/Qwen3-30B-A3B.json" ]; then
	got=$("$M" plan --model "$ZOO/Qwen3-30B-A3B.json" --hw h200 --set num_experts=64 --format json 2> /dev/null |
		grep '"params_total"' | tr -dc '0-9')
	if [ "$got" = 16030316544 ]; then ok "zoo: --set num_experts=64 on Qwen3-30B-A3B gives 16,030,316,544 parameters"
	else notok "zoo: --set num_experts=64 on Qwen3-30B-A3B gives 16,030,316,544 parameters" "got '$got'"; fi
else
	skipped "zoo: --set num_experts=64 on Qwen3-30B-A3B" "no $ZOO"
fi

# Checkpoint formats: gpt-oss-120b's mxfp4 experts (quantization_config,
# attention kept bf16 by modules_to_not_convert): 36 x 128 x 3 x 2880^2 =
# 114,661,785,600 expert weights at 4.25 bits (e2m1 + an e8m0 scale per 32)
# = 60,914,073,600 B, the other 2,167,371,072 parameters (biases included)
# in bf16: 65,248,815,744 B, which fits one 80 GB H100 (it did not at 233.7 GB)
if [ -f "$ZOO/gpt-oss-120b.json" ]; then
	got=$("$M" plan --model "$ZOO/gpt-oss-120b.json" --hw h100 --format json 2> /dev/null |
		jq -r '[.model.weights_bytes, .memory.fits, .deployment.expert_weights] | @tsv')
	if [ "$got" = "65248815744	true	mxfp4" ]; then ok "zoo: gpt-oss-120b's mxfp4 experts: 65,248,815,744 B, fits one H100"
	else notok "zoo: gpt-oss-120b's mxfp4 experts: 65,248,815,744 B, fits one H100" "got '$got'"; fi
	got=$("$M" plan --model "$ZOO/gpt-oss-120b.json" --hw h100 --expert-weights bf16 --format json 2> /dev/null |
		jq -r '.model.weights_bytes')
	if [ "$got" = 233658313344 ]; then ok "zoo: --expert-weights bf16 sizes gpt-oss-120b's experts in bf16 (233,658,313,344 B)"
	else notok "zoo: --expert-weights bf16 sizes gpt-oss-120b's experts in bf16 (233,658,313,344 B)" "got '$got'"; fi
fi

# A ModelOpt NVFP4 checkpoint: every linear layer nvfp4 when nothing is
# excluded; attention excluded on a dense model cannot be said with one
# format for the rest, so it is warned of
q='{"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100'
printf '%s, "quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4"}}\n' "$q" > "$T/q.json"
got=$("$M" plan --model "$T/q.json" --hw b200 --format json 2> /dev/null | jq -r '.deployment.weights')
if [ "$got" = nvfp4 ]; then ok "zoo: modelopt NVFP4 with nothing excluded: nvfp4 linear layers"
else notok "zoo: modelopt NVFP4 with nothing excluded: nvfp4 linear layers" "got '$got'"; fi
printf '%s, "quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4", "exclude_modules": ["lm_head", "model.layers.*.self_attn*"]}}\n' "$q" > "$T/q.json"
got=$("$M" plan --model "$T/q.json" --hw b200 --format json 2> "$T/q.err" | jq -r '.deployment.weights')
if [ "$got" = bf16 ] && grep -q "'quantization_config': this method is not read" "$T/q.err"
then ok "zoo: modelopt NVFP4 with attention excluded on a dense model: bf16, warned of"
else notok "zoo: modelopt NVFP4 with attention excluded on a dense model: bf16, warned of" "got '$got' $(cat "$T/q.err")"; fi
zoo_with '"quantization_config": {"quant_method": "awq", "bits": 4}'
"$M" kv --model "$T/win.json" > /dev/null 2> "$T/q.err"
if grep -q "'quantization_config': this method is not read" "$T/q.err"; then ok "zoo: an unread quantization method is warned of"
else notok "zoo: an unread quantization method is warned of" "$(cat "$T/q.err")"; fi
if [ -f "$ZOO/Gemma-3-27B-it.json" ]; then
	"$M" kv --model "$ZOO/Gemma-3-27B-it.json" > /dev/null 2> "$T/g.err"
	if grep -q "'vocab_size' is absent: Gemma 3's 262,208" "$T/g.err"; then ok "zoo: Gemma 3's missing vocab_size is assumed and said"
	else notok "zoo: Gemma 3's missing vocab_size is assumed and said" "$(cat "$T/g.err")"; fi
fi

# Qwen2 and Qwen3 configs leave use_sliding_window out when it is off
# (transformers' default is False): a sliding_window there windows nothing
printf '{"model_type": "qwen2", "num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 100, "sliding_window": 32}\n' > "$T/qw.json"
got=$("$M" plan --model "$T/qw.json" --hw h100 --format json 2> /dev/null |
	jq -r '[.model.kv_bytes_per_token, .model.kv_fixed_bytes_per_sequence] | @tsv')
if [ "$got" = "256	0" ]; then ok "zoo: a Qwen2 sliding_window without use_sliding_window windows nothing (2 layers x 2 KV heads x 2 x 16 x 2 B = 256 B per token)"
else notok "zoo: a Qwen2 sliding_window without use_sliding_window windows nothing" "got '$got'"; fi

# Per-component formats: Llama-3.1-8B's attention, 32 x (2 x 4096^2 + 2 x
# 1024 x 4096) = 1,342,177,280 weights, in bf16 instead of fp8-block (1 B +
# a 4 B scale per 128 x 128) adds 1,342,177,280 - 327,680 = 1,341,849,600 B
a=$("$M" plan --model llama-3.1-8b --hw h100 --weights fp8-block --format json 2> /dev/null | jq .model.weights_bytes)
b=$("$M" plan --model llama-3.1-8b --hw h100 --weights fp8-block --attention-weights bf16 --format json 2> /dev/null |
	jq .model.weights_bytes)
if [ -n "$a" ] && [ -n "$b" ] && [ $((b - a)) -eq 1341849600 ]; then ok "formats: --attention-weights bf16 beside fp8-block adds 1,341,849,600 B on Llama-3.1-8B"
else notok "formats: --attention-weights bf16 beside fp8-block adds 1,341,849,600 B on Llama-3.1-8B" "got $a and $b"; fi

# A window-layer head shape mlasim does not model is said, not silent
zoo_with '"sliding_window": 128, "use_sliding_window": true, "swa_head_dim": 64'
"$M" kv --model "$T/win.json" > /dev/null 2> "$T/swa.err"
if grep -q "'swa_head_dim', 'swa_v_head_dim', 'swa_num_attention_heads': window layers with other head shapes" "$T/swa.err"
then ok "zoo: a window head_dim other than head_dim is warned of"
else notok "zoo: a window head_dim other than head_dim is warned of" "$(cat "$T/swa.err")"; fi
