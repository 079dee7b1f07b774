plan --model v3.json --hw gb200.json --dp 72 --ep 72 --context 32k --format csv
