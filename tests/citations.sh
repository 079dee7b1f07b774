#!/bin/sh
# tests/citations.sh [ROOT [MLASIM]] - check that every citation in the tree
# at ROOT (default .) resolves inside it or names a public source, in the
# forms of docs/README.md s1.  With MLASIM, 'MLASIM help --all' is checked too.
# Prints 'FILE:LINE: problem' for each bad citation and exits 1 if there is
# one, 0 if there is none, 2 if it cannot run.
#
# What fails:
#   - a path ending in .md that is neither a file of the tree (from its root,
#     or next to the citing file) nor qualified by a public source: a URL,
#     owner/repo[@commit]:path, or 'owner/repo[@commit] path';
#   - a section 'sN[.M...]' after the path of a document of docs/ (several
#     joined by ',' or 'and') that has no heading beginning with that number;
#   - in cards (*.json), documents (*.md) and help, a bracketed source key,
#     lowercase words joined by '-' or 'AIC', alone or in a comma list, that
#     docs/sources.md does not define as a line '- [key] ...';
#   - 'issue N': an issue of a tracker the repository does not hold
#     (a public one is cited as owner/repo#N).
# Lines holding 'cite:ignore' are skipped (docs/README.md shows bad forms).
# Files read: every tracked or untracked-but-not-ignored text file (every
# file outside .git and build* without git), except the fuzz inputs
# tests/fuzz/corpus/ and tests/fuzz/regress/.
set -u
ROOT=${1:-.}
MLASIM=${2:-}
cd "$ROOT" || exit 2
W=$(mktemp -d "${TMPDIR:-/tmp}/mlasim-cite.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT INT TERM

if [ -e .git ] && git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	git ls-files --cached --others --exclude-standard > "$W/all" || exit 2
else
	find . -type f ! -path './.git/*' ! -path './build*' | sed 's|^\./||' > "$W/all"
fi
sort -u "$W/all" -o "$W/all"
grep -v -e '^tests/fuzz/corpus/' -e '^tests/fuzz/regress/' "$W/all" |
	while IFS= read -r f; do
		[ -f "$f" ] && grep -Iq . "$f" 2> /dev/null && printf '%s\n' "$f"
	done > "$W/text"

if [ -n "$MLASIM" ]; then
	mkdir -p "$W/help"
	if ! "$MLASIM" help --all > "$W/help/mlasim help --all" 2> "$W/help.err"; then
		echo "citations: '$MLASIM help --all' failed: $(head -1 "$W/help.err")"
		exit 2
	fi
	printf '%s\n' "$W/help/mlasim help --all" >> "$W/text"
fi

awk -v TEXT="$W/text" -v SOURCES="docs/sources.md" -v HELPDIR="$W/help/" '
# a/./b, a/x/../b -> a/b
function norm(p,    n, i, k, part, out) {
	n = split(p, part, "/"); k = 0
	for (i = 1; i <= n; i++) {
		if (part[i] == "" || part[i] == ".") continue
		if (part[i] == ".." && k > 0) { k--; continue }
		out[++k] = part[i]
	}
	p = ""
	for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") out[i]
	return p
}
function problem(msg) {
	printf "%s:%d: %s\n", name, lno, msg
	bad++
}
# the numbered headings of a document: "N" for "## N. Title", "N.M" for "### N.M Title"
function load_sections(doc,    line, h, rest) {
	if (doc in loaded) return
	loaded[doc] = 1
	# "./" + path: a handle of its own, not the one the main loop may be reading
	while ((getline line < ("./" doc)) > 0) {
		if (line !~ /^#+ [0-9]/) continue
		sub(/^#+ /, "", line)
		if (!match(line, /^[0-9]+(\.[0-9]+)*/)) continue
		h = substr(line, 1, RLENGTH)
		rest = substr(line, RLENGTH + 1)
		if (rest ~ /^\.?( |$)/) sect[doc SUBSEP h] = 1
	}
	close("./" doc)
}
function load_keys(    line) {
	while ((getline line < ("./" SOURCES)) > 0)
		if (match(line, /^- \[[^]]+\]/)) keys[substr(line, 4, RLENGTH - 4)] = 1
	close("./" SOURCES)
}
# a public repository named before a path: owner/repo or owner/repo@commit
function is_repo(w) {
	return w ~ /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(@[0-9a-fA-F]+)?$/ && w !~ /\.md$/
}
# the sections cited right after a docs/ document ("s3.2", ", s4", " and s5")
function check_sections(doc, after,    s) {
	while (match(after, /^(,|,? and)? s[0-9]+(\.[0-9]+)*/)) {
		s = substr(after, 1, RLENGTH)
		after = substr(after, RLENGTH + 1)
		sub(/^.* s/, "", s)
		load_sections(doc)
		if (!((doc SUBSEP s) in sect))
			problem("cites " doc " s" s ", which has no section " s)
	}
}
function check_md(tok, before, after,    prev, p, q) {
	if (tok ~ /:\/\//) return                                              # a URL
	if (tok ~ /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(@[0-9a-fA-F]+)?:/) return   # owner/repo[@c]:path
	if (substr(tok, 1, 1) == "/") return                 # an absolute path (install), not a citation
	if (before ~ /[$}]$/) return                          # "$T/x.md", "${D}/x.md": built by a script
	if (before ~ /[ \t]$/) {                             # owner/repo[@c] path
		prev = before
		sub(/[ \t]+$/, "", prev)
		sub(/^.*[ \t(`"]/, "", prev)
		if (is_repo(prev)) return
	}
	p = norm(tok)
	q = norm(dir tok)
	if (!(p in files) && dir != "" && (q in files)) p = q
	if (!(p in files)) {
		problem("cites " tok ", which is not in the repository (docs/README.md s1)")
		return
	}
	if (p ~ /^docs\/[^\/]+\.md$/) check_sections(p, after)
}
function check_keys(line,    inner, n, i, item, k) {
	while (match(line, /\[[^][]+\]/)) {
		inner = substr(line, RSTART + 1, RLENGTH - 2)
		line = substr(line, RSTART + RLENGTH)
		n = split(inner, item, ",")
		for (i = 1; i <= n; i++) {
			k = item[i]
			sub(/^[ \t]+/, "", k)
			sub(/[ \t].*$/, "", k)
			if (k != "AIC" && k !~ /^[a-z][a-z0-9]*(-[a-z0-9.]*[a-z][a-z0-9.]*)+$/) continue
			if (!(k in keys)) problem("source key [" k "] is not defined in docs/sources.md")
		}
	}
}
function check_line(line,    rest, off, tok, end) {
	if (index(line, "cite:ignore")) return
	if (match(line, /[Ii]ssues? #?[0-9]/))
		problem("cites an issue of a tracker the repository does not hold: \"" substr(line, RSTART, RLENGTH + 2) "\" (public ones: owner/repo#N)")
	rest = line
	off = 0
	while (match(rest, /[A-Za-z0-9_.\/@:~+-]*[A-Za-z0-9_-]\.md/)) {
		end = RSTART + RLENGTH          # first character after ".md"
		if (substr(rest, end, 1) ~ /[A-Za-z0-9_]/) {    # ".mdx", "x.mdl": not a .md file
			off += end - 1; rest = substr(rest, end); continue
		}
		tok = substr(rest, RSTART, RLENGTH)
		sub(/^[:@~+-]+/, "", tok)
		check_md(tok, substr(line, 1, off + RSTART - 1), substr(rest, end))
		off += end - 1
		rest = substr(rest, end)
	}
	if (keyed) check_keys(line)
}
{ files[$0] = 1 }
END {
	load_keys()
	while ((getline name < TEXT) > 0) {
		file = name
		dir = ""
		if (index(name, HELPDIR) == 1) name = substr(name, length(HELPDIR) + 1)
		else if (name ~ /\//) { dir = name; sub(/[^\/]*$/, "", dir) }
		lno = 0
		keyed = (file != name || name ~ /\.(json|md)$/)     # cards, documents, help
		while ((getline text < file) > 0) { lno++; check_line(text) }
		close(file)
	}
	exit (bad > 0)
}
' "$W/all"
