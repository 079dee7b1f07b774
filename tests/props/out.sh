# tests/props/out.sh - sourced by tests/run.sh: hostile and careless input
# around files.  No card text, file name or option reaches a shell through
# gnuplot; -o writes through links and into FIFOs and devices, keeps a file's
# mode and refuses to overwrite an input; an input that never ends (a FIFO,
# /dev/zero) is refused at once; a stuck or killed gnuplot is killed and its
# temporary images removed; probe writes no card its own loader refuses.
# Uses ok/notok/skipped, $M and $T from run.sh.  Every run is under
# 'timeout' so that a regression fails instead of hanging the suite.

OUTD="$T/props-out"
mkdir -p "$OUTD"
top=$(pwd)

# ---- gnuplot never runs a command from a string ---------------------------
# Each source of text in a chart carries a backquoted command; gnuplot runs
# `...` inside double-quoted strings, never inside single-quoted ones.
OUTI="$OUTD/inj"
mkdir -p "$OUTI"
PAY='x `touch PWNED` q'"'"'s @y'
# A: hardware display_name and model mlasim.display_name
sed "s/\"display_name\": \"[^\"]*\"/\"display_name\": \"hw $PAY\"/" hw/h800-sxm.json > "$OUTI/hw-a.json"
sed "s/\"display_name\": \"[^\"]*\"/\"display_name\": \"model $PAY\"/" models/deepseek-v3.json > "$OUTI/model-a.json"
# B: the hardware name with no display_name; the model named by its file name
sed -e '/"display_name"/d' -e "s/\"name\": \"h800-sxm\"/\"name\": \"hw $PAY\"/" hw/h800-sxm.json > "$OUTI/hw-b.json"
sed -e '/"display_name"/d' -e '/"name": "deepseek-v3"/d' models/deepseek-v3.json > "$OUTI/m \`touch PWNED\` '.json"
# a sweep CSV whose model and hardware fields, and its own name, carry it too
{
	echo 'model,hw,gpus,tp,dp,ep,pp,batch,micro_batches,context,mtp,weights,kv_dtype,fits,batch_fits,tpot_s,tokens_per_s_per_gpu,tokens_per_s_per_user,decode_bound,gpu_w,usd_per_mtok_output'
	echo "\"m $PAY\",\"h $PAY\",8,1,8,8,1,1,1,4096,0,fp8-block,bf16,true,true,0.01,100,100,hbm,500,1"
	echo "\"m $PAY\",\"h $PAY\",8,1,8,8,1,16,1,4096,0,fp8-block,bf16,true,true,0.05,320,20,hbm,500,1"
} > "$OUTI/s \`touch PWNED\`.csv"

# name|chart arguments, HW and MODEL replaced per source
INJ_CASES='kv|kv --model MODEL --hw HW
memory|memory --model MODEL --hw HW --dp 8 --ep 8
throughput|throughput --model MODEL --hw HW --dp 8 --ep 8
tpot|tpot --model MODEL --hw HW --over ep --batch 16
roofline|roofline --model MODEL --hw HW --dp 8 --ep 8 --batch 16
power|power --model MODEL --hw HW --dp 8 --ep 8
topology|topology --hw HW --gpus 1024,2048'

# inj_check LABEL RC SVG GP: exit 0, no PWNED file anywhere, the text literally in SVG and GP
inj_check() {
	pw=$(find "$OUTI" "$top" -maxdepth 2 -name 'PWNED*' 2>/dev/null | head -1)
	if [ "$2" -ne 0 ]; then
		notok "$1: drawn (exit $2)" "$(cat "$OUTI/err")"
	elif [ -n "$pw" ]; then
		notok "$1: a backquoted command in its text ran ($pw)"
		rm -f "$pw"
	elif ! grep -qF 'touch PWNED' "$3" || ! grep -qF 'touch PWNED' "$4"; then
		notok "$1: the backquoted text appears literally in the image and the script"
	else
		ok "$1: a backquoted command in card text or a file name is drawn, not run"
	fi
}

