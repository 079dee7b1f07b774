validate --serving tests/fixtures/silicon-small.csv --rows --format json
