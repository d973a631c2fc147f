#!/usr/bin/env bash
# Runs every native Go fuzz target in the module for a bounded time each.
# Usage: scripts/fuzz.sh [FUZZTIME]   (default 20s per target)
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-20s}
fail=0
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
  pkg=./$(dirname "$file")
  echo "== $pkg $name ($t)"
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" "$pkg"; then
    echo "FAIL: $pkg $name (a crasher is saved under $pkg/testdata/fuzz/$name)"
    fail=1
  fi
done < <(grep -rEn --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | sort)
exit $fail
