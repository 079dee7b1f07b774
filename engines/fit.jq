# Write one engine's fitted figures into its card: jq --arg e NAME --arg date
# YYYY-MM-DD --slurpfile f FIT.json -f engines/fit.jq engines/NAME.json, FIT.json
# the output of 'mlasim validate --serving SAMPLE --fit --format json'
# ('make fit-engines' runs it for every engine).
def pct: . * 10 | round / 10 | tostring;
($f[0].fitted[] | select(.engine == $e)) as $x
| .overheads = {step_s: $x.step_s, step_per_sequence_s: $x.step_per_sequence_s, request_s: $x.request_s,
                graph_latency_share: $x.graph_latency_share}
| .benchmark = {waves: $x.waves}
| .fit = {
    summary: ("fitted on the training half of aiconfigurator's silicon sample ("
              + ($x.training.rows | tostring) + " rows; its models by name, every other one), " + $date
              + "; held-out " + ($x.heldout.rows | tostring) + " rows: TPOT MAPE " + ($x.heldout.tpot_mape_pct | pct)
              + "%, TTFT MAPE " + ($x.heldout.ttft_mape_pct | pct) + "% (median |err| "
              + ($x.heldout.tpot_median_abs_err_pct | pct) + "%, " + ($x.heldout.ttft_median_abs_err_pct | pct) + "%)"),
    command: "make fit-engines (mlasim validate --serving SAMPLE --fit)",
    training: $x.training,
    heldout: $x.heldout
  }
