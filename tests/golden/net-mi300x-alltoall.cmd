net --hw mi300x --collective alltoall --bytes 256MiB --gpus 8
