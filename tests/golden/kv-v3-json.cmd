kv --model v3.json --format json
