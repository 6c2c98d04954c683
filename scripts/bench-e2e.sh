#!/usr/bin/env bash
# End-to-end timing of one whole `palisade scan <tarball> --format json`
# process on a typical package, as a user or an install hook runs it.
# Target: a median under 20 ms. See BENCHMARKS.md.
#
#   scripts/bench-e2e.sh [TARBALL]
#
# Without TARBALL, takes the median-sized tarball of the benign cache
# (~/.cache/palisade-corpus/npm-benign-popular), a typical package well under
# 1 MB unpacked. Uses hyperfine when installed, a plain loop otherwise.
#   PALISADE_BIN  the binary (default target/release/palisade, built if missing)
#   RUNS          timed runs (default 50)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${PALISADE_BIN:-$ROOT/target/release/palisade}"
RUNS="${RUNS:-50}"
CACHE="${HOME}/.cache/palisade-corpus/npm-benign-popular"

if [ ! -x "$BIN" ]; then
  (cd "$ROOT" && cargo build --release -p palisade_cli >&2)
fi

TARBALL="${1:-}"
if [ -z "$TARBALL" ]; then
  if [ ! -d "$CACHE" ]; then
    echo "error: no TARBALL given and no benign cache at \`$CACHE\` (see shared/corpus/fetch-benign.sh)" >&2
    exit 2
  fi
  mapfile -t sorted < <(find "$CACHE" -maxdepth 1 -name '*.tgz' -printf '%s %p\n' | sort -n | cut -d' ' -f2-)
  if [ "${#sorted[@]}" -eq 0 ]; then
    echo "error: no tarball in \`$CACHE\`" >&2
    exit 2
  fi
  TARBALL="${sorted[$(( ${#sorted[@]} / 2 ))]}"
fi

# The command must work before it is worth timing.
set +e
out="$("$BIN" scan "$TARBALL" --format json 2>/tmp/palisade-bench-e2e.err)"
code=$?
set -e
if [ "$code" -gt 1 ] || ! printf '%s' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; then
  echo "error: \`$BIN scan $TARBALL --format json\` exited $code without a JSON report; nothing to time" >&2
  head -5 /tmp/palisade-bench-e2e.err >&2 || true
  exit 2
fi

size=$(stat -c %s "$TARBALL")
echo "package: \`$(basename "$TARBALL")\` ($size bytes compressed), $RUNS runs" >&2

if command -v hyperfine >/dev/null 2>&1; then
  json="$(mktemp)"
  # Exit code 1 means findings, not a failure: hyperfine must not stop on it.
  hyperfine --warmup 5 --runs "$RUNS" -N --ignore-failure --export-json "$json" \
    "$BIN scan $TARBALL --format json" >&2
  median_ms=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["median"]*1000))' "$json")
  rm -f "$json"
else
  times=()
  for _ in $(seq 5); do "$BIN" scan "$TARBALL" --format json >/dev/null 2>&1 || true; done
  for _ in $(seq "$RUNS"); do
    start=$(date +%s%N)
    "$BIN" scan "$TARBALL" --format json >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  median_ms=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.2f", m/1000}')
fi

echo "median: ${median_ms} ms (target < 20 ms)"
