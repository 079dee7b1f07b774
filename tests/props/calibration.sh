# tests/props/calibration.sh - sourced by tests/run.sh: the bundled cards'
# published calibration (hw/published/CARD/: records, or a borrow.json) is
# what 'make calibrate' fits, each fit predicts its records better than the
# card's defaults, and the plan says where its kernel times come from.  That
# a borrowing card holds its sibling's fits exactly: tests/props/borrow.sh.

if ! command -v jq > /dev/null 2>&1; then
	skipped "calibration: the cards hold what their records fit" "no jq"
else
	CAL="$T/calibration"
	mkdir -p "$CAL/hw/published"
	# 1. Each card's calibration is the fit of its records now: every fitted
	# number within 0.5% (the fit is deterministic; the slack is for another
	# compiler's last bits), the same classes, sources and blends.
	stale=""
	for dir in hw/published/*/; do
		card=$(basename "$dir")
		if ! "$M" probe --published "$dir" --hw "hw/$card.json" -o "$CAL/$card.json" 2> "$CAL/err"; then
			stale="$stale $card(refit failed: $(head -1 "$CAL/err"))"
			continue
		fi
		same=$(jq -n --slurpfile a "hw/$card.json" --slurpfile b "$CAL/$card.json" '
			def near(p; q): ((p - q) | fabs) <= 0.005 * ([p, q] | max) + 1e-12;
			def fits(c): [c.calibration.calib | del(.collectives, .deepep, .custom_allreduce) | to_entries[] | .key as $s | .value |
				to_entries[] | {k: "\($s).\(.key)", f: .value.fit}];
			def colls(c): [(c.calibration.calib.collectives // {} | to_entries[] | .key as $o | .value[] |
				{k: "\($o)@\(.gpus)", v: (.lat_s + [.busbw_gbs])}),
				(c.calibration.calib.deepep // {} | to_entries[] | {k: "deepep.\(.key)", v: [.value.lat_s, .value.gbs, 0, 0]}),
				(c.calibration.calib.custom_allreduce // {} | to_entries[] | .key as $e | .value[] |
				{k: "custom_allreduce.\($e)@\(.gpus)", v: (.lat_s + [.gbs, 0])})];
			(fits($a[0]) | sort_by(.k)) as $x | (fits($b[0]) | sort_by(.k)) as $y |
			(colls($a[0]) | sort_by(.k)) as $u | (colls($b[0]) | sort_by(.k)) as $w |
			($x | map(.k)) == ($y | map(.k)) and ($u | map(.k)) == ($w | map(.k)) and
			($a[0].calibration.sources == $b[0].calibration.sources) and
			($a[0].calibration.borrowed_from == $b[0].calibration.borrowed_from) and
			($a[0].calibration.borrow == $b[0].calibration.borrow) and
			([range(0; $x | length) as $i | $x[$i].f as $p | $y[$i].f as $q |
			  ($p.blend == $q.blend) and (($p.act_quant // false) == ($q.act_quant // false)) and
			  ([("eff_compute", "eff_mem", "t0_s", "kblock_s", "elem_s") as $n | near($p[$n] // 0; $q[$n] // 0)] | all)] | all) and
			([range(0; $u | length) as $i | range(0; 4) as $j | near($u[$i].v[$j]; $w[$i].v[$j])] | all)')
		[ "$same" = true ] || stale="$stale $card"
	done
	if [ -z "$stale" ]; then
		ok "calibration: every bundled card holds the fit of its hw/published records ('make calibrate')"
	else
		notok "calibration: every bundled card holds the fit of its hw/published records" "run 'make calibrate':$stale"
	fi
	# 2. The fit helps: per class, the calibrated card's median error on its
	# records is below that of the same card with its calibration removed
	# (the efficiency defaults), and every GEMM class of every card is within
	# the 10% median target of docs/kernels.md s7.
	worse="" gemm_miss="" nclass=0
	for dir in hw/published/*/; do
		card=$(basename "$dir")
		jq 'del(.calibration)' "hw/$card.json" > "$CAL/hw/$card.json"
		rm -rf "$CAL/hw/published/$card"
		cp -r "$dir" "$CAL/hw/published/$card"
	done
	"$M" validate --kernels --format json > "$CAL/cal.json" 2> /dev/null
	rc_cal=$?
	for dir in hw/published/*/; do
		card=$(basename "$dir")
		"$M" validate --kernels --hw "$CAL/hw/$card.json" --format json 2> /dev/null
	done | jq -s '[.[].classes[]]' > "$CAL/def.json"
	res=$(jq -r --slurpfile d "$CAL/def.json" '.classes[] | select(.calibration == "published") |
		. as $c | ($d[0][] | select(.hw == $c.hw and .class == $c.class)) as $o |
		"\($c.hw) \($c.class) \($c.median_err_pct) \($o.median_err_pct)"' "$CAL/cal.json")
	while read -r card cls cal def; do
		[ -n "$card" ] || continue
		nclass=$((nclass + 1))
		awk -v a="$cal" -v b="$def" 'BEGIN { exit !(a <= b) }' || worse="$worse $card/$cls($cal% vs $def%)"
		case $cls in gemm_*)
			awk -v a="$cal" 'BEGIN { exit !(a <= 10) }' || gemm_miss="$gemm_miss $card/$cls($cal%)" ;;
		esac
	done <<EOF_CAL
$res
EOF_CAL
	if [ "$nclass" -ge 6 ] && [ -z "$worse" ]; then
		ok "calibration: each of $nclass calibrated classes predicts its records better than the card defaults"
	else
		notok "calibration: each calibrated class predicts its records better than the card defaults" \
			"$nclass classes;$worse"
	fi
	if [ "$nclass" -ge 6 ] && [ -z "$gemm_miss" ]; then
		ok "calibration: every GEMM class of every calibrated card is within a 10% median error"
	else
		notok "calibration: every GEMM class of every calibrated card is within a 10% median error" "$gemm_miss"
	fi
	# every card with records of its own (each hw/published/CARD/ without a
	# borrow.json: B300 and GB300 too) has fitted classes in that table
	nocal="" ncards=0
	for dir in hw/published/*/; do
		card=$(basename "$dir")
		[ -e "$dir/borrow.json" ] && continue
		ncards=$((ncards + 1))
		nc=$(jq --arg c "$card" '[.classes[] | select(.hw == $c and .calibration == "published")] | length' "$CAL/cal.json")
		[ "$nc" -ge 1 ] || nocal="$nocal $card"
	done
	if [ "$ncards" -ge 8 ] && [ -z "$nocal" ]; then
		ok "calibration: each of $ncards cards with records of its own has classes fitted to them"
	else
		notok "calibration: each card with records of its own has classes fitted to them" "$ncards cards; none fitted:$nocal"
	fi
	# validate --kernels exits 1 exactly when a class misses the target
	nfail=$(jq '.failed' "$CAL/cal.json")
	if { [ "$nfail" -gt 0 ] && [ $rc_cal -eq 1 ]; } || { [ "$nfail" -eq 0 ] && [ $rc_cal -eq 0 ]; }; then
		ok "validate --kernels: exit $rc_cal with $nfail classes off the target"
	else
		notok "validate --kernels: exit 1 exactly when a class misses the target" "exit $rc_cal, failed $nfail"
	fi

	# --points lists every record the rows count, each with both times
	pts=$("$M" validate --kernels --points --hw h100 --format json 2> /dev/null |
		jq -c '[(.points | length), ([.classes[].points] | add),
			([.points[] | select(.engine_s > 0 and .measured_s > 0 and .err_pct != null)] | length)]')
	if [ "$(echo "$pts" | jq '.[0] > 100 and .[0] == .[1] and .[0] == .[2]')" = true ]; then
		ok "validate --kernels --points: every H100 record, with measured and engine seconds ($pts)"
	else
		notok "validate --kernels --points: every H100 record, with measured and engine seconds" "$pts"
	fi

	# 3. The plan says where its kernel times come from.
	"$M" plan --model deepseek-v3 --hw h800 --tp 8 --ep 8 --format json > "$CAL/plan.json" 2> /dev/null
	"$M" plan --model deepseek-v3 --hw "$CAL/hw/h800-sxm.json" --tp 8 --ep 8 --format json > "$CAL/plan0.json" 2> /dev/null
	got=$(jq -r '[.hardware.calibration, (.hardware.calibration_sources | length),
		(.hardware.kernels[] | select(.class == "gemm_fp8_block") | .from)] | @tsv' "$CAL/plan.json")
	got0=$(jq -r '[.hardware.calibration, (.hardware.calibration_sources | length)] | @tsv' "$CAL/plan0.json")
	nsrc=$(ls hw/published/h800-sxm/*.json | wc -l)
	if [ "$got0" = "defaults	0" ] && [ "$(echo "$got" | cut -f1,3)" = "published	published" ] &&
	   [ "$(echo "$got" | cut -f2)" -ge 2 ] && [ "$(echo "$got" | cut -f2)" -le "$nsrc" ] &&
	   "$M" plan --model deepseek-v3 --hw h800 --tp 8 --ep 8 | grep '^  calibration         published (' | grep -q 'deepgemm-readme-v3'; then
		ok "plan: hardware.calibration is published with its $(echo "$got" | cut -f2) sources on H800, defaults without them"
	else
		notok "plan: hardware.calibration says where kernel times come from" "calibrated: $got; bare: $got0"
	fi
fi
