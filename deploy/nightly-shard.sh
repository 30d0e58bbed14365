#!/bin/sh
# One shard of the nightly fuzz: the command the GitHub workflow and the
# Kubernetes job both run, and that cmd/simrun's tests run too.
#
# It fuzzes its slice of the seed space for DURATION, saves each failure as
# a seed file in $OUT/corpus with an HTML report beside it, writes every
# seed's verdict to $OUT/fuzz.jsonl, and exits as simrun fuzz did: 0 clean,
# 1 a violation, 2 bad input.
#
#   SHARD, SHARDS  this shard and how many there are (required)
#   BASE           the night's seed base, the same for every shard (required)
#   DURATION       how long to fuzz (default 45m)
#   OUT            output directory (default .)
#   SIMRUN         the simrun binary (default: simrun on PATH)
#   WORKERS        parallel simulations (default: all cores)
#   SCENARIO, BUG  what to fuzz (default: every scenario, no planted bug)
set -u
: "${SHARD:?}" "${SHARDS:?}" "${BASE:?}"
DURATION=${DURATION:-45m}
OUT=${OUT:-.}
SIMRUN=${SIMRUN:-simrun}
SCENARIO=${SCENARIO:-all}
mkdir -p "$OUT/corpus"
set -- fuzz -scenario "$SCENARIO" -duration "$DURATION" -base "$BASE" \
  -shard "$SHARD/$SHARDS" -corpus "$OUT/corpus" -json
[ -n "${WORKERS:-}" ] && set -- "$@" -workers "$WORKERS"
[ -n "${BUG:-}" ] && set -- "$@" -bug "$BUG"
"$SIMRUN" "$@" > "$OUT/fuzz.jsonl"
status=$?
for f in "$OUT"/corpus/*.json; do
  [ -e "$f" ] || continue
  "$SIMRUN" replay "$f" -html "${f%.json}.html" > /dev/null || true
done
exit $status
