# tests/props/serving.sh - sourced by tests/run.sh: the serving model against
# aiconfigurator's silicon sample (../shared/data/aiconfigurator, Apache-2.0;
# skipped when absent) and the engine cards' record of their fit.

SAMPLE=../shared/data/aiconfigurator/silicon_sample.csv
if [ ! -f "$SAMPLE" ] || ! command -v jq > /dev/null 2>&1; then
	skipped "serving: the silicon sample predicted, the cards' held-out errors reproduced" "no $SAMPLE or no jq"
	skipped "serving: a worst row's command reproduces its prediction" "no $SAMPLE or no jq"
else
	"$M" validate --serving "$SAMPLE" --rows --format json > "$T/vs.json" 2> "$T/vs.err"
	rc=$?
	# 5,221 rows; every row the options can express is predicted (3,648 when the
	# cards were fitted: 1,328 disaggregated rows carry no batch sizes or worker
	# counts, 130 ran speculative decoding, 55 are rack-wide disaggregated runs
	# marked aggregated, 30 name a client concurrency their columns do not hold,
	# 9 ran a client at a hard-coded 512, 21 other layouts mlasim refuses or that
	# do not multiply out).
	bad=$(jq -r 'if .summary.rows != 5221 or .summary.rows_predicted < 3648 then
		"rows predicted \(.summary.rows_predicted) of \(.summary.rows)" else empty end' "$T/vs.json")
	# Each card's fit.heldout is what the bundled cards give now: a card edited by
	# hand, or a change to the engine, must be refitted ('make fit-engines').
	for e in vllm sglang trtllm; do
		want=$(jq -r '[.fit.heldout.rows, (.fit.heldout.tpot_mape_pct * 10 | round),
			(.fit.heldout.ttft_mape_pct * 10 | round)] | @tsv' engines/$e.json)
		got=$(jq -r --arg e "$e" '[.rows[] | select(.part == "held-out" and .engine == $e)] as $r
			| [($r | length),
			   ($r | map(.tpot_s / .measured_tpot_s - 1 | fabs) | add / length * 1000 | round),
			   ($r | map(.ttft_s / .measured_ttft_s - 1 | fabs) | add / length * 1000 | round)] | @tsv' "$T/vs.json")
		[ "$got" = "$want" ] ||
			bad="$bad; engines/$e.json says held-out $want (rows, TPOT and TTFT MAPE x10), now $got: run 'make fit-engines'"
	done
	if [ $rc -eq 0 ] && [ -z "$bad" ]; then
		ok "serving: the silicon sample predicted, the cards' held-out errors reproduced"
	else
		notok "serving: the silicon sample predicted, the cards' held-out errors reproduced" "rc $rc$bad $(head -3 "$T/vs.err")"
	fi
	# The command validate prints for its worst aggregated row gives that row's prediction.
	cmd=$(jq -r '[.worst[] | select(.command_prefill == null)][0].command' "$T/vs.json")
	want=$(jq -r '[.worst[] | select(.command_prefill == null)][0] | [.predicted_ttft_s, .predicted_tpot_s] | @tsv' "$T/vs.json")
	# shellcheck disable=SC2086
	got=$("$M" ${cmd#mlasim } --format json 2> /dev/null | jq -r '[.serving.ttft_s, .serving.tpot_s] | @tsv')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "serving: a worst row's command reproduces its prediction"
	else
		notok "serving: a worst row's command reproduces its prediction" "$cmd: want $want, got $got"
	fi
fi
