plan --model v3 --hw h800,h200 --workload examples/chat-lengths.txt --rate 10 --ttft 3 --tpot 0.05 --gpu-hour-usd 2.5 --format json
