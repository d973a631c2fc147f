#!/usr/bin/env bash
# Sidecar benchmark: `automaldesc watch` on a temporary quarantine folder.
#   1. drop -> record latency (p50/p95/p99/max) with files renamed into the
#      folder at a steady RATE (default 100 files/s) for DURATION (20s),
#      timed from the rename to the record's line in the NDJSON sink;
#   2. drain: start on a folder already holding QUEUED (10000) files and
#      report files/s and peak RSS (VmHWM of the process).
# Usage: scripts/bench-sidecar.sh BIN [SAMPLES_DIR]
#   SAMPLES_DIR defaults to the dev split of ../shared/corpora (samples/).
# Environment: RATE, DURATION, QUEUED, WORKERS.
set -euo pipefail
bin=${1:?usage: bench-sidecar.sh BIN [SAMPLES_DIR]}
dir=${2:-}
cd "$(dirname "$0")/.."
root=$PWD
GO=${GO:-go}

if [ -z "$dir" ]; then
  tarball=""
  for cand in "$root/../shared/corpora/dev.tar.gz" "${AUTOMALDESC_CORPORA:-/nonexistent}/dev.tar.gz"; do
    [ -f "$cand" ] && tarball=$cand && break
  done
  if [ -z "$tarball" ]; then
    echo "bench-sidecar: no directory given and ../shared/corpora/dev.tar.gz not found" >&2
    exit 2
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  tar xzf "$tarball" -C "$tmp"
  dir=$tmp/samples
fi

echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) before the sidecar runs"
"$GO" run ./scripts/sidecarbench -bin "$bin" -samples "$dir" \
  -rate "${RATE:-100}" -duration "${DURATION:-20s}" -queued "${QUEUED:-10000}" -workers "${WORKERS:-0}"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) after"
