plan --model deepseek-v3 --hw h800 --tp 8
