#!/usr/bin/env python3
"""Compress and expire application logs.

Files matching *.log older than --compress-after days are gzipped in place;
*.log.gz older than --delete-after days are removed. Meant for cron:
    15 3 * * * /opt/tools/log-rotate-compress.py /var/log/myapp
"""
import argparse
import gzip
import shutil
import time
from pathlib import Path

DAY = 86400


def rotate(root, compress_after, delete_after, dry_run=False):
    now = time.time()
    stats = {"compressed": 0, "deleted": 0, "bytes_freed": 0}
    for path in sorted(Path(root).rglob("*")):
        if not path.is_file():
            continue
        age = now - path.stat().st_mtime
        if path.suffix == ".log" and age > compress_after * DAY:
            target = path.with_suffix(".log.gz")
            size = path.stat().st_size
            if not dry_run:
                with path.open("rb") as src, gzip.open(target, "wb", compresslevel=9) as dst:
                    shutil.copyfileobj(src, dst)
                shutil.copystat(path, target)
                path.unlink()
                stats["bytes_freed"] += size - target.stat().st_size
            stats["compressed"] += 1
        elif path.name.endswith(".log.gz") and age > delete_after * DAY:
            stats["bytes_freed"] += path.stat().st_size
            if not dry_run:
                path.unlink()
            stats["deleted"] += 1
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument("--compress-after", type=int, default=1)
    ap.add_argument("--delete-after", type=int, default=30)
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args()
    s = rotate(a.root, a.compress_after, a.delete_after, a.dry_run)
    print(f"compressed={s['compressed']} deleted={s['deleted']} freed={s['bytes_freed'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
