# tests/props/charts.sh - sourced by tests/run.sh: every chart kind and the
# HTML report.  Uses ok/notok/skipped, $M (the binary) and $T (a scratch
# directory) from run.sh.  Needs gnuplot for the images (skipped without it),
# and chromium for the browser check (skipped without it: 'make deps-browser').

C="$T/charts"
mkdir -p "$C"

# A sweep CSV written by hand with the columns 'mlasim sweep -o' writes.  Front
# (tokens/s per user, tokens/s per GPU): (20, 320), (50, 200), (100, 100); the
# rest is dominated, does not fit, or has no rates.
SWEEP_HEADER="model,hw,gpus,tp,dp,ep,pp,batch,micro_batches,context,mtp,weights,kv_dtype,fits,batch_fits,tpot_s,tokens_per_s_per_gpu,tokens_per_s_per_user,decode_bound,gpu_w,usd_per_mtok_output"
{
	echo "$SWEEP_HEADER"
	echo 'deepseek-v3,h800,8,1,8,8,1,1,1,4096,0,fp8-block,bf16,true,true,0.01,100,100,hbm,500,1'
	echo 'deepseek-v3,h800,8,1,8,8,1,2,1,4096,0,fp8-block,bf16,true,true,0.0125,90,80,hbm,500,1'
	echo 'deepseek-v3,h800,8,1,8,8,1,4,1,4096,0,"fp8,quoted",bf16,true,true,0.02,200,50,hbm,500,1'
	echo 'deepseek-v3,h800,8,1,8,8,1,8,1,4096,0,fp8-block,bf16,true,true,0.04,150,25,hbm,500,1'
	echo 'deepseek-v3,h800,8,1,8,8,1,16,1,4096,0,fp8-block,bf16,true,true,0.05,320,20,hbm,500,1'
	echo 'deepseek-v3,h800,8,1,8,8,1,32,1,4096,0,fp8-block,bf16,true,false,0.1,800,10,hbm,500,1'
	echo 'deepseek-v3,h800,8,1,8,8,1,64,1,4096,0,fp8-block,bf16,false,true,0.1,900,10,hbm,500,1'
	echo 'deepseek-v3,h800,8,1,8,8,1,128,1,4096,0,fp8-block,bf16,true,true,,,,hbm,500,1'
} > "$C/sweep.csv"

# name|arguments (after 'chart'), one chart each
CHART_CASES='kv|kv --model deepseek-v3,llama-3.1-70b --hw h800
memory|memory --model deepseek-v3 --hw h800 --dp 32 --ep 32 --batch 64
memory-tp|memory --model llama-3.1-70b --hw h100 --tp 1,2,4,8
memory-zip|memory --model deepseek-v3 --hw h800 --dp 8,16,32 --ep 8,16,32
throughput|throughput --model deepseek-v3 --hw h800,h200,gb200 --dp 32 --ep 32
tpot-ep|tpot --model deepseek-v3 --hw h800 --over ep --batch 64 --micro-batches 2
tpot-nic|tpot --model deepseek-v3 --hw h800 --dp 256 --ep 256 --batch 64 --micro-batches 2 --shared-expert routed --max-nodes 0 --context 1 --ideal --set scale_up.domain_gpus=1 --over nic
roofline|roofline --model deepseek-v3 --hw h800 --dp 32 --ep 32 --batch 64
pareto|pareto --from SWEEP
power|power --model deepseek-v3 --hw gb200 --dp 72 --ep 72 --batch 64
power-node|power --model deepseek-v3 --hw h800 --dp 32 --ep 32 --per node
topology|topology --hw h800 --gpus 1024,2048,4096,8192,16384'