if command -v gnuplot >/dev/null 2>&1; then
	for src in a b; do
		if [ $src = a ]; then
			hw="$OUTI/hw-a.json" model="$OUTI/model-a.json" stem="$OUTI/a"
		else
			hw="$OUTI/hw-b.json" model="$OUTI/m \`touch PWNED\` '.json" stem="$OUTI/o \`touch PWNED\` '"
		fi
		while IFS='|' read -r name args; do
			set --
			for w in $args; do
				case $w in HW) w=$hw ;; MODEL) w=$model ;; esac
				set -- "$@" "$w"
			done
			(cd "$OUTI" && timeout 60 "$M" chart "$@" -o "$stem-$name.png") > /dev/null 2> "$OUTI/err"
			inj_check "chart $name (source $src)" $? "$stem-$name.svg" "$stem-$name.gp"
		done <<EOF_INJ
$INJ_CASES
EOF_INJ
	done
	(cd "$OUTI" && timeout 60 "$M" chart pareto --from "$OUTI/s \`touch PWNED\`.csv" -o "$OUTI/p.png") > /dev/null 2> "$OUTI/err"
	inj_check "chart pareto (sweep fields and file name)" $? "$OUTI/p.svg" "$OUTI/p.gp"
	mkdir -p "$OUTI/c \`touch PWNED\`"
	(cd "$OUTI" && timeout 120 "$M" report --model "$OUTI/model-a.json" --hw "$OUTI/hw-a.json" --dp 32 --ep 32 --batch 64 \
		--charts-dir "$OUTI/c \`touch PWNED\`" -o "$OUTI/r.html") > /dev/null 2> "$OUTI/err"
	inj_check "report (display names, charts directory)" $? "$OUTI/r.html" "$OUTI/c \`touch PWNED\`/memory.gp"
else
	skipped "charts: backquoted card text and file names are drawn, not run" "no gnuplot"
fi

# ---- -o over what is not a regular file -----------------------------------
"$M" kv --model deepseek-v3 > "$OUTD/kv.want" 2> /dev/null
mkfifo "$OUTD/fifo"
timeout 10 cat "$OUTD/fifo" > "$OUTD/fifo.got" &
reader=$!
timeout 10 "$M" kv --model deepseek-v3 -o "$OUTD/fifo" 2> "$OUTD/err"
rc=$?
wait $reader
if [ $rc -eq 0 ] && [ -p "$OUTD/fifo" ] && cmp -s "$OUTD/kv.want" "$OUTD/fifo.got"; then
	ok "-o FIFO: written into the FIFO, which stays a FIFO"
else
	notok "-o FIFO: written into the FIFO, which stays a FIFO (exit $rc)" "$(cat "$OUTD/err"; ls -l "$OUTD/fifo")"
fi
rm -f "$OUTD/fifo"

echo old > "$OUTD/target.txt"
ln -s target.txt "$OUTD/link.txt"
timeout 10 "$M" kv --model deepseek-v3 -o "$OUTD/link.txt" 2> "$OUTD/err"
rc=$?
if [ $rc -eq 0 ] && [ -L "$OUTD/link.txt" ] && cmp -s "$OUTD/kv.want" "$OUTD/target.txt"; then
	ok "-o symbolic link: its target is written, the link stays"
else
	notok "-o symbolic link: its target is written, the link stays (exit $rc)" "$(cat "$OUTD/err"; ls -l "$OUTD")"
fi
# a chart's image through a link, into a 0600 file: written there, the link and mode kept
if command -v gnuplot >/dev/null 2>&1; then
	mkdir -p "$OUTD/real"
	echo old > "$OUTD/real/kv.png"
	chmod 600 "$OUTD/real/kv.png"
	ln -s real/kv.png "$OUTD/kv.png"
	timeout 60 "$M" chart kv --model deepseek-v3 -o "$OUTD/kv.png" 2> "$OUTD/err"
	rc=$?
	mode=$(stat -c %a "$OUTD/real/kv.png")
	if [ $rc -eq 0 ] && [ -L "$OUTD/kv.png" ] && [ "$mode" = 600 ] &&
	   head -c 8 "$OUTD/real/kv.png" | od -An -c | grep -q 'P   N   G'; then
		ok "chart -o link to a 0600 image: the image drawn there, the link and the mode kept"
	else
		notok "chart -o link to a 0600 image: the image drawn there, the link and the mode kept (exit $rc, mode $mode)" \
			"$(cat "$OUTD/err"; ls -l "$OUTD" "$OUTD/real")"
	fi
