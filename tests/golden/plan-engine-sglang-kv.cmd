plan --model deepseek-v3 --hw h200 --engine sglang --tp 8 --ep 8 --batch 256 --isl 8192 --osl 1024 --context 8704 --format json
