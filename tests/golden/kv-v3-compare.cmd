kv --model deepseek-v3 --compare
