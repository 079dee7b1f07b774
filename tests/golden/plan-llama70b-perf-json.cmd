plan --model llama-3.1-70b --hw h100 --tp 4 --batch 32 --context 8k --isl 2k --osl 512 --format json
