plan --model llama-3.1-70b --hw h100-sxm --tp 4 --weights fp8 --isl 2000 --osl 500 --engine vllm --arrival-rate 3
