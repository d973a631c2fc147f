#!/usr/bin/env bash
# Provisions contractor accounts from the HR export (CSV: login,full_name,team,end_date).
# Accounts get an expiry date, a forced password change, and team group membership.
# Members of the "sre" team are added to the sudo group per access policy AP-7.
set -euo pipefail

CSV=${1:?usage: $0 accounts.csv}
umask 077
report=/root/provisioning-$(date +%F).txt

tail -n +2 "$CSV" | while IFS=, read -r login name team end; do
    [[ "$login" =~ ^[a-z][a-z0-9_-]{1,30}$ ]] || { echo "skip invalid login '$login'"; continue; }
    if id "$login" &>/dev/null; then
        usermod -e "$end" "$login"
        echo "$login: expiry updated to $end" >> "$report"
        continue
    fi
    getent group "$team" >/dev/null || groupadd "$team"
    useradd -m -c "$name" -g "$team" -e "$end" -s /bin/bash "$login"
    pw=$(openssl rand -base64 15)
    echo "$login:$pw" | chpasswd
    chage -d 0 "$login"
    [[ "$team" == "sre" ]] && usermod -aG sudo "$login"
    echo "$login: created (team $team, expires $end), initial password $pw" >> "$report"
done
echo "report written to $report (send passwords via the password manager only)"
