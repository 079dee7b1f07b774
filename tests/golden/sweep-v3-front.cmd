sweep --model v3 --hw h800,h200 --dp 8..64:x2 --ep 8..64:x2 --batch 1..256:x4 --micro-batches 1,2 --mtp 0,1
