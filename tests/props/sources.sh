# tests/props/sources.sh - sourced by tests/run.sh: every number of a bundled
# hardware card has its source (docs/design.md s5, hw/README.md): each numeric
# key outside "calibration" (whose fits name their own records) has an entry
# in the card's "sources".  Uses ok/notok/skipped and $T from run.sh.

# The keys of card $1 holding a number and no source, one per line.
unsourced() {
	jq -r '(.sources // {}) as $s
		| [paths(numbers) | select(.[0] != "calibration" and .[0] != "sources")
		   | map(tostring) | join(".")] | unique[]
		| select(($s[.] // null) == null)' "$1"
}

if ! command -v jq > /dev/null 2>&1; then
	skipped "hw cards: a source for every number" "no jq"
else
	missing=""
	n=0
	for card in hw/*.json; do
		n=$((n + 1))
		for k in $(unsourced "$card"); do
			missing="$missing $card:$k"
		done
	done
	if [ -z "$missing" ]; then
		ok "hw cards: a source for every number of the $n bundled cards"
	else
		notok "hw cards: a source for every number" "no source for:$missing"
	fi
	# the check can fail: a card with one figure unsourced names that key
	printf '%s\n' '{"name": "x", "gpu": {"hbm_gbs": 3350, "tdp_w": 700},' \
		'"sources": {"gpu.hbm_gbs": "[ds-isca25] Table 1"}}' > "$T/unsourced.json"
	got=$(unsourced "$T/unsourced.json" | tr '\n' ' ')
	if [ "$got" = "gpu.tdp_w " ]; then
		ok "hw cards: the source check names a figure without a source (gpu.tdp_w)"
	else
		notok "hw cards: the source check names a figure without a source" "got '$got', want 'gpu.tdp_w '"
	fi
fi
