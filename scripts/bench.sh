#!/usr/bin/env bash
# Corpus benchmark: the full offline pipeline (`automaldesc scan`) against a
# bare `yara` CLI pass with the same bundled rules over the same files, then
# the per-language detection share on the labelled corpus.
# Usage: scripts/bench.sh BIN [DIR]
#   DIR defaults to the dev split of ../shared/corpora, unpacked to a temp
#   dir. The detection share needs a manifest.tsv in DIR or its parent.
# Wall times depend on the load of the machine; the CPU times (user+sys) do
# much less, so the script also prints files/s estimated for idle cores:
# files / CPU-seconds * cores.
set -euo pipefail
bin=${1:?usage: bench.sh BIN [DIR]}
dir=${2:-}
cd "$(dirname "$0")/.."
root=$PWD
GO=${GO:-go}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
manifest=""
if [ -z "$dir" ]; then
  tarball=""
  for cand in "$root/../shared/corpora/dev.tar.gz" "${AUTOMALDESC_CORPORA:-/nonexistent}/dev.tar.gz"; do
    [ -f "$cand" ] && tarball=$cand && break
  done
  if [ -z "$tarball" ]; then
    echo "bench: no directory given and ../shared/corpora/dev.tar.gz not found" >&2
    exit 2
  fi
  mkdir -p "$tmp/corpus"
  tar xzf "$tarball" -C "$tmp/corpus"
  dir=$tmp/corpus/samples
fi
for cand in "$dir/manifest.tsv" "$dir/../manifest.tsv"; do
  [ -f "$cand" ] && manifest=$cand && break
done

files=$(find "$dir" -type f ! -name manifest.tsv | wc -l)
bytes=$(find "$dir" -type f ! -name manifest.tsv -printf '%s\n' | awk '{s+=$1} END {print s+0}')
cores=$(nproc)
echo "machine: $cores cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -srm)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo "corpus:  $dir ($files files, $bytes bytes)"

# Warm the page cache so neither pass pays for the disk.
find "$dir" -type f -exec cat {} + >/dev/null 2>&1 || true

# timed ERRFILE CMD...: runs CMD (stdout discarded, stderr to ERRFILE) under
# bash's time keyword; leaves "wall user sys" in $tm and the status in $rc.
timed() {
  local TIMEFORMAT='%R %U %S' err=$1
  shift
  set +e
  { time "$@" >/dev/null 2>"$err" ; } 2>"$tmp/time"
  rc=$?
  set -e
  tm=$(tail -n1 "$tmp/time")
}

reports=$tmp/reports.jsonl
timed "$tmp/stats" "$bin" scan --format jsonl --out "$reports" --stats "$dir"
# Exit status 1 means "something malicious was found".
[ "$rc" -le 1 ] || { cat "$tmp/stats" >&2; exit "$rc"; }
full=$tm
echo "automaldesc scan: $(grep -m1 '^files=' "$tmp/stats")"
echo "                  $(grep -m1 '^stage_ms' "$tmp/stats")"

rules=(rules/bundled/*.yar)
timed "$tmp/yara.err" yara -r -w -p "$cores" "${rules[@]}" "$dir"
[ "$rc" -eq 0 ] || { echo "bench: yara failed:" >&2; cat "$tmp/yara.err" >&2; exit 1; }
yara=$tm

awk -v f="$full" -v y="$yara" -v n="$files" -v by="$bytes" -v cores="$cores" -v nr="${#rules[@]}" 'BEGIN {
  split(f, F, " "); split(y, Y, " ");
  fw = F[1]; fc = F[2] + F[3]; yw = Y[1]; yc = Y[2] + Y[3];
  printf "full pipeline: %.3fs wall  %.0f files/s  %.2f MB/s   cpu %.2fs -> %.0f files/s on %d idle cores (budget >= 1500)\n", fw, n/fw, by/1e6/fw, fc, n/fc*cores, cores;
  printf "yara CLI only: %.3fs wall  %.0f files/s  %.2f MB/s   cpu %.2fs (%d rule files, -p %d)\n", yw, n/yw, by/1e6/yw, yc, nr, cores;
  printf "ratio full/yara: %.2fx wall, %.2fx cpu (budget: <= 3x)\n", fw / yw, fc / yc;
}'
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at end"

if [ -n "$manifest" ]; then
  "$GO" run ./scripts/detectshare -manifest "$manifest" -reports "$reports"
else
  echo "detection share: skipped (no manifest.tsv beside $dir)"
fi
