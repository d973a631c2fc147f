#!/usr/bin/env bash
# Builds the weekly sales summary from the POS exports.
# Input: exports/*.csv (date,store_id,sku,qty,unit_price); stores.csv (store_id,region)
# Output: reports/sales-<week>.csv and a short text summary on stdout.
set -euo pipefail
export LC_ALL=C

week=$(date +%G-W%V)
out="reports/sales-${week}.csv"
mkdir -p reports

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# concatenate exports without their headers, compute revenue per line
for f in exports/*.csv; do tail -n +2 "$f"; done \
  | awk -F, 'NF==5 && $4 ~ /^[0-9]+$/ {printf "%s,%s,%.2f\n", $2, $3, $4*$5}' \
  | sort -t, -k1,1 > "$tmp/lines.csv"

tail -n +2 stores.csv | sort -t, -k1,1 > "$tmp/stores.csv"

join -t, -1 1 -2 1 "$tmp/lines.csv" "$tmp/stores.csv" \
  | awk -F, '{rev[$4]+=$3; n[$4]++} END {for (r in rev) printf "%s,%d,%.2f\n", r, n[r], rev[r]}' \
  | sort -t, -k3,3nr > "$tmp/regions.csv"

{ echo "region,lines,revenue"; cat "$tmp/regions.csv"; } > "$out"
echo "Sales summary for ${week}:"
column -s, -t < "$out"
awk -F, 'NR>1 {t+=$3} END {printf "TOTAL revenue: %.2f\n", t}' "$out"