else
	skipped "chart -o link to a 0600 image: the image drawn there, the link and the mode kept" "no gnuplot"
fi
ln -s no-such-file "$OUTD/dangling"
timeout 10 "$M" kv --model deepseek-v3 -o "$OUTD/dangling" > /dev/null 2> "$OUTD/err"
rc=$?
if [ $rc -eq 2 ] && [ -L "$OUTD/dangling" ] && grep -q "symbolic link to a file that does not exist" "$OUTD/err"; then
	ok "-o dangling symbolic link: refused (exit 2), the link left alone"
else
	notok "-o dangling symbolic link: refused (exit 2), the link left alone (exit $rc)" "$(cat "$OUTD/err")"
fi

# a character device of our own (as root), then the real /dev/null, which must stay one
if mknod "$OUTD/null" c 1 3 2> /dev/null; then
	timeout 10 "$M" kv --model deepseek-v3 -o "$OUTD/null" 2> "$OUTD/err"
	rc=$?
	if [ $rc -eq 0 ] && [ -c "$OUTD/null" ]; then
		ok "-o character device: written in place, still a device"
	else
		notok "-o character device: written in place, still a device (exit $rc)" "$(cat "$OUTD/err"; ls -l "$OUTD/null")"
	fi
else
	skipped "-o character device: written in place, still a device" "mknod needs root"
fi
timeout 10 "$M" kv --model deepseek-v3 -o /dev/null 2> "$OUTD/err"
rc=$?
if [ $rc -eq 0 ] && [ -c /dev/null ]; then
	ok "-o /dev/null: exit 0 and /dev/null is still a character device"
else
	notok "-o /dev/null: exit 0 and /dev/null is still a character device (exit $rc)" "$(cat "$OUTD/err")"
fi
timeout 10 "$M" chart memory --model deepseek-v3 --hw h800 -o /dev/null > /dev/null 2> "$OUTD/err"
rc=$?
made=$(ls /dev/null.png /dev/null.svg /dev/null.dat /dev/null.gp /dev/null.gp.tmp.* /dev/null.dat.tmp.* 2> /dev/null)
if [ $rc -eq 2 ] && [ -z "$made" ] && [ -c /dev/null ] && grep -q "'-o /dev/null' is not a regular file" "$OUTD/err"; then
	ok "chart -o /dev/null: refused (exit 2), no /dev/null.png or .dat made"
else
	notok "chart -o /dev/null: refused (exit 2), no /dev/null.png or .dat made (exit $rc)" "$(cat "$OUTD/err"; echo "$made")"
	rm -f $made
fi

# ---- -o keeps the mode of the file it replaces -----------------------------
echo secret > "$OUTD/secret.txt"
chmod 600 "$OUTD/secret.txt"
timeout 10 "$M" kv --model deepseek-v3 -o "$OUTD/secret.txt" 2> "$OUTD/err"
rc=$?
mode=$(stat -c %a "$OUTD/secret.txt")
if [ $rc -eq 0 ] && [ "$mode" = 600 ] && cmp -s "$OUTD/kv.want" "$OUTD/secret.txt"; then
	ok "-o over a 0600 file: replaced, still 0600"
else
	notok "-o over a 0600 file: replaced, still 0600 (exit $rc, mode $mode)" "$(cat "$OUTD/err")"
fi
(umask 027 && timeout 10 "$M" kv --model deepseek-v3 -o "$OUTD/new.txt" 2> "$OUTD/err")
mode=$(stat -c %a "$OUTD/new.txt" 2> /dev/null)
if [ "$mode" = 640 ]; then
	ok "-o a new file: 0666 less the umask (027: 0640)"
