# Write one engine's fitted figures into its card: jq --arg e NAME --arg date
# YYYY-MM-DD --slurpfile f FIT.json -f engines/fit.jq engines/NAME.json, FIT.json
# the output of 'mlasim validate --serving SAMPLE --fit --format json'
# ('make fit-engines' runs it for every engine).  A fit with versions
# ('--fit-versions', 'make fit-engines VERSIONS=1') writes each version's own
# figures into "versions" with its provenance; one without removes them.
def pct: . * 10 | round / 10 | tostring;
def said($x; $what):
  $what + " (" + ($x.training.rows | tostring) + " rows; its models by name, every other one), " + $date
  + if $x.heldout.rows == 0 then "; no held-out rows (every model it ran is in the training half)"
    else "; held-out " + ($x.heldout.rows | tostring) + " rows: TPOT MAPE " + ($x.heldout.tpot_mape_pct | pct)
      + "%, TTFT MAPE " + ($x.heldout.ttft_mape_pct | pct) + "% (median |err| "
      + ($x.heldout.tpot_median_abs_err_pct | pct) + "%, " + ($x.heldout.ttft_median_abs_err_pct | pct) + "%)" end;
def version($v):
  {key: $v.version,
   value: ({overheads: ($v | with_entries(select(.key == "step_s" or .key == "step_per_sequence_s"
                                                  or .key == "request_s" or .key == "request_per_op_s"
                                                  or .key == "graph_latency_share")))}
           + (if $v.waves then {benchmark: {waves: $v.waves}} else {} end)
           + {fit: {summary: said($v; "fitted on this version's rows of the training half of aiconfigurator's silicon sample"),
                    rows: $v.training.rows, training: $v.training, heldout: $v.heldout}})};
($f[0].fitted[] | select(.engine == $e)) as $x
| .overheads = {step_s: $x.step_s, step_per_sequence_s: $x.step_per_sequence_s, request_s: $x.request_s,
                request_per_op_s: $x.request_per_op_s, graph_latency_share: $x.graph_latency_share}
| .benchmark = {waves: $x.waves}
| .fit = {
    summary: said($x; "fitted on the training half of aiconfigurator's silicon sample"),
    command: "make fit-engines (mlasim validate --serving SAMPLE --fit)",
    training: $x.training,
    heldout: $x.heldout
  }
| if ($x.versions // []) | length > 0 then .versions = ($x.versions | map(version(.)) | from_entries)
  else del(.versions) end
