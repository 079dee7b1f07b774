kv --model llama-3.1-405b --kv-dtype fp8 --context 128k,1Mi --kv-block 16 --format csv
