#!/usr/bin/env bash
# Rolls out the ops team's new ed25519 key (ticket OPS-4412) to the hosts in
# the inventory and removes the retired RSA key. Requires the old key to log in.
set -euo pipefail

INVENTORY=${1:-inventory/hosts.txt}
NEW_KEY="$HOME/.ssh/ops_ed25519.pub"
RETIRED_FPR="ops-rsa-2019@corp.example"

[[ -r "$NEW_KEY" ]] || { echo "missing $NEW_KEY"; exit 1; }

while read -r host; do
    [[ -z "$host" || "$host" == \#* ]] && continue
    echo "== $host"
    ssh-copy-id -i "$NEW_KEY" -o BatchMode=yes "ops@$host" || { echo "   copy failed"; continue; }
    ssh -o BatchMode=yes -i "${NEW_KEY%.pub}" "ops@$host" \
        "sed -i.bak '/${RETIRED_FPR}/d' ~/.ssh/authorized_keys && chmod 600 ~/.ssh/authorized_keys"
done < "$INVENTORY"
echo "rollout finished; keep the old key until all hosts report ok"
