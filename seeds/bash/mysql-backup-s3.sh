#!/usr/bin/env bash
# Nightly MySQL backup to S3-compatible object storage.
# Credentials come from the instance's named profile "backup" (~/.aws/credentials
# managed by config management); the DB password from ~/.my.cnf.
set -euo pipefail

BUCKET="s3://corp-db-backups.example/mysql/$(hostname -s)"
ENDPOINT="https://objects.storage.example"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /var/tmp/mysqlbak.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

mysqldump --defaults-file="$HOME/.my.cnf" --single-transaction --routines --triggers \
    --all-databases --set-gtid-purged=OFF | zstd -T0 -q -o "$WORK/all-$STAMP.sql.zst"

sha256sum "$WORK/all-$STAMP.sql.zst" > "$WORK/all-$STAMP.sql.zst.sha256"

aws --profile backup --endpoint-url "$ENDPOINT" s3 cp "$WORK/" "$BUCKET/$STAMP/" --recursive --only-show-errors \
    --sse AES256

# lifecycle rules on the bucket expire old backups; just report what is there
aws --profile backup --endpoint-url "$ENDPOINT" s3 ls "$BUCKET/" | tail -n 5
