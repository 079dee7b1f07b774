plan --model llama-3.1-8b --hw h100-sxm --engine vllm --batch 16 --isl 1024 --osl 512 --context 1280
