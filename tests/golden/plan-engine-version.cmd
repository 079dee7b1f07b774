plan --model llama-3.1-8b --hw h100-sxm --engine tests/fixtures/engine-versions.json@0.19.0 --batch 16 --isl 1024 --osl 512 --context 1280
