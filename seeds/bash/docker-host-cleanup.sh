#!/bin/bash
# Weekly cleanup on CI docker hosts: dangling images, stopped containers,
# build cache older than a week, and journald beyond 2 GB / 30 days.
set -euo pipefail

before=$(df --output=avail -BG /var/lib/docker | tail -1)

docker container prune -f --filter "until=72h"
docker image prune -af --filter "until=168h" --filter "label!=keep=true"
docker builder prune -af --filter "until=168h"
docker volume prune -f

journalctl --vacuum-size=2G --vacuum-time=30d
find /var/log -name '*.gz' -mtime +30 -delete
apt-get clean

after=$(df --output=avail -BG /var/lib/docker | tail -1)
logger -t docker-cleanup "free space on /var/lib/docker: ${before// /} -> ${after// /}"