else
	notok "-o a new file: 0666 less the umask (027: 0640), got '$mode'" "$(cat "$OUTD/err")"
fi

# ---- -o naming an input, under any name -----------------------------------
cp models/deepseek-v3.json "$OUTD/in.json"
cp "$OUTD/in.json" "$OUTD/in.orig"
ln "$OUTD/in.json" "$OUTD/hard.json"
ln -s in.json "$OUTD/soft.json"
cp tests/fixtures/probes-synthetic-h100.json "$OUTD/probes.json"
cp "$OUTD/probes.json" "$OUTD/probes.orig"
printf '1000 200\n' > "$OUTD/work.txt"
cp "$OUTD/work.txt" "$OUTD/work.orig"
cp hw/h800-sxm.json "$OUTD/hw.json"
cp "$OUTD/hw.json" "$OUTD/hw.orig"
cp "$OUTI/s \`touch PWNED\`.csv" "$OUTD/sweep.dat"
cp "$OUTD/sweep.dat" "$OUTD/sweep.orig"
# label|input it must leave alone|expected option|arguments (run in $OUTD)
SAME_CASES="kv ./in.json|in|--model|kv --model in.json -o ./in.json
kv hard link|in|--model|kv --model in.json -o hard.json
kv symbolic link|in|--model|kv --model soft.json -o in.json
plan --hw|hw|--hw|plan --model deepseek-v3 --hw hw.json --dp 8 --ep 8 -o $OUTD/hw.json
plan --workload|work|--workload|plan --model deepseek-v3 --hw h800 --rate 1 --workload work.txt -o work.txt
probe --from|probes|--from|probe --from probes.json --hw h100 -o ./probes.json
chart pareto --from|sweep|--from|chart pareto --from sweep.dat -o sweep.png"
while IFS='|' read -r label f opt args; do
	# shellcheck disable=SC2086
	(cd "$OUTD" && timeout 10 "$M" $args) > /dev/null 2> "$OUTD/err"
	rc=$?
	ext=json
	case $f in work) ext=txt ;; sweep) ext=dat ;; esac
	if [ $rc -eq 2 ] && cmp -s "$OUTD/$f.$ext" "$OUTD/$f.orig" && grep -q "'-o .*' would overwrite the '$opt' input" "$OUTD/err"; then
		ok "-o naming the input ($label): refused (exit 2), the input unchanged"
	else
		notok "-o naming the input ($label): refused (exit 2), the input unchanged (exit $rc)" "$(cat "$OUTD/err")"
		cp "$OUTD/$f.orig" "$OUTD/$f.$ext"
	fi
done <<EOF_SAME
$SAME_CASES
EOF_SAME

# ---- inputs that never end -------------------------------------------------
mkfifo "$OUTD/in.fifo"
# label|expected message|arguments
HANG_CASES="--workload FIFO|is a FIFO|plan --model deepseek-v3 --hw h800 --dp 8 --ep 8 --workload $OUTD/in.fifo
--workload /dev/zero|is a character device|plan --model deepseek-v3 --hw h800 --dp 8 --ep 8 --workload /dev/zero
chart pareto --from FIFO|is a FIFO|chart pareto --from $OUTD/in.fifo -o $OUTD/hang.png
chart pareto --from /dev/zero|is a character device|chart pareto --from /dev/zero -o $OUTD/hang.png
probe --from FIFO|is a FIFO|probe --from $OUTD/in.fifo
probe --from /dev/zero|is a character device|probe --from /dev/zero
--hw FIFO|regular file|plan --model deepseek-v3 --hw $OUTD/in.fifo"
while IFS='|' read -r label msg args; do
	# shellcheck disable=SC2086
	timeout 10 "$M" $args > /dev/null 2> "$OUTD/err"
	rc=$?
	if [ $rc -eq 3 ] && grep -q "$msg" "$OUTD/err"; then
		ok "$label: refused at once (exit 3, '$msg')"
	else
		notok "$label: refused at once (exit 3, '$msg'), got exit $rc" "$(head -3 "$OUTD/err")"
	fi
