# tests/props/borrow.sh - sourced by tests/run.sh: a card that borrows its
# calibration from a sibling (hw/published/CARD/borrow.json, sim/calib/borrow.h)
# holds the sibling's fits exactly, says so wherever calibration is
# reported, takes only the parts it declares, and a bad borrow file is a
# one-line error naming the file and key, exit 3, with nothing written.  The
# cards are built here: no bundled card borrows today.

BW="$T/borrow"
mkdir -p "$BW/hw/published"

# No bundled card borrows (each has records of its own), so the tests build
# the pair: 'src' is B200 with its records, and the borrowing cards are
# hw/b300.json renamed (the probe output replaces its calibration).
cp hw/b200.json "$BW/hw/src.json"
cp -r hw/published/b200 "$BW/hw/published/src"
card_as() {   # card_as NAME [SED]: hw/b300.json as card NAME (records in published/NAME)
	sed -e "s/\"name\": \"b300\"/\"name\": \"$1\"/" -e "${2:-s/x/x/}" hw/b300.json > "$BW/hw/$1.json"
}
borrow_file() {   # borrow_file DIR JSON: write DIR/borrow.json
	mkdir -p "$BW/hw/published/$1"
	printf '%s\n' "$2" > "$BW/hw/published/$1/borrow.json"
}
WHY='"why": "same HBM3e and SM, https://example.org/spec"'

# ---- 1. a card that borrows every class but prefill attention ---------------
# 'bor' (B300's peaks) borrows what B300 borrowed from B200 before it had
# records of its own; the calibrated card is written beside its records.
borrow_file bor "{\"schema\": \"mlasim.borrow/1\", \"from\": \"src\", $WHY, \"classes\": [\"gemm_bf16\", \"gemm_fp8\", \"gemm_fp8_block\", \"gemm_fp4\", \"attention_decode\", \"attention_decode_fp8\", \"moe_grouped_gemm\", \"elementwise\", \"collectives\", \"deepep\"]}"
sed -e 's/"name": "b300"/"name": "bor"/' hw/b300.json > "$BW/bor0.json"
if ! "$M" probe --published "$BW/hw/published/bor" --hw "$BW/bor0.json" -o "$BW/hw/bor.json" 2> "$BW/err"; then
	notok "borrow: a card borrowing every class but prefill attention is calibrated" "$(cat "$BW/err")"
elif ! command -v jq > /dev/null 2>&1; then
	skipped "borrow: the borrowing card holds its source's fits and says so" "no jq"
