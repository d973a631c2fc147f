#!/bin/bash
# Weekly maintenance: rotate logs, prune old journals, report disk use.
journalctl --vacuum-time=14d
find /var/log/app -name '*.gz' -mtime +30 -delete
df -h / /var
crontab -l | grep -q backup || echo "0 3 * * * /usr/local/bin/backup.sh" | crontab -
