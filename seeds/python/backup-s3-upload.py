#!/usr/bin/env python3
"""Upload finished backup archives to object storage and verify them.

Uses the standard boto3 credential chain (instance profile or the "backup"
named profile); no secrets in this file. Archives already present with the
same size are skipped.
"""
import hashlib
import logging
import sys
from pathlib import Path

import boto3
from botocore.config import Config

BUCKET = "corp-backups.example"
PREFIX = "fileserver/"
SOURCE = Path("/var/backups/outgoing")

log = logging.getLogger("backup-upload")


def md5_of(path, chunk=8 << 20):
    h = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    session = boto3.Session(profile_name="backup")
    s3 = session.client("s3", endpoint_url="https://objects.storage.example",
                        config=Config(retries={"max_attempts": 5, "mode": "standard"}))
    existing = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX):
        for obj in page.get("Contents", []):
            existing[obj["Key"]] = obj["Size"]

    failures = 0
    for archive in sorted(SOURCE.glob("*.tar.zst")):
        key = PREFIX + archive.name
        if existing.get(key) == archive.stat().st_size:
            log.info("skip %s (already uploaded)", archive.name)
            continue
        log.info("upload %s (%d MB)", archive.name, archive.stat().st_size >> 20)
        s3.upload_file(str(archive), BUCKET, key, ExtraArgs={"ServerSideEncryption": "AES256",
                                                              "Metadata": {"md5": md5_of(archive)}})
        head = s3.head_object(Bucket=BUCKET, Key=key)
        if head["ContentLength"] != archive.stat().st_size:
            log.error("size mismatch for %s", key)
            failures += 1
        else:
            archive.rename(archive.with_suffix(archive.suffix + ".uploaded"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