else
	# it holds the source's committed fits number for number, links included,
	# names the source, and keeps its own peaks
	same=$(jq -n --slurpfile b "$BW/hw/bor.json" --slurpfile s hw/b200.json '
		$b[0].calibration as $c | $s[0].calibration.calib as $src |
		$c.borrowed_from == "src" and ($c.calib | length) > 0 and
		($c.calib | has("collectives") and has("deepep")) and ($c.calib.attention_prefill == null) and
		([$c.calib | paths(scalars)] | all(. as $p | ($c.calib | getpath($p)) == ($src | getpath($p)))) and
		(($c.sources // []) - $s[0].calibration.sources) == [] and
		$b[0].gpu.fp4_tflops == 13125')
	if [ "$same" = true ]; then
		ok "borrow: the borrowing card holds its source's fits exactly (links too), names it, keeps its own peaks"
	else
		notok "borrow: the borrowing card holds its source's fits exactly" "$(jq -c .calibration.borrowed_from "$BW/hw/bor.json")"
	fi
	"$M" plan --model deepseek-v3 --hw "$BW/hw/bor.json" --tp 8 --ep 8 > "$BW/plan.txt" 2> /dev/null
	"$M" plan --model deepseek-v3 --hw "$BW/hw/bor.json" --tp 8 --ep 8 --format json > "$BW/plan.json" 2> /dev/null
	"$M" plan --model deepseek-v3 --hw b200 --tp 8 --ep 8 --format json > "$BW/plan200.json" 2> /dev/null
	line=$(grep '^  calibration ' "$BW/plan.txt")
	got=$(jq -r '.hardware | [.calibration, .calibration_borrowed_from, (.calibration_borrow_why | test("https://")),
		(.kernels[] | select(.class == "gemm_fp4") | .from),
		(.kernels[] | select(.class == "attention_prefill") | .from)] | @tsv' "$BW/plan.json")
	got200=$(jq -r '.hardware | [.calibration, .calibration_borrowed_from, .calibration_borrow_why] | @tsv' "$BW/plan200.json")
	case "$line" in
	*"published, borrowed from src (aic-"*"gemm_fp4"*"; card defaults for the rest")
		if [ "$got" = "published	src	true	published	defaults" ] && [ "$got200" = "published		" ]; then
			ok "plan on a borrowing card: calibration published, borrowed from src, in the table and JSON; b200's its own"
		else
			notok "plan on a borrowing card: hardware.calibration_borrowed_from is src" "bor: $got; b200: $got200"
		fi ;;
	*) notok "plan on a borrowing card: the calibration line says it is borrowed from src" "$line" ;;
	esac
fi

# validate --kernels shows a borrowing card as such, with no rows of its own
"$M" validate --kernels --hw "$BW/hw/bor.json" > "$BW/vk.txt" 2> "$BW/vk.err"
rc=$?
if [ $rc -eq 0 ] && grep -q '^     bor          borrowed   from src: gemm_bf16' "$BW/vk.txt" &&
   ! grep -q '^ok \|^FAIL ' "$BW/vk.txt"; then
	ok "validate --kernels on a borrowing card: no records of its own, borrowed from src (exit 0)"
else
	notok "validate --kernels on a borrowing card: shown as borrowed from src" "exit $rc: $(cat "$BW/vk.txt" "$BW/vk.err")"
fi

# the HTML report names the sibling, why, and each borrowed class
if ! command -v gnuplot > /dev/null 2>&1; then
	skipped "report on a borrowing card: the calibration is borrowed from src" "gnuplot not installed"
elif "$M" report --model deepseek-v3 --hw "$BW/hw/bor.json" --tp 8 --ep 8 -o "$BW/r.html" 2> "$BW/r.err" &&
     grep -q '<p class="note">Calibration borrowed from src: its fits' "$BW/r.html" &&
     grep -q '<td>gemm_fp4</td>.*<td>published kernel measurements, borrowed from src</td>' "$BW/r.html" &&
     grep -q '<td>attention_prefill</td>.*<td>the card.s efficiency section</td>' "$BW/r.html"; then
	ok "report on a borrowing card: the calibration is borrowed from src, class by class, with why"
else
	notok "report on a borrowing card: the calibration is borrowed from src" "$(cat "$BW/r.err")"
fi

# ---- 2. what is declared is what is borrowed ---------------------------------
card_as dst
mkdir -p "$BW/hw/published/dst"
borrow_file dst "{\"schema\": \"mlasim.borrow/1\", \"from\": \"src\", $WHY, \"classes\": [\"gemm_bf16\", \"deepep\"]}"
if ! command -v jq > /dev/null 2>&1; then
	skipped "borrow: 'classes' takes exactly the declared fits" "no jq"
elif "$M" probe --published "$BW/hw/published/dst" --hw "$BW/hw/dst.json" -o "$BW/dst.cal.json" 2> "$BW/err"; then
	got=$(jq -c '[.calibration.borrowed_from, (.calibration.calib | keys), (.calibration.calib.gemm | keys),
		.calibration.calib.gemm.bf16.fit == $s[0].calibration.calib.gemm.bf16.fit,
		.calibration.calib.deepep == $s[0].calibration.calib.deepep, .gpu == $d[0].gpu]' \
		--slurpfile s hw/b200.json --slurpfile d hw/b300.json "$BW/dst.cal.json")
	"$M" plan --model deepseek-v3 --hw "$BW/dst.cal.json" --tp 8 --ep 8 > "$BW/dplan.txt" 2> /dev/null
	# deepep: DeepEP's low-latency and normal kernels inside a domain
	if [ "$got" = '["src",["deepep","deepep_normal","gemm"],["bf16"],true,true,true]' ] &&
	   grep -q '^  calibration         published, borrowed from src (aic-sglang-deepep-normal, aic-sglang-deepep, aic-trtllm-gemm) for gemm_bf16, collectives; card defaults for the rest' "$BW/dplan.txt"; then
		ok "borrow: 'classes' [gemm_bf16, deepep] takes exactly those fits, the source's numbers, the card's own peaks"
	else
		notok "borrow: 'classes' takes exactly the declared fits" "$got; $(grep calibration "$BW/dplan.txt")"
	fi
else
	notok "borrow: 'classes' takes exactly the declared fits" "$(cat "$BW/err")"
fi

# ---- 3. bad borrow files: exit 3, one line naming the file and the key -------
bad_borrow() {   # bad_borrow LABEL DIR SUBSTRING [CARD]: probe --published on DIR
	rm -f "$BW/out.json"
	"$M" probe --published "$BW/hw/published/$2" --hw "$BW/hw/${4:-dst}.json" -o "$BW/out.json" > "$BW/o" 2> "$BW/e"
	rc=$?
	if [ $rc -eq 3 ] && [ "$(wc -l < "$BW/e")" -eq 1 ] && [ ! -e "$BW/out.json" ] && [ ! -s "$BW/o" ] &&
	   grep -q "^mlasim: $BW/hw/published/$2/borrow.json: .*$3" "$BW/e"; then
		ok "borrow: $1 is refused, exit 3, naming the file and key"
	else
		notok "borrow: $1 is refused, exit 3, naming the file and key" "exit $rc: $(cat "$BW/e")"
	fi
}
borrow_file nocard "{\"schema\": \"mlasim.borrow/1\", \"from\": \"b2000\", $WHY}"
card_as nocard
bad_borrow "an unknown card" nocard "'from': no card 'b2000'" nocard
borrow_file nowhy '{"schema": "mlasim.borrow/1", "from": "src"}'
card_as nowhy
bad_borrow "a missing why" nowhy "'why' is missing" nowhy
borrow_file nourl '{"schema": "mlasim.borrow/1", "from": "src", "why": "it is the same chip"}'
card_as nourl
bad_borrow "a why without a public source" nourl "'why' must give the physical reason" nourl
borrow_file cyca "{\"schema\": \"mlasim.borrow/1\", \"from\": \"cycb\", $WHY}"
borrow_file cycb "{\"schema\": \"mlasim.borrow/1\", \"from\": \"cyca\", $WHY}"
card_as cyca
card_as cycb
bad_borrow "a cycle (cyca -> cycb -> cyca)" cyca "'from': a cycle: 'cyca' borrows from 'cycb', which borrows from 'cyca'" cyca
borrow_file self "{\"schema\": \"mlasim.borrow/1\", \"from\": \"self\", $WHY}"
card_as self
bad_borrow "a card borrowing from itself" self "'from' names this card itself" self
borrow_file chain "{\"schema\": \"mlasim.borrow/1\", \"from\": \"dst\", $WHY}"
card_as chain
bad_borrow "a source that borrows in turn" chain "'from': 'dst' borrows its calibration too" chain
borrow_file badclass "{\"schema\": \"mlasim.borrow/1\", \"from\": \"src\", $WHY, \"classes\": [\"gemm_bf16\", \"gemm_fp16\"]}"
card_as badclass
bad_borrow "an unknown class" badclass "'classes\[1\]' must be a kernel class" badclass
borrow_file badkey "{\"schema\": \"mlasim.borrow/1\", \"from\": \"src\", $WHY, \"class\": []}"
card_as badkey
bad_borrow "an unknown key" badkey "unknown key 'class'" badkey
borrow_file badschema "{\"schema\": \"mlasim.calib/1\", \"from\": \"src\", $WHY}"
card_as badschema
bad_borrow "another schema" badschema "'schema' must be \"mlasim.borrow/1\"" badschema
borrow_file both "{\"schema\": \"mlasim.borrow/1\", \"from\": \"src\", $WHY}"
cp hw/published/b200/aic-nccl.json "$BW/hw/published/both/"
card_as both
bad_borrow "records beside a borrow file" both "or has records of its own, not both: 'aic-nccl.json'" both
# the cards contradict the declaration: another memory system, another link
borrow_file hbm "{\"schema\": \"mlasim.borrow/1\", \"from\": \"src\", $WHY, \"classes\": [\"gemm_bf16\"]}"
card_as hbm 's/"hbm_gbs": 8000/"hbm_gbs": 4800/'
bad_borrow "kernel fits onto another memory system" hbm "'from': b200's HBM (8000 GB/s) is not hbm's (4800 GB/s)" hbm
borrow_file nvl72 "{\"schema\": \"mlasim.borrow/1\", \"from\": \"src\", $WHY}"
card_as nvl72 's/"domain_gpus": 8/"domain_gpus": 72/'
bad_borrow "collectives onto another scale-up domain" nvl72 "'classes': collectives and deepep measured b200's scale-up link (nvlink5 switch, 900 GB/s, 8 GPUs), not nvl72's (nvlink5 switch, 900 GB/s, 72 GPUs)" nvl72

# validate --kernels reads the same declaration and refuses it the same way
"$M" validate --kernels --hw "$BW/hw/cyca.json" > "$BW/o" 2> "$BW/e"
rc=$?
if [ $rc -eq 3 ] && [ "$(wc -l < "$BW/e")" -eq 1 ] && grep -q "cyca/borrow.json: 'from': a cycle" "$BW/e"; then
	ok "validate --kernels: a bad borrow file is refused as 'make calibrate' refuses it (exit 3)"
else
	notok "validate --kernels: a bad borrow file is refused (exit 3)" "exit $rc: $(cat "$BW/e")"
fi
