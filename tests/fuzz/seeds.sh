#!/bin/sh
# tests/fuzz/seeds.sh - rebuild the seed corpus tests/fuzz/corpus/HARNESS/ from
# what the project already holds (make fuzz-seeds; run from the repository root):
#   model, hw   every bundled card (models/, hw/) and every tests/bad/*.json
#   set         the --set assignments of tests/bad/*.tsv and the golden tests
#   units       the values of the number options there, with each kind byte
#   precision   every weight and KV format name, and the values used there
#   cli         every golden command (tests/golden/*.cmd) and bad-input case,
#               as NUL-separated argv words
#   plan        a typical deployment of every bundled model on every card
#   writers     CSV fields: a sweep header, names with commas, quotes, tabs, line breaks
#   silicon     the silicon-sample files the tests read (tests/fixtures, tests/bad)
# (gnuplot's seeds, hostile strings, are written by hand and not rebuilt here.)
# Files are named by a checksum of their content, so reruns are idempotent.
set -eu
C=tests/fuzz/corpus
T=$(mktemp -d "${TMPDIR:-/tmp}/mlasim-seeds.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
for h in model hw set units precision cli plan writers silicon; do
	rm -rf "${C:?}/$h"
	mkdir -p "$C/$h"
done

# put HARNESS FILE: store FILE under its checksum
put() {
	sum=$(cksum < "$2" | awk '{print $1}')
	cp "$2" "$C/$1/seed-$sum"
}

# silicon samples
for f in tests/fixtures/*.csv tests/bad/silicon-*.csv; do
	put silicon "$f"
done

# cards
for f in models/*.json hw/*.json tests/bad/*.json; do
	put model "$f"
	put hw "$f"
done

# every command line the tests run, one per line, as shell words
{
	for cmd in tests/golden/*.cmd; do cat "$cmd"; echo; done
	tab=$(printf '\t')
	cat tests/bad/*.tsv | grep -v '^#' | while IFS="$tab" read -r _rc _msg args; do
		[ -n "${args:-}" ] && printf '%s\n' "$args"
	done
} > "$T/cmds"

n=0
while IFS= read -r line; do
	[ -n "$line" ] || continue
	n=$((n + 1))
	eval "set -- $line"
	# cli: the words, NUL-separated
	: > "$T/argv"
	first=1
	for w in "$@"; do
		[ $first = 1 ] || printf '\0' >> "$T/argv"
		printf '%s' "$w" >> "$T/argv"
		first=0
	done
	put cli "$T/argv"
	# option values for set, units and precision
	prev=""
	for w in "$@"; do
		case "$prev" in
		--set)
			{ printf '\000'; printf '%s' "$w"; } > "$T/v"; put set "$T/v"
			{ printf '\002'; printf '%s' "$w"; } > "$T/v"; put set "$T/v" ;;
		--context|--tp|--dp|--ep|--pp|--batch|--isl|--osl|--kv-block|--groups|--micro-batches|--prefill-tokens)
			{ printf '\001\007'; printf '%s' "$w"; } > "$T/v"; put units "$T/v" ;;
		--reserve)
			{ printf '\002\007'; printf '%s' "$w"; } > "$T/v"; put units "$T/v" ;;
		--mem-fraction|--mtp|--mtp-accept|--redundant-experts|--imbalance|--prefix-hit)
			{ printf '\000\007'; printf '%s' "$w"; } > "$T/v"; put units "$T/v" ;;
		--weights)
			{ printf '\001'; printf '%s' "$w"; } > "$T/v"; put precision "$T/v" ;;
		--kv-dtype)
			{ printf '\000'; printf '%s' "$w"; } > "$T/v"; put precision "$T/v" ;;
		esac
		prev=$w
	done
done < "$T/cmds"

# more --set lines: a key of each kind, and two assignments in one input
for s in 'num_hidden_layers=4' 'kv_lora_rank=256' 'n_routed_experts=64' \
	'mlasim.published.params_total=1e9' 'hidden_size=1e999' 'head_dim=null' \
	"$(printf 'num_hidden_layers=3\nfirst_k_dense_replace=3')"; do
	{ printf '\000'; printf '%s' "$s"; } > "$T/v"; put set "$T/v"
	{ printf '\001'; printf '%s' "$s"; } > "$T/v"; put set "$T/v"
done
for s in 'gpu.hbm_gbs=8000' 'gpu.hbm_usable_gb=1e-300' 'scale_out.nic_gbps=400' \
	'efficiency.compute=0.5' 'scale_up.topology=mesh' \
	"$(printf 'calibration.calib.gemm.bf16.fit.eff_compute=0.5\ncalibration.calib.gemm.bf16.fit.eff_mem=0.5\ncalibration.calib.gemm.bf16.fit.t0_s=0')"; do
	{ printf '\002'; printf '%s' "$s"; } > "$T/v"; put set "$T/v"
done

# units: each kind with a few shapes
for k in 000 001 002 003; do
	for v in 4096 128k 128Ki 1Mi 80GB 64GiB 400Gb/s 50GB/s 1e24 1.5 0.9 '4k,32k,128k' '+1e3' '.5'; do
		{ printf "\\$k\\077"; printf '%s' "$v"; } > "$T/v"; put units "$T/v"
	done
done

# precision: every name
for w in bf16 fp16 fp32 fp8 fp8-block int8 nvfp4 mxfp4 int4 int4:g128 int4:g32; do
	{ printf '\001'; printf '%s' "$w"; } > "$T/v"; put precision "$T/v"
done
for k in bf16 fp16 fp32 fp8 fp8-e4m3 fp8-e5m2 int8 int4 fp4 fp8-flashmla bits:6 bits:64 bits:1; do
	{ printf '\000'; printf '%s' "$k"; } > "$T/v"; put precision "$T/v"
done

# plan: model i on card j, tp 8 (or 1), the default workload (fuzz_plan.c tables)
nm=$(ls models/*.json | wc -l)
nh=$(ls hw/*.json | grep -vc '\.calibrated\.')
i=0
while [ $i -lt "$nm" ]; do
	j=0
	while [ $j -lt "$nh" ]; do
		for tp in 007 000; do
			# model hw | tp dp ep pp red mtp | weights kv block kvmtp ctx memfrac reserve
			# | batch micro accept isl osl prefill prefix imbalance max_nodes flags
			printf "\\$(printf %03o $i)\\$(printf %03o $j)\\$tp\\000\\000\\000\\000\\000\\310\\000\\000\\000\\036\\007\\000\\000\\000\\006\\036\\034\\037\\000\\012\\000\\000" > "$T/v"
			put plan "$T/v"
		done
		j=$((j + 1))
	done
	i=$((i + 1))
done

# writers: flags byte (1: quote all, 2: indented JSON), then NUL-separated fields
for flags in 000 001 002 003; do
	for fields in 'model\0hw\0tpot_s\0set.gpu.hbm_gbs' 'deepseek-v3\0h800-sxm\0000.0151039084\0\0true' \
		'my,8b\0q"uote\0two\nlines\0tab\there\0cr\rlf' '""\0"\0,\0,,\0"a"b' 'memory.fits\0DeepSeek V3 (671B, 37B active)'; do
		{ printf "\\$flags"; printf "$fields"; } > "$T/v"; put writers "$T/v"
	done
done

printf 'seeds:'
for h in model hw set units precision cli plan writers silicon; do
	printf ' %s %s' "$h" "$(ls "$C/$h" | wc -l)"
done
echo
