plan --model v3 --hw h800 --dp 32 --ep 32 --batch 64 --micro-batches 2 --planes-down 1 --format csv
