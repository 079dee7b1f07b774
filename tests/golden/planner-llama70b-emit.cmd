plan --model llama-3.1-70b --hw h100,h200 --rate 5 --ttft 1 --tpot 0.03 --objective gpus --emit vllm
