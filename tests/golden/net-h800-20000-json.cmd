net --hw h800 --gpus 20000 --format json
