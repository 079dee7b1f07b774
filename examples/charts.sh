#!/bin/sh
# Every chart mlasim draws, and the HTML report, for DeepSeek-V3 served with
# expert parallelism: written into the current directory (each chart as .png
# and .svg with its .dat data and .gp script beside it; 'gnuplot NAME.gp'
# redraws it after you restyle the script).
#
#   sh examples/charts.sh [path/to/mlasim]
#
# Without gnuplot each chart exits 4 but still writes its .dat and .gp, and
# the report is written without charts; this script says so and goes on.
set -eu
M=${1:-${MLASIM:-mlasim}}
V3="--model deepseek-v3 --dp 32 --ep 32 --batch 64 --micro-batches 2"

# run a command that draws; exit 4 (no gnuplot) is reported, not fatal
draw() {
	if "$@"; then
		return 0
	else
		rc=$?
		[ $rc -eq 4 ] || exit $rc
		echo "  (exit 4: no image; the .dat and .gp are there)"
	fi
}

echo "memory per GPU, one bar per EP size (dp = ep):"
draw "$M" chart memory --model deepseek-v3 --hw h800 --dp 8,16,32,64 --ep 8,16,32,64 -o memory.png
echo "throughput and TPOT against batch on three cards, with the knee:"
draw "$M" chart throughput $V3 --hw h800,h200,gb200 -o throughput.png
echo "TPOT against the EP size: where the all-to-all takes over:"
draw "$M" chart tpot $V3 --hw h800 --over ep -o tpot-ep.png
echo "the ISCA 2025 speed limit as a curve: TPOT against the NIC bandwidth:"
draw "$M" chart tpot --model deepseek-v3 --hw h800 --dp 256 --ep 256 --batch 64 --micro-batches 2 \
	--shared-expert routed --max-nodes 0 --context 1 --ideal --set scale_up.domain_gpus=1 \
	--over nic -o tpot-nic.png
echo "the H800 roofline with each operator of the plan:"
draw "$M" chart roofline $V3 --hw h800 -o roofline.png
echo "power per GB200 NVL72 rack:"
draw "$M" chart power --model deepseek-v3 --hw gb200 --dp 72 --ep 72 --batch 64 -o power.png
echo "fabric size and cost per endpoint, FT2 / MPFT / FT3:"
draw "$M" chart topology --hw h800 -o topology.png

# A small sweep (batch x EP on two cards) written as 'mlasim sweep -o' writes
# it, from 'mlasim plan --format csv', then its Pareto front.
echo "the Pareto front of a small sweep:"
get() { echo "$1" | grep "^$2," | cut -d, -f2; }
{
	echo "model,hw,gpus,tp,dp,ep,pp,batch,micro_batches,context,mtp,weights,kv_dtype,fits,batch_fits,tpot_s,tokens_per_s_per_gpu,tokens_per_s_per_user,decode_bound,gpu_w,usd_per_mtok_output"
	for hw in h800 gb200; do
		for ep in 16 32 64; do
			for b in 1 4 16 64 256; do
				o=$("$M" plan --model deepseek-v3 --hw $hw --dp $ep --ep $ep --batch $b --format csv || true)
				echo "deepseek-v3,$hw,$ep,1,$ep,$ep,1,$b,1,4096,0,fp8-block,bf16,$(get "$o" memory.fits),$(get "$o" decode.batch_fits),$(get "$o" decode.tpot_s),$(get "$o" decode.tokens_per_s_per_gpu),$(get "$o" decode.tokens_per_s_per_user),$(get "$o" decode.bound),$(get "$o" power.gpu_w),$(get "$o" cost.usd_per_mtok_output)"
			done
		done
	done
} > sweep.csv
draw "$M" chart pareto --from sweep.csv -o pareto.png

echo "the report, one self-contained HTML file:"
draw "$M" report $V3 --hw h800 -o report.html
ls -1 ./*.png ./*.svg ./*.dat ./*.gp report.html 2>/dev/null | wc -l | awk '{ print "files written: " $1 }'
