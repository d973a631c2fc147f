#!/bin/bash
# Simple health monitor for hosts without the monitoring agent.
# Checks HTTP endpoints, disk usage and load; mails the on-call alias on failure.
# Installed as /etc/cron.d/health-monitor (every 5 minutes).

ALERT_TO="oncall@corp.example"
ENDPOINTS="https://intranet.corp.example/healthz https://api.corp.example/status"
DISK_LIMIT=90
STATE=/var/tmp/health-monitor.state
problems=()

for url in $ENDPOINTS; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url")
    [[ "$code" == "200" ]] || problems+=("$url returned $code")
done

while read -r fs pct mnt; do
    p=${pct%\%}
    (( p >= DISK_LIMIT )) && problems+=("disk $mnt ($fs) at ${pct}")
done < <(df -P -x tmpfs -x devtmpfs | awk 'NR>1 {print $1, $5, $6}')

read -r load1 _ < /proc/loadavg
cores=$(nproc)
if awk -v l="$load1" -v c="$cores" 'BEGIN{exit !(l > c*2)}'; then
    problems+=("load ${load1} on ${cores} cores")
fi

if (( ${#problems[@]} )); then
    msg=$(printf '%s\n' "${problems[@]}")
    if [[ "$msg" != "$(cat "$STATE" 2>/dev/null)" ]]; then
        printf 'Host: %s\n\n%s\n' "$(hostname -f)" "$msg" | mail -s "[health] $(hostname -s) problems" "$ALERT_TO"
    fi
    echo "$msg" > "$STATE"
else
    rm -f "$STATE"
fi
