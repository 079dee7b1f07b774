validate --serving tests/fixtures/silicon-small.csv
