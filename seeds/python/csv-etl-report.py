#!/usr/bin/env python3
"""Monthly support-ticket report.

Reads the helpdesk CSV export, normalises team names, computes median time to
resolution per team and category, and writes report.csv plus a Markdown table.
"""
import csv
import statistics
import sys
from collections import defaultdict
from datetime import datetime

ALIASES = {"svc desk": "Service Desk", "servicedesk": "Service Desk", "net": "Network", "netops": "Network"}
FMT = "%Y-%m-%d %H:%M:%S"


def load(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if not row.get("resolved_at"):
                continue
            team = ALIASES.get(row["team"].strip().lower(), row["team"].strip())
            opened = datetime.strptime(row["opened_at"], FMT)
            resolved = datetime.strptime(row["resolved_at"], FMT)
            yield team, row["category"].strip() or "Other", (resolved - opened).total_seconds() / 3600


def summarise(rows):
    buckets = defaultdict(list)
    for team, cat, hours in rows:
        buckets[(team, cat)].append(hours)
    return sorted(((t, c, len(v), statistics.median(v)) for (t, c), v in buckets.items()),
                  key=lambda r: (r[0], -r[2]))


def main(src, dst="report.csv"):
    result = summarise(load(src))
    with open(dst, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["team", "category", "tickets", "median_hours"])
        for t, c, n, m in result:
            w.writerow([t, c, n, f"{m:.1f}"])
    print("| Team | Category | Tickets | Median h |\n|---|---|---|---|")
    for t, c, n, m in result:
        print(f"| {t} | {c} | {n} | {m:.1f} |")


if __name__ == "__main__":
    main(*sys.argv[1:])
