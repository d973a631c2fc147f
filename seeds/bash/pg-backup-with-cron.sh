#!/usr/bin/env bash
# PostgreSQL logical backup with retention.
# Run once with --install to register the nightly cron job for the postgres user.
set -euo pipefail

BACKUP_DIR=/var/backups/postgres
RETENTION_DAYS=10
PGHOST=${PGHOST:-/var/run/postgresql}
LOG=/var/log/pg-backup.log
SELF=$(readlink -f "$0")

install_cron() {
    local line="30 1 * * * ${SELF} >> ${LOG} 2>&1"
    # idempotent: drop any previous entry for this script, then add ours
    ( crontab -l 2>/dev/null | grep -vF "${SELF}" ; echo "${line}" ) | crontab -
    echo "cron entry installed: ${line}"
}

if [[ "${1:-}" == "--install" ]]; then
    install_cron
    exit 0
fi

mkdir -p "${BACKUP_DIR}"
stamp=$(date +%Y%m%d-%H%M)

for db in $(psql -h "${PGHOST}" -Atc "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"); do
    out="${BACKUP_DIR}/${db}-${stamp}.dump"
    echo "$(date -Is) dumping ${db} -> ${out}"
    pg_dump -h "${PGHOST}" -Fc -Z 6 -f "${out}.partial" "${db}"
    mv "${out}.partial" "${out}"
    sha256sum "${out}" > "${out}.sha256"
done

pg_dumpall -h "${PGHOST}" --globals-only | gzip > "${BACKUP_DIR}/globals-${stamp}.sql.gz"

find "${BACKUP_DIR}" -type f \( -name '*.dump' -o -name '*.sha256' -o -name 'globals-*.sql.gz' \) -mtime +"${RETENTION_DAYS}" -print -delete
echo "$(date -Is) backup complete"