if command -v gnuplot >/dev/null 2>&1; then
	echo "$CHART_CASES" | while IFS='|' read -r name args; do
		eval "set -- $(echo "$args" | sed "s|SWEEP|$C/sweep.csv|")"
		"$M" chart "$@" -o "$C/$name.png" > "$C/$name.out" 2> "$C/$name.err"
		echo "$? $name" >> "$C/rcs"
	done
	while read -r rc name; do
		f="$C/$name"
		if [ "$rc" -eq 0 ] && [ -s "$f.png" ] && [ -s "$f.svg" ] && [ -s "$f.dat" ] && [ -s "$f.gp" ] &&
		   head -c 8 "$f.png" | od -An -c | grep -q 'P   N   G' &&
		   [ "$(grep -c '<path' "$f.svg")" -gt 5 ] && [ ! -s "$f.out" ]; then
			ok "chart $name: png, svg (with paths), dat and gp written"
		else
			notok "chart $name: png, svg, dat and gp written (exit $rc)" "$(cat "$f.err")"
		fi
	done < "$C/rcs"
	# the script regenerates the images from its own directory, as its header says
	if (cd "$C" && rm -f memory.png && gnuplot memory.gp 2>/dev/null) && [ -s "$C/memory.png" ]; then
		ok "chart memory: 'gnuplot memory.gp' in its directory regenerates the image"
	else
		notok "chart memory: 'gnuplot memory.gp' in its directory regenerates the image"
	fi
	# no temporary image is left behind
	if [ -z "$(ls "$C" | grep '\.tmp\.')" ]; then ok "charts: no temporary files left"
	else notok "charts: no temporary files left" "$(ls "$C" | grep '\.tmp\.')"; fi
else
	skipped "chart kinds: png, svg, dat and gp written" "gnuplot not installed"
fi

# Without gnuplot every kind exits 4 naming the program, and keeps .dat and .gp.
mkdir -p "$C/nog"
echo "$CHART_CASES" | while IFS='|' read -r name args; do
	eval "set -- $(echo "$args" | sed "s|SWEEP|$C/sweep.csv|")"
	MLASIM_GNUPLOT=/nonexistent/gnuplot "$M" chart "$@" -o "$C/nog/$name.png" 2> "$C/nog/$name.err"
	rc=$?
	if [ $rc -eq 4 ] && [ -s "$C/nog/$name.dat" ] && [ -s "$C/nog/$name.gp" ] && [ ! -e "$C/nog/$name.png" ] &&
	   [ "$(wc -l < "$C/nog/$name.err")" -eq 1 ] &&
	   grep -q "^mlasim: gnuplot not found ('/nonexistent/gnuplot')" "$C/nog/$name.err"; then
		echo "ok $name" >> "$C/nog/results"
	else
		echo "bad $name (exit $rc): $(cat "$C/nog/$name.err")" >> "$C/nog/results"
	fi
done
if ! grep -q '^bad' "$C/nog/results"; then
	ok "charts without gnuplot: every kind exits 4 naming it, .dat and .gp kept ($(grep -c '^ok' "$C/nog/results") kinds)"
else
	notok "charts without gnuplot: every kind exits 4 naming it, .dat and .gp kept" "$(grep '^bad' "$C/nog/results")"
fi

# The data behind the charts, checked without gnuplot (the .dat files above).
D="$C/nog"
# memory: a fitting bar stacks weights + reserve + KV + headroom to the usable HBM
if awk -F'"' '!/^#/ && NF { split($3, v, " "); s = 0; for (i = 1; i <= 12; i++) s += v[i]
		if (v[13] <= 0 || (s - v[13]) / v[13] > 1e-4 || (v[13] - s) / v[13] > 1e-4) bad = 1; n++ }
	END { exit !(n == 1 && !bad) }' "$D/memory.dat"; then
	ok "chart memory: the stack adds up to the usable HBM"
else
	notok "chart memory: the stack adds up to the usable HBM" "$(cat "$D/memory.dat")"
fi
if [ "$(grep -vc '^#' "$D/memory-tp.dat")" -eq 4 ] && grep -q '"tp 8"' "$D/memory-tp.dat" &&
   grep -q '"dp 16, ep 16"' "$D/memory-zip.dat"; then
	ok "chart memory: one bar per listed value, lists zipped"
else
	notok "chart memory: one bar per listed value, lists zipped" "$(cat "$D/memory-tp.dat" "$D/memory-zip.dat")"
fi
# throughput: 11 batches per card, and a knee per card
if [ "$(awk '!/^#/ && NF && $1 >= 1 && $1 <= 1024 && NF >= 10' "$D/throughput.dat" | wc -l)" -eq 33 ] &&
   [ "$(awk '/^# knees/ { k = 1; next } k && !/^#/ && NF && $1 >= 0' "$D/throughput.dat" | wc -l)" -eq 3 ]; then
	ok "chart throughput: batches 1..1024 for each card, a knee each"
