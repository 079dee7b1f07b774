# tests/props/layers.sh - sourced by tests/run.sh: the folders are the layers
# (docs/design.md s2).  The engine (sim/) includes no header of the
# calibration (sim/calib/) or of the commands (sim/cli/); the calibration and
# the writers (reports/) include none of the commands'; and no file of the
# engine or the calibration writes to the terminal or exits (docs/design.md
# s8: the engine returns an error, the command-line layer prints it).  Uses
# ok/notok from run.sh.

# the headers of folder $1, as an extended regular expression of #include
# lines: by name alone (the Makefile's -I) or by a path ending in it
# ("calib/silicon.h", "../cli/cli.h"), with any spacing around '#include'
layers_headers() {
	printf '#[[:space:]]*include[[:space:]]*"([^"]*/)?(%s)"' \
		"$(cd "$1" && ls *.h | sed 's/\./\\./g' | tr '\n' '|' | sed 's/|$//')"
}

calib_h=$(layers_headers sim/calib)
cli_h=$(layers_headers sim/cli)
bad=$(grep -nE "$calib_h|$cli_h" sim/*.c sim/*.h; grep -nE "$cli_h" sim/calib/*.c sim/calib/*.h reports/*.c reports/*.h)
if [ -z "$bad" ]; then
	ok "layers: sim/ includes nothing of sim/calib/ or sim/cli/; sim/calib/ and reports/ nothing of sim/cli/"
else
	notok "layers: sim/ includes nothing of sim/calib/ or sim/cli/; sim/calib/ and reports/ nothing of sim/cli/" \
		"$(echo "$bad" | head -3 | tr '\n' ' ')"
fi

# calls that print to the terminal or end the process, outside comments
# (a line whose first non-blank is '*' or '/' is a comment line)
bad=$(grep -nE '\b(printf|puts|putchar|exit|abort|perror)\(|\b(stdout|stderr)\b' sim/*.c sim/calib/*.c \
	| grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/)')
if [ -z "$bad" ]; then
	ok "layers: no file of sim/ or sim/calib/ prints to the terminal or exits"
else
	notok "layers: no file of sim/ or sim/calib/ prints to the terminal or exits" \
		"$(echo "$bad" | head -3 | tr '\n' ' ')"
fi
