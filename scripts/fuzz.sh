#!/usr/bin/env bash
# Runs every native Go fuzz target in the module for a bounded time each.
# Usage: scripts/fuzz.sh [FUZZTIME]   (default 20s per target)
#
# Go 1.26's fuzz coordinator can fail a target with a bare "context
# deadline exceeded" when -fuzztime ends while a worker is mid-input, and
# writes no crasher (golang/go#75804, fixed in Go 1.27). Such a run is
# retried once; a target fails when it writes a crasher, fails for any
# other reason, or hits that race twice in a row.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-20s}
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# crashers DIR: the number of files under DIR (0 when it does not exist).
crashers() {
  if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi
}

while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
  pkg=./$(dirname "$file")
  corpus=$pkg/testdata/fuzz/$name
  for attempt in 1 2; do
    echo "== $pkg $name ($t)"
    before=$(crashers "$corpus")
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" "$pkg" 2>&1 | tee "$out"; test "${PIPESTATUS[0]}" -eq 0; then
      break
    fi
    if [ "$(crashers "$corpus")" -eq "$before" ] && grep -q '^    context deadline exceeded$' "$out" && [ "$attempt" -eq 1 ]; then
      echo "RETRY: $pkg $name stopped with the fuzz coordinator's deadline race and no crasher (golang/go#75804)"
      continue
    fi
    echo "FAIL: $pkg $name (a crasher, if any, is saved under $corpus)"
    fail=1
    break
  done
done < <(grep -rEn --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | sort)
exit $fail