else
	notok "chart throughput: batches 1..1024 for each card, a knee each" "$(cat "$D/throughput.dat")"
fi
# tpot over the NIC: the ISCA speed limit is communication-bound at 400 Gb/s, not at 6400
if awk '!/^#/ && $1 == 400 { a = $6 } !/^#/ && $1 == 6400 { b = $6 } END { exit !(a == 1 && b == 0) }' "$D/tpot-nic.dat" &&
   grep -q 'communication stops being the bound' "$D/tpot-nic.gp"; then
	ok "chart tpot --over nic: communication-bound at 400 Gb/s, marked where it stops"
else
	notok "chart tpot --over nic: communication-bound at 400 Gb/s, marked where it stops" "$(cat "$D/tpot-nic.dat")"
fi
# roofline: every operator below its roof (achieved <= peak, and <= intensity x bandwidth)
if awk '/^# decode operators/ { ops = 1 } ops && !/^#/ && NF >= 7 && $1 != "NaN" {
		n++; if ($2 > 1979.0001 || $2 > $1 * 3.35 * 1.0001) bad = 1 }
	END { exit !(n > 10 && !bad) }' "$D/roofline.dat"; then
	ok "chart roofline: every operator sits under the H800 roofline"
else
	notok "chart roofline: every operator sits under the H800 roofline" "$(grep -A40 '^# decode operators' "$D/roofline.dat")"
fi
# pareto: the front is exactly the three non-dominated feasible points
front=$(awk '/^# front/ { f = 1; next } f && NF == 0 { exit } f { print $1, $2 }' "$D/pareto.dat" | tr '\n' ';')
if [ "$front" = "20 320;50 200;100 100;" ]; then
	ok "chart pareto: the front of the feasible points, quoted fields read"
else
	notok "chart pareto: the front of the feasible points (got '$front')" "$(cat "$D/pareto.dat")"
fi
# power: the GPUs' share is node_gpus x gpu watts x nodes per rack (GB200 NVL72: 72 GPUs)
if awk -F'"' '!/^#/ && NF { print $3 }' "$D/power.dat" | awk 'NR == 3 { exit !($1 > 60 && $1 < 100) }'; then
	ok "chart power: full load draws 72 GPUs at TDP per GB200 rack"
else
	notok "chart power: full load draws 72 GPUs at TDP per GB200 rack" "$(cat "$D/power.dat")"
fi
# topology: FT2 stops at 2048 endpoints of radix 64, FT3 goes on
if awk '!/^#/ && $1 == 2048 { a = ($2 != "NaN") } !/^#/ && $1 == 16384 { b = ($2 == "NaN" && $4 != "NaN") } END { exit !(a && b) }' \
	"$D/topology.dat"; then
	ok "chart topology: FT2 reaches 2048 GPUs at radix 64, FT3 beyond"
else
	notok "chart topology: FT2 reaches 2048 GPUs at radix 64, FT3 beyond" "$(cat "$D/topology.dat")"
fi

# The .dat and the .gp that reads it are written as a pair: a failure while
# writing one leaves both as they were (never a new .dat beside an old .gp),
# and no temporary file.  pair_case NAME: chart kv over a previous pair in $P.
P="$C/pair"
pair_case() {
	rm -rf "$P" && mkdir -p "$P"
	echo "previous dat" > "$P/kv.dat"
	echo "previous gp" > "$P/kv.gp"
}
# the .gp cannot be replaced (a directory stands at its path): caught before any rename
pair_case
rm -f "$P/kv.gp" && mkdir "$P/kv.gp"
MLASIM_GNUPLOT=/nonexistent/gnuplot "$M" chart kv --model deepseek-v3 -o "$P/kv.png" > "$C/out" 2> "$C/err"
rc=$?
if [ $rc -eq 4 ] && [ "$(cat "$P/kv.dat")" = "previous dat" ] && [ -d "$P/kv.gp" ] &&
   [ -z "$(ls "$P" | grep '\.tmp\.')" ] && grep -q "^mlasim: cannot write '.*kv.gp': is a directory" "$C/err"; then
	ok "chart: the .gp cannot be written, the previous .dat stays, no temporary"
