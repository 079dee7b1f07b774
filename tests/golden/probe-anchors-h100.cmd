probe --from tests/fixtures/probes-synthetic-h100.json --hw h100 --anchors
