#!/bin/bash
# Keeps read-only mirrors of upstream repositories on the internal git server.
# repos.list: "<name> <upstream-url>" per line. Runs hourly from cron.
set -uo pipefail

MIRROR_ROOT=/srv/git/mirrors
LIST=/etc/git-mirror/repos.list
LOCK=/run/lock/git-mirror.lock

exec 9>"$LOCK"
flock -n 9 || { echo "another sync is running"; exit 0; }

failed=0
while read -r name url; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    dir="$MIRROR_ROOT/$name.git"
    if [[ ! -d "$dir" ]]; then
        git clone --mirror "$url" "$dir" || { failed=$((failed+1)); continue; }
    fi
    if ! timeout 600 git -C "$dir" remote update --prune; then
        echo "sync failed: $name"
        failed=$((failed+1))
    fi
    git -C "$dir" gc --auto --quiet
done < "$LIST"
exit $(( failed > 0 ))