else
	notok "chart: the .gp cannot be written, the previous .dat stays, no temporary (exit $rc)" \
		"$(cat "$C/err"; ls "$P"; head -2 "$P/kv.dat")"
fi
# the file-size limit stops the .gp (larger than one block) after the .dat (smaller) was written
MLASIM_GNUPLOT=/nonexistent/gnuplot "$M" chart kv --model deepseek-v3 -o "$C/kvsize.png" > /dev/null 2>&1
dsize=$(wc -c < "$C/kvsize.dat") gsize=$(wc -c < "$C/kvsize.gp")
if [ "$dsize" -lt 512 ] && [ "$gsize" -gt 1024 ]; then
	pair_case
	(ulimit -f 1 && MLASIM_GNUPLOT=/nonexistent/gnuplot exec "$M" chart kv --model deepseek-v3 -o "$P/kv.png") \
		> "$C/out" 2> "$C/err"
	rc=$?
	if [ $rc -eq 4 ] && [ "$(cat "$P/kv.dat")" = "previous dat" ] && [ "$(cat "$P/kv.gp")" = "previous gp" ] &&
	   [ -z "$(ls "$P" | grep '\.tmp\.')" ] && grep -q "^mlasim: cannot write '.*kv.gp'" "$C/err"; then
		ok "chart: past the file-size limit the .dat and .gp both stay the previous pair"
	else
		notok "chart: past the file-size limit the .dat and .gp both stay the previous pair (exit $rc)" \
			"$(cat "$C/err"; ls "$P"; head -2 "$P/kv.dat")"
	fi
else
	notok "chart: past the file-size limit (the test needs a kv .dat under 512 B and a .gp over 1 KiB: $dsize, $gsize)"
fi