done <<EOF_HANG
$HANG_CASES
EOF_HANG
rm -f "$OUTD/in.fifo"

# ---- a stuck gnuplot, and one running when mlasim is told to stop ----------
# The fake creates its temporary PNG (named in the -e argument), records its
# pid, then hangs as sleep.
cat > "$OUTD/stuckplot" <<'EOF'
#!/bin/sh
png=$(printf '%s\n' "$2" | sed -n "s/^png=.\([^'\"]*\).*/\1/p")
touch "$png"
echo $$ > "$STUCK_PIDFILE"
exec sleep 30
EOF
chmod +x "$OUTD/stuckplot"
mkdir -p "$OUTD/stuck"
export STUCK_PIDFILE="$OUTD/stuck.pid"
rm -f "$STUCK_PIDFILE"
MLASIM_GNUPLOT="$OUTD/stuckplot" MLASIM_GNUPLOT_TIMEOUT=1 timeout 20 "$M" chart kv --model deepseek-v3 \
	-o "$OUTD/stuck/kv.png" > /dev/null 2> "$OUTD/err"
rc=$?
pid=$(cat "$STUCK_PIDFILE" 2> /dev/null)
left=$(ls "$OUTD/stuck" | grep '\.tmp\.')
if [ $rc -eq 4 ] && grep -q "gnuplot did not finish .* within 1 s: killed it" "$OUTD/err" && [ -z "$left" ] &&
   [ -n "$pid" ] && ! kill -0 "$pid" 2> /dev/null; then
	ok "a stuck gnuplot: killed after MLASIM_GNUPLOT_TIMEOUT (exit 4), no temporary image left"
else
	notok "a stuck gnuplot: killed after MLASIM_GNUPLOT_TIMEOUT (exit 4), no temporary image left (exit $rc)" \
		"$(cat "$OUTD/err"; echo "left: $left")"
fi
[ -n "$pid" ] && kill "$pid" 2> /dev/null

