plan --model deepseek-v3 --hw b200 --engine sglang --tp 8 --ep 8 --batch 64 --isl 7373 --osl 922 --weights fp8 --kv-dtype fp8 --recv-interval 30