# pareto: bad files
echo "model,hw,fits,batch_fits,tokens_per_s_per_gpu" > "$C/nouser.csv"
echo "$SWEEP_HEADER" > "$C/short.csv"
echo "deepseek-v3,h800,8,1" >> "$C/short.csv"
echo "$SWEEP_HEADER" > "$C/maybe.csv"
echo 'deepseek-v3,h800,8,1,8,8,1,1,1,4096,0,fp8-block,bf16,maybe,true,0.01,100,100,hbm,500,1' >> "$C/maybe.csv"
echo "$SWEEP_HEADER" > "$C/text.csv"
echo 'deepseek-v3,h800,8,1,8,8,1,1,1,4096,0,fp8-block,bf16,true,true,0.01,fast,100,hbm,500,1' >> "$C/text.csv"
echo "$SWEEP_HEADER" > "$C/quote.csv"
echo 'deepseek-v3,"h800,8,1,8,8,1,1,1,4096,0,fp8-block,bf16,true,true,0.01,100,100,hbm,500,1' >> "$C/quote.csv"
echo "$SWEEP_HEADER" > "$C/nofit.csv"
echo 'deepseek-v3,h800,8,1,8,8,1,1,1,4096,0,fp8-block,bf16,false,true,0.01,100,100,hbm,500,1' >> "$C/nofit.csv"
: > "$C/empty.csv"
for case in "3|nouser.csv|no column 'tokens_per_s_per_user' in the header" \
	    "3|short.csv|short.csv:2: 4 fields, the header has 21" \
	    "3|maybe.csv|maybe.csv:2: 'fits' must be true or false, got 'maybe'" \
	    "3|text.csv|text.csv:2: 'tokens_per_s_per_gpu' is not a number: 'fast'" \
	    "3|quote.csv|quote.csv:2: unterminated quoted field" \
	    "3|empty.csv|empty.csv: empty" \
	    "3|missing.csv|cannot open" \
	    "1|nofit.csv|none of its 1 rows fits"; do
	want=${case%%|*}
	rest=${case#*|}
	file=${rest%%|*}
	msg=${rest#*|}
	"$M" chart pareto --from "$C/$file" -o "$C/bad-$file.png" > "$C/out" 2> "$C/err"
	rc=$?
	if [ $rc -eq "$want" ] && grep -qF "$msg" "$C/err" && [ ! -e "$C/bad-$file.dat" ] && [ ! -s "$C/out" ]; then
		ok "chart pareto --from $file: exit $want"
	else
		notok "chart pareto --from $file: exit $want with '$msg' (exit $rc)" "$(cat "$C/err")"
	fi
done

# ---- the report ---------------------------------------------------------
R="$C/report"
mkdir -p "$R"
"$M" report --model deepseek-v3 --hw h800 --dp 32 --ep 32 --batch 64 --micro-batches 2 -o "$R/v3.html" 2> "$R/err"
rc=$?
svgs=$(grep -c '<svg' "$R/v3.html" 2>/dev/null)
if ! command -v gnuplot >/dev/null 2>&1; then
	skipped "report: HTML with six inline SVG charts" "gnuplot not installed"
elif [ $rc -eq 0 ] && [ "$svgs" -eq 6 ] && head -1 "$R/v3.html" | grep -q '^<!DOCTYPE html>' &&
     tail -1 "$R/v3.html" | grep -q '^</html>$' && [ ! -s "$R/err" ]; then
	ok "report: HTML with six inline SVG charts"
else
	notok "report: HTML with six inline SVG charts (exit $rc, $svgs svg)" "$(cat "$R/err")"
fi
# self-contained: nothing to fetch, no scripts, no leftover XML prologue, ids made unique
if [ -s "$R/v3.html" ] && ! grep -Eiq '<script|<link|<img|<iframe|(src|href)=["'"'"'](https?:|//)|@import|url\((["'"'"'])?https?:' "$R/v3.html" &&
   ! grep -q '<?xml' "$R/v3.html" && grep -q "id='roofline-gpPt0'" "$R/v3.html" &&
   grep -q '@media print' "$R/v3.html"; then
	ok "report: self-contained (no scripts, links or remote resources), a print stylesheet"
else
	notok "report: self-contained, a print stylesheet"
fi
# the tables and the sources
missing=""
for want in 'id="summary"' 'id="model"' 'id="memory"' 'id="perf"' 'id="network"' 'id="power"' 'id="cost"' \
	    'id="sources"' 'mla decode attention' 'routed experts' 'gpu.hbm_gbs' '[ds-isca25]' \
	    'Notes of the hardware card' 'arXiv 2412.19437' 'Kernel model by class'; do
	grep -qF "$want" "$R/v3.html" || missing="$missing '$want'"
done
if [ -z "$missing" ]; then ok "report: sections, per-operator tables, card sources and notes"
else notok "report: sections, per-operator tables, card sources and notes" "missing:$missing"; fi
# deterministic
cp "$R/v3.html" "$R/v3a.html"
"$M" report --model deepseek-v3 --hw h800 --dp 32 --ep 32 --batch 64 --micro-batches 2 -o "$R/v3.html" 2>/dev/null
if cmp -s "$R/v3.html" "$R/v3a.html"; then ok "report: the same inputs give the same file"
else notok "report: the same inputs give the same file"; fi
# a deployment that does not fit: written, exit 1
"$M" report --model deepseek-v3 --hw h800 --tp 8 --no-charts -o "$R/nofit.html" 2> "$R/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'does not fit' "$R/nofit.html"; then ok "report: a deployment that does not fit is reported, exit 1"
else notok "report: a deployment that does not fit is reported, exit 1 (exit $rc)" "$(cat "$R/err")"; fi
# a dense model, --set overrides listed
"$M" report --model llama-3.1-70b --hw h100 --tp 4 --batch 32 --set gpu.hbm_usable_gb=75 --no-charts -o "$R/llama.html" 2> "$R/err"
rc=$?
if [ $rc -eq 0 ] && grep -q 'gpu.hbm_usable_gb=75' "$R/llama.html" && ! grep -q '<svg' "$R/llama.html" &&
   grep -q 'no all-to-all' "$R/llama.html"; then
	ok "report --no-charts: a dense model, the --set override listed"
else
	notok "report --no-charts: a dense model, the --set override listed (exit $rc)" "$(cat "$R/err")"
fi
# without gnuplot: written without charts, exit 4, one line naming gnuplot
MLASIM_GNUPLOT=/nonexistent/gnuplot "$M" report --model deepseek-v3 --hw h800 --dp 8 --ep 8 -o "$R/nog.html" 2> "$R/err"
rc=$?
if [ $rc -eq 4 ] && [ -s "$R/nog.html" ] && ! grep -q '<svg' "$R/nog.html" && grep -q 'chart not drawn: gnuplot not found' "$R/nog.html" &&
   [ "$(wc -l < "$R/err")" -eq 1 ] && grep -q "^mlasim: gnuplot not found ('/nonexistent/gnuplot'): wrote '.*nog.html' without charts" "$R/err"; then
	ok "report without gnuplot: written without charts, exit 4"
else
	notok "report without gnuplot: written without charts, exit 4 (exit $rc)" "$(cat "$R/err")"
fi
MLASIM_GNUPLOT=/nonexistent/gnuplot "$M" report --model deepseek-v3 --hw h800 --dp 32 --ep 32 --no-charts -o "$R/nog2.html" 2> "$R/err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$R/err" ]; then ok "report --no-charts needs no gnuplot"
else notok "report --no-charts needs no gnuplot (exit $rc)" "$(cat "$R/err")"; fi
# a failed run leaves the previous file
echo previous > "$R/keep.html"
"$M" report --model no-such-model --hw h800 -o "$R/keep.html" 2>/dev/null
if [ "$(cat "$R/keep.html")" = previous ] && [ -z "$(ls "$R" | grep '\.tmp\.')" ]; then
	ok "report: a failed run leaves the previous file"
else
	notok "report: a failed run leaves the previous file"
fi
# --charts-dir keeps the charts
mkdir -p "$R/keep"
if command -v gnuplot >/dev/null 2>&1; then
	"$M" report --model llama-3.1-70b --hw h100 --tp 4 --charts-dir "$R/keep" -o "$R/kept.html" 2> "$R/err"
	if [ -s "$R/keep/memory.svg" ] && [ -s "$R/keep/roofline.dat" ] && [ ! -e "$R/keep/tpot-ep.svg" ]; then
		ok "report --charts-dir: the charts stay, a dense model has no EP chart"
	else
		notok "report --charts-dir: the charts stay" "$(ls "$R/keep"; cat "$R/err")"
	fi
fi

# ---- the report in a browser --------------------------------------------
BROWSER=""
for b in chromium chromium-browser google-chrome; do
	command -v "$b" >/dev/null 2>&1 && { BROWSER=$b; break; }
done
if [ -z "$BROWSER" ]; then
	skipped "report in headless chromium: screenshot and rendered charts" "chromium not installed ('make deps-browser' installs it)"
elif [ "$svgs" != 6 ]; then
	skipped "report in headless chromium: screenshot and rendered charts" "no report with charts (gnuplot missing)"
else
	# a profile of its own, so that nothing outside $T is touched
	HOME="$R" timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$R/profile" --screenshot="$R/shot.png" --window-size=1280,4000 \
		"file://$R/v3.html" > "$R/shot.log" 2>&1
	HOME="$R" timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --user-data-dir="$R/profile" \
		--dump-dom "file://$R/v3.html" > "$R/dom.html" 2> "$R/dom.log"
	size=$(wc -c < "$R/shot.png" 2>/dev/null || echo 0)
	dsvg=$(grep -o '<svg' "$R/dom.html" | wc -l)
	dpath=$(grep -o '<path' "$R/dom.html" | wc -l)
	if head -c 8 "$R/shot.png" 2>/dev/null | od -An -c | grep -q 'P   N   G' && [ "$size" -gt 150000 ] &&
	   [ "$dsvg" -eq 6 ] && [ "$dpath" -gt 300 ]; then
		ok "report in headless $BROWSER: screenshot of $size bytes, $dsvg SVG charts with $dpath paths in the DOM"
	else
		notok "report in headless $BROWSER: screenshot $size bytes, $dsvg svg, $dpath paths" "$(tail -5 "$R/shot.log")"
	fi
	HOME="$R" timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --user-data-dir="$R/profile" \
		--no-pdf-header-footer --print-to-pdf="$R/v3.pdf" "file://$R/v3.html" > "$R/pdf.log" 2>&1
	if head -c 5 "$R/v3.pdf" 2>/dev/null | grep -q '%PDF' && [ "$(wc -c < "$R/v3.pdf")" -gt 100000 ]; then
		ok "report prints to PDF in headless $BROWSER (print stylesheet)"
	else
		notok "report prints to PDF in headless $BROWSER" "$(tail -5 "$R/pdf.log")"
	fi
fi
