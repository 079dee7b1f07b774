# tests/props/citations.sh - sourced by tests/run.sh: every citation in the
# repository and in 'mlasim help' resolves inside the repository or names a
# public source (the forms of docs/README.md s1, checked by
# tests/citations.sh), and the check finds bad citations of every kind.
# Uses ok/notok, $M and $T from run.sh.

CT="$T/citations"
mkdir -p "$CT"

# 1. The repository and the help text.
sh tests/citations.sh . "$M" > "$CT/repo" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$CT/repo" ]; then
	ok "citations: every citation in the repository and in 'mlasim help' resolves"
else
	notok "citations: every citation in the repository and in 'mlasim help' resolves (exit $rc, $(grep -c . "$CT/repo") problems)" \
		"$(cat "$CT/repo")"
fi

# 2. The check can fail.  A small tree with a good citation of every form and
# one bad citation of every kind; exactly the bad ones must be reported, with
# file and line.  (The bad strings are assembled from $MD and $ISS so that
# this file itself holds none.)
MD=md
ISS=issue
CP="$CT/tree"
rm -rf "$CP"
mkdir -p "$CP/docs" "$CP/hw" "$CP/sim"
printf '%s\n' '# sources' '- [good-key] a public source: https://example.org/a' > "$CP/docs/sources.md"
printf '%s\n' '# doc' '## 3. Networks' '### 3.2 A table' '## 7. More' > "$CP/docs/hardware.md"
printf '%s\n' 'the hardware cards' > "$CP/hw/README.md"
cat > "$CP/sim/x.c" <<EOF
/* good: docs/hardware.md s3.2, docs/hardware.md s3 and s3.2, docs/hardware.md s7,
 * hw/README.md, README.md next to it, owner/repo@abc123:doc/X.md, NVIDIA/nccl#1264,
 * https://example.org/y.md, NVIDIA/TensorRT-LLM docs/source/z.md */
/* bad: hardware.$MD s3.2 */
/* bad: docs/hardware.$MD s3.9 */
/* bad: see $ISS 8 */
/* bad: docs/hardware.$MD s1, s7 */
EOF
printf '%s\n' 'the sim folder' > "$CP/sim/README.md"
printf '%s\n' '{"sources": {"a": "[good-key] (P)", "b": "[good-key, bad-key] (S)"}}' > "$CP/hw/card.json"
printf '#!/bin/sh\necho "compare with the targets of %s 8"\n' "$ISS" > "$CT/fake-mlasim"
chmod +x "$CT/fake-mlasim"
sh tests/citations.sh "$CP" "$CT/fake-mlasim" > "$CT/plant" 2>&1
rc=$?
cut -d: -f1,2 "$CT/plant" | sort > "$CT/got"
printf '%s\n' 'hw/card.json:1' 'mlasim help --all:1' 'sim/x.c:4' 'sim/x.c:5' 'sim/x.c:6' 'sim/x.c:7' | sort > "$CT/want"
if [ $rc -eq 1 ] && cmp -s "$CT/got" "$CT/want" && grep -q 'bad-key' "$CT/plant" &&
   grep -q 's3.9' "$CT/plant" && grep -q 'docs/hardware.md s1,' "$CT/plant"; then
	ok "citations: the check reports planted bad citations (a .md not in the tree, a missing section, a source key, an issue number, help) and nothing else"
else
	notok "citations: the check reports planted bad citations and nothing else (exit $rc)" \
		"$(cat "$CT/plant"; echo '--- want'; cat "$CT/want")"
fi