# Wait (up to 10 s) until the fake gnuplot has started and written its pid.
out_wait_stuck() {
	i=0
	while [ ! -s "$STUCK_PIDFILE" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.2
}

rm -f "$STUCK_PIDFILE"
# (in a subshell that waits for it, so that the shell says nothing of a signal)
(MLASIM_GNUPLOT="$OUTD/stuckplot" "$M" chart kv --model deepseek-v3 -o "$OUTD/stuck/term.png" \
	> /dev/null 2> "$OUTD/err" & echo $! > "$OUTD/mlasim.pid"; wait) &
job=$!
out_wait_stuck
kill -TERM "$(cat "$OUTD/mlasim.pid")" 2> /dev/null
wait $job
pid=$(cat "$STUCK_PIDFILE" 2> /dev/null)
sleep 0.2
left=$(ls "$OUTD/stuck" | grep '\.tmp\.')
if [ -n "$pid" ] && [ -z "$left" ] && ! kill -0 "$pid" 2> /dev/null; then
	ok "SIGTERM while gnuplot runs: gnuplot killed, its temporary images removed"
else
	notok "SIGTERM while gnuplot runs: gnuplot killed, its temporary images removed" \
		"pid '$pid' alive: $(kill -0 "$pid" 2>&1 && echo yes); left: $left"
fi
[ -n "$pid" ] && kill "$pid" 2> /dev/null

# a report draws six charts: one timeout, not six
MLASIM_GNUPLOT="$OUTD/stuckplot" MLASIM_GNUPLOT_TIMEOUT=1 timeout 5 "$M" report --model deepseek-v3 --hw h800 \
	--dp 32 --ep 32 --batch 64 -o "$OUTD/stuck/r.html" > /dev/null 2> "$OUTD/err"
rc=$?
pid=$(cat "$STUCK_PIDFILE" 2> /dev/null)
if [ $rc -eq 4 ] && [ -s "$OUTD/stuck/r.html" ] && grep -q "gnuplot did not finish .*: wrote '.*r.html' without charts$" "$OUTD/err"; then
	ok "report with a stuck gnuplot: one timeout for all its charts, the report written (exit 4)"
else
	notok "report with a stuck gnuplot: one timeout for all its charts, the report written (exit 4), got exit $rc" \
		"$(cat "$OUTD/err")"
fi
[ -n "$pid" ] && kill "$pid" 2> /dev/null

# SIGTERM while a report draws into its own scratch directory: the chart's
# files and the directory go too (a TMPDIR of our own shows what is left)
rm -f "$STUCK_PIDFILE"
mkdir -p "$OUTD/rtmp"
(TMPDIR="$OUTD/rtmp" MLASIM_GNUPLOT="$OUTD/stuckplot" "$M" report --model deepseek-v3 --hw h800 \
	--dp 32 --ep 32 --batch 64 -o "$OUTD/stuck/rt.html" > /dev/null 2> "$OUTD/err" &
	echo $! > "$OUTD/mlasim.pid"; wait) &
job=$!
out_wait_stuck
during=$(ls -A "$OUTD/rtmp")
kill -TERM "$(cat "$OUTD/mlasim.pid")" 2> /dev/null
wait $job
pid=$(cat "$STUCK_PIDFILE" 2> /dev/null)
left=$(ls -A "$OUTD/rtmp")
if [ -n "$during" ] && [ -z "$left" ] && [ ! -e "$OUTD/stuck/rt.html" ]; then
	ok "SIGTERM during report: its scratch directory and chart files removed"
else
	notok "SIGTERM during report: its scratch directory and chart files removed" \
		"during: '$during'; left: $(ls -AR "$OUTD/rtmp")"
fi
[ -n "$pid" ] && kill "$pid" 2> /dev/null
unset STUCK_PIDFILE

MLASIM_GNUPLOT="$OUTD/stuckplot" MLASIM_GNUPLOT_TIMEOUT=soon timeout 20 "$M" chart kv --model deepseek-v3 \
	-o "$OUTD/stuck/bad.png" > /dev/null 2> "$OUTD/err"
rc=$?
if [ $rc -eq 4 ] && grep -q "'MLASIM_GNUPLOT_TIMEOUT' must be seconds from 0.1 to 86400, got 'soon'" "$OUTD/err"; then
	ok "MLASIM_GNUPLOT_TIMEOUT=soon: exit 4 naming it, not silently the default"
else
	notok "MLASIM_GNUPLOT_TIMEOUT=soon: exit 4 naming it, not silently the default (exit $rc)" "$(cat "$OUTD/err")"
fi

# ---- probe writes no card that mlasim's own loader refuses ------------------
# every kernel timed at 50 s: the fit's latency t0_s is 50 s, over the 1 s the loader takes
sed 's/"median_s":	[0-9.e+-]*/"median_s":	50/' tests/fixtures/probes-synthetic-h100.json > "$OUTD/slow.json"
timeout 10 "$M" probe --from "$OUTD/slow.json" --hw h100 -o "$OUTD/slow-card.json" > /dev/null 2> "$OUTD/err"
rc=$?
if [ $rc -eq 3 ] && [ ! -e "$OUTD/slow-card.json" ] &&
   grep -q "the calibrated card would not load, so nothing was written: 'calibration.calib.gemm.bf16.fit.t0_s' is absurdly large" "$OUTD/err"; then
	ok "probe --from: a card its own loader refuses is not written (exit 3)"
else
	notok "probe --from: a card its own loader refuses is not written (exit 3), got exit $rc" "$(cat "$OUTD/err")"
fi
timeout 10 "$M" probe --from tests/fixtures/probes-synthetic-h100.json --hw h100 -o "$OUTD/cal.json" > /dev/null 2> "$OUTD/err" &&
	timeout 10 "$M" plan --model llama-3.1-8b --hw "$OUTD/cal.json" > /dev/null 2>> "$OUTD/err"
rc=$?
if [ $rc -eq 0 ]; then
	ok "probe --from --hw: the card it writes loads with --hw"
else
	notok "probe --from --hw: the card it writes loads with --hw (exit $rc)" "$(cat "$OUTD/err")"
fi
