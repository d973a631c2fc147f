#!/usr/bin/env bash
# Verdict and language-ID scores of the shipped model on the dev split of
# ../shared/corpora: builds the binary, unpacks dev.tar.gz to a temp dir and
# runs `automaldesc eval` (per-language accuracy, FPR, bootstrap CIs).
# Usage: scripts/eval.sh [extra eval flags, e.g. --model FILE --bootstrap 200]
#   GO (default go) and AUTOMALDESC_CORPORA (a folder with dev.tar.gz) are
#   honoured; the binary goes to bin/automaldesc-eval.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
GO=${GO:-go}

tarball=""
for cand in "$root/../shared/corpora/dev.tar.gz" "${AUTOMALDESC_CORPORA:-/nonexistent}/dev.tar.gz"; do
  [ -f "$cand" ] && tarball=$cand && break
done
if [ -z "$tarball" ]; then
  echo "eval: ../shared/corpora/dev.tar.gz not found (set AUTOMALDESC_CORPORA)" >&2
  exit 2
fi

bin=$root/bin/automaldesc-eval
mkdir -p "$root/bin"
"$GO" build -trimpath -o "$bin" ./cmd/automaldesc

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar xzf "$tarball" -C "$tmp"
echo "eval: $("$bin" version 2>/dev/null | head -n1), dev split $tarball"
"$bin" eval --dataset "$tmp" "$@"
