#!/bin/bash
# Rotates the order-service logs when logrotate is not available (legacy hosts).
# Compresses logs older than one day, deletes compressed logs older than 14 days,
# and asks the service to reopen its log file.
set -euo pipefail

LOG_DIR=/var/log/order-service
PID_FILE=/run/order-service/order-service.pid
KEEP_DAYS=14

cd "$LOG_DIR"

if [[ -s current.log ]]; then
    mv current.log "order-service-$(date +%Y%m%d-%H%M%S).log"
    if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
        kill -USR1 "$(cat "$PID_FILE")"   # reopen log files
    fi
fi

find "$LOG_DIR" -maxdepth 1 -name 'order-service-*.log' -mmin +1440 -exec gzip -9 {} \;
find "$LOG_DIR" -maxdepth 1 -name 'order-service-*.log.gz' -mtime +"$KEEP_DAYS" -delete

du -sh "$LOG_DIR"
