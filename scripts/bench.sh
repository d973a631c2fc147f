#!/usr/bin/env bash
# Corpus benchmark: the full offline pipeline (`automaldesc scan`) against a
# bare `yara` CLI pass with the same bundled rules over the same files.
# Usage: scripts/bench.sh BIN [DIR]
#   DIR defaults to the dev split of ../shared/corpora, unpacked to a temp dir.
set -euo pipefail
bin=${1:?usage: bench.sh BIN [DIR]}
dir=${2:-}
cd "$(dirname "$0")/.."
root=$PWD

if [ -z "$dir" ]; then
  tarball=""
  for cand in "$root/../shared/corpora/dev.tar.gz" "${AUTOMALDESC_CORPORA:-/nonexistent}/dev.tar.gz"; do
    [ -f "$cand" ] && tarball=$cand && break
  done
  if [ -z "$tarball" ]; then
    echo "bench: no directory given and ../shared/corpora/dev.tar.gz not found" >&2
    exit 2
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  tar xzf "$tarball" -C "$tmp"
  dir=$tmp/samples
fi

files=$(find "$dir" -type f | wc -l)
bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
cores=$(nproc)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -srm)"
echo "corpus:  $dir ($files files, $bytes bytes)"

# Warm the page cache so neither pass pays for the disk.
cat $(find "$dir" -type f) >/dev/null 2>&1 || true

now() { date +%s.%N; }

t0=$(now)
stats=$("$bin" scan --format jsonl --out /dev/null --stats "$dir" 2>&1 >/dev/null) || [ $? -le 1 ]
t1=$(now)
echo "automaldesc scan: $(echo "$stats" | head -n1)"
echo "                  $(echo "$stats" | sed -n 2p)"

rules=(rules/bundled/*.yar)
t2=$(now)
yara -r -w -p "$cores" "${rules[@]}" "$dir" >/dev/null 2>&1 || true
t3=$(now)

awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$files" -v by="$bytes" 'BEGIN {
  full = b - a; y = d - c;
  printf "full pipeline: %.3fs  %.0f files/s  %.2f MB/s\n", full, n/full, by/1e6/full;
  printf "yara CLI only: %.3fs  %.0f files/s  (%d rule files, -p %s)\n", y, n/y, '"${#rules[@]}"', '"$cores"';
  printf "ratio full/yara: %.2fx (budget: <= 3x)\n", full / y;
}'
