#!/bin/sh
# cover.sh: statement coverage of the monitor (node/ and node/kvstore/)
# under a fixed campaign, so a line the campaign never runs is visible (no
# checker can catch a bug in code no seed reaches).
#
# It builds simrun with coverage of ./node/..., runs every scenario over
# the same seeds (COVER_SEEDS per scenario from COVER_BASE), then three
# seeds of each planted bug (their code is node/'s too), and writes to
# COVER_DIR (default cover/):
#   node.html     the annotated source (go tool cover -html)
#   func.txt      coverage per function (go tool cover -func)
#   uncovered.txt the functions below 100%
#   uncovered-blocks.txt  every block never reached (COVERAGE.md explains them)
#   fuzz.jsonl    the campaign's JSON lines
# The seeds are fixed, so the figures do not depend on COVER_WORKERS.
set -eu
GO=${GO:-go}
SEEDS=${COVER_SEEDS:-40}
BASE=${COVER_BASE:-1}
WORKERS=${COVER_WORKERS:-2}
OUT=${COVER_DIR:-cover}
MOD=$($GO list -m)

rm -rf "$OUT"
mkdir -p "$OUT/data"
# The main package is instrumented too: with Go 1.26, a binary whose main
# package is outside -coverpkg writes no coverage data at all. Only node/
# and node/kvstore/ are reported.
$GO build -cover -coverpkg=./node/...,./cmd/simrun -o "$OUT/simrun-cover" ./cmd/simrun
echo "cover: fuzz -scenario all -seeds $SEEDS -base $BASE (coverage of node/...)"
status=0
GOCOVERDIR="$OUT/data" "$OUT/simrun-cover" fuzz -scenario all -seeds "$SEEDS" -base "$BASE" \
	-workers "$WORKERS" -corpus "$OUT/corpus" -json >"$OUT/fuzz.jsonl" || status=$?
if [ "$status" -ne 0 ]; then
	# The coverage is still good; the failure is worth more than it.
	echo "cover: the campaign found violations (exit $status): see $OUT/fuzz.jsonl" >&2
fi

# The planted bugs are node/ code too, run only when switched on: a few
# seeds of each in its own scenario (they fail, as they must).
for bug in $(GOCOVERDIR="$OUT/data" "$OUT/simrun-cover" list | awk '/^planted bugs/ { on = 1; next } on { print $1 }'); do
	GOCOVERDIR="$OUT/data" "$OUT/simrun-cover" fuzz -bug "$bug" -seeds 3 -base "$BASE" \
		-workers "$WORKERS" -corpus "$OUT/corpus-bugs" -json >>"$OUT/fuzz-bugs.jsonl" || true
done

# What a user runs on a saved failure: every regression seed replayed with
# its trace and HTML report (the event and message names are node/'s).
for seed in scenarios/testdata/regress/*.json; do
	GOCOVERDIR="$OUT/data" "$OUT/simrun-cover" replay "$seed" -trace "$OUT/replay.jsonl" \
		-html "$OUT/replay.html" >/dev/null 2>&1 || true
done
rm -f "$OUT/replay.jsonl" "$OUT/replay.html"

PKGS="$MOD/node,$MOD/node/kvstore"
$GO tool covdata textfmt -i="$OUT/data" -pkg="$PKGS" -o "$OUT/node.out"
$GO tool cover -html="$OUT/node.out" -o "$OUT/node.html"
$GO tool cover -func="$OUT/node.out" >"$OUT/func.txt"
awk '$1 != "total:" && $NF != "100.0%"' "$OUT/func.txt" >"$OUT/uncovered.txt"
# Every block no run reached, as file:first-last line (statements): the
# list COVERAGE.md explains.
awk -v mod="$MOD/" 'NR > 1 && $3 == 0 {
	sub(mod, "", $1); split($1, a, ":"); split(a[2], r, ","); split(r[1], from, "."); split(r[2], to, ".")
	printf "%s:%s-%s (%s)\n", a[1], from[1], to[1], $2
}' "$OUT/node.out" | sort -t: -k1,1 -k2,2n | uniq >"$OUT/uncovered-blocks.txt"

# Statement coverage per package: node/ alone, then node/kvstore/.
$GO tool covdata percent -i="$OUT/data" -pkg="$PKGS" |
	awk -v mod="$MOD/" '{ sub(mod, "", $1); printf "cover: %-14s %s of statements\n", $1 "/", $3 }'
echo "cover: node/... together $(awk '$1 == "total:" { print $NF }' "$OUT/func.txt") of statements"
echo "cover: $(wc -l <"$OUT/uncovered-blocks.txt" | tr -d ' ') blocks never reached in $OUT/uncovered-blocks.txt; report $OUT/node.html"
exit "$status"
