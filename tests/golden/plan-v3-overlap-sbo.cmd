plan --model deepseek-v3 --hw h800 --dp 16 --ep 16 --batch 64 --mtp 1 --overlap sbo
