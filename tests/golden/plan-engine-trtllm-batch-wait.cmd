plan --model llama-3.1-70b --hw h200-sxm --tp 1 --batch 4 --isl 922 --osl 922 --weights fp8 --kv-dtype fp8 --engine trtllm --batch-wait-iters 20 --batch-wait-ratio 0.9 --prefill-tokens 16384
