plan --model llama-3.1-70b --hw h100 --tp 4 --format json
