kv --model deepseek-v2 --kv-dtype bits:6 --context 128Ki
